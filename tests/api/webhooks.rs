//! Notifications to providers' systems: signed, at least once, retried across a restart,
//! dead-lettered, and never to private addresses unless development allows it.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use base64::Engine;
use ffc::auth::Role;
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;

use crate::casework::at;
use crate::common::*;

type Received = Arc<Mutex<Vec<(String, String, String, String)>>>;

/// A receiver on 127.0.0.1 that records (id, timestamp, signature, body) and answers `status`.
fn receiver(port: u16, status: u16) -> (Received, actix_web::dev::ServerHandle) {
    let got: Received = Arc::default();
    let g = got.clone();
    let srv = HttpServer::new(move || {
        let g = g.clone();
        App::new().default_service(web::to(move |req: HttpRequest, body: String| {
            let g = g.clone();
            async move {
                let h = |n: &str| {
                    req.headers()
                        .get(n)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or_default()
                        .to_string()
                };
                g.lock().unwrap().push((
                    h("webhook-id"),
                    h("webhook-timestamp"),
                    h("webhook-signature"),
                    body,
                ));
                HttpResponse::build(actix_web::http::StatusCode::from_u16(status).unwrap()).finish()
            }
        }))
    })
    .workers(1)
    .disable_signals()
    .bind(("127.0.0.1", port))
    .unwrap()
    .run();
    let handle = srv.handle();
    tokio::spawn(srv);
    (got, handle)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn valid(secret: &str, id: &str, ts: &str, sig: &str, body: &str) -> bool {
    let key = base64::engine::general_purpose::STANDARD
        .decode(secret.trim_start_matches("whsec_"))
        .unwrap();
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).unwrap();
    mac.update(format!("{id}.{ts}.{body}").as_bytes());
    let expected = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    sig.split(' ').any(|s| s == format!("v1,{expected}"))
}

async fn until<F: std::future::Future<Output = bool>>(what: &str, mut check: impl FnMut() -> F) {
    let start = Instant::now();
    while !check().await {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits until the organisation's two events (the referral's creation and acceptance) are
/// recorded as delivered.
async fn both_delivered(app: &TestApp, provider: &str) {
    until("both events delivered", || async {
        let (_, d) = send(app.get("/api/v1/webhook-deliveries?status=delivered", provider)).await;
        d["items"].as_array().map(|a| a.len()) == Some(2)
    })
    .await;
}

async fn provider_with_referral(app: &TestApp, url: &str) -> (String, Value, String) {
    let (s, _) = send(app.post(
        "/api/v1/provider-users",
        &token(&[Role::Admin]),
        &json!({"issuer": "ffc-dev", "subject": "remedi-system", "organisation": "remedi"}),
    ))
    .await;
    assert_eq!(s, 201);
    let remedi = token_for("remedi-system", &[Role::Provider]);
    let (s, sub) = send(app.post(
        "/api/v1/webhook-subscriptions",
        &remedi,
        &json!({"url": url}),
    ))
    .await;
    assert_eq!(s, 201, "{sub}");
    let secret = sub["secret"].as_str().unwrap().to_string();
    assert!(secret.starts_with("whsec_"));
    let f = app.create_family(&coordinator(), &family_body()).await;
    let fid = f["id"].as_str().unwrap();
    let (s, _) = send(app.post(&at(fid, "consents"), &coordinator(), &json!({
        "decision": "given", "organisations": ["remedi"], "purposes": ["referral"], "valid_from": "2013-02-01"}))).await;
    assert_eq!(s, 201);
    let (s, r) = send(app.post(&at(fid, "referrals"), &coordinator(), &json!({
        "service_code": "remedi-family-mediation", "reason": "Conflict at home.", "referred_on": "2014-01-15"}))).await;
    assert_eq!(s, 201);
    let (s, _) = send(
        app.post(
            &format!(
                "/api/v1/referrals/{}/transitions",
                r["id"].as_str().unwrap()
            ),
            &remedi,
            &json!({"action": "accept"}),
        )
        .header("If-Match", "\"1\""),
    )
    .await;
    assert_eq!(s, 200);
    (remedi, r, secret)
}

#[tokio::test]
async fn events_reach_a_receiver_that_was_down_after_the_service_restarts_each_signed() {
    let port = free_port();
    let app = spawn_app().await;
    let (remedi, referral, secret) =
        provider_with_referral(&app, &format!("http://127.0.0.1:{port}/hook")).await;
    // The receiver is down: the deliveries fail and wait to be retried.
    until("a failed attempt", || async {
        let (_, d) = send(app.get("/api/v1/webhook-deliveries", &remedi)).await;
        let items = d["items"].as_array().cloned().unwrap_or_default();
        items.len() == 2
            && items
                .iter()
                .all(|i| i["attempts"].as_i64() >= Some(1) && i["status"] == "pending")
    })
    .await;
    app.stop().await;
    // The receiver comes back; a new instance of the service on the same database delivers.
    let (got, receiver_handle) = receiver(port, 200);
    let again = spawn_app_with(Options {
        database: Some(app.db_name.clone()),
        ..Options::default()
    })
    .await;
    both_delivered(&again, &remedi).await;
    let (_, d) = send(again.get("/api/v1/webhook-deliveries", &remedi)).await;
    let ids: Vec<String> = d["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_string())
        .collect();
    let received = got.lock().unwrap().clone();
    let mut seen: Vec<String> = received.iter().map(|r| r.0.clone()).collect();
    seen.sort();
    seen.dedup();
    let mut expected = ids.clone();
    expected.sort();
    assert_eq!(
        seen, expected,
        "every event, duplicates only under the same webhook-id"
    );
    let mut types = Vec::new();
    for (id, ts, sig, body) in &received {
        assert!(valid(&secret, id, ts, sig, body), "signature of {id}");
        let event: Value = serde_json::from_str(body).unwrap();
        assert_eq!(
            event["data"]["referral_id"], referral["id"],
            "thin: ids only"
        );
        assert!(event["data"].get("reason").is_none());
        types.push(event["type"].as_str().unwrap().to_string());
    }
    assert!(
        types.contains(&"referral.created".to_string())
            && types.contains(&"referral.status_changed".to_string()),
        "{types:?}"
    );
    receiver_handle.stop(true).await;
}

#[tokio::test]
async fn a_delivery_that_keeps_failing_becomes_a_dead_letter() {
    let port = free_port();
    let (_got, handle) = receiver(port, 500);
    let app = spawn_app_with(Options {
        webhooks: ffc::config::WebhookConfig {
            max_attempts: 2,
            backoff_ms: 50,
            allow_private: true,
        },
        ..Options::default()
    })
    .await;
    let (remedi, _, _) =
        provider_with_referral(&app, &format!("http://127.0.0.1:{port}/hook")).await;
    until("dead letters", || async {
        let (_, d) = send(app.get("/api/v1/webhook-deliveries?status=dead", &remedi)).await;
        d["items"].as_array().map(|a| a.len()) == Some(2)
    })
    .await;
    let (_, d) = send(app.get("/api/v1/webhook-deliveries?status=dead", &remedi)).await;
    assert_eq!(d["items"][0]["attempts"], 2);
    assert!(
        d["items"][0]["last_error"]
            .as_str()
            .unwrap()
            .contains("500"),
        "{d}"
    );
    // The secret is shown once: a retried subscription request answers without it.
    let body = json!({"url": format!("http://127.0.0.1:{port}/second")});
    let (s, first) = send(
        app.post("/api/v1/webhook-subscriptions", &remedi, &body)
            .header("Idempotency-Key", "sub-2"),
    )
    .await;
    assert_eq!(s, 201);
    assert!(first["secret"].is_string());
    let (s, again) = send(
        app.post("/api/v1/webhook-subscriptions", &remedi, &body)
            .header("Idempotency-Key", "sub-2"),
    )
    .await;
    assert_eq!((s, &again["id"]), (201, &first["id"]));
    assert!(again.get("secret").is_none(), "{again}");
    let (_, list) = send(app.get("/api/v1/webhook-subscriptions", &remedi)).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 2);
    assert!(list["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|s| s.get("secret").is_none()));
    let one = format!(
        "/api/v1/webhook-subscriptions/{}",
        first["id"].as_str().unwrap()
    );
    let (s, _) = send(
        app.delete(&one, &token_for("other", &[Role::Provider]))
            .header("If-Match", "\"1\""),
    )
    .await;
    assert_eq!(s, 404, "not another provider's");
    let (s, _) = send(app.delete(&one, &remedi).header("If-Match", "\"1\"")).await;
    assert_eq!(s, 204);
    let (_, list) = send(app.get("/api/v1/webhook-subscriptions", &remedi)).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    handle.stop(true).await;
}

#[tokio::test]
async fn private_addresses_are_refused_unless_development_allows_them() {
    let app = spawn_app_with(Options {
        webhooks: ffc::config::WebhookConfig {
            max_attempts: 2,
            backoff_ms: 50,
            allow_private: false,
        },
        ..Options::default()
    })
    .await;
    let (s, _) = send(app.post(
        "/api/v1/provider-users",
        &token(&[Role::Admin]),
        &json!({"issuer": "ffc-dev", "subject": "remedi-system", "organisation": "remedi"}),
    ))
    .await;
    assert_eq!(s, 201);
    let remedi = token_for("remedi-system", &[Role::Provider]);
    for url in [
        "http://127.0.0.1:9/hook",
        "http://10.0.0.5/hook",
        "http://169.254.169.254/latest",
        "http://[::1]/x",
        "ftp://example.org/x",
        "http://localhost:8080/x",
    ] {
        let (s, p) = send(app.post(
            "/api/v1/webhook-subscriptions",
            &remedi,
            &json!({"url": url}),
        ))
        .await;
        assert_eq!(
            (s, fields(&p)),
            (422, vec!["url".to_string()]),
            "{url}: {p}"
        );
    }
    let (s, _) = send(app.post(
        "/api/v1/webhook-subscriptions",
        &token_for("unbound", &[Role::Provider]),
        &json!({"url": "https://example.org/x"}),
    ))
    .await;
    assert_eq!(s, 403, "an unbound provider subscribes for nobody");
    let (s, p) = send(app.post(
        "/api/v1/webhook-subscriptions",
        &remedi,
        &json!({"url": "https://example.org/x", "organisation": "ywca"}),
    ))
    .await;
    assert_eq!((s, fields(&p)), (422, vec!["organisation".to_string()]));
}

#[tokio::test]
async fn a_delivery_left_by_a_silent_worker_is_sent_once_by_another_and_the_first_cannot_record_it()
{
    let port = free_port();
    let (got, receiver_handle) = receiver(port, 200);
    let app = spawn_app().await;
    // This instance stops before its worker sends anything: the two events stay pending.
    app.stop_background().await;
    let (remedi, _, _) =
        provider_with_referral(&app, &format!("http://127.0.0.1:{port}/hook")).await;
    // A worker leased both and fell silent two minutes ago.
    let su = app.superuser_db().await;
    su.batch_execute(
        "UPDATE webhook_deliveries SET lease_token = gen_random_uuid(),
                heartbeat_at = now() - interval '2 minutes'",
    )
    .await
    .unwrap();
    let leases: Vec<(uuid::Uuid, uuid::Uuid)> = su
        .query(
            "SELECT id::text, lease_token::text FROM webhook_deliveries",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| {
            (
                r.get::<_, String>(0).parse().unwrap(),
                r.get::<_, String>(1).parse().unwrap(),
            )
        })
        .collect();
    assert_eq!(leases.len(), 2);
    let again = spawn_app_with(Options {
        database: Some(app.db_name.clone()),
        ..Options::default()
    })
    .await;
    both_delivered(&again, &remedi).await;
    let mut ids: Vec<String> = got.lock().unwrap().iter().map(|r| r.0.clone()).collect();
    ids.sort();
    let mut expected: Vec<String> = leases.iter().map(|(id, _)| id.to_string()).collect();
    expected.sort();
    assert_eq!(
        ids, expected,
        "each delivery sent once, by the instance that took it over"
    );
    let (_, d) = send(again.get("/api/v1/webhook-deliveries", &remedi)).await;
    for item in d["items"].as_array().unwrap() {
        assert_eq!(item["attempts"], 1, "{item}");
    }
    // The silent worker wakes up: what it would record is refused, and nothing changes.
    let pool = ffc::db::pool(&app.app_db_url, 1).unwrap();
    let mut conn = pool.get().await.unwrap();
    for (id, token) in leases {
        assert!(!ffc::db::webhooks::delivered(&mut conn, id, token)
            .await
            .unwrap());
        assert!(
            !ffc::db::webhooks::failed(&mut conn, id, token, "late", None)
                .await
                .unwrap()
        );
    }
    let (_, d) = send(again.get("/api/v1/webhook-deliveries?status=delivered", &remedi)).await;
    assert_eq!(d["items"].as_array().unwrap().len(), 2);
    receiver_handle.stop(true).await;
}
