//! Paying: checkout, the gateway's webhooks, tickets' QR codes, and the sandbox gateway's test
//! checkout page and pay call.

use super::bookings::booking_id;
use super::error::{ApiError, ApiResult, ErrorBody};
use super::extract::{AuthUser, Json, Path};
use crate::app::App;
use crate::error::{AppError, ErrorCode};
use crate::payments::sandbox::{Paid, PayError};
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use chrono::{DateTime, Utc};
use marquee_domain::Entity;
use marquee_domain::TicketCode;
use marquee_store::Payment;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A started payment: where to pay, and what.
#[derive(Serialize, ToSchema)]
pub struct CheckoutBody {
    pub booking_id: String,
    /// `sandbox` or `stripe`.
    pub provider: String,
    /// The gateway's id of the payment (`pi_...`).
    pub payment_ref: String,
    /// The page to pay on: the sandbox's test checkout page. Absent for Stripe, whose
    /// payment form is built in the customer's browser with `client_secret`.
    pub checkout_url: Option<String>,
    /// For Stripe.js, to complete the payment in the browser (Stripe only).
    pub client_secret: Option<String>,
    /// Minor units.
    pub amount: i64,
    pub currency: String,
    /// `pending`, `succeeded`, `failed`, `refund_due`, `refunded`, `canceled`, `review` (a
    /// success unlike the payment, waiting for staff).
    pub status: String,
    pub created_at: DateTime<Utc>,
    /// True while payments go through the sandbox or a Stripe test key: test cards only, and
    /// no money moves. Show it to the customer.
    pub test_mode: bool,
}

impl CheckoutBody {
    fn new(p: Payment, test_mode: bool) -> Self {
        CheckoutBody {
            booking_id: p.booking_id.0.to_string(),
            provider: p.provider,
            payment_ref: p.payment_ref,
            checkout_url: p.checkout_url,
            client_secret: p.client_secret,
            amount: p.amount.minor,
            currency: p.amount.currency.to_string(),
            status: p.status.as_str().to_string(),
            created_at: p.created_at,
            test_mode,
        }
    }
}

/// Pay for a hold: the booking becomes `payment_pending` and the answer says where to pay.
/// Calling it again for the same booking answers the same payment.
#[utoipa::path(post, path = "/bookings/{id}/checkout", tag = "payments", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = CheckoutBody, links(
            ("pay_in_sandbox" = (operation_id = "sandbox_pay", parameters(("id" = "$response.body#/payment_ref")),
                description = "Pay with a test card (sandbox gateway only)")),
        )),
        (status = 401, description = "`unauthenticated`, `invalid_token`", body = ErrorBody),
        (status = 404, description = "`booking_not_found` (also someone else's)", body = ErrorBody),
        (status = 409, description = "`hold_expired`, `invalid_booking_state` (released, confirmed...)", body = ErrorBody),
        (status = 503, description = "`payment_gateway_unavailable`", body = ErrorBody)))]
pub async fn checkout(
    State(app): State<App>,
    auth: AuthUser,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<CheckoutBody>> {
    let payment = crate::payments::checkout(&app, &auth.user, booking_id(&id)?).await?;
    Ok(axum::Json(CheckoutBody::new(
        payment,
        app.payments().test_mode,
    )))
}

#[derive(Serialize, ToSchema)]
pub struct ReceivedBody {
    pub received: bool,
}

/// The most a webhook body may be: Stripe's events are a few kilobytes.
pub const WEBHOOK_BODY_LIMIT: usize = 64 * 1024;

/// The payment gateway's webhook (`provider` is `sandbox` or `stripe`). The `Stripe-Signature`
/// header is checked before the body is read; each event is applied at most once; events of
/// other types are acknowledged and ignored.
#[utoipa::path(post, path = "/payments/webhooks/{provider}", tag = "payments",
    params(("provider" = String, Path), ("Stripe-Signature" = String, Header)),
    request_body(content = String, description = "A Stripe event, as the gateway sends it", content_type = "application/json"),
    responses((status = 200, body = ReceivedBody),
        (status = 400, description = "`invalid_signature` (missing, forged or older than 5 minutes), `malformed_event`", body = ErrorBody),
        (status = 404, description = "`provider_not_found`: not the configured gateway", body = ErrorBody),
        (status = 413, description = "`payload_too_large`: over 64 KiB", body = ErrorBody)))]
pub async fn webhook(
    State(app): State<App>,
    Path(provider): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<axum::Json<ReceivedBody>> {
    let body = body?;
    let signature = headers
        .get("stripe-signature")
        .and_then(|v| v.to_str().ok());
    crate::payments::webhook(&app, &provider, signature, &body).await?;
    Ok(axum::Json(ReceivedBody { received: true }))
}

/// A ticket's QR code: it carries the ticket's code, which the door scans.
#[utoipa::path(get, path = "/tickets/{code}/qr.svg", tag = "payments",
    params(("code" = String, Path)),
    responses((status = 200, description = "An SVG image", content_type = "image/svg+xml"),
        (status = 404, description = "`ticket_not_found`", body = ErrorBody)))]
pub async fn ticket_qr(State(app): State<App>, Path(code): Path<String>) -> ApiResult<Response> {
    let code = TicketCode::parse(&code).ok_or(AppError::NotFound(Entity::Ticket))?;
    app.store()
        .booking_of_ticket(&code)
        .await
        .map_err(AppError::from)?
        .ok_or(AppError::NotFound(Entity::Ticket))?;
    let svg = crate::qr::svg(code.as_str())?;
    Ok(([(header::CONTENT_TYPE, "image/svg+xml")], svg).into_response())
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PayRequest {
    /// One of Stripe's test card numbers: `4242424242424242` succeeds, `4000000000000002` is
    /// declined, `4000000000009995` is declined for insufficient funds.
    pub card_number: String,
}

#[derive(Serialize, ToSchema)]
pub struct PaidBody {
    /// `succeeded` or `declined`. Marquee learns it by webhook, a moment later.
    pub status: String,
    /// Why it was declined: `generic_decline`, `insufficient_funds`, `expired_card`...
    pub decline_code: Option<String>,
    pub message: Option<String>,
}

/// The sandbox gateway's pay call, what its test checkout page posts (scripts may call it
/// too). Exists only while the sandbox gateway is configured.
#[utoipa::path(post, path = "/sandbox/sessions/{id}/pay", tag = "payments",
    params(("id" = String, Path, description = "The payment's `payment_ref`")), request_body = PayRequest,
    responses((status = 200, body = PaidBody),
        (status = 400, description = "`not_a_test_card`, `invalid_json`, `invalid_body`", body = ErrorBody),
        (status = 404, description = "`payment_not_found` (or no sandbox configured)", body = ErrorBody),
        (status = 409, description = "`payment_settled`", body = ErrorBody),
        (status = 415, description = "`unsupported_media_type`: the body is not `application/json`", body = ErrorBody)))]
pub async fn sandbox_pay(
    State(app): State<App>,
    Path(id): Path<String>,
    Json(request): Json<PayRequest>,
) -> ApiResult<axum::Json<PaidBody>> {
    let Some(sandbox) = &app.payments().sandbox else {
        return Err(AppError::NotFound(Entity::Payment).into());
    };
    let paid = sandbox
        .pay(&id, &request.card_number)
        .await
        .map_err(pay_error)?;
    Ok(axum::Json(match paid {
        Paid::Succeeded => PaidBody {
            status: "succeeded".into(),
            decline_code: None,
            message: None,
        },
        Paid::Declined(decline) => PaidBody {
            status: "declined".into(),
            decline_code: Some(decline.reason().into()),
            message: Some(decline.message.into()),
        },
    }))
}

fn pay_error(err: PayError) -> ApiError {
    match err {
        PayError::NotFound => AppError::NotFound(Entity::Payment).into(),
        PayError::Settled => ApiError::new(
            StatusCode::CONFLICT,
            ErrorCode::PaymentSettled,
            err.to_string(),
        ),
        PayError::NotATestCard => ApiError::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::NotATestCard,
            err.to_string(),
        ),
        PayError::Store(err) => AppError::from(err).into(),
    }
}

/// The sandbox gateway's test checkout page (not part of the API): the customer types a test
/// card number, the page posts it to the pay call, and shows the outcome.
pub async fn sandbox_checkout_page(
    State(app): State<App>,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> Response {
    let Some(sandbox) = &app.payments().sandbox else {
        return ApiError::not_found().into_response();
    };
    let payment = match sandbox.payment(&id).await {
        Ok(Some(payment)) => payment,
        Ok(None) => return ApiError::not_found().into_response(),
        Err(err) => return pay_error(err).into_response(),
    };
    // The page's own style and script run (they carry this answer's nonce); nothing else
    // does, nothing loads from elsewhere, and no other site may frame it.
    let nonce = format!("{:032x}", rand::random::<u128>());
    let policy = format!(
        "default-src 'none'; style-src 'nonce-{nonce}'; script-src 'nonce-{nonce}'; \
         connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    );
    (
        [(header::CONTENT_SECURITY_POLICY, policy)],
        Html(
            CHECKOUT_PAGE
                .replace("{{amount}}", &payment.amount.to_string())
                .replace("{{id}}", &payment.id)
                .replace("{{reference}}", &payment.booking_id.0.to_string())
                .replace("{{nonce}}", &nonce),
        ),
    )
        .into_response()
}

/// Plain HTML and a few lines of script; nothing is loaded from anywhere else. The values put
/// in are ids and an amount, which hold no markup.
const CHECKOUT_PAGE: &str = r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sandbox checkout</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style nonce="{{nonce}}">body{font-family:system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem}
input,button{font-size:1.1rem;padding:.5rem;width:100%;box-sizing:border-box;margin:.5rem 0}
.note{color:#555;font-size:.9rem}
.test{background:#fff3cd;border:2px solid #b58100;padding:.5rem;text-align:center}</style></head>
<body><p class="test" role="note"><strong>TEST MODE</strong>: no money moves; only test cards work.</p>
<h1>Sandbox checkout</h1>
<p>To pay: <strong>{{amount}}</strong></p>
<form id="pay"><label>Card number<input id="card" autocomplete="off" inputmode="numeric"
 placeholder="4242 4242 4242 4242" required></label><button>Pay</button></form>
<p id="result" role="status"></p>
<p><a href="/bookings/{{reference}}">Back to your booking</a></p>
<p class="note">Test mode. Only Stripe's test cards work: 4242 4242 4242 4242 succeeds,
4000 0000 0000 0002 is declined, 4000 0000 0000 9995 has insufficient funds.</p>
<script nonce="{{nonce}}">
document.getElementById('pay').addEventListener('submit', async (e) => {
  e.preventDefault();
  const out = document.getElementById('result');
  const answer = await fetch('/api/v1/sandbox/sessions/{{id}}/pay', {method: 'POST',
    headers: {'Content-Type': 'application/json'},
    body: JSON.stringify({card_number: document.getElementById('card').value})});
  const body = await answer.json();
  out.textContent = answer.ok
    ? (body.status === 'succeeded' ? 'Paid. Your tickets are on their way.' : 'Declined: ' + body.message)
    : body.error.message;
  // Back to the booking on the site, which tells what became of it.
  if (answer.ok) setTimeout(() => location.assign('/bookings/{{reference}}'), 1500);
});
</script></body></html>
"#;
