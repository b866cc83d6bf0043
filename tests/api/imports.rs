//! CSV imports of partners' data.

use ffc::auth::Role;
use serde_json::{json, Value};

use crate::common::*;

async fn upload(app: &TestApp, path: &str, csv: &str) -> reqwest::Response {
    app.client
        .post(app.url(path))
        .bearer_auth(coordinator())
        .header("Content-Type", "text/csv")
        .body(csv.to_string())
        .send()
        .await
        .unwrap()
}

const TERMS: &str = "upn,academic_year,term,possible_sessions,sessions_attended,unauthorised_absences,fixed_term_exclusions,school\n";

#[tokio::test]
async fn school_terms_are_matched_by_upn_and_a_reupload_adds_nothing() {
    let app = spawn_app().await;
    let f = app.create_family(&coordinator(), &family_body()).await; // Kieran has UPN P207000016049
    let csv = format!(
        "{TERMS}P207000016049,2012,autumn,140,100,30,1,Aston\n\
         p207000016049,2012,spring,120,110,5,0,Aston\n\
         A123456789012,2012,autumn,140,100,30,1,Elsewhere\n\
         P207000016049,2012,summer,100,120,0,0,Aston\n\
         B207000016049,2012,summer,100,90,5,0,Aston\n"
    );
    let res = upload(&app, "/api/v1/imports/school-terms", &csv).await;
    assert_eq!(res.status(), 201);
    let first: Value = res.json().await.unwrap();
    assert_eq!(first["rows_total"], 5);
    assert_eq!(first["imported"], 2);
    assert_eq!(first["for_review"], 3);
    let review = first["review"].as_array().unwrap();
    let lines: Vec<(i64, &str)> = review
        .iter()
        .map(|r| (r["line"].as_i64().unwrap(), r["problem"].as_str().unwrap()))
        .collect();
    assert_eq!(
        lines,
        vec![(4, "unmatched"), (5, "invalid"), (6, "invalid")]
    );
    assert!(review[1]["detail"]
        .as_str()
        .unwrap()
        .contains("sessions_attended"));
    assert_eq!(
        review[0]["fields"]["school"], "Elsewhere",
        "the row is kept as uploaded"
    );
    let evidence: Value = app
        .get(
            &format!("/api/v1/families/{}/evidence", f["id"].as_str().unwrap()),
            &coordinator(),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(evidence["items"].as_array().unwrap().len(), 2);
    assert_eq!(evidence["items"][0]["source"], "school");
    // The same file again: nothing new, every matched row a duplicate.
    let again: Value = upload(&app, "/api/v1/imports/school-terms", &csv)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (again["imported"].clone(), again["duplicates"].clone()),
        (json!(0), json!(2))
    );
    assert_eq!(app.count("evidence").await, 2);
    // The import and its review rows can be read back later.
    let stored: Value = app
        .get(
            &format!("/api/v1/imports/{}", first["id"].as_str().unwrap()),
            &token(&[Role::Auditor]),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(stored["review"].as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn police_rows_match_by_ni_number_or_exact_name_and_date_of_birth() {
    let app = spawn_app().await;
    app.create_family(&coordinator(), &family_body()).await; // Alice AB123456C, Kieran 2008-05-06
                                                             // Another household with a second Kieran Smith born the same day (and another adult).
    let mut other = family_body();
    other["members"][0]["ni_number"] = json!("CE654321A");
    let twin = app.create_family(&coordinator(), &other).await;
    let csv = "record_type,date,ni_number,given_name,family_name,date_of_birth,intervention_kind\n\
               asb_incident,2013-01-19,AB 12 34 56 C,,,,\n\
               asb_intervention,2013-02-01,ab123456c,,,,asbo\n\
               proven_offence,2013-02-02,,kieran,SMITH,2008-05-06,\n\
               proven_offence,2013-02-03,,Nobody,Known,2001-01-01,\n\
               asb_intervention,2013-02-04,AB123456C,,,,\n";
    let res = upload(&app, "/api/v1/imports/police", csv).await;
    assert_eq!(res.status(), 201);
    let v: Value = res.json().await.unwrap();
    assert_eq!(v["imported"], 2, "{v}");
    let problems: Vec<(i64, &str)> = v["review"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["line"].as_i64().unwrap(), r["problem"].as_str().unwrap()))
        .collect();
    assert_eq!(
        problems,
        vec![(4, "ambiguous"), (5, "unmatched"), (6, "invalid")]
    );
    assert!(twin["id"].is_string());
}

#[tokio::test]
async fn a_structural_fault_refuses_the_whole_file() {
    let app = spawn_app().await;
    app.create_family(&coordinator(), &family_body()).await;
    let missing = "upn,academic_year,term,possible_sessions,sessions_attended,fixed_term_exclusions\nP207000016049,2012,autumn,140,100,1\n";
    let res = upload(&app, "/api/v1/imports/school-terms", missing).await;
    assert_eq!(res.status(), 422);
    let p: Value = res.json().await.unwrap();
    assert_eq!(
        p["errors"][0]["field"],
        "file: column unauthorised_absences"
    );
    let res = app
        .client
        .post(app.url("/api/v1/imports/school-terms"))
        .bearer_auth(coordinator())
        .header("Content-Type", "text/csv")
        .body(vec![0x75, 0x70, 0x6e, 0xff, 0xfe, 0x0a])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let p: Value = res.json().await.unwrap();
    assert_eq!(p["errors"][0]["field"], "file");
    let res = app
        .client
        .post(app.url("/api/v1/imports/school-terms"))
        .bearer_auth(coordinator())
        .header("Content-Type", "application/json")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 415);
    assert_eq!(app.count("evidence").await, 0);
    assert_eq!(app.count("imports").await, 0);
}

#[tokio::test]
async fn get_on_an_upload_address_is_405_not_a_bad_id() {
    let app = spawn_app().await;
    let res = app
        .get("/api/v1/imports/police", &coordinator())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 405);
    assert_eq!(res.headers()["allow"], "POST");
    let res = app
        .get(
            &format!("/api/v1/imports/{}", uuid::Uuid::now_v7()),
            &coordinator(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
}
