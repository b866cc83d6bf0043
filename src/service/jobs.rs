//! Background jobs as people see them: a job is visible to whoever may read what it works on
//! (and to admins, who run the service), and cancelled by whoever may start it.

use uuid::Uuid;

use super::audit;
use crate::api::jobs::Job;
use crate::auth::Role;
use crate::context::{Allowed, Ctx, Policy};
use crate::db::jobs as q;
use crate::db::Pool;
use crate::domain::jobs::JobKind;
use crate::error::{ApiError, ApiResult};
use crate::http::reply::Reply;
use crate::jobs::context::Ending;

/// Everyone who may read some kind of job.
pub const READ: &[Role] = &[
    Role::Coordinator,
    Role::Manager,
    Role::Auditor,
    Role::ClaimsOfficer,
    Role::Admin,
];
/// Everyone who may start some kind of job.
pub const CANCEL: &[Role] = &[
    Role::Coordinator,
    Role::Manager,
    Role::ClaimsOfficer,
    Role::Admin,
];

pub struct Read;
impl Policy for Read {
    const ROLES: &'static [Role] = READ;
}
pub struct Cancel;
impl Policy for Cancel {
    const ROLES: &'static [Role] = CANCEL;
}

/// Who may read, and who may cancel, a job of this kind besides admins.
fn roles(kind: JobKind) -> (&'static [Role], &'static [Role]) {
    match kind {
        JobKind::IdentificationRun => (super::identification::READ, super::identification::START),
        JobKind::ClaimWindow => (super::claims::READ, super::claims::RUN),
        JobKind::IdempotencyExpiry => (&[], &[]),
    }
}

fn may(ctx: &Ctx, allowed: &[Role]) -> bool {
    ctx.principal.has(Role::Admin) || ctx.principal.roles.iter().any(|r| allowed.contains(r))
}

pub async fn get(pool: &Pool, ctx: &Allowed<Read>, id: Uuid) -> ApiResult<Reply> {
    let mut conn = pool.get().await?;
    let job = q::find(&mut conn, id)
        .await?
        .filter(|j| may(ctx, roles(j.kind).0))
        .ok_or_else(|| ApiError::not_found("job"))?;
    Ok(Reply::ok(&Job::of(&job, chrono::Utc::now()), None))
}

/// Asks a job to stop: a queued job is cancelled at once, a running one at its next step (its
/// current step is not committed), and its record says who cancelled it. A job already ended is
/// 409.
pub async fn cancel(pool: &Pool, ctx: &Allowed<Cancel>, id: Uuid) -> ApiResult<Reply> {
    let mut conn = pool.get().await?;
    let job = q::find(&mut conn, id)
        .await?
        .filter(|j| may(ctx, roles(j.kind).0))
        .ok_or_else(|| ApiError::not_found("job"))?;
    if !may(ctx, roles(job.kind).1) {
        return Err(ApiError::Forbidden(
            "Your roles do not allow cancelling this kind of job.".into(),
        ));
    }
    if !job.status.is_live() {
        return Err(ApiError::Conflict(format!(
            "The job has already ended ({}).",
            job.status
        )));
    }
    use diesel_async::AsyncConnection;
    let row = conn
        .transaction::<_, ApiError, _>(async |conn| {
            let row = q::request_cancel(conn, id, &ctx.principal.subject)
                .await?
                .ok_or_else(|| ApiError::not_found("job"))?;
            if row.status == crate::domain::jobs::JobStatus::Cancelled {
                // Cancelled before it started: its record ends here too.
                crate::jobs::runner::end(conn, &row, &Ending::Cancelled(&ctx.principal.subject))
                    .await?;
            }
            audit(conn, ctx, "job.cancel", "job", &[id]).await?;
            Ok(row)
        })
        .await?;
    let mut reply = Reply::ok(&Job::of(&row, chrono::Utc::now()), None);
    reply.status = 202;
    Ok(reply)
}
