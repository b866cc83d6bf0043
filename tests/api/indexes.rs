//! Every list filter is backed by an index: with sequential scans priced out, the planner can
//! answer each filter's query from an index (on a table of any size).

use crate::common::*;

#[tokio::test]
async fn every_list_filter_can_use_an_index() {
    let app = spawn_app().await;
    app.create_family(&coordinator(), &family_body()).await;
    let db = app.superuser_db().await;
    db.batch_execute("SET enable_seqscan = off").await.unwrap();
    let cases = [
        ("postcode", "SELECT id FROM families WHERE postcode = 'S60 1AE' AND status <> 'archived' ORDER BY id DESC LIMIT 51"),
        ("status", "SELECT id FROM families WHERE status = 'identified' ORDER BY id DESC LIMIT 51"),
        ("reference text", "SELECT id FROM families WHERE reference ILIKE '%000001%'"),
        ("member name text", "SELECT family_id FROM members WHERE full_name ILIKE '%smith%'"),
        ("members of families", "SELECT id FROM members WHERE family_id = ANY(ARRAY['019a2b3c-0000-7000-8000-000000000002'::uuid])"),
        ("audit by record", "SELECT id FROM audit_events WHERE resource_ids @> ARRAY['019a2b3c-0000-7000-8000-000000000002'::uuid]"),
        ("audit by actor", "SELECT id FROM audit_events WHERE actor = 'x' ORDER BY id DESC LIMIT 51"),
        ("audit by type", "SELECT id FROM audit_events WHERE resource_type = 'family' ORDER BY id DESC LIMIT 51"),
        ("audit by time", "SELECT id FROM audit_events WHERE created_at >= now() - interval '1 day'"),
        ("a family's allocations", "SELECT id FROM allocations WHERE family_id = '019a2b3c-0000-7000-8000-000000000002' ORDER BY started_at"),
        ("a worker's open allocations", "SELECT id FROM allocations WHERE staff_id = '019a2b3c-0000-7000-8000-000000000002' AND ended_at IS NULL"),
        ("a worker's teams around families", "SELECT id FROM taf_members WHERE staff_id = '019a2b3c-0000-7000-8000-000000000002' AND left_on IS NULL"),
        ("a family's team", "SELECT id FROM taf_members WHERE family_id = '019a2b3c-0000-7000-8000-000000000002' ORDER BY id"),
        ("a family's notes", "SELECT id FROM case_notes WHERE family_id = '019a2b3c-0000-7000-8000-000000000002' AND sensitive = false ORDER BY id DESC LIMIT 51"),
        ("a family's consents", "SELECT id FROM consents WHERE family_id = '019a2b3c-0000-7000-8000-000000000002' ORDER BY id"),
        ("a family's information requests", "SELECT id FROM information_requests WHERE family_id = '019a2b3c-0000-7000-8000-000000000002' ORDER BY id DESC LIMIT 51"),
        ("an organisation's information requests", "SELECT id FROM information_requests WHERE organisation = 'south-yorkshire-police' AND status = 'open' ORDER BY id DESC LIMIT 51"),
        ("a sender's information requests", "SELECT id FROM information_requests WHERE requested_by = 'x' ORDER BY id DESC LIMIT 51"),
        ("overdue information requests", "SELECT id FROM information_requests WHERE status = 'open' AND due_on < DATE '2026-01-01'"),
        ("the evidence an answer gave", "SELECT id FROM evidence WHERE information_request_id = ANY(ARRAY['019a2b3c-0000-7000-8000-000000000002'::uuid])"),
        ("a family's sharing records", "SELECT id FROM information_sharing WHERE family_id = '019a2b3c-0000-7000-8000-000000000002' ORDER BY id DESC LIMIT 51"),
        ("a family's assessments", "SELECT id FROM assessments WHERE family_id = '019a2b3c-0000-7000-8000-000000000002' ORDER BY id DESC"),
        ("an assessment's findings", "SELECT id FROM assessment_findings WHERE assessment_id = ANY(ARRAY['019a2b3c-0000-7000-8000-000000000002'::uuid])"),
        ("a family's timeline", "SELECT id FROM care_episodes WHERE family_id = '019a2b3c-0000-7000-8000-000000000002' ORDER BY started_on, id"),
        ("a family's meetings", "SELECT id FROM taf_meetings WHERE family_id = '019a2b3c-0000-7000-8000-000000000002' ORDER BY meeting_on DESC, id DESC"),
        ("a family's actions by status", "SELECT id FROM plan_actions WHERE family_id = '019a2b3c-0000-7000-8000-000000000002' AND status = 'open' ORDER BY id DESC LIMIT 51"),
        ("an action's progress", "SELECT id FROM action_progress WHERE action_id = ANY(ARRAY['019a2b3c-0000-7000-8000-000000000002'::uuid]) ORDER BY action_id, id"),
        ("overdue reviews", "SELECT id FROM assessments WHERE status = 'active' AND review_due_on < DATE '2026-01-01' ORDER BY review_due_on, id LIMIT 51"),
        ("overdue reviews of a lead worker", "SELECT id FROM assessments WHERE status = 'active' AND review_due_on < DATE '2026-01-01' AND lead_worker_id = '019a2b3c-0000-7000-8000-000000000002'"),
        ("overdue actions", "SELECT id FROM plan_actions WHERE status = 'open' AND due_on < DATE '2026-01-01' ORDER BY due_on, id LIMIT 51"),
        ("a worker's overdue actions", "SELECT id FROM plan_actions WHERE status = 'open' AND due_on < DATE '2026-01-01' AND owner_staff_id = '019a2b3c-0000-7000-8000-000000000002' ORDER BY due_on, id LIMIT 51"),
        ("a family's referrals", "SELECT id FROM referrals WHERE family_id = '019a2b3c-0000-7000-8000-000000000002' ORDER BY id DESC LIMIT 51"),
        ("referrals by organisation", "SELECT id FROM referrals WHERE organisation = 'ywca' ORDER BY id DESC LIMIT 51"),
        ("referrals by service", "SELECT id FROM referrals WHERE service_code = 'ywca-family-support' ORDER BY id DESC LIMIT 51"),
        ("referrals by status", "SELECT id FROM referrals WHERE status = 'waiting' ORDER BY id DESC LIMIT 51"),
        ("a service's places taken", "SELECT count(*) FROM referrals WHERE service_code = 'x' AND status IN ('requested', 'accepted', 'in_progress', 'on_hold')"),
        ("a service's queue", "SELECT id FROM referrals WHERE service_code = 'x' AND status = 'waiting' ORDER BY queued_at, id LIMIT 1"),
        ("a referral's updates", "SELECT id FROM referral_updates WHERE referral_id = '019a2b3c-0000-7000-8000-000000000002' ORDER BY id DESC LIMIT 51"),
        ("a provider user's organisation", "SELECT organisation FROM provider_users WHERE subject = 'x'"),
        ("due webhook deliveries", "SELECT id FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= now() ORDER BY next_attempt_at LIMIT 20"),
        ("an organisation's subscriptions", "SELECT id FROM webhook_subscriptions WHERE organisation = 'remedi' AND active"),
        ("a referral's history", "SELECT id FROM referral_events WHERE referral_id = '019a2b3c-0000-7000-8000-000000000002' ORDER BY id"),
        ("claim windows by status", "SELECT id FROM claim_windows WHERE status = 'review' ORDER BY id LIMIT 51"),
        ("windows to compute", "SELECT id FROM claim_windows WHERE status = 'computing' ORDER BY created_at LIMIT 1"),
        ("a window's items by status", "SELECT id FROM claim_items WHERE window_id = '019a2b3c-0000-7000-8000-000000000002' AND status = 'included' ORDER BY id LIMIT 51"),
        ("a window's items by result", "SELECT id FROM claim_items WHERE window_id = '019a2b3c-0000-7000-8000-000000000002' AND result = 'progress_to_work' ORDER BY id LIMIT 51"),
        ("results held for families", "SELECT slot FROM claim_items WHERE attachment_id BETWEEN '019a2b3c-0000-7000-8000-000000000002' AND '019a2b3c-0000-7000-8000-000000000009' AND status <> 'excluded'"),
        ("a batch's results already in a window", "SELECT id FROM claim_items WHERE window_id = '019a2b3c-0000-7000-8000-000000000002' AND attachment_id BETWEEN '019a2b3c-0000-7000-8000-000000000002' AND '019a2b3c-0000-7000-8000-000000000009'"),
        ("a family's FCAFs for outcomes", "SELECT id FROM assessments WHERE family_id = ANY(ARRAY['019a2b3c-0000-7000-8000-000000000002'::uuid]) AND activated_on IS NOT NULL"),
        ("an organisation's overdue actions", "SELECT id FROM plan_actions WHERE status = 'open' AND due_on < DATE '2026-01-01' AND owner_organisation = 'wiseability' ORDER BY due_on, id LIMIT 51"),
    ];
    for (name, sql) in cases {
        let plan: Vec<String> = db
            .query(&format!("EXPLAIN {sql}"), &[])
            .await
            .unwrap()
            .iter()
            .map(|r| r.get::<_, String>(0))
            .collect();
        let plan = plan.join("\n");
        assert!(
            plan.contains("Index") && !plan.contains("Seq Scan"),
            "{name}:\n{plan}"
        );
    }
}

/// A claim window writes tens of thousands of snapshots through one connection: they are
/// compressed with lz4, not the default pglz (several times slower). A column's type change
/// resets its compression silently, as migration 000025 once did.
#[tokio::test]
async fn claim_snapshots_are_compressed_with_lz4() {
    let app = spawn_app().await;
    let db = app.superuser_db().await;
    let row = db
        .query_one(
            "SELECT attcompression::text FROM pg_attribute
              WHERE attrelid = 'claim_items'::regclass AND attname = 'snapshot'",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(row.get::<_, String>(0), "l");
}
