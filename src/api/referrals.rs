use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use super::text_enum;
use crate::db::referrals::{EventRow, ReferralRow};

text_enum!(
    /// Where a referral stands. `waiting`: queued for a full service; `requested`: a place is
    /// offered; then `accepted`, `in_progress`, `on_hold`; it ends `rejected`, `completed`,
    /// `failed` or `cancelled`.
    ReferralStatus {
        Waiting => "waiting",
        Requested => "requested",
        Accepted => "accepted",
        Rejected => "rejected",
        InProgress => "in_progress",
        OnHold => "on_hold",
        Completed => "completed",
        Failed => "failed",
        Cancelled => "cancelled",
    }
);

text_enum!(
    /// A move. The provider accepts, rejects (reason), starts, holds, resumes, completes (outcome)
    /// or fails (reason); the referring side cancels (reason).
    ReferralAction {
        Accept => "accept",
        Reject => "reject",
        Start => "start",
        Hold => "hold",
        Resume => "resume",
        Complete => "complete",
        Fail => "fail",
        Cancel => "cancel",
    }
);

/// Refer the family, or one member, to a commissioned service.
#[derive(Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"service_code": "multi-systemic-therapy", "member_id": "019a2b3c-0000-7000-8000-000000000040",
    "reason": "At risk of custody; the family agrees to intensive work at home.", "referred_on": "2014-09-01"}))]
pub struct ReferralCreate {
    #[validate(length(min = 2, max = 40))]
    #[schema(min_length = 2, max_length = 40)]
    pub service_code: String,
    /// The member referred; absent for the family as a whole.
    pub member_id: Option<Uuid>,
    #[validate(length(min = 1, max = 5000))]
    #[schema(min_length = 1, max_length = 5000)]
    pub reason: String,
    /// Default today; the service's eligibility and contract are judged on this day.
    #[validate(custom(function = "crate::api::casework_date"))]
    pub referred_on: Option<NaiveDate>,
    /// Managers only: why the referral goes ahead without consent to share with the provider.
    #[validate(length(min = 1, max = 2000))]
    #[schema(min_length = 1, max_length = 2000)]
    pub consent_override: Option<String>,
}

/// Move a referral on.
#[derive(Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"action": "reject", "reason": "The family lives outside our area."}))]
pub struct Transition {
    pub action: ReferralAction,
    /// Required to reject, fail or cancel.
    #[validate(length(min = 1, max = 5000))]
    #[schema(min_length = 1, max_length = 5000)]
    pub reason: Option<String>,
    /// Required to complete: a summary of what came of the work.
    #[validate(length(min = 1, max = 5000))]
    #[schema(min_length = 1, max_length = 5000)]
    pub outcome: Option<String>,
}

/// One move in a referral's history.
#[derive(Serialize, ToSchema)]
pub struct ReferralEvent {
    pub id: Uuid,
    /// `create`, `offer` (a place freed for a waiting referral), or the move made.
    pub action: String,
    pub from_status: Option<ReferralStatus>,
    pub to_status: ReferralStatus,
    pub reason: Option<String>,
    /// Token subject of who made it.
    pub actor: String,
    pub created_at: DateTime<Utc>,
}

impl From<EventRow> for ReferralEvent {
    fn from(r: EventRow) -> Self {
        ReferralEvent {
            id: r.id,
            action: r.action,
            from_status: r.from_status.as_deref().map(ReferralStatus::from_db),
            to_status: ReferralStatus::from_db(&r.to_status),
            reason: r.reason,
            actor: r.actor,
            created_at: r.created_at,
        }
    }
}

/// A referral to a commissioned service.
#[derive(Serialize, ToSchema)]
pub struct Referral {
    pub id: Uuid,
    pub family_id: Uuid,
    pub member_id: Option<Uuid>,
    pub service_code: String,
    pub organisation: String,
    pub status: ReferralStatus,
    /// 1 for the first in the service's queue, while waiting.
    pub queue_position: Option<i64>,
    pub reason: String,
    pub referred_on: NaiveDate,
    /// The consent to share with the provider it rests on.
    pub consent_id: Option<Uuid>,
    /// Or the manager's override, and who made it.
    pub consent_override: Option<String>,
    pub override_by: Option<String>,
    pub outcome: Option<String>,
    pub referred_by: String,
    pub created_at: DateTime<Utc>,
    pub version: i32,
    /// Every move, oldest first (in a single referral's answer; absent in lists).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub history: Option<Vec<ReferralEvent>>,
}

impl Referral {
    pub fn from_row(r: ReferralRow, position: Option<i64>, history: Option<Vec<EventRow>>) -> Self {
        Referral {
            id: r.id,
            family_id: r.family_id,
            member_id: r.member_id,
            service_code: r.service_code,
            organisation: r.organisation,
            status: ReferralStatus::from_db(&r.status),
            queue_position: position,
            reason: r.reason,
            referred_on: r.referred_on,
            consent_id: r.consent_id,
            consent_override: r.consent_override,
            override_by: r.override_by,
            outcome: r.outcome,
            referred_by: r.referred_by,
            created_at: r.created_at,
            version: r.version,
            history: history.map(|h| h.into_iter().map(ReferralEvent::from).collect()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_names_are_the_wire_names() {
        crate::api::wire_names_agree(ReferralStatus::ALL, ReferralStatus::as_str);
        crate::api::wire_names_agree(ReferralAction::ALL, ReferralAction::as_str);
        for a in ReferralAction::ALL {
            assert!(crate::domain::referrals::ACTIONS.contains(&a.as_str()));
        }
    }
}
