use crate::{is_unique_violation, PgStore};
use chrono::{DateTime, Utc};
use marquee_domain::*;
use marquee_store::codec::roles_text;
use marquee_store::rows::{SessionRow, UserRow};
use marquee_store::*;

const USER_SELECT: &str =
    "SELECT u.id, u.email, u.password_hash, u.roles, ms(u.created_at) AS created_at FROM users u";

pub async fn create_user(store: &PgStore, user: NewUser) -> StoreResult<User> {
    // Emails are stored as `Email` normalises them (lower case), so a plain UNIQUE constraint
    // makes them unique whatever their case.
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO users (email, password_hash, roles, created_at) VALUES ($1, $2, $3, $4)
         RETURNING id",
    )
    .bind(user.email.as_str())
    .bind(&user.password_hash)
    .bind(roles_text(&user.roles))
    .bind(user.now)
    .fetch_one(&store.pool)
    .await
    .map_err(|e| {
        if is_unique_violation(&e, "users_email_key") {
            StoreError::EmailTaken
        } else {
            StoreError::from(e)
        }
    })?;
    Ok(User {
        id: UserId(id),
        email: user.email,
        roles: user.roles,
        created_at: user.now,
    })
}

pub async fn find_user_by_email(
    store: &PgStore,
    email: &Email,
) -> StoreResult<Option<UserCredentials>> {
    sqlx::query_as::<_, UserRow>(&format!("{USER_SELECT} WHERE u.email = $1"))
        .bind(email.as_str())
        .fetch_optional(&store.pool)
        .await?
        .map(UserRow::decode)
        .transpose()
}

pub async fn get_user(store: &PgStore, id: UserId) -> StoreResult<Option<User>> {
    let row = sqlx::query_as::<_, UserRow>(&format!("{USER_SELECT} WHERE u.id = $1"))
        .bind(id.0)
        .fetch_optional(&store.pool)
        .await?;
    Ok(row.map(UserRow::decode).transpose()?.map(|c| c.user))
}

pub async fn create_session(store: &PgStore, session: NewSession) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(&session.token_hash)
    .bind(session.user_id.0)
    .bind(session.created_at)
    .bind(session.expires_at)
    .execute(&store.pool)
    .await
    ?;
    Ok(())
}

pub async fn session(
    store: &PgStore,
    token_hash: &[u8],
    now: DateTime<Utc>,
) -> StoreResult<Option<Session>> {
    let row = sqlx::query_as::<_, SessionRow>(
        "SELECT u.id, u.email, u.password_hash, u.roles, ms(u.created_at) AS created_at,
                ms(s.expires_at) AS expires_at
         FROM users u JOIN sessions s ON s.user_id = u.id
         WHERE s.token_hash = $1 AND s.expires_at > $2",
    )
    .bind(token_hash)
    .bind(now)
    .fetch_optional(&store.pool)
    .await?;
    row.map(SessionRow::decode).transpose()
}

pub async fn delete_session(store: &PgStore, token_hash: &[u8]) -> StoreResult<bool> {
    let done = sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
        .bind(token_hash)
        .execute(&store.pool)
        .await?;
    Ok(done.rows_affected() > 0)
}
