use actix_web::{get, post, web, HttpRequest};

use crate::api::evidence::*;
use crate::api::params;
use crate::api::rulesets::{Eligibility, EligibilityQuery};
use crate::api::Page;
use crate::error::{ApiResult, Problem};
use crate::http::extract::{idem, query_map, Allowed, Body, PathIds, Policy};
use crate::http::reply::Reply;
use crate::http::AppState;
use crate::service::{self, families as fam};

/// Record evidence
///
/// Records a dated fact about a member or the family, with its source. Records never change; to
/// correct one, record a new one that `supersedes` it (or `retracts` it). Send an
/// `Idempotency-Key` to make retries safe.
#[utoipa::path(
    operation_id = "create_evidence",
    tag = "evidence",
    request_body = EvidenceCreate,
    params(("family_id" = Uuid, Path, description = "Family id"),
           params::IdempotencyKey),
    extensions(("x-policy" = json!(service::evidence::Write::ROLES))),
    responses(
        (status = 201, description = "Recorded.", body = Evidence,
         headers(("Location" = String, description = "URL of the record"), ("ETag" = String, description = "Always \"1\": records never change"))),
        (status = 404, description = "No such family visible to you.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The record named in `supersedes` was already corrected, or the Idempotency-Key is in flight.", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/families/{family_id}/evidence")]
pub async fn create_evidence(
    req: HttpRequest,
    ctx: Allowed<service::evidence::Write>,
    state: web::Data<AppState>,
    path: PathIds,
    body: Body<EvidenceCreate>,
) -> ApiResult<Reply> {
    let idem = idem(&req, &body)?;
    service::evidence::create(&state.pool, &ctx, path.one(), body.value, idem).await
}

/// List a family's evidence
///
/// Every record, newest first, corrected ones included (`superseded_by`, `in_force`). An
/// employment adviser on the family's team sees the work and benefit records only
/// (`out_of_work_benefit`, `employment`, `work_programme`).
#[utoipa::path(
    operation_id = "list_evidence",
    tag = "evidence",
    params(("family_id" = Uuid, Path, description = "Family id"), EvidenceListQuery, params::Page),
    extensions(("x-policy" = json!(service::evidence::Read::ROLES))),
    responses(
        (status = 200, description = "A page of evidence records.", body = Page<Evidence>),
        (status = 404, description = "No such family visible to you.", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/families/{family_id}/evidence")]
pub async fn list_evidence(
    req: HttpRequest,
    ctx: Allowed<service::evidence::Read>,
    state: web::Data<AppState>,
    path: PathIds,
) -> ApiResult<Reply> {
    let params = query_map(&req, &["limit", "cursor"])?;
    service::evidence::list(&state.pool, &ctx, path.one(), params).await
}

/// Get an evidence record
#[utoipa::path(
    operation_id = "get_evidence",
    tag = "evidence",
    description = "One evidence record, with the record that corrected it if any. An employment adviser on the family's team reads the work and benefit records only; any other is 404 to them.",
    params(("family_id" = Uuid, Path, description = "Family id"), ("evidence_id" = Uuid, Path, description = "Evidence id")),
    extensions(("x-policy" = json!(service::evidence::Read::ROLES))),
    responses(
        (status = 200, description = "The record.", body = Evidence),
        (status = 404, description = "No such family or record visible to you.", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/families/{family_id}/evidence/{evidence_id}")]
pub async fn get_evidence(
    ctx: Allowed<service::evidence::Read>,
    state: web::Data<AppState>,
    path: PathIds,
) -> ApiResult<Reply> {
    let (family_id, id) = path.two();
    service::evidence::get(&state.pool, &ctx, family_id, id).await
}

/// Explain a family's eligibility
///
/// Judges the family under a ruleset on a date (default today) from the evidence in force:
/// each criterion with whether it is met and the ids of the evidence that meets it, the local
/// filters that apply, and a one-line reason. The same evidence gives the same answer for any
/// date.
#[utoipa::path(
    operation_id = "get_eligibility",
    tag = "evidence",
    params(("family_id" = Uuid, Path, description = "Family id"), EligibilityQuery),
    extensions(("x-policy" = json!(fam::Read::ROLES))),
    responses(
        (status = 200, description = "The verdict and its reasons.", body = Eligibility),
        (status = 404, description = "No such family visible to you.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown ruleset, or none of its revisions is in force on that date.", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/families/{family_id}/eligibility")]
pub async fn get_eligibility(
    req: HttpRequest,
    ctx: Allowed<fam::Read>,
    state: web::Data<AppState>,
    path: PathIds,
) -> ApiResult<Reply> {
    let params = query_map(&req, &["ruleset", "as_of"])?;
    service::rulesets::eligibility(&state.pool, &ctx, path.one(), params).await
}

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(create_evidence)
        .service(list_evidence)
        .service(get_evidence)
        .service(get_eligibility);
}
