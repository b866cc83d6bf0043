use actix_web::{get, post, web, HttpRequest};

use crate::api::consent::*;
use crate::api::params;
use crate::api::Page;
use crate::error::{ApiResult, Problem};
use crate::http::extract::{idem, query_map, Allowed, Body, IfMatch, PathIds, Policy};
use crate::http::reply::Reply;
use crate::http::AppState;
use crate::service::{self, consent as cs, families as fam};

/// List organisations
///
/// The organisations consent and sharing records name, by code.
#[utoipa::path(
    operation_id = "list_organisations",
    tag = "consent",
    extensions(("x-policy" = json!(cs::Anyone::ROLES))),
    responses((status = 200, description = "Every organisation, by code.", body = Page<Organisation>))
)]
#[get("/organisations")]
pub async fn list_organisations(
    ctx: Allowed<cs::Anyone>,
    state: web::Data<AppState>,
) -> ApiResult<Reply> {
    service::consent::list_organisations(&state.pool, &ctx).await
}

/// Add an organisation
#[utoipa::path(
    operation_id = "create_organisation",
    tag = "consent",
    request_body = Organisation,
    params(params::IdempotencyKey),
    extensions(("x-policy" = json!(cs::Organisations::ROLES))),
    responses(
        (status = 201, description = "Added.", body = Organisation,
         headers(("Location" = String, description = "The list of organisations"), ("ETag" = String, description = "Always \"1\""))),
        (status = 409, description = "The code is taken, or the Idempotency-Key is in flight.", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/organisations")]
pub async fn create_organisation(
    req: HttpRequest,
    ctx: Allowed<cs::Organisations>,
    state: web::Data<AppState>,
    body: Body<Organisation>,
) -> ApiResult<Reply> {
    let idem = idem(&req, &body)?;
    service::consent::create_organisation(&state.pool, &ctx, body.value, idem).await
}

/// Record a consent decision
///
/// Consent given or refused, by a member or for the whole family: to which organisations, for
/// which purposes and data categories (all when none are listed), with exclusions for partial
/// consent, from a day and optionally until one (inclusive). Never edited: withdraw it, or record
/// a new decision.
#[utoipa::path(
    operation_id = "create_consent",
    tag = "consent",
    request_body = ConsentCreate,
    params(("family_id" = Uuid, Path, description = "Family id"),
           params::IdempotencyKey),
    extensions(("x-policy" = json!(cs::Record::ROLES))),
    responses(
        (status = 201, description = "Recorded.", body = Consent,
         headers(("Location" = String, description = "The family's consents"), ("ETag" = String, description = "Always \"1\""))),
        (status = 404, description = "No such family visible to you.", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/families/{family_id}/consents")]
pub async fn create_consent(
    req: HttpRequest,
    ctx: Allowed<cs::Record>,
    state: web::Data<AppState>,
    path: PathIds,
    body: Body<ConsentCreate>,
) -> ApiResult<Reply> {
    let idem = idem(&req, &body)?;
    service::consent::create_consent(&state.pool, &ctx, path.one(), body.value, idem).await
}

/// List a family's consents
///
/// Every consent decision about the family and its members, oldest first.
#[utoipa::path(
    operation_id = "list_consents",
    tag = "consent",
    params(("family_id" = Uuid, Path, description = "Family id")),
    extensions(("x-policy" = json!(fam::Read::ROLES))),
    responses(
        (status = 200, description = "The family's consents.", body = Page<Consent>),
        (status = 404, description = "No such family visible to you.", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/families/{family_id}/consents")]
pub async fn list_consents(
    ctx: Allowed<fam::Read>,
    state: web::Data<AppState>,
    path: PathIds,
) -> ApiResult<Reply> {
    service::consent::list_consents(&state.pool, &ctx, path.one()).await
}

/// Withdraw a consent
///
/// The consent stops covering anything from `withdrawn_on`. Needs `If-Match`.
#[utoipa::path(
    operation_id = "withdraw_consent",
    tag = "consent",
    request_body = ConsentWithdraw,
    params(("family_id" = Uuid, Path, description = "Family id"),
           ("consent_id" = Uuid, Path, description = "Consent id"),
           ("If-Match" = String, Header, description = "The ETag last read, e.g. `\"1\"`")),
    extensions(("x-policy" = json!(cs::Record::ROLES))),
    responses(
        (status = 200, description = "Withdrawn.", body = Consent, headers(("ETag" = String, description = "New version"))),
        (status = 404, description = "No such consent visible to you.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already withdrawn, or a refusal.", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/families/{family_id}/consents/{consent_id}/withdraw")]
pub async fn withdraw_consent(
    ctx: Allowed<cs::Record>,
    state: web::Data<AppState>,
    path: PathIds,
    expected: IfMatch,
    body: Body<ConsentWithdraw>,
) -> ApiResult<Reply> {
    service::consent::withdraw(&state.pool, &ctx, path.two(), expected.0, body.value).await
}

/// May this data be shared?
///
/// Whether data of a category about a member (or the family as a whole, without `member_id`) may
/// go to an organisation for a purpose on a day (today by default), with the consent that decides
/// it and why. A refusal beats any consent; a member's refusal beats the family's consent.
#[utoipa::path(
    operation_id = "check_consent",
    tag = "consent",
    params(("family_id" = Uuid, Path, description = "Family id"),
        ("organisation" = String, Query, description = "Organisation code.", pattern = "^[a-z0-9-]{2,40}$"),
        ("purpose" = SharingPurpose, Query, description = "What the data is for."),
        ("category" = DataCategory, Query, description = "The category of data."),
        ("member_id" = Option<Uuid>, Query, description = "The member the data is about; absent for the family as a whole."),
        ("on" = Option<chrono::NaiveDate>, Query, description = "The day (default today, Europe/London).")),
    extensions(("x-policy" = json!(fam::Read::ROLES))),
    responses(
        (status = 200, description = "The answer and its reason.", body = ConsentCheck),
        (status = 404, description = "No such family visible to you.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No organisation with that code, or the member is not in this family.", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/families/{family_id}/consent-check")]
pub async fn check_consent(
    req: HttpRequest,
    ctx: Allowed<fam::Read>,
    state: web::Data<AppState>,
    path: PathIds,
) -> ApiResult<Reply> {
    let params = query_map(
        &req,
        &["organisation", "purpose", "category", "member_id", "on"],
    )?;
    service::consent::check(&state.pool, &ctx, path.one(), params).await
}

/// Record sharing without consent
///
/// Information shared on a lawful basis rather than consent (the police single point of contact,
/// safeguarding): what, with whom, why and when; the caller is recorded as who shared it. Never
/// edited.
#[utoipa::path(
    operation_id = "create_sharing",
    tag = "consent",
    request_body = SharingCreate,
    params(("family_id" = Uuid, Path, description = "Family id"),
           params::IdempotencyKey),
    extensions(("x-policy" = json!(cs::Record::ROLES))),
    responses(
        (status = 201, description = "Recorded.", body = Sharing,
         headers(("Location" = String, description = "The family's sharing records"), ("ETag" = String, description = "Always \"1\""))),
        (status = 404, description = "No such family visible to you.", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/families/{family_id}/information-sharing")]
pub async fn create_sharing(
    req: HttpRequest,
    ctx: Allowed<cs::Record>,
    state: web::Data<AppState>,
    path: PathIds,
    body: Body<SharingCreate>,
) -> ApiResult<Reply> {
    let idem = idem(&req, &body)?;
    service::consent::create_sharing(&state.pool, &ctx, path.one(), body.value, idem).await
}

/// List sharing without consent
///
/// Newest first.
#[utoipa::path(
    operation_id = "list_sharing",
    tag = "consent",
    params(("family_id" = Uuid, Path, description = "Family id"),
        params::Page),
    extensions(("x-policy" = json!(fam::Read::ROLES))),
    responses(
        (status = 200, description = "A page of sharing records.", body = Page<Sharing>),
        (status = 404, description = "No such family visible to you.", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/families/{family_id}/information-sharing")]
pub async fn list_sharing(
    req: HttpRequest,
    ctx: Allowed<fam::Read>,
    state: web::Data<AppState>,
    path: PathIds,
) -> ApiResult<Reply> {
    let params = query_map(&req, &["limit", "cursor"])?;
    service::consent::list_sharing(&state.pool, &ctx, path.one(), params).await
}

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_organisations)
        .service(create_organisation)
        .service(create_consent)
        .service(list_consents)
        .service(withdraw_consent)
        .service(check_consent)
        .service(create_sharing)
        .service(list_sharing);
}
