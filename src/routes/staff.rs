use actix_web::{get, post, web, HttpRequest};

use crate::api::params;
use crate::api::staff::*;
use crate::api::Page;
use crate::error::{ApiResult, Problem};
use crate::http::extract::{idem, query_map, Allowed, Body, PathIds, Policy};
use crate::http::reply::Reply;
use crate::http::AppState;
use crate::service::{self, staff as st};

/// Add a member of staff
///
/// Records a member of staff and links them to the subject (`sub`) of their tokens. Send an
/// `Idempotency-Key` to make retries safe.
#[utoipa::path(
    operation_id = "create_staff",
    tag = "staff",
    request_body = StaffCreate,
    params(params::IdempotencyKey),
    extensions(("x-policy" = json!(st::Admin::ROLES))),
    responses(
        (status = 201, description = "Recorded.", body = Staff,
         headers(("Location" = String, description = "URL of the record"), ("ETag" = String, description = "Current version"))),
        (status = 409, description = "A member of staff already has that subject, or the Idempotency-Key is in flight.", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/staff")]
pub async fn create_staff(
    req: HttpRequest,
    ctx: Allowed<st::Admin>,
    state: web::Data<AppState>,
    body: Body<StaffCreate>,
) -> ApiResult<Reply> {
    let idem = idem(&req, &body)?;
    service::staff::create(&state.pool, &ctx, body.value, idem).await
}

/// List staff
#[utoipa::path(
    operation_id = "list_staff",
    tag = "staff",
    description = "Members of staff in id order, by team and whether active.",
    params(StaffListQuery, params::Page),
    extensions(("x-policy" = json!(st::Read::ROLES))),
    responses((status = 200, description = "A page of staff.", body = Page<Staff>))
)]
#[get("/staff")]
pub async fn list_staff(
    req: HttpRequest,
    ctx: Allowed<st::Read>,
    state: web::Data<AppState>,
) -> ApiResult<Reply> {
    let params = query_map(&req, &["team", "active", "limit", "cursor"])?;
    service::staff::list(&state.pool, &ctx, params).await
}

/// Get a member of staff
#[utoipa::path(
    operation_id = "get_staff",
    tag = "staff",
    description = "One member of staff.",
    params(("staff_id" = Uuid, Path, description = "Staff id")),
    extensions(("x-policy" = json!(st::Read::ROLES))),
    responses(
        (status = 200, description = "The member of staff.", body = Staff, headers(("ETag" = String, description = "Current version"))),
        (status = 404, description = "No such member of staff.", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/staff/{staff_id}")]
pub async fn get_staff(
    ctx: Allowed<st::Read>,
    state: web::Data<AppState>,
    path: PathIds,
) -> ApiResult<Reply> {
    service::staff::get(&state.pool, &ctx, path.one()).await
}

/// Deactivate a member of staff
///
/// For a worker who has left: their tokens stop working at once, whatever their expiry. The
/// record is kept. An administrator cannot deactivate themselves. Someone who still leads an
/// open FCAF or owns an open plan action is refused (409) until a manager has moved their
/// caseload to a named receiver (`POST /staff/{staff_id}/reallocate`).
#[utoipa::path(
    operation_id = "deactivate_staff",
    tag = "staff",
    params(("staff_id" = Uuid, Path, description = "Staff id")),
    extensions(("x-policy" = json!(st::Admin::ROLES))),
    responses(
        (status = 200, description = "Deactivated.", body = Staff, headers(("ETag" = String, description = "New version"))),
        (status = 404, description = "No such member of staff.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already deactivated, your own record, or open FCAFs or actions still theirs.", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/staff/{staff_id}/deactivate")]
pub async fn deactivate_staff(
    ctx: Allowed<st::Admin>,
    state: web::Data<AppState>,
    path: PathIds,
) -> ApiResult<Reply> {
    let reply = service::staff::deactivate(&state.pool, &ctx, path.one()).await?;
    // This instance refuses the tokens from now on; the others when the announcement reaches
    // them (a few milliseconds; see BENCHMARKS.md).
    if let Some(subject) = reply.body.as_ref().and_then(|b| b["subject"].as_str()) {
        state.deactivated.deactivated(subject);
    }
    Ok(reply)
}

/// List teams
#[utoipa::path(
    operation_id = "list_teams",
    tag = "staff",
    description = "Teams, with the most families each may hold open at once where limited (the Family Recovery Programme: 45) and, for those who allocate, how many each holds open now.",
    extensions(("x-policy" = json!(st::Read::ROLES))),
    responses((status = 200, description = "Every team.", body = Page<Team>))
)]
#[get("/teams")]
pub async fn list_teams(ctx: Allowed<st::Read>, state: web::Data<AppState>) -> ApiResult<Reply> {
    service::staff::teams(&state.pool, &ctx).await
}

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(create_staff)
        .service(list_staff)
        .service(get_staff)
        .service(deactivate_staff)
        .service(list_teams);
}
