//! Payments: the `PaymentGateway` trait that bookings pay through, Stripe's webhook signature
//! scheme and event shapes, Stripe's REST client, and the sandbox's test cards.
//!
//! The gateway is used as `Arc<dyn PaymentGateway>` so one binary picks its provider at run
//! time. Amounts are `Money` (integer minor units); nothing here touches a float. Card numbers
//! never pass through Marquee: the customer types them on the gateway's own hosted page.

pub mod cards;
pub mod events;
pub mod signature;
pub mod stripe;

use std::fmt;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use marquee_domain::Money;

pub use events::{EventKind, WebhookEvent};
pub use signature::SignatureError;
pub use stripe::{ConfigError, StripeConfig, StripeGateway};

/// A payment provider. Every method that creates something is idempotent per booking, so a
/// caller that lost an answer (a crash, a timeout) may simply ask again.
#[async_trait]
pub trait PaymentGateway: Send + Sync {
    /// The provider's name as stored with each payment: `"sandbox"` or `"stripe"`.
    fn provider(&self) -> &'static str;

    /// Starts a payment for a booking. Asking twice for one booking gives the same payment.
    async fn create_payment(
        &self,
        request: &PaymentRequest,
    ) -> Result<PaymentSession, GatewayError>;

    /// Where the payment stands now, for reconciliation when a webhook is late or lost.
    async fn payment_status(&self, payment_ref: &str) -> Result<PaymentStatus, GatewayError>;

    /// Stops a payment that has not succeeded (a released or expired hold).
    async fn cancel_payment(&self, payment_ref: &str) -> Result<(), GatewayError>;

    /// Refunds part or all of a succeeded payment. Asking again with the same
    /// `idempotency_key` gives the same refund, never a second one.
    async fn refund(&self, request: &RefundRequest) -> Result<RefundMade, GatewayError>;

    /// Checks a webhook's signature and only then parses its body (invariant 6).
    fn verify_webhook(
        &self,
        signature_header: Option<&str>,
        body: &[u8],
        now: DateTime<Utc>,
    ) -> Result<WebhookEvent, WebhookError>;
}

/// What to charge for a booking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentRequest {
    pub booking_id: i64,
    /// The booking's public reference, shown on the provider's dashboard and receipts.
    pub reference: String,
    pub amount: Money,
    pub description: String,
}

/// A refund to make: `amount` of the payment `payment_ref` back to the customer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundRequest {
    pub payment_ref: String,
    pub amount: Money,
    pub booking_id: i64,
    /// The same key for every attempt at one refund (`refund_idempotency_key`,
    /// `cancellation_refund_key`).
    pub idempotency_key: String,
}

/// A refund the provider accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundMade {
    /// The provider's id of the refund (`re_...`).
    pub id: String,
    /// The money has gone back; else it is on its way (the provider reports it later).
    pub succeeded: bool,
}

/// A started payment, as the browser needs it to pay.
#[derive(Clone, PartialEq, Eq)]
pub struct PaymentSession {
    /// The provider's id of the payment (a PaymentIntent's `pi_...`).
    pub payment_ref: String,
    /// For the provider's client-side form; it lets its holder pay, so it is never logged.
    pub client_secret: Option<String>,
    /// The provider's hosted page, where there is one.
    pub checkout_url: Option<String>,
}

impl fmt::Debug for PaymentSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PaymentSession")
            .field("payment_ref", &self.payment_ref)
            .field(
                "client_secret",
                &self.client_secret.as_ref().map(|_| "[redacted]"),
            )
            .field("checkout_url", &self.checkout_url)
            .finish()
    }
}

/// A payment as the provider sees it. (Not the stored payment's status in the domain, which
/// also knows about refunds.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PaymentStatus {
    /// Not paid yet, and may still be: waiting for the customer, 3-D Secure, or processing.
    Pending,
    Succeeded,
    /// The last attempt failed; the customer may still try another card.
    Failed,
    Canceled,
}

/// Why a provider call did not give an answer to act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GatewayError {
    /// The card was declined. `code` is the issuer's reason (`insufficient_funds`) when given,
    /// else the provider's (`card_declined`, `expired_card`); `message` may be shown to the
    /// customer.
    #[error("payment declined ({code}): {message}")]
    Declined { code: String, message: String },
    /// The provider refused the request itself (an invalid parameter, an unknown payment, a
    /// payment in the wrong state, a bad key). Asking again will not help.
    #[error("payment provider refused the request ({code}): {message}")]
    Refused { code: String, message: String },
    /// No answer to act on: server errors, network errors or timeouts after every retry, or a
    /// rate limit. The outcome is unknown; ask again later with the same booking.
    #[error("payment provider unavailable: {0}")]
    Unavailable(String),
    /// An answer that does not fit the provider's documented shape.
    #[error("unexpected answer from the payment provider: {0}")]
    Invalid(String),
}

/// Why a webhook was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookError {
    /// Missing, malformed, wrong or out-of-time signature: the body was not looked at.
    #[error("webhook signature rejected: {0}")]
    Signature(#[from] SignatureError),
    /// The signature is good but the body is not an event of the documented shape.
    #[error("webhook body is not a valid event: {0}")]
    Malformed(String),
}

/// A key or signing secret. It shows as `[redacted]` in any `Debug` output and has no
/// `Display`, so it cannot end up in a log line or an error by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// The Idempotency-Key of a booking's payment: one booking, one payment, however often asked.
pub fn payment_idempotency_key(booking_id: i64) -> String {
    format!("marquee-booking-{booking_id}-payment")
}

/// The Idempotency-Key of the refund of a whole payment that could not have its seats: a
/// retried refund never pays back twice.
pub fn refund_idempotency_key(booking_id: i64) -> String {
    format!("marquee-booking-{booking_id}-refund")
}

/// The Idempotency-Key of a cancellation's refund: each cancellation refunds once, however
/// often it is asked.
pub fn cancellation_refund_key(cancellation_id: i64) -> String {
    format!("marquee-cancellation-{cancellation_id}-refund")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_and_client_secrets_are_redacted_in_debug() {
        let key = Secret::new("sk_test_abc");
        assert_eq!(format!("{key:?}"), "[redacted]");
        let session = PaymentSession {
            payment_ref: "pi_1".into(),
            client_secret: Some("pi_1_secret_xyz".into()),
            checkout_url: None,
        };
        let shown = format!("{session:?}");
        assert!(
            shown.contains("pi_1") && !shown.contains("secret_xyz"),
            "{shown}"
        );
    }

    #[test]
    fn idempotency_keys_are_derived_from_the_booking() {
        assert_eq!(payment_idempotency_key(42), "marquee-booking-42-payment");
        assert_eq!(refund_idempotency_key(42), "marquee-booking-42-refund");
        assert_eq!(cancellation_refund_key(7), "marquee-cancellation-7-refund");
    }
}
