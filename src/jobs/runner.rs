//! The registry of job kinds and the loop every instance runs: it enqueues the periodic jobs
//! whose period has come (one instance wins each period), leases what is due within each kind's
//! limits, and runs each job with a heartbeat beside it.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use diesel_async::AsyncConnection;
use tokio::sync::{watch, Notify};

use super::context::{Ending, JobCtx, JobError, CANCELLING, GO, LOST};
use super::registry::{Registration, REGISTRY};
use crate::db::jobs::{self as q, Held, JobRow, Lease};
use crate::db::{Conn, Pool};
use crate::domain::jobs::{backoff, JobKind, JobStatus};
use crate::service::{claims, identification};

/// A job whose holder has not sent a heartbeat for this long is taken over by another instance.
pub const STALE_SECONDS: i32 = 60;
/// Four heartbeats in the stale period: one lost to a slow database does not lose the job.
pub const HEARTBEAT: Duration = Duration::from_secs(15);
/// How often an idle instance looks for work queued elsewhere (it is woken at once for its own).
const POLL: Duration = Duration::from_secs(2);

/// The kind's work.
async fn handle(ctx: &JobCtx) -> Result<(), JobError> {
    match ctx.job.kind {
        JobKind::IdentificationRun => identification::run_job(ctx).await,
        JobKind::ClaimWindow => claims::run_job(ctx).await,
        JobKind::IdempotencyExpiry => {
            let mut conn = ctx.conn().await?;
            let n = crate::db::idempotency::expire(&mut conn).await?;
            if n > 0 {
                log::info!("expired {n} idempotency keys");
            }
            ctx.step(&mut conn, n as i64).await
        }
    }
}

/// The record's own ending, in the transaction that ends the job.
pub async fn end(conn: &mut Conn, job: &JobRow, how: &Ending<'_>) -> diesel::QueryResult<()> {
    let Some(subject) = job.subject_id else {
        return Ok(());
    };
    match job.kind {
        JobKind::IdentificationRun => identification::end(conn, subject, how).await,
        JobKind::ClaimWindow => claims::end(conn, subject, how).await,
        JobKind::IdempotencyExpiry => Ok(()),
    }
}

/// The start of the period `now` falls in, counted from the Unix epoch.
pub fn period_of(now: DateTime<Utc>, every: Duration) -> DateTime<Utc> {
    let secs = every.as_secs().max(1) as i64;
    let start = now.timestamp().div_euclid(secs) * secs;
    DateTime::from_timestamp(start, 0).expect("in range")
}

/// Runs this instance's share of the jobs until told to stop; a new job wakes it at once.
pub async fn run_forever(
    pool: Pool,
    wake: Arc<Notify>,
    mut stop: watch::Receiver<bool>,
    batch: i64,
) {
    let holder = format!("pid {} ({})", std::process::id(), uuid::Uuid::now_v7());
    let running: HashMap<JobKind, Arc<AtomicUsize>> = REGISTRY
        .iter()
        .map(|r| (r.kind, Arc::new(AtomicUsize::new(0))))
        .collect();
    let mut enqueued: HashMap<JobKind, DateTime<Utc>> = HashMap::new();
    loop {
        if *stop.borrow() {
            return;
        }
        for reg in REGISTRY {
            if let Some(every) = reg.every {
                let period = period_of(Utc::now(), every);
                if enqueued.get(&reg.kind) != Some(&period) {
                    match schedule(&pool, reg, period).await {
                        Ok(()) => {
                            enqueued.insert(reg.kind, period);
                        }
                        Err(e) => log::warn!("scheduling {}: {e}", reg.kind),
                    }
                }
            }
            let count = &running[&reg.kind];
            while count.load(Ordering::SeqCst) < reg.per_instance {
                let leased = match pool.get().await {
                    Ok(mut conn) => {
                        q::lease(&mut conn, reg.kind, STALE_SECONDS, reg.in_all, &holder).await
                    }
                    Err(e) => {
                        log::warn!("job runner: {e}");
                        break;
                    }
                };
                match leased {
                    Ok(Some(job)) => {
                        count.fetch_add(1, Ordering::SeqCst);
                        let (pool, count, wake) = (pool.clone(), count.clone(), wake.clone());
                        tokio::spawn(async move {
                            execute(pool, reg, job, batch).await;
                            count.fetch_sub(1, Ordering::SeqCst);
                            // A slot is free: look again at once.
                            wake.notify_one();
                        });
                    }
                    Ok(None) => break,
                    Err(e) => {
                        log::warn!("leasing a {} job: {e}", reg.kind);
                        break;
                    }
                }
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(POLL) => {}
            _ = wake.notified() => {}
            _ = stop.changed() => return,
        }
    }
}

async fn schedule(pool: &Pool, reg: &Registration, period: DateTime<Utc>) -> Result<(), String> {
    let mut conn = pool.get().await.map_err(|e| e.to_string())?;
    if q::enqueue_period(&mut conn, reg.kind, period, reg.max_attempts)
        .await
        .map_err(|e| e.to_string())?
    {
        log::info!("queued the {} job for {period}", reg.kind);
    }
    Ok(())
}

/// Runs one leased job to its end: the handler, a heartbeat beside it, then the ending (or a
/// retry) written only while this worker still holds the lease.
pub async fn execute(pool: Pool, reg: &'static Registration, job: JobRow, batch: i64) {
    let Some(token) = job.lease_token else {
        return;
    };
    let lease = Lease {
        job_id: job.id,
        token,
    };
    let signal = Arc::new(AtomicU8::new(GO));
    let beat = tokio::spawn(heartbeat(pool.clone(), lease, signal.clone()));
    let started = std::time::Instant::now();
    let ctx = JobCtx {
        pool: pool.clone(),
        job,
        lease,
        batch,
        statement_timeout: reg.statement_timeout,
        signal,
    };
    let outcome = if ctx.job.attempts > ctx.job.max_attempts {
        // Taken over once more than it may be tried: its workers keep dying on it.
        Err(JobError::Failed(format!(
            "its worker stopped reporting on each of its {} attempts",
            ctx.job.max_attempts
        )))
    } else if ctx.job.cancel_requested_at.is_some() {
        Err(JobError::Cancelled)
    } else {
        handle(&ctx).await
    };
    beat.abort();
    let job = &ctx.job;
    let what = format!("{} job {}", job.kind, job.id);
    // What people reading the record see; the detail goes to the log only.
    let public = format!(
        "The job stopped on the server; the service log has the details for job {}.",
        job.id
    );
    let written = match &outcome {
        Ok(()) => {
            finish(
                &pool,
                job,
                lease,
                JobStatus::Succeeded,
                None,
                Ending::Succeeded,
            )
            .await
        }
        Err(JobError::Cancelled) => {
            // Asked while it ran: the name is in the row, not in the job as leased.
            let by = match job.cancel_requested_by.clone() {
                Some(b) => b,
                None => current_canceller(&pool, job.id).await,
            };
            let reason = format!("Cancelled by {by}.");
            finish(
                &pool,
                job,
                lease,
                JobStatus::Cancelled,
                Some(&reason),
                Ending::Cancelled(&by),
            )
            .await
        }
        Err(JobError::Lost) => Ok(false),
        Err(JobError::Failed(detail)) => {
            log::error!(
                "{what}, attempt {} of {}: {detail}",
                job.attempts,
                job.max_attempts
            );
            if job.attempts < job.max_attempts {
                let wait = backoff(reg.retry_after, job.attempts, Duration::from_secs(600));
                retry(&pool, lease, &public, wait).await
            } else {
                finish(
                    &pool,
                    job,
                    lease,
                    JobStatus::Failed,
                    Some(&public),
                    Ending::Failed(&public),
                )
                .await
            }
        }
    };
    match (written, &outcome) {
        (Err(e), _) => log::error!("{what}: recording its end: {e}"),
        (Ok(false), _) => log::warn!("{what}: another worker holds it now; this one stopped"),
        (Ok(true), Ok(())) => log::info!(
            "{what} succeeded in {:.1}s",
            started.elapsed().as_secs_f64()
        ),
        (Ok(true), _) => {}
    }
}

async fn current_canceller(pool: &Pool, id: uuid::Uuid) -> String {
    let found = match pool.get().await {
        Ok(mut c) => q::find(&mut c, id).await.ok().flatten(),
        Err(_) => None,
    };
    found
        .and_then(|j| j.cancel_requested_by)
        .unwrap_or_else(|| "someone".into())
}

async fn finish(
    pool: &Pool,
    job: &JobRow,
    lease: Lease,
    status: JobStatus,
    error: Option<&str>,
    how: Ending<'_>,
) -> Result<bool, String> {
    let mut conn = pool.get().await.map_err(|e| e.to_string())?;
    conn.transaction::<_, diesel::result::Error, _>(async |c| {
        if !q::finish(c, lease, status, error).await? {
            return Ok(false);
        }
        end(c, job, &how).await?;
        Ok(true)
    })
    .await
    .map_err(|e| e.to_string())
}

async fn retry(pool: &Pool, lease: Lease, error: &str, wait: Duration) -> Result<bool, String> {
    let mut conn = pool.get().await.map_err(|e| e.to_string())?;
    q::retry_later(&mut conn, lease, error, wait)
        .await
        .map_err(|e| e.to_string())
}

/// Renews the lease while the handler works, and tells it when the job was cancelled or taken
/// over. A failed beat is tried again at the next one.
async fn heartbeat(pool: Pool, lease: Lease, signal: Arc<AtomicU8>) {
    loop {
        tokio::time::sleep(HEARTBEAT).await;
        let held = match pool.get().await {
            Ok(mut c) => q::heartbeat(&mut c, lease).await,
            Err(e) => {
                log::warn!("job {} heartbeat: {e}", lease.job_id);
                continue;
            }
        };
        match held {
            Ok(Held::Yes) => {}
            Ok(Held::Cancelling) => signal.store(CANCELLING, Ordering::Relaxed),
            Ok(Held::Lost) => {
                signal.store(LOST, Ordering::Relaxed);
                return;
            }
            Err(e) => log::warn!("job {} heartbeat: {e}", lease.job_id),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_period_starts_on_its_boundary() {
        let at: DateTime<Utc> = "2026-12-02T11:42:07Z".parse().unwrap();
        let hour = Duration::from_secs(3600);
        assert_eq!(
            period_of(at, hour).to_rfc3339(),
            "2026-12-02T11:00:00+00:00"
        );
        assert_eq!(period_of(period_of(at, hour), hour), period_of(at, hour));
    }
}
