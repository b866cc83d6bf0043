use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use super::text_enum;
use crate::db::staff::StaffRow;

text_enum!(
    /// The post a member of staff holds.
    StaffRole {
        Coordinator => "coordinator",
        LeadWorker => "lead_worker",
        KeyWorker => "key_worker",
        EmploymentAdviser => "employment_adviser",
        SocialWorker => "social_worker",
        PoliceContact => "police_contact",
        ClaimsOfficer => "claims_officer",
        Auditor => "auditor",
        Manager => "manager",
        Admin => "admin",
        ProviderLeadWorker => "provider_lead_worker",
    }
);

/// A new member of staff, linked to the subject of their tokens.
#[derive(Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"subject": "kw-0042", "name": "Sam Example", "staff_role": "key_worker",
    "team": "family-recovery", "organisation": "Rotherham MBC"}))]
pub struct StaffCreate {
    /// The `sub` claim of this person's tokens.
    #[validate(length(min = 1, max = 200))]
    #[schema(min_length = 1, max_length = 200)]
    pub subject: String,
    #[validate(length(min = 1, max = 200))]
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    pub staff_role: StaffRole,
    /// Team code (see `GET /teams`).
    #[schema(pattern = "^[a-z0-9-]{2,40}$", max_length = 40)]
    pub team: Option<String>,
    #[validate(length(min = 1, max = 200))]
    #[schema(min_length = 1, max_length = 200)]
    pub organisation: String,
}

/// A member of staff.
#[derive(Serialize, ToSchema)]
pub struct Staff {
    pub id: Uuid,
    pub subject: String,
    pub name: String,
    pub staff_role: StaffRole,
    pub team: Option<String>,
    pub organisation: String,
    /// False once deactivated: their tokens no longer work.
    pub active: bool,
    pub deactivated_at: Option<DateTime<Utc>>,
    pub deactivated_by: Option<String>,
    pub created_at: DateTime<Utc>,
    pub version: i32,
}

impl From<StaffRow> for Staff {
    fn from(r: StaffRow) -> Self {
        Staff {
            id: r.id,
            subject: r.subject,
            name: r.name,
            staff_role: StaffRole::from_db(&r.staff_role),
            team: r.team_code,
            organisation: r.organisation,
            active: r.active,
            deactivated_at: r.deactivated_at,
            deactivated_by: r.deactivated_by,
            created_at: r.created_at,
            version: r.version,
        }
    }
}

/// A team, with the most families it may hold open at once, if limited.
#[derive(Serialize, ToSchema)]
pub struct Team {
    #[schema(example = "family-recovery")]
    pub code: String,
    pub name: String,
    #[schema(example = 45)]
    pub open_case_limit: Option<i32>,
    /// Families the team holds open now (allocated to it and not ended), to set against
    /// `open_case_limit` before allocating. Shown to those who allocate (coordinators and
    /// managers); absent for everyone else.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = 41, minimum = 0)]
    pub open_families: Option<i64>,
}

/// Filters for listing staff (documentation of the query string).
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct StaffListQuery {
    /// Team code.
    #[param(pattern = "^[a-z0-9-]{2,40}$", max_length = 40)]
    pub team: Option<String>,
    /// Only active (true) or only deactivated (false) staff.
    pub active: Option<bool>,
}
