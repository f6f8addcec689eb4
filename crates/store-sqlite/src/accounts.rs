use crate::{is_unique_violation, SqliteStore};
use chrono::{DateTime, Utc};
use marquee_domain::*;
use marquee_store::codec::{millis, roles_text};
use marquee_store::rows::{SessionRow, UserRow};
use marquee_store::*;

const USER_COLUMNS: &str = "SELECT id, email, password_hash, roles, created_at FROM users";

pub async fn create_user(store: &SqliteStore, user: NewUser) -> StoreResult<User> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO users (email, password_hash, roles, created_at) VALUES (?, ?, ?, ?) RETURNING id",
    )
    .bind(user.email.as_str())
    .bind(&user.password_hash)
    .bind(roles_text(&user.roles))
    .bind(millis(user.now))
    .fetch_one(&store.writer)
    .await
    .map_err(|e| if is_unique_violation(&e, "users.email") { StoreError::EmailTaken } else { StoreError::from(e) })?;
    Ok(User {
        id: UserId(id),
        email: user.email,
        roles: user.roles,
        created_at: user.now,
    })
}

pub async fn find_user_by_email(
    store: &SqliteStore,
    email: &Email,
) -> StoreResult<Option<UserCredentials>> {
    sqlx::query_as::<_, UserRow>(&format!("{USER_COLUMNS} WHERE email = ?"))
        .bind(email.as_str())
        .fetch_optional(&store.reader)
        .await?
        .map(UserRow::decode)
        .transpose()
}

pub async fn get_user(store: &SqliteStore, id: UserId) -> StoreResult<Option<User>> {
    let row = sqlx::query_as::<_, UserRow>(&format!("{USER_COLUMNS} WHERE id = ?"))
        .bind(id.0)
        .fetch_optional(&store.reader)
        .await?;
    Ok(row.map(UserRow::decode).transpose()?.map(|c| c.user))
}

pub async fn create_session(store: &SqliteStore, session: NewSession) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
    )
    .bind(&session.token_hash)
    .bind(session.user_id.0)
    .bind(millis(session.created_at))
    .bind(millis(session.expires_at))
    .execute(&store.writer)
    .await?;
    Ok(())
}

pub async fn session(
    store: &SqliteStore,
    token_hash: &[u8],
    now: DateTime<Utc>,
) -> StoreResult<Option<Session>> {
    let row = sqlx::query_as::<_, SessionRow>(
        "SELECT u.id, u.email, u.password_hash, u.roles, u.created_at, s.expires_at
         FROM sessions s JOIN users u ON u.id = s.user_id
         WHERE s.token_hash = ? AND s.expires_at > ?",
    )
    .bind(token_hash)
    .bind(millis(now))
    .fetch_optional(&store.reader)
    .await?;
    row.map(SessionRow::decode).transpose()
}

pub async fn delete_session(store: &SqliteStore, token_hash: &[u8]) -> StoreResult<bool> {
    let done = sqlx::query("DELETE FROM sessions WHERE token_hash = ?")
        .bind(token_hash)
        .execute(&store.writer)
        .await?;
    Ok(done.rows_affected() > 0)
}
