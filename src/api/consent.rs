use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use super::text_enum;
use crate::db::consent::{ConsentRow, OrganisationRow, SharingRow};
pub use crate::domain::information::SharingDirection;

text_enum!(
    /// What kind of body an organisation is.
    OrganisationKind {
        Council => "council",
        Police => "police",
        Health => "health",
        Education => "education",
        Voluntary => "voluntary",
        Government => "government",
        Private => "private",
    }
);

text_enum!(
    /// Whether consent was given or refused. A given consent may later be withdrawn.
    ConsentDecision {
        Given => "given",
        Refused => "refused",
    }
);

text_enum!(
    /// A consent as it stands: `withdrawn` once a withdrawal is recorded.
    ConsentStatus {
        Given => "given",
        Refused => "refused",
        Withdrawn => "withdrawn",
    }
);

text_enum!(
    /// What data may be used for.
    SharingPurpose {
        Assessment => "assessment",
        TeamAroundFamily => "team_around_family",
        Referral => "referral",
        ServiceDelivery => "service_delivery",
        Evaluation => "evaluation",
    }
);

text_enum!(
    /// Categories of personal data, matching the FCAF's domains plus identity and social care.
    DataCategory {
        IdentityContact => "identity_contact",
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
        SocialCare => "social_care",
    }
);

text_enum!(
    /// The law a disclosure without consent rests on: Crime and Disorder Act 1998 s115; Children
    /// Act 1989 s47 (child protection enquiries); Children Act 2004 s10 (co-operation) and s11
    /// (safeguarding duty); Welfare Reform Act 2012 s131 (DWP data for the programme); or a
    /// UK GDPR Article 6 basis.
    LawfulBasis {
        CrimeAndDisorderActS115 => "crime_and_disorder_act_s115",
        ChildrenActS47 => "children_act_s47",
        ChildrenActS10 => "children_act_s10",
        ChildrenActS11 => "children_act_s11",
        WelfareReformActS131 => "welfare_reform_act_s131",
        LegalObligation => "legal_obligation",
        VitalInterests => "vital_interests",
        PublicTask => "public_task",
    }
);

/// An organisation data may be shared with.
#[derive(Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"code": "rotherham-mind", "name": "Rotherham and Barnsley MIND", "kind": "voluntary"}))]
pub struct Organisation {
    /// Lower-case letters, digits and hyphens.
    #[schema(pattern = "^[a-z0-9-]{2,40}$", min_length = 2, max_length = 40)]
    pub code: String,
    #[validate(length(min = 1, max = 200))]
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    pub kind: OrganisationKind,
}

/// An organisation code: 2 to 40 lower-case letters, digits or hyphens.
pub fn is_code(s: &str) -> bool {
    (2..=40).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

impl From<OrganisationRow> for Organisation {
    fn from(r: OrganisationRow) -> Self {
        Organisation {
            code: r.code,
            name: r.name,
            kind: OrganisationKind::from_db(&r.kind),
        }
    }
}

/// Record a consent decision about a member or the whole family.
#[derive(Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"decision": "given", "organisations": ["rmbc", "rotherham-yos", "dwp", "wiseability"],
    "purposes": ["assessment", "team_around_family", "referral"], "excluded_categories": ["mental_health"],
    "valid_from": "2013-02-04", "valid_until": "2014-02-03", "notes": "Signed by Adult H and Adult J at the first visit."}))]
pub struct ConsentCreate {
    /// The member whose data it is; absent for the whole family.
    pub member_id: Option<Uuid>,
    pub decision: ConsentDecision,
    /// Organisation codes (see `GET /organisations`).
    #[validate(length(min = 1, max = 50))]
    #[schema(min_items = 1, max_items = 50)]
    pub organisations: Vec<String>,
    #[validate(length(min = 1, max = 5))]
    #[schema(min_items = 1, max_items = 5)]
    pub purposes: Vec<SharingPurpose>,
    /// The categories covered; absent for all of them.
    #[validate(length(min = 1, max = 12))]
    #[schema(min_items = 1, max_items = 12)]
    pub categories: Option<Vec<DataCategory>>,
    /// Categories held back (partial consent). Only for a consent given.
    #[serde(default)]
    #[validate(length(max = 12))]
    #[schema(max_items = 12)]
    pub excluded_categories: Vec<DataCategory>,
    #[validate(custom(function = "crate::api::casework_date"))]
    pub valid_from: NaiveDate,
    /// Inclusive; absent for open-ended.
    #[validate(custom(function = "crate::api::casework_date"))]
    pub valid_until: Option<NaiveDate>,
    #[validate(length(min = 1, max = 2000))]
    #[schema(min_length = 1, max_length = 2000)]
    pub notes: Option<String>,
}

/// Withdraw a consent from a day on.
#[derive(Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"withdrawn_on": "2013-09-01", "reason": "Adult J asked that the DWP no longer be told."}))]
pub struct ConsentWithdraw {
    /// Not in force from this day on; not in the future.
    #[validate(custom(function = "crate::api::casework_date"))]
    pub withdrawn_on: NaiveDate,
    #[validate(length(min = 1, max = 2000))]
    #[schema(min_length = 1, max_length = 2000)]
    pub reason: String,
}

/// A consent decision as recorded.
#[derive(Serialize, ToSchema)]
pub struct Consent {
    pub id: Uuid,
    pub family_id: Uuid,
    pub member_id: Option<Uuid>,
    pub decision: ConsentDecision,
    pub status: ConsentStatus,
    pub organisations: Vec<String>,
    pub purposes: Vec<SharingPurpose>,
    /// Absent: all categories.
    pub categories: Option<Vec<DataCategory>>,
    pub excluded_categories: Vec<DataCategory>,
    pub valid_from: NaiveDate,
    pub valid_until: Option<NaiveDate>,
    pub notes: Option<String>,
    /// Token subject of whoever recorded it.
    pub recorded_by: String,
    pub withdrawn_on: Option<NaiveDate>,
    pub withdrawn_reason: Option<String>,
    pub withdrawn_by: Option<String>,
    pub created_at: DateTime<Utc>,
    pub version: i32,
}

fn enums<T>(v: &[String], parse: fn(&str) -> T) -> Vec<T> {
    v.iter().map(|s| parse(s)).collect()
}

impl From<ConsentRow> for Consent {
    fn from(r: ConsentRow) -> Self {
        let decision = ConsentDecision::from_db(&r.decision);
        Consent {
            id: r.id,
            family_id: r.family_id,
            member_id: r.member_id,
            decision,
            status: match (decision, r.withdrawn_on) {
                (_, Some(_)) => ConsentStatus::Withdrawn,
                (ConsentDecision::Given, None) => ConsentStatus::Given,
                (ConsentDecision::Refused, None) => ConsentStatus::Refused,
            },
            organisations: r.organisations,
            purposes: enums(&r.purposes, SharingPurpose::from_db),
            categories: r.categories.map(|c| enums(&c, DataCategory::from_db)),
            excluded_categories: enums(&r.excluded_categories, DataCategory::from_db),
            valid_from: r.valid_from,
            valid_until: r.valid_until,
            notes: r.notes,
            recorded_by: r.recorded_by,
            withdrawn_on: r.withdrawn_on,
            withdrawn_reason: r.withdrawn_reason,
            withdrawn_by: r.withdrawn_by,
            created_at: r.created_at,
            version: r.version,
        }
    }
}

/// The answer to "may this data go there, for this, on that day?".
#[derive(Serialize, ToSchema)]
pub struct ConsentCheck {
    pub allowed: bool,
    /// The consent that decides it, when one does.
    pub consent_id: Option<Uuid>,
    pub reason: String,
    pub member_id: Option<Uuid>,
    pub organisation: String,
    pub purpose: SharingPurpose,
    pub category: DataCategory,
    pub on: NaiveDate,
}

/// Record information shared without consent, and on what basis.
#[derive(Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"shared_with": "south-yorkshire-police", "lawful_basis": "crime_and_disorder_act_s115",
    "categories": ["crime_asb"], "what_was_shared": "Child K's attendance at the pupil referral unit this term.",
    "reason": "Police single point of contact reviewing anti-social behaviour on the estate.", "shared_on": "2013-03-12"}))]
pub struct SharingCreate {
    /// The member concerned; absent when about the family as a whole.
    pub member_id: Option<Uuid>,
    /// Organisation code.
    #[validate(length(min = 2, max = 40))]
    #[schema(min_length = 2, max_length = 40)]
    pub shared_with: String,
    pub lawful_basis: LawfulBasis,
    #[validate(length(min = 1, max = 12))]
    #[schema(min_items = 1, max_items = 12)]
    pub categories: Vec<DataCategory>,
    #[validate(length(min = 1, max = 5000))]
    #[schema(min_length = 1, max_length = 5000)]
    pub what_was_shared: String,
    #[validate(length(min = 1, max = 5000))]
    #[schema(min_length = 1, max_length = 5000)]
    pub reason: String,
    /// Not in the future.
    #[validate(custom(function = "crate::api::casework_date"))]
    pub shared_on: NaiveDate,
}

/// A record of information shared without consent.
#[derive(Serialize, ToSchema)]
pub struct Sharing {
    pub id: Uuid,
    pub family_id: Uuid,
    pub member_id: Option<Uuid>,
    pub shared_with: String,
    pub lawful_basis: LawfulBasis,
    pub categories: Vec<DataCategory>,
    pub what_was_shared: String,
    pub reason: String,
    pub shared_on: NaiveDate,
    /// Token subject of whoever shared it, or recorded what was received.
    pub shared_by: String,
    /// `sent` by the council to `shared_with`, or `received` from it (an answer to an
    /// information request).
    pub direction: SharingDirection,
    /// The information request this entry is a step of.
    pub information_request_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

impl From<SharingRow> for Sharing {
    fn from(r: SharingRow) -> Self {
        Sharing {
            id: r.id,
            family_id: r.family_id,
            member_id: r.member_id,
            shared_with: r.shared_with,
            lawful_basis: LawfulBasis::from_db(&r.lawful_basis),
            categories: enums(&r.categories, DataCategory::from_db),
            what_was_shared: r.what_was_shared,
            reason: r.reason,
            shared_on: r.shared_on,
            shared_by: r.shared_by,
            direction: r.direction,
            information_request_id: r.information_request_id,
            created_at: r.created_at,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_names_are_the_wire_names() {
        crate::api::wire_names_agree(OrganisationKind::ALL, OrganisationKind::as_str);
        crate::api::wire_names_agree(ConsentStatus::ALL, ConsentStatus::as_str);
        crate::api::wire_names_agree(SharingPurpose::ALL, SharingPurpose::as_str);
        crate::api::wire_names_agree(DataCategory::ALL, DataCategory::as_str);
        crate::api::wire_names_agree(LawfulBasis::ALL, LawfulBasis::as_str);
    }
}
