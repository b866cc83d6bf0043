//! The Team Around the Family's meetings and reviews, and the action plan: docs/rules.md,
//! "How families are worked with" (a team with reviews every 6-12 weeks, an action plan with
//! owners, due dates, status and the need each action addresses).

use std::collections::HashMap;

use chrono::NaiveDate;
use diesel_async::AsyncConnection;
use uuid::Uuid;

use super::families::{today, visible_family};
use super::timeline::past_or_today;
use super::{audit, audit_family_read, idem_begin, idem_finish, Idem};
use crate::api::plans::*;
use crate::api::{decode_cursor, decode_dated_cursor, end_dated_page, parse_limit, Page};
use crate::auth::Role;
use crate::context::{Allowed, Ctx, Policy};
use crate::db::assessments::{self as aq, AssessmentRow};
use crate::db::plans::{self as q, ActionRow, MeetingRow, ProgressRow};
use crate::db::{consent as cq, Conn, Pool};
use crate::domain::casework::ReviewPolicy;
use crate::error::{ApiError, ApiResult, FieldError};
use crate::http::extract::{bad_param, check_version, code_param};
use crate::http::reply::Reply;

/// Whoever works an action notes its progress: the family's workers, and a partner on its team
/// on the actions they own or share.
pub const PROGRESS: &[Role] = &[
    Role::Coordinator,
    Role::Manager,
    Role::LeadWorker,
    Role::KeyWorker,
    Role::EmploymentAdviser,
    Role::SocialWorker,
];
/// Overdue reviews: coordinators and managers see all, lead workers those they lead.
pub const REVIEWS: &[Role] = &[Role::Coordinator, Role::Manager, Role::LeadWorker];

pub struct Progressing;
impl Policy for Progressing {
    const ROLES: &'static [Role] = PROGRESS;
}
pub struct Reviews;
impl Policy for Reviews {
    const ROLES: &'static [Role] = REVIEWS;
}

fn sees_all(ctx: &Ctx) -> bool {
    ctx.principal.has(Role::Coordinator) || ctx.principal.has(Role::Manager)
}

fn text_items(field: &str, items: &[String], max: usize, errors: &mut Vec<FieldError>) {
    for (i, s) in items.iter().enumerate() {
        if s.chars().count() > max {
            errors.push(FieldError::new(
                format!("{field}[{i}]"),
                format!("at most {max} characters"),
            ));
        }
    }
}

/// The rules a meeting's content must meet before the database is asked.
fn check_meeting(m: &MeetingInput, policy: ReviewPolicy) -> ApiResult<Option<NaiveDate>> {
    let mut errors = Vec::new();
    text_items("attendee_agencies", &m.attendee_agencies, 200, &mut errors);
    let mut next = None;
    if m.status == MeetingStatus::Held {
        if m.meeting_on > today() {
            errors.push(FieldError::new(
                "meeting_on",
                "a meeting in the future cannot have been held",
            ));
        }
        if m.family_attended.is_none() {
            errors.push(FieldError::new(
                "family_attended",
                "say whether the family attended",
            ));
        }
        match policy.next_due(m.meeting_on, m.next_review_on) {
            Ok(d) => next = Some(d),
            Err(e) => errors.push(FieldError::new("next_review_on", e)),
        }
    } else {
        if m.family_attended.is_some() {
            errors.push(FieldError::new(
                "family_attended",
                "only for a meeting that was held",
            ));
        }
        if m.next_review_on.is_some() {
            errors.push(FieldError::new(
                "next_review_on",
                "only for a meeting that was held",
            ));
        }
    }
    if errors.is_empty() {
        Ok(next)
    } else {
        Err(ApiError::Validation(errors))
    }
}

async fn known_staff(conn: &mut Conn, field: &str, ids: &[Uuid]) -> ApiResult<()> {
    // One query for all attendees, not one each.
    let unknown = crate::db::staff::unknown(conn, ids).await?;
    let errors: Vec<FieldError> = ids
        .iter()
        .enumerate()
        .filter(|(_, id)| unknown.contains(id))
        .map(|(i, _)| FieldError::new(format!("{field}[{i}]"), "no such member of staff"))
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Validation(errors))
    }
}

/// The family's FCAF, which must be agreed for meetings and open for actions.
async fn current_fcaf(conn: &mut Conn, family_id: Uuid, agreed: bool) -> ApiResult<AssessmentRow> {
    let a = aq::open_for_family(conn, family_id).await?.ok_or_else(|| {
        ApiError::Conflict("The family has no open FCAF: its plan belongs to one.".into())
    })?;
    if agreed && a.status != crate::domain::casework::AssessmentStatus::Active {
        return Err(ApiError::Conflict(
            "The FCAF is still a draft: agree it before the team meets to review it.".into(),
        ));
    }
    Ok(a)
}

/// The next review: the date the latest held meeting set, else the first after agreement.
async fn refresh_review(conn: &mut Conn, a: &AssessmentRow, policy: ReviewPolicy) -> ApiResult<()> {
    let due = match q::latest_review(conn, a.id).await? {
        Some(d) => d,
        None => policy.first_due(a.activated_on.unwrap_or(a.started_on)),
    };
    q::set_review_due(conn, a.id, due).await?;
    Ok(())
}

fn meeting_row(
    ctx: &Ctx,
    family_id: Uuid,
    assessment_id: Uuid,
    m: &MeetingInput,
    next: Option<NaiveDate>,
) -> MeetingRow {
    MeetingRow {
        id: Uuid::now_v7(),
        family_id,
        assessment_id,
        meeting_on: m.meeting_on,
        status: m.status,
        family_attended: m.family_attended,
        attendee_staff_ids: m.attendee_staff_ids.clone(),
        attendee_agencies: m
            .attendee_agencies
            .iter()
            .map(|s| crate::api::tidy(s))
            .collect(),
        decisions: m.decisions.as_deref().map(crate::api::tidy),
        notes: m.notes.as_deref().map(crate::api::tidy),
        next_review_on: next,
        recorded_by: ctx.principal.subject.clone(),
        created_at: chrono::Utc::now(),
        version: 1,
    }
}

pub async fn create_meeting(
    pool: &Pool,
    ctx: &Allowed<super::assessments::Work>,
    family_id: Uuid,
    input: MeetingInput,
    idem: Option<Idem>,
    policy: ReviewPolicy,
) -> ApiResult<Reply> {
    if input.status == MeetingStatus::Cancelled {
        return Err(ApiError::validation(
            "status",
            "record a planned or held meeting; cancel a planned one by editing it",
        ));
    }
    let next = check_meeting(&input, policy)?;
    let mut conn = pool.get().await?;
    conn.transaction::<_, ApiError, _>(async |conn| {
        if let Some(replay) = idem_begin(conn, ctx, &idem).await? {
            return Ok(replay);
        }
        visible_family(conn, ctx, family_id, true).await?;
        let a = current_fcaf(conn, family_id, true).await?;
        known_staff(conn, "attendee_staff_ids", &input.attendee_staff_ids).await?;
        let row = q::insert_meeting(conn, meeting_row(ctx, family_id, a.id, &input, next)).await?;
        refresh_review(conn, &a, policy).await?;
        audit(
            conn,
            ctx,
            "meeting.create",
            "taf_meeting",
            &[row.id, a.id, family_id],
        )
        .await?;
        let reply = Reply::created(
            &Meeting::from(row),
            format!("/api/v1/families/{family_id}/taf-meetings"),
            1,
        );
        idem_finish(conn, ctx, &idem, &reply).await?;
        Ok(reply)
    })
    .await
}

pub async fn update_meeting(
    pool: &Pool,
    ctx: &Allowed<super::assessments::Work>,
    (family_id, id): (Uuid, Uuid),
    expected: Option<i32>,
    input: MeetingInput,
    policy: ReviewPolicy,
) -> ApiResult<Reply> {
    let next = if input.status == MeetingStatus::Cancelled {
        None
    } else {
        check_meeting(&input, policy)?
    };
    let mut conn = pool.get().await?;
    conn.transaction::<_, ApiError, _>(async |conn| {
        visible_family(conn, ctx, family_id, true).await?;
        let m = q::find_meeting(conn, family_id, id)
            .await?
            .ok_or_else(|| ApiError::not_found("meeting"))?;
        check_version(expected, m.version)?;
        let a = aq::find(conn, family_id, m.assessment_id, true)
            .await?
            .ok_or_else(|| ApiError::Internal("meeting without assessment".into()))?;
        if a.status == crate::domain::casework::AssessmentStatus::Closed {
            return Err(ApiError::Conflict(
                "The FCAF is closed; its meetings are a record.".into(),
            ));
        }
        if m.status == MeetingStatus::Cancelled {
            return Err(ApiError::Conflict("The meeting was cancelled.".into()));
        }
        known_staff(conn, "attendee_staff_ids", &input.attendee_staff_ids).await?;
        let new = meeting_row(ctx, family_id, a.id, &input, next);
        let row = q::update_meeting(
            conn,
            id,
            q::MeetingChange {
                meeting_on: new.meeting_on,
                status: new.status,
                family_attended: new.family_attended,
                attendee_staff_ids: new.attendee_staff_ids,
                attendee_agencies: new.attendee_agencies,
                decisions: new.decisions,
                notes: new.notes,
                next_review_on: new.next_review_on,
            },
        )
        .await?;
        refresh_review(conn, &a, policy).await?;
        audit(
            conn,
            ctx,
            "meeting.update",
            "taf_meeting",
            &[id, a.id, family_id],
        )
        .await?;
        let version = row.version;
        Ok(Reply::ok(&Meeting::from(row), Some(version)))
    })
    .await
}

pub async fn list_meetings(
    pool: &Pool,
    ctx: &Allowed<super::families::TeamRead>,
    family_id: Uuid,
) -> ApiResult<Reply> {
    super::read(pool, async |conn| {
        visible_family(conn, ctx, family_id, false).await?;
        let rows = q::meetings_of(conn, family_id).await?;
        audit_family_read(
            conn,
            ctx,
            "meeting.list",
            "taf_meeting",
            rows.iter().map(|r| r.id),
            family_id,
        )
        .await?;
        let items: Vec<Meeting> = rows.into_iter().map(Meeting::from).collect();
        Ok(Reply::ok(&Page::all(items), None))
    })
    .await
}

/// Checks an action's owner and member against the records; returns the row's changeable part.
async fn checked_action(
    conn: &mut Conn,
    family_id: Uuid,
    input: &ActionInput,
) -> ApiResult<q::ActionChange> {
    match (input.owner_staff_id, &input.owner_organisation) {
        (Some(s), None) => {
            let staff = crate::db::staff::find(conn, s)
                .await?
                .ok_or_else(|| ApiError::validation("owner_staff_id", "no such member of staff"))?;
            if !staff.active {
                return Err(ApiError::validation(
                    "owner_staff_id",
                    "this member of staff has been deactivated",
                ));
            }
        }
        (None, Some(o)) => {
            if !cq::unknown_organisations(conn, std::slice::from_ref(o))
                .await?
                .is_empty()
            {
                return Err(ApiError::validation(
                    "owner_organisation",
                    "no such organisation (see GET /api/v1/organisations)",
                ));
            }
        }
        _ => {
            return Err(ApiError::validation(
                "owner_staff_id",
                "give exactly one owner: owner_staff_id or owner_organisation",
            ))
        }
    }
    super::consent::family_member(conn, family_id, input.member_id, "member_id").await?;
    Ok(q::ActionChange {
        description: crate::api::tidy(&input.description),
        owner_staff_id: input.owner_staff_id,
        owner_organisation: input.owner_organisation.clone(),
        member_id: input.member_id,
        need: input.need.as_str().into(),
        due_on: input.due_on,
    })
}

async fn shown_action(conn: &mut Conn, row: ActionRow) -> ApiResult<PlanAction> {
    let progress = q::progress_of(conn, &[row.id]).await?;
    Ok(PlanAction::from_rows(row, progress))
}

pub async fn create_action(
    pool: &Pool,
    ctx: &Allowed<super::assessments::Work>,
    family_id: Uuid,
    input: ActionInput,
    idem: Option<Idem>,
) -> ApiResult<Reply> {
    let mut conn = pool.get().await?;
    conn.transaction::<_, ApiError, _>(async |conn| {
        if let Some(replay) = idem_begin(conn, ctx, &idem).await? {
            return Ok(replay);
        }
        visible_family(conn, ctx, family_id, true).await?;
        let a = current_fcaf(conn, family_id, false).await?;
        let c = checked_action(conn, family_id, &input).await?;
        let row = q::insert_action(
            conn,
            ActionRow {
                id: Uuid::now_v7(),
                family_id,
                assessment_id: a.id,
                description: c.description,
                owner_staff_id: c.owner_staff_id,
                owner_organisation: c.owner_organisation,
                member_id: c.member_id,
                need: c.need,
                due_on: c.due_on,
                status: ActionStatus::Open,
                closed_on: None,
                outcome: None,
                closed_by: None,
                created_by: ctx.principal.subject.clone(),
                created_at: chrono::Utc::now(),
                version: 1,
            },
        )
        .await?;
        audit(
            conn,
            ctx,
            "action.create",
            "plan_action",
            &[row.id, a.id, family_id],
        )
        .await?;
        let reply = Reply::created(
            &PlanAction::from_rows(row, vec![]),
            format!("/api/v1/families/{family_id}/actions"),
            1,
        );
        idem_finish(conn, ctx, &idem, &reply).await?;
        Ok(reply)
    })
    .await
}

/// An open action of the family, locked, at the version the caller saw.
async fn open_action(
    conn: &mut Conn,
    family_id: Uuid,
    id: Uuid,
    expected: Option<i32>,
) -> ApiResult<ActionRow> {
    let row = q::find_action(conn, family_id, id)
        .await?
        .ok_or_else(|| ApiError::not_found("action"))?;
    check_version(expected, row.version)?;
    if row.status != ActionStatus::Open {
        return Err(ApiError::Conflict(format!(
            "The action is {}; it no longer changes.",
            row.status
        )));
    }
    Ok(row)
}

pub async fn update_action(
    pool: &Pool,
    ctx: &Allowed<super::assessments::Work>,
    (family_id, id): (Uuid, Uuid),
    expected: Option<i32>,
    input: ActionInput,
) -> ApiResult<Reply> {
    let mut conn = pool.get().await?;
    conn.transaction::<_, ApiError, _>(async |conn| {
        visible_family(conn, ctx, family_id, false).await?;
        open_action(conn, family_id, id, expected).await?;
        let c = checked_action(conn, family_id, &input).await?;
        let row = q::update_action(conn, id, c).await?;
        audit(conn, ctx, "action.update", "plan_action", &[id, family_id]).await?;
        let version = row.version;
        Ok(Reply::ok(&shown_action(conn, row).await?, Some(version)))
    })
    .await
}

pub async fn close_action(
    pool: &Pool,
    ctx: &Allowed<super::assessments::Work>,
    (family_id, id): (Uuid, Uuid),
    expected: Option<i32>,
    input: ActionClose,
    status: ActionStatus,
) -> ApiResult<Reply> {
    let on = past_or_today(input.closed_on, "closed_on")?;
    let mut conn = pool.get().await?;
    conn.transaction::<_, ApiError, _>(async |conn| {
        visible_family(conn, ctx, family_id, false).await?;
        open_action(conn, family_id, id, expected).await?;
        let row = q::close_action(
            conn,
            id,
            status,
            on,
            &crate::api::tidy(&input.outcome),
            &ctx.principal.subject,
        )
        .await?;
        let action = match status {
            ActionStatus::Done => "action.complete",
            _ => "action.drop",
        };
        audit(conn, ctx, action, "plan_action", &[id, family_id]).await?;
        let version = row.version;
        Ok(Reply::ok(&shown_action(conn, row).await?, Some(version)))
    })
    .await
}

pub async fn add_progress(
    pool: &Pool,
    ctx: &Allowed<Progressing>,
    (family_id, id): (Uuid, Uuid),
    input: ProgressCreate,
    idem: Option<Idem>,
) -> ApiResult<Reply> {
    let mut conn = pool.get().await?;
    conn.transaction::<_, ApiError, _>(async |conn| {
        if let Some(replay) = idem_begin(conn, ctx, &idem).await? {
            return Ok(replay);
        }
        visible_family(conn, ctx, family_id, false).await?;
        // A partner's part of the plan is what they own or share; the rest is not theirs to see.
        if super::families::partner_only(ctx)
            && !q::shares(conn, id, &ctx.principal.subject).await?
        {
            return Err(ApiError::not_found("action"));
        }
        let row = open_action(conn, family_id, id, None).await?;
        let p = q::insert_progress(
            conn,
            ProgressRow {
                id: Uuid::now_v7(),
                action_id: id,
                note: crate::api::tidy(&input.note),
                author: ctx.principal.subject.clone(),
                created_at: chrono::Utc::now(),
            },
        )
        .await?;
        audit(
            conn,
            ctx,
            "action.progress",
            "plan_action",
            &[id, p.id, family_id],
        )
        .await?;
        let version = row.version;
        let body = shown_action(conn, row).await?;
        let reply = Reply::created(
            &body,
            format!("/api/v1/families/{family_id}/actions"),
            version,
        );
        idem_finish(conn, ctx, &idem, &reply).await?;
        Ok(reply)
    })
    .await
}

/// Each action with its progress notes, read in one more query.
async fn with_progress(conn: &mut Conn, rows: Vec<ActionRow>) -> ApiResult<Vec<PlanAction>> {
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let mut notes: HashMap<Uuid, Vec<ProgressRow>> = HashMap::new();
    for p in q::progress_of(conn, &ids).await? {
        notes.entry(p.action_id).or_default().push(p);
    }
    Ok(rows
        .into_iter()
        .map(|r| {
            let n = notes.remove(&r.id).unwrap_or_default();
            PlanAction::from_rows(r, n)
        })
        .collect())
}

pub async fn list_actions(
    pool: &Pool,
    ctx: &Allowed<super::families::TeamRead>,
    family_id: Uuid,
    params: HashMap<String, String>,
) -> ApiResult<Reply> {
    let limit = parse_limit(params.get("limit").map(String::as_str))?;
    let filter = q::ActionFilter {
        shared_with: super::families::partner_only(ctx).then(|| ctx.principal.subject.clone()),
        status: params
            .get("status")
            .map(|s| {
                ActionStatus::parse(s).ok_or_else(|| bad_param("status", "open, done or dropped"))
            })
            .transpose()?,
        assessment_id: params
            .get("assessment_id")
            .map(|a| Uuid::parse_str(a).map_err(|_| bad_param("assessment_id", "not a UUID")))
            .transpose()?,
        before_id: params.get("cursor").map(|c| decode_cursor(c)).transpose()?,
    };
    super::read(pool, async |conn| {
        visible_family(conn, ctx, family_id, false).await?;
        let mut rows = q::actions_of(conn, family_id, &filter, limit + 1).await?;
        let next_cursor = crate::api::end_page(&mut rows, limit, |r| r.id);
        audit_family_read(
            conn,
            ctx,
            "action.list",
            "plan_action",
            rows.iter().map(|r| r.id),
            family_id,
        )
        .await?;
        let items = with_progress(conn, rows).await?;
        Ok(Reply::ok(&Page { items, next_cursor }, None))
    })
    .await
}

fn uuid_param(params: &HashMap<String, String>, name: &str) -> ApiResult<Option<Uuid>> {
    params
        .get(name)
        .map(|v| Uuid::parse_str(v).map_err(|_| bad_param(name, "not a UUID")))
        .transpose()
}

/// The staff id whose work a worker's list is limited to; `None` for those who see all. A worker
/// without a staff record has no work, so no id matches.
async fn scope(conn: &mut Conn, ctx: &Ctx, asked: Option<Uuid>) -> ApiResult<Option<Uuid>> {
    if sees_all(ctx) {
        return Ok(asked);
    }
    Ok(Some(
        q::staff_id_of(conn, &ctx.principal.subject)
            .await?
            .unwrap_or(Uuid::nil()),
    ))
}

pub async fn overdue_reviews(
    pool: &Pool,
    ctx: &Allowed<Reviews>,
    params: HashMap<String, String>,
) -> ApiResult<Reply> {
    let limit = parse_limit(params.get("limit").map(String::as_str))?;
    let asked = uuid_param(&params, "lead_worker_id")?;
    let after = params
        .get("cursor")
        .map(|c| decode_dated_cursor(c))
        .transpose()?;
    let today = today();
    super::read(pool, async |conn| {
        let lead = scope(conn, ctx, asked).await?;
        let mut rows = q::overdue_reviews(conn, today, lead, after, limit + 1).await?;
        // Only rows with a due date are overdue, so the key always has one.
        let next_cursor = end_dated_page(&mut rows, limit, |r| {
            (r.review_due_on.unwrap_or(today), r.assessment_id)
        });
        let ids: Vec<Uuid> = rows
            .iter()
            .flat_map(|r| [r.assessment_id, r.family_id])
            .collect();
        audit(conn, ctx, "review.overdue.list", "assessment", &ids).await?;
        let items: Vec<OverdueReview> = rows
            .into_iter()
            .filter_map(|r| {
                let due = r.review_due_on?;
                Some(OverdueReview {
                    family_id: r.family_id,
                    family_reference: r.reference,
                    assessment_id: r.assessment_id,
                    lead_worker_id: r.lead_worker_id,
                    review_due_on: due,
                    days_overdue: (today - due).num_days(),
                })
            })
            .collect();
        Ok(Reply::ok(&Page { items, next_cursor }, None))
    })
    .await
}

pub async fn overdue_actions(
    pool: &Pool,
    ctx: &Allowed<Progressing>,
    params: HashMap<String, String>,
) -> ApiResult<Reply> {
    let limit = parse_limit(params.get("limit").map(String::as_str))?;
    let asked = uuid_param(&params, "owner_staff_id")?;
    let organisation = code_param(&params, "owner_organisation")?;
    let after = params
        .get("cursor")
        .map(|c| decode_dated_cursor(c))
        .transpose()?;
    let today = today();
    super::read(pool, async |conn| {
        let owner = scope(conn, ctx, asked).await?;
        let filter = q::OverdueActionFilter {
            // An owner who no longer works with the family does not see its actions.
            visible_to: (!sees_all(ctx)).then(|| ctx.principal.subject.clone()),
            owner_staff_id: owner,
            // A worker's list is their own actions only.
            owner_organisation: if sees_all(ctx) { organisation } else { None },
            after,
        };
        let mut rows = q::overdue_actions(conn, today, &filter, limit + 1).await?;
        let next_cursor = end_dated_page(&mut rows, limit, |(r, _)| (r.due_on, r.id));
        let ids: Vec<Uuid> = rows.iter().flat_map(|(r, _)| [r.id, r.family_id]).collect();
        audit(conn, ctx, "action.overdue.list", "plan_action", &ids).await?;
        let (actions, refs): (Vec<ActionRow>, Vec<String>) = rows.into_iter().unzip();
        let items: Vec<OverdueAction> = with_progress(conn, actions)
            .await?
            .into_iter()
            .zip(refs)
            .map(|(action, family_reference)| OverdueAction {
                family_reference,
                days_overdue: (today - action.due_on).num_days(),
                action,
            })
            .collect();
        Ok(Reply::ok(&Page { items, next_cursor }, None))
    })
    .await
}
