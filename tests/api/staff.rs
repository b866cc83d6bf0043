//! Staff records, teams, and deactivation stopping a worker's tokens at once.

use ffc::auth::Role;
use serde_json::{json, Value};

use crate::common::*;

fn admin() -> String {
    token_for("admin-1", &[Role::Admin])
}

#[tokio::test]
async fn staff_are_recorded_listed_and_deactivated_and_their_tokens_stop_at_once() {
    let app = spawn_app().await;
    let body = json!({"subject": "kw-0042", "name": "Sam Example", "staff_role": "key_worker",
        "team": "family-recovery", "organisation": "Rotherham MBC"});
    let res = app
        .post("/api/v1/staff", &admin(), &body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let s: Value = res.json().await.unwrap();
    assert_eq!(s["active"], true);
    // The same subject twice is refused; an unknown team names the field.
    assert_eq!(
        app.post("/api/v1/staff", &admin(), &body)
            .send()
            .await
            .unwrap()
            .status(),
        409
    );
    let mut other = body.clone();
    other["subject"] = json!("kw-0043");
    other["team"] = json!("no-such-team");
    let res = app
        .post("/api/v1/staff", &admin(), &other)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let p: Value = res.json().await.unwrap();
    assert_eq!(p["errors"][0]["field"], "team");

    let list: Value = app
        .get(
            "/api/v1/staff?team=family-recovery&active=true",
            &coordinator(),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    let teams: Value = app
        .get("/api/v1/teams", &coordinator())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let frp = teams["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["code"] == "family-recovery")
        .unwrap()
        .clone();
    assert_eq!(frp["open_case_limit"], 45);

    // The worker's token works until they are deactivated, then stops at once.
    let worker = token_for("kw-0042", &[Role::Coordinator]);
    assert_eq!(
        app.get("/api/v1/families", &worker)
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let id = s["id"].as_str().unwrap();
    let res = app
        .post(
            &format!("/api/v1/staff/{id}/deactivate"),
            &admin(),
            &json!({}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let after: Value = res.json().await.unwrap();
    assert_eq!(after["active"], false);
    assert_eq!(after["deactivated_by"], "admin-1");
    let res = app.get("/api/v1/families", &worker).send().await.unwrap();
    assert_eq!(res.status(), 401);
    // Other people's tokens are unaffected; deactivating twice, or oneself, is refused.
    assert_eq!(
        app.get("/api/v1/families", &coordinator())
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(
        app.post(
            &format!("/api/v1/staff/{id}/deactivate"),
            &admin(),
            &json!({})
        )
        .send()
        .await
        .unwrap()
        .status(),
        409
    );
    let me = json!({"subject": "admin-1", "name": "Admin One", "staff_role": "admin", "organisation": "Rotherham MBC"});
    let mine: Value = app
        .post("/api/v1/staff", &admin(), &me)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let res = app
        .post(
            &format!("/api/v1/staff/{}/deactivate", mine["id"].as_str().unwrap()),
            &admin(),
            &json!({}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 409);
    // Reads of staff records are audited.
    let events: Value = app
        .get(
            &format!("/api/v1/audit-events?resource_id={id}"),
            &token(&[Role::Auditor]),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let actions: Vec<&str> = events["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert!(
        actions.contains(&"staff.deactivate") && actions.contains(&"staff.create"),
        "{actions:?}"
    );
}
