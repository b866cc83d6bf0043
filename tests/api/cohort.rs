//! Evidence, rulesets and eligibility.

use ffc::auth::Role;
use serde_json::{json, Value};

use crate::common::*;

async fn eligibility(app: &TestApp, family_id: &str, ruleset: &str, as_of: &str) -> Value {
    let res = app
        .get(
            &format!("/api/v1/families/{family_id}/eligibility?ruleset={ruleset}&as_of={as_of}"),
            &coordinator(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

fn criterion<'a>(v: &'a Value, code: &str) -> &'a Value {
    v["criteria"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code"] == code)
        .unwrap()
}

pub async fn record(app: &TestApp, family_id: &str, body: Value) -> Value {
    let res = app
        .post(
            &format!("/api/v1/families/{family_id}/evidence"),
            &coordinator(),
            &body,
        )
        .send()
        .await
        .unwrap();
    let status = res.status();
    let v: Value = res.json().await.unwrap();
    assert_eq!(status, 201, "{v}");
    v
}

fn member_id(family: &Value, given: &str) -> String {
    family["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["given_name"] == given)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn the_case_study_family_is_eligible_under_phase_1_on_all_three_criteria() {
    let app = spawn_app().await;
    let pool = ffc::db::pool(&app.app_db_url, 2).unwrap();
    ffc::demo::load(&pool, Default::default()).await.unwrap();
    let list: Value = app
        .get("/api/v1/families", &coordinator())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = list["items"][0]["id"].as_str().unwrap().to_string();
    let v = eligibility(&app, &id, "phase1-2012", "2013-03-01").await;
    assert_eq!(v["eligible"], true, "{v}");
    assert_eq!(v["revision"], 1);
    for code in ["crime_asb", "education", "work"] {
        let c = criterion(&v, code);
        assert_eq!(c["met"], true, "{code}: {c}");
        assert!(
            !c["evidence_ids"].as_array().unwrap().is_empty(),
            "{code} names its evidence"
        );
    }
    assert!(v["reason"].as_str().unwrap().contains("all three"));
    // Every evidence id named is a record of this family.
    let ev: Value = app
        .get(
            &format!("/api/v1/families/{id}/evidence?limit=200"),
            &coordinator(),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let ids: Vec<&Value> = ev["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["id"])
        .collect();
    for code in ["crime_asb", "education", "work"] {
        for e in criterion(&v, code)["evidence_ids"].as_array().unwrap() {
            assert!(
                ids.contains(&e),
                "{code}: {e} is one of the family's records"
            );
        }
    }
    // Two years earlier the offence and the terms had not happened.
    let before = eligibility(&app, &id, "phase1-2012", "2012-05-01").await;
    assert_eq!(before["eligible"], false);
}

/// A family with crime/ASB and work but no education evidence.
async fn two_of_three(app: &TestApp, postcode: &str) -> (String, Value) {
    let mut body = family_body();
    body["postcode"] = json!(postcode);
    let f = app.create_family(&coordinator(), &body).await;
    let id = f["id"].as_str().unwrap().to_string();
    record(
        app,
        &id,
        json!({"member_id": member_id(&f, "Kieran"), "kind": "asb_intervention", "source": "police",
        "occurred_on": "2013-01-10", "intervention_kind": "asbo"}),
    )
    .await;
    record(
        app,
        &id,
        json!({"member_id": member_id(&f, "Alice"), "kind": "out_of_work_benefit", "source": "dwp",
        "occurred_on": "2010-01-01", "benefit_type": "employment_support_allowance"}),
    )
    .await;
    (id, f)
}

#[tokio::test]
async fn two_of_three_is_eligible_only_with_a_local_filter_and_says_which() {
    let app = spawn_app().await;
    // S60 is on the seeded deprived-area list.
    let (deprived, _) = two_of_three(&app, "S60 1AE").await;
    let v = eligibility(&app, &deprived, "phase1-2012", "2013-06-01").await;
    assert_eq!(v["eligible"], true, "{v}");
    assert_eq!(v["local_filters"][0]["code"], "deprived_area");
    assert!(v["reason"].as_str().unwrap().contains("deprived_area"));
    // Elsewhere, two of three is not enough...
    let (elsewhere, _) = two_of_three(&app, "LS1 4AP").await;
    let v = eligibility(&app, &elsewhere, "phase1-2012", "2013-06-01").await;
    assert_eq!(v["eligible"], false);
    assert!(v["local_filters"].as_array().unwrap().is_empty());
    assert!(v["reason"].as_str().unwrap().contains("no local filter"));
    // ...until a local filter fact is recorded.
    let filter = record(
        &app,
        &elsewhere,
        json!({"kind": "local_filter", "source": "social_care",
        "occurred_on": "2013-02-01", "filter": "domestic_abuse"}),
    )
    .await;
    let v = eligibility(&app, &elsewhere, "phase1-2012", "2013-06-01").await;
    assert_eq!(v["eligible"], true);
    assert_eq!(v["local_filters"][0]["code"], "domestic_abuse");
    assert_eq!(v["local_filters"][0]["evidence_ids"], json!([filter["id"]]));
}

#[tokio::test]
async fn corrections_supersede_and_retractions_withdraw() {
    let app = spawn_app().await;
    let (id, _) = two_of_three(&app, "LS1 4AP").await;
    let filter = record(
        &app,
        &id,
        json!({"kind": "local_filter", "source": "social_care",
        "occurred_on": "2013-02-01", "filter": "domestic_abuse"}),
    )
    .await;
    let fid = filter["id"].as_str().unwrap();
    // A correction moves the date after the date judged.
    let corrected = record(
        &app,
        &id,
        json!({"kind": "local_filter", "source": "social_care",
        "occurred_on": "2013-08-01", "filter": "domestic_abuse", "supersedes": fid}),
    )
    .await;
    assert_eq!(
        eligibility(&app, &id, "phase1-2012", "2013-06-01").await["eligible"],
        false
    );
    assert_eq!(
        eligibility(&app, &id, "phase1-2012", "2013-09-01").await["eligible"],
        true
    );
    let old: Value = app
        .get(
            &format!("/api/v1/families/{id}/evidence/{fid}"),
            &coordinator(),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(old["superseded_by"], corrected["id"]);
    assert_eq!(old["in_force"], false);
    assert_eq!(
        old["occurred_on"], "2013-02-01",
        "the original is kept as it was"
    );
    // Correcting the same record twice is refused; the newer one is the one to correct.
    let res = app.post(&format!("/api/v1/families/{id}/evidence"), &coordinator(),
        &json!({"kind": "local_filter", "source": "social_care", "occurred_on": "2013-03-01", "filter": "domestic_abuse", "supersedes": fid}))
        .send().await.unwrap();
    assert_eq!(res.status(), 409);
    // Retracting the correction withdraws the filter altogether.
    record(
        &app,
        &id,
        json!({"kind": "local_filter", "source": "social_care", "occurred_on": "2013-08-01",
        "filter": "domestic_abuse", "supersedes": corrected["id"], "retracts": true}),
    )
    .await;
    assert_eq!(
        eligibility(&app, &id, "phase1-2012", "2013-09-01").await["eligible"],
        false
    );
    // The service's own role cannot rewrite a record.
    let db = app.app_db().await;
    assert!(db
        .batch_execute("UPDATE evidence SET occurred_on = '2013-01-01'")
        .await
        .is_err());
    assert!(db.batch_execute("DELETE FROM evidence").await.is_err());
    // Nor correct a record from another family: the rules read each family's records alone.
    let (other, _) = two_of_three(&app, "M1 1AE").await;
    let fresh = record(
        &app,
        &id,
        json!({"kind": "local_filter", "source": "social_care",
        "occurred_on": "2013-08-01", "filter": "benefit_cap"}),
    )
    .await;
    assert_eq!(
        eligibility(&app, &id, "phase1-2012", "2013-06-01").await["eligible"],
        false
    );
    let insert = |family: &str| {
        format!(
            "INSERT INTO evidence (id, family_id, kind, source, occurred_on, filter, recorded_by, supersedes_id)
             VALUES (gen_random_uuid(), '{family}', 'local_filter', 'social_care', '2013-02-02',
                     'benefit_cap', 'test', '{}')",
            fresh["id"].as_str().unwrap()
        )
    };
    let err = db.batch_execute(&insert(&other)).await.unwrap_err();
    assert!(format!("{err:?}").contains("another family"), "{err:?}");
    db.batch_execute(&insert(&id))
        .await
        .expect("a correction within the family is accepted");
    assert_eq!(
        eligibility(&app, &id, "phase1-2012", "2013-06-01").await["eligible"],
        true,
        "the correction (dated February) is in force; that the record it corrects is not, the start of this test shows"
    );
}

#[tokio::test]
async fn the_same_evidence_gives_the_same_answer_for_a_past_date() {
    let app = spawn_app().await;
    let (id, f) = two_of_three(&app, "S60 1AE").await;
    let before = eligibility(&app, &id, "phase1-2012", "2013-06-01").await;
    // Later events change later verdicts, not the past one.
    record(
        &app,
        &id,
        json!({"member_id": member_id(&f, "Alice"), "kind": "out_of_work_benefit", "source": "dwp",
        "occurred_on": "2014-01-01", "benefit_type": "jobseekers_allowance"}),
    )
    .await;
    let after = eligibility(&app, &id, "phase1-2012", "2013-06-01").await;
    assert_eq!(before, after);
}

#[tokio::test]
async fn bad_evidence_is_422_naming_the_field_and_nothing_is_written() {
    let app = spawn_app().await;
    let f = app.create_family(&coordinator(), &family_body()).await;
    let id = f["id"].as_str().unwrap();
    let kid = member_id(&f, "Kieran");
    let term = |attended: i64| {
        json!({"member_id": kid, "kind": "school_term", "source": "school", "occurred_on": "2012-09-03",
        "academic_year": 2012, "term": "autumn", "possible_sessions": 140, "sessions_attended": attended,
        "unauthorised_absences": 0, "fixed_term_exclusions": 0})
    };
    // A term's record dated outside its own academic year contradicts itself (summer 2012/13
    // runs within September 2012 to August 2013, not in 2010).
    let mut misdated = term(100);
    misdated["term"] = json!("summer");
    misdated["occurred_on"] = json!("2010-01-01");
    let mut ends_late = term(100);
    ends_late["ends_on"] = json!("2013-09-30");
    let cases = [
        (term(141), "sessions_attended"),
        (misdated, "occurred_on"),
        (ends_late, "ends_on"),
        (
            json!({"member_id": f["members"][0]["id"], "kind": "out_of_work_benefit", "source": "dwp", "occurred_on": "2013-05-01",
                "ends_on": "2013-04-30", "benefit_type": "income_support"}),
            "ends_on",
        ),
        (
            json!({"member_id": kid, "kind": "school_term", "source": "school", "occurred_on": "2012-09-03"}),
            "academic_year",
        ),
        (
            json!({"kind": "proven_offence", "source": "police", "occurred_on": "2012-09-03"}),
            "member_id",
        ),
        (
            json!({"member_id": kid, "kind": "proven_offence", "source": "police", "occurred_on": "2012-09-03", "benefit_type": "other"}),
            "benefit_type",
        ),
        (
            json!({"kind": "phase2_problem", "source": "police", "occurred_on": "2012-09-03", "indicator": "bad_luck"}),
            "indicator",
        ),
        (
            json!({"member_id": uuid::Uuid::now_v7(), "kind": "proven_offence", "source": "police", "occurred_on": "2012-09-03"}),
            "member_id",
        ),
    ];
    for (body, field) in cases {
        let res = app
            .post(
                &format!("/api/v1/families/{id}/evidence"),
                &coordinator(),
                &body,
            )
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 422, "{field}");
        let p: Value = res.json().await.unwrap();
        let fields: Vec<&str> = p["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap())
            .collect();
        assert!(fields.contains(&field), "{field}: {fields:?}");
    }
    assert_eq!(app.count("evidence").await, 0);
    // An unknown ruleset, or a date before any revision, is a 422 naming the parameter.
    for (q, field) in [
        ("ruleset=phase9&as_of=2013-01-01", "ruleset"),
        ("ruleset=phase1-2012&as_of=2011-01-01", "as_of"),
    ] {
        let res = app
            .get(
                &format!("/api/v1/families/{id}/eligibility?{q}"),
                &coordinator(),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 422, "{q}");
        let p: Value = res.json().await.unwrap();
        assert_eq!(p["errors"][0]["field"], field);
    }
}

#[tokio::test]
async fn admins_change_the_rules_by_adding_a_revision() {
    let app = spawn_app().await;
    let admin = token(&[Role::Admin]);
    let set: Value = app
        .get("/api/v1/rulesets/phase1-2012", &coordinator())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    // Every setting the rules read is shown with the value in force, the outcome settings
    // included, not left to defaults in the schema.
    let outcomes = &set["revisions"][0]["parameters"]["outcomes"];
    assert_eq!(outcomes["continuous_employment_weeks"], 26, "{outcomes}");
    assert_eq!(outcomes["test_components_absent_at_entry"], false);
    assert_eq!(outcomes["earlier_school_leavers"], "not_tested");
    assert_eq!(outcomes["comparison_months"], 6);
    assert_eq!(outcomes["last_claim_on"], "2015-05-31");
    let (_, all) = send(app.get("/api/v1/rulesets", &coordinator())).await;
    for r in all["items"].as_array().unwrap() {
        for rev in r["revisions"].as_array().unwrap() {
            let o = &rev["parameters"]["outcomes"];
            assert!(
                o.as_object()
                    .is_some_and(|o| o.contains_key("target_families")),
                "{}: outcome settings shown: {o}",
                r["code"]
            );
        }
    }
    let mut params = set["revisions"][0]["parameters"].clone();
    params["deprived_areas"]["postcode_districts"] = json!(["LS1"]);
    let body = json!({"effective_from": "2014-04-01", "parameters": params, "note": "Leeds list"});
    // Only admins.
    let res = app
        .post(
            "/api/v1/rulesets/phase1-2012/revisions",
            &coordinator(),
            &body,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let res = app
        .post("/api/v1/rulesets/phase1-2012/revisions", &admin, &body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let rev: Value = res.json().await.unwrap();
    assert_eq!(rev["revision"], 2);
    // Dates before it keep revision 1; from it on, revision 2 judges.
    let (id, _) = two_of_three(&app, "LS1 4AP").await;
    let old = eligibility(&app, &id, "phase1-2012", "2014-03-31").await;
    assert_eq!(
        (old["revision"].clone(), old["eligible"].clone()),
        (json!(1), json!(false))
    );
    let new = eligibility(&app, &id, "phase1-2012", "2014-04-01").await;
    assert_eq!(new["revision"], 2);
    // A revision must take effect after the latest one; parameters must have the ruleset's shape.
    let res = app
        .post("/api/v1/rulesets/phase1-2012/revisions", &admin, &body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let mut bad = params.clone();
    bad["absence_threshold_basis_points"] = json!("fifteen");
    let res = app
        .post(
            "/api/v1/rulesets/phase1-2012/revisions",
            &admin,
            &json!({"effective_from": "2015-01-01", "parameters": bad, "note": "x"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let p: Value = res.json().await.unwrap();
    assert_eq!(
        p["errors"][0]["field"],
        "parameters.absence_threshold_basis_points"
    );
    let res = app
        .post(
            "/api/v1/rulesets/phase2-2015/revisions",
            &admin,
            &json!({"effective_from": "2016-01-01", "parameters": params, "note": "phase 1 shape"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422, "phase 1 parameters do not fit phase 2");
    // Revisions are immutable, even for the owner.
    let su = app.superuser_db().await;
    assert!(su
        .batch_execute("UPDATE ruleset_revisions SET note = 'x'")
        .await
        .is_err());
    let list: Value = app
        .get("/api/v1/rulesets", &token(&[Role::Auditor]))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn phase_2_needs_two_headline_problems() {
    let app = spawn_app().await;
    let f = app.create_family(&coordinator(), &family_body()).await;
    let id = f["id"].as_str().unwrap();
    record(&app, id, json!({"kind": "phase2_problem", "source": "police", "occurred_on": "2015-02-01", "indicator": "crime_asb"})).await;
    assert_eq!(
        eligibility(&app, id, "phase2-2015", "2015-03-01").await["eligible"],
        false
    );
    record(&app, id, json!({"kind": "phase2_problem", "source": "health", "occurred_on": "2015-02-10", "indicator": "health"})).await;
    let v = eligibility(&app, id, "phase2-2015", "2015-03-01").await;
    assert_eq!(v["eligible"], true, "{v}");
    assert_eq!(criterion(&v, "health")["met"], true);
}

async fn attach(app: &TestApp, token: &str, family_id: &str, body: Value) -> reqwest::Response {
    app.post(
        &format!("/api/v1/families/{family_id}/attachments"),
        token,
        &body,
    )
    .send()
    .await
    .unwrap()
}

#[tokio::test]
async fn an_eligible_family_is_attached_once_and_the_date_fixes_the_fee() {
    let app = spawn_app().await;
    let (id, _) = two_of_three(&app, "S60 1AE").await;
    let res = attach(
        &app,
        &coordinator(),
        &id,
        json!({"ruleset": "phase1-2012", "attached_on": "2013-03-01"}),
    )
    .await;
    assert_eq!(res.status(), 201);
    let a: Value = res.json().await.unwrap();
    assert_eq!(a["financial_year"], "2012/13");
    assert_eq!(a["attachment_fee_pence"], 320_000, "80% of £4,000");
    assert_eq!(a["eligible"], true);
    assert_eq!(
        a["eligibility"]["local_filters"][0]["code"],
        "deprived_area"
    );
    let f: Value = app
        .get(&format!("/api/v1/families/{id}"), &coordinator())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(f["status"], "attached");
    // Attached families are judged under their ruleset by default, and cannot be archived.
    let v: Value = app
        .get(
            &format!("/api/v1/families/{id}/eligibility?as_of=2013-03-01"),
            &coordinator(),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["ruleset"], "phase1-2012");
    let res = app
        .delete(&format!("/api/v1/families/{id}"), &coordinator())
        .header("If-Match", format!("\"{}\"", f["version"]))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 409);
    // Once per ruleset; another ruleset is a separate attachment.
    let res = attach(
        &app,
        &coordinator(),
        &id,
        json!({"ruleset": "phase1-2012", "attached_on": "2013-04-02"}),
    )
    .await;
    assert_eq!(res.status(), 409);
    let list: Value = app
        .get(
            &format!("/api/v1/families/{id}/attachments"),
            &token(&[Role::Auditor]),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    // The next financial year's rate: 60%.
    let (other, _) = two_of_three(&app, "S60 1AE").await;
    let a: Value = attach(
        &app,
        &coordinator(),
        &other,
        json!({"ruleset": "phase1-2012", "attached_on": "2013-04-01"}),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(
        (
            a["financial_year"].clone(),
            a["attachment_fee_pence"].clone()
        ),
        (json!("2013/14"), json!(240_000))
    );
}

#[tokio::test]
async fn parallel_attachments_of_one_family_attach_it_once() {
    let app = spawn_app().await;
    let (id, _) = two_of_three(&app, "S60 1AE").await;
    let t = coordinator();
    let requests = (0..6).map(|_| {
        attach(
            &app,
            &t,
            &id,
            json!({"ruleset": "phase1-2012", "attached_on": "2013-03-01"}),
        )
    });
    let statuses: Vec<u16> = futures_util::future::join_all(requests)
        .await
        .iter()
        .map(|r| r.status().as_u16())
        .collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        1,
        "{statuses:?}"
    );
    assert!(
        statuses.iter().all(|s| *s == 201 || *s == 409),
        "{statuses:?}"
    );
    assert_eq!(app.count("attachments").await, 1);
}

#[tokio::test]
async fn an_ineligible_family_needs_a_managers_written_override() {
    let app = spawn_app().await;
    let (id, _) = two_of_three(&app, "LS1 4AP").await;
    let res = attach(
        &app,
        &coordinator(),
        &id,
        json!({"ruleset": "phase1-2012", "attached_on": "2013-03-01"}),
    )
    .await;
    assert_eq!(res.status(), 422);
    let p: Value = res.json().await.unwrap();
    assert!(
        p["detail"].as_str().unwrap().contains("no local filter"),
        "{p}"
    );
    let why = json!({"ruleset": "phase1-2012", "attached_on": "2013-03-01",
        "override_justification": "Known to children's services; panel agreed 2013-02-20."});
    assert_eq!(
        attach(&app, &coordinator(), &id, why.clone())
            .await
            .status(),
        403,
        "coordinators cannot override"
    );
    let res = attach(&app, &token(&[Role::Manager]), &id, why).await;
    assert_eq!(res.status(), 201);
    let a: Value = res.json().await.unwrap();
    assert_eq!(a["eligible"], false);
    assert!(a["override_justification"]
        .as_str()
        .unwrap()
        .contains("panel"));
    // Audited, and the database itself insists on a justification for an ineligible family.
    let events: Value = app
        .get(
            &format!(
                "/api/v1/audit-events?resource_id={}",
                a["id"].as_str().unwrap()
            ),
            &token(&[Role::Auditor]),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(events["items"][0]["action"], "attachment.create");
    let db = app.app_db().await;
    assert!(db
        .batch_execute("UPDATE attachments SET override_justification = NULL")
        .await
        .is_err());
    // Outside phase 1's years there is no fee schedule: refused.
    let (late, _) = two_of_three(&app, "S60 1AE").await;
    let res = attach(
        &app,
        &coordinator(),
        &late,
        json!({"ruleset": "phase1-2012", "attached_on": "2015-06-01"}),
    )
    .await;
    assert_eq!(res.status(), 422);
}

pub async fn wait_for_run(app: &TestApp, url: &str) -> Value {
    // A fault-tolerance bound, not a speed assertion: the worker wakes at once or within 5 s.
    for _ in 0..150 {
        let run: Value = app
            .get(url, &coordinator())
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if run["status"] == "succeeded" || run["status"] == "failed" || run["status"] == "cancelled"
        {
            return run;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("run at {url} did not finish");
}

#[tokio::test]
async fn an_identification_run_lists_eligible_families_not_yet_attached() {
    let app = spawn_app().await;
    let (deprived, _) = two_of_three(&app, "S60 1AE").await;
    let (elsewhere, _) = two_of_three(&app, "LS1 4AP").await;
    let (attached, _) = two_of_three(&app, "S61 2BB").await;
    app.create_family(&coordinator(), &family_body()).await;
    assert_eq!(
        attach(
            &app,
            &coordinator(),
            &attached,
            json!({"ruleset": "phase1-2012", "attached_on": "2013-03-01"})
        )
        .await
        .status(),
        201
    );
    let res = app
        .post(
            "/api/v1/identification-runs",
            &coordinator(),
            &json!({"ruleset": "phase1-2012", "as_of": "2013-06-01"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 202);
    let url = res.headers()["location"].to_str().unwrap().to_string();
    let run = wait_for_run(&app, &url).await;
    assert_eq!(run["status"], "succeeded", "{run}");
    // Progress is the run's job's, read the same way as every job's.
    assert_eq!(run["progress"]["done"], 4, "{run}");
    assert_eq!(run["progress"]["total"], 4, "{run}");
    let job_id = run["progress"]["job_id"].as_str().unwrap();
    let (_, job) = send(app.get(&format!("/api/v1/jobs/{job_id}"), &coordinator())).await;
    assert_eq!(job["kind"], "identification_run", "{job}");
    assert_eq!(job["status"], "succeeded", "{job}");
    assert_eq!(job["subject_url"], url.as_str(), "{job}");
    assert_eq!(job["progress"], run["progress"], "{job}");
    assert_eq!(job["progress"]["estimated_finish_at"], job["finished_at"]);
    assert_eq!(
        run["counts"],
        json!({"eligible": 2, "eligible_not_attached": 1, "not_eligible": 2})
    );
    let results: Value = app
        .get(
            run["results_url"].as_str().unwrap(),
            &token(&[Role::Auditor]),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let items = results["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["family_id"], deprived);
    assert_eq!(items[0]["criteria_met"], json!(["crime_asb", "work"]));
    assert_eq!(items[0]["local_filters"], json!(["deprived_area"]));
    // The run and the single-family endpoint agree, family by family.
    for id in [&deprived, &elsewhere, &attached] {
        let one = eligibility(&app, id, "phase1-2012", "2013-06-01").await;
        let listed = items.iter().any(|i| i["family_id"] == **id);
        assert_eq!(one["eligible"] == true && *id != attached, listed, "{id}");
    }
    let url2 = format!(
        "{}?local_filter=deprived_area&criterion=work",
        run["results_url"].as_str().unwrap()
    );
    let filtered: Value = app
        .get(&url2, &coordinator())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(filtered["items"].as_array().unwrap().len(), 1);
    let url3 = format!(
        "{}?criterion=education",
        run["results_url"].as_str().unwrap()
    );
    let none: Value = app
        .get(&url3, &coordinator())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(none["items"].as_array().unwrap().is_empty());
    // Bad input names its field.
    let res = app
        .post(
            "/api/v1/identification-runs",
            &coordinator(),
            &json!({"ruleset": "phase9", "as_of": "2013-06-01"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let p: Value = res.json().await.unwrap();
    assert_eq!(p["errors"][0]["field"], "ruleset");
}

#[tokio::test]
async fn a_run_abandoned_by_a_dead_instance_is_taken_over() {
    let app = spawn_app().await;
    two_of_three(&app, "S60 1AE").await;
    // A run another instance leased and then stopped reporting on two minutes ago.
    let db = app.superuser_db().await;
    let id = uuid::Uuid::now_v7();
    db.execute(
        "INSERT INTO identification_runs (id, ruleset_code, revision_id, as_of, status, requested_by, started_at)
         SELECT $1::text::uuid, 'phase1-2012', id, DATE '2013-06-01', 'running', 'someone', now() - interval '3 minutes'
         FROM ruleset_revisions WHERE ruleset_code = 'phase1-2012' AND revision = 1",
        &[&id.to_string()],
    )
    .await
    .unwrap();
    db.execute(
        "INSERT INTO jobs (id, kind, subject_id, status, attempts, max_attempts, lease_token, leased_by, heartbeat_at, started_at)
         VALUES (gen_random_uuid(), 'identification_run', $1::text::uuid, 'running', 1, 3, gen_random_uuid(), 'a dead instance',
                 now() - interval '2 minutes', now() - interval '3 minutes')",
        &[&id.to_string()],
    )
    .await
    .unwrap();
    let run = wait_for_run(&app, &format!("/api/v1/identification-runs/{id}")).await;
    assert_eq!(run["status"], "succeeded");
    assert_eq!(run["counts"]["eligible_not_attached"], 1);
    let job_url = format!(
        "/api/v1/jobs/{}",
        run["progress"]["job_id"].as_str().unwrap()
    );
    let (_, job) = send(app.get(&job_url, &coordinator())).await;
    assert_eq!(job["attempts"], 2, "taken over: a second attempt {job}");
    assert_ne!(job["heartbeat_at"], Value::Null);
}

#[tokio::test]
async fn a_deprived_area_list_by_lsoa_counts_as_the_local_filter() {
    let app = spawn_app().await;
    let (id, _) = two_of_three(&app, "LS1 4AP").await;
    let f: Value = app
        .get(&format!("/api/v1/families/{id}"), &coordinator())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let res = app
        .patch(
            &format!("/api/v1/families/{id}"),
            &coordinator(),
            &json!({"lsoa": "E01011365"}),
        )
        .header("If-Match", format!("\"{}\"", f["version"]))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let set: Value = app
        .get("/api/v1/rulesets/phase1-2012", &coordinator())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut params = set["revisions"][0]["parameters"].clone();
    params["deprived_areas"]["lsoas"] = json!(["E01011365"]);
    let res = app
        .post(
            "/api/v1/rulesets/phase1-2012/revisions",
            &token(&[Role::Admin]),
            &json!({"effective_from": "2013-04-01", "parameters": params, "note": "LSOA list"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let v = eligibility(&app, &id, "phase1-2012", "2013-06-01").await;
    assert_eq!(v["eligible"], true, "{v}");
    assert!(v["local_filters"][0]["detail"]
        .as_str()
        .unwrap()
        .contains("LSOA"));
}
