use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use super::text_enum;
use crate::db::allocations::AllocationRow;

text_enum!(
    /// Why an allocation ended.
    EndReason {
        Reallocated => "reallocated",
        WorkerLeft => "worker_left",
        CaseClosed => "case_closed",
        Other => "other",
    }
);

/// Give a family its dedicated worker (ending the current allocation, if any).
#[derive(Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"staff_id": "019a2b3c-0000-7000-8000-000000000020"}))]
pub struct AllocationCreate {
    pub staff_id: Uuid,
}

/// End a family's current allocation.
#[derive(Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "case_closed"}))]
pub struct AllocationEnd {
    pub reason: EndReason,
}

/// Move every open family of one worker to another, in one transaction.
#[derive(Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"to_staff_id": "019a2b3c-0000-7000-8000-000000000021"}))]
pub struct Reallocation {
    pub to_staff_id: Uuid,
}

#[derive(Serialize, ToSchema)]
pub struct ReallocationDone {
    /// How many families moved.
    pub moved: i32,
    pub family_ids: Vec<Uuid>,
    /// The FCAFs (draft or active) the leaver led, now led by the receiver.
    pub assessment_ids: Vec<Uuid>,
    /// The open plan actions the leaver owned, now owned by the receiver.
    pub action_ids: Vec<Uuid>,
}

/// One allocation of a family to a worker.
#[derive(Serialize, ToSchema)]
pub struct Allocation {
    pub id: Uuid,
    pub family_id: Uuid,
    pub staff_id: Uuid,
    /// The worker's team when allocated (its limit counts this allocation while open).
    pub team: Option<String>,
    pub started_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
    pub end_reason: Option<EndReason>,
    pub allocated_by: String,
    pub ended_by: Option<String>,
}

impl From<AllocationRow> for Allocation {
    fn from(r: AllocationRow) -> Self {
        Allocation {
            id: r.id,
            family_id: r.family_id,
            staff_id: r.staff_id,
            team: r.team_code,
            started_at: r.started_at,
            ended_at: r.ended_at,
            end_reason: r.end_reason.as_deref().map(EndReason::from_db),
            allocated_by: r.allocated_by,
            ended_by: r.ended_by,
        }
    }
}

/// An attached family with no dedicated worker.
#[derive(Serialize, ToSchema)]
pub struct UnallocatedFamily {
    pub family_id: Uuid,
    #[schema(example = "FFC-000123")]
    pub reference: String,
    #[schema(example = "S60 1AE")]
    pub postcode: String,
}
