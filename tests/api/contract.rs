//! The committed OpenAPI document is the contract: it must equal what the code generates.

use serde_json::Value;

use crate::common::*;

#[tokio::test]
async fn the_committed_document_matches_the_code_and_is_served() {
    let generated = serde_json::to_string_pretty(&ffc::openapi::document()).unwrap() + "\n";
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/openapi.json");
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    if std::env::var("UPDATE_OPENAPI").is_ok() {
        std::fs::write(path, &generated).unwrap();
        return;
    }
    assert!(
        committed == generated,
        "openapi/openapi.json is out of date: run `UPDATE_OPENAPI=1 cargo test --test api contract` \
         (or `cargo run -- openapi > openapi/openapi.json`) and commit it"
    );
    let app = spawn_app().await;
    let served = app.served_document().await;
    let committed: Value = serde_json::from_str(&committed).unwrap();
    assert_eq!(served, committed);
}

#[tokio::test]
async fn every_operation_is_fully_described() {
    let doc = ffc::openapi::document();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let name = format!("{method} {path}");
            for key in ["operationId", "summary", "description", "tags", "responses"] {
                assert!(op.get(key).is_some(), "{name} lacks {key}");
            }
            let responses = op["responses"].as_object().unwrap();
            if path.starts_with("/api/") {
                for code in ["400", "401", "403", "429"] {
                    assert!(responses.contains_key(code), "{name} lacks {code}");
                }
            }
            if matches!(method.as_str(), "patch" | "delete") {
                for code in ["404", "412", "428"] {
                    assert!(responses.contains_key(code), "{name} lacks {code}");
                }
            }
        }
    }
}

#[tokio::test]
async fn the_docs_page_loads_nothing_from_elsewhere() {
    let app = spawn_app().await;
    let res = app.client.get(app.url("/docs/")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    let mut assets = Vec::new();
    for attr in ["src=\"", "href=\""] {
        for part in html.split(attr).skip(1) {
            let url = part.split('"').next().unwrap();
            assert!(
                !url.starts_with("http") && !url.starts_with("//"),
                "external asset {url}"
            );
            assets.push(url.to_string());
        }
    }
    assert!(!assets.is_empty());
    for a in assets {
        let url = if a.starts_with('/') {
            app.url(&a)
        } else {
            app.url(&format!("/docs/{}", a.trim_start_matches("./")))
        };
        assert_eq!(
            app.client.get(&url).send().await.unwrap().status(),
            200,
            "{url}"
        );
    }
    let init = app
        .client
        .get(app.url("/docs/swagger-initializer.js"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(init.contains("/openapi.json"));
    assert!(
        !init.contains("https://"),
        "no external validator or spec URL"
    );
}
