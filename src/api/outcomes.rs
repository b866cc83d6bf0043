//! Results of the programme for a family, as the API shows them.

use chrono::NaiveDate;
use serde::Serialize;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::domain::outcomes::Outcome;

/// One result of the family's ruleset, with what it would be worth.
#[derive(Serialize, ToSchema)]
pub struct ResultView {
    #[serde(flatten)]
    pub outcome: Outcome,
    /// The payment schedule's amount for this result (pence), by the financial year the family
    /// was attached in; what a claim pays is also held within the per-family maximum.
    pub schedule_pence: i64,
}

/// Every result of the ruleset a family was attached under, judged on a date and explained.
#[derive(Serialize, ToSchema)]
pub struct FamilyOutcomes {
    pub family_id: Uuid,
    pub attachment_id: Uuid,
    #[schema(example = "phase1-2012")]
    pub ruleset: String,
    /// The revision the family was attached under: its claims are always judged by it.
    pub revision: i32,
    pub attached_on: NaiveDate,
    #[schema(example = "2012/13")]
    pub financial_year: String,
    pub as_of: NaiveDate,
    pub results: Vec<ResultView>,
}

/// Which attachment and which date (documentation of the query string).
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct OutcomesQuery {
    /// Ruleset code; by default the ruleset the family was most recently attached under.
    #[param(pattern = "^[a-z0-9-]{3,40}$", max_length = 40)]
    pub ruleset: Option<String>,
    /// The date to judge (default today): from the attachment date to today.
    pub as_of: Option<NaiveDate>,
}
