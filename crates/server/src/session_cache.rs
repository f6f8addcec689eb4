//! Logins this node has checked lately, so that an authenticated request does not read the
//! database every time. A session is remembered for at most `REMEMBER_FOR` and never past its
//! own expiry. A logout on this node forgets it at once; a logout on another node takes
//! effect here within `REMEMBER_FOR`.

use chrono::{DateTime, Duration, Utc};
use marquee_store::{Session, User};
use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

const REMEMBER_FOR: Duration = Duration::seconds(5);
/// Beyond this many sessions, the ones no longer valid are dropped (all, if none is).
const MAX_SESSIONS: usize = 100_000;

/// Token hash → the user, and until when this answer may be reused.
type Sessions = HashMap<Vec<u8>, (User, DateTime<Utc>)>;

#[derive(Default)]
pub struct SessionCache {
    sessions: Mutex<Sessions>,
}

impl SessionCache {
    pub fn get(&self, token_hash: &[u8], now: DateTime<Utc>) -> Option<User> {
        self.lock()
            .get(token_hash)
            .filter(|(_, until)| now < *until)
            .map(|(user, _)| user.clone())
    }

    pub fn remember(&self, token_hash: Vec<u8>, session: Session, now: DateTime<Utc>) {
        let until = session.expires_at.min(now + REMEMBER_FOR);
        let mut sessions = self.lock();
        if sessions.len() >= MAX_SESSIONS {
            sessions.retain(|_, (_, valid)| now < *valid);
            if sessions.len() >= MAX_SESSIONS {
                sessions.clear();
            }
        }
        sessions.insert(token_hash, (session.user, until));
    }

    pub fn forget(&self, token_hash: &[u8]) {
        self.lock().remove(token_hash);
    }

    /// Plain data that a panic cannot leave half-written: a poisoned lock is used as is.
    fn lock(&self) -> MutexGuard<'_, Sessions> {
        self.sessions.lock().unwrap_or_else(|p| p.into_inner())
    }
}
