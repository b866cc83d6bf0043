//! The set of deactivated token subjects, kept in memory so that a request does not ask the
//! database whether its caller is still active. It is loaded when the instance starts following
//! the database's announcements (LISTEN on a session connection of its own) and kept current by
//! them (each names a subject whose state changed; the follower reads that subject's state
//! again). While that connection is down, or its heartbeat does not come back, the set is not
//! trusted and each request asks the database, as before, until the connection is back and the
//! set reloaded.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::RwLock;
use std::time::Duration;

use diesel_async::{AsyncConnection, AsyncPgConnection};
use futures_util::StreamExt;
use tokio::sync::watch;

use crate::db;

/// A heartbeat this often on the listening connection: it must come back through LISTEN before
/// the next, so a connection that died silently, or announcements that no longer arrive, are
/// found out within two of these.
const HEARTBEAT_EVERY: Duration = Duration::from_secs(2);
/// Bounds each statement and the connecting on the listening connection.
const STATEMENT_TIMEOUT: Duration = Duration::from_secs(5);
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

    /// The state of the announced subjects, read after their announcements arrived.
    fn update(&self, announced: &[String], deactivated: &[String]) {
        let mut subjects = self.subjects.write().unwrap_or_else(|e| e.into_inner());
        for subject in announced {
            subjects.remove(subject);
        }
        subjects.extend(deactivated.iter().cloned());
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
        let outcome = session(&set, &url, &mut stop).await;
        set.stale();
        match outcome {
            Ok(()) => break,
            Err((loaded, e)) => {
                log::warn!(
                    "staff announcements: {e}; each request asks the database until they are back"
                );
                // A session that got going starts the back-off again.
                if loaded {
                    wait = RETRY_FIRST;
                }
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

/// Runs `f` within the statement timeout.
async fn bounded<T, E: std::fmt::Display>(
    what: &str,
    f: impl std::future::Future<Output = Result<T, E>>,
) -> Result<T, String> {
    match tokio::time::timeout(STATEMENT_TIMEOUT, f).await {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(format!("{what}: {e}")),
        Err(_) => Err(format!("{what}: timed out")),
    }
}

/// One session: LISTEN first, then load (a change committed during the load is announced after
/// it), then read again each announced subject's state, with a heartbeat that must come back.
/// `Err((loaded, why))` says whether the set had been loaded.
async fn session(
    set: &Deactivated,
    url: &str,
    stop: &mut watch::Receiver<bool>,
) -> Result<(), (bool, String)> {
    let setup = async {
        let mut conn = bounded("connecting", AsyncPgConnection::establish(url)).await?;
        bounded("LISTEN", db::staff::listen_for_active_changes(&mut conn)).await?;
        if !bounded("the trigger", db::staff::heartbeat(&mut conn)).await? {
            return Err("the trigger staff_active_notify is missing or disabled".to_string());
        }
        let all = bounded("loading", db::staff::deactivated_subjects(&mut conn)).await?;
        Ok((conn, all))
    };
    let (mut conn, all) = tokio::select! {
        r = setup => r.map_err(|e| (false, e))?,
        _ = stop.changed() => return Ok(()),
    };
    log::info!(
        "following staff announcements; {} deactivated subjects",
        all.len()
    );
    set.load(all);
    let fail = |e: String| (true, e);
    // The setup's heartbeat is on its way back.
    let mut heartbeat_out = true;
    loop {
        let mut announced = Vec::new();
        {
            let notes = conn.notifications_stream();
            let mut notes = std::pin::pin!(notes);
            let pause = tokio::time::sleep(HEARTBEAT_EVERY);
            let mut pause = std::pin::pin!(pause);
            loop {
                tokio::select! {
                    note = notes.next() => match note {
                        Some(Ok(n)) if n.payload.is_empty() => heartbeat_out = false,
                        Some(Ok(n)) => {
                            announced.push(n.payload);
                            break;
                        }
                        Some(Err(e)) => return Err(fail(format!("receiving: {e}"))),
                        None => return Err(fail("the connection closed".into())),
                    },
                    _ = &mut pause => break,
                    _ = stop.changed() => return Ok(()),
                }
            }
        }
        if announced.is_empty() {
            if heartbeat_out {
                return Err(fail("the heartbeat did not come back".into()));
            }
            if !bounded("heartbeat", db::staff::heartbeat(&mut conn))
                .await
                .map_err(fail)?
            {
                return Err(fail(
                    "the trigger staff_active_notify is missing or disabled".into(),
                ));
            }
            heartbeat_out = true;
        } else {
            // Several announcements may be waiting: read their subjects' states together.
            let states = bounded(
                "reading announced subjects",
                db::staff::deactivated_among(&mut conn, &announced),
            )
            .await
            .map_err(fail)?;
            set.update(&announced, &states);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_only_while_current_and_takes_the_states_read_after_announcements() {
        let set = Deactivated::default();
        assert_eq!(set.knows("kw-1"), None, "not loaded: ask the database");
        set.load(vec!["kw-1".into()]);
        assert_eq!(set.knows("kw-1"), Some(true));
        assert_eq!(set.knows("kw-2"), Some(false));
        // kw-1 reactivated and kw-2 deactivated: their states as read.
        set.update(&["kw-1".into(), "kw-2".into()], &["kw-2".into()]);
        assert_eq!(set.knows("kw-1"), Some(false));
        assert_eq!(set.knows("kw-2"), Some(true));
        set.deactivated("kw-3");
        assert_eq!(set.knows("kw-3"), Some(true));
        set.stale();
        assert_eq!(set.knows("kw-2"), None);
        assert!(!set.is_current());
    }
}
