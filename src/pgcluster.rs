//! A PostgreSQL cluster the service (or the test harness) manages itself when no DATABASE_URL is
//! given: created on first use, started on a free loopback port, stopped on shutdown. PostgreSQL
//! refuses to run as root, so as root every server command runs as `postgres` through `runuser`.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

pub const OWNER_ROLE: &str = "ffc_owner";
pub const APP_ROLE: &str = "ffc_app";
pub const DATABASE: &str = "ffc";

const MISSING: &str = "PostgreSQL server binaries (initdb, pg_ctl) were not found. Install them \
(Debian/Ubuntu: `apt-get install postgresql`), point FFC_PG_BIN_DIR at their folder, or set \
DATABASE_URL to use an existing database.";

pub fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .and_then(|l| l.split_whitespace().nth(2).map(|e| e == "0"))
        })
        .unwrap_or(false)
}

/// Finds initdb and pg_ctl: FFC_PG_BIN_DIR, Debian's versioned folders (newest first), then PATH.
pub fn find_bin_dir() -> Result<PathBuf, String> {
    if let Ok(dir) = std::env::var("FFC_PG_BIN_DIR") {
        let dir = PathBuf::from(dir);
        return if dir.join("initdb").exists() {
            Ok(dir)
        } else {
            Err(MISSING.into())
        };
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let v: u32 = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((v, bin))
        })
        .collect();
    versions.sort();
    if let Some((_, bin)) = versions.pop() {
        return Ok(bin);
    }
    std::env::var_os("PATH")
        .and_then(|p| {
            std::env::split_paths(&p)
                .find(|d| d.join("initdb").exists() && d.join("pg_ctl").exists())
        })
        .ok_or_else(|| MISSING.to_string())
}

fn chown_postgres(path: &Path) -> Result<(), String> {
    let status = Command::new("chown")
        .args(["postgres:postgres"])
        .arg(path)
        .status()
        .map_err(|e| format!("chown: {e}"))?;
    status
        .success()
        .then_some(())
        .ok_or_else(|| format!("chown postgres {} failed", path.display()))
}

fn postgres_can_write(path: &Path) -> bool {
    Command::new("runuser")
        .args(["-u", "postgres", "--", "test", "-w"])
        .arg(path)
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Decides where the cluster lives. As root the folder must belong to `postgres` and every folder
/// above it must let `postgres` through; a checkout under /root does not, so the cluster moves to
/// /var/lib/ffc/<name derived from the requested path>, and the caller announces that.
pub fn resolve_data_dir(requested: &Path) -> Result<(PathBuf, bool), String> {
    let abs = if requested.is_absolute() {
        requested.to_path_buf()
    } else {
        std::env::current_dir()
            .map_err(|e| format!("current dir: {e}"))?
            .join(requested)
    };
    std::fs::create_dir_all(&abs).map_err(|e| format!("creating {}: {e}", abs.display()))?;
    if !is_root() {
        return Ok((abs, false));
    }
    chown_postgres(&abs)?;
    if postgres_can_write(&abs) {
        return Ok((abs, false));
    }
    let name: String = abs
        .to_string_lossy()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    let alt = PathBuf::from("/var/lib/ffc").join(name.trim_matches('_'));
    std::fs::create_dir_all(&alt).map_err(|e| format!("creating {}: {e}", alt.display()))?;
    chown_postgres(&alt)?;
    if postgres_can_write(&alt) {
        Ok((alt, true))
    } else {
        Err(format!(
            "neither {} nor {} is writable by the postgres user; set FFC_DATA_DIR",
            abs.display(),
            alt.display()
        ))
    }
}

pub struct Cluster {
    pub dir: PathBuf,
    bin: PathBuf,
    as_postgres: bool,
    pub port: u16,
    /// False when an already-running server on this folder was adopted.
    pub started_here: bool,
}

fn free_port() -> Result<u16, String> {
    let l = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| format!("free port: {e}"))?;
    Ok(l.local_addr().map_err(|e| e.to_string())?.port())
}

impl Cluster {
    /// `dir` holds the cluster (`dir/pg`) and its log; it must already be writable by the server user.
    pub fn new(dir: PathBuf) -> Result<Cluster, String> {
        Ok(Cluster {
            dir,
            bin: find_bin_dir()?,
            as_postgres: is_root(),
            port: 0,
            started_here: false,
        })
    }

    pub fn pgdata(&self) -> PathBuf {
        self.dir.join("pg")
    }

    fn command(&self, program: &str) -> Command {
        let exe = self.bin.join(program);
        if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(exe);
            c
        } else {
            Command::new(exe)
        }
    }

    fn run(&self, program: &str, args: &[&str]) -> Result<std::process::Output, String> {
        let out = self
            .command(program)
            .args(args)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("{program}: {e}"))?;
        if out.status.success() {
            Ok(out)
        } else {
            Err(format!(
                "{program} failed: {}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ))
        }
    }

    /// Creates the cluster unless it exists. `durable: false` turns fsync off (test clusters only).
    pub fn init_if_needed(&self, durable: bool) -> Result<bool, String> {
        let pgdata = self.pgdata();
        if pgdata.join("PG_VERSION").exists() {
            return Ok(false);
        }
        let pgdata_s = pgdata.to_string_lossy().to_string();
        self.run(
            "initdb",
            &[
                "-D",
                &pgdata_s,
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
            ],
        )?;
        // Loopback only, no Unix socket (its default folder may not exist or be writable).
        let mut conf = String::from(
            "\n# Families for Change managed cluster\nlisten_addresses = '127.0.0.1'\n\
             unix_socket_directories = ''\nmax_connections = 200\n",
        );
        if !durable {
            conf.push_str("fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n");
        }
        let conf_path = pgdata.join("postgresql.conf");
        let mut existing = std::fs::read_to_string(&conf_path)
            .map_err(|e| format!("reading {}: {e}", conf_path.display()))?;
        existing.push_str(&conf);
        std::fs::write(&conf_path, existing)
            .map_err(|e| format!("writing {}: {e}", conf_path.display()))?;
        Ok(true)
    }

    fn running_port(&self) -> Option<u16> {
        let pgdata = self.pgdata().to_string_lossy().to_string();
        self.run("pg_ctl", &["status", "-D", &pgdata]).ok()?;
        let pid = std::fs::read_to_string(self.pgdata().join("postmaster.pid")).ok()?;
        pid.lines().nth(3)?.trim().parse().ok()
    }

    /// Starts the server on a free loopback port, or adopts one already running on this folder.
    pub fn start(&mut self) -> Result<(), String> {
        if let Some(port) = self.running_port() {
            log::info!("PostgreSQL already running on port {port}; reusing it");
            self.port = port;
            return Ok(());
        }
        let port = free_port()?;
        self.start_on(port)
    }

    /// Starts the server on the given port (after a stop, the port it had, so that clients
    /// reconnect to the same address).
    pub fn start_on(&mut self, port: u16) -> Result<(), String> {
        let pgdata = self.pgdata().to_string_lossy().to_string();
        let logfile = self
            .dir
            .join("postgresql.log")
            .to_string_lossy()
            .to_string();
        let opts = format!("-p {port}");
        self.run(
            "pg_ctl",
            &[
                "start", "-D", &pgdata, "-l", &logfile, "-w", "-t", "60", "-o", &opts,
            ],
        )
        .map_err(|e| format!("{e}\n(see {logfile})"))?;
        self.port = port;
        self.started_here = true;
        Ok(())
    }

    /// Stops the server only if this process started it (a one-off command run beside a running
    /// service must not take its database away).
    pub fn stop_if_started_here(&self) {
        if self.started_here {
            self.stop();
        }
    }

    /// Stops the server at once, as a crash would (no shutdown checkpoint; the next start
    /// replays the WAL). For fault tests.
    pub fn kill(&self) -> Result<(), String> {
        let pgdata = self.pgdata().to_string_lossy().to_string();
        self.run("pg_ctl", &["stop", "-D", &pgdata, "-m", "immediate", "-w"])
            .map(|_| ())
    }

    pub fn stop(&self) {
        let pgdata = self.pgdata().to_string_lossy().to_string();
        match self.run("pg_ctl", &["stop", "-D", &pgdata, "-m", "fast", "-w"]) {
            Ok(_) => log::info!("PostgreSQL stopped"),
            Err(e) => log::warn!("stopping PostgreSQL: {e}"),
        }
    }

    pub fn url(&self, user: &str, db: &str) -> String {
        format!("postgres://{user}@127.0.0.1:{}/{db}", self.port)
    }

    /// When the process that owns a throwaway cluster exits (however it exits), stop the server
    /// and remove its folder.
    pub fn remove_when_process_exits(&self, pid: u32) -> Result<(), String> {
        let pg_ctl = self.bin.join("pg_ctl");
        let prefix = if self.as_postgres {
            "runuser -u postgres -- "
        } else {
            ""
        };
        // A server left stopped (SIGSTOP, as a fault test does) is resumed first, or it could
        // not be shut down: the postmaster and its children (each in its own process group).
        let script = format!(
            "while kill -0 {pid} 2>/dev/null; do sleep 1; done; \
             pm=$(head -n 1 '{pgdata}/postmaster.pid' 2>/dev/null); \
             [ -n \"$pm\" ] && kill -CONT $pm $(pgrep -P $pm) 2>/dev/null; \
             {prefix}{} stop -D '{pgdata}' -m immediate >/dev/null 2>&1; rm -rf '{}'",
            pg_ctl.display(),
            self.dir.display(),
            pgdata = self.pgdata().display(),
        );
        Command::new("setsid")
            .args(["sh", "-c", &script])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map(|_| ())
            .map_err(|e| format!("cleanup watcher: {e}"))
    }
}

/// Creates the owner and service roles and the database (idempotent), as the superuser.
pub async fn bootstrap(superuser_url: &str, db: &str) -> Result<(), String> {
    let (client, conn) = tokio_postgres::connect(superuser_url, tokio_postgres::NoTls)
        .await
        .map_err(|e| format!("connecting as superuser: {e}"))?;
    tokio::spawn(conn);
    client
        .batch_execute(&format!(
            "DO $$ BEGIN
               IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{OWNER_ROLE}') THEN
                 CREATE ROLE {OWNER_ROLE} LOGIN;
               END IF;
               IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ffc_service') THEN
                 CREATE ROLE ffc_service NOLOGIN;
               END IF;
               IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{APP_ROLE}') THEN
                 CREATE ROLE {APP_ROLE} LOGIN IN ROLE ffc_service;
               END IF;
             END $$;"
        ))
        .await
        .map_err(|e| format!("creating roles: {e}"))?;
    let exists = client
        .query_opt("SELECT 1 FROM pg_database WHERE datname = $1", &[&db])
        .await
        .map_err(|e| format!("checking database: {e}"))?
        .is_some();
    if !exists {
        client
            .batch_execute(&format!("CREATE DATABASE \"{db}\" OWNER {OWNER_ROLE}"))
            .await
            .map_err(|e| format!("creating database: {e}"))?;
    }
    Ok(())
}
