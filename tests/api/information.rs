//! Information requests to partner organisations: the police single point of contact.

use ffc::auth::Role;
use serde_json::{json, Value};

use crate::casework::{at, staff};
use crate::common::*;
use crate::outcomes::member;

fn days_ahead(n: i64) -> String {
    (ffc::domain::people::london_date(chrono::Utc::now()) + chrono::Duration::days(n)).to_string()
}

fn ids(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_string())
        .collect()
}

fn request(member_id: &str, organisation: &str, due_on: &str) -> Value {
    json!({"member_id": member_id, "organisation": organisation,
        "asked": "Offences, ASB interventions and call-outs since September 2012.",
        "purpose": "Whether the family meets the crime and ASB criterion.",
        "lawful_basis": "crime_and_disorder_act_s115", "categories": ["crime_asb"],
        "due_on": due_on})
}

#[tokio::test]
async fn the_police_contact_answers_a_request_and_the_answer_is_evidence_with_its_source() {
    let app = spawn_app().await;
    let (s, v) = send(app.post(
        "/api/v1/staff",
        &token(&[Role::Admin]),
        &json!({"subject": "spoc-1", "name": "SPOC", "staff_role": "police_contact",
            "organisation": "south-yorkshire-police"}),
    ))
    .await;
    assert_eq!(s, 201, "{v}");
    let police = token_for("spoc-1", &[Role::PoliceContact]);
    let f = app.create_family(&coordinator(), &family_body()).await;
    let fid = f["id"].as_str().unwrap().to_string();
    let kieran = member(&f, "Kieran");
    let requests = at(&fid, "information-requests");

    // What cannot be asked is refused, naming the field.
    for (body, field) in [
        (request(&kieran, "ywca", &days_ahead(14)), "organisation"),
        (
            request(&kieran, "no-such-org", &days_ahead(14)),
            "organisation",
        ),
        (
            request(&kieran, "south-yorkshire-police", &days_ahead(-1)),
            "due_on",
        ),
        (
            request(&kieran, "south-yorkshire-police", &days_ahead(91)),
            "due_on",
        ),
    ] {
        let (s, p) = send(app.post(&requests, &coordinator(), &body)).await;
        assert_eq!(s, 422, "{p}");
        assert_eq!(p["errors"][0]["field"], field, "{p}");
    }
    let (s, asked) = send(app.post(
        &requests,
        &coordinator(),
        &request(&kieran, "south-yorkshire-police", &days_ahead(14)),
    ))
    .await;
    assert_eq!(s, 201, "{asked}");
    assert_eq!(asked["status"], "open");
    assert_eq!(asked["subject"]["people"][0]["given_name"], "Kieran");
    assert_eq!(asked["subject"]["people"].as_array().unwrap().len(), 1);
    let rid = asked["id"].as_str().unwrap().to_string();
    let (s, health) = send(app.post(
        &requests,
        &coordinator(),
        &request(&kieran, "rotherham-camhs", &days_ahead(14)),
    ))
    .await;
    assert_eq!(s, 201, "{health}");
    let hid = health["id"].as_str().unwrap().to_string();

    // The contact lists their organisation's requests and nothing else.
    let (s, list) = send(app.get("/api/v1/information-requests", &police)).await;
    assert_eq!(s, 200, "{list}");
    assert_eq!(ids(&list), vec![rid.clone()]);
    let (_, list) = send(app.get(
        "/api/v1/information-requests?organisation=rotherham-camhs",
        &police,
    ))
    .await;
    assert_eq!(ids(&list), Vec::<String>::new());
    let (s, _) = send(app.get(&format!("/api/v1/information-requests/{hid}"), &police)).await;
    assert_eq!(s, 404);
    // Nothing else about the family: every family route is closed to the role, for this
    // family as for one that does not exist.
    for path in [
        format!("/api/v1/families/{fid}"),
        at(&fid, "evidence"),
        at(&fid, "information-requests"),
        at(&fid, "information-sharing"),
        "/api/v1/families".into(),
        "/api/v1/referrals".into(),
    ] {
        let (s, _) = send(app.get(&path, &police)).await;
        assert_eq!(s, 403, "{path}");
    }

    // An answer must be evidence from the police about this family.
    let answer = format!("/api/v1/information-requests/{rid}/answer");
    for (body, field) in [
        (
            json!({"outcome": "found", "summary": "One offence."}),
            "records",
        ),
        (
            json!({"outcome": "found", "summary": "One offence.", "records": [
                {"kind": "proven_offence", "source": "school", "occurred_on": "2012-09-03"}]}),
            "records[0].source",
        ),
        (
            json!({"outcome": "nothing_held", "summary": "Nothing.", "records": [
                {"kind": "proven_offence", "source": "police", "occurred_on": "2012-09-03"}]}),
            "records",
        ),
    ] {
        let (s, p) = send(app.post(&answer, &police, &body)).await;
        assert_eq!(s, 422, "{p}");
        assert_eq!(p["errors"][0]["field"], field, "{p}");
    }
    let (s, done) = send(app.post(
        &answer,
        &police,
        &json!({"outcome": "found", "summary": "Theft, September 2012; an acceptable behaviour contract.",
            "records": [
                {"kind": "proven_offence", "source": "police", "occurred_on": "2012-09-03"},
                {"kind": "asb_intervention", "source": "police", "occurred_on": "2012-11-20",
                 "intervention_kind": "acceptable_behaviour_contract"}]}),
    ))
    .await;
    assert_eq!(s, 200, "{done}");
    assert_eq!(done["status"], "answered");
    assert_eq!(done["outcome"], "found");
    assert_eq!(done["responded_by"], "spoc-1");
    let evidence = done["evidence_ids"].as_array().unwrap().clone();
    assert_eq!(evidence.len(), 2);
    let (s, p) = send(app.post(
        &answer,
        &police,
        &json!({"outcome": "nothing_held", "summary": "Nothing."}),
    ))
    .await;
    assert_eq!(s, 409, "{p}");

    // The answer is evidence on the family, with the police as source and the request named.
    for e in &evidence {
        let (s, rec) = send(app.get(
            &at(&fid, &format!("evidence/{}", e.as_str().unwrap())),
            &coordinator(),
        ))
        .await;
        assert_eq!(s, 200, "{rec}");
        assert_eq!(rec["source"], "police");
        assert_eq!(rec["member_id"], json!(kieran));
        assert_eq!(rec["information_request_id"], json!(rid));
    }
    // The contact still reads none of it.
    let (s, _) = send(app.get(
        &at(&fid, &format!("evidence/{}", evidence[0].as_str().unwrap())),
        &police,
    ))
    .await;
    assert_eq!(s, 403);

    // The sharing log holds both steps of the exchange.
    let (_, log) = send(app.get(&at(&fid, "information-sharing"), &coordinator())).await;
    let steps: Vec<&str> = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["information_request_id"] == json!(rid))
        .map(|e| e["direction"].as_str().unwrap())
        .collect();
    assert_eq!(steps, vec!["received", "sent"], "{log}");

    // Every step is audited against the request.
    let (_, events) = send(app.get(
        &format!("/api/v1/audit-events?resource_id={rid}"),
        &token(&[Role::Auditor]),
    ))
    .await;
    let actions: Vec<&str> = events["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    for a in [
        "information_request.create",
        "information_request.list",
        "information_request.answer",
    ] {
        assert!(actions.contains(&a), "{a}: {actions:?}");
    }

    // The other organisation declines; declined once, it no longer changes.
    let decline = format!("/api/v1/information-requests/{hid}/decline");
    let (s, d) = send(app.post(
        &decline,
        &coordinator(),
        &json!({"reason": "CAMHS shares only with the family's consent."}),
    ))
    .await;
    assert_eq!(s, 200, "{d}");
    assert_eq!(d["status"], "declined");
    let (s, _) = send(app.post(&decline, &coordinator(), &json!({"reason": "Again."}))).await;
    assert_eq!(s, 409);
    // The database holds it too.
    let db = app.app_db().await;
    let err = db
        .execute(
            "UPDATE information_requests SET status = 'open', responded_at = NULL, \
             responded_by = NULL WHERE id = $1::text::uuid",
            &[&hid],
        )
        .await
        .unwrap_err();
    let message = err.as_db_error().map(|e| e.message().to_string());
    assert!(
        message
            .as_deref()
            .is_some_and(|m| m.contains("no longer changes")),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_sender_lists_their_requests_past_due_and_a_worker_sees_only_their_own() {
    let app = spawn_app().await;
    let lead = staff(&app, "lw-ir", "lead_worker", None).await;
    let f = app.create_family(&coordinator(), &family_body()).await;
    let fid = f["id"].as_str().unwrap().to_string();
    let (s, v) = send(app.post(
        &at(&fid, "allocations"),
        &coordinator(),
        &json!({"staff_id": lead}),
    ))
    .await;
    assert_eq!(s, 201, "{v}");
    let worker = token_for("lw-ir", &[Role::LeadWorker]);
    let kieran = member(&f, "Kieran");
    let (s, mine) = send(app.post(
        &at(&fid, "information-requests"),
        &worker,
        &request(&kieran, "south-yorkshire-police", &days_ahead(7)),
    ))
    .await;
    assert_eq!(s, 201, "{mine}");
    // One sent in January 2013 and never answered (written as the service would have then).
    let db = app.superuser_db().await;
    db.execute(
        "INSERT INTO information_requests (id, family_id, member_id, organisation, asked, purpose, \
           lawful_basis, categories, due_on, requested_by, requested_on) \
         VALUES (gen_random_uuid(), $1::text::uuid, $2::text::uuid, 'south-yorkshire-police', \
           'Call-outs to the address.', 'Domestic abuse screening.', 'crime_and_disorder_act_s115', \
           ARRAY['crime_asb'], '2013-01-25', 'lw-ir', '2013-01-11')",
        &[&fid, &kieran],
    )
    .await
    .unwrap();
    let (s, other) = send(app.post(
        &at(&fid, "information-requests"),
        &coordinator(),
        &request(&kieran, "south-yorkshire-police", &days_ahead(7)),
    ))
    .await;
    assert_eq!(s, 201, "{other}");

    let (_, list) = send(app.get("/api/v1/information-requests", &worker)).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 2, "{list}");
    let (_, late) = send(app.get("/api/v1/information-requests?overdue=true", &worker)).await;
    let late = late["items"].as_array().unwrap();
    assert_eq!(late.len(), 1);
    assert_eq!(late[0]["due_on"], "2013-01-25");
    assert_eq!(late[0]["overdue"], true);
    // The coordinator's request is about a family the worker works with: they may open it.
    let (s, _) = send(app.get(
        &format!(
            "/api/v1/information-requests/{}",
            other["id"].as_str().unwrap()
        ),
        &worker,
    ))
    .await;
    assert_eq!(s, 200);
    let (_, all) = send(app.get(&at(&fid, "information-requests"), &worker)).await;
    assert_eq!(all["items"].as_array().unwrap().len(), 3);
    let (s, p) = send(app.get("/api/v1/information-requests?overdue=soon", &worker)).await;
    assert_eq!(s, 400, "{p}");
}
