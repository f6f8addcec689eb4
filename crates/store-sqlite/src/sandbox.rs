use crate::SqliteStore;
use chrono::{DateTime, Utc};
use marquee_store::codec::millis;
use marquee_store::rows::SandboxPaymentRow;
use marquee_store::*;

const SELECT: &str = "SELECT id, booking_id, amount_minor, currency, status, created_at, updated_at
                      FROM sandbox_payments";

pub async fn create_payment(store: &SqliteStore, p: SandboxPayment) -> StoreResult<SandboxPayment> {
    sqlx::query(
        "INSERT INTO sandbox_payments (id, booking_id, amount_minor, currency, status, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (booking_id) DO NOTHING",
    )
    .bind(&p.id)
    .bind(p.booking_id.0)
    .bind(p.amount.minor)
    .bind(p.amount.currency.as_str())
    .bind(&p.status)
    .bind(millis(p.created_at))
    .bind(millis(p.updated_at))
    .execute(&store.writer)
    .await
    ?;
    sqlx::query_as::<_, SandboxPaymentRow>(&format!("{SELECT} WHERE booking_id = ?"))
        .bind(p.booking_id.0)
        .fetch_one(&store.writer)
        .await?
        .decode()
}

pub async fn payment(store: &SqliteStore, id: &str) -> StoreResult<Option<SandboxPayment>> {
    sqlx::query_as::<_, SandboxPaymentRow>(&format!("{SELECT} WHERE id = ?"))
        .bind(id)
        .fetch_optional(&store.reader)
        .await?
        .map(SandboxPaymentRow::decode)
        .transpose()
}

pub async fn settle(
    store: &SqliteStore,
    id: &str,
    from: &str,
    to: &str,
    now: DateTime<Utc>,
) -> StoreResult<bool> {
    let done = sqlx::query(
        "UPDATE sandbox_payments SET status = ?, updated_at = ? WHERE id = ? AND status = ?",
    )
    .bind(to)
    .bind(millis(now))
    .bind(id)
    .bind(from)
    .execute(&store.writer)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn setting_or_insert(
    store: &SqliteStore,
    name: &str,
    value: &str,
) -> StoreResult<String> {
    sqlx::query("INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING")
        .bind(name)
        .bind(value)
        .execute(&store.writer)
        .await?;
    sqlx::query_scalar("SELECT value FROM settings WHERE name = ?")
        .bind(name)
        .fetch_one(&store.writer)
        .await
        .map_err(StoreError::from)
}
