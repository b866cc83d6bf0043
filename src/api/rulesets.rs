use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use super::text_enum;
use crate::db::rulesets::RevisionRow;
use crate::domain::eligibility::{Criterion, Phase1Params, Phase2Params, SfParams};

text_enum!(
    /// Which programme's rules a ruleset encodes.
    RulesetFamily {
        Phase1 => "phase1",
        Phase2 => "phase2",
        SupportingFamilies => "supporting_families",
    }
);

/// Parameters of a revision; their shape depends on the ruleset's family.
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
#[allow(dead_code)]
pub enum RulesetParameters {
    Phase1(Phase1Params),
    Phase2(Phase2Params),
    SupportingFamilies(SfParams),
}

/// One immutable revision of a ruleset.
#[derive(Serialize, ToSchema)]
pub struct Revision {
    pub id: Uuid,
    pub revision: i32,
    /// The revision judges dates from this day until the next revision takes effect.
    pub effective_from: NaiveDate,
    #[schema(value_type = RulesetParameters)]
    pub parameters: serde_json::Value,
    pub note: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

impl From<RevisionRow> for Revision {
    fn from(r: RevisionRow) -> Self {
        Revision {
            id: r.id,
            revision: r.revision,
            effective_from: r.effective_from,
            parameters: r.parameters,
            note: r.note,
            created_by: r.created_by,
            created_at: r.created_at,
        }
    }
}

/// A ruleset with its revisions, oldest first.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"code": "phase1-2012", "name": "Troubled Families phase 1 (2012-2015)",
    "family": "phase1", "revisions": []}))]
pub struct Ruleset {
    #[schema(example = "phase1-2012")]
    pub code: String,
    pub name: String,
    pub family: RulesetFamily,
    pub revisions: Vec<Revision>,
}

/// A new revision. It must take effect after the latest revision does, so the rules for any
/// date already judged by a later revision's predecessor stay as they were.
#[derive(Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"effective_from": "2013-04-01", "note": "Adds the council's deprived-area list.",
    "parameters": {"problem_window_months": 12, "minimum_problems": 2,
                   "payments": {"attachment_fee_pence": 100000, "result_pence": 80000}}}))]
pub struct RevisionCreate {
    pub effective_from: NaiveDate,
    /// The complete parameters, in the shape of the ruleset's family.
    #[schema(value_type = RulesetParameters)]
    pub parameters: serde_json::Value,
    #[validate(length(min = 1, max = 2000))]
    #[schema(min_length = 1, max_length = 2000)]
    pub note: String,
}

/// Whether a family is eligible under a ruleset on a date, and why.
#[derive(Serialize, ToSchema)]
pub struct Eligibility {
    pub family_id: Uuid,
    #[schema(example = "phase1-2012")]
    pub ruleset: String,
    pub revision: i32,
    pub as_of: NaiveDate,
    pub eligible: bool,
    pub criteria: Vec<Criterion>,
    /// Local filters that apply on the date (phase 1 rulesets).
    pub local_filters: Vec<Criterion>,
    #[schema(example = "Meets all three national criteria (crime/ASB, education, work).")]
    pub reason: String,
}

/// Which rules and which date (documentation of the query string).
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct EligibilityQuery {
    /// Ruleset code, e.g. `phase1-2012`; by default the ruleset the family is attached under.
    #[param(pattern = "^[a-z0-9-]{3,40}$", max_length = 40)]
    pub ruleset: Option<String>,
    /// The date to judge (default: today). The same evidence gives the same answer for any date.
    pub as_of: Option<NaiveDate>,
}
