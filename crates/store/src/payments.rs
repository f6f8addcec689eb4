//! Payments, between the backends' rows and the domain's rules: what checkout and a gateway's
//! report read as (`marquee_domain::booking_moves`, `marquee_domain::payment_report` decide),
//! the payment checkout records, and the outbox message a notice becomes.

use crate::codec::{booking_status, currency, instant, seat_state};
use crate::{NewPayment, Payment, StoreError, StoreResult};
use marquee_domain::booking_moves::{BookingAt, MoveRefused};
use marquee_domain::payment_report::{Notice, ReportedPayment};
use marquee_domain::{BookingId, Entity, Money, PaymentStatus, SeatHolding, UserId};

/// A booking as a move (checkout, release) reads it (times in Unix milliseconds).
#[derive(Debug, sqlx::FromRow)]
pub struct BookingAtRow {
    pub user_id: i64,
    pub showtime_id: i64,
    pub status: String,
    pub expires_at: i64,
    pub total_minor: i64,
    pub currency: String,
}

impl BookingAtRow {
    pub fn decode(self) -> StoreResult<BookingAt> {
        Ok(BookingAt {
            owner: UserId(self.user_id),
            stored_status: booking_status(&self.status)?,
            expires_at: instant(self.expires_at)?,
            total: Money::new(self.total_minor, currency(&self.currency)?),
            showtime_id: marquee_domain::ShowtimeId(self.showtime_id),
        })
    }
}

impl From<MoveRefused> for StoreError {
    fn from(refused: MoveRefused) -> Self {
        match refused {
            MoveRefused::NotFound => StoreError::NotFound(Entity::Booking),
            MoveRefused::InvalidTransition { from, to } => {
                StoreError::InvalidTransition { from, to }
            }
            MoveRefused::WrongAmount { payment, total } => {
                StoreError::corrupt(format!("a payment of {payment} for a booking of {total}"))
            }
        }
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

/// A report's booking and payment as read (and locked) in its transaction.
#[derive(Debug, sqlx::FromRow)]
pub struct ReportRow {
    pub booking_id: i64,
    /// The payment's amount.
    pub amount_minor: i64,
    pub currency: String,
    pub showtime_id: i64,
    pub booking_status: String,
    pub expires_at: i64,
    pub payment_status: String,
}

impl ReportRow {
    pub fn decode(&self) -> StoreResult<ReportedPayment> {
        Ok(ReportedPayment {
            booking_id: BookingId(self.booking_id),
            stored_status: booking_status(&self.booking_status)?,
            expires_at: instant(self.expires_at)?,
            payment_status: PaymentStatus::parse(&self.payment_status).ok_or_else(|| {
                StoreError::corrupt(format!("payment status {:?}", self.payment_status))
            })?,
            amount_minor: self.amount_minor,
            currency: crate::codec::currency(&self.currency)?,
        })
    }
}

/// One of the booking's seats as read (and locked) in the report's transaction.
#[derive(Debug, sqlx::FromRow)]
pub struct BookedSeatRow {
    pub label: String,
    pub status: String,
    pub booking_id: Option<i64>,
    pub held_until: Option<i64>,
}

impl BookedSeatRow {
    pub fn decode(&self) -> StoreResult<SeatHolding> {
        Ok(SeatHolding {
            state: seat_state(&self.status)?,
            booking_id: self.booking_id.map(BookingId),
            held_until: self.held_until.map(instant).transpose()?,
        })
    }
}

/// The outbox message's payload: what the notification worker needs to tell the customer.
pub fn message_payload(booking: BookingId, notice: Notice) -> String {
    serde_json::json!({ "booking_id": booking.0.to_string(), "kind": notice.kind(), "why": notice.why() })
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_payload_names_the_booking_the_kind_and_why() {
        let payload: serde_json::Value =
            serde_json::from_str(&message_payload(BookingId(42), Notice::PaymentFailed)).unwrap();
        assert_eq!(
            payload,
            serde_json::json!({
                "booking_id": "42",
                "kind": "payment_failed",
                "why": "the payment did not go through; the seats are free again"
            })
        );
    }
}
