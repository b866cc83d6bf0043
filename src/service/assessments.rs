//! The Family Common Assessment (FCAF): started with consent, one open per family, agreed
//! (active) with its lead worker on the Team Around the Family, closed with a reason.
//! docs/rules.md, "How families are worked with".

use std::collections::{HashMap, HashSet};

use diesel_async::AsyncConnection;
use uuid::Uuid;

use super::families::visible_family;
use super::timeline::{ensure_on_team, past_or_today, start_episode, NewEpisode};
use super::{audit, idem_begin, idem_finish, Idem};
use crate::api::assessments::*;
use crate::api::timeline::EpisodeKind;
use crate::api::Page;
use crate::auth::Role;
use crate::context::{Allowed, Policy};
use crate::db::assessments::{self as q, AssessmentRow, FindingRow};
use crate::db::{episodes as eq, families as fq, staff as sq, Conn, Pool};
use crate::domain::casework::ReviewPolicy;
use crate::error::{ApiError, ApiResult, FieldError};
use crate::http::extract::check_version;
use crate::http::reply::Reply;

/// Coordinators and lead workers start an FCAF (the issue: "started by a coordinator or lead
/// worker"); managers may also edit, agree and close one.
pub const START: &[Role] = &[Role::Coordinator, Role::LeadWorker];
pub const WORK: &[Role] = &[Role::Coordinator, Role::Manager, Role::LeadWorker];

pub struct Start;
impl Policy for Start {
    const ROLES: &'static [Role] = START;
}
pub struct Work;
impl Policy for Work {
    const ROLES: &'static [Role] = WORK;
}

/// Posts that can lead an FCAF: in Rotherham mostly youth and school staff as lead workers, the
/// coordinators themselves, key workers and providers' lead workers.
const LEADS: [&str; 4] = [
    "coordinator",
    "lead_worker",
    "key_worker",
    "provider_lead_worker",
];

pub fn location(family_id: Uuid, id: Uuid) -> String {
    format!("/api/v1/families/{family_id}/assessments/{id}")
}

async fn lead_worker(conn: &mut Conn, id: Uuid) -> ApiResult<()> {
    let s = sq::find(conn, id)
        .await?
        .ok_or_else(|| ApiError::validation("lead_worker_id", "no such member of staff"))?;
    if !s.active {
        return Err(ApiError::validation(
            "lead_worker_id",
            "this member of staff has been deactivated",
        ));
    }
    if !LEADS.contains(&s.staff_role.as_str()) {
        return Err(ApiError::validation(
            "lead_worker_id",
            "a lead worker, key worker, coordinator or provider's lead worker leads an FCAF",
        ));
    }
    Ok(())
}

/// Checks the content against the family; returns the findings as rows.
async fn checked(
    conn: &mut Conn,
    family_id: Uuid,
    assessment_id: Uuid,
    content: &AssessmentContent,
) -> ApiResult<Vec<FindingRow>> {
    let mut errors = Vec::new();
    for (i, c) in content.completed_with.iter().enumerate() {
        if c.chars().count() > 200 {
            errors.push(FieldError::new(
                format!("completed_with[{i}]"),
                "at most 200 characters",
            ));
        }
    }
    let members: HashSet<Uuid> = fq::people_of(conn, &[family_id])
        .await?
        .into_iter()
        .map(|p| p.id)
        .collect();
    let mut seen = HashSet::new();
    for (i, f) in content.findings.iter().enumerate() {
        if f.member_id.is_some_and(|m| !members.contains(&m)) {
            errors.push(FieldError::new(
                format!("findings[{i}].member_id"),
                "not a current member of this family",
            ));
        }
        if f.strengths.is_none() && f.needs.is_none() {
            errors.push(FieldError::new(
                format!("findings[{i}]"),
                "give strengths, needs or both",
            ));
        }
        if !seen.insert((f.member_id, f.domain.as_str())) {
            errors.push(FieldError::new(
                format!("findings[{i}].domain"),
                "a second finding for this domain and member",
            ));
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    lead_worker(conn, content.lead_worker_id).await?;
    Ok(content
        .findings
        .iter()
        .map(|f| FindingRow {
            id: Uuid::now_v7(),
            assessment_id,
            member_id: f.member_id,
            domain: f.domain.as_str().into(),
            strengths: f.strengths.as_deref().map(crate::api::tidy),
            needs: f.needs.as_deref().map(crate::api::tidy),
        })
        .collect())
}

/// An agreed assessment has said what the family and the practitioners want and found something,
/// and keeps doing so; the error names every missing part at once.
fn complete(family: bool, practitioners: bool, findings: usize) -> ApiResult<()> {
    let mut missing = Vec::new();
    if !family {
        missing.push(FieldError::new(
            "family_priorities",
            "an agreed FCAF records the family's priorities",
        ));
    }
    if !practitioners {
        missing.push(FieldError::new(
            "practitioner_priorities",
            "an agreed FCAF records the practitioners' priorities",
        ));
    }
    if findings == 0 {
        missing.push(FieldError::new(
            "findings",
            "an agreed FCAF records strengths and needs",
        ));
    }
    if missing.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Validation(missing))
    }
}

fn tidy_all(v: &[String]) -> Vec<String> {
    v.iter().map(|s| crate::api::tidy(s)).collect()
}

async fn found(
    conn: &mut Conn,
    family_id: Uuid,
    id: Uuid,
    expected: Option<i32>,
) -> ApiResult<AssessmentRow> {
    let row = q::find(conn, family_id, id, true)
        .await?
        .ok_or_else(|| ApiError::not_found("assessment"))?;
    check_version(expected, row.version)?;
    if row.status == AssessmentStatus::Closed {
        return Err(ApiError::Conflict(
            "The assessment is closed; it no longer changes.".into(),
        ));
    }
    Ok(row)
}

async fn shown(conn: &mut Conn, row: AssessmentRow) -> ApiResult<Reply> {
    let findings = q::findings_of(conn, &[row.id]).await?;
    let version = row.version;
    Ok(Reply::ok(
        &Assessment::from_rows(row, findings),
        Some(version),
    ))
}

pub async fn create(
    pool: &Pool,
    ctx: &Allowed<Start>,
    family_id: Uuid,
    input: AssessmentCreate,
    idem: Option<Idem>,
) -> ApiResult<Reply> {
    let (started_on, content) = input.content();
    past_or_today(Some(started_on), "started_on")?;
    let mut conn = pool.get().await?;
    conn.transaction::<_, ApiError, _>(async |conn| {
        if let Some(replay) = idem_begin(conn, ctx, &idem).await? {
            return Ok(replay);
        }
        // The family row lock queues two starts for one family; the unique index backs it.
        let family = visible_family(conn, ctx, family_id, true).await?;
        if family.status == "closed" {
            return Err(ApiError::Conflict("The family's case is closed.".into()));
        }
        if let Some(open) = q::open_for_family(conn, family_id).await? {
            return Err(ApiError::Conflict(format!(
                "The family already has an open FCAF ({}, {}): one at a time.",
                open.id, open.status
            )));
        }
        // Its period on the timeline will start here, after the last FCAF's.
        if let Some(end) = eq::last_fcaf_end(conn, family_id).await? {
            if started_on <= end {
                return Err(ApiError::validation(
                    "started_on",
                    format!("must be after the family's previous FCAF ended ({end})"),
                ));
            }
        }
        let consent_id = super::consent::assessment_consent(conn, family_id, started_on)
            .await?
            .ok_or_else(|| {
                ApiError::Conflict(format!(
                    "No consent for an assessment is in force on {started_on}: record the \
                     family's consent first (POST /api/v1/families/{family_id}/consents)."
                ))
            })?;
        let id = Uuid::now_v7();
        let findings = checked(conn, family_id, id, &content).await?;
        let row = q::insert(
            conn,
            AssessmentRow {
                id,
                family_id,
                status: AssessmentStatus::Draft,
                lead_worker_id: content.lead_worker_id,
                started_on,
                consent_id,
                completed_with: tidy_all(&content.completed_with),
                family_priorities: content.family_priorities.as_deref().map(crate::api::tidy),
                practitioner_priorities: content
                    .practitioner_priorities
                    .as_deref()
                    .map(crate::api::tidy),
                activated_on: None,
                activated_by: None,
                review_due_on: None,
                closed_on: None,
                closure_reason: None,
                closure_note: None,
                closed_by: None,
                created_by: ctx.principal.subject.clone(),
                created_at: chrono::Utc::now(),
                version: 1,
            },
        )
        .await?;
        q::replace_findings(conn, id, findings).await?;
        ensure_on_team(conn, ctx, family_id, content.lead_worker_id, started_on).await?;
        audit(
            conn,
            ctx,
            "assessment.create",
            "assessment",
            &[id, family_id],
        )
        .await?;
        let mut reply = shown(conn, row).await?;
        reply.status = 201;
        reply.location = Some(location(family_id, id));
        idem_finish(conn, ctx, &idem, &reply).await?;
        Ok(reply)
    })
    .await
}

pub async fn get(
    pool: &Pool,
    ctx: &Allowed<super::families::Read>,
    (family_id, id): (Uuid, Uuid),
) -> ApiResult<Reply> {
    super::read(pool, async |conn| {
        visible_family(conn, ctx, family_id, false).await?;
        let row = q::find(conn, family_id, id, false)
            .await?
            .ok_or_else(|| ApiError::not_found("assessment"))?;
        audit(conn, ctx, "assessment.read", "assessment", &[id, family_id]).await?;
        shown(conn, row).await
    })
    .await
}

pub async fn list(
    pool: &Pool,
    ctx: &Allowed<super::families::Read>,
    family_id: Uuid,
) -> ApiResult<Reply> {
    super::read(pool, async |conn| {
        visible_family(conn, ctx, family_id, false).await?;
        let rows = q::list(conn, family_id).await?;
        let mut ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
        let mut findings: HashMap<Uuid, Vec<FindingRow>> = HashMap::new();
        for f in q::findings_of(conn, &ids).await? {
            findings.entry(f.assessment_id).or_default().push(f);
        }
        ids.push(family_id);
        audit(conn, ctx, "assessment.list", "assessment", &ids).await?;
        let items: Vec<Assessment> = rows
            .into_iter()
            .map(|r| {
                let f = findings.remove(&r.id).unwrap_or_default();
                Assessment::from_rows(r, f)
            })
            .collect();
        Ok(Reply::ok(&Page::all(items), None))
    })
    .await
}

pub async fn update(
    pool: &Pool,
    ctx: &Allowed<Work>,
    (family_id, id): (Uuid, Uuid),
    expected: Option<i32>,
    content: AssessmentContent,
) -> ApiResult<Reply> {
    let mut conn = pool.get().await?;
    conn.transaction::<_, ApiError, _>(async |conn| {
        visible_family(conn, ctx, family_id, false).await?;
        let current = found(conn, family_id, id, expected).await?;
        if current.status == AssessmentStatus::Active {
            complete(
                content.family_priorities.is_some(),
                content.practitioner_priorities.is_some(),
                content.findings.len(),
            )?;
        }
        let findings = checked(conn, family_id, id, &content).await?;
        let row = q::update_content(
            conn,
            id,
            q::AssessmentContent {
                lead_worker_id: content.lead_worker_id,
                completed_with: tidy_all(&content.completed_with),
                family_priorities: content.family_priorities.as_deref().map(crate::api::tidy),
                practitioner_priorities: content
                    .practitioner_priorities
                    .as_deref()
                    .map(crate::api::tidy),
            },
        )
        .await?;
        q::replace_findings(conn, id, findings).await?;
        let today = super::families::today();
        ensure_on_team(conn, ctx, family_id, content.lead_worker_id, today).await?;
        audit(
            conn,
            ctx,
            "assessment.update",
            "assessment",
            &[id, family_id],
        )
        .await?;
        shown(conn, row).await
    })
    .await
}

pub async fn activate(
    pool: &Pool,
    ctx: &Allowed<Work>,
    (family_id, id): (Uuid, Uuid),
    expected: Option<i32>,
    input: AssessmentActivate,
    policy: ReviewPolicy,
) -> ApiResult<Reply> {
    let on = past_or_today(input.activated_on, "activated_on")?;
    let mut conn = pool.get().await?;
    conn.transaction::<_, ApiError, _>(async |conn| {
        visible_family(conn, ctx, family_id, true).await?;
        let row = found(conn, family_id, id, expected).await?;
        if row.status != AssessmentStatus::Draft {
            return Err(ApiError::Conflict(
                "The assessment is already active.".into(),
            ));
        }
        if on < row.started_on {
            return Err(ApiError::validation(
                "activated_on",
                format!(
                    "must not be before the assessment started ({})",
                    row.started_on
                ),
            ));
        }
        let findings = q::findings_of(conn, &[id]).await?;
        complete(
            row.family_priorities.is_some(),
            row.practitioner_priorities.is_some(),
            findings.len(),
        )?;
        if super::consent::assessment_consent(conn, family_id, on)
            .await?
            .is_none()
        {
            return Err(ApiError::Conflict(format!(
                "No consent for an assessment is in force on {on}."
            )));
        }
        let mut ids = vec![id, family_id];
        ids.extend(
            start_episode(
                conn,
                ctx,
                NewEpisode {
                    family_id,
                    member_id: None,
                    kind: EpisodeKind::Fcaf,
                    started_on: row.started_on,
                    agreed_by: &input.agreed_by,
                    follows: input.follows_episode_id,
                    assessment_id: Some(id),
                },
            )
            .await?,
        );
        let row = q::activate(conn, id, on, &ctx.principal.subject, policy.first_due(on)).await?;
        audit(conn, ctx, "assessment.activate", "assessment", &ids).await?;
        let version = row.version;
        Ok(Reply::ok(
            &Assessment::from_rows(row, findings),
            Some(version),
        ))
    })
    .await
}

pub async fn close(
    pool: &Pool,
    ctx: &Allowed<Work>,
    (family_id, id): (Uuid, Uuid),
    expected: Option<i32>,
    input: AssessmentClose,
) -> ApiResult<Reply> {
    if input.reason == ClosureReason::Other && input.note.is_none() {
        return Err(ApiError::validation(
            "note",
            "say why, when the reason is other",
        ));
    }
    let on = past_or_today(input.closed_on, "closed_on")?;
    let mut conn = pool.get().await?;
    conn.transaction::<_, ApiError, _>(async |conn| {
        visible_family(conn, ctx, family_id, true).await?;
        let row = found(conn, family_id, id, expected).await?;
        refuse_open_actions(conn, id).await?;
        let earliest = row.activated_on.unwrap_or(row.started_on);
        if on < earliest {
            return Err(ApiError::validation(
                "closed_on",
                format!("must not be before {earliest}"),
            ));
        }
        let row = q::close(
            conn,
            id,
            on,
            input.reason.as_str(),
            input.note.as_deref().map(crate::api::tidy).as_deref(),
            &ctx.principal.subject,
        )
        .await?;
        let mut ids = vec![id, family_id];
        if let Some(ep) = eq::of_assessment(conn, id).await? {
            let agreed = input
                .agreed_by
                .as_deref()
                .map(crate::api::tidy)
                .unwrap_or_else(|| ctx.principal.subject.clone());
            let reason = format!("FCAF closed: {}", input.reason.as_str().replace('_', " "));
            eq::end(
                conn,
                ep.id,
                on,
                &agreed,
                Some(&reason),
                &ctx.principal.subject,
            )
            .await?;
            ids.push(ep.id);
        }
        audit(conn, ctx, "assessment.close", "assessment", &ids).await?;
        shown(conn, row).await
    })
    .await
}

/// For an FCAF closing: its actions must all be done or dropped first.
pub async fn refuse_open_actions(conn: &mut Conn, assessment_id: Uuid) -> ApiResult<()> {
    let open = crate::db::plans::open_actions(conn, assessment_id).await?;
    if open > 0 {
        return Err(ApiError::Conflict(format!(
            "{open} action(s) of the plan are still open: mark each done or dropped first."
        )));
    }
    Ok(())
}
