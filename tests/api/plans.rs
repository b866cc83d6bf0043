//! Team Around the Family meetings and overdue reviews; the action plan and overdue actions.

use ffc::auth::Role;
use serde_json::{json, Value};

use crate::casework::{at, family_with_fcaf, staff};
use crate::common::*;

fn london_today() -> chrono::NaiveDate {
    ffc::domain::people::london_date(chrono::Utc::now())
}

async fn agreed(app: &TestApp, lead: &str) -> (Value, String) {
    let (f, a) = family_with_fcaf(app, lead).await;
    let fid = f["id"].as_str().unwrap().to_string();
    let (s, a) = send(
        app.post(
            &at(
                &fid,
                &format!("assessments/{}/activate", a["id"].as_str().unwrap()),
            ),
            &coordinator(),
            &json!({"activated_on": "2013-02-25", "agreed_by": "The family and the lead worker"}),
        )
        .header("If-Match", "\"2\""),
    )
    .await;
    assert_eq!(s, 200, "{a}");
    (f, a["id"].as_str().unwrap().to_string())
}

#[tokio::test]
async fn meetings_set_the_next_review_and_overdue_reviews_are_listed() {
    let app = spawn_app().await;
    let lead = staff(&app, "lw-1", "lead_worker", None).await;
    staff(&app, "lw-2", "lead_worker", None).await;
    let (f, draft) = family_with_fcaf(&app, &lead).await;
    let fid = f["id"].as_str().unwrap().to_string();
    let meetings = at(&fid, "taf-meetings");
    let held = json!({"meeting_on": "2013-03-04", "status": "held", "family_attended": true,
        "attendee_staff_ids": [lead], "attendee_agencies": ["Connexions"],
        "decisions": "Refer Adult H to Wiseability.", "next_review_on": "2013-04-15"});
    let (s, _) = send(app.post(&meetings, &coordinator(), &held)).await;
    assert_eq!(s, 409, "the FCAF must be agreed first");
    let (s, _) = send(
        app.post(
            &at(
                &fid,
                &format!("assessments/{}/activate", draft["id"].as_str().unwrap()),
            ),
            &coordinator(),
            &json!({"activated_on": "2013-02-25", "agreed_by": "The family"}),
        )
        .header("If-Match", "\"2\""),
    )
    .await;
    assert_eq!(s, 200);

    // Overdue: due 12 weeks after agreement, long past.
    let (s, list) = send(app.get("/api/v1/overdue-reviews", &coordinator())).await;
    assert_eq!(s, 200, "{list}");
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    assert_eq!(list["items"][0]["review_due_on"], "2013-05-20");
    assert_eq!(list["items"][0]["family_reference"], f["reference"]);
    assert!(list["items"][0]["days_overdue"].as_i64().unwrap() > 4000);
    let (_, mine) = send(app.get(
        "/api/v1/overdue-reviews",
        &token_for("lw-1", &[Role::LeadWorker]),
    ))
    .await;
    assert_eq!(mine["items"].as_array().unwrap().len(), 1);
    let (_, theirs) = send(app.get(
        "/api/v1/overdue-reviews",
        &token_for("lw-2", &[Role::LeadWorker]),
    ))
    .await;
    assert_eq!(
        theirs["items"].as_array().unwrap().len(),
        0,
        "another lead worker's families are not listed"
    );
    let (s, _) = send(app.get("/api/v1/overdue-reviews", &token(&[Role::KeyWorker]))).await;
    assert_eq!(s, 403);

    // Bad meetings name the field and write nothing.
    let future = (london_today() + chrono::Days::new(7)).to_string();
    for (patch, field) in [
        (json!({"meeting_on": future}), "meeting_on"),
        (json!({"family_attended": null}), "family_attended"),
        (json!({"next_review_on": "2013-03-11"}), "next_review_on"),
        (json!({"next_review_on": "2013-06-03"}), "next_review_on"),
        (
            json!({"meeting_on": "2013-01-07", "next_review_on": null}),
            "meeting_on",
        ),
        (
            json!({"attendee_staff_ids": [uuid::Uuid::now_v7()]}),
            "attendee_staff_ids[0]",
        ),
        (json!({"status": "planned"}), "family_attended"),
    ] {
        let mut body = held.clone();
        for (k, v) in patch.as_object().unwrap() {
            body[k] = v.clone();
        }
        let (s, p) = send(app.post(&meetings, &coordinator(), &body)).await;
        assert_eq!(s, 422, "{patch}: {p}");
        assert_eq!(fields(&p)[0], field, "{patch}: {p}");
    }
    assert_eq!(app.count("taf_meetings").await, 0);

    // Planned, then held: the review moves to the date the meeting set.
    let (s, m) = send(app.post(
        &meetings,
        &coordinator(),
        &json!({"meeting_on": "2013-03-04", "status": "planned"}),
    ))
    .await;
    assert_eq!(s, 201, "{m}");
    let one = format!("{meetings}/{}", m["id"].as_str().unwrap());
    let (s, m) = send(
        app.put(&one, &coordinator(), &held)
            .header("If-Match", "\"1\""),
    )
    .await;
    assert_eq!(s, 200, "{m}");
    assert_eq!(m["status"], "held");
    let (_, list) = send(app.get("/api/v1/overdue-reviews", &coordinator())).await;
    assert_eq!(list["items"][0]["review_due_on"], "2013-04-15");
    let mut back = held.clone();
    back["status"] = json!("planned");
    back["family_attended"] = Value::Null;
    back["next_review_on"] = Value::Null;
    let (s, p) = send(
        app.put(&one, &coordinator(), &back)
            .header("If-Match", "\"2\""),
    )
    .await;
    assert_eq!(
        (s, fields(&p)),
        (422, vec!["status".to_string()]),
        "a held meeting stays held"
    );

    // A meeting held today sets a review in the future: no longer overdue.
    let today = json!({"meeting_on": london_today().to_string(), "status": "held", "family_attended": false});
    let (s, m) = send(app.post(&meetings, &token_for("lw-1", &[Role::LeadWorker]), &today)).await;
    assert_eq!(s, 201, "{m}");
    let (_, list) = send(app.get("/api/v1/overdue-reviews", &coordinator())).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 0, "{list}");
    let (_, all) = send(app.get(&meetings, &token(&[Role::Auditor]))).await;
    assert_eq!(all["items"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn the_action_plan_is_worked_closed_and_overdue_actions_are_listed_per_owner() {
    let app = spawn_app().await;
    let lead = staff(&app, "lw-1", "lead_worker", None).await;
    staff(&app, "kw-1", "key_worker", Some("family-recovery")).await;
    let plain = app.create_family(&coordinator(), &family_body()).await;
    let (s, _) = send(app.post(
        &at(plain["id"].as_str().unwrap(), "actions"),
        &coordinator(),
        &json!({
        "description": "x", "owner_staff_id": lead, "need": "housing", "due_on": "2013-04-01"}),
    ))
    .await;
    assert_eq!(s, 409, "an action belongs to an FCAF's plan");

    let (f, aid) = agreed(&app, &lead).await;
    let fid = f["id"].as_str().unwrap().to_string();
    let child = f["members"][1]["id"].as_str().unwrap();
    let adult = f["members"][0]["id"].as_str().unwrap();
    let actions = at(&fid, "actions");
    let housing = json!({"description": "YOS housing worker to advise on the under-occupancy charge.",
        "owner_organisation": "rotherham-yos", "need": "housing", "due_on": "2013-04-30"});
    for (patch, field) in [
        (json!({"due_on": "2013-02-10"}), "due_on"),
        (json!({"owner_staff_id": lead}), "owner_staff_id"),
        (
            json!({"owner_organisation": "no-such-org"}),
            "owner_organisation",
        ),
        (json!({"member_id": uuid::Uuid::now_v7()}), "member_id"),
        (json!({"need": "weather"}), "need"),
    ] {
        let mut body = housing.clone();
        for (k, v) in patch.as_object().unwrap() {
            body[k] = v.clone();
        }
        let (s, p) = send(app.post(&actions, &coordinator(), &body)).await;
        assert_eq!(
            (s, fields(&p)),
            (422, vec![field.to_string()]),
            "{patch}: {p}"
        );
    }
    assert_eq!(app.count("plan_actions").await, 0, "nothing half-written");

    let (s, house) = send(
        app.post(&actions, &coordinator(), &housing)
            .header("Idempotency-Key", "a-1"),
    )
    .await;
    assert_eq!(s, 201, "{house}");
    let (s, again) = send(
        app.post(&actions, &coordinator(), &housing)
            .header("Idempotency-Key", "a-1"),
    )
    .await;
    assert_eq!((s, &again["id"]), (201, &house["id"]));
    let (s, college) = send(app.post(
        &actions,
        &coordinator(),
        &json!({
        "description": "Child completes his order and moves to college.", "owner_staff_id": lead,
        "member_id": child, "need": "education", "due_on": "2013-09-02"}),
    ))
    .await;
    assert_eq!(s, 201, "{college}");
    let (s, work) = send(app.post(
        &actions,
        &coordinator(),
        &json!({
        "description": "Employment support with Wiseability.", "owner_organisation": "wiseability",
        "member_id": adult, "need": "employment", "due_on": "2013-06-28"}),
    ))
    .await;
    assert_eq!(s, 201, "{work}");

    // Progress from the lead worker; a key worker off the team cannot see the family.
    let progress = at(
        &fid,
        &format!("actions/{}/progress", work["id"].as_str().unwrap()),
    );
    let (s, _) = send(app.post(
        &progress,
        &token_for("kw-1", &[Role::KeyWorker]),
        &json!({"note": "x"}),
    ))
    .await;
    assert_eq!(s, 404);
    let (s, w) = send(app.post(
        &progress,
        &token_for("lw-1", &[Role::LeadWorker]),
        &json!({"note": "Missed two appointments."}),
    ))
    .await;
    assert_eq!(s, 201, "{w}");
    assert_eq!(w["progress"][0]["note"], "Missed two appointments.");
    assert_eq!(w["progress"][0]["author"], "lw-1");

    // The housing action closes as "decided to stay".
    let house_path = at(&fid, &format!("actions/{}", house["id"].as_str().unwrap()));
    let stay =
        json!({"closed_on": "2013-05-20", "outcome": "Decided to stay in their current property."});
    let (s, done) = send(
        app.post(&format!("{house_path}/complete"), &coordinator(), &stay)
            .header("If-Match", "\"1\""),
    )
    .await;
    assert_eq!(s, 200, "{done}");
    assert_eq!(done["status"], "done");
    let (s, _) = send(
        app.post(&format!("{house_path}/complete"), &coordinator(), &stay)
            .header("If-Match", "\"2\""),
    )
    .await;
    assert_eq!(s, 409);
    let (s, _) = send(
        app.put(&house_path, &coordinator(), &housing)
            .header("If-Match", "\"2\""),
    )
    .await;
    assert_eq!(s, 409, "a done action no longer changes");
    let err = app
        .superuser_db()
        .await
        .execute(
            "UPDATE plan_actions SET description = 'x' WHERE status = 'done'",
            &[],
        )
        .await
        .unwrap_err();
    assert!(
        format!("{err:?}").contains("action does not change"),
        "{err:?}"
    );

    // Overdue: the two open actions, most overdue first; per owner; paged.
    let (s, list) = send(app.get("/api/v1/overdue-actions", &coordinator())).await;
    assert_eq!(s, 200, "{list}");
    let due: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["action"]["due_on"].as_str().unwrap())
        .collect();
    assert_eq!(due, vec!["2013-06-28", "2013-09-02"]);
    assert_eq!(list["items"][0]["family_reference"], f["reference"]);
    let (_, by_org) = send(app.get(
        "/api/v1/overdue-actions?owner_organisation=wiseability",
        &coordinator(),
    ))
    .await;
    assert_eq!(by_org["items"].as_array().unwrap().len(), 1);
    let (_, own) = send(app.get(
        "/api/v1/overdue-actions?owner_organisation=wiseability",
        &token_for("lw-1", &[Role::LeadWorker]),
    ))
    .await;
    let own: Vec<&str> = own["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["action"]["description"].as_str().unwrap())
        .collect();
    assert_eq!(
        own,
        vec!["Child completes his order and moves to college."],
        "a worker sees their own"
    );
    // An owner who does not work with the family does not see its actions, even their own.
    let kw = {
        let (_, list) = send(app.get("/api/v1/staff?team=family-recovery", &coordinator())).await;
        list["items"][0]["id"].as_str().unwrap().to_string()
    };
    let (s, _) = send(
        app.put(
            &at(&fid, &format!("actions/{}", work["id"].as_str().unwrap())),
            &coordinator(),
            &json!({
        "description": "Employment support with Wiseability.", "owner_staff_id": kw,
        "member_id": adult, "need": "employment", "due_on": "2013-06-28"}),
        )
        .header("If-Match", "*"),
    )
    .await;
    assert_eq!(s, 200);
    let key_worker = token_for("kw-1", &[Role::KeyWorker]);
    let (_, theirs) = send(app.get("/api/v1/overdue-actions", &key_worker)).await;
    assert_eq!(theirs["items"].as_array().unwrap().len(), 0, "{theirs}");
    let (s, _) = send(app.post(&at(&fid, "team"), &coordinator(), &json!({"staff_id": kw}))).await;
    assert_eq!(s, 201);
    let (_, theirs) = send(app.get("/api/v1/overdue-actions", &key_worker)).await;
    assert_eq!(theirs["items"].as_array().unwrap().len(), 1);
    let (_, page1) = send(app.get("/api/v1/overdue-actions?limit=1", &coordinator())).await;
    let cursor = page1["next_cursor"].as_str().unwrap();
    let (_, page2) = send(app.get(
        &format!("/api/v1/overdue-actions?limit=1&cursor={cursor}"),
        &coordinator(),
    ))
    .await;
    assert_eq!(page2["items"][0]["action"]["due_on"], "2013-09-02");
    assert_eq!(page2["next_cursor"], Value::Null);
    let (_, open) = send(app.get(&format!("{actions}?status=open"), &coordinator())).await;
    assert_eq!(open["items"].as_array().unwrap().len(), 2);

    // The FCAF closes only once every action is done or dropped.
    let close = at(&fid, &format!("assessments/{aid}/close"));
    let (s, p) = send(
        app.post(
            &close,
            &coordinator(),
            &json!({"closed_on": "2013-10-14", "reason": "needs_met"}),
        )
        .header("If-Match", "*"),
    )
    .await;
    assert_eq!(s, 409, "{p}");
    for a in [&college, &work] {
        let (s, _) = send(
            app.post(
                &at(&fid, &format!("actions/{}/drop", a["id"].as_str().unwrap())),
                &coordinator(),
                &json!({"outcome": "Carried into the next plan."}),
            )
            .header("If-Match", "*"),
        )
        .await;
        assert_eq!(s, 200);
    }
    let (s, _) = send(
        app.post(
            &close,
            &coordinator(),
            &json!({"closed_on": "2013-10-14", "reason": "needs_met"}),
        )
        .header("If-Match", "*"),
    )
    .await;
    assert_eq!(s, 200);
    let (_, list) = send(app.get("/api/v1/overdue-actions", &coordinator())).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn a_leavers_whole_caseload_moves_in_one_call_and_the_audit_names_each_record() {
    let app = spawn_app().await;
    let leaver = staff(&app, "lw-leaving", "lead_worker", None).await;
    let receiver = staff(&app, "lw-staying", "lead_worker", None).await;
    let (f, aid) = agreed(&app, &leaver).await;
    let fid = f["id"].as_str().unwrap().to_string();
    let actions = at(&fid, "actions");
    let (s, open) = send(app.post(
        &actions,
        &coordinator(),
        &json!({"description": "Child completes his order and moves to college.",
        "owner_staff_id": leaver, "need": "education", "due_on": "2013-09-02"}),
    ))
    .await;
    assert_eq!(s, 201, "{open}");
    let oid = open["id"].as_str().unwrap().to_string();
    let (s, other) = send(app.post(
        &actions,
        &coordinator(),
        &json!({"description": "Employment support with Wiseability.",
        "owner_organisation": "wiseability", "need": "employment", "due_on": "2013-06-28"}),
    ))
    .await;
    assert_eq!(s, 201, "{other}");

    // Leading an open FCAF and owning an open action, the leaver cannot be deactivated yet.
    let deactivate = format!("/api/v1/staff/{leaver}/deactivate");
    let (s, p) = send(app.post(&deactivate, &token(&[Role::Admin]), &json!({}))).await;
    assert_eq!(s, 409, "{p}");
    assert!(p["detail"].as_str().unwrap().contains("reallocate"), "{p}");

    // One call moves all of it: the FCAF's lead and the open action's owner, not the action
    // owned by an organisation.
    let (s, moved) = send(app.post(
        &format!("/api/v1/staff/{leaver}/reallocate"),
        &token(&[Role::Manager]),
        &json!({"to_staff_id": receiver}),
    ))
    .await;
    assert_eq!(s, 200, "{moved}");
    assert_eq!(moved["assessment_ids"], json!([aid]));
    assert_eq!(moved["action_ids"], json!([oid]));
    let (_, fcaf) = send(app.get(&at(&fid, &format!("assessments/{aid}")), &coordinator())).await;
    assert_eq!(fcaf["lead_worker_id"], json!(receiver), "{fcaf}");
    let (_, list) = send(app.get(&actions, &coordinator())).await;
    let owner = |id: &str| {
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["id"] == id)
            .unwrap()["owner_staff_id"]
            .clone()
    };
    assert_eq!(owner(&oid), json!(receiver));
    assert_eq!(owner(other["id"].as_str().unwrap()), Value::Null);
    // The receiver joined the family's team, as a new lead would.
    let (_, team) = send(app.get(&at(&fid, "team"), &coordinator())).await;
    assert!(
        team["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["staff_id"] == json!(receiver)),
        "{team}"
    );

    // The audit names each record moved.
    for (id, action) in [
        (&aid, "assessment.lead_handed_over"),
        (&oid, "plan_action.owner_handed_over"),
    ] {
        let (_, events) = send(app.get(
            &format!("/api/v1/audit-events?resource_id={id}"),
            &token(&[Role::Auditor]),
        ))
        .await;
        assert!(
            events["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["action"] == action),
            "{action}: {events}"
        );
    }

    // Nothing open is left with the leaver, so they can go.
    let (s, p) = send(app.post(&deactivate, &token(&[Role::Admin]), &json!({}))).await;
    assert_eq!(s, 200, "{p}");
}

fn ids(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn an_employment_adviser_on_the_team_reads_their_part_and_nothing_of_other_families() {
    let app = spawn_app().await;
    let lead = staff(&app, "lw-ea", "lead_worker", None).await;
    let (s, ea) = send(app.post(
        "/api/v1/staff",
        &token(&[Role::Admin]),
        &json!({"subject": "ea-1", "name": "Employment Adviser", "staff_role": "employment_adviser",
            "organisation": "dwp"}),
    ))
    .await;
    assert_eq!(s, 201, "{ea}");
    let ea = ea["id"].as_str().unwrap().to_string();
    let adviser = token_for("ea-1", &[Role::EmploymentAdviser]);
    let (f, _) = agreed(&app, &lead).await;
    let fid = f["id"].as_str().unwrap().to_string();
    let other = app.create_family(&coordinator(), &family_body()).await;
    let other_id = other["id"].as_str().unwrap().to_string();

    // Not yet on the team: the family does not exist for the adviser.
    let (s, _) = send(app.get(&format!("/api/v1/families/{fid}"), &adviser)).await;
    assert_eq!(s, 404);
    let (s, v) = send(app.post(&at(&fid, "team"), &coordinator(), &json!({"staff_id": ea}))).await;
    assert_eq!(s, 201, "{v}");

    let actions = at(&fid, "actions");
    let mut made = Vec::new();
    for owner in [
        json!({"owner_staff_id": ea}),
        json!({"owner_organisation": "dwp"}),
        json!({"owner_staff_id": lead}),
    ] {
        let mut body = json!({"description": "Adult H attends the Work Programme.",
            "need": "employment", "due_on": "2013-06-28"});
        body.as_object_mut()
            .unwrap()
            .extend(owner.as_object().unwrap().clone());
        let (s, a) = send(app.post(&actions, &coordinator(), &body)).await;
        assert_eq!(s, 201, "{a}");
        made.push(a["id"].as_str().unwrap().to_string());
    }
    let alice = crate::outcomes::member(&f, "Alice");
    let kieran = crate::outcomes::member(&f, "Kieran");
    let mut evidence = Vec::new();
    for body in [
        json!({"member_id": alice, "kind": "out_of_work_benefit", "source": "dwp",
            "occurred_on": "2012-01-01", "benefit_type": "jobseekers_allowance"}),
        json!({"member_id": kieran, "kind": "proven_offence", "source": "police",
            "occurred_on": "2012-09-03"}),
    ] {
        let (s, e) = send(app.post(&at(&fid, "evidence"), &coordinator(), &body)).await;
        assert_eq!(s, 201, "{e}");
        evidence.push(e["id"].as_str().unwrap().to_string());
    }
    let lead_token = token_for("lw-ea", &[Role::LeadWorker]);
    let (s, _) = send(app.post(
        &at(&fid, "notes"),
        &lead_token,
        &json!({"text": "Home visit: Kieran back at school."}),
    ))
    .await;
    assert_eq!(s, 201);

    // On the team: the household, its members, the team, meetings.
    for path in [
        format!("members/{alice}"),
        "team".into(),
        "taf-meetings".into(),
    ] {
        let (s, v) = send(app.get(&at(&fid, &path), &adviser)).await;
        assert_eq!(s, 200, "{path}: {v}");
    }
    let (s, v) = send(app.get(&format!("/api/v1/families/{fid}"), &adviser)).await;
    assert_eq!(s, 200, "{v}");
    // Of the plan, the actions they own or their organisation owns.
    let (s, list) = send(app.get(&actions, &adviser)).await;
    assert_eq!(s, 200, "{list}");
    let mut seen = ids(&list);
    seen.sort();
    let mut theirs = made[..2].to_vec();
    theirs.sort();
    assert_eq!(seen, theirs);
    // Of the evidence, the work and benefit records.
    let (_, list) = send(app.get(&at(&fid, "evidence"), &adviser)).await;
    assert_eq!(ids(&list), vec![evidence[0].clone()], "{list}");
    let (s, _) = send(app.get(&at(&fid, &format!("evidence/{}", evidence[1])), &adviser)).await;
    assert_eq!(s, 404);
    let (s, _) = send(app.get(&at(&fid, &format!("evidence/{}", evidence[0])), &adviser)).await;
    assert_eq!(s, 200);

    // Progress on their own action and their organisation's; not on the lead worker's.
    for (id, want) in [(&made[0], 201), (&made[1], 201), (&made[2], 404)] {
        let (s, v) = send(app.post(
            &at(&fid, &format!("actions/{id}/progress")),
            &adviser,
            &json!({"note": "Attended the Work Programme induction."}),
        ))
        .await;
        assert_eq!(s, want, "{v}");
    }
    // Their own case notes, not the lead worker's.
    let (s, mine) = send(app.post(
        &at(&fid, "notes"),
        &adviser,
        &json!({"text": "Adult H referred to Wiseability ESF provision."}),
    ))
    .await;
    assert_eq!(s, 201, "{mine}");
    let (_, notes) = send(app.get(&at(&fid, "notes"), &adviser)).await;
    assert_eq!(ids(&notes), vec![mine["id"].as_str().unwrap().to_string()]);
    let (_, notes) = send(app.get(&at(&fid, "notes"), &lead_token)).await;
    assert_eq!(ids(&notes).len(), 2);

    // The rest of the case record stays with its readers.
    for path in ["consents", "eligibility", "assessments", "allocations"] {
        let (s, _) = send(app.get(&at(&fid, path), &adviser)).await;
        assert_eq!(s, 403, "{path}");
    }
    // A family whose team they are not on does not exist for them.
    let (s, _) = send(app.get(&format!("/api/v1/families/{other_id}"), &adviser)).await;
    assert_eq!(s, 404);
    for path in [
        format!("members/{}", crate::outcomes::member(&other, "Alice")),
        "actions".into(),
        "evidence".into(),
        "notes".into(),
        "team".into(),
        "taf-meetings".into(),
    ] {
        let (s, _) = send(app.get(&at(&other_id, &path), &adviser)).await;
        assert_eq!(s, 404, "{path}");
    }
    let (_, list) = send(app.get("/api/v1/families", &adviser)).await;
    assert_eq!(ids(&list), vec![fid.clone()]);

    // Their own small caseload: a family allocated to them is listed as a lead worker's is.
    let (s, v) = send(app.post(
        &at(&other_id, "allocations"),
        &coordinator(),
        &json!({"staff_id": ea}),
    ))
    .await;
    assert_eq!(s, 201, "{v}");
    let (_, list) = send(app.get("/api/v1/families", &adviser)).await;
    let mut seen = ids(&list);
    seen.sort();
    let mut both = vec![fid.clone(), other_id.clone()];
    both.sort();
    assert_eq!(seen, both);

    // A social worker on the team reads the household but no evidence.
    let sw = staff(&app, "sw-1", "social_worker", None).await;
    let (s, _) = send(app.post(&at(&fid, "team"), &coordinator(), &json!({"staff_id": sw}))).await;
    assert_eq!(s, 201);
    let social = token_for("sw-1", &[Role::SocialWorker]);
    let (s, _) = send(app.get(&format!("/api/v1/families/{fid}"), &social)).await;
    assert_eq!(s, 200);
    let (s, _) = send(app.get(&at(&fid, "evidence"), &social)).await;
    assert_eq!(s, 403);
    let (_, list) = send(app.get(&actions, &social)).await;
    assert_eq!(ids(&list), Vec::<String>::new());
}
