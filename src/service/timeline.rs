//! The Team Around the Family's membership, and the family's one timeline of social care plans
//! and early help (docs/rules.md, "Step up / step down").

use chrono::{Days, NaiveDate};
use diesel_async::AsyncConnection;
use uuid::Uuid;

use super::families::{today, visible_family};
use super::{audit, audit_family_read, idem_begin, idem_finish, Idem};
use crate::api::timeline::*;
use crate::api::Page;
use crate::auth::Role;
use crate::context::{Allowed, Ctx, Policy};
use crate::db::episodes::{self as eq, EpisodeRow};
use crate::db::taf::{self as tq, TafMemberRow};
use crate::db::{families as fq, staff as sq, Conn, Pool};
use crate::domain::casework;
use crate::error::{ApiError, ApiResult};
use crate::http::extract::check_version;
use crate::http::reply::Reply;

/// Coordinators, managers and lead workers convene the Team Around the Family.
pub const TEAM: &[Role] = &[Role::Coordinator, Role::Manager, Role::LeadWorker];

pub struct Team;
impl Policy for Team {
    const ROLES: &'static [Role] = TEAM;
}

/// A date the caller gave, or today; never in the future.
pub fn past_or_today(given: Option<NaiveDate>, field: &str) -> ApiResult<NaiveDate> {
    let today = today();
    match given {
        Some(d) if d > today => Err(ApiError::validation(field, "must not be in the future")),
        Some(d) => Ok(d),
        None => Ok(today),
    }
}

/// Seats the member of staff on the family's team from `on`, unless they sit on it already. The
/// seat lets a worker see the family, so it is audited whatever action made it.
pub async fn ensure_on_team(
    conn: &mut Conn,
    ctx: &Ctx,
    family_id: Uuid,
    staff_id: Uuid,
    on: NaiveDate,
) -> ApiResult<Option<TafMemberRow>> {
    if tq::sits_on(conn, family_id, staff_id).await? {
        return Ok(None);
    }
    let row = tq::insert(
        conn,
        TafMemberRow {
            id: Uuid::now_v7(),
            family_id,
            staff_id,
            joined_on: on,
            left_on: None,
            added_by: ctx.principal.subject.clone(),
            removed_by: None,
            created_at: chrono::Utc::now(),
            version: 1,
        },
    )
    .await?;
    audit(
        conn,
        ctx,
        "taf.member.add",
        "taf_member",
        &[row.id, family_id, staff_id],
    )
    .await?;
    Ok(Some(row))
}

pub async fn add_member(
    pool: &Pool,
    ctx: &Allowed<Team>,
    family_id: Uuid,
    input: TafMemberCreate,
    idem: Option<Idem>,
) -> ApiResult<Reply> {
    let joined_on = past_or_today(input.joined_on, "joined_on")?;
    let mut conn = pool.get().await?;
    conn.transaction::<_, ApiError, _>(async |conn| {
        if let Some(replay) = idem_begin(conn, ctx, &idem).await? {
            return Ok(replay);
        }
        visible_family(conn, ctx, family_id, true).await?;
        let staff = sq::find(conn, input.staff_id)
            .await?
            .ok_or_else(|| ApiError::validation("staff_id", "no such member of staff"))?;
        if !staff.active {
            return Err(ApiError::validation(
                "staff_id",
                "this member of staff has been deactivated",
            ));
        }
        let row = ensure_on_team(conn, ctx, family_id, staff.id, joined_on)
            .await?
            .ok_or_else(|| {
                ApiError::Conflict("This member of staff already sits on the team.".into())
            })?;
        let reply = Reply::created(
            &TafMember::from(row),
            format!("/api/v1/families/{family_id}/team"),
            1,
        );
        idem_finish(conn, ctx, &idem, &reply).await?;
        Ok(reply)
    })
    .await
}

pub async fn list_members(
    pool: &Pool,
    ctx: &Allowed<super::families::TeamRead>,
    family_id: Uuid,
) -> ApiResult<Reply> {
    super::read(pool, async |conn| {
        visible_family(conn, ctx, family_id, false).await?;
        let rows = tq::list(conn, family_id).await?;
        audit_family_read(
            conn,
            ctx,
            "taf.member.list",
            "taf_member",
            rows.iter().map(|r| r.id),
            family_id,
        )
        .await?;
        let items: Vec<TafMember> = rows.into_iter().map(TafMember::from).collect();
        Ok(Reply::ok(&Page::all(items), None))
    })
    .await
}

pub async fn leave(
    pool: &Pool,
    ctx: &Allowed<Team>,
    (family_id, id): (Uuid, Uuid),
    expected: Option<i32>,
    input: TafMemberLeave,
) -> ApiResult<Reply> {
    let left_on = past_or_today(input.left_on, "left_on")?;
    let mut conn = pool.get().await?;
    conn.transaction::<_, ApiError, _>(async |conn| {
        visible_family(conn, ctx, family_id, true).await?;
        let row = tq::find(conn, family_id, id)
            .await?
            .ok_or_else(|| ApiError::not_found("team member"))?;
        check_version(expected, row.version)?;
        if row.left_on.is_some() {
            return Err(ApiError::Conflict(
                "They have already left the team.".into(),
            ));
        }
        if left_on < row.joined_on {
            return Err(ApiError::validation(
                "left_on",
                format!("must not be before they joined ({})", row.joined_on),
            ));
        }
        if crate::db::assessments::open_for_family(conn, family_id)
            .await?
            .is_some_and(|a| a.lead_worker_id == row.staff_id)
        {
            return Err(ApiError::Conflict(
                "They lead the family's FCAF: name another lead worker first.".into(),
            ));
        }
        let row = tq::leave(conn, id, left_on, &ctx.principal.subject).await?;
        audit(
            conn,
            ctx,
            "taf.member.leave",
            "taf_member",
            &[id, family_id],
        )
        .await?;
        let version = row.version;
        Ok(Reply::ok(&TafMember::from(row), Some(version)))
    })
    .await
}

/// An episode overlapping another of its kind for the same person is refused by the database.
fn overlap(e: diesel::result::Error) -> ApiError {
    use diesel::result::Error;
    match e {
        Error::DatabaseError(_, ref info)
            if info.constraint_name() == Some("care_episodes_no_overlap") =>
        {
            ApiError::Conflict(
                "It overlaps an episode of the same kind for the same person on the timeline."
                    .into(),
            )
        }
        other => other.into(),
    }
}

pub struct NewEpisode<'a> {
    pub family_id: Uuid,
    pub member_id: Option<Uuid>,
    pub kind: EpisodeKind,
    pub started_on: NaiveDate,
    pub agreed_by: &'a str,
    pub follows: Option<Uuid>,
    pub assessment_id: Option<Uuid>,
}

/// Puts an episode on the timeline. When it follows another still open, that one ends the day
/// before (a step up or down is one move, agreed once).
pub async fn start_episode(
    conn: &mut Conn,
    ctx: &Ctx,
    new: NewEpisode<'_>,
) -> ApiResult<Vec<Uuid>> {
    let mut ids = Vec::new();
    let mut direction = "start";
    if let Some(fid) = new.follows {
        let prior = eq::find(conn, new.family_id, fid).await?.ok_or_else(|| {
            ApiError::validation(
                "follows_episode_id",
                "no such episode on this family's timeline",
            )
        })?;
        if prior.started_on >= new.started_on {
            return Err(ApiError::validation(
                "started_on",
                format!(
                    "must be after the episode it follows began ({})",
                    prior.started_on
                ),
            ));
        }
        match prior.ended_on {
            Some(end) if end > new.started_on => {
                return Err(ApiError::validation(
                    "started_on",
                    format!("must not be before the episode it follows ended ({end})"),
                ));
            }
            Some(_) => {}
            None if prior.kind == "fcaf" => {
                return Err(ApiError::Conflict(
                    "The FCAF it follows is open: close it (reason stepped_up) first.".into(),
                ));
            }
            None => {
                let end = new.started_on - Days::new(1);
                let reason = format!(
                    "{} to {}",
                    casework::direction(&prior.kind, new.kind.as_str()).replace('_', " "),
                    new.kind.as_str().replace('_', " ")
                );
                eq::end(
                    conn,
                    prior.id,
                    end,
                    new.agreed_by,
                    Some(&reason),
                    &ctx.principal.subject,
                )
                .await?;
            }
        }
        direction = casework::direction(&prior.kind, new.kind.as_str());
        ids.push(prior.id);
    }
    let row = eq::insert(
        conn,
        EpisodeRow {
            id: Uuid::now_v7(),
            family_id: new.family_id,
            member_id: new.member_id,
            kind: new.kind.as_str().into(),
            started_on: new.started_on,
            ended_on: None,
            direction: direction.into(),
            follows_id: new.follows,
            assessment_id: new.assessment_id,
            agreed_by: crate::api::tidy(new.agreed_by),
            recorded_by: ctx.principal.subject.clone(),
            end_agreed_by: None,
            end_reason: None,
            ended_by: None,
            created_at: chrono::Utc::now(),
            version: 1,
        },
    )
    .await
    .map_err(overlap)?;
    ids.insert(0, row.id);
    Ok(ids)
}

pub async fn create_episode(
    pool: &Pool,
    ctx: &Allowed<super::consent::Record>,
    family_id: Uuid,
    input: EpisodeCreate,
    idem: Option<Idem>,
) -> ApiResult<Reply> {
    if input.kind == EpisodeKind::Fcaf {
        return Err(ApiError::validation(
            "kind",
            "an FCAF enters the timeline when it is agreed: POST .../assessments/{id}/activate",
        ));
    }
    let childs = matches!(
        input.kind,
        EpisodeKind::ChildProtectionPlan | EpisodeKind::ChildInNeedPlan
    );
    if childs != input.member_id.is_some() {
        return Err(ApiError::validation(
            "member_id",
            if childs {
                "a child protection or child in need plan names the child"
            } else {
                "this kind is the family's, not one member's"
            },
        ));
    }
    past_or_today(Some(input.started_on), "started_on")?;
    let mut conn = pool.get().await?;
    conn.transaction::<_, ApiError, _>(async |conn| {
        if let Some(replay) = idem_begin(conn, ctx, &idem).await? {
            return Ok(replay);
        }
        visible_family(conn, ctx, family_id, true).await?;
        if let Some(m) = input.member_id {
            let member = fq::find_member(conn, family_id, m).await?.ok_or_else(|| {
                ApiError::validation("member_id", "not a current member of this family")
            })?;
            if member.member_role != "child" {
                return Err(ApiError::validation(
                    "member_id",
                    "a plan of this kind is a child's",
                ));
            }
        }
        let ids = start_episode(
            conn,
            ctx,
            NewEpisode {
                family_id,
                member_id: input.member_id,
                kind: input.kind,
                started_on: input.started_on,
                agreed_by: &input.agreed_by,
                follows: input.follows_episode_id,
                assessment_id: None,
            },
        )
        .await?;
        let mut audited = ids.clone();
        audited.push(family_id);
        audit(conn, ctx, "episode.create", "care_episode", &audited).await?;
        let row = eq::find(conn, family_id, ids[0])
            .await?
            .ok_or_else(|| ApiError::Internal("episode vanished".into()))?;
        let reply = Reply::created(
            &Episode::from(row),
            format!("/api/v1/families/{family_id}/care-episodes"),
            1,
        );
        idem_finish(conn, ctx, &idem, &reply).await?;
        Ok(reply)
    })
    .await
}

pub async fn timeline(
    pool: &Pool,
    ctx: &Allowed<super::families::Read>,
    family_id: Uuid,
) -> ApiResult<Reply> {
    super::read(pool, async |conn| {
        visible_family(conn, ctx, family_id, false).await?;
        let rows = eq::timeline(conn, family_id).await?;
        audit_family_read(
            conn,
            ctx,
            "episode.list",
            "care_episode",
            rows.iter().map(|r| r.id),
            family_id,
        )
        .await?;
        let items: Vec<Episode> = rows.into_iter().map(Episode::from).collect();
        Ok(Reply::ok(&Page::all(items), None))
    })
    .await
}

pub async fn end_episode(
    pool: &Pool,
    ctx: &Allowed<super::consent::Record>,
    (family_id, id): (Uuid, Uuid),
    expected: Option<i32>,
    input: EpisodeEnd,
) -> ApiResult<Reply> {
    past_or_today(Some(input.ended_on), "ended_on")?;
    let mut conn = pool.get().await?;
    conn.transaction::<_, ApiError, _>(async |conn| {
        visible_family(conn, ctx, family_id, true).await?;
        let row = eq::find(conn, family_id, id)
            .await?
            .ok_or_else(|| ApiError::not_found("episode"))?;
        check_version(expected, row.version)?;
        if row.kind == "fcaf" {
            return Err(ApiError::Conflict(
                "An FCAF's episode ends when the FCAF is closed.".into(),
            ));
        }
        if row.ended_on.is_some() {
            return Err(ApiError::Conflict("This episode has already ended.".into()));
        }
        if input.ended_on < row.started_on {
            return Err(ApiError::validation(
                "ended_on",
                format!("must not be before it started ({})", row.started_on),
            ));
        }
        let row = eq::end(
            conn,
            id,
            input.ended_on,
            &crate::api::tidy(&input.agreed_by),
            input.reason.as_deref().map(crate::api::tidy).as_deref(),
            &ctx.principal.subject,
        )
        .await?;
        audit(conn, ctx, "episode.end", "care_episode", &[id, family_id]).await?;
        let version = row.version;
        Ok(Reply::ok(&Episode::from(row), Some(version)))
    })
    .await
}
