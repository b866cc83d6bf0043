//! The webhook outbox's worker: a queue of many small deliveries with its own shape (attempts and
//! a next attempt per delivery, no done/total), leased the jobs' way: skip-locked, a token per
//! delivery, a heartbeat while sending, taken over after `runner::STALE_SECONDS` of silence,
//! retried with the jobs' back-off and dead-lettered after the configured attempts. Delivery is
//! at least once: a holder that dies after sending and before recording it is sent again, under
//! the same `webhook-id`.

use std::net::SocketAddr;
use std::time::Duration;

use uuid::Uuid;

use super::runner::{HEARTBEAT, STALE_SECONDS};
use crate::config::WebhookConfig;
use crate::db::{webhooks as q, Pool};
use crate::webhooks::{backoff, checked, sign};

/// Five at a time, each at most 3 s of DNS and 10 s of request.
const BATCH: i64 = 5;

/// Delivers what is due, until told to stop.
pub async fn run_forever(
    pool: Pool,
    cfg: WebhookConfig,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    loop {
        if let Err(e) = deliver_due(&pool, &cfg).await {
            log::warn!("webhooks: {e}");
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_millis(250)) => {}
            _ = stop.changed() => return,
        }
    }
}

/// A client that connects only to the checked addresses and follows no redirects.
fn client_for(url: &reqwest::Url, pinned: &[SocketAddr]) -> Result<reqwest::Client, String> {
    let mut b = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .redirect(reqwest::redirect::Policy::none());
    if let (Some(host), false) = (url.host_str(), pinned.is_empty()) {
        b = b.resolve_to_addrs(host, pinned);
    }
    b.build().map_err(|e| format!("http client: {e}"))
}

/// Keeps the batch's leases while it is sent (five slow receivers outlast the stale period).
async fn heartbeat(pool: Pool, tokens: Vec<Uuid>) {
    loop {
        tokio::time::sleep(HEARTBEAT).await;
        match pool.get().await {
            Ok(mut c) => {
                if let Err(e) = q::heartbeat(&mut c, &tokens).await {
                    log::warn!("webhook lease heartbeat: {e}");
                }
            }
            Err(e) => log::warn!("webhook lease heartbeat: {e}"),
        }
    }
}

async fn deliver_due(pool: &Pool, cfg: &WebhookConfig) -> Result<(), String> {
    let mut conn = pool.get().await.map_err(|e| format!("database: {e}"))?;
    let due = q::claim(&mut conn, BATCH, STALE_SECONDS)
        .await
        .map_err(|e| format!("claim: {e}"))?;
    if due.is_empty() {
        return Ok(());
    }
    let beat = tokio::spawn(heartbeat(
        pool.clone(),
        due.iter().map(|d| d.lease_token).collect(),
    ));
    let outcome = deliver(&mut conn, cfg, due).await;
    beat.abort();
    outcome
}

async fn deliver(
    conn: &mut crate::db::Conn,
    cfg: &WebhookConfig,
    due: Vec<q::Due>,
) -> Result<(), String> {
    for d in due {
        let id = d.id.to_string();
        let timestamp = chrono::Utc::now().timestamp();
        let body = serde_json::json!({
            "type": d.event_type,
            "timestamp": d.created_at,
            "data": d.payload,
        })
        .to_string();
        let client = checked(&d.url, cfg.allow_private)
            .await
            .map_err(|e| format!("destination refused: {e}"))
            .and_then(|(url, pinned)| client_for(&url, &pinned).map(|c| (url, c)));
        let result = match client {
            Err(e) => Err(e),
            Ok((url, client)) => client
                .post(url)
                .header("content-type", "application/json")
                .header("webhook-id", &id)
                .header("webhook-timestamp", timestamp.to_string())
                .header("webhook-signature", sign(&d.secret, &id, timestamp, &body))
                .body(body)
                .send()
                .await
                .map_err(|e| format!("send: {e}"))
                .and_then(|r| {
                    if r.status().is_success() {
                        Ok(())
                    } else {
                        Err(format!("status {}", r.status()))
                    }
                }),
        };
        let recorded = match result {
            Ok(()) => q::delivered(conn, d.id, d.lease_token).await,
            Err(e) => {
                let attempt = d.attempts + 1;
                let next = (attempt < cfg.max_attempts).then(|| {
                    chrono::Utc::now()
                        + chrono::Duration::from_std(backoff(cfg, attempt)).unwrap_or_default()
                });
                q::failed(conn, d.id, d.lease_token, &e, next).await
            }
        };
        match recorded {
            Ok(true) => {}
            Ok(false) => log::warn!("webhook delivery {id}: taken over meanwhile; not recorded"),
            Err(e) => return Err(format!("record: {e}")),
        }
    }
    Ok(())
}
