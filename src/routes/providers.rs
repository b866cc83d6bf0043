use actix_web::{delete, get, post, put, web, HttpRequest};

use crate::api::params;
use crate::api::providers::*;
use crate::api::Page;
use crate::error::{ApiResult, Problem};
use crate::http::extract::{
    code_param, idem, path_code, query_map, Allowed, Body, IfMatch, PathIds, Policy,
};
use crate::http::reply::Reply;
use crate::http::AppState;
use crate::service::{self, consent as cs, providers as pv};

/// List commissioned services
///
/// Every service, or one organisation's: whom it takes, its capacity and its contract.
#[utoipa::path(
    operation_id = "list_services",
    tag = "providers",
    params(("organisation" = Option<String>, Query, description = "Only this organisation's services.", pattern = "^[a-z0-9-]{2,40}$")),
    extensions(("x-policy" = json!(cs::Anyone::ROLES))),
    responses((status = 200, description = "The services.", body = Page<Service>))
)]
#[get("/services")]
pub async fn list_services(
    req: HttpRequest,
    _ctx: Allowed<cs::Anyone>,
    state: web::Data<AppState>,
) -> ApiResult<Reply> {
    let params = query_map(&req, &["organisation"])?;
    service::providers::list_services(&state.pool, code_param(&params, "organisation")?).await
}

/// Get a service
#[utoipa::path(
    operation_id = "get_service",
    tag = "providers",
    params(("service_code" = String, Path, description = "Service code, e.g. `multi-systemic-therapy`", pattern = "^[a-z0-9-]{2,40}$", max_length = 40)),
    extensions(("x-policy" = json!(cs::Anyone::ROLES))),
    responses(
        (status = 200, description = "The service.", body = Service, headers(("ETag" = String, description = "Its version"))),
        (status = 404, description = "No such service.", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/services/{service_code}")]
pub async fn get_service(
    req: HttpRequest,
    _ctx: Allowed<cs::Anyone>,
    state: web::Data<AppState>,
) -> ApiResult<Reply> {
    service::providers::get_service(&state.pool, &path_code(&req, "service_code", 2)?).await
}

/// Add a commissioned service
#[utoipa::path(
    operation_id = "create_service",
    tag = "providers",
    request_body = ServiceCreate,
    params(params::IdempotencyKey),
    extensions(("x-policy" = json!(pv::Keep::ROLES))),
    responses(
        (status = 201, description = "Added.", body = Service,
         headers(("Location" = String, description = "The service"), ("ETag" = String, description = "Always \"1\""))),
        (status = 409, description = "The code is taken, or the Idempotency-Key is in flight.", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/services")]
pub async fn create_service(
    req: HttpRequest,
    ctx: Allowed<pv::Keep>,
    state: web::Data<AppState>,
    body: Body<ServiceCreate>,
) -> ApiResult<Reply> {
    let idem = idem(&req, &body)?;
    service::providers::create_service(&state.pool, &ctx, body.value, idem).await
}

/// Change a service's terms
///
/// Replaces its name, need, eligibility, capacity and contract (an extension is a later
/// `contract_end`). Referrals already made keep their places. Needs `If-Match`.
#[utoipa::path(
    operation_id = "update_service",
    tag = "providers",
    request_body = ServiceTerms,
    params(("service_code" = String, Path, description = "Service code", pattern = "^[a-z0-9-]{2,40}$", max_length = 40),
           params::IfMatch),
    extensions(("x-policy" = json!(pv::Keep::ROLES))),
    responses(
        (status = 200, description = "Updated.", body = Service, headers(("ETag" = String, description = "New version"))),
        (status = 404, description = "No such service.", body = Problem, content_type = "application/problem+json")
    )
)]
#[put("/services/{service_code}")]
pub async fn update_service(
    req: HttpRequest,
    ctx: Allowed<pv::Keep>,
    state: web::Data<AppState>,
    expected: IfMatch,
    body: Body<ServiceTerms>,
) -> ApiResult<Reply> {
    let code = path_code(&req, "service_code", 2)?;
    service::providers::update_service(&state.pool, &ctx, &code, expected.0, body.value).await
}

/// List provider users
///
/// Each provider token identity (issuer and subject) and the organisation it is bound to.
#[utoipa::path(
    operation_id = "list_provider_users",
    tag = "providers",
    extensions(("x-policy" = json!(pv::Bind::ROLES))),
    responses((status = 200, description = "The bindings.", body = Page<ProviderUser>))
)]
#[get("/provider-users")]
pub async fn list_provider_users(
    ctx: Allowed<pv::Bind>,
    state: web::Data<AppState>,
) -> ApiResult<Reply> {
    service::providers::list_users(&state.pool, &ctx).await
}

/// Bind a provider user to an organisation
///
/// A provider token sees the referrals to its organisation only once its issuer and subject are
/// bound here: the pair, since each provider's identity service chooses its own subjects.
#[utoipa::path(
    operation_id = "create_provider_user",
    tag = "providers",
    request_body = ProviderUserCreate,
    params(params::IdempotencyKey),
    extensions(("x-policy" = json!(pv::Bind::ROLES))),
    responses(
        (status = 201, description = "Bound.", body = ProviderUser,
         headers(("Location" = String, description = "The bindings"), ("ETag" = String, description = "Always \"1\""))),
        (status = 409, description = "The subject is already bound, or the Idempotency-Key is in flight.", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/provider-users")]
pub async fn create_provider_user(
    req: HttpRequest,
    ctx: Allowed<pv::Bind>,
    state: web::Data<AppState>,
    body: Body<ProviderUserCreate>,
) -> ApiResult<Reply> {
    let idem = idem(&req, &body)?;
    service::providers::bind_user(&state.pool, &ctx, body.value, idem).await
}

/// Unbind a provider user
///
/// The subject's tokens see nothing from now on. Needs `If-Match` (a binding never changes, so
/// its ETag is always `"1"`).
#[utoipa::path(
    operation_id = "delete_provider_user",
    tag = "providers",
    params(("provider_user_id" = Uuid, Path, description = "The binding's id"),
           params::IfMatch),
    extensions(("x-policy" = json!(pv::Bind::ROLES))),
    responses(
        (status = 204, description = "Unbound."),
        (status = 404, description = "No such binding.", body = Problem, content_type = "application/problem+json")
    )
)]
#[delete("/provider-users/{provider_user_id}")]
pub async fn delete_provider_user(
    ctx: Allowed<pv::Bind>,
    state: web::Data<AppState>,
    path: PathIds,
    expected: IfMatch,
) -> ApiResult<Reply> {
    service::providers::unbind_user(&state.pool, &ctx, path.one(), expected.0).await
}

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_services)
        .service(get_service)
        .service(create_service)
        .service(update_service)
        .service(list_provider_users)
        .service(create_provider_user)
        .service(delete_provider_user);
}
