use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use super::text_enum;
use crate::db::episodes::EpisodeRow;
use crate::db::taf::TafMemberRow;

/// Add a member of staff to the family's Team Around the Family.
#[derive(Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"staff_id": "019a2b3c-0000-7000-8000-000000000031", "joined_on": "2013-02-25"}))]
pub struct TafMemberCreate {
    pub staff_id: Uuid,
    /// Default today; not in the future.
    #[validate(custom(function = "crate::api::casework_date"))]
    pub joined_on: Option<NaiveDate>,
}

/// Someone leaves the Team Around the Family.
#[derive(Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"left_on": "2013-07-01"}))]
pub struct TafMemberLeave {
    /// Default today; not in the future, not before they joined.
    #[validate(custom(function = "crate::api::casework_date"))]
    pub left_on: Option<NaiveDate>,
}

/// A seat on the Team Around the Family.
#[derive(Serialize, ToSchema)]
pub struct TafMember {
    pub id: Uuid,
    pub family_id: Uuid,
    pub staff_id: Uuid,
    pub joined_on: NaiveDate,
    /// Absent while they sit on it.
    pub left_on: Option<NaiveDate>,
    pub added_by: String,
    pub removed_by: Option<String>,
    pub version: i32,
}

impl From<TafMemberRow> for TafMember {
    fn from(r: TafMemberRow) -> Self {
        TafMember {
            id: r.id,
            family_id: r.family_id,
            staff_id: r.staff_id,
            joined_on: r.joined_on,
            left_on: r.left_on,
            added_by: r.added_by,
            removed_by: r.removed_by,
            version: r.version,
        }
    }
}

text_enum!(
    /// Social care plans and early help. Child protection and child in need plans are a child's;
    /// an FCAF and the Family Recovery Programme are the family's.
    EpisodeKind {
        ChildProtectionPlan => "child_protection_plan",
        ChildInNeedPlan => "child_in_need_plan",
        Fcaf => "fcaf",
        FamilyRecoveryProgramme => "family_recovery_programme",
    }
);

text_enum!(
    /// `start`, or a move from the episode it follows: up to social care, down to early help, or
    /// across.
    Direction {
        Start => "start",
        StepUp => "step_up",
        StepDown => "step_down",
        Transfer => "transfer",
    }
);

/// Record a social care plan or the Family Recovery Programme on the family's timeline. An FCAF
/// enters the timeline when it is agreed (`/assessments/{id}/activate`).
#[derive(Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"kind": "child_in_need_plan", "member_id": "019a2b3c-0000-7000-8000-000000000040",
    "started_on": "2012-11-05", "agreed_by": "Child protection review conference",
    "follows_episode_id": "019a2b3c-0000-7000-8000-000000000041"}))]
pub struct EpisodeCreate {
    pub kind: EpisodeKind,
    /// The child, for a child protection or child in need plan.
    pub member_id: Option<Uuid>,
    /// Not in the future.
    #[validate(custom(function = "crate::api::casework_date"))]
    pub started_on: NaiveDate,
    /// Who agreed it (a conference, a panel, a manager).
    #[validate(length(min = 1, max = 200))]
    #[schema(min_length = 1, max_length = 200)]
    pub agreed_by: String,
    /// The episode this one steps up or down from; if still open it ends the day before.
    pub follows_episode_id: Option<Uuid>,
}

/// End an episode.
#[derive(Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"ended_on": "2013-02-10", "agreed_by": "Child in need review", "reason": "Stepped down to an FCAF."}))]
pub struct EpisodeEnd {
    /// Not before it started, not in the future.
    #[validate(custom(function = "crate::api::casework_date"))]
    pub ended_on: NaiveDate,
    #[validate(length(min = 1, max = 200))]
    #[schema(min_length = 1, max_length = 200)]
    pub agreed_by: String,
    #[validate(length(min = 1, max = 2000))]
    #[schema(min_length = 1, max_length = 2000)]
    pub reason: Option<String>,
}

/// One period of a plan on the family's timeline.
#[derive(Serialize, ToSchema)]
pub struct Episode {
    pub id: Uuid,
    pub family_id: Uuid,
    pub member_id: Option<Uuid>,
    pub kind: EpisodeKind,
    pub started_on: NaiveDate,
    /// Inclusive; absent while open.
    pub ended_on: Option<NaiveDate>,
    pub direction: Direction,
    pub follows_episode_id: Option<Uuid>,
    /// The FCAF, for an `fcaf` episode.
    pub assessment_id: Option<Uuid>,
    pub agreed_by: String,
    pub recorded_by: String,
    pub end_agreed_by: Option<String>,
    pub end_reason: Option<String>,
    pub ended_by: Option<String>,
    pub created_at: DateTime<Utc>,
    pub version: i32,
}

impl From<EpisodeRow> for Episode {
    fn from(r: EpisodeRow) -> Self {
        Episode {
            id: r.id,
            family_id: r.family_id,
            member_id: r.member_id,
            kind: EpisodeKind::from_db(&r.kind),
            started_on: r.started_on,
            ended_on: r.ended_on,
            direction: Direction::from_db(&r.direction),
            follows_episode_id: r.follows_id,
            assessment_id: r.assessment_id,
            agreed_by: r.agreed_by,
            recorded_by: r.recorded_by,
            end_agreed_by: r.end_agreed_by,
            end_reason: r.end_reason,
            ended_by: r.ended_by,
            created_at: r.created_at,
            version: r.version,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_names_are_the_wire_names() {
        crate::api::wire_names_agree(EpisodeKind::ALL, EpisodeKind::as_str);
        crate::api::wire_names_agree(Direction::ALL, Direction::as_str);
    }
}
