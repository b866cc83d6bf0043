//! /metrics: Prometheus text for scrapers, from allowed addresses or with the metrics token.

use ffc::http::metrics::{Block, MetricsAccess};

use crate::common::*;

#[tokio::test]
async fn metrics_count_requests_by_route_and_show_pool_jobs_and_outbox() {
    let app = spawn_app().await;
    let t = coordinator();
    app.create_family(&t, &family_body()).await;
    for _ in 0..2 {
        let res = app
            .get("/api/v1/families?limit=5", &t)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
    }
    // A random path is counted under one series, not its own.
    app.get("/api/v1/no-such-thing/123", &t)
        .send()
        .await
        .unwrap();
    // From loopback (allowed by default), no token needed.
    let res = app.client.get(app.url("/metrics")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain"));
    let text = res.text().await.unwrap();
    assert!(
        text.contains(
            "ffc_http_requests_total{method=\"GET\",route=\"/api/v1/families\",status=\"200\"} 2"
        ),
        "{text}"
    );
    assert!(text.contains(
        "ffc_http_requests_total{method=\"POST\",route=\"/api/v1/families\",status=\"201\"} 1"
    ));
    assert!(text.contains("route=\"-\",status=\"404\"} 1"), "{text}");
    assert!(!text.contains("no-such-thing"));
    assert!(text.contains(
        "ffc_http_request_duration_seconds_count{method=\"GET\",route=\"/api/v1/families\"} 2"
    ));
    assert!(text.contains("ffc_db_pool_max_connections 8"));
    // Relayed through a proxy on loopback: the address no longer counts.
    let relayed = app
        .client
        .get(app.url("/metrics"))
        .header("X-Forwarded-For", "203.0.113.9")
        .send()
        .await
        .unwrap();
    assert_eq!(relayed.status(), 403);
    assert!(text.contains("ffc_database_up 1"));
    assert!(text.contains("ffc_jobs_waiting{kind=\"claim_window\"} 0"));
    assert!(text.contains("ffc_webhook_outbox_backlog 0"));
    assert!(text.contains("ffc_webhook_dead_letters 0"));
}

#[tokio::test]
async fn metrics_need_an_allowed_address_or_the_metrics_token() {
    let token = "metrics-scraper-token-0123";
    let app = spawn_app_with(Options {
        metrics: MetricsAccess {
            token: Some(token.into()),
            allow: vec![Block::parse("10.0.0.0/8").unwrap()],
        },
        ..Default::default()
    })
    .await;
    let get = || app.client.get(app.url("/metrics"));
    assert_eq!(
        get().send().await.unwrap().status(),
        403,
        "loopback is not allowed here"
    );
    assert_eq!(
        get()
            .bearer_auth("wrong-token-wrong-token")
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
    assert_eq!(
        get()
            .bearer_auth(coordinator())
            .send()
            .await
            .unwrap()
            .status(),
        401,
        "a user's token is not the metrics token"
    );
    let res = get().bearer_auth(token).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("ffc_database_up 1"));
}
