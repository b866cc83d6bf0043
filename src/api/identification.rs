use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use super::text_enum;
use crate::db::identification::RunRow;
use crate::db::jobs::JobRow;

text_enum!(
    RunStatus { Queued => "queued", Running => "running", Succeeded => "succeeded", Failed => "failed", Cancelled => "cancelled" }
);

/// Start an identification run: every current family judged under a ruleset on a date.
#[derive(Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"ruleset": "phase1-2012", "as_of": "2013-03-01"}))]
pub struct RunCreate {
    #[schema(
        pattern = "^[a-z0-9-]{3,40}$",
        max_length = 40,
        example = "phase1-2012"
    )]
    pub ruleset: String,
    pub as_of: NaiveDate,
}

#[derive(Serialize, ToSchema)]
pub struct RunCounts {
    /// Families the rules find eligible, attached or not.
    pub eligible: i32,
    /// Eligible families not yet attached under the ruleset: the run's results.
    pub eligible_not_attached: i32,
    pub not_eligible: i32,
}

/// An identification run and how far it has got.
#[derive(Serialize, ToSchema)]
pub struct Run {
    pub id: Uuid,
    pub ruleset: String,
    pub revision_id: Uuid,
    pub as_of: NaiveDate,
    pub status: RunStatus,
    /// Families judged, of the current families counted when the run started.
    pub progress: super::jobs::Progress,
    pub counts: RunCounts,
    /// Why a failed run failed.
    pub error: Option<String>,
    pub requested_by: String,
    pub created_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    /// Where the eligible families not yet attached are listed.
    #[schema(example = "/api/v1/identification-runs/019a2b3c-0000-7000-8000-00000000000a/results")]
    pub results_url: String,
}

impl Run {
    pub fn of(r: RunRow, job: &JobRow) -> Self {
        Run {
            results_url: format!("/api/v1/identification-runs/{}/results", r.id),
            id: r.id,
            ruleset: r.ruleset_code,
            revision_id: r.revision_id,
            as_of: r.as_of,
            status: RunStatus::from_db(&r.status),
            progress: super::jobs::Progress::of(job, chrono::Utc::now()),
            counts: RunCounts {
                eligible: r.eligible,
                eligible_not_attached: r.eligible_not_attached,
                not_eligible: r.not_eligible,
            },
            error: r.error,
            requested_by: r.requested_by,
            created_at: r.created_at,
            started_at: r.started_at,
            finished_at: r.finished_at,
        }
    }
}

/// An eligible family not yet attached.
#[derive(Serialize, ToSchema)]
pub struct RunResult {
    pub family_id: Uuid,
    #[schema(example = "FFC-000123")]
    pub reference: String,
    #[schema(example = "S60 1AE")]
    pub postcode: String,
    /// Codes of the criteria met, e.g. `crime_asb`, `work`.
    pub criteria_met: Vec<String>,
    /// Local filters that apply.
    pub local_filters: Vec<String>,
    pub reason: String,
}

/// Filters for a run's results (documentation of the query string).
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct RunResultsQuery {
    /// Only families meeting this criterion (e.g. `education`).
    #[param(pattern = "^[a-z0-9_]{1,60}$", max_length = 60)]
    pub criterion: Option<String>,
    /// Only families to which this local filter applies (e.g. `deprived_area`).
    #[param(pattern = "^[a-z0-9_]{1,60}$", max_length = 60)]
    pub local_filter: Option<String>,
}
