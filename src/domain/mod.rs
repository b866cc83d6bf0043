//! The programme's rules as pure functions: no I/O, unit-tested next to the rule.

/// Declares a closed set of values (a status, a kind): stored as text (Diesel reads and writes
/// the enum itself, and an unknown stored value is a deserialisation error, not a panic), sent
/// as snake_case strings (serde) and described by utoipa, all from this one definition. The
/// database keeps its CHECK constraint as the second line.
macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        // utoipa cannot read a `rename` whose value is a macro fragment, so the wire names are the
        // variants in snake_case; `as_str` spells them out and a unit test checks they agree.
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
            utoipa::ToSchema, diesel::expression::AsExpression, diesel::deserialize::FromSqlRow,
        )]
        #[diesel(sql_type = diesel::sql_types::Text)]
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
            /// For rows still read as text: database values are constrained by CHECKs, so an
            /// unknown one is a bug. Typed rows read the enum itself instead.
            pub fn from_db(s: &str) -> Self {
                Self::parse(s).unwrap_or_else(|| panic!("unexpected {} value in database", stringify!($name)))
            }
        }
        /// As stored and sent.
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl diesel::serialize::ToSql<diesel::sql_types::Text, diesel::pg::Pg> for $name {
            fn to_sql<'b>(
                &'b self,
                out: &mut diesel::serialize::Output<'b, '_, diesel::pg::Pg>,
            ) -> diesel::serialize::Result {
                <str as diesel::serialize::ToSql<diesel::sql_types::Text, diesel::pg::Pg>>::to_sql(
                    self.as_str(),
                    &mut out.reborrow(),
                )
            }
        }
        impl diesel::deserialize::FromSql<diesel::sql_types::Text, diesel::pg::Pg> for $name {
            fn from_sql(bytes: diesel::pg::PgValue<'_>) -> diesel::deserialize::Result<Self> {
                let s = std::str::from_utf8(bytes.as_bytes())?;
                Self::parse(s).ok_or_else(|| {
                    format!("unexpected {} value {s:?} in the database", stringify!($name)).into()
                })
            }
        }
    };
}
pub(crate) use text_enum;

pub mod casework;
pub mod claims;
pub mod consent;
pub mod eligibility;
pub mod identifiers;
pub mod information;
pub mod jobs;
pub mod outcomes;
pub mod payments;
pub mod people;
pub mod referrals;
pub mod settings;
