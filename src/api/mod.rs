//! Wire types: what the HTTP contract says, kept apart from database rows.

pub mod audit;
pub mod families;

use base64::Engine;
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::error::{ApiError, FieldError};

/// Declares a closed set of string values stored as text and sent as snake_case strings.
macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        // utoipa cannot read a `rename` whose value is a macro fragment, so the wire names are the
        // variants in snake_case; `as_str` spells them out and a unit test checks they agree.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($variant),+
        }
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
            pub fn parse(s: &str) -> Option<Self> {
                match s { $($text => Some($name::$variant),)+ _ => None }
            }
            /// Database values are constrained by CHECKs, so an unknown one is a bug.
            pub fn from_db(s: &str) -> Self {
                Self::parse(s).unwrap_or_else(|| panic!("unexpected {} value in database", stringify!($name)))
            }
        }
    };
}
pub(crate) use text_enum;

/// One page of a list.
#[derive(Serialize, ToSchema)]
pub struct Page<T: ToSchema> {
    pub items: Vec<T>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// Cursors are opaque to clients: base64url of the last id seen. They carry no authority; every
/// page is re-authorised and re-filtered.
pub fn encode_cursor(last_id: Uuid) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(last_id.as_bytes())
}

pub fn decode_cursor(cursor: &str) -> Result<Uuid, ApiError> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|b| Uuid::from_slice(&b).ok())
        .ok_or_else(|| {
            ApiError::BadRequest(
                "Invalid query parameter.".into(),
                vec![FieldError::new("cursor", "not a cursor this API issued")],
            )
        })
}

pub const DEFAULT_LIMIT: i64 = 50;
pub const MAX_LIMIT: i64 = 200;

pub fn parse_limit(raw: Option<&str>) -> Result<i64, ApiError> {
    match raw {
        None => Ok(DEFAULT_LIMIT),
        Some(s) => match s.parse::<i64>() {
            Ok(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
            _ => Err(ApiError::BadRequest(
                "Invalid query parameter.".into(),
                vec![FieldError::new(
                    "limit",
                    format!("an integer from 1 to {MAX_LIMIT}"),
                )],
            )),
        },
    }
}

/// For PATCH fields that may be cleared: absent = leave alone, `null` = clear, value = set.
pub fn double_option<'de, T, D>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    T: Deserialize<'de>,
    D: Deserializer<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

/// Trims; an all-blank optional string counts as absent.
pub fn clean(s: Option<String>) -> Option<String> {
    s.map(|v| v.trim().to_string()).filter(|v| !v.is_empty())
}
