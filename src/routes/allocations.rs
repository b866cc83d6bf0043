use actix_web::{get, post, web, HttpRequest};

use crate::api::allocations::*;
use crate::api::params;
use crate::api::Page;
use crate::error::{ApiResult, Problem};
use crate::http::extract::{idem, query_map, Allowed, Body, PathIds, Policy};
use crate::http::reply::Reply;
use crate::http::AppState;
use crate::service::{self, allocations as al};

/// Allocate a family's dedicated worker
///
/// Gives the family its key worker, lead worker or provider's lead worker, ending the current
/// allocation (reason `reallocated`). A team's limit on open families (the Family Recovery
/// Programme: 45) is held by the database, also under parallel requests: past it the answer is
/// 409 with the current count.
#[utoipa::path(
    operation_id = "create_allocation",
    tag = "allocations",
    request_body = AllocationCreate,
    params(("family_id" = Uuid, Path, description = "Family id"),
           params::IdempotencyKey),
    extensions(("x-policy" = json!(al::Allocate::ROLES))),
    responses(
        (status = 201, description = "Allocated.", body = Allocation,
         headers(("Location" = String, description = "The family's allocation history"), ("ETag" = String, description = "Always \"1\""))),
        (status = 404, description = "No such family visible to you.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The worker's team is full (with the count), the family is closed or already with this worker, or the Idempotency-Key is in flight.", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/families/{family_id}/allocations")]
pub async fn create_allocation(
    req: HttpRequest,
    ctx: Allowed<al::Allocate>,
    state: web::Data<AppState>,
    path: PathIds,
    body: Body<AllocationCreate>,
) -> ApiResult<Reply> {
    let idem = idem(&req, &body)?;
    service::allocations::allocate(&state.pool, &ctx, path.one(), body.value, idem).await
}

/// List a family's allocations
#[utoipa::path(
    operation_id = "list_allocations",
    tag = "allocations",
    description = "The family's dedicated workers over time, newest first.",
    params(("family_id" = Uuid, Path, description = "Family id")),
    extensions(("x-policy" = json!(al::Read::ROLES))),
    responses(
        (status = 200, description = "The allocation history.", body = Page<Allocation>),
        (status = 404, description = "No such family visible to you.", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/families/{family_id}/allocations")]
pub async fn list_allocations(
    ctx: Allowed<al::Read>,
    state: web::Data<AppState>,
    path: PathIds,
) -> ApiResult<Reply> {
    service::allocations::history(&state.pool, &ctx, path.one()).await
}

/// End a family's allocation
///
/// Ends the family's current allocation with a reason (for example `case_closed`), freeing the
/// place in the worker's team. Answers with the allocation history.
#[utoipa::path(
    operation_id = "end_allocation",
    tag = "allocations",
    request_body = AllocationEnd,
    params(("family_id" = Uuid, Path, description = "Family id")),
    extensions(("x-policy" = json!(al::Allocate::ROLES))),
    responses(
        (status = 200, description = "Ended.", body = Page<Allocation>),
        (status = 404, description = "No such family visible to you.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The family has no open allocation.", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/families/{family_id}/allocations/end")]
pub async fn end_allocation(
    ctx: Allowed<al::Allocate>,
    state: web::Data<AppState>,
    path: PathIds,
    body: Body<AllocationEnd>,
) -> ApiResult<Reply> {
    service::allocations::end(&state.pool, &ctx, path.one(), body.value).await
}

/// Reallocate a worker's caseload
///
/// Moves every family currently allocated to this worker to another, in one transaction (for a
/// worker who has left: reason `worker_left`), and with them the FCAFs the worker leads (draft
/// or active) and the open plan actions they own; the receiver joins each of those families'
/// Team Around the Family. If the receiving team would go over its limit, nothing moves (409).
#[utoipa::path(
    operation_id = "reallocate_caseload",
    tag = "allocations",
    request_body = Reallocation,
    params(("staff_id" = Uuid, Path, description = "The worker whose families move")),
    extensions(("x-policy" = json!(al::Reallocate::ROLES))),
    responses(
        (status = 200, description = "Moved.", body = ReallocationDone),
        (status = 404, description = "No such member of staff.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The receiving team is full: nothing moved.", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/staff/{staff_id}/reallocate")]
pub async fn reallocate_caseload(
    ctx: Allowed<al::Reallocate>,
    state: web::Data<AppState>,
    path: PathIds,
    body: Body<Reallocation>,
) -> ApiResult<Reply> {
    service::allocations::reallocate(&state.pool, &ctx, path.one(), body.value).await
}

/// List attached families without a dedicated worker
#[utoipa::path(
    operation_id = "list_unallocated_families",
    tag = "allocations",
    description = "Attached families with no open allocation, so none is left without a worker unnoticed.",
    params(
        params::Page
    ),
    extensions(("x-policy" = json!(al::Read::ROLES))),
    responses((status = 200, description = "A page of families.", body = Page<UnallocatedFamily>))
)]
#[get("/unallocated-families")]
pub async fn list_unallocated_families(
    req: HttpRequest,
    ctx: Allowed<al::Read>,
    state: web::Data<AppState>,
) -> ApiResult<Reply> {
    let params = query_map(&req, &["limit", "cursor"])?;
    service::allocations::unallocated(&state.pool, &ctx, params).await
}

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(create_allocation)
        .service(list_allocations)
        .service(end_allocation)
        .service(reallocate_caseload)
        .service(list_unallocated_families);
}
