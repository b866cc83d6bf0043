//! The HTTP conventions (docs/architecture.md): problem+json everywhere, If-Match,
//! Idempotency-Key.

use futures_util::future::join_all;
use serde_json::{json, Value};

use crate::common::*;

async fn assert_problem(res: reqwest::Response, status: u16) -> Value {
    assert_eq!(res.status(), status);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    let p: Value = res.json().await.unwrap();
    assert_eq!(p["status"], status);
    assert!(p["type"].as_str().unwrap().starts_with("urn:ffc:problem:"));
    assert!(p["title"].is_string() && p["detail"].is_string());
    p
}

#[tokio::test]
async fn actix_errors_are_problem_json_too() {
    let app = spawn_app().await;
    let t = coordinator();
    // Malformed JSON.
    let res = app
        .client
        .post(app.url("/api/v1/families"))
        .bearer_auth(&t)
        .header("content-type", "application/json")
        .body("{\"town\": ")
        .send()
        .await
        .unwrap();
    assert_problem(res, 400).await;
    // Wrong content type.
    let res = app
        .client
        .post(app.url("/api/v1/families"))
        .bearer_auth(&t)
        .header("content-type", "text/plain")
        .body("hello")
        .send()
        .await
        .unwrap();
    assert_problem(res, 415).await;
    // Oversized body (the test server allows 64 KiB).
    let mut big = family_body();
    big["notes"] = json!("x".repeat(70 * 1024));
    let res = app.post("/api/v1/families", &t, &big).send().await.unwrap();
    assert_problem(res, 413).await;
    // A path parameter that is not a UUID.
    let res = app
        .get("/api/v1/families/not-a-uuid", &t)
        .send()
        .await
        .unwrap();
    let p = assert_problem(res, 400).await;
    assert_eq!(p["errors"][0]["field"], "family_id");
    // Unknown route and unsupported method.
    assert_problem(app.get("/api/v1/nowhere", &t).send().await.unwrap(), 404).await;
    let res = app
        .client
        .put(app.url("/api/v1/families"))
        .bearer_auth(&t)
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["allow"], "GET, POST");
    assert_problem(res, 405).await;
    // No token.
    let res = app
        .client
        .get(app.url("/api/v1/families"))
        .send()
        .await
        .unwrap();
    assert!(res.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .starts_with("Bearer"));
    assert_problem(res, 401).await;
}

#[tokio::test]
async fn updates_need_if_match_and_a_stale_one_is_refused() {
    let app = spawn_app().await;
    let t = coordinator();
    let f = app.create_family(&t, &family_body()).await;
    let loc = format!("/api/v1/families/{}", f["id"].as_str().unwrap());
    let res = app
        .patch(&loc, &t, &json!({"bedrooms": 2}))
        .send()
        .await
        .unwrap();
    assert_problem(res, 428).await;
    let res = app.delete(&loc, &t).send().await.unwrap();
    assert_problem(res, 428).await;
    let res = app
        .patch(&loc, &t, &json!({"bedrooms": 2}))
        .header("If-Match", "\"7\"")
        .send()
        .await
        .unwrap();
    assert_problem(res, 412).await;
    // Not an ETag this API issues (a weak one, or garbage): malformed, 400.
    for bad in ["W/\"1\"", "{}", "\"\""] {
        let res = app
            .patch(&loc, &t, &json!({"bedrooms": 2}))
            .header("If-Match", bad)
            .send()
            .await
            .unwrap();
        let p = assert_problem(res, 400).await;
        assert_eq!(p["errors"][0]["field"], "If-Match");
    }
    // JSON Schema's integer includes 2.0 but not 2.5.
    let res = app
        .patch(&loc, &t, &json!({"bedrooms": 2.5}))
        .header("If-Match", "\"1\"")
        .send()
        .await
        .unwrap();
    assert_problem(res, 422).await;
    let res = app
        .patch(&loc, &t, &json!({"bedrooms": 2.0, "notes": "x"}))
        .header("X-Purpose", "   ")
        .header("If-Match", "\"1\"")
        .send()
        .await
        .unwrap();
    let p = assert_problem(res, 400).await;
    assert_eq!(p["errors"][0]["field"], "X-Purpose");
    let current: Value = app
        .get(&loc, &t)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(current["bedrooms"], 3, "refused updates changed nothing");
    assert_eq!(current["version"], 1);
}

#[tokio::test]
async fn parallel_updates_with_the_same_etag_let_exactly_one_through() {
    let app = spawn_app().await;
    let t = coordinator();
    let f = app.create_family(&t, &family_body()).await;
    let loc = format!("/api/v1/families/{}", f["id"].as_str().unwrap());
    let requests = (0..8).map(|i| {
        app.patch(&loc, &t, &json!({"bedrooms": i}))
            .header("If-Match", "\"1\"")
            .send()
    });
    let statuses: Vec<u16> = join_all(requests)
        .await
        .into_iter()
        .map(|r| r.unwrap().status().as_u16())
        .collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 412).count(),
        7,
        "{statuses:?}"
    );
    let current: Value = app
        .get(&loc, &t)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(current["version"], 2);
}

#[tokio::test]
async fn idempotency_key_replays_the_first_response() {
    let app = spawn_app().await;
    let t = coordinator();
    let send = |body: Value| {
        app.post("/api/v1/families", &t, &body)
            .header("Idempotency-Key", "create-smith-1")
            .send()
    };
    let first = send(family_body()).await.unwrap();
    assert_eq!(first.status(), 201);
    let loc = first.headers()["location"].clone();
    let first: Value = first.json().await.unwrap();
    let again = send(family_body()).await.unwrap();
    assert_eq!(again.status(), 201);
    assert_eq!(again.headers()["location"], loc);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    let again: Value = again.json().await.unwrap();
    assert_eq!(again["id"], first["id"]);
    assert_eq!(app.count("families").await, 1);
    // The same key with another body is refused.
    let mut other = family_body();
    other["town"] = json!("Sheffield");
    let res = send(other).await.unwrap();
    assert_problem(res, 422).await;
    // Keys are per caller: another subject's identical key is independent.
    let res = app
        .post(
            "/api/v1/families",
            &token_for("someone-else", &[ffc::auth::Role::Coordinator]),
            &family_body(),
        )
        .header("Idempotency-Key", "create-smith-1")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    assert_eq!(app.count("families").await, 2);
}

#[tokio::test]
async fn parallel_requests_with_one_idempotency_key_write_once() {
    let app = spawn_app().await;
    let t = coordinator();
    let requests = (0..8).map(|_| {
        app.post("/api/v1/families", &t, &family_body())
            .header("Idempotency-Key", "race-1")
            .send()
    });
    let results = join_all(requests).await;
    let mut ids = Vec::new();
    let mut statuses = Vec::new();
    for r in results {
        let r = r.unwrap();
        let status = r.status().as_u16();
        statuses.push(status);
        let body: Value = r.json().await.unwrap();
        if status == 201 {
            ids.push(body["id"].as_str().unwrap().to_string());
        } else {
            assert_eq!(status, 409, "in flight: {body}");
        }
    }
    assert!(statuses.contains(&201));
    ids.dedup();
    assert_eq!(
        ids.len(),
        1,
        "every success names the same family: {statuses:?}"
    );
    assert_eq!(app.count("families").await, 1);
    assert_eq!(app.count("idempotency_keys").await, 1);
}

#[tokio::test]
async fn a_failed_request_stores_no_idempotency_key() {
    let app = spawn_app().await;
    let t = coordinator();
    let mut bad = family_body();
    bad["postcode"] = json!("nowhere");
    let res = app
        .post("/api/v1/families", &t, &bad)
        .header("Idempotency-Key", "k-1")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let res = app
        .post("/api/v1/families", &t, &family_body())
        .header("Idempotency-Key", "k-1")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201, "the key is free after a refused request");
}

#[tokio::test]
async fn cors_allows_configured_origins_and_exposes_headers() {
    let app = spawn_app().await;
    let res = app
        .client
        .request(reqwest::Method::OPTIONS, app.url("/api/v1/families"))
        .header("Origin", "https://frontend.example")
        .header("Access-Control-Request-Method", "POST")
        .header(
            "Access-Control-Request-Headers",
            "authorization, content-type, idempotency-key",
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.headers()["access-control-allow-origin"],
        "https://frontend.example"
    );
    let res = app
        .client
        .get(app.url("/api/v1/families"))
        .header("Origin", "https://frontend.example")
        .bearer_auth(coordinator())
        .send()
        .await
        .unwrap();
    let exposed = res.headers()["access-control-expose-headers"]
        .to_str()
        .unwrap()
        .to_lowercase();
    for h in [
        "etag",
        "location",
        "retry-after",
        "idempotent-replayed",
        "ratelimit",
        "ratelimit-policy",
        "x-request-id",
    ] {
        assert!(exposed.contains(h), "{h} exposed: {exposed}");
    }
    let res = app
        .client
        .request(reqwest::Method::OPTIONS, app.url("/api/v1/families"))
        .header("Origin", "https://evil.example")
        .header("Access-Control-Request-Method", "GET")
        .send()
        .await
        .unwrap();
    assert!(res.headers().get("access-control-allow-origin").is_none());
}

// Issue 16: a front end on an allowed origin may call every operation of the document (the
// four PUTs were refused their preflight), sending every header the operation declares.
#[tokio::test]
async fn every_operation_of_the_document_passes_a_cors_preflight_from_an_allowed_origin() {
    let app = spawn_app().await;
    let doc = ffc::openapi::resolved(&app.served_document().await);
    let mut checked = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        // A preflight never reaches the handler: any value stands for a path parameter.
        let concrete: String = path
            .split('/')
            .map(|seg| if seg.starts_with('{') { "x" } else { seg })
            .collect::<Vec<_>>()
            .join("/");
        for (method, op) in item.as_object().unwrap() {
            let mut headers = vec!["authorization".to_string(), "content-type".to_string()];
            for p in op["parameters"].as_array().into_iter().flatten() {
                if p["in"] == "header" {
                    headers.push(p["name"].as_str().unwrap().to_lowercase());
                }
            }
            let res = app
                .client
                .request(reqwest::Method::OPTIONS, app.url(&concrete))
                .header("Origin", "https://frontend.example")
                .header("Access-Control-Request-Method", method.to_uppercase())
                .header("Access-Control-Request-Headers", headers.join(", "))
                .send()
                .await
                .unwrap();
            let id = op["operationId"].as_str().unwrap_or(path);
            assert_eq!(res.status(), 200, "{method} {path} ({id})");
            let h = res.headers();
            assert_eq!(
                h["access-control-allow-origin"], "https://frontend.example",
                "{id}"
            );
            let methods = h["access-control-allow-methods"]
                .to_str()
                .unwrap()
                .to_uppercase();
            assert!(methods.contains(&method.to_uppercase()), "{id}: {methods}");
            let allowed = h["access-control-allow-headers"]
                .to_str()
                .unwrap()
                .to_lowercase();
            for header in &headers {
                assert!(
                    allowed.contains(header.as_str()),
                    "{id}: {header} in {allowed}"
                );
            }
            checked.push((method.clone(), id.to_string()));
        }
    }
    assert!(checked.len() > 100, "every operation: {}", checked.len());
    let puts = checked.iter().filter(|(m, _)| m == "put").count();
    assert!(
        puts >= 4,
        "the PUT operations were refused before: {checked:?}"
    );
}

#[tokio::test]
async fn health_endpoints_answer_without_a_token() {
    let app = spawn_app().await;
    for path in ["/health/live", "/health/ready"] {
        let res = app.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(res.status(), 200, "{path}");
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["status"], "ok");
    }
}

#[tokio::test]
async fn idempotency_keys_expire_after_a_day() {
    let app = spawn_app().await;
    // This instance's runner ran this hour's housekeeping job when it started; stopped, it
    // cannot expire the key before the test does (tests/api/jobs.rs runs the job itself).
    app.stop_background().await;
    let t = coordinator();
    let send = || {
        app.post("/api/v1/families", &t, &family_body())
            .header("Idempotency-Key", "old-key")
            .send()
    };
    assert_eq!(send().await.unwrap().status(), 201);
    // Age the key past a day, then run the expiry the hourly housekeeping job runs.
    let su = app.superuser_db().await;
    su.batch_execute("UPDATE idempotency_keys SET created_at = now() - interval '25 hours'")
        .await
        .unwrap();
    let pool = ffc::db::pool(&app.app_db_url, 1).unwrap();
    let mut conn = pool.get().await.unwrap();
    assert_eq!(ffc::db::idempotency::expire(&mut conn).await.unwrap(), 1);
    // The same key now starts a new request.
    assert_eq!(send().await.unwrap().status(), 201);
    assert_eq!(app.count("families").await, 2);
}

#[tokio::test]
async fn a_missing_if_match_is_reported_before_the_body() {
    let app = spawn_app().await;
    let t = coordinator();
    let f = app.create_family(&t, &family_body()).await;
    let loc = format!("/api/v1/families/{}", f["id"].as_str().unwrap());
    let res = app
        .patch(&loc, &t, &json!({"bedrooms": 99}))
        .send()
        .await
        .unwrap();
    assert_problem(res, 428).await;
}
