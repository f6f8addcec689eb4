use crate::PgStore;
use chrono::{DateTime, Utc};
use marquee_store::rows::SandboxPaymentRow;
use marquee_store::*;

const SELECT: &str = "SELECT id, booking_id, amount_minor, currency, status,
                             ms(created_at) AS created_at, ms(updated_at) AS updated_at
                      FROM sandbox_payments";

pub async fn create_payment(store: &PgStore, p: SandboxPayment) -> StoreResult<SandboxPayment> {
    sqlx::query(
        "INSERT INTO sandbox_payments (id, booking_id, amount_minor, currency, status, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (booking_id) DO NOTHING",
    )
    .bind(&p.id)
    .bind(p.booking_id.0)
    .bind(p.amount.minor)
    .bind(p.amount.currency.as_str())
    .bind(&p.status)
    .bind(p.created_at)
    .bind(p.updated_at)
    .execute(&store.pool)
    .await
    ?;
    sqlx::query_as::<_, SandboxPaymentRow>(&format!("{SELECT} WHERE booking_id = $1"))
        .bind(p.booking_id.0)
        .fetch_one(&store.pool)
        .await?
        .decode()
}

pub async fn payment(store: &PgStore, id: &str) -> StoreResult<Option<SandboxPayment>> {
    sqlx::query_as::<_, SandboxPaymentRow>(&format!("{SELECT} WHERE id = $1"))
        .bind(id)
        .fetch_optional(&store.pool)
        .await?
        .map(SandboxPaymentRow::decode)
        .transpose()
}

pub async fn settle(
    store: &PgStore,
    id: &str,
    from: &str,
    to: &str,
    now: DateTime<Utc>,
) -> StoreResult<bool> {
    let done = sqlx::query(
        "UPDATE sandbox_payments SET status = $1, updated_at = $2 WHERE id = $3 AND status = $4",
    )
    .bind(to)
    .bind(now)
    .bind(id)
    .bind(from)
    .execute(&store.pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn setting_or_insert(store: &PgStore, name: &str, value: &str) -> StoreResult<String> {
    sqlx::query("INSERT INTO settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING")
        .bind(name)
        .bind(value)
        .execute(&store.pool)
        .await?;
    sqlx::query_scalar("SELECT value FROM settings WHERE name = $1")
        .bind(name)
        .fetch_one(&store.pool)
        .await
        .map_err(StoreError::from)
}
