//! The job queue's queries: enqueue, lease (FOR UPDATE SKIP LOCKED), heartbeat, step, finish,
//! cancel. One mechanism for every kind; the runner is `crate::jobs`.

use chrono::{DateTime, Utc};
use diesel::dsl::now;
use diesel::prelude::*;
use diesel_async::{AsyncConnection, RunQueryDsl};
use uuid::Uuid;

use super::schema::jobs;
use super::Conn;
use crate::domain::jobs::{JobKind, JobStatus};

#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = jobs)]
pub struct JobRow {
    pub id: Uuid,
    pub kind: JobKind,
    pub subject_id: Option<Uuid>,
    pub period: Option<DateTime<Utc>>,
    pub status: JobStatus,
    pub attempts: i32,
    pub max_attempts: i32,
    pub run_after: DateTime<Utc>,
    pub lease_token: Option<Uuid>,
    pub leased_by: Option<String>,
    pub heartbeat_at: Option<DateTime<Utc>>,
    pub cancel_requested_at: Option<DateTime<Utc>>,
    pub cancel_requested_by: Option<String>,
    pub done: i64,
    pub total: Option<i64>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    pub error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The proof that this worker holds a job: every write of the job's work checks it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lease {
    pub job_id: Uuid,
    pub token: Uuid,
}

/// Queues a job for a record, in the caller's transaction (so the record and its job commit
/// together).
pub async fn enqueue(
    conn: &mut Conn,
    kind: JobKind,
    subject_id: Uuid,
    max_attempts: i32,
) -> QueryResult<JobRow> {
    diesel::insert_into(jobs::table)
        .values((
            jobs::id.eq(Uuid::now_v7()),
            jobs::kind.eq(kind),
            jobs::subject_id.eq(Some(subject_id)),
            jobs::max_attempts.eq(max_attempts),
        ))
        .returning(JobRow::as_returning())
        .get_result(conn)
        .await
}

/// Queues the periodic job of `kind` for `period` unless one exists already: every instance
/// tries, the unique index lets one win. `true` for the winner.
pub async fn enqueue_period(
    conn: &mut Conn,
    kind: JobKind,
    period: DateTime<Utc>,
    max_attempts: i32,
) -> QueryResult<bool> {
    diesel::insert_into(jobs::table)
        .values((
            jobs::id.eq(Uuid::now_v7()),
            jobs::kind.eq(kind),
            jobs::period.eq(Some(period)),
            jobs::max_attempts.eq(max_attempts),
        ))
        .on_conflict_do_nothing()
        .execute(conn)
        .await
        .map(|n| n == 1)
}

/// The moment before which a holder's last heartbeat means it has fallen silent.
fn silent_since(
    stale_seconds: i32,
) -> diesel::expression::SqlLiteral<diesel::sql_types::Nullable<diesel::sql_types::Timestamptz>> {
    diesel::dsl::sql(&format!("now() - interval '{stale_seconds} seconds'"))
}

/// Leases the oldest job of `kind` that is due, or one whose holder stopped sending heartbeats
/// for `stale_seconds`, unless `in_all` of the kind already run on live instances. Kinds are
/// leased one at a time across instances (an advisory lock for the count), rows skip-locked.
pub async fn lease(
    conn: &mut Conn,
    kind: JobKind,
    stale_seconds: i32,
    in_all: i64,
    holder: &str,
) -> QueryResult<Option<JobRow>> {
    conn.transaction::<_, diesel::result::Error, _>(async |conn| {
        diesel::sql_query("SELECT pg_advisory_xact_lock(hashtextextended('ffc job ' || $1, 0))")
            .bind::<diesel::sql_types::Text, _>(kind.as_str())
            .execute(conn)
            .await?;
        let running: i64 = jobs::table
            .filter(jobs::kind.eq(kind))
            .filter(jobs::status.eq(JobStatus::Running))
            .filter(jobs::heartbeat_at.ge(silent_since(stale_seconds)))
            .count()
            .get_result(conn)
            .await?;
        if running >= in_all {
            return Ok(None);
        }
        let candidate = jobs::table
            .filter(jobs::kind.eq(kind))
            .filter(
                jobs::status
                    .eq(JobStatus::Queued)
                    .and(jobs::run_after.le(now))
                    .or(jobs::status
                        .eq(JobStatus::Running)
                        .and(jobs::heartbeat_at.lt(silent_since(stale_seconds)))),
            )
            .order(jobs::created_at)
            .select(jobs::id)
            .limit(1)
            .for_update()
            .skip_locked()
            .first::<Uuid>(conn)
            .await
            .optional()?;
        let Some(id) = candidate else { return Ok(None) };
        diesel::update(jobs::table.find(id))
            .set((
                jobs::status.eq(JobStatus::Running),
                jobs::attempts.eq(jobs::attempts + 1),
                jobs::lease_token.eq(Some(Uuid::now_v7())),
                jobs::leased_by.eq(Some(holder)),
                jobs::heartbeat_at.eq(now),
                jobs::started_at.eq(diesel::dsl::sql::<
                    diesel::sql_types::Nullable<diesel::sql_types::Timestamptz>,
                >("coalesce(started_at, now())")),
                jobs::updated_at.eq(now),
            ))
            .returning(JobRow::as_returning())
            .get_result(conn)
            .await
            .map(Some)
    })
    .await
}

/// What a heartbeat or a step found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Held {
    Yes,
    /// Someone asked to cancel the job.
    Cancelling,
    /// Another worker took the job over (this one was silent too long), or it ended.
    Lost,
}

fn held(row: Option<Option<DateTime<Utc>>>) -> Held {
    match row {
        None => Held::Lost,
        Some(Some(_)) => Held::Cancelling,
        Some(None) => Held::Yes,
    }
}

/// The holder is alive: renews the lease.
pub async fn heartbeat(conn: &mut Conn, lease: Lease) -> QueryResult<Held> {
    diesel::update(
        jobs::table
            .find(lease.job_id)
            .filter(jobs::lease_token.eq(lease.token)),
    )
    .set(jobs::heartbeat_at.eq(now))
    .returning(jobs::cancel_requested_at)
    .get_result(conn)
    .await
    .optional()
    .map(held)
}

/// A step of the work committed: `done` more items, in the caller's transaction (with the
/// step's own writes), and a heartbeat. Anything but `Yes` means the caller must roll back.
pub async fn step(conn: &mut Conn, lease: Lease, done: i64) -> QueryResult<Held> {
    diesel::update(
        jobs::table
            .find(lease.job_id)
            .filter(jobs::lease_token.eq(lease.token)),
    )
    .set((
        jobs::done.eq(jobs::done + done),
        jobs::heartbeat_at.eq(now),
        jobs::updated_at.eq(now),
    ))
    .returning(jobs::cancel_requested_at)
    .get_result(conn)
    .await
    .optional()
    .map(held)
}

pub async fn set_total(conn: &mut Conn, lease: Lease, total: i64) -> QueryResult<()> {
    diesel::update(
        jobs::table
            .find(lease.job_id)
            .filter(jobs::lease_token.eq(lease.token)),
    )
    .set((jobs::total.eq(Some(total)), jobs::heartbeat_at.eq(now)))
    .execute(conn)
    .await
    .map(|_| ())
}

/// Ends the job (succeeded, failed or cancelled), if this worker still holds it. `false` when
/// it no longer does (nothing written).
pub async fn finish(
    conn: &mut Conn,
    lease: Lease,
    status: JobStatus,
    error: Option<&str>,
) -> QueryResult<bool> {
    diesel::update(
        jobs::table
            .find(lease.job_id)
            .filter(jobs::lease_token.eq(lease.token)),
    )
    .set((
        jobs::status.eq(status),
        jobs::lease_token.eq(None::<Uuid>),
        jobs::error.eq(error),
        jobs::finished_at.eq(now),
        jobs::updated_at.eq(now),
    ))
    .execute(conn)
    .await
    .map(|n| n == 1)
}

/// Gives the job back to the queue after a failed attempt, to be tried again after `wait`.
pub async fn retry_later(
    conn: &mut Conn,
    lease: Lease,
    error: &str,
    wait: std::time::Duration,
) -> QueryResult<bool> {
    let after = Utc::now() + chrono::Duration::from_std(wait).unwrap_or_default();
    diesel::update(
        jobs::table
            .find(lease.job_id)
            .filter(jobs::lease_token.eq(lease.token)),
    )
    .set((
        jobs::status.eq(JobStatus::Queued),
        jobs::lease_token.eq(None::<Uuid>),
        jobs::heartbeat_at.eq(None::<DateTime<Utc>>),
        jobs::run_after.eq(after),
        jobs::error.eq(Some(error)),
        jobs::updated_at.eq(now),
    ))
    .execute(conn)
    .await
    .map(|n| n == 1)
}

/// Asks a live job to stop: a queued one is cancelled at once, a running one at
/// its next step; the row as it is then. `None` when there is no such job.
pub async fn request_cancel(conn: &mut Conn, id: Uuid, by: &str) -> QueryResult<Option<JobRow>> {
    conn.transaction::<_, diesel::result::Error, _>(async |conn| {
        let Some(job) = find_for_update(conn, id).await? else {
            return Ok(None);
        };
        if !job.status.is_live() || job.cancel_requested_at.is_some() {
            return Ok(Some(job));
        }
        let q = diesel::update(jobs::table.find(id));
        let row = if job.status == JobStatus::Queued {
            q.set((
                jobs::status.eq(JobStatus::Cancelled),
                jobs::cancel_requested_at.eq(now),
                jobs::cancel_requested_by.eq(Some(by)),
                jobs::finished_at.eq(now),
                jobs::updated_at.eq(now),
            ))
            .returning(JobRow::as_returning())
            .get_result(conn)
            .await?
        } else {
            q.set((
                jobs::cancel_requested_at.eq(now),
                jobs::cancel_requested_by.eq(Some(by)),
                jobs::updated_at.eq(now),
            ))
            .returning(JobRow::as_returning())
            .get_result(conn)
            .await?
        };
        Ok(Some(row))
    })
    .await
}

pub async fn find(conn: &mut Conn, id: Uuid) -> QueryResult<Option<JobRow>> {
    jobs::table
        .find(id)
        .select(JobRow::as_select())
        .first(conn)
        .await
        .optional()
}

async fn find_for_update(conn: &mut Conn, id: Uuid) -> QueryResult<Option<JobRow>> {
    jobs::table
        .find(id)
        .select(JobRow::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()
}

/// The latest job of each of these records (a window computed again has several).
pub async fn latest_for(
    conn: &mut Conn,
    kind: JobKind,
    subjects: &[Uuid],
) -> QueryResult<Vec<JobRow>> {
    jobs::table
        .filter(jobs::kind.eq(kind))
        .filter(jobs::subject_id.eq_any(subjects))
        .distinct_on(jobs::subject_id)
        .order((jobs::subject_id, jobs::created_at.desc()))
        .select(JobRow::as_select())
        .load(conn)
        .await
}

/// The jobs queued or running (for `/metrics`; a handful at any time, bounded all the same).
pub async fn live(conn: &mut Conn) -> QueryResult<Vec<JobRow>> {
    jobs::table
        .filter(jobs::status.eq_any([JobStatus::Queued, JobStatus::Running]))
        .order(jobs::created_at)
        .limit(1000)
        .select(JobRow::as_select())
        .load(conn)
        .await
}
