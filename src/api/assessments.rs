use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use super::text_enum;
use crate::db::assessments::{AssessmentRow, FindingRow};
pub use crate::domain::casework::AssessmentStatus;

text_enum!(
    /// The FCAF's domains (docs/rules.md, "How families are worked with").
    Domain {
        Education => "education",
        CrimeAsb => "crime_asb",
        Employment => "employment",
        PhysicalHealth => "physical_health",
        MentalHealth => "mental_health",
        SubstanceMisuse => "substance_misuse",
        DomesticAbuse => "domestic_abuse",
        Housing => "housing",
        FamilyRelationships => "family_relationships",
        Money => "money",
    }
);

text_enum!(
    /// Why an FCAF closed.
    ClosureReason {
        NeedsMet => "needs_met",
        SteppedUp => "stepped_up",
        Disengaged => "disengaged",
        MovedAway => "moved_away",
        Other => "other",
    }
);

/// Strengths and needs in one domain, for the family (no `member_id`) or one member.
#[derive(Deserialize, Serialize, Validate, ToSchema, Clone)]
#[serde(deny_unknown_fields)]
pub struct Finding {
    pub member_id: Option<Uuid>,
    pub domain: Domain,
    #[validate(length(min = 1, max = 5000))]
    #[schema(min_length = 1, max_length = 5000)]
    pub strengths: Option<String>,
    #[validate(length(min = 1, max = 5000))]
    #[schema(min_length = 1, max_length = 5000)]
    pub needs: Option<String>,
}

impl From<FindingRow> for Finding {
    fn from(r: FindingRow) -> Self {
        Finding {
            member_id: r.member_id,
            domain: Domain::from_db(&r.domain),
            strengths: r.strengths,
            needs: r.needs,
        }
    }
}

/// The content of an assessment: who leads it, with whom it was done, what was found and what
/// the family and the practitioners want first.
#[derive(Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"lead_worker_id": "019a2b3c-0000-7000-8000-000000000030",
    "completed_with": ["Youth Offending Team case manager"],
    "family_priorities": "Child K completes his YOT order; a smooth move from school to college; help Adult H into work; sort out the housing question.",
    "practitioner_priorities": "Reduce anti-social behaviour, improve attendance and attainment, help the family into employment.",
    "findings": [{"domain": "housing", "needs": "May be liable for the under-occupancy charge; thinking of moving."}]}))]
pub struct AssessmentContent {
    /// The member of staff who leads it (a lead worker, key worker, coordinator or provider's
    /// lead worker). They join the Team Around the Family.
    pub lead_worker_id: Uuid,
    /// Practitioners it was completed with.
    #[serde(default)]
    #[validate(length(max = 20))]
    #[schema(max_items = 20)]
    pub completed_with: Vec<String>,
    /// The family's own priorities, in their words.
    #[validate(length(min = 1, max = 5000))]
    #[schema(min_length = 1, max_length = 5000)]
    pub family_priorities: Option<String>,
    #[validate(length(min = 1, max = 5000))]
    #[schema(min_length = 1, max_length = 5000)]
    pub practitioner_priorities: Option<String>,
    /// At most one per domain for the family and per domain for each member.
    #[serde(default)]
    #[validate(length(max = 200), nested)]
    #[schema(max_items = 200)]
    pub findings: Vec<Finding>,
}

/// Start an FCAF (as a draft), with the family's consent in force on `started_on`.
#[derive(Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"started_on": "2013-02-11", "lead_worker_id": "019a2b3c-0000-7000-8000-000000000030",
    "completed_with": ["Youth Offending Team case manager"]}))]
pub struct AssessmentCreate {
    /// Not in the future.
    #[validate(custom(function = "crate::api::casework_date"))]
    pub started_on: NaiveDate,
    /// As in `AssessmentContent`.
    pub lead_worker_id: Uuid,
    #[serde(default)]
    #[validate(length(max = 20))]
    #[schema(max_items = 20)]
    pub completed_with: Vec<String>,
    #[validate(length(min = 1, max = 5000))]
    #[schema(min_length = 1, max_length = 5000)]
    pub family_priorities: Option<String>,
    #[validate(length(min = 1, max = 5000))]
    #[schema(min_length = 1, max_length = 5000)]
    pub practitioner_priorities: Option<String>,
    #[serde(default)]
    #[validate(length(max = 200), nested)]
    #[schema(max_items = 200)]
    pub findings: Vec<Finding>,
}

impl AssessmentCreate {
    pub fn content(self) -> (NaiveDate, AssessmentContent) {
        (
            self.started_on,
            AssessmentContent {
                lead_worker_id: self.lead_worker_id,
                completed_with: self.completed_with,
                family_priorities: self.family_priorities,
                practitioner_priorities: self.practitioner_priorities,
                findings: self.findings,
            },
        )
    }
}

/// Agree the assessment: its plan is in force and reviews fall due.
#[derive(Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"activated_on": "2013-02-25", "agreed_by": "Adult H, Adult J and the lead worker"}))]
pub struct AssessmentActivate {
    /// Default today; not before the start, not in the future.
    #[validate(custom(function = "crate::api::casework_date"))]
    pub activated_on: Option<NaiveDate>,
    /// Who agreed it (the family and the lead worker, a panel...).
    #[validate(length(min = 1, max = 200))]
    #[schema(min_length = 1, max_length = 200)]
    pub agreed_by: String,
    /// A social care plan this FCAF steps down from: it ends the day before the FCAF started.
    pub follows_episode_id: Option<Uuid>,
}

/// Close the assessment with its reason.
#[derive(Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"closed_on": "2013-10-14", "reason": "needs_met", "note": "Child K settled at college."}))]
pub struct AssessmentClose {
    /// Default today; not before the start, not in the future.
    #[validate(custom(function = "crate::api::casework_date"))]
    pub closed_on: Option<NaiveDate>,
    pub reason: ClosureReason,
    /// Required when the reason is `other`.
    #[validate(length(min = 1, max = 5000))]
    #[schema(min_length = 1, max_length = 5000)]
    pub note: Option<String>,
    /// Who agreed to close (default: the caller).
    #[validate(length(min = 1, max = 200))]
    #[schema(min_length = 1, max_length = 200)]
    pub agreed_by: Option<String>,
}

/// A Family Common Assessment (FCAF).
#[derive(Serialize, ToSchema)]
pub struct Assessment {
    pub id: Uuid,
    pub family_id: Uuid,
    pub status: AssessmentStatus,
    pub lead_worker_id: Uuid,
    pub started_on: NaiveDate,
    /// The consent in force when it started.
    pub consent_id: Uuid,
    pub completed_with: Vec<String>,
    pub family_priorities: Option<String>,
    pub practitioner_priorities: Option<String>,
    pub findings: Vec<Finding>,
    pub activated_on: Option<NaiveDate>,
    pub activated_by: Option<String>,
    /// When the Team Around the Family must next review it (while active).
    pub review_due_on: Option<NaiveDate>,
    pub closed_on: Option<NaiveDate>,
    pub closure_reason: Option<ClosureReason>,
    pub closure_note: Option<String>,
    pub closed_by: Option<String>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub version: i32,
}

impl Assessment {
    pub fn from_rows(r: AssessmentRow, findings: Vec<FindingRow>) -> Self {
        Assessment {
            id: r.id,
            family_id: r.family_id,
            status: r.status,
            lead_worker_id: r.lead_worker_id,
            started_on: r.started_on,
            consent_id: r.consent_id,
            completed_with: r.completed_with,
            family_priorities: r.family_priorities,
            practitioner_priorities: r.practitioner_priorities,
            findings: findings.into_iter().map(Finding::from).collect(),
            activated_on: r.activated_on,
            activated_by: r.activated_by,
            review_due_on: r.review_due_on,
            closed_on: r.closed_on,
            closure_reason: r.closure_reason.as_deref().map(ClosureReason::from_db),
            closure_note: r.closure_note,
            closed_by: r.closed_by,
            created_by: r.created_by,
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
        crate::api::wire_names_agree(Domain::ALL, Domain::as_str);
        crate::api::wire_names_agree(AssessmentStatus::ALL, AssessmentStatus::as_str);
        crate::api::wire_names_agree(ClosureReason::ALL, ClosureReason::as_str);
    }
}
