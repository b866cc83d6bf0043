//! The `ffc` binary's one-shot commands.

use std::process::Command;

fn ffc() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_ffc"));
    for v in [
        "DATABASE_URL",
        "FFC_DEV_AUTH",
        "FFC_DEV_JWT_SECRET",
        "FFC_DATA_DIR",
    ] {
        c.env_remove(v);
    }
    c
}

#[test]
fn openapi_prints_the_committed_document() {
    let out = ffc().arg("openapi").output().unwrap();
    assert!(out.status.success());
    let printed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let committed: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/openapi.json"))
            .unwrap(),
    )
    .unwrap();
    assert_eq!(printed, committed);
}

#[test]
fn token_is_refused_when_development_signing_is_off() {
    // With DATABASE_URL set the service manages nothing, and development signing is off by default.
    let out = ffc()
        .args(["token", "--role", "coordinator"])
        .env("DATABASE_URL", "postgres://nobody@127.0.0.1:1/none")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("development signing is off"));
}

#[test]
fn token_mints_a_token_the_service_accepts_when_enabled() {
    let secret = "cli-test-secret-cli-test-secret-0123456789";
    let out = ffc()
        .args([
            "token",
            "--role",
            "coordinator,auditor",
            "--sub",
            "alice",
            "--ttl",
            "120",
        ])
        .env("DATABASE_URL", "postgres://nobody@127.0.0.1:1/none")
        .env("FFC_DEV_AUTH", "true")
        .env("FFC_DEV_JWT_SECRET", secret)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let token = String::from_utf8(out.stdout).unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let p = rt.block_on(async {
        ffc::install_crypto();
        ffc::auth::Verifier::new(vec![], Some(secret.as_bytes().to_vec()), 30)
            .await
            .unwrap()
            .verify(token.trim())
            .await
            .unwrap()
    });
    assert_eq!(p.subject, "alice");
    assert_eq!(
        p.roles,
        vec![ffc::auth::Role::Coordinator, ffc::auth::Role::Auditor]
    );
    // Unknown roles and missing values are refused with a message.
    let out = ffc()
        .args(["token", "--role", "wizard"])
        .env("FFC_DEV_AUTH", "true")
        .env("FFC_DEV_JWT_SECRET", secret)
        .env("DATABASE_URL", "postgres://nobody@127.0.0.1:1/none")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown role"));
}

#[test]
fn a_missing_postgresql_installation_says_what_to_install() {
    let dir = std::env::temp_dir().join(format!("ffc-cli-nopg-{}", std::process::id()));
    let out = ffc()
        .arg("migrate")
        .env("FFC_DATA_DIR", &dir)
        .env("FFC_PG_BIN_DIR", "/nonexistent/postgresql/bin")
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("apt-get install postgresql"), "{err}");
}

/// Seeds a test database through the binary, as the owner would.
fn seed(app: &crate::common::TestApp, families: &str, seed: &str) -> std::process::Output {
    let owner = app
        .app_db_url
        .replacen(ffc::pgcluster::APP_ROLE, ffc::pgcluster::OWNER_ROLE, 1);
    ffc()
        .args(["seed", "--families", families, "--seed", seed])
        .env("DATABASE_URL", &app.app_db_url)
        .env("MIGRATION_DATABASE_URL", owner)
        .output()
        .unwrap()
}

/// What a seeded database holds, as one fingerprint.
async fn fingerprint(app: &crate::common::TestApp) -> (i64, i64, i64, i64, i64, String) {
    let db = app.superuser_db().await;
    let row = db
        .query_one(
            "SELECT (SELECT count(*) FROM families), (SELECT count(*) FROM members),
                    (SELECT count(*) FROM evidence),
                    (SELECT count(*) FROM allocations WHERE ended_at IS NULL),
                    (SELECT count(*) FROM referrals),
                    (SELECT md5(string_agg(m.id::text || m.family_id::text || m.date_of_birth::text
                                           || coalesce(m.nhs_number, '') || coalesce(m.upn, ''),
                                           ',' ORDER BY m.id)) FROM members m)",
            &[],
        )
        .await
        .unwrap();
    (
        row.get(0),
        row.get(1),
        row.get(2),
        row.get(3),
        row.get(4),
        row.get(5),
    )
}

#[tokio::test]
async fn seed_fills_the_database_reproducibly_with_valid_records() {
    let (a, b) = (
        crate::common::spawn_app().await,
        crate::common::spawn_app().await,
    );
    for app in [&a, &b] {
        let out = seed(app, "300", "11");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(String::from_utf8_lossy(&out.stdout).contains("seeded 300 families"));
    }
    let (fa, fb) = (fingerprint(&a).await, fingerprint(&b).await);
    assert_eq!(fa, fb, "the same seed gives the same rows");
    assert_eq!(fa.0, 300);
    assert!(
        fa.1 >= 300 && fa.1 <= 2400,
        "1 to 8 members a family: {}",
        fa.1
    );
    assert!(fa.2 > fa.1, "evidence for most members: {}", fa.2);
    assert!(fa.3 > 50 && fa.4 > 3, "allocations and referrals: {fa:?}");
    // The records are what the API serves: a seeded family reads back with its members.
    let db = a.superuser_db().await;
    let id: String = db
        .query_one("SELECT id::text FROM families ORDER BY id LIMIT 1", &[])
        .await
        .unwrap()
        .get(0);
    let res = a
        .get(
            &format!("/api/v1/families/{id}"),
            &crate::common::token(&[ffc::auth::Role::Coordinator]),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let family: serde_json::Value = res.json().await.unwrap();
    assert!(
        !family["members"].as_array().unwrap().is_empty(),
        "{family}"
    );
    let bad = seed(&a, "0", "1");
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--families"));
}
