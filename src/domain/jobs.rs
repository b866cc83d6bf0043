//! Background jobs' kinds and states, the retry back-off and the progress estimate: defined once
//! for every kind. The runner that leases and runs jobs is `crate::jobs`.

use chrono::{DateTime, Utc};
use std::time::Duration;

text_enum!(
    /// What a job does. Each kind is registered once, with its handler and limits, in
    /// `crate::jobs::REGISTRY`.
    JobKind {
        IdentificationRun => "identification_run",
        ClaimWindow => "claim_window",
        IdempotencyExpiry => "idempotency_expiry",
    }
);

text_enum!(
    /// `queued` (waiting, or waiting out a retry's back-off) -> `running` (leased by one
    /// instance, kept by its heartbeat) -> `succeeded`, `failed` (its last attempt's reason kept)
    /// or `cancelled` (stopped at its next step). A running job whose holder falls silent is
    /// taken over and resumed from its last committed step.
    JobStatus {
        Queued => "queued",
        Running => "running",
        Succeeded => "succeeded",
        Failed => "failed",
        Cancelled => "cancelled",
    }
);

impl JobStatus {
    pub fn is_live(self) -> bool {
        matches!(self, JobStatus::Queued | JobStatus::Running)
    }
}

/// The wait before attempt `attempt + 1` after attempt `attempt` failed (1 for the first
/// failure): `base`, doubling each time, at most `cap`. Webhook deliveries and jobs share it.
pub fn backoff(base: Duration, attempt: i32, cap: Duration) -> Duration {
    let factor = 1u32 << (attempt.clamp(1, 21) - 1) as u32;
    base.saturating_mul(factor).min(cap)
}

/// How far a bounded job has come, the same for every kind.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    /// Items done per second since the job started.
    pub rate_per_second: Option<f64>,
    /// When it will be done at that rate.
    pub finish_at: Option<DateTime<Utc>>,
}

/// The rate since `started_at` and the finish it points to; none before the first item, and
/// no finish without a total. A finished job's finish is its own.
pub fn estimate(
    done: i64,
    total: Option<i64>,
    started_at: Option<DateTime<Utc>>,
    finished_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Estimate {
    let end = finished_at.unwrap_or(now);
    let rate = started_at
        .map(|s| (end - s).num_milliseconds() as f64 / 1000.0)
        .filter(|secs| *secs > 0.0 && done > 0)
        .map(|secs| done as f64 / secs);
    let finish_at = match (finished_at, total, rate) {
        (Some(f), _, _) => Some(f),
        (None, Some(t), Some(r)) => {
            let left = (t - done).max(0) as f64 / r;
            Some(now + chrono::Duration::milliseconds((left * 1000.0) as i64))
        }
        _ => None,
    };
    Estimate {
        rate_per_second: rate,
        finish_at,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn back_off_doubles_from_the_base_to_the_cap() {
        let s = Duration::from_secs;
        let waits: Vec<u64> = (1..=6).map(|a| backoff(s(5), a, s(60)).as_secs()).collect();
        assert_eq!(waits, vec![5, 10, 20, 40, 60, 60]);
        assert_eq!(backoff(s(1), 40, s(3600)), s(3600));
    }

    #[test]
    fn the_estimate_follows_the_rate_since_the_start() {
        let start: DateTime<Utc> = "2026-12-02T10:00:00Z".parse().unwrap();
        let now = start + chrono::Duration::seconds(10);
        let e = estimate(2_000, Some(10_000), Some(start), None, now);
        assert_eq!(e.rate_per_second, Some(200.0));
        assert_eq!(e.finish_at, Some(now + chrono::Duration::seconds(40)));
        // Nothing done yet: no rate, no finish.
        assert_eq!(
            estimate(0, Some(10), Some(start), None, now),
            Estimate {
                rate_per_second: None,
                finish_at: None
            }
        );
        // A job without a total has a rate but no finish; a finished one keeps its own.
        assert_eq!(estimate(5, None, Some(start), None, now).finish_at, None);
        assert_eq!(
            estimate(5, Some(5), Some(start), Some(now), now).finish_at,
            Some(now)
        );
    }
}
