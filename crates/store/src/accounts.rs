//! Accounts and sessions, in the SQL both backends share (see `sql`).

use crate::args;
use crate::codec::{millis, roles_text};
use crate::rows::{SessionRow, UserRow};
use crate::sql::Sql;
use crate::{NewSession, NewUser, Session, StoreError, StoreResult, User, UserCredentials};
use chrono::{DateTime, Utc};
use marquee_domain::{Email, UserId};

const USER_COLUMNS: &str =
    "SELECT u.id, u.email, u.password_hash, u.roles, ms(u.created_at) AS created_at FROM users u";

/// Emails are stored as `Email` normalises them (lower case), so a plain UNIQUE constraint
/// makes them unique whatever their case.
pub async fn create_user(on: &mut impl Sql, user: NewUser) -> StoreResult<User> {
    let id = on
        .fetch_column::<i64>(
            "INSERT INTO users (email, password_hash, roles, created_at)
             VALUES ($1, $2, $3, ts($4)) RETURNING id",
            args![
                user.email.as_str(),
                &user.password_hash,
                roles_text(&user.roles).as_str(),
                millis(user.now)
            ],
        )
        .await
        .map_err(|e| {
            if e.is_unique_violation() {
                StoreError::EmailTaken
            } else {
                e
            }
        })?
        .pop()
        .ok_or_else(|| StoreError::corrupt("an insert answered no id"))?;
    Ok(User {
        id: UserId(id),
        email: user.email,
        roles: user.roles,
        created_at: user.now,
    })
}

pub async fn find_user_by_email(
    on: &mut impl Sql,
    email: &Email,
) -> StoreResult<Option<UserCredentials>> {
    on.fetch_optional::<UserRow>(
        &format!("{USER_COLUMNS} WHERE u.email = $1"),
        args![email.as_str()],
    )
    .await?
    .map(UserRow::decode)
    .transpose()
}

pub async fn get_user(on: &mut impl Sql, id: UserId) -> StoreResult<Option<User>> {
    let row = on
        .fetch_optional::<UserRow>(&format!("{USER_COLUMNS} WHERE u.id = $1"), args![id.0])
        .await?;
    Ok(row.map(UserRow::decode).transpose()?.map(|c| c.user))
}

/// Sessions are stored by the hash of their token, never the token.
pub async fn create_session(on: &mut impl Sql, session: NewSession) -> StoreResult<()> {
    on.execute(
        "INSERT INTO sessions (token_hash, user_id, created_at, expires_at)
         VALUES ($1, $2, ts($3), ts($4))",
        args![
            session.token_hash.as_slice(),
            session.user_id.0,
            millis(session.created_at),
            millis(session.expires_at)
        ],
    )
    .await?;
    Ok(())
}

pub async fn session(
    on: &mut impl Sql,
    token_hash: &[u8],
    now: DateTime<Utc>,
) -> StoreResult<Option<Session>> {
    on.fetch_optional::<SessionRow>(
        "SELECT u.id, u.email, u.password_hash, u.roles, ms(u.created_at) AS created_at,
                ms(s.expires_at) AS expires_at
         FROM users u JOIN sessions s ON s.user_id = u.id
         WHERE s.token_hash = $1 AND s.expires_at > ts($2)",
        args![token_hash, millis(now)],
    )
    .await?
    .map(SessionRow::decode)
    .transpose()
}

/// A new password for the account, and every session of it ended: whoever held one must log
/// in with the new password. Whether the account exists.
pub async fn change_password(
    on: &mut impl Sql,
    user: UserId,
    password_hash: &str,
) -> StoreResult<bool> {
    let updated = on
        .execute(
            "UPDATE users SET password_hash = $1 WHERE id = $2",
            args![password_hash, user.0],
        )
        .await?;
    delete_sessions(on, user, None).await?;
    Ok(updated > 0)
}

/// Ends every session of `user` but the one whose token hash is `keep`; how many ended.
pub async fn delete_sessions(
    on: &mut impl Sql,
    user: UserId,
    keep: Option<&[u8]>,
) -> StoreResult<u64> {
    // No token hash is empty, so an empty `keep` keeps none.
    on.execute(
        "DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2",
        args![user.0, keep.unwrap_or_default()],
    )
    .await
}

pub async fn delete_session(on: &mut impl Sql, token_hash: &[u8]) -> StoreResult<bool> {
    let deleted = on
        .execute(
            "DELETE FROM sessions WHERE token_hash = $1",
            args![token_hash],
        )
        .await?;
    Ok(deleted > 0)
}
