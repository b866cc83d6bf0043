//! A provider sees and moves only the referrals to its own organisation; its systems post
//! updates safely under retries.

use ffc::auth::Role;
use serde_json::{json, Value};

use crate::casework::at;
use crate::common::*;

fn manager() -> String {
    token(&[Role::Manager])
}

async fn bind(app: &TestApp, subject: &str, organisation: &str) -> String {
    let (s, _) = send(app.post(
        "/api/v1/provider-users",
        &token(&[Role::Admin]),
        &json!({"issuer": "ffc-dev", "subject": subject, "organisation": organisation}),
    ))
    .await;
    assert_eq!(s, 201);
    token_for(subject, &[Role::Provider])
}

/// A family consenting to share with `organisation`, referred to `service` as a whole.
async fn referred(
    app: &TestApp,
    organisation: &str,
    service: &str,
    excluded: &[&str],
) -> (Value, Value) {
    let f = app.create_family(&coordinator(), &family_body()).await;
    let fid = f["id"].as_str().unwrap();
    let (s, _) = send(app.post(
        &at(fid, "consents"),
        &coordinator(),
        &json!({
        "decision": "given", "organisations": [organisation], "purposes": ["referral"],
        "excluded_categories": excluded, "valid_from": "2013-02-01"}),
    ))
    .await;
    assert_eq!(s, 201);
    let (s, r) = send(app.post(
        &at(fid, "referrals"),
        &coordinator(),
        &json!({
        "service_code": service, "reason": "Family support.", "referred_on": "2014-01-15"}),
    ))
    .await;
    assert_eq!(s, 201, "{r}");
    (f, r)
}

async fn moved(app: &TestApp, who: &str, referral: &Value, action: &str, version: i64) -> Value {
    let (s, r) = send(
        app.post(
            &format!(
                "/api/v1/referrals/{}/transitions",
                referral["id"].as_str().unwrap()
            ),
            who,
            &json!({"action": action}),
        )
        .header("If-Match", format!("\"{version}\"")),
    )
    .await;
    assert_eq!(s, 200, "{action}: {r}");
    r
}

fn concrete(path: &str, ids: &[(&str, &str)]) -> String {
    let mut out = path.to_string();
    for (name, value) in ids {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    // Any other id is unknown everywhere.
    while let Some(start) = out.find('{') {
        let end = out[start..].find('}').unwrap() + start;
        out.replace_range(start..=end, "01900000-0000-7000-8000-00000000dead");
    }
    out
}

#[tokio::test]
async fn a_provider_reaches_nothing_of_another_providers_in_any_operation_of_the_document() {
    let app = spawn_app().await;
    let ywca = bind(&app, "ywca-system", "ywca").await;
    let mind = bind(&app, "remedi-system", "remedi").await;
    let (fa, ra) = referred(&app, "ywca", "ywca-family-support", &[]).await;
    let (fb, rb) = referred(&app, "remedi", "remedi-family-mediation", &[]).await;
    let rb = moved(&app, &mind, &rb, "accept", 1).await;
    moved(&app, &mind, &rb, "start", 2).await;
    let (s, ub) = send(app.post(&format!("/api/v1/referrals/{}/updates", rb["id"].as_str().unwrap()), &mind,
        &json!({"kind": "progress", "occurred_on": "2014-02-03", "note": "Second mediation session."}))
        .header("Idempotency-Key", "b-1")).await;
    assert_eq!(s, 201, "{ub}");
    let secrets = [
        rb["id"].as_str().unwrap(),
        fb["id"].as_str().unwrap(),
        ub["id"].as_str().unwrap(),
    ];
    let ids = [
        ("referral_id", secrets[0]),
        ("family_id", secrets[1]),
        ("service_code", "remedi-family-mediation"),
    ];

    let (_, doc) = send(app.get("/openapi.json", &ywca)).await;
    let (mut reached, mut refused) = (0, 0);
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let roles: Vec<&str> = op["security"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|s| s.get("bearer"))
                .flat_map(|r| r.as_array().unwrap())
                .map(|r| r.as_str().unwrap())
                .collect();
            if roles.is_empty() {
                continue; // public probes
            }
            let m = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            // The operation's own example body: valid, so that only access decides the answer.
            let media = &op["requestBody"]["content"]["application/json"];
            let body = match media["example"].clone() {
                Value::Null => media["schema"]["$ref"]
                    .as_str()
                    .and_then(|r| r.rsplit('/').next())
                    .map(|name| doc["components"]["schemas"][name]["example"].clone())
                    .unwrap_or(Value::Null),
                example => example,
            };
            let mut req = app
                .client
                .request(m, app.url(&concrete(path, &ids)))
                .bearer_auth(&ywca)
                .header("If-Match", "*")
                .header("Idempotency-Key", format!("probe-{method}-{path}"));
            if !body.is_null() {
                req = req.json(&body);
            }
            let res = req.send().await.unwrap();
            let status = res.status().as_u16();
            let text = res.text().await.unwrap();
            let name = op["operationId"].as_str().unwrap();
            if !roles.contains(&"provider") {
                assert_eq!(status, 403, "{name}: {text}");
                refused += 1;
                continue;
            }
            reached += 1;
            if path.contains("_id}") {
                assert_eq!(
                    status, 404,
                    "{name} reached another provider's record: {text}"
                );
            } else {
                assert!(status < 400, "{name}: {status} {text}");
            }
            for secret in secrets {
                assert!(!text.contains(secret), "{name} disclosed {secret}: {text}");
            }
        }
    }
    assert!(
        reached >= 6 && refused >= 50,
        "{reached} provider operations, {refused} refused"
    );

    // Its own referral it sees, in the list and alone, asked for by its organisation or not at
    // all; asking for another organisation's answers an empty page, never its own in their
    // place. An unbound provider sees nothing.
    for path in ["/api/v1/referrals", "/api/v1/referrals?organisation=ywca"] {
        let (s, list) = send(app.get(path, &ywca)).await;
        assert_eq!(s, 200, "{path}");
        let listed: Vec<&str> = list["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_str().unwrap())
            .collect();
        assert_eq!(
            listed,
            vec![ra["id"].as_str().unwrap()],
            "{path}: its own only"
        );
    }
    let (s, other) = send(app.get("/api/v1/referrals?organisation=remedi", &ywca)).await;
    assert_eq!(s, 200);
    assert_eq!(
        other["items"],
        json!([]),
        "another organisation's filter is not replaced by its own"
    );
    let (s, _) = send(app.get(
        &format!("/api/v1/referrals/{}", ra["id"].as_str().unwrap()),
        &ywca,
    ))
    .await;
    assert_eq!(s, 200);
    // Another identity service naming the same subject is another user: bindings are to the
    // (issuer, subject) pair.
    let mut claims = rs256_claims(&[Role::Provider]);
    claims.sub = "ywca-system".into();
    let impostor = sign_rs256(&claims, "test-issuer-private.pem", Some("test-key-1"));
    let (s, none) = send(app.get("/api/v1/referrals", &impostor)).await;
    assert_eq!((s, none["items"].as_array().unwrap().len()), (200, 0));
    let (s, _) = send(app.get(
        &format!("/api/v1/referrals/{}", ra["id"].as_str().unwrap()),
        &impostor,
    ))
    .await;
    assert_eq!(s, 404);
    let stranger = token_for("unbound-system", &[Role::Provider]);
    let (_, none) = send(app.get("/api/v1/referrals", &stranger)).await;
    assert_eq!(none["items"].as_array().unwrap().len(), 0);
    let (s, _) = send(app.get(
        &format!("/api/v1/referrals/{}", ra["id"].as_str().unwrap()),
        &stranger,
    ))
    .await;
    assert_eq!(s, 404);
    let _ = fa;
}

#[tokio::test]
async fn a_provider_moves_its_side_only_and_sees_of_the_family_what_the_consent_allows() {
    let app = spawn_app().await;
    let ywca = bind(&app, "ywca-system", "ywca").await;
    let lead = crate::casework::staff(&app, "lw-1", "lead_worker", None).await;
    let (f, _) = crate::casework::family_with_fcaf(&app, &lead).await;
    let fid = f["id"].as_str().unwrap();
    let (s, _) = send(app.post(
        &at(fid, "consents"),
        &coordinator(),
        &json!({
        "decision": "given", "organisations": ["ywca"], "purposes": ["referral"],
        "excluded_categories": ["crime_asb"], "valid_from": "2013-02-01"}),
    ))
    .await;
    assert_eq!(s, 201);
    for (need, text) in [
        ("family_relationships", "Routines at home."),
        ("crime_asb", "Youth Offending Team order."),
    ] {
        let (s, _) = send(app.post(&at(fid, "actions"), &coordinator(), &json!({
            "description": text, "owner_organisation": "ywca", "need": need, "due_on": "2013-06-30"}))).await;
        assert_eq!(s, 201);
    }
    let (s, r) = send(app.post(&at(fid, "referrals"), &coordinator(), &json!({
        "service_code": "ywca-family-support", "reason": "Family support.", "referred_on": "2014-01-15"}))).await;
    assert_eq!(s, 201, "{r}");
    let one = format!("/api/v1/referrals/{}", r["id"].as_str().unwrap());
    let (s, p) = send(
        app.post(
            &format!("{one}/transitions"),
            &ywca,
            &json!({"action": "cancel", "reason": "x"}),
        )
        .header("If-Match", "*"),
    )
    .await;
    assert_eq!(s, 403, "the referring side cancels: {p}");
    moved(&app, &ywca, &r, "accept", 1).await;
    let (s, shared) = send(app.get(&format!("{one}/family"), &ywca)).await;
    assert_eq!(s, 200, "{shared}");
    assert_eq!(shared["members"].as_array().unwrap().len(), 2);
    assert!(
        shared["members"][0].get("nhs_number").is_none()
            && shared["members"][0].get("date_of_birth").is_none()
    );
    let items: Vec<&str> = shared["plan_items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["description"].as_str().unwrap())
        .collect();
    assert_eq!(
        items,
        vec!["Routines at home."],
        "crime is excluded from what YWCA may see"
    );
    // Outcomes belong to completion only.
    let (s, p) = send(
        app.post(
            &format!("{one}/transitions"),
            &ywca,
            &json!({"action": "start", "outcome": "x"}),
        )
        .header("If-Match", "\"2\""),
    )
    .await;
    assert_eq!((s, fields(&p)), (422, vec!["outcome".to_string()]));
    // Once the referral has ended, the provider no longer sees the family.
    let (s, _) = send(
        app.post(
            &format!("{one}/transitions"),
            &coordinator(),
            &json!({"action": "cancel", "reason": "Family moved."}),
        )
        .header("If-Match", "\"2\""),
    )
    .await;
    assert_eq!(s, 200);
    let (s, _) = send(app.get(&format!("{one}/family"), &ywca)).await;
    assert_eq!(s, 404);
    // The provider reaches nothing of the family outside the referral.
    for path in [
        format!("/api/v1/families/{fid}"),
        at(fid, "actions"),
        at(fid, "notes"),
    ] {
        let (s, _) = send(app.get(&path, &ywca)).await;
        assert_eq!(s, 403, "{path}");
    }
}

#[tokio::test]
async fn an_update_posted_five_times_at_once_with_one_key_is_recorded_once() {
    let app = spawn_app().await;
    let remedi = bind(&app, "remedi-system", "remedi").await;
    let (_, r) = referred(&app, "remedi", "remedi-family-mediation", &[]).await;
    let path = format!("/api/v1/referrals/{}/updates", r["id"].as_str().unwrap());
    let body = json!({"kind": "session", "occurred_on": "2014-02-03", "session_held": true, "family_engaged": true});
    let (s, _) = send(
        app.post(&path, &remedi, &body)
            .header("Idempotency-Key", "early"),
    )
    .await;
    assert_eq!(s, 409, "not accepted yet");
    let r = moved(&app, &remedi, &r, "accept", 1).await;
    let (s, p) = send(app.post(&path, &remedi, &body)).await;
    assert_eq!(
        (s, fields(&p)),
        (400, vec!["Idempotency-Key".to_string()]),
        "the key is required"
    );
    let results = futures_util::future::join_all((0..5).map(|_| {
        send(
            app.post(&path, &remedi, &body)
                .header("Idempotency-Key", "session-2014-02-03"),
        )
    }))
    .await;
    let created: Vec<&Value> = results
        .iter()
        .filter(|(s, _)| *s == 201)
        .map(|(_, v)| v)
        .collect();
    assert!(
        !created.is_empty() && results.iter().all(|(s, _)| *s == 201 || *s == 409),
        "{results:?}"
    );
    assert!(
        created.iter().all(|v| v["id"] == created[0]["id"]),
        "replays answer the same update"
    );
    assert_eq!(app.count("referral_updates").await, 1);
    let mut other = body.clone();
    other["family_engaged"] = json!(false);
    let (s, _) = send(
        app.post(&path, &remedi, &other)
            .header("Idempotency-Key", "session-2014-02-03"),
    )
    .await;
    assert_eq!(s, 422, "the same key with another body");
    let (s, p) = send(
        app.post(
            &path,
            &remedi,
            &json!({"kind": "outcome", "occurred_on": "2014-02-03"}),
        )
        .header("Idempotency-Key", "o-1"),
    )
    .await;
    assert_eq!((s, fields(&p)), (422, vec!["measures".to_string()]));
    let (s, c) = send(
        app.post(
            &path,
            &remedi,
            &json!({"kind": "progress", "occurred_on": "2014-02-03",
        "note": "Correction: the family did not engage.", "corrects_update_id": created[0]["id"]}),
        )
        .header("Idempotency-Key", "c-1"),
    )
    .await;
    assert_eq!(s, 201, "{c}");
    // Ended: no more updates.
    let r = moved(&app, &remedi, &r, "start", 2).await;
    let (s, _) = send(
        app.post(
            &format!(
                "/api/v1/referrals/{}/transitions",
                r["id"].as_str().unwrap()
            ),
            &remedi,
            &json!({"action": "complete", "outcome": "Communication restored."}),
        )
        .header("If-Match", "\"3\""),
    )
    .await;
    assert_eq!(s, 200);
    let (s, p) = send(
        app.post(&path, &remedi, &body)
            .header("Idempotency-Key", "late"),
    )
    .await;
    assert_eq!(s, 409, "{p}");
    assert!(p["detail"].as_str().unwrap().contains("ended"));
    let (_, list) = send(app.get(&path, &remedi)).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 2);
    let err = app
        .superuser_db()
        .await
        .execute("UPDATE referral_updates SET note = 'x'", &[])
        .await
        .unwrap_err();
    assert!(format!("{err:?}").contains("immutable"), "{err:?}");
    let _ = manager();
}
