//! The set of deactivated token subjects, kept in memory so that a request does not ask the
//! database whether its caller is still active. It is loaded when the instance starts following
//! the database's announcements (LISTEN on a session connection of its own) and kept current by
//! them; while that connection is down the set is not trusted and each request asks the
//! database, as before, until the connection is back and the set reloaded.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::RwLock;
use std::time::Duration;

use diesel_async::{AsyncConnection, AsyncPgConnection};
use futures_util::StreamExt;
use tokio::sync::watch;

use crate::db;

/// A ping on the listening connection this often bounds how long a connection that died without
/// closing (a dropped network path) can go unnoticed.
const PING_EVERY: Duration = Duration::from_secs(5);
const PING_TIMEOUT: Duration = Duration::from_secs(3);
const RETRY_FIRST: Duration = Duration::from_secs(1);
const RETRY_MOST: Duration = Duration::from_secs(30);

#[derive(Default)]
pub struct Deactivated {
    subjects: RwLock<HashSet<String>>,
    current: AtomicBool,
}

impl Deactivated {
    /// `Some(answer)` while the set is current; `None` when the database must be asked.
    pub fn knows(&self, subject: &str) -> Option<bool> {
        if !self.current.load(Ordering::Acquire) {
            return None;
        }
        let subjects = self.subjects.read().unwrap_or_else(|e| e.into_inner());
        // Read `current` again under the lock: a set being dropped is not answered from.
        self.current
            .load(Ordering::Acquire)
            .then(|| subjects.contains(subject))
    }

    /// Whether the set is current (the connection is up and the set loaded).
    pub fn is_current(&self) -> bool {
        self.current.load(Ordering::Acquire)
    }

    /// A deactivation this instance has just committed: answered from at once, before its
    /// announcement comes back.
    pub fn deactivated(&self, subject: &str) {
        let mut subjects = self.subjects.write().unwrap_or_else(|e| e.into_inner());
        subjects.insert(subject.to_string());
    }

    fn load(&self, all: Vec<String>) {
        let mut subjects = self.subjects.write().unwrap_or_else(|e| e.into_inner());
        *subjects = all.into_iter().collect();
        self.current.store(true, Ordering::Release);
    }

    fn stale(&self) {
        let mut subjects = self.subjects.write().unwrap_or_else(|e| e.into_inner());
        self.current.store(false, Ordering::Release);
        subjects.clear();
    }

    /// An announcement: '0' (deactivated) or '1' (active), then the subject.
    fn apply(&self, payload: &str) {
        let mut subjects = self.subjects.write().unwrap_or_else(|e| e.into_inner());
        match payload.split_at_checked(1) {
            Some(("0", subject)) => {
                subjects.insert(subject.to_string());
            }
            Some(("1", subject)) => {
                subjects.remove(subject);
            }
            _ => {
                // Not ours to read: trust nothing until reloaded.
                log::error!("unreadable staff announcement {payload:?}; reloading");
                self.current.store(false, Ordering::Release);
            }
        }
    }
}

/// Follows the announcements until `stop`; reconnects with back-off when the connection drops.
pub async fn follow(
    set: std::sync::Arc<Deactivated>,
    url: String,
    mut stop: watch::Receiver<bool>,
) {
    let mut wait = RETRY_FIRST;
    while !*stop.borrow() {
        match session(&set, &url, &mut stop).await {
            Ok(()) => break,
            Err(e) => {
                set.stale();
                log::warn!(
                    "staff announcements: {e}; each request asks the database until they are back"
                );
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = stop.changed() => break,
        }
        wait = (wait * 2).min(RETRY_MOST);
    }
    set.stale();
}

/// One session: LISTEN first, then load (an announcement of a change committed during the load
/// is applied after it, in commit order), then apply announcements and ping.
async fn session(
    set: &Deactivated,
    url: &str,
    stop: &mut watch::Receiver<bool>,
) -> Result<(), String> {
    let mut conn = AsyncPgConnection::establish(url)
        .await
        .map_err(|e| format!("connecting: {e}"))?;
    db::staff::listen_for_active_changes(&mut conn)
        .await
        .map_err(|e| format!("LISTEN: {e}"))?;
    let all = db::staff::deactivated_subjects(&mut conn)
        .await
        .map_err(|e| format!("loading: {e}"))?;
    log::info!(
        "following staff announcements; {} deactivated subjects",
        all.len()
    );
    set.load(all);
    loop {
        {
            let notes = conn.notifications_stream();
            let mut notes = std::pin::pin!(notes);
            let pause = tokio::time::sleep(PING_EVERY);
            let mut pause = std::pin::pin!(pause);
            loop {
                tokio::select! {
                    note = notes.next() => match note {
                        Some(Ok(n)) => set.apply(&n.payload),
                        Some(Err(e)) => return Err(format!("receiving: {e}")),
                        None => return Err("the connection closed".into()),
                    },
                    _ = &mut pause => break,
                    _ = stop.changed() => return Ok(()),
                }
            }
        }
        match tokio::time::timeout(PING_TIMEOUT, db::staff::ping(&mut conn)).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => return Err(format!("ping: {e}")),
            Err(_) => return Err("ping timed out".into()),
        }
        if !set.is_current() {
            // An unreadable announcement: start again from a fresh load.
            return Err("reloading after an unreadable announcement".into());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_only_while_current_and_follows_announcements_in_order() {
        let set = Deactivated::default();
        assert_eq!(set.knows("kw-1"), None, "not loaded: ask the database");
        set.load(vec!["kw-1".into()]);
        assert_eq!(set.knows("kw-1"), Some(true));
        assert_eq!(set.knows("kw-2"), Some(false));
        set.apply("0kw-2");
        set.apply("1kw-1");
        assert_eq!(set.knows("kw-1"), Some(false));
        assert_eq!(set.knows("kw-2"), Some(true));
        // A subject may hold any character, the first one included.
        set.apply("01abc");
        assert_eq!(set.knows("1abc"), Some(true));
        set.stale();
        assert_eq!(set.knows("kw-2"), None);
    }

    #[test]
    fn an_unreadable_announcement_stops_the_set_being_trusted() {
        let set = Deactivated::default();
        set.load(vec![]);
        set.apply("");
        assert_eq!(set.knows("kw-1"), None);
        set.load(vec![]);
        set.apply("xkw-1");
        assert!(!set.is_current());
    }
}
