//! Information requests (docs/architecture.md, "Information requests"): a worker asks a partner
//! organisation about a family or member; the organisation's contact answers with what it holds,
//! which becomes evidence, or declines. Each step is audited and entered in the sharing log.

use std::collections::HashMap;

use diesel_async::AsyncConnection;
use uuid::Uuid;

use super::{audit, idem_begin, idem_finish, Idem};
use crate::api::consent::{DataCategory, OrganisationKind};
use crate::api::evidence::EvidenceSource;
use crate::api::information::*;
use crate::api::{decode_cursor, end_page, parse_limit, Page};
use crate::auth::Role;
use crate::context::{Allowed, Ctx, Policy};
use crate::db::consent::SharingRow;
use crate::db::information::{self as q, RequestFilter, RequestRow};
use crate::db::{consent as cq, evidence as eq, families as fq, Conn, Pool};
use crate::domain::information::{check_due_on, SharingDirection};
use crate::error::{ApiError, ApiResult, FieldError};
use crate::http::extract::bad_param;
use crate::http::reply::Reply;

/// Those who work with the family send requests.
pub const SEND: &[Role] = &[
    Role::Coordinator,
    Role::Manager,
    Role::LeadWorker,
    Role::KeyWorker,
];
/// Who sees requests: those who see every family (all requests), workers (those they sent, and
/// those about families they work with), and a partner organisation's contact (those addressed
/// to their organisation, and nothing else about any family).
pub const SEE: &[Role] = &[
    Role::Coordinator,
    Role::Manager,
    Role::Admin,
    Role::Auditor,
    Role::LeadWorker,
    Role::KeyWorker,
    Role::PoliceContact,
];
/// Who answers or declines: the organisation's contact, or a coordinator recording an answer
/// that came by another channel (a health or school reply by secure email).
pub const ANSWER: &[Role] = &[Role::PoliceContact, Role::Coordinator];

pub struct Send;
impl Policy for Send {
    const ROLES: &'static [Role] = SEND;
}
pub struct See;
impl Policy for See {
    const ROLES: &'static [Role] = SEE;
}
pub struct Answer;
impl Policy for Answer {
    const ROLES: &'static [Role] = ANSWER;
}

/// The evidence source an organisation's answers carry; requests go only to organisations that
/// have one (their records are the programme's evidence: docs/rules.md, "Evidence").
pub fn answers_as(kind: OrganisationKind) -> Option<EvidenceSource> {
    match kind {
        OrganisationKind::Police => Some(EvidenceSource::Police),
        OrganisationKind::Health => Some(EvidenceSource::Health),
        OrganisationKind::Education => Some(EvidenceSource::School),
        OrganisationKind::Government => Some(EvidenceSource::Dwp),
        OrganisationKind::Council | OrganisationKind::Voluntary | OrganisationKind::Private => None,
    }
}

pub fn location(id: Uuid) -> String {
    format!("/api/v1/information-requests/{id}")
}

/// Which requests the caller sees.
enum Scope {
    All,
    /// A worker: those they sent and those about families they work with.
    Worker(String),
    /// A partner's contact: those addressed to their organisation (none without a staff record).
    Organisation(Option<String>),
}

async fn scope(conn: &mut Conn, ctx: &Ctx) -> ApiResult<Scope> {
    let roles = &ctx.principal.roles;
    if !super::families::scoped(ctx) {
        return Ok(Scope::All);
    }
    if roles.contains(&Role::LeadWorker) || roles.contains(&Role::KeyWorker) {
        return Ok(Scope::Worker(ctx.principal.subject.clone()));
    }
    Ok(Scope::Organisation(
        q::contact_organisation(conn, &ctx.principal.subject).await?,
    ))
}

async fn visible(conn: &mut Conn, scope: &Scope, row: &RequestRow) -> ApiResult<bool> {
    Ok(match scope {
        Scope::All => true,
        Scope::Worker(s) => {
            &row.requested_by == s || fq::worker_sees(conn, row.family_id, s).await?
        }
        Scope::Organisation(o) => o.as_deref() == Some(row.organisation.as_str()),
    })
}

/// A request the caller may see, else 404 (its existence is not disclosed).
async fn visible_request(
    conn: &mut Conn,
    ctx: &Ctx,
    id: Uuid,
    for_update: bool,
) -> ApiResult<RequestRow> {
    let scope = scope(conn, ctx).await?;
    match q::find(conn, id, for_update).await? {
        Some(row) if visible(conn, &scope, &row).await? => Ok(row),
        _ => Err(ApiError::not_found("information request")),
    }
}

/// Each request as shown: who it is about and the evidence its answer gave, read in three
/// queries for the whole page.
async fn shown(conn: &mut Conn, rows: Vec<RequestRow>) -> ApiResult<Vec<InformationRequest>> {
    let mut family_ids: Vec<Uuid> = rows.iter().map(|r| r.family_id).collect();
    family_ids.sort();
    family_ids.dedup();
    let families: HashMap<Uuid, fq::FamilyRow> = fq::families_by_ids(conn, &family_ids)
        .await?
        .into_iter()
        .map(|f| (f.id, f))
        .collect();
    let mut members: HashMap<Uuid, Vec<fq::MemberRow>> = HashMap::new();
    for m in fq::members_of(conn, &family_ids).await? {
        members.entry(m.family_id).or_default().push(m);
    }
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let mut evidence: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    for (request, e) in q::evidence_of(conn, &ids).await? {
        evidence.entry(request).or_default().push(e);
    }
    let today = super::families::today();
    rows.into_iter()
        .map(|r| {
            let family = families
                .get(&r.family_id)
                .ok_or_else(|| ApiError::Internal("a request's family is missing".into()))?;
            let people = members
                .get(&r.family_id)
                .into_iter()
                .flatten()
                .filter(|m| r.member_id.is_none_or(|id| id == m.id))
                .map(|m| RequestPerson {
                    member_id: m.id,
                    given_name: m.given_name.clone(),
                    family_name: m.family_name.clone(),
                    date_of_birth: m.date_of_birth,
                })
                .collect();
            let subject = RequestSubject {
                family_reference: family.reference.clone(),
                address_line1: family.address_line1.clone(),
                town: family.town.clone(),
                postcode: family.postcode.clone(),
                people,
            };
            let e = evidence.remove(&r.id).unwrap_or_default();
            Ok(InformationRequest::from_row(r, subject, e, today))
        })
        .collect()
}

/// The ids a read of these requests touches: each request, its family and the people shown.
fn read_ids(items: &[InformationRequest]) -> Vec<Uuid> {
    items
        .iter()
        .flat_map(|i| {
            [i.id, i.family_id]
                .into_iter()
                .chain(i.subject.people.iter().map(|p| p.member_id))
        })
        .collect()
}

fn clip(s: String) -> String {
    s.chars().take(5000).collect()
}

/// One entry of the sharing log for a step of the exchange.
fn log_entry(
    r: &RequestRow,
    direction: SharingDirection,
    categories: Vec<String>,
    what: String,
    by: &str,
) -> SharingRow {
    SharingRow {
        id: Uuid::now_v7(),
        family_id: r.family_id,
        member_id: r.member_id,
        shared_with: r.organisation.clone(),
        lawful_basis: r.lawful_basis.clone(),
        categories,
        what_was_shared: clip(what),
        reason: clip(r.purpose.clone()),
        shared_on: super::families::today(),
        shared_by: by.to_string(),
        direction,
        information_request_id: Some(r.id),
        created_at: chrono::Utc::now(),
    }
}

pub async fn create(
    pool: &Pool,
    ctx: &Allowed<Send>,
    family_id: Uuid,
    input: InformationRequestCreate,
    idem: Option<Idem>,
) -> ApiResult<Reply> {
    let today = super::families::today();
    check_due_on(input.due_on, today).map_err(|m| ApiError::validation("due_on", m))?;
    let mut conn = pool.get().await?;
    conn.transaction::<_, ApiError, _>(async |conn| {
        if let Some(replay) = idem_begin(conn, ctx, &idem).await? {
            return Ok(replay);
        }
        super::families::visible_family(conn, ctx, family_id, false).await?;
        super::consent::family_member(conn, family_id, input.member_id, "member_id").await?;
        let kind = q::organisation_kind(conn, &input.organisation)
            .await?
            .ok_or_else(|| {
                ApiError::validation(
                    "organisation",
                    "no such organisation (see GET /api/v1/organisations)",
                )
            })?;
        if answers_as(OrganisationKind::from_db(&kind)).is_none() {
            return Err(ApiError::validation(
                "organisation",
                "requests go to police, health, education or government organisations",
            ));
        }
        let mut categories: Vec<String> = input
            .categories
            .iter()
            .map(|c| c.as_str().to_string())
            .collect();
        categories.sort();
        categories.dedup();
        let row = q::insert(
            conn,
            RequestRow {
                id: Uuid::now_v7(),
                family_id,
                member_id: input.member_id,
                organisation: input.organisation.clone(),
                asked: crate::api::tidy(&input.asked),
                purpose: crate::api::tidy(&input.purpose),
                lawful_basis: input.lawful_basis.as_str().into(),
                categories,
                due_on: input.due_on,
                status: RequestStatus::Open,
                requested_by: ctx.principal.subject.clone(),
                requested_on: today,
                outcome: None,
                response: None,
                responded_by: None,
                responded_at: None,
                created_at: chrono::Utc::now(),
                version: 1,
            },
        )
        .await?;
        // Asking discloses who the family is (names, dates of birth, the address) and what the
        // council wants to know.
        let whom = if row.member_id.is_some() {
            "the member's"
        } else {
            "the household's"
        };
        let sent = cq::insert_sharing(
            conn,
            log_entry(
                &row,
                SharingDirection::Sent,
                vec![DataCategory::IdentityContact.as_str().into()],
                format!(
                    "Information request: {whom} names, dates of birth and address, and the question: {}",
                    row.asked
                ),
                &ctx.principal.subject,
            ),
        )
        .await?;
        let mut ids = vec![row.id, family_id, sent.id];
        ids.extend(row.member_id);
        audit(conn, ctx, "information_request.create", "information_request", &ids).await?;
        let body = shown(conn, vec![row]).await?.remove(0);
        let reply = Reply::created(&body, location(body.id), body.version);
        idem_finish(conn, ctx, &idem, &reply).await?;
        Ok(reply)
    })
    .await
}

fn status_param(params: &HashMap<String, String>) -> ApiResult<Option<RequestStatus>> {
    params
        .get("status")
        .map(|s| {
            RequestStatus::parse(s).ok_or_else(|| bad_param("status", "open, answered or declined"))
        })
        .transpose()
}

fn overdue_param(params: &HashMap<String, String>) -> ApiResult<bool> {
    match params.get("overdue").map(String::as_str) {
        None | Some("false") => Ok(false),
        Some("true") => Ok(true),
        Some(_) => Err(bad_param("overdue", "true or false")),
    }
}

/// Requests the caller sees, newest first: all of them, a worker's, or an organisation's.
pub async fn list(
    pool: &Pool,
    ctx: &Allowed<See>,
    params: HashMap<String, String>,
) -> ApiResult<Reply> {
    let limit = parse_limit(params.get("limit").map(String::as_str))?;
    let status = status_param(&params)?;
    let overdue = overdue_param(&params)?;
    let asked = params.get("organisation").cloned();
    if asked
        .as_deref()
        .is_some_and(|o| !crate::api::consent::is_code(o))
    {
        return Err(bad_param("organisation", "an organisation code"));
    }
    let before_id = params.get("cursor").map(|c| decode_cursor(c)).transpose()?;
    let today = super::families::today();
    super::read(pool, async |conn| {
        let mut filter = RequestFilter {
            status,
            overdue_on: overdue.then_some(today),
            before_id,
            organisation: asked.clone(),
            ..Default::default()
        };
        let mut rows = match scope(conn, ctx).await? {
            Scope::All => q::list(conn, &filter, limit + 1).await?,
            Scope::Worker(s) => {
                filter.requested_by = Some(s);
                q::list(conn, &filter, limit + 1).await?
            }
            // A contact asking for another organisation's requests gets none, not their own.
            Scope::Organisation(Some(o)) if asked.as_ref().is_none_or(|a| a == &o) => {
                filter.organisation = Some(o);
                q::list(conn, &filter, limit + 1).await?
            }
            Scope::Organisation(_) => Vec::new(),
        };
        let next_cursor = end_page(&mut rows, limit, |r| r.id);
        let items = shown(conn, rows).await?;
        audit(
            conn,
            ctx,
            "information_request.list",
            "information_request",
            &read_ids(&items),
        )
        .await?;
        Ok(Reply::ok(&Page { items, next_cursor }, None))
    })
    .await
}

/// A family's requests, newest first, for the family's readers.
pub async fn list_for_family(
    pool: &Pool,
    ctx: &Allowed<super::families::Read>,
    family_id: Uuid,
    params: HashMap<String, String>,
) -> ApiResult<Reply> {
    let limit = parse_limit(params.get("limit").map(String::as_str))?;
    let before_id = params.get("cursor").map(|c| decode_cursor(c)).transpose()?;
    super::read(pool, async |conn| {
        super::families::visible_family(conn, ctx, family_id, false).await?;
        let filter = RequestFilter {
            family_id: Some(family_id),
            before_id,
            ..Default::default()
        };
        let mut rows = q::list(conn, &filter, limit + 1).await?;
        let next_cursor = end_page(&mut rows, limit, |r| r.id);
        let items = shown(conn, rows).await?;
        let mut ids = read_ids(&items);
        ids.push(family_id);
        audit(
            conn,
            ctx,
            "information_request.list",
            "information_request",
            &ids,
        )
        .await?;
        Ok(Reply::ok(&Page { items, next_cursor }, None))
    })
    .await
}

pub async fn get(pool: &Pool, ctx: &Allowed<See>, id: Uuid) -> ApiResult<Reply> {
    super::read(pool, async |conn| {
        let row = visible_request(conn, ctx, id, false).await?;
        let body = shown(conn, vec![row]).await?.remove(0);
        let ids = read_ids(std::slice::from_ref(&body));
        audit(
            conn,
            ctx,
            "information_request.read",
            "information_request",
            &ids,
        )
        .await?;
        Ok(Reply::ok(&body, Some(body.version)))
    })
    .await
}

fn still_open(row: &RequestRow) -> ApiResult<()> {
    if row.status != RequestStatus::Open {
        return Err(ApiError::Conflict(format!(
            "The request was {}; it no longer changes.",
            row.status
        )));
    }
    Ok(())
}

/// Checks each record of an answer as evidence from this organisation about this family; the
/// member asked about stands in for a record that names none.
async fn answered_records(
    conn: &mut Conn,
    row: &RequestRow,
    source: EvidenceSource,
    input: &mut InformationAnswer,
) -> ApiResult<()> {
    let mut errors = Vec::new();
    match (input.outcome, input.records.is_empty()) {
        (RequestOutcome::Found, true) => errors.push(FieldError::new(
            "records",
            "give at least one record when something was found",
        )),
        (RequestOutcome::NothingHeld, false) => errors.push(FieldError::new(
            "records",
            "must be empty when nothing is held",
        )),
        _ => {}
    }
    for (i, rec) in input.records.iter_mut().enumerate() {
        let at = |f: &str| format!("records[{i}].{f}");
        if rec.member_id.is_none() {
            rec.member_id = row.member_id;
        }
        for e in super::evidence::validate(rec) {
            errors.push(FieldError::new(at(&e.field), e.message));
        }
        if rec.source != source {
            errors.push(FieldError::new(
                at("source"),
                format!("{} answers as {source}", row.organisation),
            ));
        }
        if rec.supersedes.is_some() || rec.retracts {
            errors.push(FieldError::new(
                at("supersedes"),
                "an answer adds records; correct one through the evidence record itself",
            ));
        }
        if let Some(m) = rec.member_id {
            if fq::find_member(conn, row.family_id, m).await?.is_none() {
                errors.push(FieldError::new(
                    at("member_id"),
                    "not a current member of this family",
                ));
            }
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Validation(errors))
    }
}

pub async fn answer(
    pool: &Pool,
    ctx: &Allowed<Answer>,
    id: Uuid,
    mut input: InformationAnswer,
    idem: Option<Idem>,
) -> ApiResult<Reply> {
    let mut conn = pool.get().await?;
    conn.transaction::<_, ApiError, _>(async |conn| {
        if let Some(replay) = idem_begin(conn, ctx, &idem).await? {
            return Ok(replay);
        }
        let row = visible_request(conn, ctx, id, true).await?;
        still_open(&row)?;
        let kind = q::organisation_kind(conn, &row.organisation)
            .await?
            .ok_or_else(|| ApiError::Internal("a request's organisation is missing".into()))?;
        let source = answers_as(OrganisationKind::from_db(&kind)).ok_or_else(|| {
            ApiError::Internal("a request went to an organisation with no source".into())
        })?;
        answered_records(conn, &row, source, &mut input).await?;
        let mut ids = vec![row.id, row.family_id];
        for rec in std::mem::take(&mut input.records) {
            let mut e = super::evidence::row(row.family_id, rec, &ctx.principal.subject);
            e.information_request_id = Some(row.id);
            let saved = eq::insert(conn, e).await?;
            ids.push(saved.id);
            ids.extend(saved.member_id);
        }
        let summary = crate::api::tidy(&input.summary);
        let done = q::respond(
            conn,
            row.id,
            RequestStatus::Answered,
            Some(input.outcome),
            Some(summary.clone()),
            &ctx.principal.subject,
        )
        .await?;
        let what = match input.outcome {
            RequestOutcome::Found => format!("Answer: {summary}"),
            RequestOutcome::NothingHeld => format!("Answer: nothing held. {summary}"),
        };
        let received = cq::insert_sharing(
            conn,
            log_entry(
                &row,
                SharingDirection::Received,
                row.categories.clone(),
                what,
                &ctx.principal.subject,
            ),
        )
        .await?;
        ids.push(received.id);
        ids.extend(row.member_id);
        audit(
            conn,
            ctx,
            "information_request.answer",
            "information_request",
            &ids,
        )
        .await?;
        let body = shown(conn, vec![done]).await?.remove(0);
        let reply = Reply::ok(&body, Some(body.version));
        idem_finish(conn, ctx, &idem, &reply).await?;
        Ok(reply)
    })
    .await
}

pub async fn decline(
    pool: &Pool,
    ctx: &Allowed<Answer>,
    id: Uuid,
    input: InformationDecline,
    idem: Option<Idem>,
) -> ApiResult<Reply> {
    let mut conn = pool.get().await?;
    conn.transaction::<_, ApiError, _>(async |conn| {
        if let Some(replay) = idem_begin(conn, ctx, &idem).await? {
            return Ok(replay);
        }
        let row = visible_request(conn, ctx, id, true).await?;
        still_open(&row)?;
        let reason = crate::api::tidy(&input.reason);
        let done = q::respond(
            conn,
            row.id,
            RequestStatus::Declined,
            None,
            Some(reason.clone()),
            &ctx.principal.subject,
        )
        .await?;
        // Nothing about the family came back, but the log tells the whole exchange.
        let received = cq::insert_sharing(
            conn,
            log_entry(
                &row,
                SharingDirection::Received,
                row.categories.clone(),
                format!("Declined, nothing shared: {reason}"),
                &ctx.principal.subject,
            ),
        )
        .await?;
        let mut ids = vec![row.id, row.family_id, received.id];
        ids.extend(row.member_id);
        audit(
            conn,
            ctx,
            "information_request.decline",
            "information_request",
            &ids,
        )
        .await?;
        let body = shown(conn, vec![done]).await?.remove(0);
        let reply = Reply::ok(&body, Some(body.version));
        idem_finish(conn, ctx, &idem, &reply).await?;
        Ok(reply)
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_organisations_whose_records_are_evidence_are_asked() {
        assert_eq!(
            answers_as(OrganisationKind::Police),
            Some(EvidenceSource::Police)
        );
        assert_eq!(
            answers_as(OrganisationKind::Education),
            Some(EvidenceSource::School)
        );
        assert_eq!(
            answers_as(OrganisationKind::Government),
            Some(EvidenceSource::Dwp)
        );
        assert_eq!(answers_as(OrganisationKind::Voluntary), None);
    }
}
