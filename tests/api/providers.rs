//! Commissioned services as data, and provider users bound to organisations.

use ffc::auth::Role;
use serde_json::{json, Value};

use crate::common::*;

fn admin() -> String {
    token(&[Role::Admin])
}

#[tokio::test]
async fn the_rotherham_services_are_seeded_with_the_rules_pages_limits() {
    let app = spawn_app().await;
    let (s, list) = send(app.get("/api/v1/services", &token(&[Role::Provider]))).await;
    assert_eq!(s, 200);
    let by = |code: &str| -> Value {
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["code"] == code)
            .cloned()
            .unwrap()
    };
    let mst = by("multi-systemic-therapy");
    assert_eq!(
        (mst["min_age"].as_i64(), mst["max_age"].as_i64()),
        (Some(11), Some(17))
    );
    assert_eq!(mst["capacity"], 10);
    assert_eq!(mst["contract_start"], "2014-07-01");
    let mind = by("mind-intensive-family-support");
    assert_eq!(
        mind["required_plans"],
        json!(["child_protection_plan", "child_in_need_plan"])
    );
    assert_eq!(mind["contract_end"], "2015-03-31");
    assert_eq!(by("ywca-family-support")["contract_start"], "2013-04-01");
    assert_eq!(by("remedi-family-mediation")["capacity"], 18);
    assert_eq!(by("ffc-employment-adviser")["organisation"], "dwp");
    let (_, mine) = send(app.get(
        "/api/v1/services?organisation=rotherham-mind",
        &coordinator(),
    ))
    .await;
    assert_eq!(mine["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn managers_add_and_change_services_and_the_audit_names_them() {
    let app = spawn_app().await;
    let body = json!({"code": "parenting-programme", "organisation": "rmbc", "name": "Parenting programme",
        "need": "family_relationships", "capacity": 12, "contract_start": "2014-04-01",
        "contract_value_pence": 4_500_000});
    let (s, _) = send(app.post("/api/v1/services", &token(&[Role::KeyWorker]), &body)).await;
    assert_eq!(s, 403);
    let (s, svc) = send(app.post("/api/v1/services", &token(&[Role::Manager]), &body)).await;
    assert_eq!(s, 201, "{svc}");
    assert_eq!(svc["contract_value_pence"], 4_500_000);
    let (s, _) = send(app.post("/api/v1/services", &token(&[Role::Manager]), &body)).await;
    assert_eq!(s, 409);
    for (patch, field) in [
        (
            json!({"code": "other", "organisation": "nobody"}),
            "organisation",
        ),
        (
            json!({"code": "other", "min_age": 12, "max_age": 11}),
            "max_age",
        ),
        (
            json!({"code": "other", "contract_end": "2014-03-31"}),
            "contract_end",
        ),
        (
            json!({"code": "other", "contract_value_pence": -1}),
            "contract_value_pence",
        ),
        (json!({"code": "Other Code"}), "code"),
    ] {
        let mut b = body.clone();
        for (k, v) in patch.as_object().unwrap() {
            b[k] = v.clone();
        }
        let (s, p) = send(app.post("/api/v1/services", &admin(), &b)).await;
        assert_eq!(
            (s, fields(&p)),
            (422, vec![field.to_string()]),
            "{patch}: {p}"
        );
    }
    // An extension is a later contract end.
    let mut terms = body.clone();
    terms.as_object_mut().unwrap().remove("code");
    terms.as_object_mut().unwrap().remove("organisation");
    terms["contract_end"] = json!("2015-03-31");
    let path = "/api/v1/services/parenting-programme";
    let (s, _) = send(app.put(path, &token(&[Role::Manager]), &terms)).await;
    assert_eq!(s, 428);
    let (s, svc) = send(
        app.put(path, &token(&[Role::Manager]), &terms)
            .header("If-Match", "\"1\""),
    )
    .await;
    assert_eq!(s, 200, "{svc}");
    assert_eq!(
        (svc["contract_end"].as_str(), svc["version"].as_i64()),
        (Some("2015-03-31"), Some(2))
    );
    let (s, _) = send(app.get("/api/v1/services/no-such-service", &coordinator())).await;
    assert_eq!(s, 404);
    let db = app.superuser_db().await;
    let keys: Vec<Vec<String>> = db
        .query(
            "SELECT resource_keys FROM audit_events WHERE resource_type = 'service' ORDER BY id",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(keys, vec![vec!["parenting-programme".to_string()]; 2]);
}

#[tokio::test]
async fn admins_bind_provider_users_to_one_organisation() {
    let app = spawn_app().await;
    let body = json!({"issuer": "ffc-dev", "subject": "mind-case-system", "organisation": "rotherham-mind"});
    let (s, _) = send(app.post("/api/v1/provider-users", &token(&[Role::Manager]), &body)).await;
    assert_eq!(s, 403);
    let (s, u) = send(app.post("/api/v1/provider-users", &admin(), &body)).await;
    assert_eq!(s, 201, "{u}");
    let mut other = body.clone();
    other["organisation"] = json!("ywca");
    let (s, _) = send(app.post("/api/v1/provider-users", &admin(), &other)).await;
    assert_eq!(s, 409, "one organisation per subject");
    let (s, p) = send(app.post(
        "/api/v1/provider-users",
        &admin(),
        &json!({"issuer": "ffc-dev", "subject": "x", "organisation": "nobody"}),
    ))
    .await;
    assert_eq!((s, fields(&p)), (422, vec!["organisation".to_string()]));
    let (_, list) = send(app.get("/api/v1/provider-users", &admin())).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    let one = format!("/api/v1/provider-users/{}", u["id"].as_str().unwrap());
    let (s, _) = send(app.delete(&one, &admin())).await;
    assert_eq!(s, 428);
    let (s, _) = send(app.delete(&one, &admin()).header("If-Match", "\"1\"")).await;
    assert_eq!(s, 204);
    let (s, _) = send(app.delete(&one, &admin()).header("If-Match", "\"1\"")).await;
    assert_eq!(s, 404);
}
