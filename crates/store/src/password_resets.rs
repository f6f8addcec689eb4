//! Forgotten passwords: a link holding a random token, whose SHA-256 is kept here (never the
//! token), used once before it expires; and the outbox message that carries the link to the
//! account's owner, written in the same transaction.

use crate::args;
use crate::codec::{instant, millis};
use crate::sql::Sql;
use crate::{statements, StoreError, StoreResult, User};
use chrono::{DateTime, Utc};
use marquee_domain::{BookingId, UserId};

/// The kind of the outbox message that carries a reset link.
pub const MESSAGE_KIND: &str = "password_reset";

/// A reset link made for an account. No `Debug`: the message holds the link, token and all.
#[derive(Clone)]
pub struct NewPasswordReset {
    pub token_hash: Vec<u8>,
    pub user_id: UserId,
    pub now: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// The outbox message's payload (JSON): the link, and whom it goes to.
    pub message: String,
}

/// A message of the outbox, written in the transaction whose outcome it tells and delivered
/// later by a worker. Its `Debug` leaves out the payload, which may hold a link's token.
#[derive(Clone, PartialEq, Eq)]
pub struct OutboxMessage {
    pub id: i64,
    pub kind: String,
    /// The booking it is about, if it is about one.
    pub booking_id: Option<BookingId>,
    pub payload: String,
    pub created_at: DateTime<Utc>,
}

impl std::fmt::Debug for OutboxMessage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OutboxMessage")
            .field("id", &self.id)
            .field("kind", &self.kind)
            .field("booking_id", &self.booking_id)
            .field("payload", &format_args!("({} bytes)", self.payload.len()))
            .field("created_at", &self.created_at)
            .finish()
    }
}

/// Records the reset link and queues its message, in the caller's write transaction.
pub async fn start(tx: &mut impl Sql, reset: &NewPasswordReset) -> StoreResult<()> {
    tx.execute(
        "INSERT INTO password_resets (token_hash, user_id, created_at, expires_at)
         VALUES ($1, $2, ts($3), ts($4))",
        args![
            reset.token_hash.as_slice(),
            reset.user_id.0,
            millis(reset.now),
            millis(reset.expires_at)
        ],
    )
    .await?;
    statements::queue_message(tx, None, MESSAGE_KIND, &reset.message, reset.now).await
}

/// The account a reset token's hash stands for, while the link can still be used (nothing
/// is changed).
pub async fn usable(
    on: &mut impl Sql,
    token_hash: &[u8],
    now: DateTime<Utc>,
) -> StoreResult<Option<UserId>> {
    let users: Vec<i64> = on
        .fetch_column(
            "SELECT user_id FROM password_resets
             WHERE token_hash = $1 AND used_at IS NULL AND expires_at > ts($2)",
            args![token_hash, millis(now)],
        )
        .await?;
    Ok(users.first().map(|id| UserId(*id)))
}

/// Uses a reset link, once, before it expires: the account's password becomes
/// `password_hash`, every session of the account ends and its other links die with this one.
/// The account; `None` for a link unknown, used or expired (and then nothing changes). Run it
/// in one write transaction: of two uses of one link, the conditional update lets one win.
pub async fn use_link(
    tx: &mut impl Sql,
    token_hash: &[u8],
    password_hash: &str,
    now: DateTime<Utc>,
) -> StoreResult<Option<User>> {
    let users: Vec<i64> = tx
        .fetch_column(
            "UPDATE password_resets SET used_at = ts($2)
             WHERE token_hash = $1 AND used_at IS NULL AND expires_at > ts($2)
             RETURNING user_id",
            args![token_hash, millis(now)],
        )
        .await?;
    let Some(user) = users.first().map(|id| UserId(*id)) else {
        return Ok(None);
    };
    tx.execute(
        "UPDATE password_resets SET used_at = ts($2) WHERE user_id = $1 AND used_at IS NULL",
        args![user.0, millis(now)],
    )
    .await?;
    crate::accounts::change_password(tx, user, password_hash).await?;
    crate::accounts::get_user(tx, user)
        .await?
        .map(Some)
        .ok_or_else(|| StoreError::corrupt("a reset link of no account"))
}

#[derive(sqlx::FromRow)]
struct OutboxRow {
    id: i64,
    kind: String,
    booking_id: Option<i64>,
    payload: String,
    created_at: i64,
}

/// Messages not delivered yet, oldest first, at most `limit`.
pub async fn undelivered(on: &mut impl Sql, limit: u32) -> StoreResult<Vec<OutboxMessage>> {
    on.fetch_all::<OutboxRow>(
        "SELECT id, kind, booking_id, payload, ms(created_at) AS created_at FROM outbox
         WHERE delivered_at IS NULL ORDER BY id LIMIT $1",
        args![i64::from(limit)],
    )
    .await?
    .into_iter()
    .map(|row| {
        Ok(OutboxMessage {
            id: row.id,
            kind: row.kind,
            booking_id: row.booking_id.map(BookingId),
            payload: row.payload,
            created_at: instant(row.created_at)?,
        })
    })
    .collect()
}
