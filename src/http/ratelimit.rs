//! Per-client fixed-window rate limiting, per instance. Clients are keyed by verified token
//! subject, or by address when unauthenticated.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

pub const WINDOW_SECONDS: u64 = 60;

pub struct RateLimiter {
    pub limit: u32,
    buckets: Mutex<HashMap<String, (u64, u32)>>,
}

pub struct Decision {
    pub allowed: bool,
    pub remaining: u32,
    /// Seconds until the window resets.
    pub reset: u64,
}

impl RateLimiter {
    pub fn new(limit: u32) -> Self {
        RateLimiter {
            limit,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    pub fn check(&self, key: &str) -> Decision {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let window = now / WINDOW_SECONDS;
        let reset = WINDOW_SECONDS - now % WINDOW_SECONDS;
        let mut buckets = self.buckets.lock().unwrap();
        if buckets.len() > 100_000 {
            // Old windows are worthless; drop them rather than grow without bound.
            buckets.retain(|_, (w, _)| *w == window);
        }
        let entry = buckets.entry(key.to_string()).or_insert((window, 0));
        if entry.0 != window {
            *entry = (window, 0);
        }
        if entry.1 >= self.limit {
            return Decision {
                allowed: false,
                remaining: 0,
                reset,
            };
        }
        entry.1 += 1;
        Decision {
            allowed: true,
            remaining: self.limit - entry.1,
            reset,
        }
    }

    /// `RateLimit-Policy` header value (draft-ietf-httpapi-ratelimit-headers).
    pub fn policy(&self) -> String {
        format!("\"per-client\";q={};w={WINDOW_SECONDS}", self.limit)
    }
}

impl Decision {
    pub fn header(&self) -> String {
        format!("\"per-client\";r={};t={}", self.remaining, self.reset)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_past_the_limit_and_counts_clients_apart() {
        let l = RateLimiter::new(2);
        assert!(l.check("a").allowed);
        assert!(l.check("a").allowed);
        let d = l.check("a");
        assert!(!d.allowed);
        assert!(d.reset >= 1 && d.reset <= WINDOW_SECONDS);
        assert!(l.check("b").allowed);
    }
}
