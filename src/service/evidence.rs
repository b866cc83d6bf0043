//! Evidence records: dated facts about a member or the family, never overwritten.

use std::collections::HashMap;

use diesel_async::AsyncConnection;
use uuid::Uuid;

use super::{audit, idem_begin, idem_finish, Idem};
use crate::api::evidence::*;
use crate::api::{decode_cursor, end_page, parse_limit, Page};
use crate::auth::Role;
use crate::context::{Allowed, Ctx, Policy};
use crate::db::evidence::{self as q, EvidenceRow};
use crate::db::{families as fq, Pool};
use crate::domain::eligibility::{PHASE2_PROBLEMS, SF_EXPECTANT_PARENT, SF_NEEDS};
use crate::error::{ApiError, ApiResult, FieldError};
use crate::http::reply::Reply;

/// Evidence is personal data: the family's readers, and the employment adviser on the family's
/// team, who reads the work and benefit records only (`EvidenceKind::WORK_AND_BENEFIT`).
pub const READ: &[Role] = &[
    Role::Coordinator,
    Role::Manager,
    Role::Admin,
    Role::Auditor,
    Role::LeadWorker,
    Role::KeyWorker,
    Role::EmploymentAdviser,
];
/// Coordinators record evidence; partners' bulk data arrives by import.
pub const WRITE: &[Role] = &[Role::Coordinator, Role::Manager, Role::Admin];

pub struct Write;
impl Policy for Write {
    const ROLES: &'static [Role] = WRITE;
}
pub struct Read;
impl Policy for Read {
    const ROLES: &'static [Role] = READ;
}

/// The kinds the caller may read: all, or for a partner on the team the work and benefit ones.
fn readable_kinds(ctx: &Ctx) -> Option<Vec<&'static str>> {
    super::families::partner_only(ctx).then(|| {
        EvidenceKind::WORK_AND_BENEFIT
            .map(EvidenceKind::as_str)
            .to_vec()
    })
}

/// Which kind-specific fields each kind needs; any other kind-specific field is refused.
fn required_fields(kind: EvidenceKind) -> &'static [&'static str] {
    use EvidenceKind::*;
    match kind {
        AsbIntervention => &["intervention_kind"],
        SchoolTerm => &[
            "academic_year",
            "term",
            "possible_sessions",
            "sessions_attended",
            "unauthorised_absences",
            "fixed_term_exclusions",
        ],
        OutOfWorkBenefit => &["benefit_type"],
        Employment => &["hours_per_week"],
        WorkProgramme => &["programme"],
        LocalFilter => &["filter"],
        Phase2Problem | SfNeed => &["indicator"],
        _ => &[],
    }
}

fn about_the_family(kind: EvidenceKind) -> bool {
    use EvidenceKind::*;
    matches!(kind, AsbIncident | LocalFilter | Phase2Problem | SfNeed)
}

/// Checks the record's shape; the database holds the same rules as constraints.
pub fn validate(e: &EvidenceCreate) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let present: [(&str, bool); 10] = [
        ("intervention_kind", e.intervention_kind.is_some()),
        ("academic_year", e.academic_year.is_some()),
        ("term", e.term.is_some()),
        ("possible_sessions", e.possible_sessions.is_some()),
        ("sessions_attended", e.sessions_attended.is_some()),
        ("unauthorised_absences", e.unauthorised_absences.is_some()),
        ("fixed_term_exclusions", e.fixed_term_exclusions.is_some()),
        ("benefit_type", e.benefit_type.is_some()),
        ("hours_per_week", e.hours_per_week.is_some()),
        ("programme", e.programme.is_some()),
    ];
    let required = required_fields(e.kind);
    for (field, given) in present.into_iter().chain([
        ("filter", e.filter.is_some()),
        ("indicator", e.indicator.is_some()),
    ]) {
        match (required.contains(&field), given) {
            (true, false) => errors.push(FieldError::new(
                field,
                format!("is required for {} records", e.kind.as_str()),
            )),
            (false, true) => errors.push(FieldError::new(
                field,
                format!("does not apply to {} records", e.kind.as_str()),
            )),
            _ => {}
        }
    }
    if e.member_id.is_none() && !about_the_family(e.kind) {
        errors.push(FieldError::new(
            "member_id",
            format!("{} records are about a member", e.kind.as_str()),
        ));
    }
    if let (Some(end), start) = (e.ends_on, e.occurred_on) {
        if end < start {
            errors.push(FieldError::new("ends_on", "must not be before occurred_on"));
        }
    }
    if let Some(year) = e.academic_year {
        let (first, last) = crate::domain::eligibility::academic_year_dates(year.into());
        let within = format!(
            "must fall within academic year {year}/{:02} ({first} to {last})",
            (year + 1) % 100
        );
        if e.occurred_on < first || e.occurred_on > last {
            errors.push(FieldError::new("occurred_on", within.clone()));
        }
        if e.ends_on.is_some_and(|end| end < first || end > last) {
            errors.push(FieldError::new("ends_on", within));
        }
    }
    if e.occurred_on < chrono::NaiveDate::from_ymd_opt(1990, 1, 1).expect("date") {
        errors.push(FieldError::new(
            "occurred_on",
            "must not be before 1990-01-01",
        ));
    }
    if let (Some(possible), Some(attended)) = (e.possible_sessions, e.sessions_attended) {
        if attended > possible {
            errors.push(FieldError::new(
                "sessions_attended",
                "must not exceed possible_sessions",
            ));
        } else if let Some(unauth) = e.unauthorised_absences {
            if unauth > possible - attended {
                errors.push(FieldError::new(
                    "unauthorised_absences",
                    "must not exceed the sessions missed (possible_sessions - sessions_attended)",
                ));
            }
        }
    }
    if let Some(ind) = &e.indicator {
        let ok = match e.kind {
            EvidenceKind::Phase2Problem => PHASE2_PROBLEMS.contains(&ind.as_str()),
            EvidenceKind::SfNeed => SF_NEEDS.contains(&ind.as_str()) || ind == SF_EXPECTANT_PARENT,
            _ => true,
        };
        if !ok {
            errors.push(FieldError::new(
                "indicator",
                format!("not an indicator of {} records", e.kind.as_str()),
            ));
        }
    }
    if e.retracts && e.supersedes.is_none() {
        errors.push(FieldError::new(
            "retracts",
            "needs supersedes: the record to withdraw",
        ));
    }
    errors
}

pub fn row(family_id: Uuid, e: EvidenceCreate, recorded_by: &str) -> EvidenceRow {
    EvidenceRow {
        id: Uuid::now_v7(),
        family_id,
        member_id: e.member_id,
        kind: e.kind.as_str().into(),
        source: e.source.as_str().into(),
        occurred_on: e.occurred_on,
        ends_on: e.ends_on,
        intervention_kind: e.intervention_kind.map(|v| v.as_str().into()),
        academic_year: e.academic_year,
        term: e.term.map(|v| v.as_str().into()),
        possible_sessions: e.possible_sessions,
        sessions_attended: e.sessions_attended,
        unauthorised_absences: e.unauthorised_absences,
        fixed_term_exclusions: e.fixed_term_exclusions,
        benefit_type: e.benefit_type.map(|v| v.as_str().into()),
        hours_per_week: e.hours_per_week,
        programme: e.programme.map(|v| v.as_str().into()),
        filter: e.filter.map(|v| v.as_str().into()),
        indicator: e.indicator,
        notes: e.notes.as_deref().map(crate::api::tidy),
        supersedes_id: e.supersedes,
        retracts: e.retracts,
        recorded_by: recorded_by.into(),
        import_key: None,
        information_request_id: None,
        created_at: chrono::Utc::now(),
    }
}

pub fn location(family_id: Uuid, id: Uuid) -> String {
    format!("/api/v1/families/{family_id}/evidence/{id}")
}

pub async fn create(
    pool: &Pool,
    ctx: &Allowed<Write>,
    family_id: Uuid,
    input: EvidenceCreate,
    idem: Option<Idem>,
) -> ApiResult<Reply> {
    let errors = validate(&input);
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let mut conn = pool.get().await?;
    conn.transaction::<_, ApiError, _>(async |conn| {
        if let Some(replay) = idem_begin(conn, ctx, &idem).await? {
            return Ok(replay);
        }
        super::families::visible_family(conn, ctx, family_id, false).await?;
        if let Some(mid) = input.member_id {
            if fq::find_member(conn, family_id, mid).await?.is_none() {
                return Err(ApiError::validation(
                    "member_id",
                    "not a current member of this family",
                ));
            }
        }
        if let Some(old) = input.supersedes {
            let target = q::find(conn, family_id, old).await?.ok_or_else(|| {
                ApiError::validation("supersedes", "no such record in this family")
            })?;
            if target.retracts {
                return Err(ApiError::validation(
                    "supersedes",
                    "a retraction cannot be corrected",
                ));
            }
            if target.kind != input.kind.as_str() && !input.retracts {
                return Err(ApiError::validation(
                    "kind",
                    "a correction keeps the kind of the record it corrects",
                ));
            }
            if !q::superseded_by(conn, &[old]).await?.is_empty() {
                return Err(ApiError::Conflict(
                    "That record has already been corrected; correct the newer record instead."
                        .into(),
                ));
            }
        }
        let saved = q::insert(conn, row(family_id, input, &ctx.principal.subject)).await?;
        let mut ids = vec![saved.id, family_id];
        ids.extend(saved.member_id);
        ids.extend(saved.supersedes_id);
        audit(conn, ctx, "evidence.create", "evidence", &ids).await?;
        let body = Evidence::from_row(saved, None);
        let reply = Reply::created(&body, location(family_id, body.id), 1);
        idem_finish(conn, ctx, &idem, &reply).await?;
        Ok(reply)
    })
    .await
}

pub async fn get(pool: &Pool, ctx: &Allowed<Read>, family_id: Uuid, id: Uuid) -> ApiResult<Reply> {
    let kinds = readable_kinds(ctx);
    super::read(pool, async |conn| {
        super::families::visible_family(conn, ctx, family_id, false).await?;
        let r = q::find(conn, family_id, id)
            .await?
            .filter(|r| kinds.as_ref().is_none_or(|k| k.contains(&r.kind.as_str())))
            .ok_or_else(|| ApiError::not_found("evidence record"))?;
        let next = q::superseded_by(conn, &[id])
            .await?
            .first()
            .map(|(_, n)| *n);
        let mut ids = vec![id, family_id];
        ids.extend(r.member_id);
        audit(conn, ctx, "evidence.read", "evidence", &ids).await?;
        Ok(Reply::ok(&Evidence::from_row(r, next), None))
    })
    .await
}

pub async fn list(
    pool: &Pool,
    ctx: &Allowed<Read>,
    family_id: Uuid,
    params: HashMap<String, String>,
) -> ApiResult<Reply> {
    let limit = parse_limit(params.get("limit").map(String::as_str))?;
    let before = params.get("cursor").map(|c| decode_cursor(c)).transpose()?;
    let kinds = readable_kinds(ctx);
    super::read(pool, async |conn| {
        super::families::visible_family(conn, ctx, family_id, false).await?;
        let mut rows = q::list(conn, family_id, kinds.as_deref(), before, limit + 1).await?;
        let next_cursor = end_page(&mut rows, limit, |r| r.id);
        let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
        let successors: HashMap<Uuid, Uuid> =
            q::superseded_by(conn, &ids).await?.into_iter().collect();
        let mut audited = ids.clone();
        audited.push(family_id);
        audit(conn, ctx, "evidence.list", "evidence", &audited).await?;
        let items: Vec<Evidence> = rows
            .into_iter()
            .map(|r| {
                let next = successors.get(&r.id).copied();
                Evidence::from_row(r, next)
            })
            .collect();
        Ok(Reply::ok(&Page { items, next_cursor }, None))
    })
    .await
}
