//! The audit trail: written with every read and write of personal data, in the same
//! transaction, and append-only for the service's own database role.

use ffc::auth::Role;
use serde_json::{json, Value};

use crate::common::*;

async fn events(app: &TestApp, query: &str) -> Vec<Value> {
    let res = app
        .get(
            &format!("/api/v1/audit-events?{query}"),
            &token(&[Role::Auditor]),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let page: Value = res.json().await.unwrap();
    page["items"].as_array().unwrap().clone()
}

#[tokio::test]
async fn reads_and_writes_are_audited_and_a_list_is_one_event() {
    let app = spawn_app().await;
    let t = token_for("coordinator-7", &[Role::Coordinator]);
    let a = app.create_family(&t, &family_body()).await;
    let b = app.create_family(&t, &family_body()).await;
    let a_id = a["id"].as_str().unwrap();
    let res = app
        .get(&format!("/api/v1/families/{a_id}"), &t)
        .header("X-Purpose", "TAF meeting preparation")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let rid = res.headers()["x-request-id"].to_str().unwrap().to_string();
    app.get("/api/v1/families", &t).send().await.unwrap();

    let seen_a = events(&app, &format!("resource_id={a_id}")).await;
    let actions: Vec<&str> = seen_a
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        vec!["family.list", "family.read", "family.create"],
        "newest first"
    );
    let read = &seen_a[1];
    assert_eq!(read["actor"], "coordinator-7");
    assert_eq!(read["actor_roles"], json!(["coordinator"]));
    assert_eq!(read["actor_issuer"], "ffc-dev");
    assert_eq!(read["request_id"], rid);
    assert_eq!(read["purpose"], "TAF meeting preparation");
    // The member ids are in the family read's event too ("who saw this child?").
    let member_id = &a["members"][0]["id"];
    assert!(read["resource_ids"].as_array().unwrap().contains(member_id));
    // One list event carries both families.
    let list = &seen_a[0];
    let ids = list["resource_ids"].as_array().unwrap();
    assert!(ids.contains(&a["id"]) && ids.contains(&b["id"]));
    assert_eq!(
        events(&app, "actor=coordinator-7&resource_type=family")
            .await
            .len(),
        4
    );
    assert!(events(&app, "actor=nobody").await.is_empty());
}

#[tokio::test]
async fn a_refused_request_leaves_no_audit_event() {
    let app = spawn_app().await;
    let t = coordinator();
    let mut bad = family_body();
    bad["members"][0]["nhs_number"] = json!("9434765918");
    assert_eq!(
        app.post("/api/v1/families", &t, &bad)
            .send()
            .await
            .unwrap()
            .status(),
        422
    );
    assert_eq!(app.count("audit_events").await, 0);
    assert_eq!(app.count("families").await, 0);
}

#[tokio::test]
async fn the_service_role_cannot_change_or_remove_audit_events() {
    let app = spawn_app().await;
    app.create_family(&coordinator(), &family_body()).await;
    let db = app.app_db().await;
    let n: i64 = db
        .query_one("SELECT count(*) FROM audit_events", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, 1, "the service role can read the trail");
    for sql in [
        "UPDATE audit_events SET actor = 'someone else'",
        "DELETE FROM audit_events",
        "TRUNCATE audit_events",
        "DROP TABLE audit_events",
        "ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update_delete",
        "DELETE FROM families",
    ] {
        assert!(db.batch_execute(sql).await.is_err(), "service role: {sql}");
    }
    // Even the owner is stopped by the triggers.
    let su = app.superuser_db().await;
    for sql in [
        "UPDATE audit_events SET actor = 'x'",
        "DELETE FROM audit_events",
        "TRUNCATE audit_events",
    ] {
        assert!(su.batch_execute(sql).await.is_err(), "owner: {sql}");
    }
    let n: i64 = db
        .query_one("SELECT count(*) FROM audit_events", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, 1);
}

#[tokio::test]
async fn audit_filters_validate_their_input() {
    let app = spawn_app().await;
    let t = token(&[Role::Auditor]);
    for (q, field) in [
        ("resource_id=x", "resource_id"),
        ("from=yesterday", "from"),
        ("resource_type=Family!", "resource_type"),
    ] {
        let res = app
            .get(&format!("/api/v1/audit-events?{q}"), &t)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 400, "{q}");
        let p: Value = res.json().await.unwrap();
        assert_eq!(p["errors"][0]["field"], field);
    }
}
