//! One runner for every background job. Jobs are rows (`db::jobs`): any instance leases one with
//! `FOR UPDATE SKIP LOCKED`, keeps it by heartbeat, and a job whose holder falls silent for
//! `STALE_SECONDS` is taken over and resumed from the last step its handler committed (each
//! step commits the work and the job's progress in one transaction, checked against the lease).
//! A failed attempt is retried with back-off up to the kind's limit, then failed with its reason;
//! a cancelled job stops at its next step. Periodic work is a job too, enqueued once per period
//! across all instances. Every kind is registered once, in `registry::REGISTRY`.
//!
//! Webhook deliveries are a queue of many small items with their own table and shape (attempts
//! and a next attempt per delivery): `deliveries` leases them with the same rule (a token, a
//! heartbeat, the same stale period) and backs off with the same `domain::jobs::backoff`.

pub mod context;
pub mod deliveries;
pub mod registry;
pub mod runner;
