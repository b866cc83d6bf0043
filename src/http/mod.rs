//! HTTP plumbing shared by every route: state, middleware, extractors, replies.

pub mod client;
pub mod deactivated;
pub mod extract;
pub mod metrics;
pub mod middleware;
pub mod ratelimit;
pub mod reply;

use crate::auth::Verifier;
use crate::config::Config;
use crate::db::Pool;

pub struct AppState {
    pub pool: Pool,
    pub verifier: Verifier,
    pub limiter: ratelimit::RateLimiter,
    pub config: Config,
    pub routes: middleware::RouteIndex,
    /// Wakes this instance's background worker when a job is queued.
    pub jobs: std::sync::Arc<tokio::sync::Notify>,
    /// Set to stop the webhook worker (a shutdown, or a test's restart).
    pub stop: tokio::sync::watch::Sender<bool>,
    /// This instance's request counters and latencies.
    pub metrics: metrics::Metrics,
    /// The deactivated token subjects, while this instance follows the announcements.
    pub deactivated: std::sync::Arc<deactivated::Deactivated>,
}
