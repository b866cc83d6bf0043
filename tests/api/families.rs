//! Families, members and relatives: CRUD, validation, identifiers.

use ffc::auth::Role;
use serde_json::{json, Value};

use crate::common::*;

#[tokio::test]
async fn create_read_update_list_and_archive_a_family() {
    let app = spawn_app().await;
    let t = coordinator();
    let res = app
        .post("/api/v1/families", &t, &family_body())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let location = res.headers()["location"].to_str().unwrap().to_string();
    assert_eq!(res.headers()["etag"], "\"1\"");
    let created: Value = res.json().await.unwrap();
    let id = created["id"].as_str().unwrap();
    assert_eq!(location, format!("/api/v1/families/{id}"));
    assert!(created["reference"].as_str().unwrap().starts_with("FFC-"));
    assert_eq!(created["postcode"], "S60 1AE", "postcode normalised");
    assert_eq!(created["status"], "identified");
    let members = created["members"].as_array().unwrap();
    assert_eq!(members.len(), 2);
    let adult = members.iter().find(|m| m["given_name"] == "Alice").unwrap();
    assert_eq!(adult["nhs_number"], "9434765919");
    assert_eq!(adult["ni_number"], "AB123456C");
    let child = members
        .iter()
        .find(|m| m["given_name"] == "Kieran")
        .unwrap();
    assert_eq!(child["upn"], "P207000016049");

    let res = app.get(&location, &t).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["etag"], "\"1\"");
    let read: Value = res.json().await.unwrap();
    assert_eq!(read["reference"], created["reference"]);

    let res = app
        .patch(
            &location,
            &t,
            &json!({"bedrooms": 4, "notes": "Larger house", "address_line2": null}),
        )
        .header("If-Match", "\"1\"")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["etag"], "\"2\"");
    let updated: Value = res.json().await.unwrap();
    assert_eq!(updated["bedrooms"], 4);
    assert_eq!(updated["notes"], "Larger house");
    assert_eq!(updated["version"], 2);

    let list: Value = app
        .get("/api/v1/families", &t)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    assert_eq!(list["items"][0]["members"].as_array().unwrap().len(), 2);
    assert!(list["next_cursor"].is_null());

    let res = app
        .delete(&location, &t)
        .header("If-Match", "\"2\"")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    assert_eq!(app.get(&location, &t).send().await.unwrap().status(), 404);
    let list: Value = app
        .get("/api/v1/families", &t)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        list["items"].as_array().unwrap().is_empty(),
        "archived families leave the list"
    );
    let list: Value = app
        .get("/api/v1/families?status=archived", &t)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["items"][0]["id"], id, "but can be asked for");
}

async fn assert_field_error(app: &TestApp, body: Value, field: &str) {
    let before = app.count("families").await;
    let res = app
        .post("/api/v1/families", &coordinator(), &body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422, "{field}");
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    let p: Value = res.json().await.unwrap();
    let fields: Vec<&str> = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert!(
        fields.contains(&field),
        "expected an error on {field}, got {fields:?}"
    );
    assert_eq!(app.count("families").await, before, "nothing written");
    assert_eq!(app.count("members").await, 0);
}

fn with_member_field(field: &str, value: Value) -> Value {
    let mut b = family_body();
    b["members"][1][field] = value;
    b
}

#[tokio::test]
async fn bad_identifiers_are_422_naming_the_field_and_nothing_is_written() {
    let app = spawn_app().await;
    // UPN: the rules page's own example, whose check letter should be P.
    assert_field_error(
        &app,
        with_member_field("upn", json!("B207000016049")),
        "members[1].upn",
    )
    .await;
    assert_field_error(
        &app,
        with_member_field("upn", json!("P20700001604")),
        "members[1].upn",
    )
    .await;
    // NHS number: wrong check digit, and one whose check digit computes to 10.
    assert_field_error(
        &app,
        with_member_field("nhs_number", json!("9434765918")),
        "members[1].nhs_number",
    )
    .await;
    assert_field_error(
        &app,
        with_member_field("nhs_number", json!("9990000000")),
        "members[1].nhs_number",
    )
    .await;
    // NI number: a prefix never issued, a forbidden letter, a bad suffix.
    assert_field_error(
        &app,
        with_member_field("ni_number", json!("GB123456A")),
        "members[1].ni_number",
    )
    .await;
    assert_field_error(
        &app,
        with_member_field("ni_number", json!("DA123456A")),
        "members[1].ni_number",
    )
    .await;
    assert_field_error(
        &app,
        with_member_field("ni_number", json!("AB123456E")),
        "members[1].ni_number",
    )
    .await;
    let mut b = family_body();
    b["postcode"] = json!("S60");
    assert_field_error(&app, b, "postcode").await;
}

#[tokio::test]
async fn every_other_validation_rule_names_its_field() {
    let app = spawn_app().await;
    let mut b = family_body();
    b["bedrooms"] = json!(21);
    assert_field_error(&app, b, "bedrooms").await;
    let mut b = family_body();
    b["lsoa"] = json!("X01234567");
    assert_field_error(&app, b, "lsoa").await;
    let mut b = family_body();
    b["address_line1"] = json!("   ");
    assert_field_error(&app, b, "address_line1").await;
    let mut b = family_body();
    b["town"] = json!("x".repeat(101));
    assert_field_error(&app, b, "town").await;
    let mut b = family_body();
    b["housing_tenure"] = json!("castle");
    assert_field_error(&app, b, "housing_tenure").await;
    let mut b = family_body();
    b["favourite_colour"] = json!("blue");
    assert_field_error(&app, b, "favourite_colour").await;
    let mut b = family_body();
    b.as_object_mut().unwrap().remove("town");
    assert_field_error(&app, b, "town").await;
    let mut b = family_body();
    b["notes"] = json!("nul\u{0}byte");
    assert_field_error(&app, b, "notes").await;
    assert_field_error(
        &app,
        with_member_field("date_of_birth", json!("2999-01-01")),
        "members[1].date_of_birth",
    )
    .await;
    assert_field_error(
        &app,
        with_member_field("date_of_birth", json!("1899-12-31")),
        "members[1].date_of_birth",
    )
    .await;
    assert_field_error(
        &app,
        with_member_field("date_of_birth", json!("not-a-date")),
        "members[1].date_of_birth",
    )
    .await;
    let mut b = family_body();
    b["members"][0]["school_name"] = json!("Adults have no school");
    assert_field_error(&app, b, "members[0].school_name").await;
}

#[tokio::test]
async fn members_are_added_read_changed_and_archived() {
    let app = spawn_app().await;
    let t = coordinator();
    let family = app.create_family(&t, &family_body()).await;
    let fid = family["id"].as_str().unwrap();
    let res = app
        .post(
            &format!("/api/v1/families/{fid}/members"),
            &t,
            &json!({"member_role": "child", "relationship": "child", "given_name": "Mia",
                    "family_name": "Smith", "date_of_birth": "2019-01-01", "gender": "female",
                    "nhs_number": "9990001006"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let loc = res.headers()["location"].to_str().unwrap().to_string();
    let m: Value = res.json().await.unwrap();
    assert_eq!(
        loc,
        format!(
            "/api/v1/families/{fid}/members/{}",
            m["id"].as_str().unwrap()
        )
    );

    let res = app.get(&loc, &t).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["etag"], "\"1\"");

    // Clearing an identifier with null; a bad one is refused.
    let res = app
        .patch(&loc, &t, &json!({"nhs_number": null}))
        .header("If-Match", "\"1\"")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let m: Value = res.json().await.unwrap();
    assert!(m["nhs_number"].is_null());
    let res = app
        .patch(&loc, &t, &json!({"upn": "B207000016049"}))
        .header("If-Match", "\"2\"")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let p: Value = res.json().await.unwrap();
    assert_eq!(p["errors"][0]["field"], "upn");
    // Becoming an adult while keeping a school is refused.
    let res = app
        .patch(
            &loc,
            &t,
            &json!({"member_role": "adult", "school_name": "X"}),
        )
        .header("If-Match", "\"2\"")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);

    let family_now: Value = app
        .get(&format!("/api/v1/families/{fid}"), &t)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(family_now["members"].as_array().unwrap().len(), 3);
    assert!(
        family_now["version"].as_i64().unwrap() > 1,
        "member changes move the family's version on"
    );

    let res = app
        .delete(&loc, &t)
        .header("If-Match", "\"2\"")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    assert_eq!(app.get(&loc, &t).send().await.unwrap().status(), 404);
    let family_now: Value = app
        .get(&format!("/api/v1/families/{fid}"), &t)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(family_now["members"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn relatives_outside_the_household_are_relationships() {
    let app = spawn_app().await;
    let t = coordinator();
    let family = app.create_family(&t, &family_body()).await;
    let fid = family["id"].as_str().unwrap();
    let mother = family["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["given_name"] == "Alice")
        .unwrap()["id"]
        .clone();
    let res = app
        .post(
            &format!("/api/v1/families/{fid}/relatives"),
            &t,
            &json!({"related_member_id": mother, "relationship": "son", "given_name": "Older",
                      "family_name": "Smith", "notes": "Lives independently"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let rel: Value = res.json().await.unwrap();
    let family_now: Value = app
        .get(&format!("/api/v1/families/{fid}"), &t)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(family_now["relatives"][0]["related_member_id"], mother);
    assert_eq!(
        family_now["members"].as_array().unwrap().len(),
        2,
        "not a member"
    );
    // A member of another family cannot be the related member.
    let other = app.create_family(&t, &family_body()).await;
    let stranger = other["members"][0]["id"].clone();
    let res = app
        .post(&format!("/api/v1/families/{fid}/relatives"), &t,
              &json!({"related_member_id": stranger, "relationship": "son", "given_name": "X", "family_name": "Y"}))
        .send().await.unwrap();
    assert_eq!(res.status(), 422);
    let loc = format!(
        "/api/v1/families/{fid}/relatives/{}",
        rel["id"].as_str().unwrap()
    );
    assert_eq!(
        app.delete(&loc, &t)
            .header("If-Match", "\"1\"")
            .send()
            .await
            .unwrap()
            .status(),
        204
    );
    let family_now: Value = app
        .get(&format!("/api/v1/families/{fid}"), &t)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(family_now["relatives"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn list_filters_by_postcode_status_and_text() {
    let app = spawn_app().await;
    let t = coordinator();
    let a = app.create_family(&t, &family_body()).await;
    let mut other = family_body();
    other["postcode"] = json!("S65 2BB");
    other["members"][0]["given_name"] = json!("Zebedee");
    other["members"][0]["family_name"] = json!("Jones");
    other["members"][1]["family_name"] = json!("Jones");
    let b = app.create_family(&t, &other).await;
    let ids = |v: &Value| -> Vec<String> {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_str().unwrap().to_string())
            .collect()
    };
    let get = |q: &str| app.get(&format!("/api/v1/families?{q}"), &t).send();
    let r: Value = get("postcode=s652bb").await.unwrap().json().await.unwrap();
    assert_eq!(ids(&r), vec![b["id"].as_str().unwrap()]);
    let r: Value = get("q=zebed").await.unwrap().json().await.unwrap();
    assert_eq!(ids(&r), vec![b["id"].as_str().unwrap()], "member name");
    let reference = a["reference"].as_str().unwrap();
    let r: Value = get(&format!("q={reference}"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(ids(&r), vec![a["id"].as_str().unwrap()], "reference");
    // Text with a digit or starting FFC is looked for in references only, other text in names.
    let r: Value = get("q=ffc").await.unwrap().json().await.unwrap();
    assert_eq!(ids(&r).len(), 2, "every reference starts FFC");
    let r: Value = get("q=jones").await.unwrap().json().await.unwrap();
    assert_eq!(ids(&r), vec![b["id"].as_str().unwrap()], "surname");
    let r: Value = get("status=identified")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(ids(&r).len(), 2);
    let r: Value = get("q=50%25").await.unwrap().json().await.unwrap();
    assert!(ids(&r).is_empty(), "LIKE wildcards are literal");
    for (q, field) in [
        ("postcode=nope", "postcode"),
        ("status=lost", "status"),
        ("q=ab", "q"),
        ("limit=0", "limit"),
        ("limit=201", "limit"),
        ("cursor=%21%21", "cursor"),
    ] {
        let res = get(q).await.unwrap();
        assert_eq!(res.status(), 400, "{q}");
        let p: Value = res.json().await.unwrap();
        assert_eq!(p["errors"][0]["field"], field);
    }
}

#[tokio::test]
async fn pagination_walks_every_family_once() {
    let app = spawn_app().await;
    let t = coordinator();
    let mut created = Vec::new();
    for _ in 0..7 {
        created.push(
            app.create_family(&t, &family_body()).await["id"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/families?limit=3&cursor={c}"),
            None => "/api/v1/families?limit=3".into(),
        };
        let page: Value = app
            .get(&path, &t)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        pages += 1;
        for i in page["items"].as_array().unwrap() {
            seen.push(i["id"].as_str().unwrap().to_string());
        }
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    created.reverse();
    assert_eq!(seen, created, "newest first, each once");
}

#[tokio::test]
async fn a_case_study_sized_family_loads_through_the_demo() {
    let app = spawn_app().await;
    let pool = ffc::db::pool(&app.app_db_url, 2).unwrap();
    let reference = ffc::demo::load(&pool, Default::default()).await.unwrap();
    assert!(reference.starts_with("FFC-"));
    let again = ffc::demo::load(&pool, Default::default()).await.unwrap();
    assert!(again.ends_with("(already loaded)"), "{again}");
    let t = token(&[Role::Auditor]);
    let list: Value = app
        .get("/api/v1/families", &t)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    let id = list["items"][0]["id"].as_str().unwrap();
    let f: Value = app
        .get(&format!("/api/v1/families/{id}"), &t)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(f["members"].as_array().unwrap().len(), 5);
    assert_eq!(f["relatives"].as_array().unwrap().len(), 2);
    // Ages in 2013, as the report gives them.
    let on = chrono::NaiveDate::from_ymd_opt(2013, 6, 1).unwrap();
    let mut ages: Vec<(String, i32)> = f["members"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["member_role"] == "child")
        .map(|m| {
            let dob: chrono::NaiveDate = m["date_of_birth"].as_str().unwrap().parse().unwrap();
            (
                m["family_name"].as_str().unwrap().to_string(),
                ffc::domain::people::age_on(dob, on),
            )
        })
        .collect();
    ages.sort();
    assert_eq!(
        ages,
        vec![("K".into(), 16), ("L".into(), 12), ("M".into(), 4)]
    );
}

#[tokio::test]
async fn a_whole_number_written_as_a_float_is_accepted() {
    let app = spawn_app().await;
    let mut b = family_body();
    b["bedrooms"] = json!(4.0);
    let f = app.create_family(&coordinator(), &b).await;
    assert_eq!(f["bedrooms"], 4);
}

#[tokio::test]
async fn a_filter_given_twice_is_refused_and_unknown_parameters_are_ignored() {
    let app = spawn_app().await;
    let t = coordinator();
    let res = app
        .get("/api/v1/families?status=identified&status=closed", &t)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    let p: Value = res.json().await.unwrap();
    assert_eq!(p["errors"][0]["field"], "status");
    let res = app
        .get("/api/v1/families?colour=red&colour=blue", &t)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
}

#[tokio::test]
async fn an_unnamed_unknown_field_is_still_named_in_the_error() {
    let app = spawn_app().await;
    let res = app
        .post("/api/v1/families", &coordinator(), &json!({"": null}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let p: Value = res.json().await.unwrap();
    let field = p["errors"][0]["field"].as_str().unwrap();
    assert!(!field.trim().is_empty());
}

#[tokio::test]
async fn references_keep_their_digits_past_a_million_families() {
    let app = spawn_app().await;
    app.superuser_db()
        .await
        .execute("SELECT setval('family_reference_seq', 999999)", &[])
        .await
        .unwrap();
    let t = token(&[Role::Coordinator]);
    let created = app.create_family(&t, &family_body()).await;
    // lpad alone would have cut it to FFC-100000, the 100,000th family's reference.
    assert_eq!(created["reference"], "FFC-1000000");
}
