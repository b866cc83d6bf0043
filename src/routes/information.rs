use actix_web::{get, post, web, HttpRequest};

use crate::api::information::*;
use crate::api::params;
use crate::api::Page;
use crate::error::{ApiResult, Problem};
use crate::http::extract::{idem, query_map, Allowed, Body, PathIds, Policy};
use crate::http::reply::Reply;
use crate::http::AppState;
use crate::service::{self, families as fam, information as inf};

/// Ask a partner organisation for information
///
/// A request about the household, or one member (`member_id`), to a police, health, education or
/// government organisation: what is asked, why, on which lawful basis, by when. The organisation's
/// contact sees who it is about (names, dates of birth, the address) and nothing else about the
/// family; the disclosure is entered in the family's sharing log (`direction: sent`). Send an
/// `Idempotency-Key` to make retries safe.
#[utoipa::path(
    operation_id = "create_information_request",
    tag = "information-requests",
    request_body = InformationRequestCreate,
    params(("family_id" = Uuid, Path, description = "Family id"),
           params::IdempotencyKey),
    extensions(("x-policy" = json!(inf::Send::ROLES))),
    responses(
        (status = 201, description = "Sent.", body = InformationRequest,
         headers(("Location" = String, description = "The request"), ("ETag" = String, description = "Always \"1\""))),
        (status = 404, description = "No such family visible to you.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No such organisation or not one that is asked, a member not of this family, or a due date in the past or more than 90 days ahead.", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/families/{family_id}/information-requests")]
pub async fn create_information_request(
    req: HttpRequest,
    ctx: Allowed<inf::Send>,
    state: web::Data<AppState>,
    path: PathIds,
    body: Body<InformationRequestCreate>,
) -> ApiResult<Reply> {
    let idem = idem(&req, &body)?;
    service::information::create(&state.pool, &ctx, path.one(), body.value, idem).await
}

/// List a family's information requests
///
/// Newest first, each with its answer and the evidence it gave.
#[utoipa::path(
    operation_id = "list_family_information_requests",
    tag = "information-requests",
    params(("family_id" = Uuid, Path, description = "Family id"), params::Page),
    extensions(("x-policy" = json!(fam::Read::ROLES))),
    responses(
        (status = 200, description = "A page of requests.", body = Page<InformationRequest>),
        (status = 404, description = "No such family visible to you.", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/families/{family_id}/information-requests")]
pub async fn list_family_information_requests(
    req: HttpRequest,
    ctx: Allowed<fam::Read>,
    state: web::Data<AppState>,
    path: PathIds,
) -> ApiResult<Reply> {
    let params = query_map(&req, &["limit", "cursor"])?;
    service::information::list_for_family(&state.pool, &ctx, path.one(), params).await
}

/// List information requests
///
/// Newest first. Coordinators, managers, admins and auditors see every request; lead and key
/// workers see those they sent (with `overdue=true`, those past their due date and still
/// unanswered); a police contact sees the requests addressed to the organisation their staff
/// record names, and asking for another organisation's answers an empty page.
#[utoipa::path(
    operation_id = "list_information_requests",
    tag = "information-requests",
    params(RequestListQuery, params::Page),
    extensions(("x-policy" = json!(inf::See::ROLES))),
    responses((status = 200, description = "A page of requests.", body = Page<InformationRequest>))
)]
#[get("/information-requests")]
pub async fn list_information_requests(
    req: HttpRequest,
    ctx: Allowed<inf::See>,
    state: web::Data<AppState>,
) -> ApiResult<Reply> {
    let params = query_map(
        &req,
        &["status", "overdue", "organisation", "limit", "cursor"],
    )?;
    service::information::list(&state.pool, &ctx, params).await
}

/// Get an information request
///
/// With who it is about, its answer and the evidence the answer gave. A police contact sees only
/// their organisation's requests, a worker those they sent or about families they work with (any
/// other is 404).
#[utoipa::path(
    operation_id = "get_information_request",
    tag = "information-requests",
    params(("request_id" = Uuid, Path, description = "Information request id")),
    extensions(("x-policy" = json!(inf::See::ROLES))),
    responses(
        (status = 200, description = "The request.", body = InformationRequest, headers(("ETag" = String, description = "Its version"))),
        (status = 404, description = "No such request visible to you.", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/information-requests/{request_id}")]
pub async fn get_information_request(
    ctx: Allowed<inf::See>,
    state: web::Data<AppState>,
    path: PathIds,
) -> ApiResult<Reply> {
    service::information::get(&state.pool, &ctx, path.one()).await
}

/// Answer an information request
///
/// What the organisation found, each record becoming evidence on the family with the
/// organisation as its source and this request as `information_request_id`, or that it holds
/// nothing. The answer is entered in the family's sharing log (`direction: received`). A request
/// is answered or declined once (409 after). Send an `Idempotency-Key` to make retries safe.
#[utoipa::path(
    operation_id = "answer_information_request",
    tag = "information-requests",
    request_body = InformationAnswer,
    params(("request_id" = Uuid, Path, description = "Information request id"),
           params::IdempotencyKey),
    extensions(("x-policy" = json!(inf::Answer::ROLES))),
    responses(
        (status = 200, description = "Answered.", body = InformationRequest, headers(("ETag" = String, description = "New version"))),
        (status = 404, description = "No such request visible to you.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already answered or declined.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A record that is not valid evidence from this organisation about this family, or records that do not match the outcome.", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/information-requests/{request_id}/answer")]
pub async fn answer_information_request(
    req: HttpRequest,
    ctx: Allowed<inf::Answer>,
    state: web::Data<AppState>,
    path: PathIds,
    body: Body<InformationAnswer>,
) -> ApiResult<Reply> {
    let idem = idem(&req, &body)?;
    service::information::answer(&state.pool, &ctx, path.one(), body.value, idem).await
}

/// Decline an information request
///
/// The organisation will not answer, and says why. Entered in the family's sharing log
/// (`direction: received`). Send an `Idempotency-Key` to make retries safe.
#[utoipa::path(
    operation_id = "decline_information_request",
    tag = "information-requests",
    request_body = InformationDecline,
    params(("request_id" = Uuid, Path, description = "Information request id"),
           params::IdempotencyKey),
    extensions(("x-policy" = json!(inf::Answer::ROLES))),
    responses(
        (status = 200, description = "Declined.", body = InformationRequest, headers(("ETag" = String, description = "New version"))),
        (status = 404, description = "No such request visible to you.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already answered or declined.", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/information-requests/{request_id}/decline")]
pub async fn decline_information_request(
    req: HttpRequest,
    ctx: Allowed<inf::Answer>,
    state: web::Data<AppState>,
    path: PathIds,
    body: Body<InformationDecline>,
) -> ApiResult<Reply> {
    let idem = idem(&req, &body)?;
    service::information::decline(&state.pool, &ctx, path.one(), body.value, idem).await
}

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(create_information_request)
        .service(list_family_information_requests)
        .service(list_information_requests)
        .service(get_information_request)
        .service(answer_information_request)
        .service(decline_information_request);
}
