//! Faults: the service answers quickly and honestly when its database or its clients misbehave,
//! and loses nothing it acknowledged. Each test runs the real binary (`ffc serve`) on its own
//! managed PostgreSQL, so that one can be killed without touching the others; traffic goes only
//! to 127.0.0.1, and every wait is bounded. (A body over the limit, 413, and a burst from one
//! client, 429, are proven by the main suite: conventions.rs and security.rs.)

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ffc::auth::Role;
use ffc::pgcluster::Cluster;
use serde_json::{json, Value};

const SECRET: &str = "fault-tests-secret-fault-tests-secret-0123";

static NEXT: AtomicUsize = AtomicUsize::new(0);

/// One running service and its database.
struct Service {
    child: Option<Child>,
    base: String,
    dir: PathBuf,
    cluster: Cluster,
    log: PathBuf,
}

fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

fn token() -> String {
    ffc::auth::mint_dev_token(SECRET.as_bytes(), "fault-tester", &[Role::Coordinator], 600)
}

impl Service {
    /// Starts `ffc serve` with the given settings and waits (at most 120 s: initdb and the
    /// migrations on a shared machine) until it is ready.
    /// Starts `ffc serve` with the given settings and waits (at most 120 s: initdb and the
    /// migrations on a shared machine) until it is ready; `None` (the test is skipped, and says
    /// so) where no PostgreSQL server binaries are installed, as when tests use
    /// TEST_DATABASE_URL.
    async fn start(settings: &[(&str, &str)]) -> Option<Service> {
        ffc::install_crypto();
        let dir = std::env::temp_dir().join(format!(
            "ffc-fault-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        let (dir, _) = ffc::pgcluster::resolve_data_dir(&dir).expect("data dir");
        let mut cluster = match Cluster::new(dir.clone()) {
            Ok(c) => c,
            Err(e) => {
                eprintln!("fault test skipped: {e}");
                return None;
            }
        };
        let port = free_port();
        let log = std::env::temp_dir().join(format!(
            "{}.log",
            dir.file_name().unwrap().to_string_lossy()
        ));
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_ffc"));
        cmd.arg("serve")
            .env_remove("DATABASE_URL")
            .env("FFC_DATA_DIR", &dir)
            .env("FFC_BIND", format!("127.0.0.1:{port}"))
            .env("FFC_DEV_AUTH", "true")
            .env("FFC_DEV_JWT_SECRET", SECRET)
            .env("FFC_RATE_LIMIT_PER_MINUTE", "1000000")
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(&log).unwrap())
            .stderr(std::fs::File::options().append(true).open(&log).unwrap());
        for (k, v) in settings {
            cmd.env(k, v);
        }
        let child = cmd.spawn().expect("ffc serve");
        // From here the service and its database are stopped whatever happens (Drop), and
        // removed even if this test process is killed.
        let mut service = Service {
            child: Some(child),
            base: format!("http://127.0.0.1:{port}"),
            dir,
            cluster: Cluster::new(PathBuf::new()).expect("binaries found above"),
            log,
        };
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            if let Ok(r) = client.get(service.url("/health/ready")).send().await {
                if r.status() == 200 {
                    break;
                }
            }
            let exited = service.child.as_mut().unwrap().try_wait().unwrap();
            assert!(exited.is_none(), "the service exited: {exited:?}");
            assert!(
                Instant::now() < deadline,
                "the service did not become ready"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        let text = std::fs::read_to_string(&service.log).unwrap();
        cluster.port = text
            .split("PostgreSQL listening on 127.0.0.1:")
            .nth(1)
            .and_then(|r| r.split_whitespace().next())
            .and_then(|p| p.parse().ok())
            .expect("PostgreSQL port in the log");
        cluster
            .remove_when_process_exits(std::process::id())
            .expect("cleanup watcher");
        service.cluster = cluster;
        Some(service)
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A superuser connection to the service's database.
    async fn db(&self) -> tokio_postgres::Client {
        let url = format!("postgres://postgres@127.0.0.1:{}/ffc", self.cluster.port);
        let (client, conn) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
            .await
            .expect("connect as superuser");
        tokio::spawn(conn);
        client
    }

    /// How many families the database holds (committed).
    async fn families(&self) -> i64 {
        self.db()
            .await
            .query_one("SELECT count(*) FROM families", &[])
            .await
            .unwrap()
            .get(0)
    }

    fn pid(&self) -> u32 {
        self.child.as_ref().unwrap().id()
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = Command::new("kill")
                .args(["-TERM", &child.id().to_string()])
                .status();
            let deadline = Instant::now() + Duration::from_secs(20);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = child.try_wait() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        let _ = Cluster::new(self.dir.clone()).map(|c| c.kill());
        if std::thread::panicking() {
            // What the service said, for whoever reads the failure.
            let log = std::fs::read_to_string(&self.log).unwrap_or_default();
            let tail: Vec<&str> = log.lines().rev().take(40).collect();
            eprintln!("--- service log (last lines) ---");
            for line in tail.into_iter().rev() {
                eprintln!("{line}");
            }
        }
        let _ = std::fs::remove_dir_all(&self.dir);
        let _ = std::fs::remove_file(&self.log);
    }
}

/// Creates a family (a write that is acknowledged with 201 only once committed).
async fn create_family(client: &reqwest::Client, base: &str) -> reqwest::Response {
    client
        .post(format!("{base}/api/v1/families"))
        .bearer_auth(token())
        .json(&json!({
            "address_line1": "1 Fault Street",
            "town": "Rotherham",
            "postcode": "S60 1AE",
            "housing_tenure": "social_rent_council",
            "bedrooms": 2,
            "members": [{"member_role": "adult", "relationship": "parent", "given_name": "Ada",
                         "family_name": "Fault", "date_of_birth": "1980-02-03",
                         "gender": "female"}]
        }))
        .timeout(Duration::from_secs(15))
        .send()
        .await
        .expect("an answer")
}

async fn family_path(service: &Service, client: &reqwest::Client) -> String {
    let res = create_family(client, &service.base).await;
    assert_eq!(res.status(), 201);
    let created: Value = res.json().await.unwrap();
    format!("/api/v1/families/{}", created["id"].as_str().unwrap())
}

/// A 503 as the contract says: problem+json, with Retry-After.
fn is_documented_503(status: u16, headers: &reqwest::header::HeaderMap) -> bool {
    status == 503
        && headers.get("retry-after").is_some()
        && headers.get("content-type").is_some_and(|v| {
            v.to_str()
                .unwrap_or("")
                .starts_with("application/problem+json")
        })
}

/// Holds an exclusive lock on `families` until dropped (or `release`d): requests that read
/// families wait on it, each holding its database connection.
struct TableLock {
    client: tokio_postgres::Client,
}

impl TableLock {
    async fn take(service: &Service) -> TableLock {
        let client = service.db().await;
        client
            .batch_execute("BEGIN; LOCK TABLE families IN ACCESS EXCLUSIVE MODE")
            .await
            .unwrap();
        TableLock { client }
    }

    async fn release(self) {
        self.client.batch_execute("ROLLBACK").await.unwrap();
    }
}

/// Kills PostgreSQL under the load already flowing (after a second of it), starts it again
/// 1.5 s later, and waits at most 10 s for `success_after(up)` to find an answer that succeeded
/// once it was back. Returns when it went down, when it came up, and that first success.
async fn kill_and_restart(
    service: &Service,
    success_after: impl Fn(Instant) -> Option<Instant>,
) -> (Instant, Instant, Instant) {
    tokio::time::sleep(Duration::from_secs(1)).await;
    service.cluster.kill().expect("kill PostgreSQL");
    let down = Instant::now();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let mut cluster = Cluster::new(service.dir.clone()).unwrap();
    cluster
        .start_on(service.cluster.port)
        .expect("start PostgreSQL again");
    let up = Instant::now();
    loop {
        if let Some(t) = success_after(up) {
            return (down, up, t);
        }
        assert!(
            up.elapsed() < Duration::from_secs(10),
            "nothing succeeded 10 s after the restart"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// When a write was answered, its status, the family id if created, and whether a 503 was as
/// documented.
type Answer = (Instant, u16, Option<String>, bool);

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_database_restart_is_answered_503_and_every_acknowledged_write_survives() {
    let Some(service) = Service::start(&[]).await else {
        return;
    };
    let stop = Arc::new(AtomicBool::new(false));
    let seen: Arc<Mutex<Vec<Answer>>> = Arc::default();
    let mut writers = Vec::new();
    for _ in 0..4 {
        let (stop, seen) = (stop.clone(), seen.clone());
        let base = service.base.clone();
        writers.push(tokio::spawn(async move {
            let client = reqwest::Client::new();
            while !stop.load(Ordering::SeqCst) {
                let res = create_family(&client, &base).await;
                let status = res.status().as_u16();
                let ok503 = is_documented_503(status, res.headers());
                let body: Value = res.json().await.unwrap_or(Value::Null);
                let id = (status == 201).then(|| body["id"].as_str().unwrap().to_string());
                seen.lock()
                    .unwrap()
                    .push((Instant::now(), status, id, ok503));
                if status != 201 {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
        }));
    }
    // Recovered: a write acknowledged after PostgreSQL is back, within 5 seconds.
    let (down, up, recovered) = kill_and_restart(&service, |up| {
        seen.lock()
            .unwrap()
            .iter()
            .find(|(t, s, ..)| *t > up && *s == 201)
            .map(|(t, ..)| *t)
    })
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    stop.store(true, Ordering::SeqCst);
    for w in writers {
        w.await.unwrap();
    }
    let seen = seen.lock().unwrap().clone();
    assert!(
        recovered.duration_since(up) <= Duration::from_secs(5),
        "recovered {:?} after PostgreSQL came back",
        recovered.duration_since(up)
    );
    let during: Vec<_> = seen.iter().filter(|(t, ..)| *t > down && *t < up).collect();
    assert!(
        !during.is_empty(),
        "no request was answered while PostgreSQL was down"
    );
    for (_, status, _, ok503) in &seen {
        assert!(
            *status == 201 || *ok503,
            "a request was answered {status}, not 201 or a documented 503"
        );
    }
    assert!(seen.iter().any(|(_, s, ..)| *s == 503));
    let acknowledged: Vec<String> = seen.iter().filter_map(|(_, _, id, _)| id.clone()).collect();
    assert!(acknowledged.len() > 4, "too few writes to prove anything");
    let db = service.db().await;
    let row = db
        .query_one(
            "SELECT count(*) FROM families WHERE id::text = ANY($1)",
            &[&acknowledged],
        )
        .await
        .unwrap();
    let found: i64 = row.get(0);
    assert_eq!(
        found as usize,
        acknowledged.len(),
        "an acknowledged write was lost"
    );
}

/// When a read was answered, its status, its request id, and whether a 503 was as documented.
type ReadAnswer = (Instant, u16, String, bool);

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_database_killed_while_reads_flow_is_answered_503_and_no_read_was_answered_without_its_event(
) {
    let Some(service) = Service::start(&[]).await else {
        return;
    };
    let client = reqwest::Client::new();
    let path = family_path(&service, &client).await;
    let stop = Arc::new(AtomicBool::new(false));
    let seen: Arc<Mutex<Vec<ReadAnswer>>> = Arc::default();
    let mut readers = Vec::new();
    for reader in 0..6 {
        let (stop, seen) = (stop.clone(), seen.clone());
        let url = service.url(&path);
        readers.push(tokio::spawn(async move {
            let client = reqwest::Client::new();
            let mut n = 0;
            while !stop.load(Ordering::SeqCst) {
                n += 1;
                // Our own request id, to find each read's event afterwards.
                let rid = format!("fault-read-{reader}-{n}");
                let res = client
                    .get(&url)
                    .bearer_auth(token())
                    .header("x-request-id", &rid)
                    .timeout(Duration::from_secs(15))
                    .send()
                    .await
                    .expect("an answer");
                let status = res.status().as_u16();
                let ok503 = is_documented_503(status, res.headers());
                seen.lock()
                    .unwrap()
                    .push((Instant::now(), status, rid, ok503));
                if status != 200 {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            }
        }));
    }
    let (down, up, recovered) = kill_and_restart(&service, |up| {
        seen.lock()
            .unwrap()
            .iter()
            .find(|(t, s, ..)| *t > up && *s == 200)
            .map(|(t, ..)| *t)
    })
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    stop.store(true, Ordering::SeqCst);
    for r in readers {
        r.await.unwrap();
    }
    let seen = seen.lock().unwrap().clone();
    assert!(
        recovered.duration_since(up) <= Duration::from_secs(5),
        "reads recovered {:?} after PostgreSQL came back",
        recovered.duration_since(up)
    );
    for (_, status, _, ok503) in &seen {
        assert!(
            *status == 200 || *ok503,
            "a read was answered {status}, not 200 or a documented 503"
        );
    }
    assert!(
        seen.iter()
            .any(|(t, s, ..)| *s == 503 && *t > down && *t < up),
        "no read was refused while PostgreSQL was down"
    );
    let answered: Vec<String> = seen
        .iter()
        .filter(|(_, s, ..)| *s == 200)
        .map(|(_, _, rid, _)| rid.clone())
        .collect();
    assert!(
        seen.iter().any(|(t, s, ..)| *s == 200 && *t < down) && answered.len() > 20,
        "too few reads answered to prove anything"
    );
    let db = service.db().await;
    let rows = db
        .query(
            "SELECT request_id FROM audit_events WHERE action = 'family.read' \
             AND request_id = ANY($1)",
            &[&answered],
        )
        .await
        .unwrap();
    let audited: std::collections::HashSet<String> = rows.iter().map(|r| r.get(0)).collect();
    let missing: Vec<&String> = answered.iter().filter(|r| !audited.contains(*r)).collect();
    assert!(
        missing.is_empty(),
        "{} of {} reads answered 200 have no audit event: {:?}",
        missing.len(),
        answered.len(),
        &missing[..missing.len().min(5)]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_exhausted_pool_answers_503_quickly_instead_of_hanging() {
    let Some(service) = Service::start(&[
        ("FFC_DB_POOL_SIZE", "3"),
        ("FFC_DB_POOL_WAIT_MS", "300"),
        ("FFC_DB_STATEMENT_TIMEOUT_MS", "60000"),
    ])
    .await
    else {
        return;
    };
    let client = reqwest::Client::new();
    let path = family_path(&service, &client).await;
    // Every pooled connection open before the lock (opening one is not what is tested).
    let warm: Vec<_> = (0..3)
        .map(|_| client.get(service.url(&path)).bearer_auth(token()).send())
        .collect();
    for r in futures_util::future::join_all(warm).await {
        assert_eq!(r.unwrap().status(), 200);
    }
    let lock = TableLock::take(&service).await;
    let mut waiting = Vec::new();
    for _ in 0..8 {
        let req = client
            .get(service.url(&path))
            .bearer_auth(token())
            .timeout(Duration::from_secs(30))
            .send();
        waiting.push(tokio::spawn(async move {
            let sent = Instant::now();
            let res = req.await.unwrap();
            (
                sent.elapsed(),
                res.status().as_u16(),
                is_documented_503(res.status().as_u16(), res.headers()),
            )
        }));
    }
    // Those that found no free connection are answered while the others still wait.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let early = waiting.iter().filter(|h| h.is_finished()).count();
    assert!(
        early >= 5,
        "only {early} of 8 answered while the pool was exhausted"
    );
    lock.release().await;
    let mut statuses = Vec::new();
    for h in waiting {
        let (took, status, ok503) = h.await.unwrap();
        if status == 503 {
            assert!(ok503, "a 503 without problem+json and Retry-After");
            assert!(took < Duration::from_secs(3), "a 503 took {took:?}");
        }
        statuses.push(status);
    }
    assert!(
        statuses.iter().filter(|s| **s == 503).count() >= 5,
        "{statuses:?}"
    );
    assert!(
        statuses.contains(&200),
        "the requests holding connections finished: {statuses:?}"
    );
    // And the service is well again.
    let res = client
        .get(service.url(&path))
        .bearer_auth(token())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_statement_past_the_timeout_is_cut_short_with_503() {
    let Some(service) = Service::start(&[("FFC_DB_STATEMENT_TIMEOUT_MS", "500")]).await else {
        return;
    };
    let client = reqwest::Client::new();
    let path = family_path(&service, &client).await;
    let lock = TableLock::take(&service).await;
    let sent = Instant::now();
    let res = client
        .get(service.url(&path))
        .bearer_auth(token())
        .timeout(Duration::from_secs(20))
        .send()
        .await
        .unwrap();
    let took = sent.elapsed();
    let status = res.status().as_u16();
    assert!(
        is_documented_503(status, res.headers()),
        "answered {status}"
    );
    assert!(took < Duration::from_secs(5), "took {took:?}");
    let body: Value = res.json().await.unwrap();
    assert!(
        body["detail"].as_str().unwrap().contains("in time"),
        "{body}"
    );
    lock.release().await;
    let res = client
        .get(service.url(&path))
        .bearer_auth(token())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sigterm_lets_the_request_in_flight_finish_refuses_new_ones_and_exits_cleanly() {
    // The request waits on a lock for several seconds: no statement timeout may end it first.
    let Some(mut service) = Service::start(&[("FFC_DB_STATEMENT_TIMEOUT_MS", "60000")]).await
    else {
        return;
    };
    let client = reqwest::Client::new();
    let path = family_path(&service, &client).await;
    let lock = TableLock::take(&service).await;
    let in_flight = {
        let req = client
            .get(service.url(&path))
            .bearer_auth(token())
            .timeout(Duration::from_secs(30))
            .send();
        tokio::spawn(async move {
            let res = req.await.unwrap();
            res.status().as_u16()
        })
    };
    tokio::time::sleep(Duration::from_millis(500)).await;
    let status = Command::new("kill")
        .args(["-TERM", &service.pid().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    // New connections are refused (a fresh client: no connection kept alive).
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let fresh = reqwest::Client::builder()
            .pool_max_idle_per_host(0)
            .build()
            .unwrap();
        match fresh
            .get(service.url("/health/live"))
            .timeout(Duration::from_secs(2))
            .send()
            .await
        {
            Err(e) if e.is_connect() => break,
            _ => {}
        }
        assert!(
            Instant::now() < deadline,
            "still accepting connections after SIGTERM"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        !in_flight.is_finished(),
        "the request in flight ended early"
    );
    lock.release().await;
    assert_eq!(
        in_flight.await.unwrap(),
        200,
        "the request in flight did not complete"
    );
    let mut child = service.child.take().unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    let exit = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(
            Instant::now() < deadline,
            "still running 20 s after SIGTERM"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(exit.success(), "exited with {exit}");
    let log = std::fs::read_to_string(&service.log).unwrap();
    assert!(
        log.contains("PostgreSQL stopped"),
        "the managed database was not stopped:\n{log}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn headers_sent_slowly_get_the_connection_dropped_without_starving_others() {
    let Some(service) = Service::start(&[("FFC_CLIENT_REQUEST_TIMEOUT_MS", "1000")]).await else {
        return;
    };
    let addr = service.base.trim_start_matches("http://").to_string();
    let mut slow = Vec::new();
    for _ in 0..32 {
        let mut s = std::net::TcpStream::connect(&addr).unwrap();
        s.write_all(b"GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
            .unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        slow.push(s);
    }
    // Others are served meanwhile.
    let client = reqwest::Client::new();
    for _ in 0..5 {
        let res = client
            .get(service.url("/health/live"))
            .timeout(Duration::from_secs(2))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
    }
    let started = Instant::now();
    let closed = tokio::task::spawn_blocking(move || {
        slow.into_iter()
            .map(|mut s| {
                let mut got = Vec::new();
                // Ends with EOF once the server drops the connection (after a 408, if it sends one).
                let r = s.read_to_end(&mut got);
                let text = String::from_utf8_lossy(&got).to_string();
                r.is_ok() && (got.is_empty() || text.starts_with("HTTP/1.1 408"))
            })
            .filter(|ok| *ok)
            .count()
    })
    .await
    .unwrap();
    assert_eq!(closed, 32, "every slow connection is dropped");
    assert!(started.elapsed() < Duration::from_secs(10));
}

/// The service's PostgreSQL stopped with SIGSTOP, as a hung host would be: its sockets stay open
/// and the kernel still acknowledges them, but nothing answers, not even a request to cancel a
/// statement. The postmaster is stopped first, so that it forks no backend meanwhile, then its
/// children (each leads its own process group, so they are listed). Resumed when dropped,
/// whatever happens: the guard exists before any signal is sent.
struct Frozen {
    pids: Vec<String>,
}

impl Frozen {
    fn stop(service: &Service) -> Frozen {
        let pidfile = std::fs::read_to_string(service.cluster.pgdata().join("postmaster.pid"))
            .expect("postmaster.pid");
        let postmaster = pidfile.lines().next().unwrap().trim().to_string();
        let mut frozen = Frozen {
            pids: vec![postmaster.clone()],
        };
        assert!(signal("-STOP", &frozen.pids), "the postmaster stopped");
        let children = Command::new("pgrep")
            .args(["-P", &postmaster])
            .output()
            .expect("pgrep");
        frozen.pids.extend(
            String::from_utf8_lossy(&children.stdout)
                .split_whitespace()
                .map(str::to_string),
        );
        assert!(frozen.pids.len() > 1, "the postmaster has children");
        // A child that exited meanwhile (an autovacuum worker) is no failure.
        signal("-STOP", &frozen.pids[1..]);
        frozen
    }
}

impl Drop for Frozen {
    fn drop(&mut self) {
        signal("-CONT", &self.pids);
    }
}

fn signal(which: &str, pids: &[String]) -> bool {
    Command::new("kill")
        .arg(which)
        .args(pids)
        .status()
        .is_ok_and(|s| s.success())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_database_that_stops_answering_is_answered_503_at_the_request_deadline() {
    let Some(service) = Service::start(&[
        ("FFC_DB_STATEMENT_TIMEOUT_MS", "1000"),
        ("FFC_REQUEST_TIMEOUT_MS", "3000"),
    ])
    .await
    else {
        return;
    };
    let client = reqwest::Client::new();
    let path = family_path(&service, &client).await;
    let read = || {
        client
            .get(service.url(&path))
            .bearer_auth(token())
            .timeout(Duration::from_secs(30))
            .send()
    };
    // A read just before, so that a connection is hot: the pool hands it out unchecked.
    assert_eq!(read().await.unwrap().status(), 200);
    let frozen = Frozen::stop(&service);
    let sent = Instant::now();
    let (r, w) = tokio::join!(read(), create_family(&client, &service.base));
    let took = sent.elapsed();
    let r = r.unwrap();
    for res in [&r, &w] {
        let status = res.status().as_u16();
        assert!(
            is_documented_503(status, res.headers()),
            "answered {status}"
        );
    }
    // The deadline (3 s) answers, not PostgreSQL, which cannot: without it the read waited for
    // as long as the database was stopped.
    assert!(took < Duration::from_secs(10), "took {took:?}");
    drop(frozen);
    // Back to normal once the database answers again, with nothing of the abandoned write.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if read().await.map(|r| r.status().as_u16()).ok() == Some(200) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "no recovery after the database resumed"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let res = create_family(&client, &service.base).await;
    assert_eq!(res.status(), 201, "writes work again");
    let families = service.families().await;
    assert_eq!(families, 2, "the write answered 503 left nothing behind");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_write_cut_off_at_the_deadline_inside_its_transaction_is_rolled_back_and_retried_once() {
    // No statement timeout: only the request deadline can end the wait on the lock.
    let Some(service) = Service::start(&[
        ("FFC_DB_STATEMENT_TIMEOUT_MS", "0"),
        ("FFC_REQUEST_TIMEOUT_MS", "3000"),
    ])
    .await
    else {
        return;
    };
    let client = reqwest::Client::new();
    family_path(&service, &client).await;
    let post = || {
        client
            .post(service.url("/api/v1/families"))
            .bearer_auth(token())
            .header("Idempotency-Key", "deadline-retry-1")
            .json(&json!({
                "address_line1": "2 Deadline Road", "town": "Rotherham", "postcode": "S60 1AE",
                "housing_tenure": "private_rent",
                "members": [{"member_role": "adult", "relationship": "parent", "given_name": "Bea",
                             "family_name": "Deadline", "date_of_birth": "1981-03-04",
                             "gender": "female"}]
            }))
            .timeout(Duration::from_secs(30))
            .send()
    };
    // The write's transaction has begun (its key is locked) and waits on the table.
    let lock = TableLock::take(&service).await;
    let sent = Instant::now();
    let res = post().await.unwrap();
    let took = sent.elapsed();
    let status = res.status().as_u16();
    assert!(
        is_documented_503(status, res.headers()),
        "answered {status}"
    );
    assert!(took < Duration::from_secs(10), "took {took:?}");
    lock.release().await;
    // The abandoned transaction is rolled back (its connection discarded by the pool, or ended
    // by PostgreSQL after 15 s idle): the retry with the same key is answered 409 until then,
    // and is then made once.
    let deadline = Instant::now() + Duration::from_secs(40);
    let created = loop {
        let res = post().await.unwrap();
        match res.status().as_u16() {
            201 => break res.json::<Value>().await.unwrap(),
            409 | 503 => {}
            other => panic!("retry answered {other}"),
        }
        assert!(Instant::now() < deadline, "the retry never went through");
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    let again = post().await.unwrap();
    assert_eq!(again.status(), 201, "replayed");
    let replayed: Value = again.json().await.unwrap();
    assert_eq!(replayed["id"], created["id"]);
    let families = service.families().await;
    assert_eq!(families, 2, "the write was made once");
}
