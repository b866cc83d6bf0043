//! Background jobs as clients see them: the job's own view, and the progress every bounded job
//! reports the same way (a run's and a window's `progress` is their job's).

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::db::jobs::JobRow;
use crate::domain::jobs::{estimate, JobKind, JobStatus};

/// How far a job has come.
#[derive(Serialize, ToSchema)]
#[schema(as = JobProgress)]
pub struct Progress {
    /// The job doing the work.
    pub job_id: Uuid,
    /// Items done so far (families judged, attachments judged, keys expired).
    #[schema(minimum = 0)]
    pub done: i64,
    /// Items to do, once the job has counted them.
    #[schema(minimum = 0)]
    pub total: Option<i64>,
    /// Items per second since the job started.
    pub rate_per_second: Option<f64>,
    /// When the job will be done at that rate (a finished job's own finish).
    pub estimated_finish_at: Option<DateTime<Utc>>,
}

impl Progress {
    pub fn of(j: &JobRow, now: DateTime<Utc>) -> Self {
        let e = estimate(j.done, j.total, j.started_at, j.finished_at, now);
        Progress {
            job_id: j.id,
            done: j.done,
            total: j.total,
            rate_per_second: e.rate_per_second.map(|r| (r * 10.0).round() / 10.0),
            estimated_finish_at: e.finish_at,
        }
    }
}

/// A background job.
#[derive(Serialize, ToSchema)]
pub struct Job {
    pub id: Uuid,
    pub kind: JobKind,
    pub status: JobStatus,
    /// The record the job works on (a run or a window), when it has one.
    pub subject_url: Option<String>,
    /// Attempts started so far, a takeover included.
    pub attempts: i32,
    pub max_attempts: i32,
    /// Not started again before this (a retry's back-off).
    pub run_after: DateTime<Utc>,
    pub progress: Progress,
    /// When a worker last reported on it.
    pub heartbeat_at: Option<DateTime<Utc>>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    /// Why the last attempt failed.
    pub error: Option<String>,
    pub cancel_requested_at: Option<DateTime<Utc>>,
    pub cancel_requested_by: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl Job {
    pub fn of(j: &JobRow, now: DateTime<Utc>) -> Self {
        Job {
            id: j.id,
            kind: j.kind,
            status: j.status,
            subject_url: j.subject_id.and_then(|s| match j.kind {
                JobKind::IdentificationRun => Some(format!("/api/v1/identification-runs/{s}")),
                JobKind::ClaimWindow => Some(format!("/api/v1/claim-windows/{s}")),
                JobKind::IdempotencyExpiry => None,
            }),
            attempts: j.attempts,
            max_attempts: j.max_attempts,
            run_after: j.run_after,
            progress: Progress::of(j, now),
            heartbeat_at: j.heartbeat_at,
            started_at: j.started_at,
            finished_at: j.finished_at,
            error: j.error.clone(),
            cancel_requested_at: j.cancel_requested_at,
            cancel_requested_by: j.cancel_requested_by.clone(),
            created_at: j.created_at,
        }
    }
}
