//! The sandbox gateway's own records, and shared settings, in the SQL both backends share.

use crate::args;
use crate::codec::millis;
use crate::rows::SandboxPaymentRow;
use crate::sql::Sql;
use crate::{SandboxPayment, StoreError, StoreResult};
use chrono::{DateTime, Utc};

const COLUMNS: &str = "SELECT id, booking_id, amount_minor, currency, status, refunded_minor,
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

/// What refunding a sandbox payment did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SandboxRefund {
    /// Refunded now: the refund's id, and how much of the payment is refunded in all.
    Made {
        id: String,
        refunded_minor: i64,
    },
    /// This key refunded before: the same refund.
    Again {
        id: String,
    },
    /// The payment has not succeeded, or the amount is more than is left to refund.
    NotRefundable,
    NoSuchPayment,
}

/// Refunds `amount_minor` of a succeeded sandbox payment once per `key`, as Stripe's
/// Idempotency-Key does; the payment is `refunded` once all of it went back. Run it in one
/// write transaction.
pub async fn refund(
    tx: &mut impl Sql,
    payment_id: &str,
    key: &str,
    refund_id: &str,
    amount_minor: i64,
    now: DateTime<Utc>,
) -> StoreResult<SandboxRefund> {
    #[derive(sqlx::FromRow)]
    struct Locked {
        amount_minor: i64,
        refunded_minor: i64,
        status: String,
    }
    let Some(payment) = tx
        .fetch_optional::<Locked>(
            "SELECT amount_minor, refunded_minor, status FROM sandbox_payments
             WHERE id = $1 FOR UPDATE",
            args![payment_id],
        )
        .await?
    else {
        return Ok(SandboxRefund::NoSuchPayment);
    };
    if let Some(id) = tx
        .fetch_column::<String>(
            "SELECT id FROM sandbox_refunds WHERE idempotency_key = $1",
            args![key],
        )
        .await?
        .pop()
    {
        return Ok(SandboxRefund::Again { id });
    }
    let refunded_minor = payment.refunded_minor + amount_minor;
    if payment.status != "succeeded" || amount_minor <= 0 || refunded_minor > payment.amount_minor {
        return Ok(SandboxRefund::NotRefundable);
    }
    tx.execute(
        "INSERT INTO sandbox_refunds (idempotency_key, id, payment_id, amount_minor, created_at)
         VALUES ($1, $2, $3, $4, ts($5))",
        args![key, refund_id, payment_id, amount_minor, millis(now)],
    )
    .await?;
    let status = if refunded_minor == payment.amount_minor {
        "refunded"
    } else {
        "succeeded"
    };
    tx.execute(
        "UPDATE sandbox_payments SET refunded_minor = $2, status = $3, updated_at = ts($4)
         WHERE id = $1",
        args![payment_id, refunded_minor, status, millis(now)],
    )
    .await?;
    Ok(SandboxRefund::Made {
        id: refund_id.to_string(),
        refunded_minor,
    })
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
