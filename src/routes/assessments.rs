use actix_web::{get, post, put, web, HttpRequest};

use crate::api::assessments::*;
use crate::api::params;
use crate::api::Page;
use crate::error::{ApiResult, Problem};
use crate::http::extract::{idem, Allowed, Body, IfMatch, PathIds, Policy};
use crate::http::reply::Reply;
use crate::http::AppState;
use crate::service::{self, assessments as asm, families as fam};

/// Start an FCAF
///
/// Starts the family's Family Common Assessment as a draft, naming its lead worker (who joins the
/// Team Around the Family). Needs the family's consent for an assessment in force on `started_on`
/// (409 otherwise) and no other open FCAF for the family (409: one at a time).
#[utoipa::path(
    operation_id = "create_assessment",
    tag = "assessments",
    request_body = AssessmentCreate,
    params(("family_id" = Uuid, Path, description = "Family id"),
           params::IdempotencyKey),
    extensions(("x-policy" = json!(asm::Start::ROLES))),
    responses(
        (status = 201, description = "Started (draft).", body = Assessment,
         headers(("Location" = String, description = "The assessment"), ("ETag" = String, description = "Its version"))),
        (status = 404, description = "No such family visible to you.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "No consent in force, another FCAF is open, the case is closed, or the Idempotency-Key is in flight.", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/families/{family_id}/assessments")]
pub async fn create_assessment(
    req: HttpRequest,
    ctx: Allowed<asm::Start>,
    state: web::Data<AppState>,
    path: PathIds,
    body: Body<AssessmentCreate>,
) -> ApiResult<Reply> {
    let idem = idem(&req, &body)?;
    service::assessments::create(&state.pool, &ctx, path.one(), body.value, idem).await
}

/// List a family's FCAFs
///
/// Newest first, with their findings.
#[utoipa::path(
    operation_id = "list_assessments",
    tag = "assessments",
    params(("family_id" = Uuid, Path, description = "Family id")),
    extensions(("x-policy" = json!(fam::Read::ROLES))),
    responses(
        (status = 200, description = "The family's assessments.", body = Page<Assessment>),
        (status = 404, description = "No such family visible to you.", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/families/{family_id}/assessments")]
pub async fn list_assessments(
    ctx: Allowed<fam::Read>,
    state: web::Data<AppState>,
    path: PathIds,
) -> ApiResult<Reply> {
    service::assessments::list(&state.pool, &ctx, path.one()).await
}

/// Get an FCAF
#[utoipa::path(
    operation_id = "get_assessment",
    tag = "assessments",
    params(("family_id" = Uuid, Path, description = "Family id"),
           ("assessment_id" = Uuid, Path, description = "Assessment id")),
    extensions(("x-policy" = json!(fam::Read::ROLES))),
    responses(
        (status = 200, description = "The assessment.", body = Assessment, headers(("ETag" = String, description = "Its version"))),
        (status = 404, description = "No such assessment visible to you.", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/families/{family_id}/assessments/{assessment_id}")]
pub async fn get_assessment(
    ctx: Allowed<fam::Read>,
    state: web::Data<AppState>,
    path: PathIds,
) -> ApiResult<Reply> {
    service::assessments::get(&state.pool, &ctx, path.two()).await
}

/// Edit an FCAF
///
/// Replaces the content (lead worker, who it was completed with, priorities, findings) of a
/// draft or active assessment. A new lead worker joins the Team Around the Family. Needs
/// `If-Match`; a closed assessment is 409.
#[utoipa::path(
    operation_id = "update_assessment",
    tag = "assessments",
    request_body = AssessmentContent,
    params(("family_id" = Uuid, Path, description = "Family id"),
           ("assessment_id" = Uuid, Path, description = "Assessment id"),
           ("If-Match" = String, Header, description = "The ETag last read, e.g. `\"1\"`")),
    extensions(("x-policy" = json!(asm::Work::ROLES))),
    responses(
        (status = 200, description = "Updated.", body = Assessment, headers(("ETag" = String, description = "New version"))),
        (status = 404, description = "No such assessment visible to you.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The assessment is closed.", body = Problem, content_type = "application/problem+json")
    )
)]
#[put("/families/{family_id}/assessments/{assessment_id}")]
pub async fn update_assessment(
    ctx: Allowed<asm::Work>,
    state: web::Data<AppState>,
    path: PathIds,
    expected: IfMatch,
    body: Body<AssessmentContent>,
) -> ApiResult<Reply> {
    service::assessments::update(&state.pool, &ctx, path.two(), expected.0, body.value).await
}

/// Agree an FCAF
///
/// The draft becomes active: it needs the family's and the practitioners' priorities and at
/// least one finding (422 naming what is missing) and consent still in force. The FCAF enters the
/// family's timeline from its start (stepping down from `follows_episode_id` when given), and the
/// first Team Around the Family review falls due at the longest review interval. Needs `If-Match`.
#[utoipa::path(
    operation_id = "activate_assessment",
    tag = "assessments",
    request_body = AssessmentActivate,
    params(("family_id" = Uuid, Path, description = "Family id"),
           ("assessment_id" = Uuid, Path, description = "Assessment id"),
           params::IfMatch),
    extensions(("x-policy" = json!(asm::Work::ROLES))),
    responses(
        (status = 200, description = "Active.", body = Assessment, headers(("ETag" = String, description = "New version"))),
        (status = 404, description = "No such assessment visible to you.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not a draft, no consent in force, or it would overlap another FCAF on the timeline.", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/families/{family_id}/assessments/{assessment_id}/activate")]
pub async fn activate_assessment(
    ctx: Allowed<asm::Work>,
    state: web::Data<AppState>,
    path: PathIds,
    expected: IfMatch,
    body: Body<AssessmentActivate>,
) -> ApiResult<Reply> {
    service::assessments::activate(
        &state.pool,
        &ctx,
        path.two(),
        expected.0,
        body.value,
        state.config.taf_review,
    )
    .await
}

/// Close an FCAF
///
/// Closes a draft or active assessment with its reason (`note` required for `other`) and ends
/// its episode on the timeline. A closed assessment never changes again. Needs `If-Match`.
#[utoipa::path(
    operation_id = "close_assessment",
    tag = "assessments",
    request_body = AssessmentClose,
    params(("family_id" = Uuid, Path, description = "Family id"),
           ("assessment_id" = Uuid, Path, description = "Assessment id"),
           params::IfMatch),
    extensions(("x-policy" = json!(asm::Work::ROLES))),
    responses(
        (status = 200, description = "Closed.", body = Assessment, headers(("ETag" = String, description = "New version"))),
        (status = 404, description = "No such assessment visible to you.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already closed.", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/families/{family_id}/assessments/{assessment_id}/close")]
pub async fn close_assessment(
    ctx: Allowed<asm::Work>,
    state: web::Data<AppState>,
    path: PathIds,
    expected: IfMatch,
    body: Body<AssessmentClose>,
) -> ApiResult<Reply> {
    service::assessments::close(&state.pool, &ctx, path.two(), expected.0, body.value).await
}

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(create_assessment)
        .service(list_assessments)
        .service(get_assessment)
        .service(update_assessment)
        .service(activate_assessment)
        .service(close_assessment);
}
