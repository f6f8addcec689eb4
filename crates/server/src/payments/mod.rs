//! Paying for a hold: checkout through the configured gateway, the gateway's webhooks, refunds
//! owed when a late payment cannot have its seats, and the reconciliation that finishes what a
//! lost webhook left open. The store applies every outcome in one transaction
//! (`Store::apply_payment_report`); this module talks to the gateway around it.

pub mod sandbox;

use crate::app::App;
use crate::error::{AppError, AppResult};
use marquee_domain::Entity;
use marquee_domain::{BookingId, BookingStatus, TicketCode, MAX_SEATS_PER_BOOKING};
use marquee_payments::{
    refund_idempotency_key, EventKind, PaymentGateway, PaymentRequest, PaymentStatus, RefundRequest,
};
use marquee_store::{
    NewPayment, PaidAs, Payment, PaymentOutcome, PaymentReport, Reported, Unsettled, User,
};
use sandbox::SandboxGateway;
use std::sync::Arc;

/// The gateway a node pays through, and the sandbox's own page and pay call when that is it.
pub struct Payments {
    pub gateway: Arc<dyn PaymentGateway>,
    pub sandbox: Option<Arc<SandboxGateway>>,
    /// No money moves: the sandbox, or Stripe with a test key. Every checkout answer and page
    /// says so.
    pub test_mode: bool,
}

/// Starts paying for a live hold of `user`'s, or answers the payment its checkout started
/// before. A booking that is not a live hold gets `WrongBookingState` (409).
pub async fn checkout(app: &App, user: &User, id: BookingId) -> AppResult<Payment> {
    let booking = crate::bookings::get(app, user, id).await?;
    let now = app.now();
    match booking.status_at(now) {
        BookingStatus::Held => {}
        BookingStatus::PaymentPending => {
            if let Some(payment) = app.store().payment(id).await? {
                return Ok(payment);
            }
        }
        other => return Err(AppError::WrongBookingState(other)),
    }
    let gateway = &app.payments().gateway;
    let session = gateway
        .create_payment(&PaymentRequest {
            booking_id: id.0,
            reference: booking.reference.to_string(),
            amount: booking.quote.total,
            description: format!("Marquee booking {}", booking.reference),
        })
        .await?;
    Ok(app
        .store()
        .start_checkout(NewPayment {
            booking_id: id,
            user_id: user.id,
            provider: gateway.provider().to_string(),
            payment_ref: session.payment_ref,
            client_secret: session.client_secret,
            checkout_url: session.checkout_url,
            amount: booking.quote.total,
            // Taken after the gateway answered (which may take a while): a hold that ran out
            // meanwhile is refused.
            now: app.now(),
        })
        .await?)
}

/// A webhook from `provider`: its signature is checked before its body is read (invariant 6),
/// then its event is applied at most once. Unknown event types are acknowledged and ignored.
pub async fn webhook(
    app: &App,
    provider: &str,
    signature: Option<&str>,
    body: &[u8],
) -> AppResult<PaymentOutcome> {
    let received = receive_webhook(app, provider, signature, body).await;
    let outcome = match &received {
        Ok(outcome) => outcome_label(*outcome),
        Err(AppError::Webhook(_)) => "rejected",
        Err(AppError::NotFound(_)) => "unknown_provider",
        Err(_) => "error",
    };
    metrics::counter!("marquee_webhook_events_total", "outcome" => outcome).increment(1);
    received
}

/// A metric label for what a report did.
fn outcome_label(outcome: PaymentOutcome) -> &'static str {
    match outcome {
        PaymentOutcome::Confirmed => "confirmed",
        PaymentOutcome::RefundDue => "refund_due",
        PaymentOutcome::Failed => "failed",
        PaymentOutcome::Refunded => "refunded",
        PaymentOutcome::NoChange => "no_change",
        PaymentOutcome::Duplicate => "duplicate",
        PaymentOutcome::UnknownPayment => "unknown_payment",
        PaymentOutcome::InReview => "in_review",
    }
}

async fn receive_webhook(
    app: &App,
    provider: &str,
    signature: Option<&str>,
    body: &[u8],
) -> AppResult<PaymentOutcome> {
    let gateway = &app.payments().gateway;
    if provider != gateway.provider() {
        return Err(AppError::NotFound(Entity::Provider));
    }
    let event = gateway
        .verify_webhook(signature, body, app.now())
        .map_err(AppError::Webhook)?;
    let reported = match event.kind {
        EventKind::PaymentSucceeded => Reported::Succeeded,
        EventKind::PaymentFailed { .. } => Reported::Failed,
        EventKind::Refunded => Reported::Refunded,
        EventKind::Other(kind) => {
            tracing::debug!(%kind, "ignoring a webhook event of another type");
            return Ok(PaymentOutcome::NoChange);
        }
    };
    // An event about something else on the gateway's account (a charge made elsewhere) is
    // acknowledged: answering an error would only make the gateway send it again for days.
    let Some(payment_ref) = event.payment_ref else {
        return Ok(PaymentOutcome::UnknownPayment);
    };
    let (refunded_minor, paid) = match reported {
        Reported::Refunded => (event.amount_minor, None),
        _ => (
            None,
            Some(PaidAs {
                amount_minor: event.amount_minor,
                currency: event.currency,
                livemode: event.livemode,
            }),
        ),
    };
    let report = Report {
        payment_ref,
        event_id: Some(event.id),
        reported,
        refunded_minor,
        paid,
    };
    apply(app, report).await
}

/// What a gateway said about one payment.
struct Report {
    payment_ref: String,
    event_id: Option<String>,
    reported: Reported,
    refunded_minor: Option<i64>,
    /// What a success paid, as the gateway says (compared with the payment).
    paid: Option<PaidAs>,
}

impl Report {
    /// A report the reconciliation job made by asking the gateway.
    fn asked(payment_ref: String, reported: Reported) -> Report {
        Report {
            payment_ref,
            event_id: None,
            reported,
            refunded_minor: None,
            paid: None,
        }
    }
}

/// Applies a report, and when it leaves a refund owed, asks the gateway for it at once (the
/// reconciliation job asks again if this fails).
async fn apply(app: &App, report: Report) -> AppResult<PaymentOutcome> {
    let applied = app
        .store()
        .apply_payment_report(PaymentReport {
            provider: app.payments().gateway.provider().to_string(),
            payment_ref: report.payment_ref,
            event_id: report.event_id,
            reported: report.reported,
            refunded_minor: report.refunded_minor,
            paid: report.paid,
            live_gateway: !app.payments().test_mode,
            ticket_codes: (0..MAX_SEATS_PER_BOOKING)
                .map(|_| TicketCode::from_random(rand::random()))
                .collect(),
            now: app.now(),
        })
        .await?
        .publish(app.seat_changes())?;
    if let (Some(unlike), Some(booking)) = (&applied.unlike, &applied.booking) {
        // Nobody's fault that a customer can fix: staff must look at it (the seats are kept).
        tracing::error!(booking = %booking.id, reference = %booking.reference, %unlike, "a payment succeeded unlike the booking's payment; kept for review, not confirmed");
    }
    match applied.outcome {
        PaymentOutcome::Confirmed => {
            metrics::counter!("marquee_bookings_confirmed_total").increment(1)
        }
        PaymentOutcome::Refunded => metrics::counter!("marquee_refunds_total").increment(1),
        _ => {}
    }
    // An exchange just paid: the booking it replaced was cancelled, its refund is owed.
    if let Some((replaced, cancelled)) = &applied.exchanged {
        crate::cancellations::refund_made(app, *replaced, cancelled).await?;
    }
    if let Some(booking) = &applied.booking {
        if applied.outcome == PaymentOutcome::RefundDue {
            if let Some(payment) = app.store().payment(booking.id).await? {
                if let Err(err) = refund(app, &payment).await {
                    tracing::warn!(booking = %booking.id, error = %err, "refund not made yet; reconciliation will try again");
                }
            }
        }
    }
    Ok(applied.outcome)
}

/// Pays back a payment whose booking could not have its seats, and records it.
async fn refund(app: &App, payment: &Payment) -> AppResult<()> {
    app.payments()
        .gateway
        .refund(&RefundRequest {
            payment_ref: payment.payment_ref.clone(),
            amount: payment.amount,
            booking_id: payment.booking_id.0,
            idempotency_key: refund_idempotency_key(payment.booking_id.0),
        })
        .await?;
    apply_boxed(app, payment.payment_ref.clone(), Reported::Refunded).await?;
    Ok(())
}

/// `apply` calls `refund`, which applies the refund: the recursion goes through a box.
fn apply_boxed(
    app: &App,
    payment_ref: String,
    reported: Reported,
) -> std::pin::Pin<Box<dyn std::future::Future<Output = AppResult<PaymentOutcome>> + Send + '_>> {
    Box::pin(apply(app, Report::asked(payment_ref, reported)))
}

/// Payments asked about per run: a backlog is worked off over several runs, not in one long
/// burst of gateway calls.
const RECONCILE_PAGE: u32 = 100;
/// How long a node's turn at reconciliation lasts unless it renews it (each run does): one
/// node at a time asks the gateway, and another takes over this long after it stops.
const RECONCILE_TURN: chrono::Duration = chrono::Duration::minutes(5);

/// Finishes every payment left open for longer than `after` (invariant 5: a lost webhook never
/// loses money or seats): makes owed refunds, and asks the gateway where the others stand. A
/// success is applied; a payment nobody paid whose booking can no longer use it (its last
/// attempt failed, or its hold ran out) is canceled at the gateway first, so that it cannot
/// succeed later. A page at a time, by one node at a time; a
/// payment that would not settle is asked about again later and later. Answers how many
/// payments were settled.
pub async fn reconcile(app: &App, after: chrono::Duration) -> AppResult<usize> {
    reconcile_until(app, after, || false).await
}

/// `reconcile`, stopping before the next payment once `stopping` says so (a shutdown).
pub async fn reconcile_until(
    app: &App,
    after: chrono::Duration,
    stopping: impl Fn() -> bool,
) -> AppResult<usize> {
    let now = app.now();
    let node = app.config().node_id;
    if !app
        .store()
        .take_turn("reconcile", node, now, RECONCILE_TURN)
        .await?
    {
        return Ok(0);
    }
    let open = app
        .store()
        .unsettled_payments(Unsettled {
            changed_before: now - after,
            now,
            limit: RECONCILE_PAGE,
        })
        .await?;
    metrics::gauge!("marquee_reconciliation_backlog").set(open.len() as f64);
    let mut settled = 0;
    let provider = app.payments().gateway.provider();
    for payment in open {
        if stopping() {
            break;
        }
        if payment.provider != provider {
            tracing::warn!(booking = %payment.booking_id, provider = %payment.provider, "an open payment of another gateway than the configured one is left alone");
            continue;
        }
        match settle(app, &payment).await {
            Ok(true) => settled += 1,
            Ok(false) => {}
            Err(err) => {
                tracing::warn!(booking = %payment.booking_id, error = %err, "could not settle a payment; trying again later");
                app.store()
                    .postpone_reconciliation(payment.booking_id, app.now())
                    .await?;
            }
        }
    }
    // Refunds owed by cancellations, in the same turn.
    settled += crate::cancellations::reconcile_refunds(app, &stopping).await?;
    Ok(settled)
}

/// Settles one open payment; false when it is still legitimately waiting.
async fn settle(app: &App, payment: &Payment) -> AppResult<bool> {
    if payment.status == marquee_domain::PaymentStatus::RefundDue {
        refund(app, payment).await?;
        return Ok(true);
    }
    let gateway = &app.payments().gateway;
    let reported = match gateway.payment_status(&payment.payment_ref).await? {
        PaymentStatus::Succeeded => Reported::Succeeded,
        PaymentStatus::Canceled => Reported::Canceled,
        PaymentStatus::Pending | PaymentStatus::Failed => {
            let live = app
                .store()
                .get_booking(payment.booking_id)
                .await?
                .is_some_and(|b| b.status_at(app.now()) == BookingStatus::PaymentPending);
            if live && payment.status == marquee_domain::PaymentStatus::Pending {
                return Ok(false);
            }
            gateway.cancel_payment(&payment.payment_ref).await?;
            Reported::Canceled
        }
    };
    apply(app, Report::asked(payment.payment_ref.clone(), reported)).await?;
    Ok(true)
}
