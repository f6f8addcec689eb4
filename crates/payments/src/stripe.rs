//! Stripe's REST API: PaymentIntents and Refunds.
//!
//! Requests are form-encoded POSTs and GETs with `Authorization: Bearer <secret key>`. Every
//! POST carries an Idempotency-Key derived from the booking (or the payment), so a retry, or a
//! second call after a crash, can never charge or refund twice. Only answers that say nothing
//! happened for sure are retried: 5xx, network errors and timeouts, with exponential backoff
//! and the same key. A 4xx is Stripe's decision and is returned at once.
//!
//! HTTP is hyper over rustls (ring, Mozilla's roots compiled in) rather than reqwest: reqwest's
//! rustls without aws-lc-rs would make every other reqwest client in the binary panic unless
//! a process-wide crypto provider was installed first.

use std::error::Error as _;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use chrono::{DateTime, Utc};
use http_body_util::{BodyExt, Full, Limited};
use hyper::header::{HeaderMap, HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE, USER_AGENT};
use hyper::{Method, Request, StatusCode, Uri};
use hyper_rustls::{HttpsConnector, HttpsConnectorBuilder};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde::de::DeserializeOwned;
use serde::Deserialize;

use crate::events::{self, stripe_currency};
use crate::{
    payment_idempotency_key, GatewayError, PaymentGateway, PaymentRequest, PaymentSession,
    PaymentStatus, RefundMade, RefundRequest, Secret, WebhookError, WebhookEvent,
};

pub const DEFAULT_API_BASE: &str = "https://api.stripe.com";

/// Stripe's answers are small objects; anything larger is not one of them.
const MAX_ANSWER_BYTES: usize = 1 << 20;

#[derive(Debug, Clone)]
pub struct StripeConfig {
    /// `sk_live_...` / `sk_test_...` (or a restricted `rk_...` key).
    pub secret_key: Secret,
    /// The webhook endpoint's signing secret, `whsec_...`.
    pub webhook_secret: Secret,
    /// `https://api.stripe.com`; plain `http://` only to a loopback address (a test's fake).
    pub api_base: String,
    /// For one attempt: connecting, sending and reading the whole answer.
    pub timeout: Duration,
    /// Attempts per call, the first included.
    pub max_attempts: u32,
    /// The wait before the second attempt; it doubles before each later one.
    pub first_backoff: Duration,
}

impl StripeConfig {
    /// Stripe's API, 10 s per attempt, 3 attempts, 200 ms then 400 ms between them.
    pub fn new(secret_key: Secret, webhook_secret: Secret) -> Self {
        StripeConfig {
            secret_key,
            webhook_secret,
            api_base: DEFAULT_API_BASE.to_string(),
            timeout: Duration::from_secs(10),
            max_attempts: 3,
            first_backoff: Duration::from_millis(200),
        }
    }
}

/// A Stripe configuration that cannot work. It never includes a key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Stripe configuration: {0}")]
pub struct ConfigError(String);

pub struct StripeGateway {
    client: Client<HttpsConnector<HttpConnector>, Full<Bytes>>,
    /// Without a trailing slash.
    api_base: String,
    /// Marked sensitive, so hyper never shows it either.
    authorization: HeaderValue,
    /// Kept to strike it out of any text that comes back from Stripe.
    secret_key: Secret,
    webhook_secret: Secret,
    timeout: Duration,
    max_attempts: u32,
    first_backoff: Duration,
}

impl fmt::Debug for StripeGateway {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StripeGateway")
            .field("api_base", &self.api_base)
            .field("timeout", &self.timeout)
            .field("max_attempts", &self.max_attempts)
            .finish_non_exhaustive()
    }
}

impl StripeGateway {
    pub fn new(config: StripeConfig) -> Result<Self, ConfigError> {
        let api_base = config.api_base.trim_end_matches('/').to_string();
        check_api_base(&api_base)?;
        if config.secret_key.expose().is_empty() {
            return Err(ConfigError("the secret key is empty".into()));
        }
        if config.webhook_secret.expose().is_empty() {
            return Err(ConfigError("the webhook signing secret is empty".into()));
        }
        if config.max_attempts == 0 {
            return Err(ConfigError("max_attempts must be at least 1".into()));
        }
        let mut authorization =
            HeaderValue::from_str(&format!("Bearer {}", config.secret_key.expose())).map_err(
                |_| ConfigError("the secret key has characters a header cannot carry".into()),
            )?;
        authorization.set_sensitive(true);

        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let connector = HttpsConnectorBuilder::new()
            .with_provider_and_webpki_roots(provider)
            .map_err(|e| ConfigError(format!("TLS: {e}")))?
            .https_or_http()
            .enable_http1()
            .build();
        let client = Client::builder(TokioExecutor::new()).build(connector);

        Ok(StripeGateway {
            client,
            api_base,
            authorization,
            secret_key: config.secret_key,
            webhook_secret: config.webhook_secret,
            timeout: config.timeout,
            max_attempts: config.max_attempts,
            first_backoff: config.first_backoff,
        })
    }

    async fn create(&self, request: &PaymentRequest) -> Result<PaymentSession, GatewayError> {
        let form = form(&[
            ("amount", &request.amount.minor.to_string()),
            ("currency", &stripe_currency(request.amount)),
            ("automatic_payment_methods[enabled]", "true"),
            ("description", &request.description),
            ("metadata[booking_id]", &request.booking_id.to_string()),
            ("metadata[reference]", &request.reference),
        ]);
        let key = payment_idempotency_key(request.booking_id);
        let call = Call::post("/v1/payment_intents".into(), form, key);
        let intent: Intent = decode(&self.send(&call).await?)?;
        if intent.amount != request.amount.minor
            || intent.currency != stripe_currency(request.amount)
        {
            return Err(GatewayError::Invalid(format!(
                "PaymentIntent {} is for {} {}, not {}",
                intent.id, intent.amount, intent.currency, request.amount
            )));
        }
        Ok(PaymentSession {
            payment_ref: intent.id,
            client_secret: intent.client_secret,
            checkout_url: None,
        })
    }

    async fn status(&self, payment_ref: &str) -> Result<PaymentStatus, GatewayError> {
        check_id(payment_ref)?;
        let call = Call::get(format!("/v1/payment_intents/{payment_ref}"));
        let intent: Intent = decode(&self.send(&call).await?)?;
        if intent.id != payment_ref {
            return Err(GatewayError::Invalid(format!(
                "asked for PaymentIntent {payment_ref}, got {}",
                intent.id
            )));
        }
        intent_status(&intent.status, intent.last_payment_error.is_some()).ok_or_else(|| {
            GatewayError::Invalid(format!("unknown PaymentIntent status {:?}", intent.status))
        })
    }

    async fn cancel(&self, payment_ref: &str) -> Result<(), GatewayError> {
        check_id(payment_ref)?;
        let call = Call::post(
            format!("/v1/payment_intents/{payment_ref}/cancel"),
            form(&[("cancellation_reason", "abandoned")]),
            format!("marquee-payment-{payment_ref}-cancel"),
        );
        match self.send(&call).await {
            Ok(body) => decode::<Intent>(&body).map(drop),
            // Canceled before (Stripe forgets idempotency keys after 24 hours): done already.
            Err(GatewayError::Refused { code, message })
                if code == "payment_intent_unexpected_state" =>
            {
                match self.status(payment_ref).await? {
                    PaymentStatus::Canceled => Ok(()),
                    _ => Err(GatewayError::Refused { code, message }),
                }
            }
            Err(e) => Err(e),
        }
    }

    async fn refund_payment(&self, request: &RefundRequest) -> Result<RefundMade, GatewayError> {
        check_id(&request.payment_ref)?;
        let form = form(&[
            ("payment_intent", &request.payment_ref),
            ("amount", &request.amount.minor.to_string()),
            ("metadata[booking_id]", &request.booking_id.to_string()),
        ]);
        let call = Call::post("/v1/refunds".into(), form, request.idempotency_key.clone());
        let refund: Refund = decode(&self.send(&call).await?)?;
        match refund.status.as_deref() {
            Some("failed" | "canceled") => Err(GatewayError::Refused {
                code: "refund_failed".into(),
                message: format!(
                    "the refund {} {}",
                    refund.id,
                    refund.status.as_deref().unwrap_or_default()
                ),
            }),
            status => Ok(RefundMade {
                id: refund.id,
                succeeded: status == Some("succeeded"),
            }),
        }
    }

    /// One call, with retries. Answers the body of a 2xx.
    async fn send(&self, call: &Call) -> Result<Bytes, GatewayError> {
        let mut last_failure = String::new();
        for attempt in 1..=self.max_attempts {
            if attempt > 1 {
                let doublings = (attempt - 2).min(16);
                tokio::time::sleep(self.first_backoff.saturating_mul(1 << doublings)).await;
            }
            let request = self.request(call)?;
            last_failure = match tokio::time::timeout(self.timeout, self.exchange(request)).await {
                Err(_) => format!("no answer within {} ms", self.timeout.as_millis()),
                Ok(Err(network)) => network,
                Ok(Ok((status, _, body))) if status.is_success() => return Ok(body),
                Ok(Ok((status, headers, body))) if status.is_server_error() => {
                    let failure = format!("{status}: {}", error_message(&body));
                    // Stripe's own word that a retry cannot help.
                    if headers
                        .get("stripe-should-retry")
                        .is_some_and(|v| v == "false")
                    {
                        return Err(GatewayError::Unavailable(failure));
                    }
                    failure
                }
                Ok(Ok((status, _, body))) if status.is_client_error() => {
                    return Err(client_error(status, &body))
                }
                Ok(Ok((status, _, _))) => {
                    return Err(GatewayError::Invalid(format!("HTTP status {status}")))
                }
            };
            // Stripe's text goes into the log line: strike the key out first.
            last_failure = self.scrub(last_failure);
            tracing::warn!(
                method = %call.method,
                path = %call.path,
                attempt,
                failure = %last_failure,
                "Stripe request failed"
            );
        }
        Err(GatewayError::Unavailable(format!(
            "{last_failure} (after {} attempts)",
            self.max_attempts
        )))
    }

    fn request(&self, call: &Call) -> Result<Request<Full<Bytes>>, GatewayError> {
        let uri: Uri = format!("{}{}", self.api_base, call.path)
            .parse()
            .map_err(|_| GatewayError::Invalid(format!("not a URL path: {}", call.path)))?;
        let mut request = Request::builder()
            .method(call.method.clone())
            .uri(uri)
            .header(AUTHORIZATION, self.authorization.clone())
            .header(ACCEPT, "application/json")
            .header(USER_AGENT, concat!("marquee/", env!("CARGO_PKG_VERSION")));
        if let Some(key) = &call.idempotency_key {
            request = request.header("Idempotency-Key", key);
        }
        if call.form.is_some() {
            request = request.header(CONTENT_TYPE, "application/x-www-form-urlencoded");
        }
        let body = Full::new(call.form.clone().unwrap_or_default());
        request
            .body(body)
            .map_err(|e| GatewayError::Invalid(format!("building the request: {e}")))
    }

    /// Sends one request and reads the whole answer; `Err` is a network failure.
    async fn exchange(
        &self,
        request: Request<Full<Bytes>>,
    ) -> Result<(StatusCode, HeaderMap, Bytes), String> {
        let response = self
            .client
            .request(request)
            .await
            .map_err(|e| with_causes(&e))?;
        let (parts, body) = response.into_parts();
        let body = Limited::new(body, MAX_ANSWER_BYTES)
            .collect()
            .await
            .map_err(|e| format!("reading the answer: {e}"))?
            .to_bytes();
        Ok((parts.status, parts.headers, body))
    }

    /// Strikes the secret key out of text that came from outside.
    fn scrub(&self, text: String) -> String {
        text.replace(self.secret_key.expose(), "[redacted]")
    }

    /// Strikes the secret key out of an error whose text came from outside.
    fn redact(&self, error: GatewayError) -> GatewayError {
        let clean = |text: String| self.scrub(text);
        match error {
            GatewayError::Declined { code, message } => GatewayError::Declined {
                code: clean(code),
                message: clean(message),
            },
            GatewayError::Refused { code, message } => GatewayError::Refused {
                code: clean(code),
                message: clean(message),
            },
            GatewayError::Unavailable(message) => GatewayError::Unavailable(clean(message)),
            GatewayError::Invalid(message) => GatewayError::Invalid(clean(message)),
        }
    }
}

#[async_trait]
impl PaymentGateway for StripeGateway {
    fn provider(&self) -> &'static str {
        "stripe"
    }

    async fn create_payment(
        &self,
        request: &PaymentRequest,
    ) -> Result<PaymentSession, GatewayError> {
        self.create(request).await.map_err(|e| self.redact(e))
    }

    async fn payment_status(&self, payment_ref: &str) -> Result<PaymentStatus, GatewayError> {
        self.status(payment_ref).await.map_err(|e| self.redact(e))
    }

    async fn cancel_payment(&self, payment_ref: &str) -> Result<(), GatewayError> {
        self.cancel(payment_ref).await.map_err(|e| self.redact(e))
    }

    async fn refund(&self, request: &RefundRequest) -> Result<RefundMade, GatewayError> {
        self.refund_payment(request)
            .await
            .map_err(|e| self.redact(e))
    }

    fn verify_webhook(
        &self,
        signature_header: Option<&str>,
        body: &[u8],
        now: DateTime<Utc>,
    ) -> Result<WebhookEvent, WebhookError> {
        events::verify_and_parse(self.webhook_secret.expose(), signature_header, body, now)
    }
}

/// A request to make, kept whole so each retry sends the same bytes and the same key.
struct Call {
    method: Method,
    path: String,
    form: Option<Bytes>,
    idempotency_key: Option<String>,
}

impl Call {
    fn get(path: String) -> Self {
        Call {
            method: Method::GET,
            path,
            form: None,
            idempotency_key: None,
        }
    }

    fn post(path: String, form: String, idempotency_key: String) -> Self {
        Call {
            method: Method::POST,
            path,
            form: Some(Bytes::from(form)),
            idempotency_key: Some(idempotency_key),
        }
    }
}

/// The fields of a PaymentIntent we read.
#[derive(Deserialize)]
struct Intent {
    id: String,
    amount: i64,
    currency: String,
    status: String,
    client_secret: Option<String>,
    /// Set when the last attempt to pay failed; `null` otherwise.
    last_payment_error: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct Refund {
    id: String,
    /// `pending`, `requires_action`, `succeeded`, `failed` or `canceled`.
    status: Option<String>,
}

/// Stripe's error body: `{"error": {"type", "code", "decline_code", "message", ...}}`.
#[derive(Deserialize)]
struct ErrorBody {
    error: StripeError,
}

#[derive(Deserialize)]
struct StripeError {
    #[serde(rename = "type")]
    kind: Option<String>,
    code: Option<String>,
    decline_code: Option<String>,
    message: Option<String>,
}

/// A PaymentIntent's status as a `PaymentStatus`; `None` for a status Stripe did not document.
fn intent_status(status: &str, failed_attempt: bool) -> Option<PaymentStatus> {
    Some(match status {
        "succeeded" => PaymentStatus::Succeeded,
        "canceled" => PaymentStatus::Canceled,
        // Where every intent starts, and where it returns after a failed attempt.
        "requires_payment_method" if failed_attempt => PaymentStatus::Failed,
        "requires_payment_method"
        | "requires_confirmation"
        | "requires_action"
        | "processing"
        | "requires_capture" => PaymentStatus::Pending,
        _ => return None,
    })
}

/// The error for a 4xx answer.
fn client_error(status: StatusCode, body: &[u8]) -> GatewayError {
    let error = serde_json::from_slice::<ErrorBody>(body)
        .ok()
        .map(|b| b.error);
    let message = error
        .as_ref()
        .and_then(|e| e.message.clone())
        .unwrap_or_else(|| status.to_string());
    if status == StatusCode::TOO_MANY_REQUESTS {
        return GatewayError::Unavailable(format!("rate limited: {message}"));
    }
    let Some(error) = error else {
        return GatewayError::Refused {
            code: format!("http_{}", status.as_u16()),
            message,
        };
    };
    if status == StatusCode::PAYMENT_REQUIRED || error.kind.as_deref() == Some("card_error") {
        let code = error.decline_code.or(error.code);
        return GatewayError::Declined {
            code: code.unwrap_or_else(|| "card_declined".into()),
            message,
        };
    }
    GatewayError::Refused {
        code: error
            .code
            .or(error.kind)
            .unwrap_or_else(|| format!("http_{}", status.as_u16())),
        message,
    }
}

/// Stripe's message in an error body, for logs and `Unavailable`.
fn error_message(body: &[u8]) -> String {
    serde_json::from_slice::<ErrorBody>(body)
        .ok()
        .and_then(|b| b.error.message)
        .unwrap_or_else(|| "no error message".into())
}

fn decode<T: DeserializeOwned>(body: &[u8]) -> Result<T, GatewayError> {
    serde_json::from_slice(body).map_err(|e| GatewayError::Invalid(e.to_string()))
}

fn form(pairs: &[(&str, &str)]) -> String {
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

/// A Stripe id goes into a URL path, so it must be the letters, digits and `_` Stripe uses.
fn check_id(id: &str) -> Result<(), GatewayError> {
    let well_formed = !id.is_empty()
        && id.len() <= 255
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if well_formed {
        Ok(())
    } else {
        Err(GatewayError::Refused {
            code: "invalid_payment_ref".into(),
            message: format!("{id:?} is not a Stripe id"),
        })
    }
}

/// HTTPS, or plain HTTP to this machine only: the key must never cross a network in clear.
fn check_api_base(api_base: &str) -> Result<(), ConfigError> {
    let bad = |why: &str| ConfigError(format!("api_base {api_base:?}: {why}"));
    let uri: Uri = api_base.parse().map_err(|_| bad("not a URL"))?;
    let host = uri.host().ok_or_else(|| bad("no host"))?;
    if !matches!(uri.path(), "" | "/") || uri.query().is_some() {
        return Err(bad("only scheme, host and port"));
    }
    match uri.scheme_str() {
        Some("https") => Ok(()),
        Some("http") if matches!(host, "localhost" | "127.0.0.1" | "[::1]") => Ok(()),
        Some("http") => Err(bad("plain http only to a loopback address")),
        _ => Err(bad("not an http(s) URL")),
    }
}

/// An error and its causes, which say what actually went wrong (refused, reset, DNS).
fn with_causes(error: &hyper_util::client::legacy::Error) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(inner) = cause {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        cause = inner.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payment_intent_statuses_map_as_stripe_documents_them() {
        use PaymentStatus::*;
        let cases = [
            ("requires_payment_method", false, Some(Pending)),
            ("requires_payment_method", true, Some(Failed)),
            ("requires_confirmation", false, Some(Pending)),
            ("requires_action", false, Some(Pending)),
            ("processing", false, Some(Pending)),
            ("requires_capture", false, Some(Pending)),
            ("canceled", false, Some(Canceled)),
            ("canceled", true, Some(Canceled)),
            ("succeeded", false, Some(Succeeded)),
            ("something_new", false, None),
        ];
        for (status, failed, expected) in cases {
            assert_eq!(intent_status(status, failed), expected, "{status} {failed}");
        }
    }

    #[test]
    fn four_xx_answers_become_declines_or_refusals() {
        let declined = br#"{"error":{"type":"card_error","code":"card_declined","decline_code":"insufficient_funds","message":"Your card has insufficient funds."}}"#;
        assert_eq!(
            client_error(StatusCode::PAYMENT_REQUIRED, declined),
            GatewayError::Declined {
                code: "insufficient_funds".into(),
                message: "Your card has insufficient funds.".into()
            }
        );
        let invalid = br#"{"error":{"type":"invalid_request_error","code":"parameter_missing","message":"Missing required param: amount."}}"#;
        assert_eq!(
            client_error(StatusCode::BAD_REQUEST, invalid),
            GatewayError::Refused {
                code: "parameter_missing".into(),
                message: "Missing required param: amount.".into()
            }
        );
        assert_eq!(
            client_error(StatusCode::NOT_FOUND, b"<html>"),
            GatewayError::Refused {
                code: "http_404".into(),
                message: "404 Not Found".into()
            }
        );
        assert!(matches!(
            client_error(StatusCode::TOO_MANY_REQUESTS, b"{}"),
            GatewayError::Unavailable(_)
        ));
    }

    #[test]
    fn the_api_base_is_https_or_loopback() {
        for good in [
            "https://api.stripe.com",
            "https://api.stripe.com/",
            "http://127.0.0.1:4242",
            "http://localhost:4242",
            "http://[::1]:4242",
        ] {
            assert_eq!(check_api_base(good.trim_end_matches('/')), Ok(()), "{good}");
        }
        for bad in [
            "http://api.stripe.com",
            "http://10.0.0.1",
            "ftp://api.stripe.com",
            "api.stripe.com",
            "https://api.stripe.com/v1",
            "https://api.stripe.com?x=1",
        ] {
            assert!(check_api_base(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn ids_are_checked_before_they_go_into_a_path() {
        assert_eq!(check_id("pi_3MtwBwLkdIwHu7ix28a3tqPa"), Ok(()));
        for bad in ["", "pi_1/../../v1/refunds", "pi_1?expand=x", "pi 1"] {
            assert!(check_id(bad).is_err(), "{bad}");
        }
    }
}
