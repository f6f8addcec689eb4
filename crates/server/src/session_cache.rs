//! Logins this node has checked lately, so that an authenticated request does not read the
//! database every time. A session is remembered for at most `REMEMBER_FOR` and never past its
//! own expiry. A logout on this node forgets it at once (and keeps it forgotten, so that a
//! lookup that began before the logout cannot bring it back); a logout on another node takes
//! effect here within `REMEMBER_FOR`.

use chrono::{DateTime, Duration, Utc};
use marquee_store::{Session, User};
use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

const REMEMBER_FOR: Duration = Duration::seconds(5);
/// Beyond this many sessions, the entries no longer in force are dropped (all, if none is).
const MAX_SESSIONS: usize = 100_000;

enum Entry {
    /// The token's user, reusable until then.
    Known(User, DateTime<Utc>),
    /// Logged out here: not to be remembered again before then.
    Forgotten(DateTime<Utc>),
}

impl Entry {
    fn in_force(&self, now: DateTime<Utc>) -> bool {
        match self {
            Entry::Known(_, until) | Entry::Forgotten(until) => now < *until,
        }
    }
}

/// Token hash → what this node knows of it.
type Sessions = HashMap<Vec<u8>, Entry>;

#[derive(Default)]
pub struct SessionCache {
    sessions: Mutex<Sessions>,
}

impl SessionCache {
    pub fn get(&self, token_hash: &[u8], now: DateTime<Utc>) -> Option<User> {
        match self.lock().get(token_hash) {
            Some(Entry::Known(user, until)) if now < *until => Some(user.clone()),
            _ => None,
        }
    }

    pub fn remember(&self, token_hash: Vec<u8>, session: Session, now: DateTime<Utc>) {
        let until = session.expires_at.min(now + REMEMBER_FOR);
        let mut sessions = self.lock();
        if matches!(sessions.get(&token_hash), Some(Entry::Forgotten(until)) if now < *until) {
            return;
        }
        if sessions.len() >= MAX_SESSIONS {
            sessions.retain(|_, entry| entry.in_force(now));
            if sessions.len() >= MAX_SESSIONS {
                sessions.clear();
            }
        }
        sessions.insert(token_hash, Entry::Known(session.user, until));
    }

    /// Call after the session is deleted from the database.
    pub fn forget(&self, token_hash: &[u8], now: DateTime<Utc>) {
        self.lock()
            .insert(token_hash.to_vec(), Entry::Forgotten(now + REMEMBER_FOR));
    }

    /// Plain data that a panic cannot leave half-written: a poisoned lock is used as is.
    fn lock(&self) -> MutexGuard<'_, Sessions> {
        self.sessions.lock().unwrap_or_else(|p| p.into_inner())
    }
}
