//! The one job runner, over HTTP and on the real database: takeover from a silent worker that
//! resumes after its last committed step, periodic work once per period across instances,
//! progress read the same way for every kind, cancellation at the next step.

use std::time::Duration;

use serde_json::{json, Value};

use crate::claims::{items, wait_for_review};
use crate::common::*;
use crate::outcomes::turned_around;
use ffc::auth::Role;

fn officer() -> String {
    token_for("officer-1", &[Role::ClaimsOfficer])
}

async fn job(app: &TestApp, id: &str) -> Value {
    let (status, j) = send(app.get(&format!("/api/v1/jobs/{id}"), &token(&[Role::Admin]))).await;
    assert_eq!(status, 200, "{j}");
    j
}

/// The window's attachments in the order a computation takes them.
async fn attachments_in_order(app: &TestApp) -> Vec<(String, String)> {
    let db = app.superuser_db().await;
    db.query(
        "SELECT id::text, family_id::text FROM attachments ORDER BY id",
        &[],
    )
    .await
    .unwrap()
    .iter()
    .map(|r| (r.get(0), r.get(1)))
    .collect()
}

#[tokio::test]
async fn a_window_left_by_a_silent_worker_is_taken_over_after_its_last_committed_step() {
    let app = spawn_app().await;
    for _ in 0..4 {
        turned_around(&app).await;
    }
    let order = attachments_in_order(&app).await;
    assert_eq!(order.len(), 4);
    // Another instance leased the window, committed its first batch (two attachments: the test
    // service's batch size) and fell silent two minutes ago.
    let db = app.superuser_db().await;
    let window = uuid::Uuid::now_v7().to_string();
    db.execute(
        "INSERT INTO claim_windows (id, name, cut_off, status, last_attachment_id, prepared_by, started_at)
         VALUES ($1::text::uuid, 'Taken over', DATE '2013-09-15', 'computing', $2::text::uuid, 'officer-1',
                 now() - interval '3 minutes')",
        &[&window, &order[1].0],
    )
    .await
    .unwrap();
    db.execute(
        "INSERT INTO jobs (id, kind, subject_id, status, attempts, max_attempts, lease_token, leased_by,
                           heartbeat_at, started_at, done, total)
         VALUES (gen_random_uuid(), 'claim_window', $1::text::uuid, 'running', 1, 3, gen_random_uuid(),
                 'a dead instance', now() - interval '2 minutes', now() - interval '3 minutes', 2, 4)",
        &[&window],
    )
    .await
    .unwrap();
    let w = wait_for_review(&app, &window).await;
    // The batch already committed is not judged again: only the last two families are claimed
    // by this window, each once, and the job counts each attachment once.
    let claimed: Vec<String> = items(&app, &window)
        .await
        .iter()
        .map(|i| i["family_id"].as_str().unwrap().to_string())
        .collect();
    let mut expected = vec![order[2].1.clone(), order[3].1.clone()];
    let mut got = claimed.clone();
    got.sort();
    expected.sort();
    assert_eq!(got, expected, "{w}");
    let j = job(&app, w["progress"]["job_id"].as_str().unwrap()).await;
    assert_eq!(j["status"], "succeeded", "{j}");
    assert_eq!(j["attempts"], 2, "{j}");
    assert_eq!(j["progress"]["done"], 4, "{j}");
    assert_eq!(j["progress"]["total"], 4, "{j}");
    assert_eq!(w["progress"], j["progress"]);
}

#[tokio::test]
async fn housekeeping_runs_once_per_period_however_many_instances_run() {
    let app = spawn_app().await;
    // An idempotency key older than its 24 hours, stored before either runner looks.
    let db = app.superuser_db().await;
    db.execute(
        "INSERT INTO idempotency_keys (caller, idempotency_key, request_hash, response_status, response_body,
                                       response_headers, created_at)
         VALUES ('someone', 'old-key', 'x', 200, '{}', '{}', now() - interval '25 hours')",
        &[],
    )
    .await
    .unwrap();
    // The first runner may already have run this period's job; the key is then still there
    // only if it ran before the insert. Start from a clean period either way.
    db.execute("DELETE FROM jobs WHERE kind = 'idempotency_expiry'", &[])
        .await
        .unwrap();
    let second = spawn_app_with(Options {
        database: Some(app.db_name.clone()),
        ..Default::default()
    })
    .await;
    let third = spawn_app_with(Options {
        database: Some(app.db_name.clone()),
        ..Default::default()
    })
    .await;
    // The runners that already scheduled this period do not schedule it again by themselves:
    // the two new ones compete for it.
    let mut rows = Vec::new();
    for _ in 0..100 {
        rows = db
            .query(
                "SELECT status, attempts, done, extract(epoch FROM period)::bigint FROM jobs WHERE kind = 'idempotency_expiry'",
                &[],
            )
            .await
            .unwrap();
        if rows.len() == 1 && rows[0].get::<_, String>(0) == "succeeded" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(rows.len(), 1, "one job for the period");
    assert_eq!(rows[0].get::<_, String>(0), "succeeded");
    assert_eq!(rows[0].get::<_, i32>(1), 1, "run once");
    assert_eq!(rows[0].get::<_, i64>(2), 1, "the one expired key");
    assert_eq!(app.count("idempotency_keys").await, 0);
    let period: i64 = rows[0].get(3);
    assert_eq!(period % 3600, 0, "an hour's start: {period}");
    second.stop().await;
    third.stop().await;
}

#[tokio::test]
async fn a_window_cancelled_mid_run_stops_at_its_next_step_and_may_be_computed_again() {
    let app = spawn_app().await;
    for _ in 0..3 {
        turned_around(&app).await;
    }
    // Hold the claiming lock: the computation stops inside its first batch's write.
    let db = app.superuser_db().await;
    let claim_lock: i64 = 0x6666_635f_636c_6169;
    db.execute("SELECT pg_advisory_lock($1)", &[&claim_lock])
        .await
        .unwrap();
    let (status, w) = send(app.post(
        "/api/v1/claim-windows",
        &officer(),
        &json!({"name": "Cancelled", "cut_off": "2013-09-15"}),
    ))
    .await;
    assert_eq!(status, 202, "{w}");
    let (id, job_id) = (
        w["id"].as_str().unwrap().to_string(),
        w["progress"]["job_id"].as_str().unwrap().to_string(),
    );
    for _ in 0..100 {
        if job(&app, &job_id).await["status"] == "running" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Readers of windows who may not run them may not cancel their job.
    let (status, p) = send(app.post(
        &format!("/api/v1/jobs/{job_id}/cancel"),
        &token(&[Role::Auditor]),
        &json!({}),
    ))
    .await;
    assert_eq!(status, 403, "{p}");
    let (status, j) = send(app.post(
        &format!("/api/v1/jobs/{job_id}/cancel"),
        &officer(),
        &json!({}),
    ))
    .await;
    assert_eq!(status, 202, "{j}");
    assert_eq!(j["status"], "running", "stops at its next step: {j}");
    assert_eq!(j["cancel_requested_by"], "officer-1");
    db.execute("SELECT pg_advisory_unlock($1)", &[&claim_lock])
        .await
        .unwrap();
    let mut w = Value::Null;
    for _ in 0..100 {
        w = send(app.get(&format!("/api/v1/claim-windows/{id}"), &officer()))
            .await
            .1;
        if w["status"] != "computing" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(w["status"], "failed", "{w}");
    assert!(
        w["error"]
            .as_str()
            .unwrap()
            .contains("cancelled by officer-1"),
        "{w}"
    );
    let j = job(&app, &job_id).await;
    assert_eq!(j["status"], "cancelled", "{j}");
    assert_eq!(
        j["progress"]["done"], 0,
        "the step in flight was not committed: {j}"
    );
    assert!(items(&app, &id).await.is_empty());
    // An ended job cannot be cancelled again.
    let (status, _) = send(app.post(
        &format!("/api/v1/jobs/{job_id}/cancel"),
        &officer(),
        &json!({}),
    ))
    .await;
    assert_eq!(status, 409);
    // Computed again, by a new job, it claims what the cancelled one did not.
    let (status, again) = send(app.post(
        &format!("/api/v1/claim-windows/{id}/recompute"),
        &officer(),
        &json!({}),
    ))
    .await;
    assert_eq!(status, 202, "{again}");
    assert_ne!(again["progress"]["job_id"], j["id"]);
    wait_for_review(&app, &id).await;
    assert_eq!(items(&app, &id).await.len(), 3);
}

#[tokio::test]
async fn a_queued_run_cancelled_never_starts() {
    let app = spawn_app().await;
    // The runner is stopped, so that the run stays queued.
    app.stop_background().await;
    let (status, run) = send(app.post(
        "/api/v1/identification-runs",
        &coordinator(),
        &json!({"ruleset": "phase1-2012", "as_of": "2013-06-01"}),
    ))
    .await;
    assert_eq!(status, 202, "{run}");
    let job_id = run["progress"]["job_id"].as_str().unwrap();
    let (status, j) = send(app.post(
        &format!("/api/v1/jobs/{job_id}/cancel"),
        &coordinator(),
        &json!({}),
    ))
    .await;
    assert_eq!(status, 202, "{j}");
    assert_eq!(j["status"], "cancelled");
    let (_, run) = send(app.get(
        &format!(
            "/api/v1/identification-runs/{}",
            run["id"].as_str().unwrap()
        ),
        &coordinator(),
    ))
    .await;
    assert_eq!(run["status"], "cancelled", "{run}");
    assert_eq!(run["error"], "Cancelled by test-user.");
    // Nobody but the kind's readers and admins sees the job at all.
    let (status, _) = send(app.get(&format!("/api/v1/jobs/{job_id}"), &officer())).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn a_failing_job_is_retried_after_its_back_off_and_then_fails_with_its_reason_kept() {
    let app = spawn_app().await;
    // A window's job whose window is not there: every attempt fails. Two attempts allowed.
    let db = app.superuser_db().await;
    let id = uuid::Uuid::now_v7().to_string();
    db.execute(
        "INSERT INTO jobs (id, kind, subject_id, max_attempts)
         VALUES ($1::text::uuid, 'claim_window', gen_random_uuid(), 2)",
        &[&id],
    )
    .await
    .unwrap();
    app.wake_jobs();
    let mut first = Value::Null;
    for _ in 0..100 {
        first = job(&app, &id).await;
        if first["attempts"] == 1 && first["status"] == "queued" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        first["status"], "queued",
        "waiting to be tried again: {first}"
    );
    let error = first["error"].as_str().unwrap();
    assert!(error.contains(&id), "the reason names the job: {first}");
    let run_after: chrono::DateTime<chrono::Utc> =
        first["run_after"].as_str().unwrap().parse().unwrap();
    let now = chrono::Utc::now();
    assert!(
        run_after > now + chrono::Duration::seconds(3),
        "backs off (5 s for the first retry): {first}"
    );
    let mut last = Value::Null;
    for _ in 0..200 {
        last = job(&app, &id).await;
        if last["status"] == "failed" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(last["status"], "failed", "{last}");
    assert_eq!(last["attempts"], 2, "{last}");
    assert_eq!(last["error"], first["error"], "the reason kept");
    assert_ne!(last["finished_at"], Value::Null);
}
