//! Staff records and teams. Deactivating a member of staff stops their tokens at once.

use std::collections::HashMap;

use diesel_async::AsyncConnection;
use uuid::Uuid;

use super::{audit, idem_begin, idem_finish, Idem};
use crate::api::staff::*;
use crate::api::{decode_cursor, end_page, parse_limit, Page};
use crate::auth::Role;
use crate::context::{Allowed, Policy};
use crate::db::staff::{self as q, StaffRow};
use crate::db::Pool;
use crate::error::{ApiError, ApiResult};
use crate::http::extract::bad_param;
use crate::http::reply::Reply;

/// Administrators manage staff records.
pub const ADMIN: &[Role] = &[Role::Admin];
/// Who may see the staff list (names are personal data: audited).
pub const READ: &[Role] = &[Role::Coordinator, Role::Manager, Role::Admin, Role::Auditor];

pub struct Admin;
impl Policy for Admin {
    const ROLES: &'static [Role] = ADMIN;
}
pub struct Read;
impl Policy for Read {
    const ROLES: &'static [Role] = READ;
}

pub async fn create(
    pool: &Pool,
    ctx: &Allowed<Admin>,
    input: StaffCreate,
    idem: Option<Idem>,
) -> ApiResult<Reply> {
    let mut conn = pool.get().await?;
    conn.transaction::<_, ApiError, _>(async |conn| {
        if let Some(replay) = idem_begin(conn, ctx, &idem).await? {
            return Ok(replay);
        }
        if let Some(team) = &input.team {
            if !q::team_exists(conn, team).await? {
                return Err(ApiError::validation(
                    "team",
                    "no such team (see GET /api/v1/teams)",
                ));
            }
        }
        let row = q::insert(
            conn,
            StaffRow {
                id: Uuid::now_v7(),
                subject: input.subject.clone(),
                name: crate::api::tidy(&input.name),
                staff_role: input.staff_role.as_str().into(),
                team_code: input.team.clone(),
                organisation: crate::api::tidy(&input.organisation),
                active: true,
                deactivated_at: None,
                deactivated_by: None,
                created_at: chrono::Utc::now(),
                version: 1,
            },
        )
        .await
        .map_err(|e| match e {
            diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::UniqueViolation,
                _,
            ) => ApiError::Conflict("A member of staff already has that token subject.".into()),
            other => other.into(),
        })?;
        audit(conn, ctx, "staff.create", "staff", &[row.id]).await?;
        let body = Staff::from(row);
        let reply = Reply::created(&body, format!("/api/v1/staff/{}", body.id), body.version);
        idem_finish(conn, ctx, &idem, &reply).await?;
        Ok(reply)
    })
    .await
}

pub async fn get(pool: &Pool, ctx: &Allowed<Read>, id: Uuid) -> ApiResult<Reply> {
    super::read(pool, async |conn| {
        let row = q::find(conn, id)
            .await?
            .ok_or_else(|| ApiError::not_found("member of staff"))?;
        audit(conn, ctx, "staff.read", "staff", &[id]).await?;
        let body = Staff::from(row);
        Ok(Reply::ok(&body, Some(body.version)))
    })
    .await
}

pub async fn list(
    pool: &Pool,
    ctx: &Allowed<Read>,
    params: HashMap<String, String>,
) -> ApiResult<Reply> {
    let limit = parse_limit(params.get("limit").map(String::as_str))?;
    let after = params.get("cursor").map(|c| decode_cursor(c)).transpose()?;
    let active = match params.get("active").map(String::as_str) {
        None => None,
        Some("true") => Some(true),
        Some("false") => Some(false),
        Some(_) => return Err(bad_param("active", "true or false")),
    };
    let team = params.get("team").cloned();
    if let Some(t) = &team {
        if !(2..=40).contains(&t.len())
            || !t
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            return Err(bad_param("team", "a team code, e.g. family-recovery"));
        }
    }
    super::read(pool, async |conn| {
        let mut rows = q::list(conn, team.as_deref(), active, after, limit + 1).await?;
        let next_cursor = end_page(&mut rows, limit, |r| r.id);
        let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
        audit(conn, ctx, "staff.list", "staff", &ids).await?;
        let items: Vec<Staff> = rows.into_iter().map(Staff::from).collect();
        Ok(Reply::ok(&Page { items, next_cursor }, None))
    })
    .await
}

pub async fn deactivate(pool: &Pool, ctx: &Allowed<Admin>, id: Uuid) -> ApiResult<Reply> {
    let mut conn = pool.get().await?;
    conn.transaction::<_, ApiError, _>(async |conn| {
        let current = q::find(conn, id)
            .await?
            .ok_or_else(|| ApiError::not_found("member of staff"))?;
        if current.subject == ctx.principal.subject {
            return Err(ApiError::Conflict(
                "You cannot deactivate yourself; ask another administrator.".into(),
            ));
        }
        // Open casework must not be left with nobody: a leader of open FCAFs or owner of open
        // actions is deactivated only once a manager has handed them on.
        let led = crate::db::assessments::open_led_by(conn, id).await?;
        let owned = crate::db::plans::open_owned_by(conn, id).await?;
        if led > 0 || owned > 0 {
            return Err(ApiError::Conflict(format!(
                "This member of staff leads {led} open FCAF(s) and owns {owned} open action(s): a \
                 manager moves them with POST /api/v1/staff/{id}/reallocate (naming who receives \
                 them) before they are deactivated."
            )));
        }
        let row = match q::deactivate(conn, id, &ctx.principal.subject).await? {
            Some(r) => r,
            None => return Err(ApiError::Conflict("Already deactivated.".into())),
        };
        audit(conn, ctx, "staff.deactivate", "staff", &[id]).await?;
        let body = Staff::from(row);
        Ok(Reply::ok(&body, Some(body.version)))
    })
    .await
}

pub async fn teams(pool: &Pool, ctx: &Allowed<Read>) -> ApiResult<Reply> {
    // Those who allocate see each team's open families against its limit; the count is the
    // capacity report's, so the two never disagree.
    let allocates = Allowed::<super::allocations::Allocate>::check((**ctx).clone()).is_ok();
    let mut conn = pool.get().await?;
    let items: Vec<Team> = crate::db::reports::teams(&mut conn)
        .await?
        .into_iter()
        .map(|t| Team {
            code: t.team_code,
            name: t.name,
            open_case_limit: t.open_case_limit,
            open_families: allocates.then_some(t.open),
        })
        .collect();
    Ok(Reply::ok(&Page::all(items), None))
}
