//! Configuration, all from environment variables (see the README's table).

use std::path::PathBuf;

#[derive(Debug, Clone)]
pub struct Config {
    /// The service's own connection (a role with only the grants of the ffc_service role).
    pub database_url: Option<String>,
    /// The owner connection migrations run as; defaults to `database_url`.
    pub migration_database_url: Option<String>,
    /// Where the self-managed PostgreSQL cluster lives when `database_url` is unset.
    pub data_dir: PathBuf,
    pub bind: String,
    pub workers: usize,
    pub db_pool_size: usize,
    /// Development HS256 tokens: `Some(true)`/`Some(false)` when set, `None` = default.
    pub dev_auth: Option<bool>,
    pub dev_jwt_secret: Option<String>,
    pub issuers_file: Option<PathBuf>,
    pub jwt_leeway_seconds: u64,
    pub rate_limit_per_minute: u32,
    pub cors_origins: Vec<String>,
    pub public_url: String,
    pub max_body_bytes: usize,
    /// Largest CSV upload.
    pub max_import_bytes: usize,
    /// How often the Team Around the Family reviews a plan.
    pub taf_review: crate::domain::casework::ReviewPolicy,
    pub webhooks: WebhookConfig,
    /// Who may read `/metrics`.
    pub metrics: crate::http::metrics::MetricsAccess,
    pub limits: Limits,
    /// Attached families a claim window judges and writes per batch.
    pub claim_batch: i64,
}

/// How long the service waits before it gives up and says so (503 with Retry-After, or a closed
/// connection), so that a fault is answered quickly instead of piling requests up.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Longest wait for a database connection from the pool.
    pub db_pool_wait_ms: u64,
    /// Longest a single SQL statement may run (PostgreSQL's statement_timeout).
    pub db_statement_timeout_ms: u64,
    /// Longest a client may take to send a request's headers.
    pub client_request_timeout_ms: u64,
    /// On SIGTERM, how long requests in flight may take to finish.
    pub shutdown_timeout_s: u64,
    /// Longest a request may take from its headers to its answer (reading its body included).
    /// The statement timeout is PostgreSQL's to enforce; a database that stops answering
    /// altogether (a hung host, a network that drops packets) is caught by this one, on the
    /// service's side.
    pub request_timeout_ms: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            db_pool_wait_ms: 2000,
            db_statement_timeout_ms: 10_000,
            client_request_timeout_ms: 5000,
            shutdown_timeout_s: 30,
            request_timeout_ms: 60_000,
        }
    }
}

/// Delivery of notifications to providers' systems.
#[derive(Debug, Clone)]
pub struct WebhookConfig {
    /// Attempts before a delivery is dead-lettered.
    pub max_attempts: i32,
    /// The first retry's delay; each later one doubles it (capped at an hour).
    pub backoff_ms: u64,
    /// Development only: allow loopback, link-local and private destinations.
    pub allow_private: bool,
}

impl Default for WebhookConfig {
    fn default() -> Self {
        WebhookConfig {
            max_attempts: 8,
            backoff_ms: 2000,
            allow_private: false,
        }
    }
}

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn parse_var<T: std::str::FromStr>(name: &str, default: T) -> Result<T, String> {
    match var(name) {
        None => Ok(default),
        Some(v) => v
            .trim()
            .parse()
            .map_err(|_| format!("{name}: cannot parse {v:?}")),
    }
}

impl Config {
    pub fn from_env() -> Result<Config, String> {
        let bind = var("FFC_BIND").unwrap_or_else(|| "127.0.0.1:8080".into());
        let public_url = var("FFC_PUBLIC_URL").unwrap_or_else(|| format!("http://{bind}"));
        let dev_auth = match var("FFC_DEV_AUTH").as_deref() {
            None => None,
            Some("1" | "true" | "yes") => Some(true),
            Some("0" | "false" | "no") => Some(false),
            Some(other) => {
                return Err(format!(
                    "FFC_DEV_AUTH: expected true or false, got {other:?}"
                ))
            }
        };
        let jwt_leeway_seconds = parse_var("FFC_JWT_LEEWAY_SECONDS", 30u64)?;
        if jwt_leeway_seconds > 60 {
            return Err("FFC_JWT_LEEWAY_SECONDS: at most 60".into());
        }
        Ok(Config {
            database_url: var("DATABASE_URL"),
            migration_database_url: var("MIGRATION_DATABASE_URL"),
            data_dir: var("FFC_DATA_DIR")
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from(".ffc-data")),
            bind,
            workers: parse_var(
                "FFC_WORKERS",
                std::thread::available_parallelism().map_or(2, |n| n.get()),
            )?,
            db_pool_size: parse_var("FFC_DB_POOL_SIZE", 16usize)?,
            limits: {
                let d = Limits::default();
                let statement =
                    parse_var("FFC_DB_STATEMENT_TIMEOUT_MS", d.db_statement_timeout_ms)?;
                // By default the statement timeout and a margin (60 s with the default 10 s), so
                // that lengthening the one does not make the other cut requests short.
                let request = parse_var(
                    "FFC_REQUEST_TIMEOUT_MS",
                    statement.saturating_add(d.request_timeout_ms - d.db_statement_timeout_ms),
                )?;
                // PostgreSQL takes timeouts in milliseconds as a 32-bit integer.
                if statement > i32::MAX as u64 || request > i32::MAX as u64 {
                    return Err(format!(
                        "FFC_DB_STATEMENT_TIMEOUT_MS and FFC_REQUEST_TIMEOUT_MS: at most {}",
                        i32::MAX
                    ));
                }
                // A request runs statements; cutting it shorter than one would hide
                // PostgreSQL's own, clearer timeout.
                if request <= statement {
                    return Err(format!(
                        "FFC_REQUEST_TIMEOUT_MS ({request}) must be longer than \
                         FFC_DB_STATEMENT_TIMEOUT_MS ({statement})"
                    ));
                }
                Limits {
                    db_pool_wait_ms: parse_var("FFC_DB_POOL_WAIT_MS", d.db_pool_wait_ms)?,
                    db_statement_timeout_ms: statement,
                    client_request_timeout_ms: parse_var(
                        "FFC_CLIENT_REQUEST_TIMEOUT_MS",
                        d.client_request_timeout_ms,
                    )?,
                    shutdown_timeout_s: parse_var("FFC_SHUTDOWN_TIMEOUT_S", d.shutdown_timeout_s)?,
                    request_timeout_ms: request,
                }
            },
            dev_auth,
            dev_jwt_secret: var("FFC_DEV_JWT_SECRET"),
            issuers_file: var("FFC_JWT_ISSUERS_FILE").map(PathBuf::from),
            jwt_leeway_seconds,
            rate_limit_per_minute: parse_var("FFC_RATE_LIMIT_PER_MINUTE", 600u32)?,
            cors_origins: var("FFC_CORS_ORIGINS")
                .map(|v| {
                    v.split(',')
                        .map(|s| s.trim().to_string())
                        .filter(|s| !s.is_empty())
                        .collect()
                })
                .unwrap_or_default(),
            public_url,
            max_body_bytes: parse_var("FFC_MAX_BODY_BYTES", 256 * 1024usize)?,
            max_import_bytes: parse_var("FFC_MAX_IMPORT_BYTES", 10 * 1024 * 1024usize)?,
            claim_batch: match parse_var("FFC_CLAIM_BATCH", 5_000i64)? {
                n @ 1..=50_000 => n,
                _ => return Err("FFC_CLAIM_BATCH: from 1 to 50000".into()),
            },
            taf_review: crate::domain::casework::ReviewPolicy::new(
                parse_var("FFC_TAF_REVIEW_MIN_WEEKS", 6u32)?,
                parse_var("FFC_TAF_REVIEW_MAX_WEEKS", 12u32)?,
            )
            .map_err(|e| format!("FFC_TAF_REVIEW_MIN_WEEKS/FFC_TAF_REVIEW_MAX_WEEKS: {e}"))?,
            metrics: crate::http::metrics::MetricsAccess {
                token: match var("FFC_METRICS_TOKEN") {
                    Some(t) if t.len() < 16 => {
                        return Err("FFC_METRICS_TOKEN: at least 16 characters".into())
                    }
                    t => t,
                },
                allow: match var("FFC_METRICS_ALLOW") {
                    None => crate::http::metrics::MetricsAccess::default().allow,
                    Some(v) => v
                        .split(',')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(crate::http::metrics::Block::parse)
                        .collect::<Result<_, _>>()
                        .map_err(|e| format!("FFC_METRICS_ALLOW: {e}"))?,
                },
            },
            webhooks: WebhookConfig {
                max_attempts: parse_var("FFC_WEBHOOK_MAX_ATTEMPTS", 8i32)?.clamp(1, 50),
                backoff_ms: parse_var("FFC_WEBHOOK_BACKOFF_MS", 2000u64)?,
                allow_private: matches!(
                    var("FFC_WEBHOOK_ALLOW_PRIVATE").as_deref(),
                    Some("1" | "true" | "yes")
                ),
            },
        })
    }

    /// Development signing is on by default only when the service manages its own database.
    pub fn dev_auth_enabled(&self) -> bool {
        self.dev_auth.unwrap_or(self.database_url.is_none())
    }
}
