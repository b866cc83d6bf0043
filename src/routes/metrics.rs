use actix_web::http::header;
use actix_web::{get, web, HttpRequest, HttpResponse};

use crate::error::{ApiError, Problem};
use crate::http::metrics::{counter, gauge};
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
    let audit = state.pool.manager().audit.figures();
    let n = |c: &std::sync::atomic::AtomicU64| c.load(std::sync::atomic::Ordering::Relaxed);
    counter(
        &mut out,
        "ffc_audit_commits_total",
        "Commits of the audit writer, each holding the events of every read then waiting.",
        &[
            ("outcome=\"committed\"", n(&audit.commits)),
            ("outcome=\"failed\"", n(&audit.failed_commits)),
        ],
    );
    counter(
        &mut out,
        "ffc_audit_reads_total",
        "Reads whose events the audit writer committed, or could not (those were answered 503).",
        &[
            ("outcome=\"committed\"", n(&audit.reads)),
            ("outcome=\"failed\"", n(&audit.failed_reads)),
        ],
    );
    // One query for everything the database knows, connection and query bounded together: a
    // scrape must answer even when the pool is exhausted or the database is down or stuck.
    let read = async {
        let mut conn = state.pool.get().await.ok()?;
        let backlog = crate::db::backlog(&mut conn).await.ok()?;
        let jobs = crate::db::jobs::live(&mut conn).await.ok()?;
        Some((backlog, jobs))
    };
    let backlog = tokio::time::timeout(std::time::Duration::from_secs(2), read)
        .await
        .ok()
        .flatten();
    gauge(
        &mut out,
        "ffc_deactivations_followed",
        "Whether this instance answers from its set of deactivated subjects (1) or asks the database on each request (0, its listening connection is down).",
        &[("", state.deactivated.is_current() as i64)],
    );
    gauge(
        &mut out,
        "ffc_database_up",
        "Whether the last scrape could read the database.",
        &[("", backlog.is_some() as i64)],
    );
    if let Some((b, jobs)) = backlog {
        job_figures(&mut out, &jobs);
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

/// Per kind, never per job: how many wait and run, their items done and to do, their rate and
/// the longest estimated time left (the same estimate as a job's own GET).
fn job_figures(out: &mut String, jobs: &[crate::db::jobs::JobRow]) {
    use crate::domain::jobs::{estimate, JobKind, JobStatus};
    let now = chrono::Utc::now();
    let labels: Vec<String> = JobKind::ALL
        .iter()
        .map(|k| format!("kind=\"{k}\""))
        .collect();
    let per_kind = |f: &dyn Fn(JobKind, &[&crate::db::jobs::JobRow]) -> i64| -> Vec<(&str, i64)> {
        JobKind::ALL
            .iter()
            .zip(&labels)
            .map(|(k, l)| {
                let mine: Vec<_> = jobs.iter().filter(|j| j.kind == *k).collect();
                (l.as_str(), f(*k, &mine))
            })
            .collect()
    };
    let running = |js: &[&crate::db::jobs::JobRow]| -> Vec<crate::db::jobs::JobRow> {
        js.iter()
            .filter(|j| j.status == JobStatus::Running)
            .map(|j| (*j).clone())
            .collect()
    };
    gauge(
        out,
        "ffc_jobs_waiting",
        "Background jobs queued or running, by kind.",
        &per_kind(&|_, js| js.len() as i64),
    );
    gauge(
        out,
        "ffc_jobs_running",
        "Background jobs running (leased by an instance), by kind.",
        &per_kind(&|_, js| running(js).len() as i64),
    );
    gauge(
        out,
        "ffc_job_items_done",
        "Items done by the running jobs of each kind.",
        &per_kind(&|_, js| running(js).iter().map(|j| j.done).sum()),
    );
    gauge(
        out,
        "ffc_job_items_total",
        "Items to do by the running jobs of each kind (those that have counted them).",
        &per_kind(&|_, js| running(js).iter().filter_map(|j| j.total).sum()),
    );
    gauge(
        out,
        "ffc_job_items_per_second",
        "Items per second of the running jobs of each kind, since each started.",
        &per_kind(&|_, js| {
            running(js)
                .iter()
                .filter_map(|j| estimate(j.done, j.total, j.started_at, None, now).rate_per_second)
                .sum::<f64>()
                .round() as i64
        }),
    );
    gauge(
        out,
        "ffc_job_seconds_left",
        "The longest estimated time left of the running jobs of each kind.",
        &per_kind(&|_, js| {
            running(js)
                .iter()
                .filter_map(|j| estimate(j.done, j.total, j.started_at, None, now).finish_at)
                .map(|f| (f - now).num_seconds().max(0))
                .max()
                .unwrap_or(0)
        }),
    );
}

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(metrics);
}
