use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use super::schema::audit_events;
use super::Conn;

pub use writer::{Figures, Unwritten, Writer};

#[derive(Insertable)]
#[diesel(table_name = audit_events)]
// None is NULL (no column here has a default): with DEFAULT the SQL would vary with the
// values, and Diesel would prepare the statement again for every row instead of caching it.
#[diesel(treat_none_as_default_value = false)]
pub struct NewAuditEvent {
    pub id: Uuid,
    pub actor: String,
    pub actor_roles: Vec<String>,
    pub action: String,
    pub resource_type: String,
    pub resource_ids: Vec<Uuid>,
    pub resource_keys: Vec<String>,
    pub request_id: String,
    pub purpose: Option<String>,
    pub actor_issuer: Option<String>,
}

#[derive(Queryable, Selectable, Debug)]
#[diesel(table_name = audit_events)]
pub struct AuditEventRow {
    pub id: Uuid,
    pub created_at: DateTime<Utc>,
    pub actor: String,
    pub actor_roles: Vec<String>,
    pub action: String,
    pub resource_type: String,
    pub resource_ids: Vec<Uuid>,
    pub resource_keys: Vec<String>,
    pub request_id: String,
    pub purpose: Option<String>,
    pub actor_issuer: Option<String>,
}

pub async fn insert(conn: &mut Conn, event: &NewAuditEvent) -> QueryResult<()> {
    diesel::insert_into(audit_events::table)
        .values(event)
        .execute(conn)
        .await
        .map(|_| ())
}

#[derive(Default)]
pub struct AuditFilter {
    pub actor: Option<String>,
    pub resource_type: Option<String>,
    pub resource_id: Option<Uuid>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub before_id: Option<Uuid>,
}

pub async fn list(conn: &mut Conn, f: &AuditFilter, limit: i64) -> QueryResult<Vec<AuditEventRow>> {
    let mut q = audit_events::table.into_boxed();
    if let Some(a) = &f.actor {
        q = q.filter(audit_events::actor.eq(a.clone()));
    }
    if let Some(t) = &f.resource_type {
        q = q.filter(audit_events::resource_type.eq(t.clone()));
    }
    if let Some(id) = f.resource_id {
        q = q.filter(audit_events::resource_ids.contains(vec![id]));
    }
    if let Some(from) = f.from {
        q = q.filter(audit_events::created_at.ge(from));
    }
    if let Some(to) = f.to {
        q = q.filter(audit_events::created_at.lt(to));
    }
    if let Some(before) = f.before_id {
        q = q.filter(audit_events::id.lt(before));
    }
    q.order(audit_events::id.desc())
        .limit(limit)
        .select(AuditEventRow::as_select())
        .load(conn)
        .await
}

/// The audit events of reads, committed together: a read is answered only once its events are
/// in a committed row, but it no longer pays for a write transaction of its own.
mod writer {
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::Arc;
    use std::time::Duration;

    use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};
    use tokio::sync::{mpsc, oneshot};

    use super::{audit_events, NewAuditEvent};

    /// One request's events and where to say whether they were committed.
    type Waiting = (Vec<NewAuditEvent>, oneshot::Sender<bool>);

    /// Requests whose events share one INSERT and one commit, at most. Whatever is queued when
    /// the previous commit returns goes next, so nothing waits for a batch to fill: under load
    /// the batch grows by itself, and a lone read waits for one commit.
    const BATCH: usize = 64;
    /// Beyond this many requests waiting, a read waits for room before it queues.
    const QUEUE: usize = 4096;
    /// Connecting, or one batch's INSERT, longer than this fails the batch (its reads get 503).
    const BOUND: Duration = Duration::from_secs(5);

    /// The events could not be committed: the read must not be answered.
    #[derive(Debug)]
    pub struct Unwritten;

    /// A pool's audit writer: a thread of its own holding one connection (beyond the pool, so
    /// that reads waiting for it can never starve it of one). It ends when the pool is dropped.
    pub struct Writer {
        queue: mpsc::Sender<Waiting>,
        figures: Arc<Figures>,
    }

    /// What the writer has done since it started (for `/metrics`: reads over commits is the
    /// mean batch).
    #[derive(Default)]
    pub struct Figures {
        pub commits: AtomicU64,
        pub failed_commits: AtomicU64,
        pub reads: AtomicU64,
        pub failed_reads: AtomicU64,
    }

    impl Writer {
        /// `setup` is run on each new connection (the pool's statement timeout).
        pub fn start(url: String, setup: String) -> Writer {
            let (queue, waiting) = mpsc::channel(QUEUE);
            let figures = Arc::new(Figures::default());
            let kept = figures.clone();
            std::thread::Builder::new()
                .name("ffc-audit".into())
                .spawn(move || {
                    // Its own runtime: the writer must outlive whichever worker first used it.
                    match tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                    {
                        Ok(rt) => rt.block_on(run(url, setup, waiting, kept)),
                        Err(e) => log::error!("audit writer: no runtime: {e}"),
                    }
                })
                .expect("starting the audit writer thread");
            Writer { queue, figures }
        }

        pub fn figures(&self) -> &Figures {
            &self.figures
        }

        /// Resolves once the events are committed; `Unwritten` when they could not be.
        pub async fn commit(&self, events: Vec<NewAuditEvent>) -> Result<(), Unwritten> {
            if events.is_empty() {
                return Ok(());
            }
            let (done, committed) = oneshot::channel();
            self.queue
                .send((events, done))
                .await
                .map_err(|_| Unwritten)?;
            match committed.await {
                Ok(true) => Ok(()),
                _ => Err(Unwritten),
            }
        }
    }

    async fn run(
        url: String,
        setup: String,
        mut waiting: mpsc::Receiver<Waiting>,
        figures: Arc<Figures>,
    ) {
        let mut conn: Option<AsyncPgConnection> = None;
        let mut batch: Vec<Waiting> = Vec::with_capacity(BATCH);
        while waiting.recv_many(&mut batch, BATCH).await > 0 {
            let committed = write(&mut conn, &url, &setup, &batch).await;
            let reads = batch.len() as u64;
            if committed {
                figures.commits.fetch_add(1, Ordering::Relaxed);
                figures.reads.fetch_add(reads, Ordering::Relaxed);
            } else {
                figures.failed_commits.fetch_add(1, Ordering::Relaxed);
                figures.failed_reads.fetch_add(reads, Ordering::Relaxed);
                // Reconnect for the next batch: the connection may be why this one failed.
                conn = None;
            }
            for (_, done) in batch.drain(..) {
                let _ = done.send(committed);
            }
        }
    }

    async fn write(
        conn: &mut Option<AsyncPgConnection>,
        url: &str,
        setup: &str,
        batch: &[Waiting],
    ) -> bool {
        if conn.is_none() {
            match tokio::time::timeout(BOUND, connect(url, setup)).await {
                Ok(Ok(c)) => *conn = Some(c),
                Ok(Err(e)) => {
                    log::warn!("audit writer: connecting: {e}");
                    return false;
                }
                Err(_) => {
                    log::warn!("audit writer: connecting took longer than {BOUND:?}");
                    return false;
                }
            }
        }
        let Some(c) = conn.as_mut() else { return false };
        let rows: Vec<&NewAuditEvent> = batch.iter().flat_map(|(events, _)| events).collect();
        // One statement in autocommit: one commit for the whole batch.
        let insert = diesel::insert_into(audit_events::table)
            .values(rows)
            .execute(c);
        match tokio::time::timeout(BOUND, insert).await {
            Ok(Ok(_)) => true,
            Ok(Err(e)) => {
                log::error!("audit writer: {} events not written: {e}", batch.len());
                false
            }
            Err(_) => {
                log::error!("audit writer: insert took longer than {BOUND:?}");
                false
            }
        }
    }

    async fn connect(url: &str, setup: &str) -> Result<AsyncPgConnection, String> {
        let mut c = AsyncPgConnection::establish(url)
            .await
            .map_err(|e| e.to_string())?;
        c.batch_execute(setup).await.map_err(|e| e.to_string())?;
        Ok(c)
    }
}
