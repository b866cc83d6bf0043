//! Referrals: the rules at referral time, the queue of a full service, and the lifecycle.

use ffc::auth::Role;
use serde_json::{json, Value};

use crate::casework::at;
use crate::common::*;

fn manager() -> String {
    token(&[Role::Manager])
}

/// A family whose consent lets referrals share with these organisations, from 2013.
async fn family_consenting(app: &TestApp, organisations: &[&str]) -> Value {
    let f = app.create_family(&coordinator(), &family_body()).await;
    let (s, c) = send(app.post(
        &at(f["id"].as_str().unwrap(), "consents"),
        &coordinator(),
        &json!({
        "decision": "given", "organisations": organisations, "purposes": ["referral"],
        "valid_from": "2013-02-01"}),
    ))
    .await;
    assert_eq!(s, 201, "{c}");
    f
}

fn refer(service: &str, member: &Value, on: &str) -> Value {
    json!({"service_code": service, "member_id": member, "reason": "Referred by the team.", "referred_on": on})
}

#[tokio::test]
async fn mst_takes_ages_11_to_17_from_july_2014_and_says_why_not() {
    let app = spawn_app().await;
    let f = family_consenting(&app, &["barnsley-mst"]).await;
    let fid = f["id"].as_str().unwrap();
    // The child was born on 2008-05-06.
    let child = &f["members"][1]["id"];
    let path = at(fid, "referrals");
    for (on, age) in [("2019-05-05", 10), ("2026-05-06", 18)] {
        let (s, p) = send(app.post(
            &path,
            &coordinator(),
            &refer("multi-systemic-therapy", child, on),
        ))
        .await;
        assert_eq!(s, 422, "{on}: {p}");
        assert_eq!(fields(&p), vec!["member_id"]);
        let msg = p["errors"][0]["message"].as_str().unwrap();
        assert!(
            msg.contains(&format!("is {age}")) && msg.contains("11 to 17"),
            "{msg}"
        );
    }
    let (s, p) = send(app.post(
        &path,
        &coordinator(),
        &refer("multi-systemic-therapy", child, "2099-05-06"),
    ))
    .await;
    assert_eq!(
        (s, fields(&p)),
        (422, vec!["referred_on".to_string()]),
        "not ahead of time"
    );
    for on in ["2019-05-06", "2025-05-06"] {
        let (s, r) = send(app.post(
            &path,
            &coordinator(),
            &refer("multi-systemic-therapy", child, on),
        ))
        .await;
        assert_eq!(s, 201, "{on}: {r}");
        assert_eq!(r["status"], "requested");
        assert_eq!(r["organisation"], "barnsley-mst");
        assert_eq!(r["history"][0]["action"], "create");
    }
    assert_eq!(app.count("referrals").await, 2);
}

#[tokio::test]
async fn child_k_cannot_go_to_mst_in_2013_because_its_contract_starts_in_july_2014() {
    let app = spawn_app().await;
    let pool = ffc::db::pool(&app.app_db_url, 2).unwrap();
    ffc::demo::load(&pool, Default::default()).await.unwrap();
    let (_, list) = send(app.get("/api/v1/families", &coordinator())).await;
    let f = &list["items"][0];
    let (_, fam) = send(app.get(
        &format!("/api/v1/families/{}", f["id"].as_str().unwrap()),
        &coordinator(),
    ))
    .await;
    let k = fam["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["family_name"] == "K")
        .unwrap();
    let (s, p) = send(app.post(
        &at(f["id"].as_str().unwrap(), "referrals"),
        &coordinator(),
        &refer("multi-systemic-therapy", &k["id"], "2013-06-03"),
    ))
    .await;
    assert_eq!(s, 422, "{p}");
    assert_eq!(fields(&p), vec!["referred_on"]);
    assert!(
        p["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("2014-07-01"),
        "{p}"
    );
}

#[tokio::test]
async fn mind_needs_a_child_protection_or_child_in_need_plan_and_consent_or_a_managers_override() {
    let app = spawn_app().await;
    let f = family_consenting(&app, &["rotherham-mind"]).await;
    let fid = f["id"].as_str().unwrap();
    let child = &f["members"][1]["id"];
    let path = at(fid, "referrals");
    let body = refer("mind-intensive-family-support", child, "2014-01-15");
    let (s, p) = send(app.post(&path, &coordinator(), &body)).await;
    assert_eq!(s, 422, "{p}");
    assert!(
        p["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("child in need plan"),
        "{p}"
    );
    let (s, e) = send(app.post(
        &at(fid, "care-episodes"),
        &coordinator(),
        &json!({
        "kind": "child_in_need_plan", "member_id": child, "started_on": "2013-11-04",
        "agreed_by": "Child in need meeting"}),
    ))
    .await;
    assert_eq!(s, 201, "{e}");
    let (s, r) = send(app.post(&path, &coordinator(), &body)).await;
    assert_eq!(s, 201, "{r}");
    assert!(r["consent_id"].is_string());

    // Without consent to share with the provider: 409, unless a manager overrides in writing.
    let other = app.create_family(&coordinator(), &family_body()).await;
    let oid = other["id"].as_str().unwrap();
    let body = refer(
        "ywca-family-support",
        &other["members"][1]["id"],
        "2014-01-15",
    );
    let (s, p) = send(app.post(&at(oid, "referrals"), &coordinator(), &body)).await;
    assert_eq!(s, 409, "{p}");
    assert!(p["detail"].as_str().unwrap().contains("No consent"), "{p}");
    let mut overridden = body.clone();
    overridden["consent_override"] =
        json!("Safeguarding: the social worker asked for YWCA to start at once.");
    let (s, _) = send(app.post(&at(oid, "referrals"), &coordinator(), &overridden)).await;
    assert_eq!(s, 403, "only a manager overrides");
    let (s, r) = send(app.post(&at(oid, "referrals"), &manager(), &overridden)).await;
    assert_eq!(s, 201, "{r}");
    assert_eq!(r["override_by"], "test-user");
    assert_eq!(r["consent_id"], Value::Null);
}

#[tokio::test]
async fn a_full_service_queues_referrals_and_a_freed_place_goes_to_the_first_waiting() {
    let app = spawn_app().await;
    let (s, _) = send(app.post("/api/v1/services", &manager(), &json!({
        "code": "one-place", "organisation": "ywca", "name": "One place", "need": "family_relationships",
        "capacity": 1, "contract_start": "2013-04-01"}))).await;
    assert_eq!(s, 201);
    let f = family_consenting(&app, &["ywca"]).await;
    let fid = f["id"].as_str().unwrap();
    let path = at(fid, "referrals");
    let body = json!({"service_code": "one-place", "reason": "Family support.", "referred_on": "2014-01-15"});
    // Two race for the one place: one gets it, the other queues.
    let (a, b) = tokio::join!(
        send(app.post(&path, &coordinator(), &body)),
        send(app.post(&path, &coordinator(), &body))
    );
    assert_eq!((a.0, b.0), (201, 201));
    let mut statuses = vec![
        a.1["status"].as_str().unwrap(),
        b.1["status"].as_str().unwrap(),
    ];
    statuses.sort();
    assert_eq!(statuses, vec!["requested", "waiting"]);
    let (first, queued) = if a.1["status"] == "requested" {
        (a.1, b.1)
    } else {
        (b.1, a.1)
    };
    assert_eq!(queued["queue_position"], 1);
    let (_, third) = send(app.post(&path, &coordinator(), &body)).await;
    assert_eq!(
        (third["status"].as_str(), third["queue_position"].as_i64()),
        (Some("waiting"), Some(2))
    );

    // The provider's side rejects the first (a manager records it): the queue moves up.
    let one = format!("/api/v1/referrals/{}", first["id"].as_str().unwrap());
    let (s, p) = send(
        app.post(
            &format!("{one}/transitions"),
            &manager(),
            &json!({"action": "reject"}),
        )
        .header("If-Match", "\"1\""),
    )
    .await;
    assert_eq!(
        (s, fields(&p)),
        (422, vec!["reason".to_string()]),
        "a rejection says why"
    );
    let (s, r) = send(
        app.post(
            &format!("{one}/transitions"),
            &manager(),
            &json!({"action": "reject", "reason": "Outside our area."}),
        )
        .header("If-Match", "\"1\""),
    )
    .await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["status"], "rejected");
    let (_, q) = send(app.get(
        &format!("/api/v1/referrals/{}", queued["id"].as_str().unwrap()),
        &coordinator(),
    ))
    .await;
    assert_eq!(q["status"], "requested");
    assert_eq!(q["history"][1]["action"], "offer");
    let (_, t) = send(app.get(
        &format!("/api/v1/referrals/{}", third["id"].as_str().unwrap()),
        &coordinator(),
    ))
    .await;
    assert_eq!(t["queue_position"], 1);
    let (_, list) = send(app.get(
        "/api/v1/referrals?service_code=one-place&status=waiting",
        &token(&[Role::Auditor]),
    ))
    .await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    assert_eq!(list["items"][0]["queue_position"], 1);
    // A second place (a manager raises the capacity) goes to the one still waiting.
    let (_, svc) = send(app.get("/api/v1/services/one-place", &coordinator())).await;
    let terms = json!({"name": "One place", "need": "family_relationships", "capacity": 2,
        "contract_start": "2013-04-01", "notes": "Raised to two places."});
    let (s, _) = send(
        app.put("/api/v1/services/one-place", &manager(), &terms)
            .header("If-Match", format!("\"{}\"", svc["version"])),
    )
    .await;
    assert_eq!(s, 200);
    let (_, t) = send(app.get(
        &format!("/api/v1/referrals/{}", third["id"].as_str().unwrap()),
        &coordinator(),
    ))
    .await;
    assert_eq!(t["status"], "requested");
}

#[tokio::test]
async fn the_lifecycle_moves_only_as_the_rules_page_says_and_records_each_move() {
    let app = spawn_app().await;
    let f = family_consenting(&app, &["ywca"]).await;
    let fid = f["id"].as_str().unwrap();
    let (_, r) = send(app.post(&at(fid, "referrals"), &coordinator(), &json!({
        "service_code": "ywca-family-support", "reason": "Family support.", "referred_on": "2014-01-15"}))).await;
    let one = format!(
        "/api/v1/referrals/{}/transitions",
        r["id"].as_str().unwrap()
    );
    let mv = |action: Value, version: i64, who: String| {
        let app = &app;
        let one = one.clone();
        async move {
            send(
                app.post(&one, &who, &action)
                    .header("If-Match", format!("\"{version}\"")),
            )
            .await
        }
    };
    let (s, p) = mv(json!({"action": "teleport"}), 1, manager()).await;
    assert_eq!(
        (s, fields(&p)),
        (422, vec!["action".to_string()]),
        "an unknown move names the field"
    );
    let (s, p) = mv(json!({"action": "start"}), 1, manager()).await;
    assert_eq!(s, 409);
    assert!(
        p["detail"]
            .as_str()
            .unwrap()
            .contains("accept, reject, cancel"),
        "{p}"
    );
    let (s, _) = mv(json!({"action": "accept"}), 1, coordinator()).await;
    assert_eq!(s, 403, "the provider accepts");
    let (s, p) = mv(json!({"action": "cancel"}), 1, coordinator()).await;
    assert_eq!((s, fields(&p)), (422, vec!["reason".to_string()]));
    let events_before = app.count("referral_events").await;
    for (i, step) in [
        json!({"action": "accept"}),
        json!({"action": "start"}),
        json!({"action": "hold"}),
        json!({"action": "resume"}),
    ]
    .into_iter()
    .enumerate()
    {
        let (s, p) = mv(step.clone(), i as i64 + 1, manager()).await;
        assert_eq!(s, 200, "{step}: {p}");
    }
    let (s, p) = mv(json!({"action": "complete"}), 5, manager()).await;
    assert_eq!(
        (s, fields(&p)),
        (422, vec!["outcome".to_string()]),
        "completing needs an outcome"
    );
    let (s, done) = mv(
        json!({"action": "complete", "outcome": "Family routines restored."}),
        5,
        manager(),
    )
    .await;
    assert_eq!(s, 200, "{done}");
    assert_eq!(done["outcome"], "Family routines restored.");
    let moves: Vec<&str> = done["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        moves,
        vec!["create", "accept", "start", "hold", "resume", "complete"]
    );
    assert_eq!(
        app.count("referral_events").await,
        events_before + 5,
        "refused moves wrote nothing"
    );
    let (s, p) = mv(
        json!({"action": "cancel", "reason": "Too late."}),
        6,
        coordinator(),
    )
    .await;
    assert_eq!(s, 409);
    assert!(p["detail"].as_str().unwrap().contains("ended"), "{p}");
    let err = app
        .superuser_db()
        .await
        .execute(
            "UPDATE referrals SET reason = 'x' WHERE status = 'completed'",
            &[],
        )
        .await
        .unwrap_err();
    assert!(format!("{err:?}").contains("ended referral"), "{err:?}");
}

#[tokio::test]
async fn the_council_sees_referrals_by_provider_status_and_age_and_each_services_load() {
    let app = spawn_app().await;
    let (s, _) = send(app.post("/api/v1/services", &manager(), &json!({
        "code": "two-places", "organisation": "ywca", "name": "Two places", "need": "family_relationships",
        "capacity": 2, "contract_start": "2013-04-01"}))).await;
    assert_eq!(s, 201);
    let f = family_consenting(&app, &["ywca", "barnsley-mst"]).await;
    let fid = f["id"].as_str().unwrap();
    let child = &f["members"][1]["id"];
    let adult = &f["members"][0]["id"];
    for (member, on) in [
        (child, "2020-01-15"),
        (adult, "2020-01-15"),
        (&Value::Null, "2020-01-15"),
    ] {
        let (s, _) = send(app.post(
            &at(fid, "referrals"),
            &coordinator(),
            &refer("two-places", member, on),
        ))
        .await;
        assert_eq!(s, 201);
    }
    let (s, _) = send(app.post(
        &at(fid, "referrals"),
        &coordinator(),
        &refer("multi-systemic-therapy", child, "2020-01-15"),
    ))
    .await;
    assert_eq!(s, 201);

    let (s, load) =
        send(app.get("/api/v1/reports/service-capacity", &token(&[Role::Auditor]))).await;
    assert_eq!(s, 200);
    let by = |code: &str| {
        load["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["service_code"] == code)
            .cloned()
            .unwrap()
    };
    let two = by("two-places");
    assert_eq!(
        (
            two["open"].as_i64(),
            two["free"].as_i64(),
            two["waiting"].as_i64()
        ),
        (Some(2), Some(0), Some(1))
    );
    let mst = by("multi-systemic-therapy");
    assert_eq!(
        (
            mst["capacity"].as_i64(),
            mst["open"].as_i64(),
            mst["free"].as_i64()
        ),
        (Some(10), Some(1), Some(9))
    );
    assert_eq!(by("ywca-family-support")["free"], Value::Null, "no limit");

    let (s, counts) = send(app.get(
        "/api/v1/reports/referrals?from=2020-01-01&to=2020-12-31",
        &coordinator(),
    ))
    .await;
    assert_eq!(s, 200);
    let rows: Vec<(String, String, String, i64)> = counts["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["service_code"].as_str().unwrap().to_string(),
                r["status"].as_str().unwrap().to_string(),
                r["age_band"].as_str().unwrap().to_string(),
                r["referrals"].as_i64().unwrap(),
            )
        })
        .collect();
    // The child was born in 2008 (11 in January 2020), the adult in 1980.
    assert!(
        rows.contains(&(
            "multi-systemic-therapy".into(),
            "requested".into(),
            "11-17".into(),
            1
        )),
        "{rows:?}"
    );
    assert_eq!(
        rows.iter()
            .filter(|r| r.0 == "two-places")
            .map(|r| r.3)
            .sum::<i64>(),
        3
    );
    assert!(
        rows.iter().any(|r| r.0 == "two-places" && r.2 == "18+"),
        "{rows:?}"
    );
    assert!(
        rows.iter().any(|r| r.0 == "two-places" && r.1 == "waiting"),
        "{rows:?}"
    );
    let (s, none) = send(app.get(
        "/api/v1/reports/referrals?from=2021-01-01&to=2021-12-31",
        &coordinator(),
    ))
    .await;
    assert_eq!((s, none["items"].as_array().unwrap().len()), (200, 0));
    let (s, _) = send(app.get(
        "/api/v1/reports/referrals?from=2021-01-01&to=2020-12-31",
        &coordinator(),
    ))
    .await;
    assert_eq!(s, 200, "a period ending before it starts holds nothing");
    let (s, _) = send(app.get(
        "/api/v1/reports/service-capacity",
        &token(&[Role::Provider]),
    ))
    .await;
    assert_eq!(s, 403);
}

#[tokio::test]
async fn a_freed_place_skips_a_waiting_referral_whose_consent_was_withdrawn() {
    let app = spawn_app().await;
    let (s, _) = send(app.post("/api/v1/services", &manager(), &json!({
        "code": "one-place", "organisation": "ywca", "name": "One place", "need": "family_relationships",
        "capacity": 1, "contract_start": "2013-04-01"}))).await;
    assert_eq!(s, 201);
    let body = json!({"service_code": "one-place", "reason": "Family support.", "referred_on": "2014-01-15"});
    let mut referrals = Vec::new();
    let mut consents = Vec::new();
    for _ in 0..3 {
        let f = family_consenting(&app, &["ywca"]).await;
        let fid = f["id"].as_str().unwrap().to_string();
        let (_, c) = send(app.get(&at(&fid, "consents"), &coordinator())).await;
        consents.push((
            fid.clone(),
            c["items"][0]["id"].as_str().unwrap().to_string(),
        ));
        let (s, r) = send(app.post(&at(&fid, "referrals"), &coordinator(), &body)).await;
        assert_eq!(s, 201);
        referrals.push(r);
    }
    let statuses: Vec<&str> = referrals
        .iter()
        .map(|r| r["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, vec!["requested", "waiting", "waiting"]);
    // The first in the queue withdraws consent; when the place frees it goes to the second.
    let (fid, cid) = &consents[1];
    let (s, _) = send(
        app.post(
            &at(fid, &format!("consents/{cid}/withdraw")),
            &coordinator(),
            &json!({"withdrawn_on": "2014-02-01", "reason": "No longer wishes to share."}),
        )
        .header("If-Match", "\"1\""),
    )
    .await;
    assert_eq!(s, 200);
    let (s, _) = send(
        app.post(
            &format!(
                "/api/v1/referrals/{}/transitions",
                referrals[0]["id"].as_str().unwrap()
            ),
            &coordinator(),
            &json!({"action": "cancel", "reason": "Family moved away."}),
        )
        .header("If-Match", "\"1\""),
    )
    .await;
    assert_eq!(s, 200);
    let get = |r: &Value| format!("/api/v1/referrals/{}", r["id"].as_str().unwrap());
    let (_, skipped) = send(app.get(&get(&referrals[1]), &coordinator())).await;
    assert_eq!(skipped["status"], "cancelled");
    let why = skipped["history"].as_array().unwrap().last().unwrap()["reason"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(why.contains("no consent"), "{why}");
    let (_, offered) = send(app.get(&get(&referrals[2]), &coordinator())).await;
    assert_eq!(offered["status"], "requested");
}
