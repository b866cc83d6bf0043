use actix_web::{get, post, web, HttpRequest};

use crate::api::claims::*;
use crate::api::params;
use crate::api::Page;
use crate::error::{ApiResult, Problem};
use crate::http::extract::{idem, query_map, Allowed, Body, IfMatch, PathIds, Policy};
use crate::http::reply::Reply;
use crate::http::AppState;
use crate::service::claims as svc;

/// Open a claim window
///
/// Computes, in the background, every attached family's newly achieved results as of the
/// cut-off (not later than today), each by the ruleset revision the family was attached under:
/// a result already claimed or withdrawn for the family (or its alternative: continuous
/// employment and crime/ASB and education do not combine) is never claimed again, in any
/// window. Nothing is claimed under a ruleset revision whose `outcomes.last_claim_on` is before
/// the cut-off, nor under rulesets left out of `rulesets`; `revisions` in the answer says which
/// applied. Windows run forward: a cut-off earlier than a submitted window's, for any of the
/// same rulesets, is refused (409). Answers 202 at once; the window shows its progress and is
/// ready for review when `status` is `review`.
#[utoipa::path(
    operation_id = "create_claim_window",
    tag = "claims",
    request_body = WindowCreate,
    params(params::IdempotencyKey),
    extensions(("x-policy" = json!(svc::Run::ROLES))),
    responses(
        (status = 202, description = "Opened; computing.", body = Window,
         headers(("Location" = String, description = "URL of the window"), ("ETag" = String, description = "Version"))),
        (status = 409, description = "A submitted window covering any of the same rulesets has a later cut-off: windows run forward (the detail names that window).", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/claim-windows")]
pub async fn create_claim_window(
    req: HttpRequest,
    ctx: Allowed<svc::Run>,
    state: web::Data<AppState>,
    body: Body<WindowCreate>,
) -> ApiResult<Reply> {
    let idem = idem(&req, &body)?;
    let reply = svc::open(&state.pool, &ctx, body.value, idem).await?;
    state.jobs.notify_one();
    Ok(reply)
}

/// List claim windows
#[utoipa::path(
    operation_id = "list_claim_windows",
    tag = "claims",
    description = "Windows in the order they were opened, each with its totals per result type.",
    params(WindowListQuery),
    extensions(("x-policy" = json!(svc::Read::ROLES))),
    responses((status = 200, description = "A page of windows.", body = Page<Window>))
)]
#[get("/claim-windows")]
pub async fn list_claim_windows(
    req: HttpRequest,
    ctx: Allowed<svc::Read>,
    state: web::Data<AppState>,
) -> ApiResult<Reply> {
    let params = query_map(&req, &["status", "limit", "cursor"])?;
    svc::list(&state.pool, &ctx, params).await
}

/// Get a claim window
#[utoipa::path(
    operation_id = "get_claim_window",
    tag = "claims",
    description = "Status, progress of the computation, who prepared, validated and submitted it, and its totals per result type (included, excluded, withdrawn, money).",
    params(("window_id" = Uuid, Path, description = "Window id")),
    extensions(("x-policy" = json!(svc::Read::ROLES))),
    responses(
        (status = 200, description = "The window.", body = Window,
         headers(("ETag" = String, description = "Version"))),
        (status = 404, description = "No such window.", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/claim-windows/{window_id}")]
pub async fn get_claim_window(
    ctx: Allowed<svc::Read>,
    state: web::Data<AppState>,
    path: PathIds,
) -> ApiResult<Reply> {
    svc::get(&state.pool, &ctx, path.one()).await
}

/// List a window's results
#[utoipa::path(
    operation_id = "list_claim_items",
    tag = "claims",
    description = "Each result in the window: family, result, amount, status and the snapshot of the result as judged at the cut-off (components, figures, evidence ids).",
    params(("window_id" = Uuid, Path, description = "Window id"), ItemListQuery),
    extensions(("x-policy" = json!(svc::Read::ROLES))),
    responses(
        (status = 200, description = "A page of results.", body = Page<Item>),
        (status = 404, description = "No such window.", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/claim-windows/{window_id}/items")]
pub async fn list_claim_items(
    req: HttpRequest,
    ctx: Allowed<svc::Read>,
    state: web::Data<AppState>,
    path: PathIds,
) -> ApiResult<Reply> {
    let params = query_map(&req, &["status", "result", "limit", "cursor"])?;
    svc::items(&state.pool, &ctx, path.one(), params).await
}

/// Compute a window again
///
/// For a window in review, or one whose computation failed: results already in it stay as they
/// are (an excluded one is not added back) and results achieved since are added.
#[utoipa::path(
    operation_id = "recompute_claim_window",
    tag = "claims",
    params(("window_id" = Uuid, Path, description = "Window id")),
    extensions(("x-policy" = json!(svc::Run::ROLES))),
    responses(
        (status = 202, description = "Computing again.", body = Window),
        (status = 404, description = "No such window.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The window is not in review or failed.", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/claim-windows/{window_id}/recompute")]
pub async fn recompute_claim_window(
    ctx: Allowed<svc::Run>,
    state: web::Data<AppState>,
    path: PathIds,
) -> ApiResult<Reply> {
    let reply = svc::recompute(&state.pool, &ctx, path.one()).await?;
    state.jobs.notify_one();
    Ok(reply)
}

/// Validate a window
///
/// Internal audit's sign-off of a window in review, of the version named in `If-Match` (read
/// the window and its results, then validate that version). Whoever prepared the window may
/// not validate it (403).
#[utoipa::path(
    operation_id = "validate_claim_window",
    tag = "claims",
    params(("window_id" = Uuid, Path, description = "Window id"), ("If-Match" = String, Header, description = "The window's ETag as last read, e.g. `\"3\"`: what is signed off is that version")),
    extensions(("x-policy" = json!(svc::Validate::ROLES))),
    responses(
        (status = 200, description = "Validated.", body = Window),
        (status = 403, description = "You prepared this window (or lack the role): someone else validates it.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such window.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The window is not in review.", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The window changed since the version named in If-Match (computed again, or a result excluded).", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match is required.", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/claim-windows/{window_id}/validation")]
pub async fn validate_claim_window(
    ctx: Allowed<svc::Validate>,
    state: web::Data<AppState>,
    path: PathIds,
    if_match: IfMatch,
) -> ApiResult<Reply> {
    svc::validate(&state.pool, &ctx, path.one(), if_match.0).await
}

/// Submit a window
///
/// Submits a validated window: from then on it never changes (its results keep their
/// snapshots), except that a result found invalid is withdrawn. Neither whoever prepared the
/// window nor whoever validated it may submit it (403). Needs `If-Match`.
#[utoipa::path(
    operation_id = "submit_claim_window",
    tag = "claims",
    params(("window_id" = Uuid, Path, description = "Window id"), ("If-Match" = String, Header, description = "The window's ETag as last read, e.g. `\"3\"`: what is signed off is that version")),
    extensions(("x-policy" = json!(svc::Run::ROLES))),
    responses(
        (status = 200, description = "Submitted.", body = Window),
        (status = 403, description = "You prepared this window (or lack the role): someone else submits it.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such window.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The window has not been validated (or was submitted already), or a submitted window covering any of the same rulesets has a later cut-off (windows run forward; the detail names it).", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The window is not the version named in If-Match.", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match is required.", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/claim-windows/{window_id}/submission")]
pub async fn submit_claim_window(
    ctx: Allowed<svc::Run>,
    state: web::Data<AppState>,
    path: PathIds,
    if_match: IfMatch,
) -> ApiResult<Reply> {
    svc::submit(&state.pool, &ctx, path.one(), if_match.0).await
}

/// Exclude a result from a window
///
/// While the window is in review, with a reason. An excluded result may be claimed in a later
/// window.
#[utoipa::path(
    operation_id = "exclude_claim_item",
    tag = "claims",
    request_body = Exclusion,
    params(("window_id" = Uuid, Path, description = "Window id"), ("item_id" = Uuid, Path, description = "Item id")),
    extensions(("x-policy" = json!(svc::Run::ROLES))),
    responses(
        (status = 200, description = "Excluded.", body = Item),
        (status = 404, description = "No such window or item.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The window is not in review, or the result is not included.", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/claim-windows/{window_id}/items/{item_id}/exclusion")]
pub async fn exclude_claim_item(
    ctx: Allowed<svc::Run>,
    state: web::Data<AppState>,
    path: PathIds,
    body: Body<Exclusion>,
) -> ApiResult<Reply> {
    let (window_id, item_id) = path.two();
    svc::exclude(&state.pool, &ctx, window_id, item_id, body.value).await
}

/// Withdraw a submitted result
///
/// A result of a submitted window found invalid (a national spot check): withdrawn with a
/// reason, its amount recorded as money to recover. It is never claimed again.
#[utoipa::path(
    operation_id = "withdraw_claim_item",
    tag = "claims",
    request_body = Withdrawal,
    params(("window_id" = Uuid, Path, description = "Window id"), ("item_id" = Uuid, Path, description = "Item id")),
    extensions(("x-policy" = json!(svc::Run::ROLES))),
    responses(
        (status = 200, description = "Withdrawn.", body = Item),
        (status = 404, description = "No such window or item.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The window has not been submitted, or the result is not included.", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/claim-windows/{window_id}/items/{item_id}/withdrawal")]
pub async fn withdraw_claim_item(
    ctx: Allowed<svc::Run>,
    state: web::Data<AppState>,
    path: PathIds,
    body: Body<Withdrawal>,
) -> ApiResult<Reply> {
    let (window_id, item_id) = path.two();
    svc::withdraw(&state.pool, &ctx, window_id, item_id, body.value).await
}

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(create_claim_window)
        .service(list_claim_windows)
        .service(get_claim_window)
        .service(list_claim_items)
        .service(recompute_claim_window)
        .service(validate_claim_window)
        .service(submit_claim_window)
        .service(exclude_claim_item)
        .service(withdraw_claim_item);
}
