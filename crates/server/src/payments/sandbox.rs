//! The built-in sandbox gateway: what `MARQUEE_PAYMENTS=sandbox` (the default) pays through,
//! so Marquee takes payments without any account anywhere.
//!
//! It behaves like Stripe from Marquee's side: payments are PaymentIntent-like records (kept
//! in the database, so every node and every restart sees them), the customer pays on a test
//! checkout page with Stripe's test card numbers, and the outcome reaches Marquee as a webhook
//! signed exactly as Stripe signs them, sent asynchronously over HTTP with retries. It accepts
//! only published test card numbers: it is not a processor, and a card number typed into it
//! is neither stored nor logged.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use marquee_domain::{BookingId, Clock};
use marquee_payments::cards::{self, CardOutcome, Decline};
use marquee_payments::events;
use marquee_payments::{
    GatewayError, PaymentGateway, PaymentRequest, PaymentSession, PaymentStatus, RefundMade,
    RefundRequest, WebhookError, WebhookEvent,
};
use marquee_store::sandbox::SandboxRefund;
use marquee_store::{SandboxPayment, Store};
use rand::distributions::{Alphanumeric, DistString};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;

pub const PROVIDER: &str = "sandbox";
/// Where the webhook secret is kept when `MARQUEE_SANDBOX_WEBHOOK_SECRET` is not set.
const SECRET_SETTING: &str = "sandbox_webhook_secret";
const WAITING: &str = "requires_payment_method";
/// Tries per webhook, with waits doubling from `FIRST_RETRY`: about a minute in all.
const DELIVERY_ATTEMPTS: u32 = 8;
const FIRST_RETRY: Duration = Duration::from_millis(250);
/// Webhooks waiting to be sent; beyond it one is dropped (with a warning) and the
/// reconciliation job settles its payment instead.
const WEBHOOK_QUEUE: usize = 10_000;
/// Webhooks being sent at once.
const DELIVERING: usize = 32;

/// What paying on the sandbox's page did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paid {
    Succeeded,
    Declined(Decline),
}

#[derive(Debug, thiserror::Error)]
pub enum PayError {
    #[error("no such sandbox payment")]
    NotFound,
    #[error("this payment is settled already")]
    Settled,
    #[error("not a test card: the sandbox takes only Stripe's test card numbers (4242 4242 4242 4242 succeeds)")]
    NotATestCard,
    #[error(transparent)]
    Store(#[from] marquee_store::StoreError),
}

pub struct SandboxGateway {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    secret: String,
    /// Where customers pay: this node's public address.
    public_url: String,
    webhooks: mpsc::Sender<(String, Vec<u8>)>,
}

impl SandboxGateway {
    /// The secret is `secret` when configured, else the one stored for every node (made by the
    /// first node that asks). Customers pay at `public_url`; webhooks go to `webhook_base`, this
    /// node's own address on loopback (any node can take them: all state is in the database).
    /// Starts the webhook sender, so it needs a Tokio runtime.
    pub async fn start(
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
        secret: Option<String>,
        public_url: String,
        webhook_base: String,
    ) -> anyhow::Result<SandboxGateway> {
        let secret = match secret {
            Some(secret) => secret,
            None => {
                let fresh = format!(
                    "whsec_{}",
                    Alphanumeric.sample_string(&mut rand::thread_rng(), 32)
                );
                store.setting_or_insert(SECRET_SETTING, &fresh).await?
            }
        };
        anyhow::ensure!(!secret.is_empty(), "the sandbox's webhook secret is empty");
        let public_url = public_url.trim_end_matches('/').to_string();
        let (webhooks, queued) = mpsc::channel(WEBHOOK_QUEUE);
        tokio::spawn(deliver(
            format!(
                "{}/api/v1/payments/webhooks/{PROVIDER}",
                webhook_base.trim_end_matches('/')
            ),
            queued,
        ));
        Ok(SandboxGateway {
            store,
            clock,
            secret,
            public_url,
            webhooks,
        })
    }

    /// Pays a sandbox payment with a test card, then tells Marquee by webhook.
    pub async fn pay(&self, id: &str, card_number: &str) -> Result<Paid, PayError> {
        let payment = self
            .store
            .sandbox_payment(id)
            .await?
            .ok_or(PayError::NotFound)?;
        if payment.status != WAITING {
            return Err(PayError::Settled);
        }
        let now = self.clock.now();
        let event_id = event_id();
        match cards::outcome(card_number) {
            CardOutcome::NotATestCard => Err(PayError::NotATestCard),
            CardOutcome::Succeeds => {
                if !self
                    .store
                    .settle_sandbox_payment(id, WAITING, "succeeded", now)
                    .await?
                {
                    return Err(PayError::Settled);
                }
                self.send(events::payment_succeeded_event(
                    &event_id,
                    id,
                    payment.amount,
                    payment.booking_id.0,
                    now,
                ));
                Ok(Paid::Succeeded)
            }
            // As on Stripe, the payment waits for another card after a decline.
            CardOutcome::Declined(decline) => {
                self.send(events::payment_failed_event(
                    &event_id,
                    id,
                    payment.amount,
                    payment.booking_id.0,
                    &decline,
                    now,
                ));
                Ok(Paid::Declined(decline))
            }
        }
    }

    /// The payment the checkout page shows.
    pub async fn payment(&self, id: &str) -> Result<Option<SandboxPayment>, PayError> {
        Ok(self.store.sandbox_payment(id).await?)
    }

    /// Signs an event as Stripe does and queues it for delivery.
    fn send(&self, event: serde_json::Value) {
        let body = event.to_string().into_bytes();
        let signature =
            marquee_payments::signature::sign(&self.secret, self.clock.now().timestamp(), &body);
        if self.webhooks.try_send((signature, body)).is_err() {
            tracing::warn!("too many sandbox webhooks waiting; this one is left to reconciliation");
        }
    }
}

fn event_id() -> String {
    format!(
        "evt_sandbox_{}",
        Alphanumeric.sample_string(&mut rand::thread_rng(), 24)
    )
}

/// Posts each webhook to Marquee until it answers 2xx, waiting longer after each failure, a
/// few at a time; a webhook that never gets through is left to the reconciliation job.
async fn deliver(url: String, mut queued: mpsc::Receiver<(String, Vec<u8>)>) {
    let client = match reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .timeout(Duration::from_secs(10))
        .build()
    {
        Ok(client) => client,
        Err(err) => {
            tracing::error!(error = %err, "the sandbox cannot send webhooks");
            return;
        }
    };
    let sending = Arc::new(tokio::sync::Semaphore::new(DELIVERING));
    while let Some((signature, body)) = queued.recv().await {
        let Ok(permit) = sending.clone().acquire_owned().await else {
            return;
        };
        let (client, url) = (client.clone(), url.clone());
        tokio::spawn(async move {
            let _permit = permit;
            let mut wait = FIRST_RETRY;
            for attempt in 1..=DELIVERY_ATTEMPTS {
                let sent = client
                    .post(&url)
                    .header("Stripe-Signature", &signature)
                    .header("Content-Type", "application/json")
                    .body(body.clone())
                    .send()
                    .await;
                match sent {
                    Ok(answer) if answer.status().is_success() => return,
                    Ok(answer) => {
                        tracing::warn!(attempt, status = %answer.status(), "sandbox webhook refused")
                    }
                    Err(err) => {
                        tracing::warn!(attempt, error = %err, "sandbox webhook not delivered")
                    }
                }
                tokio::time::sleep(wait).await;
                wait *= 2;
            }
        });
    }
}

fn status(payment: &SandboxPayment) -> PaymentStatus {
    match payment.status.as_str() {
        "succeeded" | "refunded" => PaymentStatus::Succeeded,
        "canceled" => PaymentStatus::Canceled,
        _ => PaymentStatus::Pending,
    }
}

#[async_trait]
impl PaymentGateway for SandboxGateway {
    fn provider(&self) -> &'static str {
        PROVIDER
    }

    async fn create_payment(
        &self,
        request: &PaymentRequest,
    ) -> Result<PaymentSession, GatewayError> {
        let now = self.clock.now();
        let id = format!(
            "pi_sandbox_{}",
            Alphanumeric.sample_string(&mut rand::thread_rng(), 24)
        );
        let payment = self
            .store
            .create_sandbox_payment(SandboxPayment {
                id,
                booking_id: BookingId(request.booking_id),
                amount: request.amount,
                status: WAITING.into(),
                refunded_minor: 0,
                created_at: now,
                updated_at: now,
            })
            .await
            .map_err(unavailable)?;
        Ok(PaymentSession {
            checkout_url: Some(format!(
                "{}/sandbox/checkout/{}",
                self.public_url, payment.id
            )),
            payment_ref: payment.id,
            client_secret: None,
        })
    }

    async fn payment_status(&self, payment_ref: &str) -> Result<PaymentStatus, GatewayError> {
        let payment = self
            .store
            .sandbox_payment(payment_ref)
            .await
            .map_err(unavailable)?
            .ok_or_else(|| refused("resource_missing", "no such payment"))?;
        Ok(status(&payment))
    }

    /// Like Stripe, refuses to cancel a payment that succeeded meanwhile: the caller must not
    /// take it for canceled.
    async fn cancel_payment(&self, payment_ref: &str) -> Result<(), GatewayError> {
        if self
            .store
            .settle_sandbox_payment(payment_ref, WAITING, "canceled", self.clock.now())
            .await
            .map_err(unavailable)?
        {
            return Ok(());
        }
        match self
            .store
            .sandbox_payment(payment_ref)
            .await
            .map_err(unavailable)?
        {
            Some(p) if p.status == "canceled" => Ok(()),
            Some(_) => Err(refused(
                "payment_intent_unexpected_state",
                "the payment has succeeded; it cannot be canceled",
            )),
            None => Err(refused("resource_missing", "no such payment")),
        }
    }

    /// Refunds part or all of a succeeded payment once per Idempotency-Key, and reports it
    /// as Stripe does: a `charge.refunded` event with the amount refunded so far.
    async fn refund(&self, request: &RefundRequest) -> Result<RefundMade, GatewayError> {
        let now = self.clock.now();
        let new_id = format!(
            "re_sandbox_{}",
            Alphanumeric.sample_string(&mut rand::thread_rng(), 24)
        );
        let refunded = self
            .store
            .refund_sandbox_payment(
                &request.payment_ref,
                &request.idempotency_key,
                &new_id,
                request.amount.minor,
                now,
            )
            .await
            .map_err(unavailable)?;
        match refunded {
            SandboxRefund::Made { id, refunded_minor } => {
                let payment = self
                    .store
                    .sandbox_payment(&request.payment_ref)
                    .await
                    .map_err(unavailable)?
                    .ok_or_else(|| refused("resource_missing", "no such payment"))?;
                self.send(events::charge_refunded_event(
                    &event_id(),
                    &format!("ch_{}", request.payment_ref),
                    &request.payment_ref,
                    payment.amount,
                    refunded_minor,
                    request.booking_id,
                    now,
                ));
                Ok(RefundMade {
                    id,
                    succeeded: true,
                })
            }
            SandboxRefund::Again { id } => Ok(RefundMade {
                id,
                succeeded: true,
            }),
            SandboxRefund::NotRefundable => Err(refused(
                "charge_not_refundable",
                "the payment has not succeeded, or less than that is left to refund",
            )),
            SandboxRefund::NoSuchPayment => Err(refused("resource_missing", "no such payment")),
        }
    }

    fn verify_webhook(
        &self,
        signature_header: Option<&str>,
        body: &[u8],
        now: DateTime<Utc>,
    ) -> Result<WebhookEvent, WebhookError> {
        events::verify_and_parse(&self.secret, signature_header, body, now)
    }
}

/// The sandbox's database trouble is logged here; the customer is told only that the gateway
/// did not answer.
fn unavailable(err: marquee_store::StoreError) -> GatewayError {
    tracing::warn!(error = %err, "the sandbox gateway could not read or write its records");
    GatewayError::Unavailable("the sandbox gateway is not available".into())
}

fn refused(code: &str, message: &str) -> GatewayError {
    GatewayError::Refused {
        code: code.into(),
        message: message.into(),
    }
}
