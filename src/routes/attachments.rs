use actix_web::{get, post, web, HttpRequest};

use crate::api::attachments::*;
use crate::api::params;
use crate::api::Page;
use crate::error::{ApiResult, Problem};
use crate::http::extract::{idem, Allowed, Body, PathIds, Policy};
use crate::http::reply::Reply;
use crate::http::AppState;
use crate::service::{self, attachments as att, families as fam};

/// Attach a family
///
/// Takes the family on under a ruleset on a date. The revision in force that day judges the
/// family from then on; the date's financial year fixes the attachment fee and results payments.
/// A family the rules find ineligible on that date is refused (422, with the reason) unless a
/// manager gives an `override_justification`, which is kept and audited. A family is attached at
/// most once per ruleset (409).
#[utoipa::path(
    operation_id = "create_attachment",
    tag = "attachments",
    request_body = AttachmentCreate,
    params(("family_id" = Uuid, Path, description = "Family id"),
           params::IdempotencyKey),
    extensions(("x-policy" = json!(att::Attach::ROLES))),
    responses(
        (status = 201, description = "Attached.", body = Attachment,
         headers(("Location" = String, description = "URL of the attachment"), ("ETag" = String, description = "Always \"1\": attachments never change"))),
        (status = 404, description = "No such family visible to you.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already attached under this ruleset, or the Idempotency-Key is in flight.", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/families/{family_id}/attachments")]
pub async fn create_attachment(
    req: HttpRequest,
    ctx: Allowed<att::Attach>,
    state: web::Data<AppState>,
    path: PathIds,
    body: Body<AttachmentCreate>,
) -> ApiResult<Reply> {
    let idem = idem(&req, &body)?;
    service::attachments::attach(&state.pool, &ctx, path.one(), body.value, idem).await
}

/// List a family's attachments
#[utoipa::path(
    operation_id = "list_attachments",
    tag = "attachments",
    description = "The family's attachments, newest first (one per ruleset at most).",
    params(("family_id" = Uuid, Path, description = "Family id")),
    extensions(("x-policy" = json!(fam::Read::ROLES))),
    responses(
        (status = 200, description = "The attachments.", body = Page<Attachment>),
        (status = 404, description = "No such family visible to you.", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/families/{family_id}/attachments")]
pub async fn list_attachments(
    ctx: Allowed<fam::Read>,
    state: web::Data<AppState>,
    path: PathIds,
) -> ApiResult<Reply> {
    service::attachments::list(&state.pool, &ctx, path.one()).await
}

/// Get an attachment
#[utoipa::path(
    operation_id = "get_attachment",
    tag = "attachments",
    description = "One attachment, with the verdict kept from the attachment date.",
    params(("family_id" = Uuid, Path, description = "Family id"), ("attachment_id" = Uuid, Path, description = "Attachment id")),
    extensions(("x-policy" = json!(fam::Read::ROLES))),
    responses(
        (status = 200, description = "The attachment.", body = Attachment),
        (status = 404, description = "No such family or attachment visible to you.", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/families/{family_id}/attachments/{attachment_id}")]
pub async fn get_attachment(
    ctx: Allowed<fam::Read>,
    state: web::Data<AppState>,
    path: PathIds,
) -> ApiResult<Reply> {
    let (family_id, id) = path.two();
    service::attachments::get(&state.pool, &ctx, family_id, id).await
}

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(create_attachment)
        .service(list_attachments)
        .service(get_attachment);
}
