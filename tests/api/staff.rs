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
    assert_eq!(frp["open_families"], 0, "nothing allocated yet");

    // Allocating a family to the team's worker counts against its limit; the count is shown to
    // those who allocate and to nobody else.
    let f = app.create_family(&coordinator(), &family_body()).await;
    let res = allocate(&app, f["id"].as_str().unwrap(), s["id"].as_str().unwrap()).await;
    assert_eq!(res.status(), 201);
    let team = |who: String| {
        let app = &app;
        async move {
            let (status, teams) = send(app.get("/api/v1/teams", &who)).await;
            assert_eq!(status, 200);
            teams["items"]
                .as_array()
                .unwrap()
                .iter()
                .find(|t| t["code"] == "family-recovery")
                .unwrap()
                .clone()
        }
    };
    for allocator in [coordinator(), token(&[Role::Manager])] {
        assert_eq!(team(allocator).await["open_families"], 1);
    }
    for other in [admin(), token(&[Role::Auditor])] {
        let t = team(other).await;
        assert_eq!(t["open_case_limit"], 45);
        assert!(t.get("open_families").is_none(), "{t}");
    }

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
    let after = deactivate(&app, id).await;
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

async fn new_worker(app: &TestApp, subject: &str, role: &str, team: &str) -> String {
    let res = app
        .post(
            "/api/v1/staff",
            &admin(),
            &json!({"subject": subject, "name": subject, "staff_role": role,
            "team": team, "organisation": "Rotherham MBC"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let v: Value = res.json().await.unwrap();
    v["id"].as_str().unwrap().to_string()
}

async fn allocate(app: &TestApp, family_id: &str, staff_id: &str) -> reqwest::Response {
    app.post(
        &format!("/api/v1/families/{family_id}/allocations"),
        &coordinator(),
        &json!({"staff_id": staff_id}),
    )
    .send()
    .await
    .unwrap()
}

/// Creates families directly in the database (set-based), for tests that need many.
async fn many_families(app: &TestApp, n: i64) -> Vec<String> {
    let db = app.superuser_db().await;
    db.query(
        "INSERT INTO families (id, address_line1, town, postcode, housing_tenure, status)
         SELECT gen_random_uuid(), 'x', 'Rotherham', 'S60 1AE', 'unknown', 'attached'
         FROM generate_series(1, $1::int) RETURNING id::text",
        &[&(n as i32)],
    )
    .await
    .unwrap()
    .iter()
    .map(|r| r.get::<_, String>(0))
    .collect()
}

#[tokio::test]
async fn the_family_recovery_programme_holds_at_most_45_open_families() {
    let app = spawn_app().await;
    let a = new_worker(&app, "kw-a", "key_worker", "family-recovery").await;
    let b = new_worker(&app, "kw-b", "key_worker", "family-recovery").await;
    let families = many_families(&app, 46).await;
    for f in &families[..44] {
        assert_eq!(
            allocate(&app, f, if f.len() % 2 == 0 { &a } else { &b })
                .await
                .status(),
            201
        );
    }
    // The 45th and the 46th arrive together: exactly one gets the last place.
    let (r45, r46) = tokio::join!(
        allocate(&app, &families[44], &a),
        allocate(&app, &families[45], &b)
    );
    let mut statuses = vec![r45.status().as_u16(), r46.status().as_u16()];
    statuses.sort();
    assert_eq!(statuses, vec![201, 409]);
    let refused = if r45.status() == 409 { r45 } else { r46 };
    let p: Value = refused.json().await.unwrap();
    assert!(p["detail"].as_str().unwrap().contains("45 of 45"), "{p}");
    // Closing one lets the next in.
    let res = app
        .post(
            &format!("/api/v1/families/{}/allocations/end", families[0]),
            &coordinator(),
            &json!({"reason": "case_closed"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    // One of the two waiting families now fits.
    let next = allocate(&app, &families[44], &a).await.status().as_u16();
    let other = allocate(&app, &families[45], &b).await.status().as_u16();
    assert!(next == 201 || other == 201, "{next} {other}");
    let db = app.superuser_db().await;
    let open: i64 = db.query_one("SELECT count(*) FROM allocations WHERE team_code = 'family-recovery' AND ended_at IS NULL", &[])
        .await.unwrap().get(0);
    assert_eq!(open, 45);
    // The database holds the limit whatever the code path: a direct insert is refused too.
    let err = db
        .batch_execute(&format!(
            "INSERT INTO allocations (id, family_id, staff_id, team_code, allocated_by)
         VALUES (gen_random_uuid(), '{}', '{a}', 'family-recovery', 'sql')",
            families[0]
        ))
        .await;
    assert!(err.is_err());
}

#[tokio::test]
async fn a_leavers_caseload_moves_in_one_action_and_nothing_is_left_unallocated_silently() {
    let app = spawn_app().await;
    let leaver = new_worker(&app, "lw-leaver", "lead_worker", "lead-workers").await;
    let stayer = new_worker(&app, "lw-stayer", "lead_worker", "lead-workers").await;
    let families = many_families(&app, 3).await;
    // Every attached family without a worker is listed.
    let list: Value = app
        .get("/api/v1/unallocated-families", &coordinator())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 3);
    for f in &families[..2] {
        assert_eq!(allocate(&app, f, &leaver).await.status(), 201);
    }
    let list: Value = app
        .get("/api/v1/unallocated-families", &coordinator())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    // The leaver is deactivated, then a manager moves their caseload at once.
    app.post(
        &format!("/api/v1/staff/{leaver}/deactivate"),
        &admin(),
        &json!({}),
    )
    .send()
    .await
    .unwrap();
    let res = app
        .post(
            &format!("/api/v1/staff/{leaver}/reallocate"),
            &token(&[Role::Manager]),
            &json!({"to_staff_id": stayer}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let moved: Value = res.json().await.unwrap();
    assert_eq!(moved["moved"], 2);
    let history: Value = app
        .get(
            &format!("/api/v1/families/{}/allocations", families[0]),
            &coordinator(),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let items = history["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["staff_id"], stayer);
    assert_eq!(items[1]["end_reason"], "worker_left");
    // A deactivated worker, or someone who is not a dedicated worker, cannot take families.
    let res = allocate(&app, &families[2], &leaver).await;
    assert_eq!(res.status(), 422);
    let coord = new_worker(&app, "co-1", "coordinator", "coordination").await;
    let res = allocate(&app, &families[2], &coord).await;
    assert_eq!(res.status(), 422);
    let p: Value = res.json().await.unwrap();
    assert_eq!(p["errors"][0]["field"], "staff_id");
    // Allocations only ever end.
    let db = app.app_db().await;
    assert!(db
        .batch_execute("UPDATE allocations SET ended_at = NULL, end_reason = NULL")
        .await
        .is_err());
    assert!(db.batch_execute("DELETE FROM allocations").await.is_err());
}

#[tokio::test]
async fn a_lead_worker_sees_only_the_families_allocated_to_them() {
    let app = spawn_app().await;
    let mine = app.create_family(&coordinator(), &family_body()).await;
    let theirs = app.create_family(&coordinator(), &family_body()).await;
    let me = new_worker(&app, "lw-me", "lead_worker", "lead-workers").await;
    let colleague = new_worker(&app, "lw-colleague", "lead_worker", "lead-workers").await;
    assert_eq!(
        allocate(&app, mine["id"].as_str().unwrap(), &me)
            .await
            .status(),
        201
    );
    assert_eq!(
        allocate(&app, theirs["id"].as_str().unwrap(), &colleague)
            .await
            .status(),
        201
    );
    let t = token_for("lw-me", &[Role::LeadWorker]);
    let mine_url = format!("/api/v1/families/{}", mine["id"].as_str().unwrap());
    let theirs_url = format!("/api/v1/families/{}", theirs["id"].as_str().unwrap());
    assert_eq!(app.get(&mine_url, &t).send().await.unwrap().status(), 200);
    // Someone else's family does not exist as far as this worker can tell.
    assert_eq!(app.get(&theirs_url, &t).send().await.unwrap().status(), 404);
    assert_eq!(
        app.get(&format!("{theirs_url}/evidence"), &t)
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    let list: Value = app
        .get("/api/v1/families", &t)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let ids: Vec<&Value> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| &i["id"])
        .collect();
    assert_eq!(ids, vec![&mine["id"]]);
    // A manager sees both.
    let manager = token(&[Role::Manager]);
    assert_eq!(
        app.get(&theirs_url, &manager)
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    // Once reallocated away, the family disappears from the worker's view.
    assert_eq!(
        allocate(&app, mine["id"].as_str().unwrap(), &colleague)
            .await
            .status(),
        201
    );
    assert_eq!(app.get(&mine_url, &t).send().await.unwrap().status(), 404);
    // Workers read but do not edit families.
    let res = app
        .patch(
            &theirs_url,
            &token_for("lw-colleague", &[Role::LeadWorker]),
            &json!({"bedrooms": 2}),
        )
        .header("If-Match", "\"2\"")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
}

#[tokio::test]
async fn sensitive_notes_are_for_the_allocated_worker_and_managers() {
    let app = spawn_app().await;
    let f = app.create_family(&coordinator(), &family_body()).await;
    let fid = f["id"].as_str().unwrap();
    let me = new_worker(&app, "lw-notes", "lead_worker", "lead-workers").await;
    assert_eq!(allocate(&app, fid, &me).await.status(), 201);
    let worker = token_for("lw-notes", &[Role::LeadWorker]);
    let url = format!("/api/v1/families/{fid}/notes");
    let res = app
        .post(&url, &worker, &json!({"text": "Home visit went well."}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let res = app
        .post(
            &url,
            &worker,
            &json!({"text": "Disclosure about past abuse.", "sensitive": true}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    // A coordinator may write ordinary notes but not sensitive ones, and does not see them.
    let res = app
        .post(
            &url,
            &coordinator(),
            &json!({"text": "x", "sensitive": true}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let seen = |t: String| {
        let app = &app;
        let url = url.clone();
        async move {
            let v: Value = app
                .get(&url, &t)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            v["items"].as_array().unwrap().len()
        }
    };
    assert_eq!(seen(coordinator()).await, 1);
    assert_eq!(seen(worker.clone()).await, 2);
    assert_eq!(seen(token(&[Role::Manager])).await, 2);
    // Another worker cannot see the family at all; a blank note names its field.
    let res = app
        .get(&url, &token_for("lw-other", &[Role::LeadWorker]))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    let res = app
        .post(&url, &worker, &json!({"text": "   "}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let p: Value = res.json().await.unwrap();
    assert_eq!(p["errors"][0]["field"], "text");
    // Notes are never edited.
    let db = app.app_db().await;
    assert!(db
        .batch_execute("UPDATE case_notes SET body = 'changed'")
        .await
        .is_err());
}

/// Waits until this instance's set of deactivated subjects is current (its follower has
/// connected and loaded), or until it is not.
async fn until_current(app: &TestApp, current: bool) {
    for _ in 0..200 {
        if app.state.deactivated.is_current() == current {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!("the set of deactivated subjects never became current={current}");
}

async fn new_staff(app: &TestApp, subject: &str) -> String {
    let body = json!({"subject": subject, "name": "Sam Example", "staff_role": "coordinator",
        "team": "coordination", "organisation": "Rotherham MBC"});
    let res = app
        .post("/api/v1/staff", &admin(), &body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let s: Value = res.json().await.unwrap();
    s["id"].as_str().unwrap().to_string()
}

/// Deactivates as an admin; the member of staff as answered.
async fn deactivate(app: &TestApp, id: &str) -> Value {
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
    res.json().await.unwrap()
}

// Issue 19: requests no longer ask the database whether their caller is active; each instance
// keeps the deactivated subjects in memory, kept current by the database's announcements. A
// deactivation on one instance is refused on another once the announcement arrives; while the
// listening connection is down, each request asks the database, so nothing is let through.
#[tokio::test]
async fn a_deactivation_on_one_instance_is_refused_on_another_and_while_its_announcements_are_down()
{
    let a = spawn_app().await;
    let b = spawn_app_with(Options {
        database: Some(a.db_name.clone()),
        ..Default::default()
    })
    .await;
    until_current(&b, true).await;
    // It stays current: each 2 s heartbeat must come back through LISTEN, else the session
    // ends and requests ask the database again until it is back (a heartbeat that was never
    // sent ended every session after 2 s, and a third of requests asked the database).
    let watched = std::time::Instant::now();
    while watched.elapsed() < std::time::Duration::from_millis(4500) {
        assert!(
            b.state.deactivated.is_current(),
            "the set stopped being current after {:.1} s",
            watched.elapsed().as_secs_f64()
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let first = new_staff(&a, "coord-first").await;
    let second = new_staff(&a, "coord-second").await;
    let first_token = token_for("coord-first", &[Role::Coordinator]);
    let second_token = token_for("coord-second", &[Role::Coordinator]);
    assert_eq!(families_status(&b, &first_token).await, 200);

    // From the request that deactivates until the other instance knows: the answer's own time
    // and the announcement's.
    let started = std::time::Instant::now();
    deactivate(&a, &first).await;
    let mut refused = false;
    for _ in 0..500 {
        if b.state.deactivated.knows("coord-first") == Some(true) {
            refused = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(2)).await;
    }
    assert!(refused, "the announcement never reached the other instance");
    eprintln!(
        "deactivated and announced to the other instance in {:.1} ms",
        started.elapsed().as_secs_f64() * 1000.0
    );
    // The instance that deactivated refuses at once; the other now it is told.
    assert_eq!(families_status(&a, &first_token).await, 401);
    assert_eq!(families_status(&b, &first_token).await, 401);
    assert_eq!(families_status(&b, &second_token).await, 200);

    // The listening connection is cut: the set is no longer trusted, and a deactivation made
    // meanwhile is refused by asking the database.
    let db = a.superuser_db().await;
    let cut = db
        .query(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE application_name = 'ffc-deactivations' AND datname = current_database()",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(cut.len(), 2, "one listening connection per instance");
    until_current(&b, false).await;
    assert_eq!(b.state.deactivated.knows("coord-first"), None);
    deactivate(&a, &second).await;
    assert_eq!(families_status(&b, &second_token).await, 401);
    assert_eq!(families_status(&b, &first_token).await, 401);

    // Back: reloaded, with both.
    until_current(&b, true).await;
    assert_eq!(b.state.deactivated.knows("coord-first"), Some(true));
    assert_eq!(b.state.deactivated.knows("coord-second"), Some(true));
    assert_eq!(b.state.deactivated.knows("admin-1"), Some(false));
    assert_eq!(families_status(&b, &second_token).await, 401);

    // PostgreSQL folds a transaction's identical announcements into one: deactivated,
    // reactivated and deactivated again in one transaction must still end deactivated.
    new_staff(&a, "coord-third").await;
    db.batch_execute(
        "BEGIN; \
         UPDATE staff SET active = false, deactivated_at = now() WHERE subject = 'coord-third'; \
         UPDATE staff SET active = true, deactivated_at = NULL WHERE subject = 'coord-third'; \
         UPDATE staff SET active = false, deactivated_at = now() WHERE subject = 'coord-third'; \
         COMMIT",
    )
    .await
    .unwrap();
    let mut told = false;
    for _ in 0..500 {
        if b.state.deactivated.knows("coord-third") == Some(true) {
            told = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(2)).await;
    }
    assert!(
        told,
        "the last of a transaction's changes reached the other instance"
    );
    let third_token = token_for("coord-third", &[Role::Coordinator]);
    assert_eq!(families_status(&b, &third_token).await, 401);
}
