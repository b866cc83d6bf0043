use actix_web::{delete, get, post, web, HttpRequest};

use crate::api::params;
use crate::api::webhooks::*;
use crate::api::Page;
use crate::error::{ApiResult, Problem};
use crate::http::extract::{idem, query_map, Allowed, Body, IfMatch, PathIds, Policy};
use crate::http::reply::Reply;
use crate::http::AppState;
use crate::service::{self, webhooks as wh};

/// Subscribe to notifications
///
/// A provider's system subscribes to events about its organisation's referrals. Each event is
/// POSTed at least once (a duplicate carries the same `webhook-id`), signed per Standard
/// Webhooks with the secret returned here, once; failed deliveries are retried with exponential
/// back-off and dead-lettered after the configured attempts (see `/webhook-deliveries`).
#[utoipa::path(
    operation_id = "create_webhook_subscription",
    tag = "providers",
    request_body = SubscriptionCreate,
    params(params::IdempotencyKey),
    extensions(("x-policy" = json!(wh::Subscribe::ROLES))),
    responses(
        (status = 201, description = "Subscribed; the secret is in this answer only.", body = Subscription,
         headers(("Location" = String, description = "The subscriptions"), ("ETag" = String, description = "Always \"1\""))),
        (status = 409, description = "The Idempotency-Key is in flight.", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/webhook-subscriptions")]
pub async fn create_webhook_subscription(
    req: HttpRequest,
    ctx: Allowed<wh::Subscribe>,
    state: web::Data<AppState>,
    body: Body<SubscriptionCreate>,
) -> ApiResult<Reply> {
    let idem = idem(&req, &body)?;
    let allow = state.config.webhooks.allow_private;
    service::webhooks::create(&state.pool, &ctx, body.value, idem, allow).await
}

/// List subscriptions
///
/// A provider's own; every one for admins. Secrets are not shown again.
#[utoipa::path(
    operation_id = "list_webhook_subscriptions",
    tag = "providers",
    extensions(("x-policy" = json!(wh::Subscribe::ROLES))),
    responses((status = 200, description = "The active subscriptions.", body = Page<Subscription>))
)]
#[get("/webhook-subscriptions")]
pub async fn list_webhook_subscriptions(
    ctx: Allowed<wh::Subscribe>,
    state: web::Data<AppState>,
) -> ApiResult<Reply> {
    service::webhooks::list(&state.pool, &ctx).await
}

/// End a subscription
///
/// Needs `If-Match`.
#[utoipa::path(
    operation_id = "delete_webhook_subscription",
    tag = "providers",
    params(("subscription_id" = Uuid, Path, description = "Subscription id"),
           params::IfMatch),
    extensions(("x-policy" = json!(wh::Subscribe::ROLES))),
    responses(
        (status = 204, description = "Ended."),
        (status = 404, description = "No such subscription visible to you.", body = Problem, content_type = "application/problem+json")
    )
)]
#[delete("/webhook-subscriptions/{subscription_id}")]
pub async fn delete_webhook_subscription(
    ctx: Allowed<wh::Subscribe>,
    state: web::Data<AppState>,
    path: PathIds,
    expected: IfMatch,
) -> ApiResult<Reply> {
    service::webhooks::end(&state.pool, &ctx, path.one(), expected.0).await
}

/// List deliveries
///
/// Newest first: a provider's own, every one for admins; `status=dead` lists the dead letters.
#[utoipa::path(
    operation_id = "list_webhook_deliveries",
    tag = "providers",
    params(("status" = Option<String>, Query, description = "`pending`, `delivered` or `dead`.", pattern = "^(pending|delivered|dead)$"),
        ("limit" = Option<i64>, Query, description = "At most this many, 1 to 200 (default 50).", minimum = 1, maximum = 200)),
    extensions(("x-policy" = json!(wh::Subscribe::ROLES))),
    responses((status = 200, description = "The deliveries.", body = Page<Delivery>))
)]
#[get("/webhook-deliveries")]
pub async fn list_webhook_deliveries(
    req: HttpRequest,
    ctx: Allowed<wh::Subscribe>,
    state: web::Data<AppState>,
) -> ApiResult<Reply> {
    let params = query_map(&req, &["status", "limit"])?;
    service::webhooks::deliveries(&state.pool, &ctx, params).await
}

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(create_webhook_subscription)
        .service(list_webhook_subscriptions)
        .service(delete_webhook_subscription)
        .service(list_webhook_deliveries);
}
