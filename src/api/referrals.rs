use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use super::text_enum;
use crate::db::referrals::{EventRow, ReferralRow};

pub use crate::domain::referrals::{ReferralAction, ReferralStatus};

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
            from_status: r.from_status,
            to_status: r.to_status,
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
            status: r.status,
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
        crate::api::wire_names_agree(UpdateKind::ALL, UpdateKind::as_str);
    }
}

text_enum!(
    /// What an update reports: a session (held or not), progress, or outcome measures.
    UpdateKind {
        Session => "session",
        Progress => "progress",
        Outcome => "outcome",
    }
);

/// One outcome measure, e.g. a score on a scale the provider uses.
#[derive(Deserialize, Serialize, Validate, ToSchema, Clone)]
#[serde(deny_unknown_fields)]
pub struct Measure {
    #[validate(length(min = 1, max = 100))]
    #[schema(min_length = 1, max_length = 100)]
    pub name: String,
    #[validate(range(min = -1_000_000_000i64, max = 1_000_000_000i64))]
    #[schema(minimum = -1_000_000_000i64, maximum = 1_000_000_000i64)]
    pub value: i64,
    #[validate(length(min = 1, max = 40))]
    #[schema(min_length = 1, max_length = 40)]
    pub unit: Option<String>,
}

/// An update from the provider. Send an `Idempotency-Key`: a retry after a dropped connection
/// then records it once.
#[derive(Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"kind": "session", "occurred_on": "2014-09-08", "session_held": true,
    "family_engaged": true, "note": "Home session with Child and parent; agreed a curfew."}))]
pub struct UpdateCreate {
    pub kind: UpdateKind,
    /// Not in the future.
    #[validate(custom(function = "crate::api::casework_date"))]
    pub occurred_on: NaiveDate,
    /// Required for a session: whether it took place.
    pub session_held: Option<bool>,
    pub family_engaged: Option<bool>,
    /// Required for progress.
    #[validate(length(min = 1, max = 5000))]
    #[schema(min_length = 1, max_length = 5000)]
    pub note: Option<String>,
    /// Required (at least one) for outcome.
    #[serde(default)]
    #[validate(length(max = 20), nested)]
    #[schema(max_items = 20)]
    pub measures: Vec<Measure>,
    /// The earlier update of this referral this one corrects.
    pub corrects_update_id: Option<Uuid>,
}

/// An update posted on a referral. Never changed.
#[derive(Serialize, ToSchema)]
pub struct ReferralUpdate {
    pub id: Uuid,
    pub referral_id: Uuid,
    pub kind: UpdateKind,
    pub occurred_on: NaiveDate,
    pub session_held: Option<bool>,
    pub family_engaged: Option<bool>,
    pub note: Option<String>,
    pub measures: Vec<Measure>,
    pub corrects_update_id: Option<Uuid>,
    /// Token subject of who posted it.
    pub posted_by: String,
    pub created_at: DateTime<Utc>,
}

impl From<crate::db::referrals::UpdateRow> for ReferralUpdate {
    fn from(r: crate::db::referrals::UpdateRow) -> Self {
        ReferralUpdate {
            id: r.id,
            referral_id: r.referral_id,
            kind: UpdateKind::from_db(&r.kind),
            occurred_on: r.occurred_on,
            session_held: r.session_held,
            family_engaged: r.family_engaged,
            note: r.note,
            measures: serde_json::from_value(r.measures).unwrap_or_default(),
            corrects_update_id: r.corrects_id,
            posted_by: r.posted_by,
            created_at: r.created_at,
        }
    }
}

/// A member as the provider sees them: name and age, nothing more.
#[derive(Serialize, ToSchema)]
pub struct SharedMember {
    pub id: Uuid,
    pub given_name: String,
    pub family_name: String,
    pub member_role: String,
    /// Today, in years.
    pub age: i32,
}

/// An item of the family's plan shared with the provider.
#[derive(Serialize, ToSchema)]
pub struct SharedAction {
    pub description: String,
    pub need: String,
    pub member_id: Option<Uuid>,
    pub due_on: NaiveDate,
    pub status: crate::domain::casework::ActionStatus,
}

/// What a provider sees of a referred family: what the service needs and the consent allows.
/// Names, ages and contact of the members the consent in force today covers, and the plan items
/// in the categories it lets go to the provider. Never offences, health or other providers'
/// records beyond that. A provider sees it only while the referral holds a place.
#[derive(Serialize, ToSchema)]
pub struct SharedFamily {
    pub referral_id: Uuid,
    pub family_id: Uuid,
    pub reference: String,
    /// The address, when the consent lets contact details go to the provider (or a manager's
    /// override made the referral).
    pub address_line1: Option<String>,
    pub address_line2: Option<String>,
    pub town: Option<String>,
    pub postcode: Option<String>,
    pub members: Vec<SharedMember>,
    pub plan_items: Vec<SharedAction>,
}

/// Referrals made in a period, by organisation, service, status and age band.
#[derive(Serialize, ToSchema)]
pub struct ReferralCount {
    pub organisation: String,
    pub service_code: String,
    pub status: ReferralStatus,
    /// The member's age on the referral date: `0-10`, `11-17`, `18+`, or `family` for a
    /// referral of the family as a whole.
    pub age_band: String,
    pub referrals: i64,
}

/// A service's open referrals against its capacity, and its queue.
#[derive(Serialize, ToSchema)]
pub struct ServiceLoad {
    pub service_code: String,
    pub organisation: String,
    /// Absent: no limit.
    pub capacity: Option<i32>,
    /// Requested, accepted, in progress or on hold.
    pub open: i64,
    /// Places left; absent without a limit.
    pub free: Option<i64>,
    pub waiting: i64,
}

impl From<crate::db::referrals::CapacityRow> for ServiceLoad {
    fn from(r: crate::db::referrals::CapacityRow) -> Self {
        ServiceLoad {
            free: r.capacity.map(|c| (i64::from(c) - r.open).max(0)),
            service_code: r.service_code,
            organisation: r.organisation,
            capacity: r.capacity,
            open: r.open,
            waiting: r.waiting,
        }
    }
}
