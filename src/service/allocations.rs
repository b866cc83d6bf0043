//! Dedicated workers: one open allocation per family, a team's limit held by the database, a
//! worker's whole caseload moved in one action, and the open families left without a worker.

use std::collections::HashMap;

use diesel_async::AsyncConnection;
use uuid::Uuid;

use super::{audit, audit_family_read, idem_begin, idem_finish, Idem};
use crate::api::allocations::*;
use crate::api::{decode_cursor, end_page, parse_limit, Page};
use crate::auth::Role;
use crate::context::{Allowed, Ctx, Policy};
use crate::db::allocations::{self as q, AllocationRow};
use crate::db::staff::StaffRow;
use crate::db::{staff as sq, Conn, Pool};
use crate::error::{ApiError, ApiResult};
use crate::http::reply::Reply;

/// Coordinators and managers allocate; managers move a whole caseload.
pub const ALLOCATE: &[Role] = &[Role::Coordinator, Role::Manager];
pub const REALLOCATE: &[Role] = &[Role::Manager];
pub const READ: &[Role] = &[Role::Coordinator, Role::Manager, Role::Admin, Role::Auditor];

pub struct Allocate;
impl Policy for Allocate {
    const ROLES: &'static [Role] = ALLOCATE;
}
pub struct Reallocate;
impl Policy for Reallocate {
    const ROLES: &'static [Role] = REALLOCATE;
}
pub struct Read;
impl Policy for Read {
    const ROLES: &'static [Role] = READ;
}

/// Only these posts can be a family's dedicated worker (docs/rules.md, "How families are
/// worked with"). The employment adviser seconded from DWP "carries a small caseload" of their
/// own (review of May 2014), so the families allocated to them are theirs as to a key worker.
const DEDICATED: [&str; 4] = [
    "key_worker",
    "lead_worker",
    "provider_lead_worker",
    "employment_adviser",
];

/// A worker who can take families: exists, active, in a dedicated-worker post.
async fn worker(conn: &mut Conn, id: Uuid, field: &str) -> ApiResult<StaffRow> {
    let s = sq::find(conn, id)
        .await?
        .ok_or_else(|| ApiError::validation(field, "no such member of staff"))?;
    if !s.active {
        return Err(ApiError::validation(
            field,
            "this member of staff has been deactivated",
        ));
    }
    if !DEDICATED.contains(&s.staff_role.as_str()) {
        return Err(ApiError::validation(
            field,
            "only key workers, lead workers, providers' lead workers and employment advisers hold families",
        ));
    }
    Ok(s)
}

/// The database refuses an allocation past a team's limit; that is a 409 carrying the count.
fn capacity(e: diesel::result::Error) -> ApiError {
    use diesel::result::{DatabaseErrorKind, Error};
    match e {
        Error::DatabaseError(DatabaseErrorKind::CheckViolation, info)
            if info.message().starts_with("capacity: ") =>
        {
            ApiError::Conflict(format!(
                "The team is full: {}. End an allocation first.",
                info.message().trim_start_matches("capacity: ")
            ))
        }
        Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => {
            ApiError::Conflict("The family was allocated by someone else meanwhile; retry.".into())
        }
        other => other.into(),
    }
}

async fn open(
    conn: &mut Conn,
    ctx: &Ctx,
    family_id: Uuid,
    staff: &StaffRow,
) -> ApiResult<AllocationRow> {
    q::insert(
        conn,
        AllocationRow {
            id: Uuid::now_v7(),
            family_id,
            staff_id: staff.id,
            team_code: staff.team_code.clone(),
            started_at: chrono::Utc::now(),
            ended_at: None,
            end_reason: None,
            allocated_by: ctx.principal.subject.clone(),
            ended_by: None,
        },
    )
    .await
    .map_err(capacity)
}

pub async fn allocate(
    pool: &Pool,
    ctx: &Allowed<Allocate>,
    family_id: Uuid,
    input: AllocationCreate,
    idem: Option<Idem>,
) -> ApiResult<Reply> {
    let mut conn = pool.get().await?;
    conn.transaction::<_, ApiError, _>(async |conn| {
        if let Some(replay) = idem_begin(conn, ctx, &idem).await? {
            return Ok(replay);
        }
        let family = super::families::visible_family(conn, ctx, family_id, true).await?;
        if family.status == "closed" {
            return Err(ApiError::Conflict(
                "A closed family has no dedicated worker.".into(),
            ));
        }
        let staff = worker(conn, input.staff_id, "staff_id").await?;
        let mut ids = vec![family_id, staff.id];
        if let Some(current) = q::open_for_family(conn, family_id).await? {
            if current.staff_id == staff.id {
                return Err(ApiError::Conflict(
                    "The family is already allocated to this worker.".into(),
                ));
            }
            q::end(conn, &[current.id], "reallocated", &ctx.principal.subject).await?;
            ids.push(current.id);
        }
        let row = open(conn, ctx, family_id, &staff).await?;
        ids.push(row.id);
        audit(conn, ctx, "allocation.create", "allocation", &ids).await?;
        let body = Allocation::from(row);
        let reply = Reply::created(
            &body,
            format!("/api/v1/families/{family_id}/allocations"),
            1,
        );
        idem_finish(conn, ctx, &idem, &reply).await?;
        Ok(reply)
    })
    .await
}

pub async fn end(
    pool: &Pool,
    ctx: &Allowed<Allocate>,
    family_id: Uuid,
    input: AllocationEnd,
) -> ApiResult<Reply> {
    let mut conn = pool.get().await?;
    conn.transaction::<_, ApiError, _>(async |conn| {
        super::families::visible_family(conn, ctx, family_id, true).await?;
        let current = q::open_for_family(conn, family_id)
            .await?
            .ok_or_else(|| ApiError::Conflict("The family has no open allocation.".into()))?;
        q::end(
            conn,
            &[current.id],
            input.reason.as_str(),
            &ctx.principal.subject,
        )
        .await?;
        audit(
            conn,
            ctx,
            "allocation.end",
            "allocation",
            &[current.id, family_id, current.staff_id],
        )
        .await?;
        let history = q::history(conn, family_id).await?;
        let items: Vec<Allocation> = history.into_iter().map(Allocation::from).collect();
        Ok(Reply::ok(&Page::all(items), None))
    })
    .await
}

pub async fn history(pool: &Pool, ctx: &Allowed<Read>, family_id: Uuid) -> ApiResult<Reply> {
    super::read(pool, async |conn| {
        super::families::visible_family(conn, ctx, family_id, false).await?;
        let rows = q::history(conn, family_id).await?;
        audit_family_read(
            conn,
            ctx,
            "allocation.list",
            "allocation",
            rows.iter().map(|r| r.id),
            family_id,
        )
        .await?;
        let items: Vec<Allocation> = rows.into_iter().map(Allocation::from).collect();
        Ok(Reply::ok(&Page::all(items), None))
    })
    .await
}

pub async fn reallocate(
    pool: &Pool,
    ctx: &Allowed<Reallocate>,
    from: Uuid,
    input: Reallocation,
) -> ApiResult<Reply> {
    let mut conn = pool.get().await?;
    conn.transaction::<_, ApiError, _>(async |conn| {
        let leaver = sq::find(conn, from)
            .await?
            .ok_or_else(|| ApiError::not_found("member of staff"))?;
        if input.to_staff_id == leaver.id {
            return Err(ApiError::validation(
                "to_staff_id",
                "must be another worker",
            ));
        }
        let to = worker(conn, input.to_staff_id, "to_staff_id").await?;
        let open_now = q::open_for_staff(conn, leaver.id).await?;
        let reason = if leaver.active {
            "reallocated"
        } else {
            "worker_left"
        };
        let ids: Vec<Uuid> = open_now.iter().map(|a| a.id).collect();
        q::end(conn, &ids, reason, &ctx.principal.subject).await?;
        let mut family_ids = Vec::new();
        for a in &open_now {
            // All or nothing: one family over the receiving team's limit undoes the whole move.
            open(conn, ctx, a.family_id, &to).await?;
            family_ids.push(a.family_id);
        }
        let mut audited = family_ids.clone();
        audited.extend([leaver.id, to.id]);
        audit(conn, ctx, "allocation.reallocate", "allocation", &audited).await?;
        // The rest of the caseload moves with the families, in the same transaction: the FCAFs
        // the leaver leads and the actions they own, each named in the audit. The receiver
        // joins each family's Team Around the Family, as a new lead or owner would.
        let assessments = crate::db::assessments::hand_over_led(conn, leaver.id, to.id).await?;
        let actions = crate::db::plans::hand_over_owned(conn, leaver.id, to.id).await?;
        let mut joined: Vec<Uuid> = assessments.iter().chain(&actions).map(|r| r.1).collect();
        joined.sort();
        joined.dedup();
        let today = super::families::today();
        for family_id in joined {
            super::timeline::ensure_on_team(conn, ctx, family_id, to.id, today).await?;
        }
        let assessment_ids: Vec<Uuid> = assessments.iter().map(|r| r.0).collect();
        let action_ids: Vec<Uuid> = actions.iter().map(|r| r.0).collect();
        if !assessment_ids.is_empty() {
            let mut ids = assessment_ids.clone();
            ids.extend([leaver.id, to.id]);
            audit(conn, ctx, "assessment.lead_handed_over", "assessment", &ids).await?;
        }
        if !action_ids.is_empty() {
            let mut ids = action_ids.clone();
            ids.extend([leaver.id, to.id]);
            audit(
                conn,
                ctx,
                "plan_action.owner_handed_over",
                "plan_action",
                &ids,
            )
            .await?;
        }
        Ok(Reply::ok(
            &ReallocationDone {
                moved: family_ids.len() as i32,
                family_ids,
                assessment_ids,
                action_ids,
            },
            None,
        ))
    })
    .await
}

pub async fn unallocated(
    pool: &Pool,
    ctx: &Allowed<Read>,
    params: HashMap<String, String>,
) -> ApiResult<Reply> {
    let limit = parse_limit(params.get("limit").map(String::as_str))?;
    let after = params.get("cursor").map(|c| decode_cursor(c)).transpose()?;
    super::read(pool, async |conn| {
        let mut rows = q::unallocated(conn, after, limit + 1).await?;
        let next_cursor = end_page(&mut rows, limit, |r| r.0);
        let ids: Vec<Uuid> = rows.iter().map(|r| r.0).collect();
        audit(conn, ctx, "allocation.unallocated", "family", &ids).await?;
        let items: Vec<UnallocatedFamily> = rows
            .into_iter()
            .map(|(family_id, reference, postcode)| UnallocatedFamily {
                family_id,
                reference,
                postcode,
            })
            .collect();
        Ok(Reply::ok(&Page { items, next_cursor }, None))
    })
    .await
}
