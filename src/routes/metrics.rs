use actix_web::http::header;
use actix_web::{get, web, HttpRequest, HttpResponse};

use crate::error::{ApiError, Problem};
use crate::http::metrics::gauge;
use crate::http::AppState;

/// Metrics
///
/// Prometheus text format: requests and latency by route template and status (this instance),
/// the database pool (in use, idle, waiting), background jobs waiting (identification runs,
/// claim windows), the webhook outbox backlog and dead letters (shared by all instances, from
/// the database). For scrapers only: with the bearer token `FFC_METRICS_TOKEN`, or without a
/// token from the addresses in `FFC_METRICS_ALLOW` (loopback by default; not through a proxy
/// that sets `Forwarded` or `X-Forwarded-For`). A user's token never opens it.
#[utoipa::path(
    operation_id = "metrics",
    tag = "health",
    security(("metrics" = []), ()),
    responses(
        (status = 200, description = "The metrics.", content_type = "text/plain; version=0.0.4", body = String),
        (status = 401, description = "A token was sent and it is not the metrics token.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not from an allowed address, and no token.", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/metrics")]
pub async fn metrics(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let access = &state.config.metrics;
    let sent = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        });
    // A request relayed by a proxy on an allowed address (nginx on the same host, a sidecar)
    // comes from elsewhere: only the token lets it in.
    let relayed =
        req.headers().contains_key("forwarded") || req.headers().contains_key("x-forwarded-for");
    let from_allowed = !relayed
        && req
            .peer_addr()
            .is_some_and(|a| access.allows_address(a.ip()));
    match sent {
        Some(t) if access.allows_token(t.trim()) => {}
        _ if from_allowed => {}
        Some(_) => return Err(ApiError::Unauthorized("Not the metrics token.".into())),
        None => {
            return Err(ApiError::Forbidden(
                "Metrics are for configured scrapers: an allowed address or the metrics token."
                    .into(),
            ))
        }
    }
    let mut out = String::new();
    state.metrics.render_http(&mut out);
    let pool = state.pool.status();
    let in_use = pool.size.saturating_sub(pool.available) as i64;
    gauge(
        &mut out,
        "ffc_db_pool_connections",
        "Database connections of this instance's pool.",
        &[
            ("state=\"in_use\"", in_use),
            ("state=\"idle\"", pool.available as i64),
        ],
    );
    gauge(
        &mut out,
        "ffc_db_pool_max_connections",
        "The most connections this instance's pool opens.",
        &[("", pool.max_size as i64)],
    );
    gauge(
        &mut out,
        "ffc_db_pool_waiting",
        "Requests waiting for a database connection.",
        &[("", pool.waiting as i64)],
    );
    // One query for everything the database knows, connection and query bounded together: a
    // scrape must answer even when the pool is exhausted or the database is down or stuck.
    let read = async {
        let mut conn = state.pool.get().await.ok()?;
        crate::db::backlog(&mut conn).await.ok()
    };
    let backlog = tokio::time::timeout(std::time::Duration::from_secs(2), read)
        .await
        .ok()
        .flatten();
    gauge(
        &mut out,
        "ffc_database_up",
        "Whether the last scrape could read the database.",
        &[("", backlog.is_some() as i64)],
    );
    if let Some(b) = backlog {
        gauge(
            &mut out,
            "ffc_jobs_waiting",
            "Background jobs queued or running, by kind.",
            &[
                ("kind=\"identification_run\"", b.identification_runs),
                ("kind=\"claim_window\"", b.claim_windows),
            ],
        );
        gauge(
            &mut out,
            "ffc_webhook_outbox_backlog",
            "Webhook deliveries not yet delivered (pending, including retries).",
            &[("", b.webhook_pending)],
        );
        gauge(
            &mut out,
            "ffc_webhook_dead_letters",
            "Webhook deliveries that gave up after the configured attempts.",
            &[("", b.webhook_dead)],
        );
    }
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(out))
}

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(metrics);
}
