//! The test harness: one throwaway PostgreSQL cluster per run (unless TEST_DATABASE_URL names a
//! server to use, as a superuser), one migrated template, and for each test a fresh database
//! cloned from it and a real HTTP server on a free port.

use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::OnceLock;

use ffc::auth::{Claims, Role};
use ffc::config::Config;
use ffc::pgcluster::{self, Cluster, APP_ROLE, OWNER_ROLE};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::Value;

pub const TEMPLATE: &str = "ffc_template";
pub const TEST_ISSUER: &str = "https://login.test-council.example";
pub const TEST_AUDIENCE: &str = "ffc-api-test";
pub const DEV_SECRET: &str = "test-secret-test-secret-test-secret-0123";

struct Server {
    /// postgres://postgres@host:port
    superuser_base: String,
    host_port: String,
}

static SERVER: OnceLock<Server> = OnceLock::new();

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn server() -> &'static Server {
    SERVER.get_or_init(|| {
        std::thread::spawn(|| {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(start_server())
        })
        .join()
        .expect("test database set-up")
    })
}

async fn start_server() -> Server {
    let _ = env_logger::builder().is_test(true).try_init();
    ffc::install_crypto();
    let (superuser_base, host_port) = match std::env::var("TEST_DATABASE_URL") {
        Ok(url) => {
            // A superuser URL; a database name at the end, if any, is dropped.
            let base = url.trim_end_matches('/').to_string();
            let base = if base.matches('/').count() > 2 {
                base[..base.rfind('/').unwrap()].to_string()
            } else {
                base
            };
            let host_port = base.rsplit('@').next().unwrap().to_string();
            (base, host_port)
        }
        Err(_) => {
            let dir = std::env::temp_dir().join(format!("ffc-test-{}", std::process::id()));
            let (dir, _) = pgcluster::resolve_data_dir(&dir).expect("test data dir");
            let mut cluster = Cluster::new(dir).expect("PostgreSQL binaries");
            cluster.init_if_needed(false).expect("initdb");
            cluster.start().expect("start PostgreSQL");
            cluster
                .remove_when_process_exits(std::process::id())
                .expect("cleanup watcher");
            let host_port = format!("127.0.0.1:{}", cluster.port);
            (format!("postgres://postgres@{host_port}"), host_port)
        }
    };
    let su = format!("{superuser_base}/postgres");
    let (client, conn) = tokio_postgres::connect(&su, tokio_postgres::NoTls)
        .await
        .expect("connect as superuser");
    tokio::spawn(conn);
    client
        .batch_execute(&format!("DROP DATABASE IF EXISTS {TEMPLATE}"))
        .await
        .expect("drop old template");
    pgcluster::bootstrap(&su, TEMPLATE)
        .await
        .expect("bootstrap");
    ffc::db::migrate(&format!("postgres://{OWNER_ROLE}@{host_port}/{TEMPLATE}"))
        .await
        .expect("migrate template");
    Server {
        superuser_base,
        host_port,
    }
}

/// The RS256 test issuer's configuration, written once per run.
fn issuers_file() -> &'static PathBuf {
    static FILE: OnceLock<PathBuf> = OnceLock::new();
    FILE.get_or_init(|| {
        let path =
            std::env::temp_dir().join(format!("ffc-test-issuers-{}.json", std::process::id()));
        std::fs::write(
            &path,
            serde_json::json!([{
                "issuer": TEST_ISSUER,
                "audience": TEST_AUDIENCE,
                "jwks_file": fixtures().join("test-issuer-jwks.json"),
                "roles": Role::ALL,
            }])
            .to_string(),
        )
        .unwrap();
        path
    })
}

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub app_db_url: String,
    pub superuser_db_url: String,
    /// The test's database, for a second instance on it.
    pub db_name: String,
    server: actix_web::dev::ServerHandle,
    pub state: actix_web::web::Data<ffc::http::AppState>,
}

pub struct Options {
    pub rate_limit_per_minute: u32,
    pub taf_review: ffc::domain::casework::ReviewPolicy,
    pub webhooks: ffc::config::WebhookConfig,
    /// Run on this existing database (another instance's) instead of a fresh one.
    pub database: Option<String>,
    /// Who may read /metrics (loopback by default).
    pub metrics: ffc::http::metrics::MetricsAccess,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            rate_limit_per_minute: 100_000,
            taf_review: Default::default(),
            webhooks: ffc::config::WebhookConfig {
                max_attempts: 20,
                backoff_ms: 100,
                allow_private: true,
            },
            database: None,
            metrics: Default::default(),
        }
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(Options::default()).await
}

pub async fn spawn_app_with(opts: Options) -> TestApp {
    let server = server();
    let db_name = opts
        .database
        .clone()
        .unwrap_or_else(|| format!("test_{}", uuid::Uuid::new_v4().simple()));
    if opts.database.is_none() {
        let (client, conn) = tokio_postgres::connect(
            &format!("{}/postgres", server.superuser_base),
            tokio_postgres::NoTls,
        )
        .await
        .expect("connect");
        tokio::spawn(conn);
        client
            .batch_execute(&format!(
                "CREATE DATABASE {db_name} TEMPLATE {TEMPLATE} OWNER {OWNER_ROLE}"
            ))
            .await
            .expect("create test database");
    }
    let app_db_url = format!("postgres://{APP_ROLE}@{}/{db_name}", server.host_port);

    let issuers_file = issuers_file().clone();
    let config = Config {
        database_url: Some(app_db_url.clone()),
        migration_database_url: None,
        data_dir: PathBuf::from("unused"),
        bind: "127.0.0.1:0".into(),
        workers: 1,
        db_pool_size: 8,
        limits: Default::default(),
        dev_auth: Some(true),
        dev_jwt_secret: Some(DEV_SECRET.into()),
        issuers_file: Some(issuers_file),
        jwt_leeway_seconds: 30,
        rate_limit_per_minute: opts.rate_limit_per_minute,
        cors_origins: vec!["https://frontend.example".into()],
        public_url: "http://127.0.0.1".into(),
        max_body_bytes: 64 * 1024,
        max_import_bytes: 1024 * 1024,
        // Two families a batch: every window of more than two crosses batch boundaries.
        claim_batch: 2,
        taf_review: opts.taf_review,
        webhooks: opts.webhooks.clone(),
        metrics: opts.metrics.clone(),
    };
    let verifier = ffc::server::verifier(&config, Some(DEV_SECRET.as_bytes().to_vec()))
        .await
        .expect("verifier");
    let pool = ffc::db::pool(&app_db_url, config.db_pool_size).expect("pool");
    let state = ffc::server::state(config, pool, verifier);
    ffc::server::start_background(&state, &app_db_url);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let s = state.clone();
    let srv = actix_web::HttpServer::new(move || ffc::server::app(s.clone()))
        .workers(1)
        .disable_signals()
        .listen(listener)
        .unwrap()
        .run();
    let handle = srv.handle();
    tokio::spawn(srv);
    TestApp {
        base: format!("http://127.0.0.1:{port}"),
        client: reqwest::Client::new(),
        superuser_db_url: format!("{}/{db_name}", server.superuser_base),
        app_db_url,
        db_name,
        server: handle,
        state,
    }
}

impl TestApp {
    /// Stops this instance's background work (its job runner and webhook worker) and lets a
    /// loop in flight see it; the HTTP server goes on answering.
    pub async fn stop_background(&self) {
        let _ = self.state.stop.send(true);
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    }

    /// Tells this instance's job runner to look for work now (as a request that queues a job
    /// does).
    pub fn wake_jobs(&self) {
        self.state.jobs.notify_one();
    }

    /// Stops this instance: its HTTP server and its webhook worker (as a process exit would).
    pub async fn stop(&self) {
        let _ = self.state.stop.send(true);
        self.server.stop(true).await;
    }
}

/// The status a token gets listing families: whether it is let in at all.
pub async fn families_status(app: &TestApp, token: &str) -> u16 {
    app.get("/api/v1/families", token)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// A development (HS256) token with these roles.
pub fn token(roles: &[Role]) -> String {
    token_for("test-user", roles)
}

pub fn token_for(sub: &str, roles: &[Role]) -> String {
    ffc::auth::mint_dev_token(DEV_SECRET.as_bytes(), sub, roles, 600)
}

pub fn now() -> u64 {
    jsonwebtoken::get_current_timestamp()
}

/// Standard claims from the RS256 test issuer, for tests to alter.
pub fn rs256_claims(roles: &[Role]) -> Claims {
    Claims {
        sub: "staff-directory-user".into(),
        iss: TEST_ISSUER.into(),
        aud: TEST_AUDIENCE.into(),
        exp: now() + 600,
        nbf: Some(now() - 10),
        iat: Some(now()),
        roles: roles.iter().map(|r| r.as_str().to_string()).collect(),
    }
}

pub fn sign_rs256(claims: &Claims, key_file: &str, kid: Option<&str>) -> String {
    let pem = std::fs::read(fixtures().join(key_file)).unwrap();
    let mut header = Header::new(Algorithm::RS256);
    header.kid = kid.map(str::to_string);
    jsonwebtoken::encode(&header, claims, &EncodingKey::from_rsa_pem(&pem).unwrap()).unwrap()
}

pub fn public_key_pem() -> Vec<u8> {
    std::fs::read(fixtures().join("test-issuer-public.pem")).unwrap()
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn get(&self, path: &str, token: &str) -> reqwest::RequestBuilder {
        self.client.get(self.url(path)).bearer_auth(token)
    }

    pub fn post(&self, path: &str, token: &str, body: &Value) -> reqwest::RequestBuilder {
        self.client
            .post(self.url(path))
            .bearer_auth(token)
            .json(body)
    }

    pub fn patch(&self, path: &str, token: &str, body: &Value) -> reqwest::RequestBuilder {
        self.client
            .patch(self.url(path))
            .bearer_auth(token)
            .json(body)
    }

    pub fn put(&self, path: &str, token: &str, body: &Value) -> reqwest::RequestBuilder {
        self.client
            .put(self.url(path))
            .bearer_auth(token)
            .json(body)
    }

    pub fn delete(&self, path: &str, token: &str) -> reqwest::RequestBuilder {
        self.client.delete(self.url(path)).bearer_auth(token)
    }

    /// A database connection as the service's own role.
    pub async fn app_db(&self) -> tokio_postgres::Client {
        connect(&self.app_db_url).await
    }

    /// A superuser connection to this test's database, for checks the service may not do.
    pub async fn superuser_db(&self) -> tokio_postgres::Client {
        connect(&self.superuser_db_url).await
    }

    /// The OpenAPI document as the running service serves it.
    pub async fn served_document(&self) -> Value {
        self.client
            .get(self.url("/openapi.json"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// Creates a family through the API and returns its JSON.
    pub async fn create_family(&self, token: &str, body: &Value) -> Value {
        let res = self
            .post("/api/v1/families", token, body)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201, "create family");
        res.json().await.unwrap()
    }

    pub async fn count(&self, table: &str) -> i64 {
        let db = self.superuser_db().await;
        db.query_one(&format!("SELECT count(*) FROM {table}"), &[])
            .await
            .unwrap()
            .get(0)
    }
}

pub async fn connect(url: &str) -> tokio_postgres::Client {
    let (client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .expect("connect");
    tokio::spawn(conn);
    client
}

pub fn family_body() -> Value {
    serde_json::json!({
        "address_line1": "12 Example Street",
        "town": "Rotherham",
        "postcode": "s60 1ae",
        "housing_tenure": "social_rent_council",
        "bedrooms": 3,
        "members": [
            {"member_role": "adult", "relationship": "parent", "given_name": "Alice",
             "family_name": "Smith", "date_of_birth": "1980-02-03", "gender": "female",
             "nhs_number": "943 476 5919", "ni_number": "ab 12 34 56 c"},
            {"member_role": "child", "relationship": "child", "given_name": "Kieran",
             "family_name": "Smith", "date_of_birth": "2008-05-06", "gender": "male",
             "upn": "p207000016049", "school_name": "Aston Academy"}
        ]
    })
}

pub fn coordinator() -> String {
    token(&[Role::Coordinator])
}

/// Sends a request: its status and JSON body (`Null` when there is none).
pub async fn send(req: reqwest::RequestBuilder) -> (u16, Value) {
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    let text = res.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// The fields a problem's errors name, in order.
pub fn fields(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .map(|e| {
            e.iter()
                .map(|x| x["field"].as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
}
