use actix_web::{get, post, web, HttpRequest};

use crate::api::identification::*;
use crate::api::params;
use crate::api::Page;
use crate::error::{ApiResult, Problem};
use crate::http::extract::{idem, query_map, Allowed, Body, PathIds, Policy};
use crate::http::reply::Reply;
use crate::http::AppState;
use crate::service::{self, identification as ident};

/// Start an identification run
///
/// Judges every current family under a ruleset on a date, in the background. Answers 202 with
/// the run's URL at once; the run reports its progress there and, when it has finished, lists the
/// eligible families not yet attached.
#[utoipa::path(
    operation_id = "create_identification_run",
    tag = "identification",
    request_body = RunCreate,
    params(params::IdempotencyKey),
    extensions(("x-policy" = json!(ident::Start::ROLES))),
    responses(
        (status = 202, description = "Queued.", body = Run,
         headers(("Location" = String, description = "URL of the run"))),
    )
)]
#[post("/identification-runs")]
pub async fn create_identification_run(
    req: HttpRequest,
    ctx: Allowed<ident::Start>,
    state: web::Data<AppState>,
    body: Body<RunCreate>,
) -> ApiResult<Reply> {
    let idem = idem(&req, &body)?;
    let reply = service::identification::start(&state.pool, &ctx, body.value, idem).await?;
    state.jobs.notify_one();
    Ok(reply)
}

/// Get an identification run
#[utoipa::path(
    operation_id = "get_identification_run",
    tag = "identification",
    description = "The run's status, progress (families judged of the total) and, once finished, its counts.",
    params(("run_id" = Uuid, Path, description = "Run id")),
    extensions(("x-policy" = json!(ident::Read::ROLES))),
    responses(
        (status = 200, description = "The run.", body = Run),
        (status = 404, description = "No such run.", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/identification-runs/{run_id}")]
pub async fn get_identification_run(
    ctx: Allowed<ident::Read>,
    state: web::Data<AppState>,
    path: PathIds,
) -> ApiResult<Reply> {
    service::identification::get(&state.pool, &ctx, path.one()).await
}

/// List a run's eligible families not yet attached
///
/// The families the run found eligible and not yet attached under its ruleset, in id order,
/// filtered by a criterion met or a local filter that applies.
#[utoipa::path(
    operation_id = "list_identification_results",
    tag = "identification",
    params(("run_id" = Uuid, Path, description = "Run id"), RunResultsQuery, params::Page),
    extensions(("x-policy" = json!(ident::Read::ROLES))),
    responses(
        (status = 200, description = "A page of eligible families.", body = Page<RunResult>),
        (status = 404, description = "No such run.", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/identification-runs/{run_id}/results")]
pub async fn list_identification_results(
    req: HttpRequest,
    ctx: Allowed<ident::Read>,
    state: web::Data<AppState>,
    path: PathIds,
) -> ApiResult<Reply> {
    let params = query_map(&req, &["criterion", "local_filter", "limit", "cursor"])?;
    service::identification::results(&state.pool, &ctx, path.one(), params).await
}

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(create_identification_run)
        .service(get_identification_run)
        .service(list_identification_results);
}
