use actix_web::{get, post, web, HttpRequest};

use crate::api::rulesets::*;
use crate::api::Page;
use crate::error::{ApiResult, Problem};
use crate::http::extract::{path_code, Allowed, Body, Policy};
use crate::http::reply::Reply;
use crate::http::AppState;
use crate::service::{self, rulesets as rs};

fn code(req: &HttpRequest) -> ApiResult<String> {
    path_code(req, "code", 3)
}

/// List rulesets
///
/// The programme rulesets (phase 1, phase 2, Supporting Families) with every revision and its
/// parameters: thresholds, local filters, deprived areas and payment schedule.
#[utoipa::path(
    operation_id = "list_rulesets",
    tag = "rulesets",
    extensions(("x-policy" = json!(rs::Read::ROLES))),
    responses((status = 200, description = "Every ruleset.", body = Page<Ruleset>))
)]
#[get("/rulesets")]
pub async fn list_rulesets(ctx: Allowed<rs::Read>, state: web::Data<AppState>) -> ApiResult<Reply> {
    service::rulesets::list(&state.pool, &ctx).await
}

/// Get a ruleset
#[utoipa::path(
    operation_id = "get_ruleset",
    tag = "rulesets",
    description = "One ruleset with all its revisions, oldest first.",
    params(("code" = String, Path, description = "Ruleset code, e.g. `phase1-2012`", pattern = "^[a-z0-9-]{3,40}$", max_length = 40)),
    extensions(("x-policy" = json!(rs::Read::ROLES))),
    responses(
        (status = 200, description = "The ruleset.", body = Ruleset),
        (status = 404, description = "No such ruleset.", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/rulesets/{code}")]
pub async fn get_ruleset(
    req: HttpRequest,
    ctx: Allowed<rs::Read>,
    state: web::Data<AppState>,
) -> ApiResult<Reply> {
    service::rulesets::get(&state.pool, &ctx, &code(&req)?).await
}

/// Add a ruleset revision
///
/// Changes the rules from a date by adding an immutable revision with the complete parameters
/// (for example, a council's real deprived-area list). It must take effect after the latest
/// revision; revisions in use are never edited.
#[utoipa::path(
    operation_id = "create_ruleset_revision",
    tag = "rulesets",
    request_body = RevisionCreate,
    params(("code" = String, Path, description = "Ruleset code", pattern = "^[a-z0-9-]{3,40}$", max_length = 40)),
    extensions(("x-policy" = json!(rs::Write::ROLES))),
    responses(
        (status = 201, description = "Added.", body = Revision,
         headers(("Location" = String, description = "URL of the ruleset"), ("ETag" = String, description = "The revision number"))),
        (status = 404, description = "No such ruleset.", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/rulesets/{code}/revisions")]
pub async fn create_ruleset_revision(
    req: HttpRequest,
    ctx: Allowed<rs::Write>,
    state: web::Data<AppState>,
    body: Body<RevisionCreate>,
) -> ApiResult<Reply> {
    service::rulesets::add_revision(&state.pool, &ctx, &code(&req)?, body.value).await
}

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_rulesets)
        .service(get_ruleset)
        .service(create_ruleset_revision);
}
