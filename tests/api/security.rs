//! Authentication and authorisation: the JWT attack table, every operation against every role
//! (generated from the OpenAPI document), rate limiting.

use base64::Engine;
use ffc::auth::Role;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{json, Value};

use crate::common::*;

fn b64(v: &Value) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
}

#[tokio::test]
async fn the_jwt_attack_table_is_all_401() {
    let app = spawn_app().await;
    let roles = [Role::Coordinator];
    // Control: a proper RS256 token from the configured issuer is accepted.
    let good = sign_rs256(
        &rs256_claims(&roles),
        "test-issuer-private.pem",
        Some("test-key-1"),
    );
    assert_eq!(families_status(&app, &good).await, 200);

    let mut cases: Vec<(&str, String)> = Vec::new();
    cases.push(("garbage", "not.a.token".into()));
    // alg: none, unsigned.
    let claims = serde_json::to_value(rs256_claims(&roles)).unwrap();
    cases.push((
        "alg none",
        format!(
            "{}.{}.",
            b64(&json!({"alg": "none", "typ": "JWT"})),
            b64(&claims)
        ),
    ));
    // HS256 signed with the issuer's public key as the HMAC secret (algorithm confusion).
    let mut h = Header::new(Algorithm::HS256);
    h.kid = Some("test-key-1".into());
    let confused = jsonwebtoken::encode(
        &h,
        &rs256_claims(&roles),
        &EncodingKey::from_secret(&public_key_pem()),
    )
    .unwrap();
    cases.push(("HS256 with the public key", confused));
    let mut c = rs256_claims(&roles);
    c.iss = "https://evil.example".into();
    cases.push((
        "wrong iss",
        sign_rs256(&c, "test-issuer-private.pem", Some("test-key-1")),
    ));
    let mut c = rs256_claims(&roles);
    c.aud = "some-other-api".into();
    cases.push((
        "wrong aud",
        sign_rs256(&c, "test-issuer-private.pem", Some("test-key-1")),
    ));
    let mut c = rs256_claims(&roles);
    c.exp = now() - 120; // beyond the 30 s leeway
    cases.push((
        "expired",
        sign_rs256(&c, "test-issuer-private.pem", Some("test-key-1")),
    ));
    let mut c = rs256_claims(&roles);
    c.nbf = Some(now() + 300);
    cases.push((
        "nbf in the future",
        sign_rs256(&c, "test-issuer-private.pem", Some("test-key-1")),
    ));
    cases.push((
        "unknown kid",
        sign_rs256(
            &rs256_claims(&roles),
            "attacker-private.pem",
            Some("attacker-key"),
        ),
    ));
    cases.push((
        "known kid, other key",
        sign_rs256(
            &rs256_claims(&roles),
            "attacker-private.pem",
            Some("test-key-1"),
        ),
    ));
    cases.push((
        "no kid",
        sign_rs256(&rs256_claims(&roles), "test-issuer-private.pem", None),
    ));
    // A development token signed with the wrong secret.
    cases.push((
        "dev token, wrong secret",
        ffc::auth::mint_dev_token(b"another-secret-another-secret-0000", "x", &roles, 600),
    ));
    // Tampered payload with the original signature.
    let parts: Vec<&str> = good.split('.').collect();
    let mut c = rs256_claims(&[Role::Admin]);
    c.sub = "someone-else".into();
    cases.push((
        "tampered payload",
        format!(
            "{}.{}.{}",
            parts[0],
            b64(&serde_json::to_value(c).unwrap()),
            parts[2]
        ),
    ));
    for (name, token) in cases {
        let res = app.get("/api/v1/families", &token).send().await.unwrap();
        assert_eq!(res.status(), 401, "{name}");
        assert!(res.headers().contains_key("www-authenticate"), "{name}");
    }
    // A missing exp is also refused.
    let no_exp = jsonwebtoken::encode(
        &{
            let mut h = Header::new(Algorithm::RS256);
            h.kid = Some("test-key-1".into());
            h
        },
        &json!({"sub": "x", "iss": TEST_ISSUER, "aud": TEST_AUDIENCE, "roles": ["coordinator"]}),
        &EncodingKey::from_rsa_pem(
            &std::fs::read(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/tests/fixtures/test-issuer-private.pem"
            ))
            .unwrap(),
        )
        .unwrap(),
    )
    .unwrap();
    assert_eq!(families_status(&app, &no_exp).await, 401, "no exp");
}

/// Fills a path template with fresh ids.
fn concrete(path: &str) -> String {
    path.split('/')
        .map(|s| {
            if s.starts_with('{') {
                uuid::Uuid::now_v7().to_string()
            } else {
                s.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

#[tokio::test]
async fn every_operation_refuses_every_role_the_document_does_not_list() {
    let app = spawn_app().await;
    let doc = app.served_document().await;
    let mut checked = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let security = op["security"].as_array().cloned().unwrap_or_default();
            let public = security
                .iter()
                .any(|s| s.as_object().is_some_and(|o| o.is_empty()));
            let allowed: Vec<String> = security
                .iter()
                .filter_map(|s| s.get("bearer"))
                .flat_map(|r| r.as_array().cloned().unwrap_or_default())
                .map(|r| r.as_str().unwrap().to_string())
                .collect();
            let op_id = op["operationId"].as_str().unwrap();
            // Scrapers' metrics are not for users' tokens at all (tests/api/metrics.rs).
            if security.iter().any(|s| s.get("metrics").is_some()) {
                continue;
            }
            assert!(public || !allowed.is_empty(), "{op_id} must name its roles");
            let m = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let url = app.url(&concrete(path));
            let send = |token: Option<String>| {
                let mut r = app
                    .client
                    .request(m.clone(), &url)
                    .header("If-Match", "\"1\"");
                if let Some(t) = token {
                    r = r.bearer_auth(t);
                }
                if matches!(m, reqwest::Method::POST | reqwest::Method::PATCH) {
                    r = r.json(&json!({}));
                }
                r.send()
            };
            if public {
                assert_ne!(send(None).await.unwrap().status(), 401, "{op_id} is public");
                continue;
            }
            assert_eq!(
                send(None).await.unwrap().status(),
                401,
                "{op_id} without a token"
            );
            for role in Role::ALL {
                let status = send(Some(token(&[role]))).await.unwrap().status().as_u16();
                if allowed.iter().any(|a| a == role.as_str()) {
                    assert!(
                        status != 401 && status != 403,
                        "{op_id} as {}: {status}",
                        role.as_str()
                    );
                } else {
                    assert_eq!(status, 403, "{op_id} as {}", role.as_str());
                }
                checked += 1;
            }
            // Several roles: any one allowed role is enough.
            let status = send(Some(token(&Role::ALL)))
                .await
                .unwrap()
                .status()
                .as_u16();
            assert!(status != 401 && status != 403, "{op_id} with every role");
        }
    }
    assert!(checked >= 11 * 12, "checked {checked} operation-role pairs");
}

#[tokio::test]
async fn a_token_without_roles_may_do_nothing() {
    let app = spawn_app().await;
    assert_eq!(families_status(&app, &token(&[])).await, 403);
}

#[tokio::test]
async fn past_the_rate_limit_the_answer_is_429_with_retry_after() {
    let app = spawn_app_with(Options {
        rate_limit_per_minute: 3,
        ..Options::default()
    })
    .await;
    let t = coordinator();
    for i in 0..3 {
        let res = app.get("/api/v1/families", &t).send().await.unwrap();
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()["ratelimit-policy"], "\"per-client\";q=3;w=60");
        let rl = res.headers()["ratelimit"].to_str().unwrap().to_string();
        assert!(
            rl.starts_with(&format!("\"per-client\";r={};t=", 2 - i)),
            "{rl}"
        );
    }
    let res = app.get("/api/v1/families", &t).send().await.unwrap();
    assert_eq!(res.status(), 429);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    let retry: u64 = res.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry));
    // Another client is counted apart.
    let other = token_for("another-user", &[Role::Coordinator]);
    assert_eq!(
        app.get("/api/v1/families", &other)
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    // Health probes are not limited.
    assert_eq!(
        app.client
            .get(app.url("/health/live"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    // Unauthenticated callers are limited by address.
    for _ in 0..3 {
        app.client
            .get(app.url("/api/v1/families"))
            .send()
            .await
            .unwrap();
    }
    assert_eq!(
        app.client
            .get(app.url("/api/v1/families"))
            .send()
            .await
            .unwrap()
            .status(),
        429
    );
}

#[tokio::test]
async fn keys_come_from_a_jwks_url_and_a_rotated_key_is_fetched() {
    use std::sync::{Arc, Mutex};
    let jwks = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/test-issuer-jwks.json"
    ))
    .unwrap();
    // The identity service starts with no keys published, then rotates the test key in.
    let served = Arc::new(Mutex::new(String::from("{\"keys\": []}")));
    let s = served.clone();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let srv = actix_web::HttpServer::new(move || {
        let s = s.clone();
        actix_web::App::new().route(
            "/jwks.json",
            actix_web::web::get().to(move || {
                let body = s.lock().unwrap().clone();
                async move {
                    actix_web::HttpResponse::Ok()
                        .content_type("application/json")
                        .body(body)
                }
            }),
        )
    })
    .workers(1)
    .disable_signals()
    .listen(listener)
    .unwrap()
    .run();
    tokio::spawn(srv);
    let config: ffc::auth::IssuerConfig = serde_json::from_value(json!({
        "issuer": TEST_ISSUER,
        "audience": TEST_AUDIENCE,
        "jwks_url": format!("http://127.0.0.1:{port}/jwks.json"),
        "roles": ["manager"],
    }))
    .unwrap();
    let verifier = ffc::auth::Verifier::new(vec![config], None, 30)
        .await
        .unwrap();
    let token = sign_rs256(
        &rs256_claims(&[Role::Manager]),
        "test-issuer-private.pem",
        Some("test-key-1"),
    );
    *served.lock().unwrap() = jwks;
    let principal = verifier
        .verify(&token)
        .await
        .expect("key fetched after rotation");
    assert_eq!(principal.roles, vec![Role::Manager]);
    assert_eq!(principal.subject, "staff-directory-user");
    // A key nobody publishes stays unknown.
    let forged = sign_rs256(
        &rs256_claims(&[Role::Admin]),
        "attacker-private.pem",
        Some("attacker-key"),
    );
    assert!(verifier.verify(&forged).await.is_err());
}

#[tokio::test]
async fn an_issuer_configured_with_a_shared_secret_algorithm_is_refused_at_start() {
    let config: ffc::auth::IssuerConfig = serde_json::from_value(json!({
        "issuer": "https://weak.example", "audience": "x",
        "jwks_file": concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/test-issuer-jwks.json"),
        "algorithms": ["HS256"],
        "roles": ["provider"],
    }))
    .unwrap();
    assert!(ffc::auth::Verifier::new(vec![config], None, 30)
        .await
        .is_err());
}

#[tokio::test]
async fn an_issuer_grants_only_the_roles_it_is_trusted_for() {
    // A provider's identity service may only make providers, whatever its tokens claim.
    let config: ffc::auth::IssuerConfig = serde_json::from_value(json!({
        "issuer": TEST_ISSUER, "audience": TEST_AUDIENCE,
        "jwks_file": concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/test-issuer-jwks.json"),
        "roles": ["provider"],
    }))
    .unwrap();
    let verifier = ffc::auth::Verifier::new(vec![config], None, 30)
        .await
        .unwrap();
    let token = sign_rs256(
        &rs256_claims(&[Role::Admin, Role::Provider]),
        "test-issuer-private.pem",
        Some("test-key-1"),
    );
    let p = verifier.verify(&token).await.unwrap();
    assert_eq!(p.roles, vec![Role::Provider]);
}
