//! Consent grants, the "may it be shared?" question, sharing without consent, organisations.

use ffc::auth::Role;
use serde_json::{json, Value};

use crate::common::*;

async fn family(app: &TestApp) -> (String, String, String) {
    let f = app.create_family(&coordinator(), &family_body()).await;
    let id = f["id"].as_str().unwrap().to_string();
    let adult = f["members"][0]["id"].as_str().unwrap().to_string();
    let child = f["members"][1]["id"].as_str().unwrap().to_string();
    (id, adult, child)
}

fn check(family: &str, q: &str) -> String {
    format!("/api/v1/families/{family}/consent-check?{q}")
}

#[tokio::test]
async fn partial_consent_a_members_refusal_and_withdrawal_answer_the_sharing_question() {
    let app = spawn_app().await;
    let (fid, _adult, child) = family(&app).await;
    let path = format!("/api/v1/families/{fid}/consents");
    let (s, given) = send(app.post(
        &path,
        &coordinator(),
        &json!({
        "decision": "given", "organisations": ["rmbc", "ywca"],
        "purposes": ["assessment", "referral"], "excluded_categories": ["mental_health"],
        "valid_from": "2013-02-04", "valid_until": "2014-02-03"}),
    ))
    .await;
    assert_eq!(s, 201, "{given}");
    assert_eq!(given["status"], "given");
    assert_eq!(given["recorded_by"], "test-user");
    let (s, refusal) = send(app.post(
        &path,
        &coordinator(),
        &json!({
        "member_id": child, "decision": "refused", "organisations": ["ywca"],
        "purposes": ["referral"], "categories": ["crime_asb"], "valid_from": "2013-02-04"}),
    ))
    .await;
    assert_eq!(s, 201, "{refusal}");

    let ask = |q: String| {
        let app = &app;
        async move {
            let (s, v) = send(app.get(&q, &coordinator())).await;
            assert_eq!(s, 200, "{v}");
            v
        }
    };
    let v = ask(check(
        &fid,
        &format!(
            "organisation=ywca&purpose=referral&category=education&member_id={child}&on=2013-03-01"
        ),
    ))
    .await;
    assert_eq!(v["allowed"], true, "{v}");
    assert_eq!(v["consent_id"], given["id"]);
    let v = ask(check(
        &fid,
        "organisation=ywca&purpose=referral&category=mental_health&on=2013-03-01",
    ))
    .await;
    assert_eq!(v["allowed"], false);
    assert!(
        v["reason"]
            .as_str()
            .unwrap()
            .contains("excludes mental_health"),
        "{v}"
    );
    let v = ask(check(
        &fid,
        &format!(
            "organisation=ywca&purpose=referral&category=crime_asb&member_id={child}&on=2013-03-01"
        ),
    ))
    .await;
    assert_eq!(v["allowed"], false);
    assert_eq!(v["consent_id"], refusal["id"]);
    // The refusal is the child's: the family's crime data may still go.
    let v = ask(check(
        &fid,
        "organisation=ywca&purpose=referral&category=crime_asb&on=2013-03-01",
    ))
    .await;
    assert_eq!(v["allowed"], true);
    let v = ask(check(
        &fid,
        "organisation=south-yorkshire-police&purpose=referral&category=education&on=2013-03-01",
    ))
    .await;
    assert_eq!(v["allowed"], false);
    assert_eq!(v["consent_id"], Value::Null);
    let v = ask(check(
        &fid,
        "organisation=ywca&purpose=referral&category=education&on=2014-02-04",
    ))
    .await;
    assert_eq!(
        v["allowed"], false,
        "the end date is inclusive, the day after is not"
    );

    // Withdrawal: If-Match, once, from the day given.
    let withdraw = format!("{path}/{}/withdraw", given["id"].as_str().unwrap());
    let body = json!({"withdrawn_on": "2013-06-10", "reason": "Adult asked us to stop sharing."});
    let (s, _) = send(app.post(&withdraw, &coordinator(), &body)).await;
    assert_eq!(s, 428);
    let (s, w) = send(
        app.post(&withdraw, &coordinator(), &body)
            .header("If-Match", "\"1\""),
    )
    .await;
    assert_eq!(s, 200, "{w}");
    assert_eq!(w["status"], "withdrawn");
    assert_eq!(w["version"], 2);
    let (s, _) = send(
        app.post(&withdraw, &coordinator(), &body)
            .header("If-Match", "\"2\""),
    )
    .await;
    assert_eq!(s, 409);
    let v = ask(check(
        &fid,
        "organisation=ywca&purpose=referral&category=education&on=2013-06-09",
    ))
    .await;
    assert_eq!(v["allowed"], true);
    let v = ask(check(
        &fid,
        "organisation=ywca&purpose=referral&category=education&on=2013-06-10",
    ))
    .await;
    assert_eq!(v["allowed"], false);
    assert!(v["reason"]
        .as_str()
        .unwrap()
        .contains("withdrawn on 2013-06-10"));
    let refusal_withdraw = format!("{path}/{}/withdraw", refusal["id"].as_str().unwrap());
    let (s, _) = send(
        app.post(&refusal_withdraw, &coordinator(), &body)
            .header("If-Match", "*"),
    )
    .await;
    assert_eq!(s, 409, "a refusal is not withdrawn");

    let (s, list) = send(app.get(&path, &token(&[Role::Auditor]))).await;
    assert_eq!(s, 200);
    assert_eq!(list["items"].as_array().unwrap().len(), 2);
    // Every answer is audited, naming the consent that decided it.
    let db = app.superuser_db().await;
    let checks: i64 = db
        .query_one(
            "SELECT count(*) FROM audit_events WHERE action = 'consent.check'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(checks, 8);
    // The database keeps a grant from being rewritten, even by the service's own role.
    let err = app
        .app_db()
        .await
        .execute("UPDATE consents SET organisations = '{dwp}'", &[])
        .await
        .unwrap_err();
    assert!(format!("{err:?}").contains("only withdrawn"), "{err:?}");
}

#[tokio::test]
async fn bad_consents_name_the_field_and_write_nothing() {
    let app = spawn_app().await;
    let (fid, _, _) = family(&app).await;
    let (other, _, other_child) = family(&app).await;
    let _ = other;
    let path = format!("/api/v1/families/{fid}/consents");
    let good = json!({"decision": "given", "organisations": ["rmbc"], "purposes": ["assessment"],
        "valid_from": "2013-02-04"});
    for (patch, field) in [
        (
            json!({"organisations": ["rmbc", "no-such-org"]}),
            "organisations[1]",
        ),
        (json!({"valid_until": "2013-02-03"}), "valid_until"),
        (json!({"valid_from": "1989-12-31"}), "valid_from"),
        (json!({"valid_from": "-5000-01-01"}), "valid_from"),
        (json!({"member_id": other_child}), "member_id"),
        (
            json!({"decision": "refused", "excluded_categories": ["housing"]}),
            "excluded_categories",
        ),
        (
            json!({"categories": ["housing"], "excluded_categories": ["housing"]}),
            "excluded_categories",
        ),
        (json!({"purposes": ["gossip"]}), "purposes[0]"),
        (json!({"purposes": []}), "purposes"),
    ] {
        let mut body = good.clone();
        for (k, v) in patch.as_object().unwrap() {
            body[k] = v.clone();
        }
        let (s, p) = send(app.post(&path, &coordinator(), &body)).await;
        assert_eq!(s, 422, "{patch}: {p}");
        assert_eq!(fields(&p), vec![field.to_string()], "{patch}: {p}");
    }
    assert_eq!(app.count("consents").await, 0);
    // The question needs its three parts, each known.
    let (s, p) = send(app.get(
        &check(&fid, "purpose=referral&category=housing"),
        &coordinator(),
    ))
    .await;
    assert_eq!(s, 400);
    assert_eq!(fields(&p), vec!["organisation"]);
    let (s, p) = send(app.get(
        &check(
            &fid,
            "organisation=nobody&purpose=referral&category=housing",
        ),
        &coordinator(),
    ))
    .await;
    assert_eq!(s, 422);
    assert_eq!(fields(&p), vec!["organisation"]);
    let (s, p) = send(app.get(
        &check(
            &fid,
            &format!("organisation=ywca&purpose=referral&category=housing&member_id={other_child}"),
        ),
        &coordinator(),
    ))
    .await;
    assert_eq!(s, 422);
    assert_eq!(fields(&p), vec!["member_id"]);
}

#[tokio::test]
async fn sharing_without_consent_is_recorded_with_its_lawful_basis_and_never_changed() {
    let app = spawn_app().await;
    let (fid, _, child) = family(&app).await;
    let path = format!("/api/v1/families/{fid}/information-sharing");
    let body = json!({"member_id": child, "shared_with": "south-yorkshire-police",
        "lawful_basis": "crime_and_disorder_act_s115", "categories": ["education", "crime_asb"],
        "what_was_shared": "Attendance this term.", "reason": "Anti-social behaviour review.",
        "shared_on": "2013-03-12"});
    let (s, rec) = send(
        app.post(&path, &coordinator(), &body)
            .header("Idempotency-Key", "share-1"),
    )
    .await;
    assert_eq!(s, 201, "{rec}");
    assert_eq!(rec["shared_by"], "test-user");
    let (s, again) = send(
        app.post(&path, &coordinator(), &body)
            .header("Idempotency-Key", "share-1"),
    )
    .await;
    assert_eq!((s, &again["id"]), (201, &rec["id"]));
    let mut future = body.clone();
    future["shared_on"] = json!("2999-01-01");
    let (s, p) = send(app.post(&path, &coordinator(), &future)).await;
    assert_eq!((s, fields(&p)), (422, vec!["shared_on".to_string()]));
    let mut unknown = body.clone();
    unknown["shared_with"] = json!("mi5");
    let (s, p) = send(app.post(&path, &coordinator(), &unknown)).await;
    assert_eq!((s, fields(&p)), (422, vec!["shared_with".to_string()]));
    let mut basis = body.clone();
    basis["lawful_basis"] = json!("because");
    let (s, p) = send(app.post(&path, &coordinator(), &basis)).await;
    assert_eq!((s, fields(&p)), (422, vec!["lawful_basis".to_string()]));
    let (s, list) = send(app.get(&path, &token(&[Role::Auditor]))).await;
    assert_eq!(s, 200);
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    assert_eq!(
        list["items"][0]["lawful_basis"],
        "crime_and_disorder_act_s115"
    );
    // The service's role has no UPDATE on it, and the trigger refuses even the owner.
    let err = app
        .superuser_db()
        .await
        .execute("UPDATE information_sharing SET reason = 'x'", &[])
        .await
        .unwrap_err();
    assert!(format!("{err:?}").contains("immutable"), "{err:?}");
}

#[tokio::test]
async fn organisations_are_listed_to_all_and_kept_by_managers() {
    let app = spawn_app().await;
    let (s, list) = send(app.get("/api/v1/organisations", &token(&[Role::Provider]))).await;
    assert_eq!(s, 200);
    let codes: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["code"].as_str().unwrap())
        .collect();
    for c in [
        "ywca",
        "rotherham-mind",
        "remedi",
        "barnsley-mst",
        "wiseability",
        "south-yorkshire-police",
    ] {
        assert!(codes.contains(&c), "{c} seeded");
    }
    let body = json!({"code": "rotherham-housing", "name": "Rotherham housing", "kind": "council"});
    let (s, _) = send(app.post("/api/v1/organisations", &token(&[Role::KeyWorker]), &body)).await;
    assert_eq!(s, 403);
    let (s, o) = send(app.post("/api/v1/organisations", &token(&[Role::Manager]), &body)).await;
    assert_eq!(s, 201, "{o}");
    let (s, _) = send(app.post("/api/v1/organisations", &token(&[Role::Manager]), &body)).await;
    assert_eq!(s, 409);
    let (s, p) = send(app.post(
        "/api/v1/organisations",
        &token(&[Role::Manager]),
        &json!({"code": "Bad Code", "name": "x", "kind": "council"}),
    ))
    .await;
    assert_eq!((s, fields(&p)), (422, vec!["code".to_string()]));
}

#[tokio::test]
async fn a_worker_sees_no_consent_of_a_family_not_theirs() {
    let app = spawn_app().await;
    let (fid, _, _) = family(&app).await;
    let worker = token_for("kw-9", &[Role::KeyWorker]);
    for path in [
        format!("/api/v1/families/{fid}/consents"),
        format!("/api/v1/families/{fid}/information-sharing"),
        check(&fid, "organisation=ywca&purpose=referral&category=housing"),
    ] {
        let (s, _) = send(app.get(&path, &worker)).await;
        assert_eq!(s, 404, "{path}");
    }
    let (s, _) = send(app.post(&format!("/api/v1/families/{fid}/consents"), &worker, &json!({
        "decision": "given", "organisations": ["rmbc"], "purposes": ["assessment"], "valid_from": "2013-02-04"}))).await;
    assert_eq!(s, 404);
}
