//! The parts of payments that do not depend on the backend: what checkout may do with a
//! booking, decided from the row each backend reads in its transaction.

use crate::codec::{booking_status, instant};
use crate::{NewPayment, Payment, StoreError, StoreResult};
use marquee_domain::{BookingStatus, PaymentStatus};

/// A booking as checkout reads it (times in Unix milliseconds).
#[derive(Debug, sqlx::FromRow)]
pub struct CheckoutRow {
    pub user_id: i64,
    pub status: String,
    pub expires_at: i64,
    pub total_minor: i64,
    pub currency: String,
}

/// What checkout does.
#[derive(Debug, PartialEq, Eq)]
pub enum Checkout {
    /// A live hold: record the payment, and the booking waits for it.
    Start,
    /// Checkout was started already and the booking still waits: answer that payment.
    Again,
}

pub fn checkout(row: Option<CheckoutRow>, payment: &NewPayment) -> StoreResult<Checkout> {
    let Some(row) = row.filter(|r| r.user_id == payment.user_id.0) else {
        return Err(StoreError::NotFound("booking"));
    };
    let status = booking_status(&row.status)?.as_of(instant(row.expires_at)?, payment.now);
    match status {
        BookingStatus::Held => {
            if payment.amount.minor != row.total_minor
                || payment.amount.currency.as_str() != row.currency
            {
                return Err(StoreError::corrupt(format!(
                    "a payment of {} for a booking of {} {}",
                    payment.amount, row.total_minor, row.currency
                )));
            }
            Ok(Checkout::Start)
        }
        BookingStatus::PaymentPending => Ok(Checkout::Again),
        from => Err(StoreError::InvalidTransition {
            from,
            to: BookingStatus::PaymentPending,
        }),
    }
}

/// The payment checkout records.
pub fn started(payment: NewPayment) -> Payment {
    Payment {
        booking_id: payment.booking_id,
        provider: payment.provider,
        payment_ref: payment.payment_ref,
        client_secret: payment.client_secret,
        checkout_url: payment.checkout_url,
        amount: payment.amount,
        status: PaymentStatus::Pending,
        created_at: payment.now,
        updated_at: payment.now,
    }
}
