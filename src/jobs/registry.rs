//! Every job kind, registered once: its limits here, its handler and its record's ending in
//! `runner` (exhaustive matches on the kind, so a new kind cannot be half-registered).

use std::time::Duration;

use uuid::Uuid;

use crate::db::jobs::{self as q, JobRow};
use crate::db::Conn;
use crate::domain::jobs::JobKind;

/// One kind of job: how many run at once on an instance and in all, the limit on any one
/// statement, how many attempts it gets, and for periodic work its period.
pub struct Registration {
    pub kind: JobKind,
    pub per_instance: usize,
    pub in_all: i64,
    pub statement_timeout: Duration,
    pub max_attempts: i32,
    /// The first retry's wait (doubling after each failure, at most ten minutes).
    pub retry_after: Duration,
    pub every: Option<Duration>,
}

/// Every kind, once. An identification run holds one connection while it runs and a claim
/// window three, so one of each at a time per instance keeps the pool free for requests; claim
/// windows decide their claims under one lock, so running two anywhere gains nothing.
pub const REGISTRY: &[Registration] = &[
    Registration {
        kind: JobKind::IdentificationRun,
        per_instance: 1,
        in_all: 4,
        statement_timeout: Duration::from_secs(60),
        max_attempts: 3,
        retry_after: Duration::from_secs(5),
        every: None,
    },
    Registration {
        kind: JobKind::ClaimWindow,
        per_instance: 1,
        in_all: 1,
        // A batch may wait for another window's batch under the claiming lock.
        statement_timeout: Duration::from_secs(300),
        max_attempts: 3,
        retry_after: Duration::from_secs(5),
        every: None,
    },
    Registration {
        kind: JobKind::IdempotencyExpiry,
        per_instance: 1,
        in_all: 1,
        statement_timeout: Duration::from_secs(60),
        max_attempts: 3,
        retry_after: Duration::from_secs(60),
        every: Some(Duration::from_secs(3600)),
    },
];

pub fn registration(kind: JobKind) -> &'static Registration {
    REGISTRY
        .iter()
        .find(|r| r.kind == kind)
        .expect("every kind is registered")
}

/// Queues the job for a record in the caller's transaction, so that the record and its job
/// commit together.
pub async fn enqueue(conn: &mut Conn, kind: JobKind, subject: Uuid) -> diesel::QueryResult<JobRow> {
    q::enqueue(conn, kind, subject, registration(kind).max_attempts).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_is_registered_once() {
        for kind in JobKind::ALL {
            assert_eq!(
                REGISTRY.iter().filter(|r| r.kind == *kind).count(),
                1,
                "{kind}"
            );
        }
    }
}
