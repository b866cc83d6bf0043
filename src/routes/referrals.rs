use actix_web::{get, post, web, HttpRequest};

use crate::api::params;
use crate::api::referrals::*;
use crate::api::Page;
use crate::error::{ApiResult, Problem};
use crate::http::extract::{idem, query_map, Allowed, Body, IfMatch, PathIds, Policy};
use crate::http::reply::Reply;
use crate::http::AppState;
use crate::service::{self, families as fam, referrals as rf};

/// Refer to a commissioned service
///
/// Refers the family, or one member, to a service. Consent to share with the service's
/// organisation (identity and contact, and the need the service addresses) must be in force on
/// the referral date (409 saying why) unless a manager records an override. The service's
/// eligibility and contract must hold that day (422 naming the field and why: age, required plan,
/// contract dates). A full service queues the referral (`waiting`, with its position) instead of
/// over-booking; it becomes `requested` when a place frees.
#[utoipa::path(
    operation_id = "create_referral",
    tag = "referrals",
    request_body = ReferralCreate,
    params(("family_id" = Uuid, Path, description = "Family id"),
           params::IdempotencyKey),
    extensions(("x-policy" = json!(rf::Refer::ROLES))),
    responses(
        (status = 201, description = "Referred (`requested`), or queued (`waiting`).", body = Referral,
         headers(("Location" = String, description = "The referral"), ("ETag" = String, description = "Always \"1\""))),
        (status = 404, description = "No such family visible to you.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "No consent to share with the provider, or the Idempotency-Key is in flight.", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/families/{family_id}/referrals")]
pub async fn create_referral(
    req: HttpRequest,
    ctx: Allowed<rf::Refer>,
    state: web::Data<AppState>,
    path: PathIds,
    body: Body<ReferralCreate>,
) -> ApiResult<Reply> {
    let idem = idem(&req, &body)?;
    service::referrals::create(&state.pool, &ctx, path.one(), body.value, idem).await
}

/// List a family's referrals
///
/// Newest first.
#[utoipa::path(
    operation_id = "list_family_referrals",
    tag = "referrals",
    params(("family_id" = Uuid, Path, description = "Family id"),
        ("status" = Option<ReferralStatus>, Query, description = "Only referrals in this status."),
        ("service_code" = Option<String>, Query, description = "Only referrals to this service.", pattern = "^[a-z0-9-]{2,40}$"),
        params::Page),
    extensions(("x-policy" = json!(fam::Read::ROLES))),
    responses(
        (status = 200, description = "A page of referrals.", body = Page<Referral>),
        (status = 404, description = "No such family visible to you.", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/families/{family_id}/referrals")]
pub async fn list_family_referrals(
    req: HttpRequest,
    ctx: Allowed<fam::Read>,
    state: web::Data<AppState>,
    path: PathIds,
) -> ApiResult<Reply> {
    let params = query_map(&req, &["status", "service_code", "limit", "cursor"])?;
    service::referrals::list_for_family(&state.pool, &ctx, path.one(), params).await
}

/// List referrals
///
/// Every referral, newest first, by status, organisation or service. A provider lists its own
/// organisation's referrals only: asking for another organisation's answers an empty page.
#[utoipa::path(
    operation_id = "list_referrals",
    tag = "referrals",
    params(("status" = Option<ReferralStatus>, Query, description = "Only referrals in this status."),
        ("organisation" = Option<String>, Query, description = "Only referrals to this organisation's services.", pattern = "^[a-z0-9-]{2,40}$"),
        ("service_code" = Option<String>, Query, description = "Only referrals to this service.", pattern = "^[a-z0-9-]{2,40}$"),
        params::Page),
    extensions(("x-policy" = json!(rf::List::ROLES))),
    responses((status = 200, description = "A page of referrals.", body = Page<Referral>))
)]
#[get("/referrals")]
pub async fn list_referrals(
    req: HttpRequest,
    ctx: Allowed<rf::List>,
    state: web::Data<AppState>,
) -> ApiResult<Reply> {
    let params = query_map(
        &req,
        &["status", "organisation", "service_code", "limit", "cursor"],
    )?;
    service::referrals::list(&state.pool, &ctx, params).await
}

/// Get a referral
///
/// With its history: every move, who made it, when and why. A provider sees only referrals to its
/// organisation (any other is 404).
#[utoipa::path(
    operation_id = "get_referral",
    tag = "referrals",
    params(("referral_id" = Uuid, Path, description = "Referral id")),
    extensions(("x-policy" = json!(rf::Read::ROLES))),
    responses(
        (status = 200, description = "The referral.", body = Referral, headers(("ETag" = String, description = "Its version"))),
        (status = 404, description = "No such referral visible to you.", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/referrals/{referral_id}")]
pub async fn get_referral(
    ctx: Allowed<rf::Read>,
    state: web::Data<AppState>,
    path: PathIds,
) -> ApiResult<Reply> {
    service::referrals::get(&state.pool, &ctx, path.one()).await
}

/// Move a referral on
///
/// One move of the lifecycle: the provider accepts or rejects (reason) a requested referral,
/// starts an accepted one, holds and resumes it, completes it (outcome) or fails it (reason); the
/// referring side cancels (reason) any that has not ended. Any other move is 409 listing the moves
/// open; a move of the other side is 403. A place freed goes to the first referral waiting for
/// the service. Needs `If-Match`.
#[utoipa::path(
    operation_id = "transition_referral",
    tag = "referrals",
    request_body = Transition,
    params(("referral_id" = Uuid, Path, description = "Referral id"),
           params::IfMatch),
    extensions(("x-policy" = json!(rf::Move::ROLES))),
    responses(
        (status = 200, description = "Moved.", body = Referral, headers(("ETag" = String, description = "New version"))),
        (status = 404, description = "No such referral visible to you.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not a move open from its status (the open ones are listed), or it has ended.", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/referrals/{referral_id}/transitions")]
pub async fn transition_referral(
    ctx: Allowed<rf::Move>,
    state: web::Data<AppState>,
    path: PathIds,
    expected: IfMatch,
    body: Body<Transition>,
) -> ApiResult<Reply> {
    service::referrals::transition(&state.pool, &ctx, path.one(), expected.0, body.value).await
}

/// Post an update from the provider
///
/// A session (held or not, the family engaged or not), progress, or outcome measures, on an
/// accepted referral. `Idempotency-Key` is required, so a provider whose connection drops retries
/// safely; the same key with another body is 422. Updates never change: a correction is a new
/// update naming the one it corrects. A referral that has ended takes none (409).
#[utoipa::path(
    operation_id = "create_referral_update",
    tag = "referrals",
    request_body = UpdateCreate,
    params(("referral_id" = Uuid, Path, description = "Referral id"),
           params::RequiredIdempotencyKey),
    extensions(("x-policy" = json!(rf::PostUpdate::ROLES))),
    responses(
        (status = 201, description = "Posted.", body = ReferralUpdate,
         headers(("Location" = String, description = "The referral's updates"), ("ETag" = String, description = "Always \"1\""))),
        (status = 404, description = "No such referral visible to you.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The referral has ended or is not accepted yet, or the Idempotency-Key is in flight.", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/referrals/{referral_id}/updates")]
pub async fn create_referral_update(
    req: HttpRequest,
    ctx: Allowed<rf::PostUpdate>,
    state: web::Data<AppState>,
    path: PathIds,
    body: Body<UpdateCreate>,
) -> ApiResult<Reply> {
    let idem = idem(&req, &body)?;
    service::referrals::post_update(&state.pool, &ctx, path.one(), body.value, idem).await
}

/// List a referral's updates
///
/// Newest first.
#[utoipa::path(
    operation_id = "list_referral_updates",
    tag = "referrals",
    params(("referral_id" = Uuid, Path, description = "Referral id"),
        params::Page),
    extensions(("x-policy" = json!(rf::Read::ROLES))),
    responses(
        (status = 200, description = "A page of updates.", body = Page<ReferralUpdate>),
        (status = 404, description = "No such referral visible to you.", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/referrals/{referral_id}/updates")]
pub async fn list_referral_updates(
    req: HttpRequest,
    ctx: Allowed<rf::Read>,
    state: web::Data<AppState>,
    path: PathIds,
) -> ApiResult<Reply> {
    let params = query_map(&req, &["limit", "cursor"])?;
    service::referrals::list_updates(&state.pool, &ctx, path.one(), params).await
}

/// The family, as shared with the provider
///
/// What the service needs and the consent allows: the family's address, the names and ages of the
/// members the consent in force today covers, and the plan items in categories the
/// consent lets go to the provider. A provider sees it only while the referral holds a place
/// (404 once it has ended). Council staff see the same, to check what is shared.
#[utoipa::path(
    operation_id = "get_referral_family",
    tag = "referrals",
    params(("referral_id" = Uuid, Path, description = "Referral id")),
    extensions(("x-policy" = json!(rf::Read::ROLES))),
    responses(
        (status = 200, description = "The shared view of the family.", body = SharedFamily),
        (status = 404, description = "No such referral visible to you.", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/referrals/{referral_id}/family")]
pub async fn get_referral_family(
    ctx: Allowed<rf::Read>,
    state: web::Data<AppState>,
    path: PathIds,
) -> ApiResult<Reply> {
    service::referrals::shared_family(&state.pool, &ctx, path.one()).await
}

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(create_referral)
        .service(list_family_referrals)
        .service(list_referrals)
        .service(get_referral)
        .service(transition_referral)
        .service(create_referral_update)
        .service(list_referral_updates)
        .service(get_referral_family);
}

/// Referrals by provider, status and age
///
/// Referrals made between `from` and `to` (inclusive; by default all until today), counted by
/// organisation, service, status and the age band of the member referred.
#[utoipa::path(
    operation_id = "report_referrals",
    tag = "referrals",
    params(("from" = Option<chrono::NaiveDate>, Query, description = "First referral date counted."),
        ("to" = Option<chrono::NaiveDate>, Query, description = "Last referral date counted (default today).")),
    extensions(("x-policy" = json!(rf::Report::ROLES))),
    responses((status = 200, description = "The counts.", body = Page<ReferralCount>))
)]
#[get("/reports/referrals")]
pub async fn report_referrals(
    req: HttpRequest,
    ctx: Allowed<rf::Report>,
    state: web::Data<AppState>,
) -> ApiResult<Reply> {
    let params = query_map(&req, &["from", "to"])?;
    service::referrals::summary(&state.pool, &ctx, params).await
}

/// Services' open cases against capacity
///
/// Each service's open referrals (requested, accepted, in progress, on hold) against its
/// capacity, the places free, and its waiting queue.
#[utoipa::path(
    operation_id = "report_service_capacity",
    tag = "referrals",
    extensions(("x-policy" = json!(rf::Report::ROLES))),
    responses((status = 200, description = "Every service's load.", body = Page<ServiceLoad>))
)]
#[get("/reports/service-capacity")]
pub async fn report_service_capacity(
    ctx: Allowed<rf::Report>,
    state: web::Data<AppState>,
) -> ApiResult<Reply> {
    service::referrals::capacity(&state.pool, &ctx).await
}

pub fn configure_reports(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(report_referrals)
        .service(report_service_capacity);
}
