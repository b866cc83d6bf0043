use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use crate::domain::eligibility::Verdict;

/// Attach a family to the programme under a ruleset on a date.
#[derive(Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"ruleset": "phase1-2012", "attached_on": "2013-03-01"}))]
pub struct AttachmentCreate {
    #[schema(
        pattern = "^[a-z0-9-]{3,40}$",
        max_length = 40,
        example = "phase1-2012"
    )]
    pub ruleset: String,
    /// Fixes the financial year, and so the attachment fee and the results payments that apply.
    pub attached_on: NaiveDate,
    /// Managers only: why a family the rules find ineligible is attached anyway.
    #[validate(length(min = 10, max = 4000))]
    #[schema(min_length = 10, max_length = 4000)]
    pub override_justification: Option<String>,
}

/// A family's attachment: the revision that judges its claims, and the money it fixes.
#[derive(Serialize, ToSchema)]
pub struct Attachment {
    pub id: Uuid,
    pub family_id: Uuid,
    #[schema(example = "phase1-2012")]
    pub ruleset: String,
    pub revision_id: Uuid,
    pub attached_on: NaiveDate,
    #[schema(example = "2012/13")]
    pub financial_year: String,
    /// The attachment fee for this family before the cohort's deadweight deduction, in pence.
    #[schema(example = 320000)]
    pub attachment_fee_pence: i64,
    /// Whether the rules found the family eligible on the attachment date.
    pub eligible: bool,
    /// The verdict on the attachment date, kept as it was.
    #[schema(value_type = Verdict)]
    pub eligibility: serde_json::Value,
    pub override_justification: Option<String>,
    pub attached_by: String,
    pub created_at: DateTime<Utc>,
}

impl Attachment {
    pub fn from_row(r: crate::db::attachments::AttachmentRow) -> Self {
        Attachment {
            id: r.id,
            family_id: r.family_id,
            ruleset: r.ruleset_code,
            revision_id: r.revision_id,
            attached_on: r.attached_on,
            financial_year: crate::domain::payments::financial_year_label(r.financial_year as i32),
            attachment_fee_pence: r.attachment_fee_pence,
            eligible: r.eligible,
            eligibility: r.eligibility,
            override_justification: r.override_justification,
            attached_by: r.attached_by,
            created_at: r.created_at,
        }
    }
}
