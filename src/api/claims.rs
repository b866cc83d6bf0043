//! Claim windows and claimed results, as the API shows them.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use super::text_enum;
use crate::db::claims::{ItemRow, WindowRow};
use crate::db::jobs::JobRow;
use crate::domain::outcomes::Outcome;
use crate::domain::payments::financial_year_label;

pub use crate::domain::claims::{ItemStatus, WindowStatus};

text_enum!(
    /// The results a family can be claimed for, by ruleset: phase 1 `crime_asb_education`,
    /// `progress_to_work`, `continuous_employment`; phase 2 `sustained_progress`; Supporting
    /// Families `sustained_outcomes`.
    ResultType {
        CrimeAsbEducation => "crime_asb_education",
        ProgressToWork => "progress_to_work",
        ContinuousEmployment => "continuous_employment",
        SustainedProgress => "sustained_progress",
        SustainedOutcomes => "sustained_outcomes",
    }
);

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "May 2014 claim", "cut_off": "2014-05-31"}))]
pub struct WindowCreate {
    #[validate(length(min = 1, max = 200))]
    pub name: String,
    /// Results achieved on or before this day are claimed; not later than today, and not
    /// earlier than the cut-off of a submitted window covering any of the same rulesets (409):
    /// windows run forward.
    pub cut_off: NaiveDate,
    /// Claim only under these rulesets (codes); left out, every ruleset. A ruleset revision
    /// whose `last_claim_on` is before the cut-off claims nothing either way.
    #[validate(length(min = 1, max = 20))]
    #[schema(min_items = 1, max_items = 20)]
    pub rulesets: Option<Vec<String>>,
}

text_enum!(
    /// What a window does with the families attached under one ruleset revision: `claimed`
    /// (judged and claimed), `claims_ended` (the revision's `last_claim_on` is before the
    /// cut-off: nothing is claimed under it), `not_selected` (the window is limited to other
    /// rulesets).
    RevisionScope {
        Claimed => "claimed",
        ClaimsEnded => "claims_ended",
        NotSelected => "not_selected",
    }
);

/// One ruleset revision as a window treats it.
#[derive(Serialize, ToSchema)]
#[schema(as = ClaimWindowRevision)]
pub struct WindowRevision {
    #[schema(example = "phase1-2012")]
    pub ruleset: String,
    pub revision: i32,
    /// The revision's last claim day (its `outcomes.last_claim_on`); null: no end set.
    pub last_claim_on: Option<NaiveDate>,
    pub scope: RevisionScope,
    #[schema(
        example = "claims under phase1-2012 revision 1 ended on 2015-05-31, before the cut-off"
    )]
    pub detail: String,
}

/// Items and money of one result type in a window.
#[derive(Serialize, ToSchema)]
pub struct ResultTotal {
    pub result: ResultType,
    pub included: i64,
    pub included_pence: i64,
    pub excluded: i64,
    pub withdrawn: i64,
    pub recovered_pence: i64,
}

#[derive(Serialize, ToSchema)]
#[schema(as = ClaimWindow)]
pub struct Window {
    pub id: Uuid,
    pub name: String,
    pub cut_off: NaiveDate,
    pub status: WindowStatus,
    /// Attached families judged, of those counted when the computation started.
    pub progress: super::jobs::Progress,
    /// Why the computation stopped, when `failed`.
    pub error: Option<String>,
    pub prepared_by: String,
    /// When the (latest) computation started and finished.
    pub started_at: Option<DateTime<Utc>>,
    pub computed_at: Option<DateTime<Utc>>,
    pub validated_by: Option<String>,
    pub validated_at: Option<DateTime<Utc>>,
    pub submitted_by: Option<String>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub version: i32,
    pub totals: Vec<ResultTotal>,
    /// Money of the included results, in pence.
    pub claimed_pence: i64,
    /// The rulesets the window was limited to; null: every ruleset.
    pub rulesets: Option<Vec<String>>,
    /// Every ruleset revision and whether the window claims under it, and why not.
    pub revisions: Vec<WindowRevision>,
}

impl Window {
    pub fn from_row(
        w: WindowRow,
        job: &JobRow,
        totals: Vec<ResultTotal>,
        revisions: Vec<WindowRevision>,
    ) -> Self {
        Window {
            rulesets: w.rulesets,
            revisions,
            claimed_pence: totals.iter().map(|t| t.included_pence).sum(),
            id: w.id,
            name: w.name,
            cut_off: w.cut_off,
            status: w.status,
            progress: super::jobs::Progress::of(job, chrono::Utc::now()),
            error: w.error,
            prepared_by: w.prepared_by,
            started_at: w.started_at,
            computed_at: w.computed_at,
            validated_by: w.validated_by,
            validated_at: w.validated_at,
            submitted_by: w.submitted_by,
            submitted_at: w.submitted_at,
            created_at: w.created_at,
            version: w.version,
            totals,
        }
    }
}

/// One result claimed (or excluded, or withdrawn) for one family.
#[derive(Serialize, ToSchema)]
#[schema(as = ClaimItem)]
pub struct Item {
    pub id: Uuid,
    pub window_id: Uuid,
    pub family_id: Uuid,
    pub attachment_id: Uuid,
    #[schema(example = "phase1-2012")]
    pub ruleset: String,
    /// The financial year the family was attached in, which sets the amount.
    #[schema(example = "2012/13")]
    pub attachment_year: String,
    pub result: ResultType,
    pub achieved_on: NaiveDate,
    pub amount_pence: i64,
    pub status: ItemStatus,
    pub evidence_ids: Vec<Uuid>,
    /// The result as judged at the window's cut-off, kept as it was: later evidence never
    /// changes it.
    #[schema(value_type = Outcome)]
    pub snapshot: serde_json::Value,
    pub excluded_reason: Option<String>,
    pub excluded_by: Option<String>,
    pub withdrawn_reason: Option<String>,
    pub withdrawn_on: Option<NaiveDate>,
    pub withdrawn_by: Option<String>,
    /// Money to recover from a withdrawn result.
    pub recovered_pence: Option<i64>,
    pub version: i32,
}

impl From<ItemRow> for Item {
    fn from(i: ItemRow) -> Self {
        Item {
            id: i.id,
            window_id: i.window_id,
            family_id: i.family_id,
            attachment_id: i.attachment_id,
            ruleset: i.ruleset_code,
            attachment_year: financial_year_label(i.financial_year as i32),
            result: ResultType::from_db(&i.result),
            achieved_on: i.achieved_on,
            amount_pence: i.amount_pence,
            status: i.status,
            evidence_ids: i.evidence_ids,
            snapshot: i.snapshot,
            excluded_reason: i.excluded_reason,
            excluded_by: i.excluded_by,
            withdrawn_reason: i.withdrawn_reason,
            withdrawn_on: i.withdrawn_on,
            withdrawn_by: i.withdrawn_by,
            recovered_pence: i.recovered_pence,
            version: i.version,
        }
    }
}

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "School return for summer term under query"}))]
pub struct Exclusion {
    #[validate(length(min = 3, max = 2000))]
    pub reason: String,
}

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "National spot check: attendance return did not cover the family's child", "withdrawn_on": "2014-09-01"}))]
pub struct Withdrawal {
    #[validate(length(min = 3, max = 2000))]
    pub reason: String,
    /// When it was found invalid (default today): not before submission, not after today.
    pub withdrawn_on: Option<NaiveDate>,
}

#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct WindowListQuery {
    pub status: Option<WindowStatus>,
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    #[param(pattern = "^[A-Za-z0-9_-]{22}$")]
    pub cursor: Option<String>,
}

#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct ItemListQuery {
    pub status: Option<ItemStatus>,
    pub result: Option<ResultType>,
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    #[param(pattern = "^[A-Za-z0-9_-]{22}$")]
    pub cursor: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_names_match_stored_names() {
        super::super::wire_names_agree(WindowStatus::ALL, WindowStatus::as_str);
        super::super::wire_names_agree(ItemStatus::ALL, ItemStatus::as_str);
        super::super::wire_names_agree(ResultType::ALL, ResultType::as_str);
        for r in crate::domain::outcomes::RESULTS {
            assert!(ResultType::parse(r).is_some(), "{r}");
        }
    }
}
