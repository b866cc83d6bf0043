use actix_web::{get, post, web, HttpRequest};

use crate::api::notes::*;
use crate::api::params;
use crate::api::Page;
use crate::error::{ApiResult, Problem};
use crate::http::extract::{idem, query_map, Allowed, Body, PathIds, Policy};
use crate::http::reply::Reply;
use crate::http::AppState;
use crate::service::{self, families as fam, notes as nt};

/// Add a case note
///
/// A dated note on the family by its author. Notes are never edited. A `sensitive` note is
/// seen only by the family's allocated worker and managers, and only they may write one. Send an
/// `Idempotency-Key` to make retries safe.
#[utoipa::path(
    operation_id = "create_note",
    tag = "notes",
    request_body = NoteCreate,
    params(("family_id" = Uuid, Path, description = "Family id"),
           params::IdempotencyKey),
    extensions(("x-policy" = json!(nt::Write::ROLES))),
    responses(
        (status = 201, description = "Recorded.", body = Note,
         headers(("Location" = String, description = "The family's notes"), ("ETag" = String, description = "Always \"1\""))),
        (status = 404, description = "No such family visible to you.", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/families/{family_id}/notes")]
pub async fn create_note(
    req: HttpRequest,
    ctx: Allowed<nt::Write>,
    state: web::Data<AppState>,
    path: PathIds,
    body: Body<NoteCreate>,
) -> ApiResult<Reply> {
    let idem = idem(&req, &body)?;
    service::notes::create(&state.pool, &ctx, path.one(), body.value, idem).await
}

/// List a family's case notes
///
/// Newest first. Sensitive notes are included only for the family's allocated worker and
/// managers. An employment adviser or social worker on the family's team sees the notes they
/// wrote themselves.
#[utoipa::path(
    operation_id = "list_notes",
    tag = "notes",
    params(("family_id" = Uuid, Path, description = "Family id"),
        params::Page),
    extensions(("x-policy" = json!(fam::TeamRead::ROLES))),
    responses(
        (status = 200, description = "A page of notes.", body = Page<Note>),
        (status = 404, description = "No such family visible to you.", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/families/{family_id}/notes")]
pub async fn list_notes(
    req: HttpRequest,
    ctx: Allowed<fam::TeamRead>,
    state: web::Data<AppState>,
    path: PathIds,
) -> ApiResult<Reply> {
    let params = query_map(&req, &["limit", "cursor"])?;
    service::notes::list(&state.pool, &ctx, path.one(), params).await
}

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(create_note).service(list_notes);
}
