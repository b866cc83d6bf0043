//! FCAF assessments, the Team Around the Family and the step up / step down timeline.

use ffc::auth::Role;
use serde_json::{json, Value};

use crate::common::*;

pub async fn staff(app: &TestApp, subject: &str, role: &str, team: Option<&str>) -> String {
    let (s, v) = send(app.post(
        "/api/v1/staff",
        &token(&[Role::Admin]),
        &json!({
        "subject": subject, "name": subject, "staff_role": role, "team": team,
        "organisation": "Rotherham MBC"}),
    ))
    .await;
    assert_eq!(s, 201, "{v}");
    v["id"].as_str().unwrap().to_string()
}

pub async fn assessment_consent(app: &TestApp, fid: &str) -> Value {
    let (s, v) = send(app.post(
        &format!("/api/v1/families/{fid}/consents"),
        &coordinator(),
        &json!({
        "decision": "given", "organisations": ["rmbc", "rotherham-yos"],
        "purposes": ["assessment", "team_around_family"], "valid_from": "2013-02-01"}),
    ))
    .await;
    assert_eq!(s, 201, "{v}");
    v
}

/// A family with consent and an FCAF started, its content recorded (version 2), not yet agreed.
pub async fn family_with_fcaf(app: &TestApp, lead: &str) -> (Value, Value) {
    let f = app.create_family(&coordinator(), &family_body()).await;
    let fid = f["id"].as_str().unwrap();
    assessment_consent(app, fid).await;
    let (s, a) = send(app.post(
        &format!("/api/v1/families/{fid}/assessments"),
        &coordinator(),
        &json!({
        "started_on": "2013-02-11", "lead_worker_id": lead}),
    ))
    .await;
    assert_eq!(s, 201, "{a}");
    let (s, a) = send(
        app.put(
            &format!(
                "/api/v1/families/{fid}/assessments/{}",
                a["id"].as_str().unwrap()
            ),
            &coordinator(),
            &content(&f, lead),
        )
        .header("If-Match", "\"1\""),
    )
    .await;
    assert_eq!(s, 200, "{a}");
    (f, a)
}

pub fn content(family: &Value, lead: &str) -> Value {
    json!({"lead_worker_id": lead, "completed_with": ["Youth Offending Team case manager"],
    "family_priorities": "Child completes his order; help into work; the housing question.",
    "practitioner_priorities": "Reduce anti-social behaviour; improve attendance.",
    "findings": [
        {"domain": "housing", "needs": "May be liable for the under-occupancy charge."},
        {"member_id": family["members"][1]["id"], "domain": "education",
         "strengths": "Good relationship with his Connexions worker.", "needs": "Poor attendance."},
        {"member_id": family["members"][0]["id"], "domain": "employment", "needs": "Out of work."}
    ]})
}

pub fn at(fid: &str, rest: &str) -> String {
    format!("/api/v1/families/{fid}/{rest}")
}

#[tokio::test]
async fn an_fcaf_starts_with_consent_one_at_a_time_and_is_agreed_and_closed_by_explicit_actions() {
    let app = spawn_app().await;
    let lead = staff(&app, "lw-1", "lead_worker", Some("lead-workers")).await;
    let lw = token_for("lw-1", &[Role::LeadWorker]);
    let f = app.create_family(&coordinator(), &family_body()).await;
    let fid = f["id"].as_str().unwrap();
    let start = json!({"started_on": "2013-02-11", "lead_worker_id": lead});

    let (s, _) = send(app.get(&format!("/api/v1/families/{fid}"), &lw)).await;
    assert_eq!(s, 404, "not yet the lead worker's family");
    let (s, p) = send(app.post(&at(fid, "assessments"), &coordinator(), &start)).await;
    assert_eq!(s, 409, "{p}");
    assert!(p["detail"].as_str().unwrap().contains("consent"), "{p}");
    assert_eq!(app.count("assessments").await, 0);

    let consent = assessment_consent(&app, fid).await;
    let (s, a) = send(app.post(&at(fid, "assessments"), &coordinator(), &start)).await;
    assert_eq!(s, 201, "{a}");
    assert_eq!(a["status"], "draft");
    assert_eq!(a["consent_id"], consent["id"]);
    let aid = a["id"].as_str().unwrap();
    let one = at(fid, &format!("assessments/{aid}"));
    // Naming the lead worker seats them on the team, so they now see the family.
    let (s, _) = send(app.get(&format!("/api/v1/families/{fid}"), &lw)).await;
    assert_eq!(s, 200);
    let (_, mine) = send(app.get("/api/v1/families", &lw)).await;
    assert_eq!(mine["items"].as_array().unwrap().len(), 1);
    let (s, _) = send(app.post(&at(fid, "assessments"), &coordinator(), &start)).await;
    assert_eq!(s, 409, "one open FCAF per family");

    // Agreeing needs priorities and findings: all the missing ones are named at once.
    let agree =
        json!({"activated_on": "2013-02-25", "agreed_by": "The family and the lead worker"});
    let (s, p) = send(
        app.post(&format!("{one}/activate"), &lw, &agree)
            .header("If-Match", "\"1\""),
    )
    .await;
    assert_eq!(s, 422, "{p}");
    assert_eq!(
        fields(&p),
        vec!["family_priorities", "practitioner_priorities", "findings"]
    );

    let mut dup = content(&f, &lead);
    dup["findings"][1]["domain"] = json!("housing");
    dup["findings"][1]["member_id"] = Value::Null;
    let (s, p) = send(app.put(&one, &lw, &dup).header("If-Match", "\"1\"")).await;
    assert_eq!(
        (s, fields(&p)),
        (422, vec!["findings[1].domain".to_string()])
    );
    let mut stranger = content(&f, &lead);
    stranger["findings"][1]["member_id"] = json!(uuid::Uuid::now_v7());
    let (s, p) = send(app.put(&one, &lw, &stranger).header("If-Match", "\"1\"")).await;
    assert_eq!(
        (s, fields(&p)),
        (422, vec!["findings[1].member_id".to_string()])
    );
    let (s, a) = send(
        app.put(&one, &lw, &content(&f, &lead))
            .header("If-Match", "\"1\""),
    )
    .await;
    assert_eq!(s, 200, "{a}");
    assert_eq!(a["version"], 2);
    assert_eq!(a["findings"].as_array().unwrap().len(), 3);
    let (s, _) = send(
        app.put(&one, &lw, &content(&f, &lead))
            .header("If-Match", "\"1\""),
    )
    .await;
    assert_eq!(s, 412, "a stale edit is refused");

    // Archiving the family would strand its FCAF.
    let (_, fam) = send(app.get(&format!("/api/v1/families/{fid}"), &coordinator())).await;
    let (s, _) = send(
        app.delete(&format!("/api/v1/families/{fid}"), &coordinator())
            .header("If-Match", format!("\"{}\"", fam["version"])),
    )
    .await;
    assert_eq!(s, 409, "a family with an open FCAF is not archived");
    let (s, a) = send(
        app.post(&format!("{one}/activate"), &lw, &agree)
            .header("If-Match", "\"2\""),
    )
    .await;
    assert_eq!(s, 200, "{a}");
    assert_eq!(a["status"], "active");
    // Once agreed, its priorities and findings cannot be emptied.
    let mut emptied = content(&f, &lead);
    emptied["findings"] = json!([]);
    emptied["family_priorities"] = Value::Null;
    let (s, p) = send(app.put(&one, &lw, &emptied).header("If-Match", "\"3\"")).await;
    assert_eq!(
        (s, fields(&p)),
        (
            422,
            vec!["family_priorities".to_string(), "findings".to_string()]
        )
    );
    assert_eq!(
        a["review_due_on"], "2013-05-20",
        "12 weeks after it was agreed"
    );
    let (_, timeline) = send(app.get(&at(fid, "care-episodes"), &lw)).await;
    assert_eq!(timeline["items"][0]["kind"], "fcaf");
    assert_eq!(timeline["items"][0]["started_on"], "2013-02-11");
    assert_eq!(timeline["items"][0]["direction"], "start");

    // Closing needs a reason, named when missing; nothing changes until it is given.
    let (s, p) = send(
        app.post(
            &format!("{one}/close"),
            &lw,
            &json!({"closed_on": "2013-10-14"}),
        )
        .header("If-Match", "\"3\""),
    )
    .await;
    assert_eq!((s, fields(&p)), (422, vec!["reason".to_string()]));
    let (s, p) = send(
        app.post(
            &format!("{one}/close"),
            &lw,
            &json!({"closed_on": "2013-10-14", "reason": "other"}),
        )
        .header("If-Match", "\"3\""),
    )
    .await;
    assert_eq!((s, fields(&p)), (422, vec!["note".to_string()]));
    let (_, still) = send(app.get(&one, &lw)).await;
    assert_eq!(still["status"], "active");
    let (s, a) = send(
        app.post(
            &format!("{one}/close"),
            &lw,
            &json!({"closed_on": "2013-10-14", "reason": "needs_met"}),
        )
        .header("If-Match", "\"3\""),
    )
    .await;
    assert_eq!(s, 200, "{a}");
    assert_eq!(a["closure_reason"], "needs_met");
    let (_, timeline) = send(app.get(&at(fid, "care-episodes"), &lw)).await;
    assert_eq!(timeline["items"][0]["ended_on"], "2013-10-14");
    let (s, _) = send(
        app.put(&one, &lw, &content(&f, &lead))
            .header("If-Match", "*"),
    )
    .await;
    assert_eq!(s, 409, "a closed FCAF no longer changes");
    // Not even the owner can rewrite a closed one.
    let err = app
        .superuser_db()
        .await
        .execute("UPDATE assessments SET family_priorities = 'x'", &[])
        .await
        .unwrap_err();
    assert!(format!("{err:?}").contains("closed assessment"), "{err:?}");
    let (s, p) = send(app.post(&at(fid, "assessments"), &coordinator(), &start)).await;
    assert_eq!(
        (s, fields(&p)),
        (422, vec!["started_on".to_string()]),
        "not inside the last one's period"
    );
    let mut next = start.clone();
    next["started_on"] = json!("2013-10-15");
    let (s, _) = send(app.post(&at(fid, "assessments"), &coordinator(), &next)).await;
    assert_eq!(s, 201, "after closing, a new FCAF may start");
    let (_, all) = send(app.get(&at(fid, "assessments"), &token(&[Role::Auditor]))).await;
    assert_eq!(all["items"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn parallel_starts_leave_exactly_one_open_fcaf() {
    let app = spawn_app().await;
    let lead = staff(&app, "lw-1", "lead_worker", None).await;
    let f = app.create_family(&coordinator(), &family_body()).await;
    let fid = f["id"].as_str().unwrap();
    assessment_consent(&app, fid).await;
    let body = json!({"started_on": "2013-02-11", "lead_worker_id": lead});
    let path = at(fid, "assessments");
    let results = futures_util::future::join_all(
        (0..6).map(|_| send(app.post(&path, &coordinator(), &body))),
    )
    .await;
    let mut codes: Vec<u16> = results.iter().map(|r| r.0).collect();
    codes.sort();
    assert_eq!(codes, vec![201, 409, 409, 409, 409, 409]);
    assert_eq!(app.count("assessments").await, 1);
    assert_eq!(app.count("taf_members").await, 1);
    // The seat the lead worker was given is audited like any other.
    let db = app.superuser_db().await;
    let seats: i64 = db
        .query_one(
            "SELECT count(*) FROM audit_events WHERE action = 'taf.member.add'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(seats, 1);
}

#[tokio::test]
async fn the_timeline_steps_down_from_child_protection_to_an_fcaf_and_back_up() {
    let app = spawn_app().await;
    let lead = staff(&app, "lw-1", "lead_worker", None).await;
    let (f, a) = family_with_fcaf(&app, &lead).await;
    let fid = f["id"].as_str().unwrap();
    let adult = f["members"][0]["id"].as_str().unwrap();
    let child = f["members"][1]["id"].as_str().unwrap();
    let path = at(fid, "care-episodes");
    let (s, cp) = send(app.post(&path, &coordinator(), &json!({"kind": "child_protection_plan",
        "member_id": child, "started_on": "2012-06-01", "agreed_by": "Initial child protection conference"}))).await;
    assert_eq!(s, 201, "{cp}");
    assert_eq!(cp["direction"], "start");
    let (s, cin) = send(app.post(
        &path,
        &coordinator(),
        &json!({"kind": "child_in_need_plan",
        "member_id": child, "started_on": "2012-11-05", "agreed_by": "Review conference",
        "follows_episode_id": cp["id"]}),
    ))
    .await;
    assert_eq!(s, 201, "{cin}");
    assert_eq!(cin["direction"], "step_down");
    let (s, p) = send(app.post(
        &path,
        &coordinator(),
        &json!({"kind": "child_in_need_plan",
        "member_id": child, "started_on": "2012-12-01", "agreed_by": "Someone"}),
    ))
    .await;
    assert_eq!(s, 409, "two child in need plans at once for one child: {p}");
    for (body, field) in [
        (
            json!({"kind": "fcaf", "started_on": "2012-12-01", "agreed_by": "x"}),
            "kind",
        ),
        (
            json!({"kind": "child_protection_plan", "started_on": "2012-12-01", "agreed_by": "x"}),
            "member_id",
        ),
        (
            json!({"kind": "child_protection_plan", "member_id": adult, "started_on": "2012-12-01", "agreed_by": "x"}),
            "member_id",
        ),
        (
            json!({"kind": "family_recovery_programme", "member_id": child, "started_on": "2012-12-01", "agreed_by": "x"}),
            "member_id",
        ),
        (
            json!({"kind": "family_recovery_programme", "started_on": "2999-12-01", "agreed_by": "x"}),
            "started_on",
        ),
        (
            json!({"kind": "family_recovery_programme", "started_on": "2012-06-01", "agreed_by": "x", "follows_episode_id": cin["id"]}),
            "started_on",
        ),
    ] {
        let (s, p) = send(app.post(&path, &coordinator(), &body)).await;
        assert_eq!((s, fields(&p)), (422, vec![field.to_string()]), "{body}");
    }

    // The FCAF steps down from the child in need plan, which ends the day before it started.
    let one = at(fid, &format!("assessments/{}", a["id"].as_str().unwrap()));
    let (s, a) = send(app.post(&format!("{one}/activate"), &coordinator(), &json!({
        "activated_on": "2013-02-25", "agreed_by": "Child in need review", "follows_episode_id": cin["id"]}))
        .header("If-Match", "\"2\"")).await;
    assert_eq!(s, 200, "{a}");
    let (_, t) = send(app.get(&path, &coordinator())).await;
    let items = t["items"].as_array().unwrap();
    let kinds: Vec<&str> = items.iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(
        kinds,
        vec!["child_protection_plan", "child_in_need_plan", "fcaf"]
    );
    assert_eq!(items[0]["ended_on"], "2012-11-04");
    assert_eq!(items[1]["ended_on"], "2013-02-10");
    assert_eq!(items[2]["direction"], "step_down");
    assert_eq!(items[2]["agreed_by"], "Child in need review");
    let fcaf_episode = items[2]["id"].as_str().unwrap();
    let (s, _) = send(
        app.post(
            &format!("{path}/{fcaf_episode}/end"),
            &coordinator(),
            &json!({
        "ended_on": "2013-03-01", "agreed_by": "x"}),
        )
        .header("If-Match", "*"),
    )
    .await;
    assert_eq!(s, 409, "an FCAF's episode ends with the FCAF");
    let (s, _) = send(app.post(
        &path,
        &coordinator(),
        &json!({"kind": "child_in_need_plan",
        "member_id": child, "started_on": "2013-06-03", "agreed_by": "Strategy meeting",
        "follows_episode_id": fcaf_episode}),
    ))
    .await;
    assert_eq!(s, 409, "step up only once the FCAF is closed");

    // Step up: the FCAF closes as stepped up, and the new plan follows it.
    let (s, _) = send(
        app.post(
            &format!("{one}/close"),
            &coordinator(),
            &json!({
        "closed_on": "2013-06-02", "reason": "stepped_up", "agreed_by": "Strategy meeting"}),
        )
        .header("If-Match", "\"3\""),
    )
    .await;
    assert_eq!(s, 200);
    let (s, up) = send(app.post(
        &path,
        &coordinator(),
        &json!({"kind": "child_in_need_plan",
        "member_id": child, "started_on": "2013-06-03", "agreed_by": "Strategy meeting",
        "follows_episode_id": fcaf_episode}),
    ))
    .await;
    assert_eq!(s, 201, "{up}");
    assert_eq!(up["direction"], "step_up");
    let (s, ended) = send(
        app.post(
            &format!("{path}/{}/end", up["id"].as_str().unwrap()),
            &coordinator(),
            &json!({
        "ended_on": "2013-06-01", "agreed_by": "x"}),
        )
        .header("If-Match", "\"1\""),
    )
    .await;
    assert_eq!((s, fields(&ended)), (422, vec!["ended_on".to_string()]));
    let (s, ended) = send(
        app.post(
            &format!("{path}/{}/end", up["id"].as_str().unwrap()),
            &coordinator(),
            &json!({
        "ended_on": "2013-09-30", "agreed_by": "Child in need review", "reason": "Needs met."}),
        )
        .header("If-Match", "\"1\""),
    )
    .await;
    assert_eq!(s, 200, "{ended}");
    assert_eq!(ended["end_agreed_by"], "Child in need review");
    let err = app.superuser_db().await.execute(
        "UPDATE care_episodes SET ended_on = DATE '2013-10-31' WHERE ended_on = DATE '2013-09-30'", &[]).await.unwrap_err();
    assert!(
        format!("{err:?}").contains("end once"),
        "an end is not rewritten: {err:?}"
    );
    // The database refuses an overlap even when the service is bypassed.
    let err = app.superuser_db().await.execute(
        "INSERT INTO care_episodes (id, family_id, kind, started_on, direction, agreed_by, recorded_by, assessment_id)
         SELECT gen_random_uuid(), family_id, 'fcaf', DATE '2013-03-01', 'start', 'x', 'x', id FROM assessments", &[]).await.unwrap_err();
    assert!(
        format!("{err:?}").contains("care_episodes_no_overlap"),
        "{err:?}"
    );
}

#[tokio::test]
async fn sitting_on_the_team_lets_a_worker_see_the_family_until_they_leave() {
    let app = spawn_app().await;
    let lead = staff(&app, "lw-1", "lead_worker", None).await;
    let kw = staff(&app, "kw-1", "key_worker", Some("family-recovery")).await;
    let (f, _) = family_with_fcaf(&app, &lead).await;
    let fid = f["id"].as_str().unwrap();
    let key_worker = token_for("kw-1", &[Role::KeyWorker]);
    let lw = token_for("lw-1", &[Role::LeadWorker]);
    let (s, _) = send(app.get(&format!("/api/v1/families/{fid}"), &key_worker)).await;
    assert_eq!(s, 404);
    let (s, p) = send(app.post(&at(fid, "team"), &key_worker, &json!({"staff_id": kw}))).await;
    assert_eq!(s, 403, "key workers do not convene the team: {p}");
    let (s, seat) = send(app.post(
        &at(fid, "team"),
        &lw,
        &json!({"staff_id": kw, "joined_on": "2013-03-04"}),
    ))
    .await;
    assert_eq!(s, 201, "{seat}");
    let (s, _) = send(app.post(&at(fid, "team"), &lw, &json!({"staff_id": kw}))).await;
    assert_eq!(s, 409, "already on it");
    let (s, _) = send(app.get(&format!("/api/v1/families/{fid}"), &key_worker)).await;
    assert_eq!(s, 200);
    let (_, team) = send(app.get(&at(fid, "team"), &key_worker)).await;
    assert_eq!(team["items"].as_array().unwrap().len(), 2);
    let lead_seat = team["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["staff_id"] == json!(lead))
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (s, _) = send(
        app.post(
            &at(fid, &format!("team/{lead_seat}/leave")),
            &lw,
            &json!({}),
        )
        .header("If-Match", "\"1\""),
    )
    .await;
    assert_eq!(
        s, 409,
        "the FCAF's lead worker stays until another is named"
    );
    let (s, left) = send(
        app.post(
            &at(fid, &format!("team/{}/leave", seat["id"].as_str().unwrap())),
            &lw,
            &json!({}),
        )
        .header("If-Match", "\"1\""),
    )
    .await;
    assert_eq!(s, 200, "{left}");
    let (s, _) = send(app.get(&format!("/api/v1/families/{fid}"), &key_worker)).await;
    assert_eq!(s, 404, "gone from the team, gone from view");
}

#[tokio::test]
async fn the_case_study_carries_its_fcaf_meetings_and_action_plan() {
    let app = spawn_app().await;
    let pool = ffc::db::pool(&app.app_db_url, 2).unwrap();
    ffc::demo::load(&pool, Default::default()).await.unwrap();
    let auditor = token(&[Role::Auditor]);
    let (_, list) = send(app.get("/api/v1/families", &auditor)).await;
    let fid = list["items"][0]["id"].as_str().unwrap().to_string();

    let (_, fcafs) = send(app.get(&at(&fid, "assessments"), &auditor)).await;
    let fcaf = &fcafs["items"][0];
    assert_eq!(fcafs["items"].as_array().unwrap().len(), 1);
    assert_eq!(fcaf["status"], "active");
    assert_eq!(fcaf["started_on"], "2013-02-11", "started in February 2013");
    assert!(fcaf["completed_with"][0]
        .as_str()
        .unwrap()
        .contains("Youth Offending Team case manager"));
    assert!(fcaf["family_priorities"]
        .as_str()
        .unwrap()
        .contains("YOT order"));
    assert_eq!(
        fcaf["review_due_on"], "2013-07-08",
        "set by the last meeting"
    );

    let (_, meetings) = send(app.get(&at(&fid, "taf-meetings"), &auditor)).await;
    let dates: Vec<&str> = meetings["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["meeting_on"].as_str().unwrap())
        .collect();
    assert_eq!(dates, vec!["2013-05-27", "2013-04-15", "2013-03-04"]);
    assert!(meetings["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|m| m["status"] == "held"));

    let (_, actions) = send(app.get(&at(&fid, "actions"), &auditor)).await;
    let actions = actions["items"].as_array().unwrap();
    assert_eq!(actions.len(), 4);
    let find = |need: &str| actions.iter().find(|a| a["need"] == need).unwrap();
    let housing = find("housing");
    assert_eq!(housing["status"], "done");
    assert!(
        housing["outcome"]
            .as_str()
            .unwrap()
            .starts_with("Decided to stay"),
        "{housing}"
    );
    assert_eq!(
        find("crime_asb")["status"],
        "done",
        "Child K completed his YOT order"
    );
    let college = find("education");
    assert_eq!(college["status"], "open");
    assert!(college["progress"][0]["note"]
        .as_str()
        .unwrap()
        .contains("RCAT"));
    let work = find("employment");
    assert_eq!(work["owner_organisation"], "wiseability");
    assert_eq!(work["progress"].as_array().unwrap().len(), 2);

    let (_, timeline) = send(app.get(&at(&fid, "care-episodes"), &auditor)).await;
    assert_eq!(timeline["items"][0]["kind"], "fcaf");
    let (_, team) = send(app.get(&at(&fid, "team"), &auditor)).await;
    assert_eq!(
        team["items"].as_array().unwrap().len(),
        2,
        "the coordinator and the YOT case manager"
    );
    let (_, ok) = send(app.get(&at(&fid, "consent-check?organisation=wiseability&purpose=referral&category=employment&on=2013-03-04"), &auditor)).await;
    assert_eq!(ok["allowed"], true, "{ok}");
}
