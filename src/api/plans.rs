use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use super::assessments::Domain;
use crate::db::plans::{ActionRow, MeetingRow, ProgressRow};
pub use crate::domain::casework::{ActionStatus, MeetingStatus};

/// A Team Around the Family meeting, planned or held.
#[derive(Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"meeting_on": "2013-03-04", "status": "held", "family_attended": true,
    "attendee_staff_ids": ["019a2b3c-0000-7000-8000-000000000030"],
    "attendee_agencies": ["Connexions", "Wiseability"],
    "decisions": "Refer Adult H to Wiseability; the YOS housing worker to advise on the under-occupancy charge.",
    "next_review_on": "2013-04-15"}))]
pub struct MeetingInput {
    /// A held meeting's date is not in the future.
    #[validate(custom(function = "crate::api::casework_date"))]
    pub meeting_on: NaiveDate,
    pub status: MeetingStatus,
    /// Required once held.
    pub family_attended: Option<bool>,
    #[serde(default)]
    #[validate(length(max = 50))]
    #[schema(max_items = 50)]
    pub attendee_staff_ids: Vec<Uuid>,
    /// Agencies present by name.
    #[serde(default)]
    #[validate(length(max = 50))]
    #[schema(max_items = 50)]
    pub attendee_agencies: Vec<String>,
    #[validate(length(min = 1, max = 10000))]
    #[schema(min_length = 1, max_length = 10000)]
    pub decisions: Option<String>,
    #[validate(length(min = 1, max = 10000))]
    #[schema(min_length = 1, max_length = 10000)]
    pub notes: Option<String>,
    /// For a held meeting: when the team next reviews the plan, within the configured interval
    /// (6-12 weeks by default); default the longest.
    #[validate(custom(function = "crate::api::casework_date"))]
    pub next_review_on: Option<NaiveDate>,
}

/// A Team Around the Family meeting.
#[derive(Serialize, ToSchema)]
pub struct Meeting {
    pub id: Uuid,
    pub family_id: Uuid,
    pub assessment_id: Uuid,
    pub meeting_on: NaiveDate,
    pub status: MeetingStatus,
    pub family_attended: Option<bool>,
    pub attendee_staff_ids: Vec<Uuid>,
    pub attendee_agencies: Vec<String>,
    pub decisions: Option<String>,
    pub notes: Option<String>,
    pub next_review_on: Option<NaiveDate>,
    pub recorded_by: String,
    pub created_at: DateTime<Utc>,
    pub version: i32,
}

impl From<MeetingRow> for Meeting {
    fn from(r: MeetingRow) -> Self {
        Meeting {
            id: r.id,
            family_id: r.family_id,
            assessment_id: r.assessment_id,
            meeting_on: r.meeting_on,
            status: r.status,
            family_attended: r.family_attended,
            attendee_staff_ids: r.attendee_staff_ids,
            attendee_agencies: r.attendee_agencies,
            decisions: r.decisions,
            notes: r.notes,
            next_review_on: r.next_review_on,
            recorded_by: r.recorded_by,
            created_at: r.created_at,
            version: r.version,
        }
    }
}

/// An action of the family's plan: what, who owns it (a member of staff or an organisation),
/// by when, and the need it addresses.
#[derive(Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"description": "Refer the family to the YOS housing worker about the under-occupancy charge.",
    "owner_organisation": "rotherham-yos", "need": "housing", "due_on": "2013-04-30"}))]
pub struct ActionInput {
    #[validate(length(min = 1, max = 2000))]
    #[schema(min_length = 1, max_length = 2000)]
    pub description: String,
    /// The member of staff who owns it; or else `owner_organisation`.
    pub owner_staff_id: Option<Uuid>,
    /// The organisation (code) that owns it; or else `owner_staff_id`.
    #[validate(length(min = 2, max = 40))]
    #[schema(min_length = 2, max_length = 40)]
    pub owner_organisation: Option<String>,
    /// The member whose need it addresses; absent for the family's.
    pub member_id: Option<Uuid>,
    pub need: Domain,
    /// Not before the FCAF started.
    #[validate(custom(function = "crate::api::casework_date"))]
    pub due_on: NaiveDate,
}

/// Close an action: done with its outcome, or dropped with the reason.
#[derive(Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"closed_on": "2013-05-20", "outcome": "Decided to stay: the family will not be subject to the under-occupancy charge."}))]
pub struct ActionClose {
    /// Default today; not in the future.
    #[validate(custom(function = "crate::api::casework_date"))]
    pub closed_on: Option<NaiveDate>,
    #[validate(length(min = 1, max = 2000))]
    #[schema(min_length = 1, max_length = 2000)]
    pub outcome: String,
}

/// A progress note on an action.
#[derive(Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"note": "Missed the first two Wiseability appointments; the key worker keeps trying."}))]
pub struct ProgressCreate {
    #[validate(length(min = 1, max = 5000))]
    #[schema(min_length = 1, max_length = 5000)]
    pub note: String,
}

#[derive(Serialize, ToSchema)]
pub struct Progress {
    pub id: Uuid,
    pub note: String,
    pub author: String,
    pub created_at: DateTime<Utc>,
}

impl From<ProgressRow> for Progress {
    fn from(r: ProgressRow) -> Self {
        Progress {
            id: r.id,
            note: r.note,
            author: r.author,
            created_at: r.created_at,
        }
    }
}

/// An action of the plan, with its progress notes.
#[derive(Serialize, ToSchema)]
pub struct PlanAction {
    pub id: Uuid,
    pub family_id: Uuid,
    pub assessment_id: Uuid,
    pub description: String,
    pub owner_staff_id: Option<Uuid>,
    pub owner_organisation: Option<String>,
    pub member_id: Option<Uuid>,
    pub need: Domain,
    pub due_on: NaiveDate,
    pub status: ActionStatus,
    pub closed_on: Option<NaiveDate>,
    /// What came of it (done), or why it was dropped.
    pub outcome: Option<String>,
    pub closed_by: Option<String>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub version: i32,
    /// Oldest first.
    pub progress: Vec<Progress>,
}

impl PlanAction {
    pub fn from_rows(r: ActionRow, progress: Vec<ProgressRow>) -> Self {
        PlanAction {
            id: r.id,
            family_id: r.family_id,
            assessment_id: r.assessment_id,
            description: r.description,
            owner_staff_id: r.owner_staff_id,
            owner_organisation: r.owner_organisation,
            member_id: r.member_id,
            need: Domain::from_db(&r.need),
            due_on: r.due_on,
            status: r.status,
            closed_on: r.closed_on,
            outcome: r.outcome,
            closed_by: r.closed_by,
            created_by: r.created_by,
            created_at: r.created_at,
            version: r.version,
            progress: progress.into_iter().map(Progress::from).collect(),
        }
    }
}

/// A family whose Team Around the Family review is overdue.
#[derive(Serialize, ToSchema)]
pub struct OverdueReview {
    pub family_id: Uuid,
    pub family_reference: String,
    pub assessment_id: Uuid,
    pub lead_worker_id: Uuid,
    pub review_due_on: NaiveDate,
    pub days_overdue: i64,
}

/// An open action past its due date.
#[derive(Serialize, ToSchema)]
pub struct OverdueAction {
    pub family_reference: String,
    pub days_overdue: i64,
    pub action: PlanAction,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_names_are_the_wire_names() {
        crate::api::wire_names_agree(MeetingStatus::ALL, MeetingStatus::as_str);
        crate::api::wire_names_agree(ActionStatus::ALL, ActionStatus::as_str);
    }
}
