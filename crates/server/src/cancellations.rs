//! Cancelling paid bookings and refunding them through the gateway. The store cancels in one
//! transaction (seats free at once, tickets void, the refund owed recorded); the refund is
//! then asked of the gateway with the cancellation's own Idempotency-Key, so asking again
//! (after a crash, a timeout, a refusal) never refunds twice. The gateway's `charge.refunded`
//! report settles it (`payments::webhook`); the reconciliation job asks again for refunds
//! not reported in time (`reconcile_refunds`).

use crate::app::App;
use crate::error::AppResult;
use crate::staff::StaffUser;
use marquee_domain::cancellation::{RefundPolicy, RefundStatus};
use marquee_domain::{BookingId, UserId, VenueId};
use marquee_payments::{cancellation_refund_key, GatewayError, RefundRequest};
use marquee_store::cancellations::{
    CancelBooking, CancelShowtime, Cancelled, Canceller, RefundOwed, ShowtimeCancelled,
    MESSAGE_KIND,
};
use marquee_store::Actor;

/// Refunds asked per reconciliation run.
const REFUND_PAGE: u32 = 100;

/// Cancels as `ask` says, then asks the gateway for the refund it owes (a refund the gateway
/// does not take now is asked again by the reconciliation job; the cancellation stands).
pub async fn cancel(app: &App, ask: CancelBooking) -> AppResult<Cancelled> {
    let booking = ask.booking;
    let cancelled = app
        .store()
        .cancel_booking(ask)
        .await?
        .publish(app.seat_changes());
    refund_made(app, booking, &cancelled).await?;
    Ok(cancelled)
}

/// Asks the gateway for the refund a cancellation just made owes, if it owes one.
pub(crate) async fn refund_made(
    app: &App,
    booking: BookingId,
    cancelled: &Cancelled,
) -> AppResult<()> {
    let Some(made) = &cancelled.cancellation else {
        return Ok(());
    };
    metrics::counter!("marquee_cancellations_total").increment(1);
    if made.refund_status != RefundStatus::Due {
        return Ok(());
    }
    let Some(payment) = app.store().payment(booking).await? else {
        return Ok(());
    };
    let owed = RefundOwed {
        cancellation_id: made.id,
        booking_id: booking,
        provider: payment.provider,
        payment_ref: payment.payment_ref,
        amount: made.refund,
        attempts: 0,
    };
    if let Err(err) = ask_refund(app, &owed, false).await {
        tracing::warn!(%booking, error = %err, "could not record asking for a refund; reconciliation will ask again");
    }
    Ok(())
}

/// The cinema cancels a showtime (see `Store::cancel_showtime`), then asks the gateway for
/// each booking's refund.
pub async fn cancel_showtime(app: &App, ask: CancelShowtime) -> AppResult<ShowtimeCancelled> {
    let done = app
        .store()
        .cancel_showtime(ask)
        .await?
        .publish(app.seat_changes());
    for (booking, cancelled) in &done.bookings {
        refund_made(app, *booking, cancelled).await?;
    }
    Ok(done)
}

/// A customer cancels their own booking (or some of its seats) under the venue's policy.
pub async fn cancel_own(
    app: &App,
    user: UserId,
    booking: BookingId,
    seats: Option<Vec<String>>,
    dry_run: bool,
) -> AppResult<Cancelled> {
    cancel(
        app,
        CancelBooking {
            booking,
            by: Canceller::Customer(user),
            seats,
            dry_run,
            now: app.now(),
            message_kind: MESSAGE_KIND,
        },
    )
    .await
}

/// Asks the gateway for one cancellation's refund and records how that went. `settle` when
/// the gateway's answer that the money went back settles it (asked again by reconciliation,
/// whose webhook did not come); the first ask waits for the webhook as the gateway reports it.
async fn ask_refund(app: &App, owed: &RefundOwed, settle: bool) -> AppResult<()> {
    let now = app.now();
    let asked = app
        .payments()
        .gateway
        .refund(&RefundRequest {
            payment_ref: owed.payment_ref.clone(),
            amount: owed.amount,
            booking_id: owed.booking_id.0,
            idempotency_key: cancellation_refund_key(owed.cancellation_id),
        })
        .await;
    let store = app.store();
    match asked {
        Ok(made) if settle && made.succeeded => {
            store.refund_succeeded(owed.cancellation_id, now).await?;
        }
        Ok(made) => {
            let check_again = now + app.config().reconcile_after;
            store
                .refund_asked(owed.cancellation_id, Ok(&made.id), check_again)
                .await?;
        }
        Err(err) => {
            // Staff see why on the booking; the reconciliation job asks again, later and later.
            tracing::warn!(booking = %owed.booking_id, cancellation = owed.cancellation_id, error = %err, "refund not made yet; reconciliation will ask again");
            let why = refusal(&err);
            store
                .refund_asked(
                    owed.cancellation_id,
                    Err(&why),
                    now + backoff(owed.attempts + 1),
                )
                .await?;
        }
    }
    Ok(())
}

/// What staff read of a gateway's refusal.
fn refusal(err: &GatewayError) -> String {
    match err {
        GatewayError::Refused { code, message } | GatewayError::Declined { code, message } => {
            format!("{code}: {message}")
        }
        other => other.to_string(),
    }
}

/// How long after its `attempts`th failure a refund is asked again: a minute, doubling, at
/// most 6 hours.
fn backoff(attempts: u32) -> chrono::Duration {
    let minutes = 1i64 << attempts.saturating_sub(1).min(9);
    chrono::Duration::minutes(minutes.min(6 * 60))
}

/// Asks again for every refund owed whose time has come (not made, or made and not reported):
/// one page per run. Answers how many were asked.
pub async fn reconcile_refunds(app: &App, stopping: impl Fn() -> bool) -> AppResult<usize> {
    let provider = app.payments().gateway.provider();
    let owed = app.store().refunds_owed(app.now(), REFUND_PAGE).await?;
    let mut asked = 0;
    for refund in owed {
        if stopping() {
            break;
        }
        if refund.provider != provider {
            continue;
        }
        ask_refund(app, &refund, true).await?;
        asked += 1;
    }
    Ok(asked)
}

/// A venue of the staff member's refund policy: its own (true), or the standard one.
pub async fn policy(
    app: &App,
    staff: &StaffUser,
    venue: VenueId,
) -> AppResult<(RefundPolicy, bool)> {
    crate::back_office::venue(app, staff, venue).await?;
    Ok(match app.store().refund_policy(venue).await? {
        Some(own) => (own, true),
        None => (RefundPolicy::standard(), false),
    })
}

/// Sets a venue's refund policy (audited as `refund_policy.update`).
pub async fn put_policy(
    app: &App,
    staff: &StaffUser,
    venue: VenueId,
    policy: &RefundPolicy,
) -> AppResult<()> {
    crate::back_office::venue(app, staff, venue).await?;
    let by = Actor::staff(
        staff.user.id,
        app.now(),
        "refund_policy.update",
        render_policy,
    );
    app.store().put_refund_policy(venue, policy, by).await?;
    Ok(())
}

fn render_policy(policy: &RefundPolicy) -> serde_json::Value {
    serde_json::json!({
        "tiers": policy.tiers().iter().map(|t| serde_json::json!({
            "minutes_before": t.minutes_before, "percent": t.percent
        })).collect::<Vec<_>>(),
        "fee_per_ticket": policy.fee_per_ticket_minor(),
    })
}
