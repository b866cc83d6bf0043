//! What a job's handler is given: its job, its lease, connections for its work and the step
//! that commits progress under the lease. Handlers live with their workflow in `service/`.

use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Arc;
use std::time::Duration;

use uuid::Uuid;

use crate::db::jobs::{self as q, Held, JobRow, Lease};
use crate::db::{Conn, Pool};

/// Why a handler stopped before finishing its work.
#[derive(Debug, Clone)]
pub enum JobError {
    /// Someone cancelled the job: its current step was not committed.
    Cancelled,
    /// Another worker holds the job now (this one was silent too long): nothing more is written.
    Lost,
    /// The attempt failed: retried later, up to the kind's limit. The text goes to the log.
    Failed(String),
}

impl From<diesel::result::Error> for JobError {
    fn from(e: diesel::result::Error) -> Self {
        JobError::Failed(e.to_string())
    }
}

impl From<String> for JobError {
    fn from(e: String) -> Self {
        JobError::Failed(e)
    }
}

impl From<&str> for JobError {
    fn from(e: &str) -> Self {
        JobError::Failed(e.to_string())
    }
}

impl From<Held> for Result<(), JobError> {
    fn from(h: Held) -> Self {
        match h {
            Held::Yes => Ok(()),
            Held::Cancelling => Err(JobError::Cancelled),
            Held::Lost => Err(JobError::Lost),
        }
    }
}

/// How a job ended, for its record's own state.
pub enum Ending<'a> {
    Succeeded,
    Failed(&'a str),
    Cancelled(&'a str),
}

/// Set by the heartbeat when the lease was lost or a cancellation asked for, so that a handler
/// between steps stops without waiting for its next write.
pub(crate) const GO: u8 = 0;
pub(crate) const CANCELLING: u8 = 1;
pub(crate) const LOST: u8 = 2;

pub struct JobCtx {
    pub pool: Pool,
    pub job: JobRow,
    pub lease: Lease,
    /// Families per batch, for the kinds that work in batches.
    pub batch: i64,
    pub(crate) statement_timeout: Duration,
    pub(crate) signal: Arc<AtomicU8>,
}

impl JobCtx {
    /// The record the job works on.
    pub fn subject(&self) -> Result<Uuid, JobError> {
        self.job
            .subject_id
            .ok_or_else(|| JobError::Failed("a job of this kind needs a subject".into()))
    }

    /// Whether to carry on: `Err` once the heartbeat found the job cancelled or taken over.
    pub fn check(&self) -> Result<(), JobError> {
        match self.signal.load(Ordering::Relaxed) {
            CANCELLING => Err(JobError::Cancelled),
            LOST => Err(JobError::Lost),
            _ => Ok(()),
        }
    }

    /// A connection of the job's own, with the kind's statement timeout. It waits out a burst
    /// of requests that holds every pooled connection (a request's wait is short; a job should
    /// not fail for it), and it leaves the pool, so the job's setting never reaches a request.
    pub async fn conn(&self) -> Result<Conn, JobError> {
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        let pooled = loop {
            match self.pool.get().await {
                Ok(c) => break c,
                Err(e) if std::time::Instant::now() < deadline => {
                    log::warn!("job {} waiting for a database connection: {e}", self.job.id);
                    tokio::time::sleep(Duration::from_millis(500)).await;
                }
                Err(e) => return Err(JobError::Failed(e.to_string())),
            }
        };
        let mut conn = deadpool::managed::Object::take(pooled);
        crate::db::set_statement_timeout(&mut conn, self.statement_timeout).await?;
        Ok(conn)
    }

    /// Commits `done` more items in the caller's transaction, with the step's own writes and
    /// only while this worker holds the job; `Err` tells the caller to roll back and stop.
    pub async fn step(&self, conn: &mut Conn, done: i64) -> Result<(), JobError> {
        q::step(conn, self.lease, done).await?.into()
    }

    pub async fn set_total(&self, conn: &mut Conn, total: i64) -> Result<(), JobError> {
        q::set_total(conn, self.lease, total).await?;
        Ok(())
    }
}
