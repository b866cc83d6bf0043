//! The only place with Diesel query code.

/// The FROM clause of a read of many families' rows (the families' ids in `$1`, a `uuid[]`,
/// each named once): each family is looked up on its own, through `$lateral`, a subquery on
/// `f.id`. Given thousands of ids, the planner would otherwise scan the whole table, often in
/// several processes (measured at 100,000 families, 5,000 of them: members 43 ms against 58 ms,
/// families 17 against 40, evidence 82 against a parallel scan of 236).
macro_rules! each_family {
    ($lateral:literal) => {
        concat!(
            "FROM (SELECT DISTINCT id FROM unnest($1::uuid[]) AS u(id)) AS f CROSS JOIN LATERAL (",
            $lateral,
            ")"
        )
    };
}

pub mod allocations;
pub mod assessments;
pub mod attachments;
pub mod audit;
pub mod claims;
pub mod consent;
pub mod episodes;
pub mod evidence;
pub mod families;
pub mod idempotency;
pub mod identification;
pub mod imports;
pub mod information;
pub mod jobs;
pub mod notes;
pub mod outcomes;
pub mod plans;
pub mod providers;
pub mod referrals;
pub mod reports;
pub mod rulesets;
pub mod schema;
pub mod staff;
pub mod taf;
pub mod webhooks;

use std::time::Duration;

use diesel_async::pooled_connection::{
    AsyncDieselConnectionManager, ManagerConfig, PoolError, PoolableConnection,
};
use diesel_async::{AsyncConnection, AsyncMigrationHarness, AsyncPgConnection};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

pub type Conn = AsyncPgConnection;
pub type Pool = deadpool::managed::Pool<Manager>;
/// A connection taken from the pool (returned to it when dropped).
pub type PooledConn = deadpool::managed::Object<Manager>;

/// A connection taken out again within this long of its last checkout is trusted without a
/// round trip: under load that is every request, and checking each cost one query in ten.
const TRUSTED_FOR: Duration = Duration::from_secs(1);

/// diesel-async's pool manager, but a connection is checked with a query only when it has been
/// idle. A busy one is still refused when it is broken: a failed transaction, or a socket the
/// server closed (PostgreSQL restarted or the backend was terminated). It also owns the pool's
/// audit writer, so that every pool (each test has its own database) has exactly one.
pub struct Manager {
    connections: AsyncDieselConnectionManager<AsyncPgConnection>,
    pub audit: audit::Writer,
}

impl deadpool::managed::Manager for Manager {
    type Type = AsyncPgConnection;
    type Error = PoolError;

    async fn create(&self) -> Result<AsyncPgConnection, PoolError> {
        self.connections.create().await
    }

    async fn recycle(
        &self,
        conn: &mut AsyncPgConnection,
        metrics: &deadpool::managed::Metrics,
    ) -> deadpool::managed::RecycleResult<PoolError> {
        if metrics.last_used() < TRUSTED_FOR && !conn.is_broken() {
            return Ok(());
        }
        self.connections.recycle(conn, metrics).await
    }
}

/// See pool_with.
const IDLE_IN_TRANSACTION_MS: u64 = 15_000;

pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations");

pub fn pool(url: &str, size: usize) -> Result<Pool, String> {
    pool_with(url, size, &crate::config::Limits::default())
}

/// The pool, with how long a request waits for a connection and how long any statement may run
/// on one (set on each new connection, so a stuck query cannot hold it for ever).
pub fn pool_with(url: &str, size: usize, limits: &crate::config::Limits) -> Result<Pool, String> {
    let statement_timeout = limits.db_statement_timeout_ms;
    // A request abandoned at its deadline may leave its connection inside a transaction, still
    // holding its locks. The pool discards it at its next checkout; should that be late,
    // PostgreSQL ends the session once it has idled inside the transaction this long. Nothing
    // idles inside one for longer: statements follow each other, and the slowest other wait
    // in a transaction is a webhook address's DNS lookup (at most 3 s).
    let idle_in_transaction = IDLE_IN_TRANSACTION_MS;
    let setup = format!(
        "SET statement_timeout = {statement_timeout}; \
         SET idle_in_transaction_session_timeout = {idle_in_transaction}"
    );
    let audit = audit::Writer::start(url.to_string(), setup.clone());
    let mut config = ManagerConfig::<AsyncPgConnection>::default();
    config.custom_setup = Box::new(move |url| {
        let url = url.to_string();
        let setup = setup.clone();
        Box::pin(async move {
            let mut conn = AsyncPgConnection::establish(&url).await?;
            diesel_async::SimpleAsyncConnection::batch_execute(&mut conn, &setup)
                .await
                .map_err(|e| diesel::ConnectionError::BadConnection(e.to_string()))?;
            Ok(conn)
        })
    });
    let mgr = AsyncDieselConnectionManager::<AsyncPgConnection>::new_with_config(url, config);
    // Waiting for a free slot is the configured wait; opening a connection gets its own bound
    // (a slow but live server can still be reached), and checking an idle one a short one.
    Pool::builder(Manager {
        connections: mgr,
        audit,
    })
    .max_size(size)
    .wait_timeout(Some(Duration::from_millis(limits.db_pool_wait_ms)))
    .create_timeout(Some(Duration::from_secs(5)))
    .recycle_timeout(Some(Duration::from_secs(1)))
    .runtime(deadpool::Runtime::Tokio1)
    .build()
    .map_err(|e| format!("database pool: {e}"))
}

/// Runs pending migrations as the owner role. The harness is synchronous, so it runs on a blocking
/// thread.
pub async fn migrate(owner_url: &str) -> Result<usize, String> {
    let conn = AsyncPgConnection::establish(owner_url)
        .await
        .map_err(|e| format!("connecting to migrate: {e}"))?;
    tokio::task::spawn_blocking(move || {
        let mut harness = AsyncMigrationHarness::new(conn);
        harness
            .run_pending_migrations(MIGRATIONS)
            .map(|v| v.len())
            .map_err(|e| format!("migrations: {e}"))
    })
    .await
    .map_err(|e| format!("migration task: {e}"))?
}

/// Takes a transaction-level advisory lock: what it serialises is the caller's to say.
pub async fn advisory_xact_lock(conn: &mut Conn, key: i64) -> diesel::QueryResult<()> {
    diesel_async::RunQueryDsl::execute(
        diesel::sql_query("SELECT pg_advisory_xact_lock($1)")
            .bind::<diesel::sql_types::BigInt, _>(key),
        conn,
    )
    .await
    .map(|_| ())
}

/// A setting for the rest of the transaction.
pub async fn set_local(conn: &mut Conn, name: &str, value: &str) -> diesel::QueryResult<()> {
    diesel_async::RunQueryDsl::execute(
        diesel::sql_query("SELECT set_config($1, $2, true)")
            .bind::<diesel::sql_types::Text, _>(name)
            .bind::<diesel::sql_types::Text, _>(value),
        conn,
    )
    .await
    .map(|_| ())
}

/// Whether the database answers at all.
pub async fn ping(conn: &mut Conn) -> diesel::QueryResult<()> {
    diesel_async::RunQueryDsl::execute(diesel::sql_query("SELECT 1"), conn)
        .await
        .map(|_| ())
}

/// Background work waiting, shared by every instance (for `/metrics`).
#[derive(diesel::QueryableByName)]
pub struct Backlog {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub webhook_pending: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub webhook_dead: i64,
}

/// Every backlog in one query.
pub async fn backlog(conn: &mut Conn) -> diesel::QueryResult<Backlog> {
    diesel_async::RunQueryDsl::get_result(
        diesel::sql_query(
            "SELECT (SELECT count(*) FROM webhook_deliveries WHERE status = 'pending') AS webhook_pending,
                    (SELECT count(*) FROM webhook_deliveries WHERE status = 'dead') AS webhook_dead",
        ),
        conn,
    )
    .await
}

/// A background job's statement limit, for the session of a connection taken out of the pool.
pub async fn set_statement_timeout(
    conn: &mut Conn,
    limit: std::time::Duration,
) -> diesel::QueryResult<()> {
    diesel_async::SimpleAsyncConnection::batch_execute(
        conn,
        &format!("SET statement_timeout = {}", limit.as_millis()),
    )
    .await
}
