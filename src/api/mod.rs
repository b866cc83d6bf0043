//! Wire types: what the HTTP contract says, kept apart from database rows.

pub mod allocations;
pub mod assessments;
pub mod attachments;
pub mod audit;
pub mod claims;
pub mod consent;
pub mod evidence;
pub mod families;
pub mod identification;
pub mod imports;
pub mod information;
pub mod jobs;
pub mod notes;
pub mod outcomes;
pub mod params;
pub mod plans;
pub mod providers;
pub mod referrals;
pub mod reports;
pub mod rulesets;
pub mod staff;
pub mod timeline;
pub mod webhooks;

use base64::Engine;
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::error::{ApiError, FieldError};

/// The closed sets of values are declared once, in the domain (`domain::text_enum!`).
pub(crate) use crate::domain::text_enum;

/// Checks that every value of a `text_enum!` is sent as the name it is stored under.
#[cfg(test)]
pub fn wire_names_agree<T: Serialize + Copy>(all: &[T], name: fn(T) -> &'static str) {
    for v in all {
        let sent = serde_json::to_value(v).unwrap();
        assert_eq!(sent.as_str(), Some(name(*v)));
    }
}

/// Dates of casework (consent, assessments, meetings, actions, plans): from 1990, before the
/// programme, to 2100. Outside that a date is a typing error, and PostgreSQL cannot store every
/// date a client's parser accepts.
pub fn casework_date(d: &chrono::NaiveDate) -> Result<(), validator::ValidationError> {
    use chrono::Datelike;
    if (1990..=2100).contains(&d.year()) {
        Ok(())
    } else {
        Err(validator::ValidationError::new("date")
            .with_message("a date from 1990-01-01 to 2100-12-31".into()))
    }
}

/// One page of a list.
#[derive(Serialize, ToSchema)]
pub struct Page<T: ToSchema> {
    pub items: Vec<T>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

impl<T: ToSchema> Page<T> {
    /// A list short enough to send whole (a family's consents, meetings, timeline...).
    pub fn all(items: Vec<T>) -> Self {
        Page {
            items,
            next_cursor: None,
        }
    }
}

/// Cursors are opaque to clients: base64url of the last id seen. They carry no authority; every
/// page is re-authorised and re-filtered.
pub fn encode_cursor(last_id: Uuid) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(last_id.as_bytes())
}

/// Any 22 characters of the URL-safe alphabet decode to an id (the two spare bits are ignored),
/// so every string the documented pattern allows is a cursor.
const CURSOR: base64::engine::GeneralPurpose = base64::engine::GeneralPurpose::new(
    &base64::alphabet::URL_SAFE,
    base64::engine::GeneralPurposeConfig::new()
        .with_decode_allow_trailing_bits(true)
        .with_decode_padding_mode(base64::engine::DecodePaddingMode::RequireNone),
);

pub fn decode_cursor(cursor: &str) -> Result<Uuid, ApiError> {
    CURSOR
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

/// A cursor for lists ordered by a date, then id (most overdue first): the last row's date and
/// id, so that the next page starts after it even if that row has moved meanwhile.
pub fn encode_dated_cursor(date: chrono::NaiveDate, id: Uuid) -> String {
    use chrono::Datelike;
    let mut bytes = id.as_bytes().to_vec();
    bytes.extend_from_slice(&date.num_days_from_ce().to_be_bytes());
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

pub fn decode_dated_cursor(cursor: &str) -> Result<(chrono::NaiveDate, Uuid), ApiError> {
    CURSOR
        .decode(cursor)
        .ok()
        .filter(|b| b.len() == 20)
        .and_then(|b| {
            let id = Uuid::from_slice(&b[..16]).ok()?;
            let days = i32::from_be_bytes(b[16..].try_into().ok()?);
            // As with plain cursors, every string the documented pattern allows is a cursor: a
            // day outside the range casework dates can take is brought to its nearer end.
            use chrono::Datelike;
            let bound = |y| chrono::NaiveDate::from_ymd_opt(y, 1, 1).map(|d| d.num_days_from_ce());
            let days = days.clamp(bound(1900)?, bound(2200)?);
            Some((chrono::NaiveDate::from_num_days_from_ce_opt(days)?, id))
        })
        .ok_or_else(|| {
            ApiError::BadRequest(
                "Invalid query parameter.".into(),
                vec![FieldError::new("cursor", "not a cursor this API issued")],
            )
        })
}

/// Ends a keyset page: the query fetched `limit + 1` rows so that a next page is known to exist;
/// drops the extra row and returns the cursor of the last row kept, if there is more.
pub fn end_page<T>(rows: &mut Vec<T>, limit: i64, id: impl Fn(&T) -> Uuid) -> Option<String> {
    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    if more {
        rows.last().map(|r| encode_cursor(id(r)))
    } else {
        None
    }
}

/// As `end_page`, for lists ordered by a date, then id.
pub fn end_dated_page<T>(
    rows: &mut Vec<T>,
    limit: i64,
    key: impl Fn(&T) -> (chrono::NaiveDate, Uuid),
) -> Option<String> {
    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    if more {
        rows.last().map(|r| {
            let (d, id) = key(r);
            encode_dated_cursor(d, id)
        })
    } else {
        None
    }
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

/// JSON Schema's `integer` includes integral numbers written as floats (`5.0`); serde does not.
pub fn integral_i16<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i16>, D::Error> {
    let v = Option::<f64>::deserialize(d)?;
    v.map(|f| {
        if f.fract() == 0.0 && f >= i16::MIN as f64 && f <= i16::MAX as f64 {
            Ok(f as i16)
        } else {
            Err(serde::de::Error::custom("expected a whole number"))
        }
    })
    .transpose()
}

/// As `integral_i16`, for PATCH fields where `null` clears the value.
pub fn integral_i16_patch<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<Option<i16>>, D::Error> {
    integral_i16(d).map(Some)
}

pub use crate::text::{is_blank, is_space, tidy};

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Datelike;

    #[test]
    fn a_dated_cursor_round_trips_and_nothing_else_decodes() {
        let d = chrono::NaiveDate::from_ymd_opt(2013, 5, 20).unwrap();
        let id = Uuid::now_v7();
        let c = encode_dated_cursor(d, id);
        assert_eq!(c.len(), 27, "the document's pattern");
        assert_eq!(decode_dated_cursor(&c).unwrap(), (d, id));
        assert!(decode_dated_cursor(&encode_cursor(id)).is_err());
        // Any 27 characters of the alphabet are a cursor, as the document's pattern says.
        for c in ["___________________________", "000000000000000000000000000"] {
            let (d, _) = decode_dated_cursor(c).unwrap();
            assert!((1900..=2200).contains(&d.year()), "{d}");
        }
    }

    #[test]
    fn casework_dates_run_from_1990_to_2100() {
        let ok = |s: &str| casework_date(&s.parse().unwrap()).is_ok();
        assert!(ok("1990-01-01") && ok("2100-12-31"));
        assert!(!ok("1989-12-31") && !ok("2101-01-01"));
    }
}
