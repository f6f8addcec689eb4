//! The Stripe client against a local fake Stripe that records every request and checks each
//! one's shape as Stripe documents it: method, path, Bearer key, form encoding, an
//! Idempotency-Key on every POST, and the form fields of each endpoint. The fake keeps
//! PaymentIntents and replays answers by Idempotency-Key, as Stripe does; it can be told to
//! answer errors or to answer late.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;
// The clock of the runtime: paused in the tests that wait, so their waits take no real time.
use tokio::time::Instant;

use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use chrono::Utc;
use marquee_domain::{Currency, Money};
use marquee_payments::signature;
use marquee_payments::stripe::{StripeConfig, StripeGateway};
use marquee_payments::{
    cancellation_refund_key, refund_idempotency_key, EventKind, GatewayError, PaymentGateway,
    PaymentRequest, PaymentStatus, RefundRequest, Secret,
};
use serde_json::{json, Value};

const KEY: &str = "sk_test_51FakeKeyForMarqueeTests";
const WEBHOOK_SECRET: &str = "whsec_fake_webhook_secret";
const TIMEOUT: Duration = Duration::from_millis(300);

#[derive(Debug, Clone)]
struct Recorded {
    method: Method,
    path: String,
    headers: HeaderMap,
    form: Vec<(String, String)>,
}

impl Recorded {
    fn field(&self, name: &str) -> Option<&str> {
        self.form
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// An answer the fake is told to give instead of behaving like Stripe.
#[derive(Clone)]
struct Reply {
    status: u16,
    body: Value,
    delay: Duration,
    should_retry: Option<&'static str>,
}

impl Reply {
    fn error(status: u16, kind: &str, code: &str, message: &str) -> Self {
        Reply {
            status,
            body: json!({"error": {"type": kind, "code": code, "message": message}}),
            delay: Duration::ZERO,
            should_retry: None,
        }
    }

    fn server_error() -> Self {
        Reply::error(500, "api_error", "", "An unknown error occurred")
    }
}

struct FakeIntent {
    amount: i64,
    currency: String,
    status: String,
    last_payment_error: Option<Value>,
}

#[derive(Default)]
struct FakeState {
    requests: Vec<Recorded>,
    /// Served first, one per request.
    script: VecDeque<Reply>,
    /// Served to every request once the script is used up.
    always: Option<Reply>,
    intents: HashMap<String, FakeIntent>,
    /// Answers saved by Idempotency-Key, replayed for the same key.
    saved: HashMap<String, (u16, Value)>,
    next_id: u32,
}

#[derive(Clone)]
struct FakeStripe {
    url: String,
    state: Arc<Mutex<FakeState>>,
}

impl FakeStripe {
    async fn start() -> Self {
        let state = Arc::new(Mutex::new(FakeState::default()));
        let app = Router::new().fallback(handle).with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        FakeStripe { url, state }
    }

    fn gateway(&self) -> StripeGateway {
        self.gateway_with_key(KEY)
    }

    fn gateway_with_key(&self, key: &str) -> StripeGateway {
        StripeGateway::new(StripeConfig {
            api_base: self.url.clone(),
            timeout: TIMEOUT,
            ..StripeConfig::new(Secret::new(key), Secret::new(WEBHOOK_SECRET))
        })
        .unwrap()
    }

    fn requests(&self) -> Vec<Recorded> {
        self.state.lock().unwrap().requests.clone()
    }

    fn then(&self, reply: Reply) {
        self.state.lock().unwrap().script.push_back(reply);
    }

    fn always(&self, reply: Reply) {
        self.state.lock().unwrap().always = Some(reply);
    }

    fn set_intent(&self, id: &str, status: &str, last_payment_error: Option<Value>) {
        let mut state = self.state.lock().unwrap();
        let intent = state.intents.get_mut(id).unwrap();
        intent.status = status.to_string();
        intent.last_payment_error = last_payment_error;
    }
}

async fn handle(
    axum::extract::State(state): axum::extract::State<Arc<Mutex<FakeState>>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form: Vec<(String, String)> = form_urlencoded::parse(&body).into_owned().collect();
    let path = uri.path().to_string();
    let scripted = {
        let mut s = state.lock().unwrap();
        s.requests.push(Recorded {
            method: method.clone(),
            path: path.clone(),
            headers: headers.clone(),
            form: form.clone(),
        });
        s.script.pop_front().or_else(|| s.always.clone())
    };
    if let Some(reply) = scripted {
        tokio::time::sleep(reply.delay).await;
        let mut response = answer(reply.status, reply.body);
        if let Some(value) = reply.should_retry {
            response
                .headers_mut()
                .insert("stripe-should-retry", value.parse().unwrap());
        }
        return response;
    }
    let (status, body) = behave(&mut state.lock().unwrap(), &method, &path, &headers, &form);
    answer(status, body)
}

fn answer(status: u16, body: Value) -> Response {
    (StatusCode::from_u16(status).unwrap(), Json(body)).into_response()
}

fn invalid(code: &str, message: &str) -> (u16, Value) {
    (
        400,
        json!({"error": {"type": "invalid_request_error", "code": code, "message": message}}),
    )
}

/// What Stripe does, for the endpoints Marquee uses.
fn behave(
    s: &mut FakeState,
    method: &Method,
    path: &str,
    headers: &HeaderMap,
    form: &[(String, String)],
) -> (u16, Value) {
    let presented = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if presented != format!("Bearer {KEY}") {
        // Echoes the key in full, so the test can see that the client strikes it out.
        let message = format!("Invalid API Key provided: {presented}");
        return (
            401,
            json!({"error": {"type": "invalid_request_error", "message": message}}),
        );
    }
    let field = |name: &str| form.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    if method == Method::POST {
        let content_type = headers.get("content-type").and_then(|v| v.to_str().ok());
        if content_type != Some("application/x-www-form-urlencoded") {
            return invalid("invalid_content_type", "POST bodies are form-encoded");
        }
        let Some(key) = &key else {
            return invalid("missing_idempotency_key", "Marquee always sends one");
        };
        if let Some(saved) = s.saved.get(key) {
            return saved.clone();
        }
    }

    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let result = match (method.as_str(), segments.as_slice()) {
        ("POST", ["v1", "payment_intents"]) => {
            let amount = field("amount").and_then(|a| a.parse::<i64>().ok());
            let currency = field("currency").unwrap_or_default();
            let Some(amount) = amount.filter(|a| *a > 0) else {
                return invalid("parameter_invalid_integer", "amount: a positive integer");
            };
            if currency.len() != 3 || !currency.bytes().all(|b| b.is_ascii_lowercase()) {
                return invalid("parameter_invalid", "currency: three lower-case letters");
            }
            if field("automatic_payment_methods[enabled]").as_deref() != Some("true") {
                return invalid("parameter_missing", "automatic_payment_methods[enabled]");
            }
            s.next_id += 1;
            let id = format!("pi_fake{}", s.next_id);
            s.intents.insert(
                id.clone(),
                FakeIntent {
                    amount,
                    currency,
                    status: "requires_payment_method".into(),
                    last_payment_error: None,
                },
            );
            (200, intent_json(&id, &s.intents[&id]))
        }
        ("GET", ["v1", "payment_intents", id]) => match s.intents.get(*id) {
            Some(intent) => (200, intent_json(id, intent)),
            None => (
                404,
                json!({"error": {"type": "invalid_request_error", "code": "resource_missing",
                    "message": format!("No such payment_intent: '{id}'")}}),
            ),
        },
        ("POST", ["v1", "payment_intents", id, "cancel"]) => match s.intents.get_mut(*id) {
            Some(intent) if intent.status == "succeeded" || intent.status == "canceled" => invalid(
                "payment_intent_unexpected_state",
                &format!("This PaymentIntent's status is {}", intent.status),
            ),
            Some(intent) => {
                intent.status = "canceled".into();
                (200, intent_json(id, intent))
            }
            None => (404, json!({"error": {"code": "resource_missing"}})),
        },
        ("POST", ["v1", "refunds"]) => {
            let intent = field("payment_intent").and_then(|id| s.intents.get(&id));
            let amount = field("amount").and_then(|a| a.parse::<i64>().ok());
            match (intent, amount) {
                (Some(intent), Some(amount))
                    if intent.status == "succeeded" && amount > 0 && amount <= intent.amount =>
                {
                    s.next_id += 1;
                    let refund = json!({"id": format!("re_fake{}", s.next_id), "object": "refund",
                        "amount": amount, "currency": intent.currency, "status": "succeeded"});
                    (200, refund)
                }
                _ => invalid("charge_not_refundable", "not refundable"),
            }
        }
        _ => (404, json!({"error": {"type": "invalid_request_error"}})),
    };
    if let Some(key) = key.filter(|_| method == Method::POST) {
        s.saved.insert(key, result.clone());
    }
    result
}

fn intent_json(id: &str, intent: &FakeIntent) -> Value {
    json!({
        "id": id,
        "object": "payment_intent",
        "amount": intent.amount,
        "currency": intent.currency,
        "status": intent.status,
        "client_secret": format!("{id}_secret_fake"),
        "last_payment_error": intent.last_payment_error,
        "metadata": {},
    })
}

fn eur(minor: i64) -> Money {
    Money::new(minor, Currency::parse("EUR").unwrap())
}

fn request(booking_id: i64) -> PaymentRequest {
    PaymentRequest {
        booking_id,
        reference: "K7QXM2PA".into(),
        amount: eur(2650),
        description: "2 seats, Dune: Part Two, 24 Nov 20:15".into(),
    }
}

/// Creates a payment for booking 42 and marks it paid, as if the customer had paid.
async fn paid_payment(fake: &FakeStripe, gateway: &StripeGateway) -> String {
    let session = gateway.create_payment(&request(42)).await.unwrap();
    fake.set_intent(&session.payment_ref, "succeeded", None);
    session.payment_ref
}

#[tokio::test]
async fn create_sends_stripes_form_fields_with_the_bookings_idempotency_key() {
    let fake = FakeStripe::start().await;
    let gateway = fake.gateway();

    let session = gateway.create_payment(&request(42)).await.unwrap();
    assert!(session.payment_ref.starts_with("pi_"), "{session:?}");
    assert_eq!(
        session.client_secret.as_deref(),
        Some(format!("{}_secret_fake", session.payment_ref).as_str())
    );
    assert_eq!(gateway.provider(), "stripe");

    let requests = fake.requests();
    assert_eq!(requests.len(), 1);
    let sent = &requests[0];
    assert_eq!(sent.method, Method::POST);
    assert_eq!(sent.path, "/v1/payment_intents");
    assert_eq!(
        sent.header("authorization"),
        Some(&*format!("Bearer {KEY}"))
    );
    assert_eq!(
        sent.header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(
        sent.header("idempotency-key"),
        Some("marquee-booking-42-payment")
    );
    assert_eq!(sent.field("amount"), Some("2650"));
    assert_eq!(sent.field("currency"), Some("eur"));
    assert_eq!(
        sent.field("automatic_payment_methods[enabled]"),
        Some("true")
    );
    assert_eq!(sent.field("metadata[booking_id]"), Some("42"));
    assert_eq!(sent.field("metadata[reference]"), Some("K7QXM2PA"));
    assert_eq!(
        sent.field("description"),
        Some("2 seats, Dune: Part Two, 24 Nov 20:15")
    );
}

#[tokio::test]
async fn creating_twice_for_one_booking_gives_the_same_payment() {
    let fake = FakeStripe::start().await;
    let gateway = fake.gateway();

    let first = gateway.create_payment(&request(42)).await.unwrap();
    let again = gateway.create_payment(&request(42)).await.unwrap();
    let other = gateway.create_payment(&request(43)).await.unwrap();

    assert_eq!(first.payment_ref, again.payment_ref);
    assert_ne!(first.payment_ref, other.payment_ref);
    let keys: Vec<_> = fake
        .requests()
        .iter()
        .map(|r| r.header("idempotency-key").unwrap().to_string())
        .collect();
    assert_eq!(
        keys,
        [
            "marquee-booking-42-payment",
            "marquee-booking-42-payment",
            "marquee-booking-43-payment"
        ]
    );
}

#[tokio::test]
async fn status_follows_the_payment_intent() {
    let fake = FakeStripe::start().await;
    let gateway = fake.gateway();
    let pi = gateway
        .create_payment(&request(42))
        .await
        .unwrap()
        .payment_ref;

    let declined = json!({"type": "card_error", "code": "card_declined",
        "decline_code": "generic_decline", "message": "Your card was declined."});
    let cases = [
        ("requires_payment_method", None, PaymentStatus::Pending),
        (
            "requires_payment_method",
            Some(declined),
            PaymentStatus::Failed,
        ),
        ("requires_confirmation", None, PaymentStatus::Pending),
        ("requires_action", None, PaymentStatus::Pending),
        ("processing", None, PaymentStatus::Pending),
        ("requires_capture", None, PaymentStatus::Pending),
        ("succeeded", None, PaymentStatus::Succeeded),
        ("canceled", None, PaymentStatus::Canceled),
    ];
    for (status, error, expected) in cases {
        fake.set_intent(&pi, status, error);
        assert_eq!(
            gateway.payment_status(&pi).await.unwrap(),
            expected,
            "{status}"
        );
    }

    let get = fake.requests().pop().unwrap();
    assert_eq!(get.method, Method::GET);
    assert_eq!(get.path, format!("/v1/payment_intents/{pi}"));
    assert_eq!(get.header("authorization"), Some(&*format!("Bearer {KEY}")));

    assert!(matches!(
        gateway.payment_status("pi_unknown").await,
        Err(GatewayError::Refused { code, .. }) if code == "resource_missing"
    ));
    // An id that would change the path is refused before anything is sent.
    let before = fake.requests().len();
    assert!(gateway.payment_status("pi_1/cancel").await.is_err());
    assert_eq!(fake.requests().len(), before);
}

#[tokio::test]
async fn cancel_posts_to_the_intents_cancel_endpoint_and_is_idempotent() {
    let fake = FakeStripe::start().await;
    let gateway = fake.gateway();
    let pi = gateway
        .create_payment(&request(42))
        .await
        .unwrap()
        .payment_ref;

    gateway.cancel_payment(&pi).await.unwrap();
    assert_eq!(
        gateway.payment_status(&pi).await.unwrap(),
        PaymentStatus::Canceled
    );
    let cancel = &fake.requests()[1];
    assert_eq!(cancel.method, Method::POST);
    assert_eq!(cancel.path, format!("/v1/payment_intents/{pi}/cancel"));
    assert_eq!(cancel.field("cancellation_reason"), Some("abandoned"));
    let key = cancel.header("idempotency-key").unwrap().to_string();
    assert_eq!(key, format!("marquee-payment-{pi}-cancel"));

    // Again with the same key: Stripe replays its answer.
    gateway.cancel_payment(&pi).await.unwrap();
    // Again after Stripe forgot the key: it says the intent is canceled, which is done.
    fake.state.lock().unwrap().saved.remove(&key);
    gateway.cancel_payment(&pi).await.unwrap();

    // A paid intent cannot be canceled.
    let paid = gateway
        .create_payment(&request(7))
        .await
        .unwrap()
        .payment_ref;
    fake.set_intent(&paid, "succeeded", None);
    assert!(matches!(
        gateway.cancel_payment(&paid).await,
        Err(GatewayError::Refused { code, .. }) if code == "payment_intent_unexpected_state"
    ));
}

#[tokio::test]
async fn refund_posts_the_payment_intent_and_amount_with_the_bookings_refund_key() {
    let fake = FakeStripe::start().await;
    let gateway = fake.gateway();
    let pi = paid_payment(&fake, &gateway).await;

    let request = refund_request(&pi, 2650, refund_idempotency_key(42));
    let refund = gateway.refund(&request).await.unwrap();
    let again = gateway.refund(&request).await.unwrap();
    assert!(refund.id.starts_with("re_"), "{refund:?}");
    assert!(refund.succeeded);
    assert_eq!(refund, again, "one refund per key");
    // Another key (another cancellation of the booking) is another refund.
    let part = gateway
        .refund(&refund_request(&pi, 100, cancellation_refund_key(7)))
        .await
        .unwrap();
    assert_ne!(part.id, refund.id);
    assert_eq!(
        fake.requests().last().unwrap().header("idempotency-key"),
        Some("marquee-cancellation-7-refund")
    );

    let sent = fake
        .requests()
        .into_iter()
        .find(|r| r.header("idempotency-key") == Some("marquee-booking-42-refund"))
        .unwrap();
    assert_eq!(sent.method, Method::POST);
    assert_eq!(sent.path, "/v1/refunds");
    assert_eq!(sent.field("payment_intent"), Some(pi.as_str()));
    assert_eq!(sent.field("amount"), Some("2650"));
    assert_eq!(sent.field("metadata[booking_id]"), Some("42"));
}

#[tokio::test]
async fn a_declined_card_is_declined_at_once() {
    let fake = FakeStripe::start().await;
    fake.then(Reply {
        body: json!({"error": {"type": "card_error", "code": "card_declined",
            "decline_code": "insufficient_funds", "message": "Your card has insufficient funds."}}),
        ..Reply::error(402, "", "", "")
    });
    let error = fake
        .gateway()
        .create_payment(&request(42))
        .await
        .unwrap_err();
    assert_eq!(
        error,
        GatewayError::Declined {
            code: "insufficient_funds".into(),
            message: "Your card has insufficient funds.".into()
        }
    );
    assert_eq!(fake.requests().len(), 1, "a 4xx is never retried");
}

#[tokio::test]
async fn a_bad_request_is_refused_and_not_retried() {
    let fake = FakeStripe::start().await;
    fake.then(Reply::error(
        400,
        "invalid_request_error",
        "amount_too_small",
        "Amount must be at least €0.50 eur",
    ));
    let error = fake
        .gateway()
        .create_payment(&request(42))
        .await
        .unwrap_err();
    assert_eq!(
        error,
        GatewayError::Refused {
            code: "amount_too_small".into(),
            message: "Amount must be at least €0.50 eur".into()
        }
    );
    assert_eq!(fake.requests().len(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_server_error_is_retried_with_the_same_key_and_then_succeeds() {
    let fake = FakeStripe::start().await;
    fake.then(Reply::server_error());
    let started = Instant::now();
    let session = fake.gateway().create_payment(&request(42)).await.unwrap();
    assert!(session.payment_ref.starts_with("pi_"));
    assert!(
        started.elapsed() >= Duration::from_millis(200),
        "backed off"
    );

    let requests = fake.requests();
    assert_eq!(requests.len(), 2);
    for sent in &requests {
        assert_eq!(
            sent.header("idempotency-key"),
            Some("marquee-booking-42-payment")
        );
        assert_eq!(sent.field("amount"), Some("2650"));
    }
}

#[tokio::test(start_paused = true)]
async fn a_server_that_keeps_failing_is_unavailable_after_three_attempts() {
    let fake = FakeStripe::start().await;
    fake.always(Reply::server_error());
    let started = Instant::now();
    let error = fake
        .gateway()
        .refund(&refund_request("pi_1", 100, refund_idempotency_key(42)))
        .await
        .unwrap_err();
    let waited = started.elapsed();

    assert!(
        matches!(&error, GatewayError::Unavailable(m) if m.contains("after 3 attempts")),
        "{error}"
    );
    assert_eq!(fake.requests().len(), 3);
    assert!(
        waited >= Duration::from_millis(600),
        "200 ms + 400 ms of backoff, {waited:?}"
    );
    let keys: Vec<_> = fake
        .requests()
        .iter()
        .map(|r| r.header("idempotency-key").unwrap().to_string())
        .collect();
    assert_eq!(keys, ["marquee-booking-42-refund"; 3]);
}

#[tokio::test]
async fn stripe_saying_do_not_retry_stops_the_retries() {
    let fake = FakeStripe::start().await;
    fake.always(Reply {
        should_retry: Some("false"),
        ..Reply::server_error()
    });
    let error = fake
        .gateway()
        .create_payment(&request(42))
        .await
        .unwrap_err();
    assert!(matches!(error, GatewayError::Unavailable(_)), "{error}");
    assert_eq!(fake.requests().len(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_late_answer_times_out_is_retried_and_ends_unavailable() {
    let fake = FakeStripe::start().await;
    fake.always(Reply {
        status: 200,
        body: json!({}),
        delay: Duration::from_secs(2),
        should_retry: None,
    });
    let started = Instant::now();
    let error = fake.gateway().payment_status("pi_1").await.unwrap_err();
    let waited = started.elapsed();

    assert!(
        matches!(&error, GatewayError::Unavailable(m) if m.contains("no answer within 300 ms")),
        "{error}"
    );
    assert_eq!(fake.requests().len(), 3);
    // Three timeouts and two backoffs, well short of one late answer's two seconds each.
    assert!(waited >= Duration::from_millis(1500), "{waited:?}");
    assert!(waited < Duration::from_secs(4), "{waited:?}");
}

#[tokio::test(start_paused = true)]
async fn a_late_answer_then_a_prompt_one_succeeds() {
    let fake = FakeStripe::start().await;
    let pi = fake
        .gateway()
        .create_payment(&request(42))
        .await
        .unwrap()
        .payment_ref;
    fake.then(Reply {
        status: 200,
        body: json!({}),
        delay: Duration::from_secs(2),
        should_retry: None,
    });
    assert_eq!(
        fake.gateway().payment_status(&pi).await.unwrap(),
        PaymentStatus::Pending
    );
    assert_eq!(fake.requests().len(), 3);
}

#[tokio::test]
async fn the_secret_key_never_shows_in_errors_or_debug_output() {
    let fake = FakeStripe::start().await;
    let leaky_key = "sk_test_DoNotShowThisKey0123456789";
    let log = LogBuffer::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(log.clone())
        .with_ansi(false)
        .finish();
    // The test's runtime has one thread, so everything the client logs lands here.
    let _logging = tracing::subscriber::set_default(subscriber);

    // Stripe's 401 echoes the key it was given (this fake in full).
    let gateway = fake.gateway_with_key(leaky_key);
    let unauthorized = gateway.create_payment(&request(42)).await.unwrap_err();
    assert!(matches!(unauthorized, GatewayError::Refused { .. }));

    // A 5xx whose message names the key, through the retries.
    fake.always(Reply::error(500, "api_error", "", leaky_key));
    let unavailable = gateway.payment_status("pi_1").await.unwrap_err();
    assert!(matches!(unavailable, GatewayError::Unavailable(_)));

    let mut shown = Vec::new();
    for error in [&unauthorized, &unavailable] {
        shown.push(error.to_string());
        shown.push(format!("{error:?}"));
    }
    shown.push(format!("{gateway:?}"));
    let config = StripeConfig::new(Secret::new(leaky_key), Secret::new(WEBHOOK_SECRET));
    shown.push(format!("{config:?}"));
    let logged = log.text();
    assert!(logged.contains("Stripe request failed"), "{logged}");
    shown.push(logged);
    for text in &shown {
        assert!(!text.contains(leaky_key), "the key leaked: {text}");
        assert!(
            !text.contains(WEBHOOK_SECRET),
            "the webhook secret leaked: {text}"
        );
    }
    assert!(shown[0].contains("[redacted]"), "{}", shown[0]);

    // The key was sent, though, as a Bearer token.
    assert_eq!(
        fake.requests()[0].header("authorization"),
        Some(&*format!("Bearer {leaky_key}"))
    );
}

/// Collects what the client logs.
#[derive(Clone, Default)]
struct LogBuffer(Arc<Mutex<Vec<u8>>>);

impl LogBuffer {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

impl std::io::Write for LogBuffer {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for LogBuffer {
    type Writer = LogBuffer;

    fn make_writer(&'a self) -> LogBuffer {
        self.clone()
    }
}

#[tokio::test]
async fn webhooks_are_verified_with_the_endpoints_signing_secret() {
    let fake = FakeStripe::start().await;
    let gateway = fake.gateway();
    let now = Utc::now();
    let body = serde_json::to_vec(&marquee_payments::events::payment_succeeded_event(
        "evt_1",
        "pi_1",
        eur(2650),
        42,
        now,
    ))
    .unwrap();

    let header = signature::sign(WEBHOOK_SECRET, now.timestamp(), &body);
    let event = gateway.verify_webhook(Some(&header), &body, now).unwrap();
    assert_eq!(event.kind, EventKind::PaymentSucceeded);
    assert_eq!(event.payment_ref.as_deref(), Some("pi_1"));

    let forged = signature::sign("whsec_guess", now.timestamp(), &body);
    assert!(gateway.verify_webhook(Some(&forged), &body, now).is_err());
    assert!(gateway.verify_webhook(None, &body, now).is_err());
}

#[test]
fn configurations_that_cannot_work_are_refused() {
    let base = || StripeConfig::new(Secret::new(KEY), Secret::new(WEBHOOK_SECRET));
    assert!(StripeGateway::new(base()).is_ok(), "Stripe's own API");
    let plain_http = StripeConfig {
        api_base: "http://api.stripe.com".into(),
        ..base()
    };
    let no_key = StripeConfig {
        secret_key: Secret::new(""),
        ..base()
    };
    let no_attempts = StripeConfig {
        max_attempts: 0,
        ..base()
    };
    for config in [plain_http, no_key, no_attempts] {
        let error = StripeGateway::new(config).unwrap_err();
        assert!(!error.to_string().contains(KEY), "{error}");
    }
}

fn refund_request(payment_ref: &str, minor: i64, idempotency_key: String) -> RefundRequest {
    RefundRequest {
        payment_ref: payment_ref.into(),
        amount: eur(minor),
        booking_id: 42,
        idempotency_key,
    }
}
