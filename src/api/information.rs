use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use super::consent::{DataCategory, LawfulBasis};
use super::evidence::EvidenceCreate;
use crate::db::information::RequestRow;
pub use crate::domain::information::{RequestOutcome, RequestStatus};

/// A request for information about a family or one of its members, sent to a partner
/// organisation (the police single point of contact, health, a school).
#[derive(Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"member_id": "019a2b3c-0000-7000-8000-000000000003",
    "organisation": "south-yorkshire-police",
    "asked": "Offences, anti-social behaviour interventions and call-outs at the address since September 2012.",
    "purpose": "Deciding whether the family meets the crime and anti-social behaviour criterion before the TAF meeting.",
    "lawful_basis": "crime_and_disorder_act_s115", "categories": ["crime_asb"], "due_on": "2013-03-15"}))]
pub struct InformationRequestCreate {
    /// The member it is about; absent when about the household as a whole.
    pub member_id: Option<Uuid>,
    /// The organisation asked (its code): a police, health, education or government
    /// organisation (`GET /api/v1/organisations`).
    #[validate(length(min = 2, max = 40))]
    #[schema(min_length = 2, max_length = 40, pattern = "^[a-z0-9-]{2,40}$")]
    pub organisation: String,
    /// What is asked.
    #[validate(length(min = 1, max = 5000))]
    #[schema(min_length = 1, max_length = 5000)]
    pub asked: String,
    /// Why: the work the answer serves.
    #[validate(length(min = 1, max = 2000))]
    #[schema(min_length = 1, max_length = 2000)]
    pub purpose: String,
    /// The law the exchange rests on.
    pub lawful_basis: LawfulBasis,
    /// The categories of data asked for.
    #[validate(length(min = 1, max = 12))]
    #[schema(min_items = 1, max_items = 12)]
    pub categories: Vec<DataCategory>,
    /// By when: today or later, at most 90 days ahead.
    pub due_on: NaiveDate,
}

/// Who a request is about, as the organisation asked sees it: what it needs to search its own
/// records, shared under the request's lawful basis and recorded in the sharing log.
#[derive(Serialize, ToSchema)]
pub struct RequestSubject {
    pub family_reference: String,
    pub address_line1: String,
    pub town: String,
    pub postcode: String,
    /// The member named, or every current member when the request is about the household.
    pub people: Vec<RequestPerson>,
}

#[derive(Serialize, ToSchema)]
pub struct RequestPerson {
    pub member_id: Uuid,
    pub given_name: String,
    pub family_name: String,
    pub date_of_birth: NaiveDate,
}

/// An information request and, once given, its answer.
#[derive(Serialize, ToSchema)]
pub struct InformationRequest {
    pub id: Uuid,
    pub family_id: Uuid,
    pub member_id: Option<Uuid>,
    pub organisation: String,
    pub asked: String,
    pub purpose: String,
    pub lawful_basis: LawfulBasis,
    pub categories: Vec<DataCategory>,
    pub due_on: NaiveDate,
    pub status: RequestStatus,
    /// Open and past its due date (Europe/London).
    pub overdue: bool,
    /// Token subject of whoever sent it.
    pub requested_by: String,
    pub requested_on: NaiveDate,
    pub subject: RequestSubject,
    /// `found` or `nothing_held`, once answered.
    pub outcome: Option<RequestOutcome>,
    /// The answer's summary, or the reason it was declined.
    pub response: Option<String>,
    /// Token subject of whoever answered or declined it.
    pub responded_by: Option<String>,
    pub responded_at: Option<DateTime<Utc>>,
    /// The evidence records the answer gave, each with the organisation as its source and this
    /// request as `information_request_id`.
    pub evidence_ids: Vec<Uuid>,
    pub created_at: DateTime<Utc>,
    pub version: i32,
}

impl InformationRequest {
    pub fn from_row(
        r: RequestRow,
        subject: RequestSubject,
        evidence_ids: Vec<Uuid>,
        today: NaiveDate,
    ) -> Self {
        InformationRequest {
            overdue: crate::domain::information::overdue(r.status, r.due_on, today),
            id: r.id,
            family_id: r.family_id,
            member_id: r.member_id,
            organisation: r.organisation,
            asked: r.asked,
            purpose: r.purpose,
            lawful_basis: LawfulBasis::from_db(&r.lawful_basis),
            categories: r
                .categories
                .iter()
                .map(|c| DataCategory::from_db(c))
                .collect(),
            due_on: r.due_on,
            status: r.status,
            requested_by: r.requested_by,
            requested_on: r.requested_on,
            subject,
            outcome: r.outcome,
            response: r.response,
            responded_by: r.responded_by,
            responded_at: r.responded_at,
            evidence_ids,
            created_at: r.created_at,
            version: r.version,
        }
    }
}

/// The organisation's answer: what it found, each record becoming evidence on the family, or
/// that it holds nothing.
#[derive(Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"outcome": "found",
    "summary": "One proven offence (theft, September 2012); one ASB warning letter (November 2012).",
    "records": [{"member_id": "019a2b3c-0000-7000-8000-000000000004", "kind": "proven_offence",
        "source": "police", "occurred_on": "2012-09-03"}]}))]
pub struct InformationAnswer {
    pub outcome: RequestOutcome,
    /// What was found (or searched), in the organisation's words.
    #[validate(length(min = 1, max = 5000))]
    #[schema(min_length = 1, max_length = 5000)]
    pub summary: String,
    /// With `found`, at least one; with `nothing_held`, none. Each is an evidence record as
    /// `POST /families/{family_id}/evidence` takes it, about a member of the family (the member
    /// asked about when `member_id` is left out), from the organisation's own source (`police`
    /// for a police organisation, `health`, `school`, `dwp`); never a correction.
    #[serde(default)]
    #[validate(length(max = 50), nested)]
    #[schema(max_items = 50)]
    pub records: Vec<EvidenceCreate>,
}

/// A request the organisation will not answer, and why.
#[derive(Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "The lawful basis given does not cover call-out logs; ask under s47 if a child protection enquiry is open."}))]
pub struct InformationDecline {
    #[validate(length(min = 1, max = 5000))]
    #[schema(min_length = 1, max_length = 5000)]
    pub reason: String,
}

/// The filters of `GET /information-requests`. Each narrows; every one is backed by an index.
#[derive(IntoParams)]
#[allow(dead_code)]
#[into_params(parameter_in = Query)]
pub struct RequestListQuery {
    /// Only requests in this status.
    #[param(inline)]
    pub status: Option<RequestStatus>,
    /// `true`: only open requests past their due date.
    pub overdue: Option<bool>,
    /// Only requests to this organisation (for those who see every request; a contact asking for
    /// another organisation's gets an empty page).
    #[param(pattern = "^[a-z0-9-]{2,40}$")]
    pub organisation: Option<String>,
}
