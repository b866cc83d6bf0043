use actix_web::{get, post, web};

use crate::api::jobs::Job;
use crate::error::{ApiResult, Problem};
use crate::http::extract::{Allowed, PathIds, Policy};
use crate::http::reply::Reply;
use crate::http::AppState;
use crate::service::jobs;

/// Get a background job
///
/// A job's status, attempts and progress (done, total, rate, estimated finish), the same for
/// every kind. A job is visible to whoever may read what it works on (an identification run, a
/// claim window) and to admins.
#[utoipa::path(
    operation_id = "get_job",
    tag = "jobs",
    params(("job_id" = Uuid, Path, description = "Job id")),
    extensions(("x-policy" = json!(jobs::Read::ROLES))),
    responses(
        (status = 200, description = "The job.", body = Job),
        (status = 404, description = "No such job visible to you.", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/jobs/{job_id}")]
pub async fn get_job(
    ctx: Allowed<jobs::Read>,
    state: web::Data<AppState>,
    path: PathIds,
) -> ApiResult<Reply> {
    jobs::get(&state.pool, &ctx, path.one()).await
}

/// Cancel a background job
///
/// A queued job is cancelled at once; a running one stops at its next step, and the step it was
/// working on is not committed. Its run is then `cancelled`, or its claim window `failed` (and
/// may be computed again). Cancelled by whoever may start that kind of job (coordinators and
/// managers for identification runs, claims officers for claim windows) and by admins.
#[utoipa::path(
    operation_id = "cancel_job",
    tag = "jobs",
    params(("job_id" = Uuid, Path, description = "Job id")),
    extensions(("x-policy" = json!(jobs::Cancel::ROLES))),
    responses(
        (status = 202, description = "Cancelled, or asked to stop at its next step.", body = Job),
        (status = 403, description = "Your roles may read this job but not cancel it.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such job visible to you.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The job has already ended.", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/jobs/{job_id}/cancel")]
pub async fn cancel_job(
    ctx: Allowed<jobs::Cancel>,
    state: web::Data<AppState>,
    path: PathIds,
) -> ApiResult<Reply> {
    jobs::cancel(&state.pool, &ctx, path.one()).await
}

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(get_job).service(cancel_job);
}
