//! The programme's dashboards over HTTP: the finance view, the board's report, CSV and SVG.

use serde_json::{json, Value};

use crate::claims::{into_work, items, open_window};
use crate::common::*;
use crate::outcomes::turned_around;
use ffc::auth::Role;

fn manager() -> String {
    token(&[Role::Manager])
}

/// `n` families attached under phase 1 on `on`, written straight into the database (the fees
/// depend only on how many were attached and when).
async fn attach_many(app: &TestApp, n: i64, on: &str, year: i16, fee: i64) {
    let db = app.superuser_db().await;
    db.execute(
        "WITH f AS (
           INSERT INTO families (id, address_line1, town, postcode, housing_tenure, bedrooms, status)
           SELECT gen_random_uuid(), g || ' Fee Street', 'Rotherham', 'S60 1AE', 'private_rent', 2, 'attached'
             FROM generate_series(1, $1::bigint) g
           RETURNING id)
         INSERT INTO attachments (id, family_id, ruleset_code, revision_id, attached_on,
                                  financial_year, attachment_fee_pence, eligible, eligibility, attached_by)
         SELECT gen_random_uuid(), f.id, 'phase1-2012', '01900000-0000-7000-8000-000000000001',
                $2::text::date, $3::smallint, $4::bigint, true, '{}'::jsonb, 'test'
           FROM f",
        &[&n, &on, &year, &fee],
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn the_finance_view_reproduces_the_reports_attachment_fees() {
    let app = spawn_app().await;
    // Each with the fee its attachment recorded: 80% and 60% of £4,000.
    attach_many(&app, 244, "2012-11-01", 2012, 320_000).await;
    attach_many(&app, 365, "2013-10-01", 2013, 240_000).await;
    let (status, r) = send(app.get("/api/v1/reports/finance", &manager())).await;
    assert_eq!(status, 200, "{r}");
    let fees = r["attachment_fees"].as_array().unwrap();
    assert_eq!(fees.len(), 2, "{fees:?}");
    assert_eq!(fees[0]["financial_year"], "2012/13");
    assert_eq!(fees[0]["attached"], 244);
    assert_eq!(fees[0]["funded"], 203);
    assert_eq!(fees[0]["fees_pence"], 64_960_000, "£649,600");
    assert_eq!(fees[1]["financial_year"], "2013/14");
    assert_eq!(fees[1]["attached_to_date"], 609);
    assert_eq!(
        fees[1]["funded"], 305,
        "508 funded to date, rounded half up from 507.5"
    );
    assert_eq!(fees[1]["fees_pence"], 73_200_000, "£732,000");
    assert_eq!(r["attachment_fees_pence"], 138_160_000);

    // The same table as CSV.
    let res = app
        .get("/api/v1/reports/finance?table=attachment_fees", &manager())
        .header("Accept", "text/csv")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let text = res.text().await.unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "ruleset,financial_year,attached,attached_to_date,funded,fee_per_family_pence,fees_pence"
    );
    assert_eq!(lines[1], "phase1-2012,2012/13,244,244,203,320000,64960000");
    assert_eq!(lines[2], "phase1-2012,2013/14,365,609,305,240000,73200000");
    // A table the report does not have.
    let (status, _) = send(
        app.get("/api/v1/reports/finance?table=nope", &manager())
            .header("Accept", "text/csv"),
    )
    .await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn the_dashboard_counts_results_turned_around_and_draws_the_trajectory() {
    let app = spawn_app().await;
    let (a, _, _) = turned_around(&app).await;
    let b = into_work(&app).await;
    let w = open_window(&app, "officer-1", "2013-09-15").await;
    let id = w["id"].as_str().unwrap();
    assert_eq!(items(&app, id).await.len(), 2);

    // Until submitted, the money is pending, not claimed, and nothing is turned around.
    let (_, f) = send(app.get("/api/v1/reports/finance", &manager())).await;
    assert_eq!(f["windows"][0]["pending_pence"], 150_000);
    assert_eq!(f["claimed_pence"], 0);

    let auditor = token_for("auditor-1", &[Role::Auditor]);
    let version = crate::claims::etag(&app, id).await;
    let (s, _) = crate::claims::sign(&app, &auditor, id, "validation", &version).await;
    assert_eq!(s, 200);
    let version = crate::claims::etag(&app, id).await;
    let officer = token_for("officer-2", &[Role::ClaimsOfficer]);
    let (s, _) = crate::claims::sign(&app, &officer, id, "submission", &version).await;
    assert_eq!(s, 200);

    let (status, f) =
        send(app.get("/api/v1/reports/finance", &token(&[Role::ClaimsOfficer]))).await;
    assert_eq!(status, 200, "{f}");
    assert_eq!(f["windows"][0]["claimed_pence"], 150_000);
    assert_eq!(f["claimed_pence"], 150_000);
    let by_result: Vec<(&str, i64)> = f["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["result"].as_str().unwrap(),
                r["claimed_pence"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        by_result,
        vec![
            ("continuous_employment", 80_000),
            ("crime_asb_education", 70_000)
        ]
    );
    // Both families were attached in 2012/13: fees (2 families: round(5/3) = 2 funded) and
    // results together.
    assert_eq!(f["years"][0]["attachment_fees_pence"], 640_000);
    assert_eq!(f["years"][0]["total_pence"], 790_000);

    let (status, p) = send(app.get("/api/v1/reports/programme", &manager())).await;
    assert_eq!(status, 200, "{p}");
    let t = &p["turned_around"][0];
    assert_eq!(t["ruleset"], "phase1-2012");
    assert_eq!(t["attached"], 2);
    assert_eq!(t["turned_around"], 2);
    assert_eq!(t["share_basis_points"], 10_000);
    assert_eq!(
        t["employment_share_basis_points"], 5_000,
        "one of two results is employment"
    );
    assert_eq!(t["target"], 730);
    assert_eq!(p["attached"][0]["attached"], 2);
    let traj = &p["trajectories"][0];
    assert_eq!(traj["points"][0]["cumulative"], 2);
    assert_eq!(traj["points"][0]["cut_off"], "2013-09-15");
    let statuses: Vec<&Value> = p["families"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| &f["status"])
        .collect();
    assert!(statuses.contains(&&json!("attached")), "{statuses:?}");
    let _ = (a, b);

    // The chart a board paper embeds.
    let res = app
        .get("/api/v1/reports/programme/trajectory", &manager())
        .header("Accept", "image/svg+xml")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "image/svg+xml");
    let svg = res.text().await.unwrap();
    assert!(svg.starts_with("<svg"), "{svg}");
    assert!(svg.contains("Target 730"));
    assert!(svg.contains("Sep 2013"));
    let (status, _) = send(app.get(
        "/api/v1/reports/programme/trajectory?ruleset=phase2-2015",
        &manager(),
    ))
    .await;
    assert_eq!(status, 422, "no family attached under phase 2");
    // Workers may not read the board's reports.
    let (status, _) = send(app.get("/api/v1/reports/programme", &token(&[Role::LeadWorker]))).await;
    assert_eq!(status, 403);
}
