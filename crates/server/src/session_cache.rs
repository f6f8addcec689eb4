//! Logins this node has checked lately, so that an authenticated request does not read the
//! database every time. A session is remembered for at most `REMEMBER_FOR` and never past its
//! own expiry. A logout on this node forgets it at once (and keeps it forgotten, so that a
//! lookup that began before the logout cannot bring it back); a logout on another node takes
//! effect here within `REMEMBER_FOR`. Ending all of an account's sessions (a password change,
//! "log out everywhere") forgets every session of the account this node knows, and remembers
//! none of its sessions for `REMEMBER_FOR` afterwards (they are read from the database).

use chrono::{DateTime, Duration, Utc};
use marquee_domain::UserId;
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

#[derive(Default)]
struct Sessions {
    /// Token hash → what this node knows of it.
    tokens: HashMap<Vec<u8>, Entry>,
    /// Accounts whose sessions were ended here: none of theirs is remembered before then.
    ended: HashMap<UserId, DateTime<Utc>>,
}

#[derive(Default)]
pub struct SessionCache {
    sessions: Mutex<Sessions>,
}

impl SessionCache {
    pub fn get(&self, token_hash: &[u8], now: DateTime<Utc>) -> Option<User> {
        match self.lock().tokens.get(token_hash) {
            Some(Entry::Known(user, until)) if now < *until => Some(user.clone()),
            _ => None,
        }
    }

    pub fn remember(&self, token_hash: Vec<u8>, session: Session, now: DateTime<Utc>) {
        let until = session.expires_at.min(now + REMEMBER_FOR);
        let mut sessions = self.lock();
        if matches!(sessions.ended.get(&session.user.id), Some(until) if now < *until) {
            return;
        }
        let tokens = &mut sessions.tokens;
        if matches!(tokens.get(&token_hash), Some(Entry::Forgotten(until)) if now < *until) {
            return;
        }
        if tokens.len() >= MAX_SESSIONS {
            tokens.retain(|_, entry| entry.in_force(now));
            if tokens.len() >= MAX_SESSIONS {
                tokens.clear();
            }
        }
        tokens.insert(token_hash, Entry::Known(session.user, until));
    }

    /// Call after the session is deleted from the database.
    pub fn forget(&self, token_hash: &[u8], now: DateTime<Utc>) {
        self.lock()
            .tokens
            .insert(token_hash.to_vec(), Entry::Forgotten(now + REMEMBER_FOR));
    }

    /// Call after the account's sessions are deleted from the database.
    pub fn forget_user(&self, user: UserId, now: DateTime<Utc>) {
        let until = now + REMEMBER_FOR;
        let mut sessions = self.lock();
        sessions.ended.retain(|_, ended| now < *ended);
        sessions.ended.insert(user, until);
        for entry in sessions.tokens.values_mut() {
            if matches!(entry, Entry::Known(known, _) if known.id == user) {
                *entry = Entry::Forgotten(until);
            }
        }
    }

    /// Plain data that a panic cannot leave half-written: a poisoned lock is used as is.
    fn lock(&self) -> MutexGuard<'_, Sessions> {
        self.sessions.lock().unwrap_or_else(|p| p.into_inner())
    }
}
