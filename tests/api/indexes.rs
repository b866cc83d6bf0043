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
