//! The sandbox gateway's own records, and shared settings, in the SQL both backends share.

use crate::args;
use crate::codec::millis;
use crate::rows::SandboxPaymentRow;
use crate::sql::Sql;
use crate::{SandboxPayment, StoreError, StoreResult};
use chrono::{DateTime, Utc};

const COLUMNS: &str = "SELECT id, booking_id, amount_minor, currency, status,
                              ms(created_at) AS created_at, ms(updated_at) AS updated_at
                       FROM sandbox_payments";

/// Records a sandbox payment, or answers the one its booking has already.
pub async fn create_payment(on: &mut impl Sql, p: SandboxPayment) -> StoreResult<SandboxPayment> {
    on.execute(
        "INSERT INTO sandbox_payments
             (id, booking_id, amount_minor, currency, status, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, ts($6), ts($7)) ON CONFLICT (booking_id) DO NOTHING",
        args![
            &p.id,
            p.booking_id.0,
            p.amount.minor,
            p.amount.currency.as_str(),
            &p.status,
            millis(p.created_at),
            millis(p.updated_at)
        ],
    )
    .await?;
    on.fetch_optional::<SandboxPaymentRow>(
        &format!("{COLUMNS} WHERE booking_id = $1"),
        args![p.booking_id.0],
    )
    .await?
    .ok_or_else(|| StoreError::corrupt("a sandbox payment inserted is not there"))?
    .decode()
}

pub async fn payment(on: &mut impl Sql, id: &str) -> StoreResult<Option<SandboxPayment>> {
    on.fetch_optional::<SandboxPaymentRow>(&format!("{COLUMNS} WHERE id = $1"), args![id])
        .await?
        .map(SandboxPaymentRow::decode)
        .transpose()
}

/// Moves a sandbox payment from `from` to `to`; false when it was not in `from`.
pub async fn settle(
    on: &mut impl Sql,
    id: &str,
    from: &str,
    to: &str,
    now: DateTime<Utc>,
) -> StoreResult<bool> {
    let moved = on
        .execute(
            "UPDATE sandbox_payments SET status = $1, updated_at = ts($2)
             WHERE id = $3 AND status = $4",
            args![to, millis(now), id, from],
        )
        .await?;
    Ok(moved == 1)
}

/// The setting called `name`, stored as `value` first if it has none.
pub async fn setting_or_insert(on: &mut impl Sql, name: &str, value: &str) -> StoreResult<String> {
    on.execute(
        "INSERT INTO settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
        args![name, value],
    )
    .await?;
    on.fetch_column::<String>("SELECT value FROM settings WHERE name = $1", args![name])
        .await?
        .pop()
        .ok_or_else(|| StoreError::corrupt(format!("setting {name} inserted is not there")))
}
