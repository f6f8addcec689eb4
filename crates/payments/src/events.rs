//! Webhook events in Stripe's shapes: parsing what arrives, and building what the sandbox
//! sends, so both providers' events go through one parser.
//!
//! An event is `{"id":"evt_...","type":"...","data":{"object":{...}}}`. For `payment_intent.*`
//! the object is the PaymentIntent (its `id` is the payment_ref); for `charge.refunded` it is a
//! charge whose `payment_intent` field is the payment_ref.

use chrono::{DateTime, Utc};
use marquee_domain::Money;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::cards::Decline;
use crate::{signature, WebhookError};

/// A verified webhook event, reduced to what bookings act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookEvent {
    /// The provider's event id: each is processed at most once (invariant 6).
    pub id: String,
    pub kind: EventKind,
    pub payment_ref: Option<String>,
    /// The payment's amount; for a refund, the total refunded so far.
    pub amount_minor: Option<i64>,
    /// ISO 4217 upper case (`EUR`), as `Currency::parse` takes it; Stripe sends lower case.
    pub currency: Option<String>,
    /// A live event (real money) or a test one, as the provider says.
    pub livemode: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventKind {
    PaymentSucceeded,
    /// `reason` is the issuer's decline code when given, else the provider's error code
    /// (see [`Decline::reason`]).
    PaymentFailed {
        reason: String,
    },
    Refunded,
    /// Any other event type, named as the provider names it; acknowledged and ignored.
    Other(String),
}

/// Checks a Stripe-signed webhook with `secret` and only then parses it.
pub fn verify_and_parse(
    secret: &str,
    signature_header: Option<&str>,
    body: &[u8],
    now: DateTime<Utc>,
) -> Result<WebhookEvent, WebhookError> {
    signature::verify(secret, signature_header, body, now)?;
    parse(body)
}

#[derive(Deserialize)]
struct RawEvent {
    id: String,
    #[serde(rename = "type")]
    kind: String,
    livemode: Option<bool>,
    data: RawData,
}

#[derive(Deserialize)]
struct RawData {
    object: RawObject,
}

#[derive(Deserialize)]
struct RawObject {
    id: Option<String>,
    object: Option<String>,
    amount: Option<i64>,
    /// What a succeeded PaymentIntent actually collected.
    amount_received: Option<i64>,
    amount_refunded: Option<i64>,
    currency: Option<String>,
    /// An id, or the whole PaymentIntent when the endpoint expands it.
    payment_intent: Option<Value>,
    last_payment_error: Option<RawPaymentError>,
}

#[derive(Deserialize)]
struct RawPaymentError {
    code: Option<String>,
    decline_code: Option<String>,
    message: Option<String>,
}

/// Parses an event body. Call only on a body whose signature was verified.
pub fn parse(body: &[u8]) -> Result<WebhookEvent, WebhookError> {
    let raw: RawEvent =
        serde_json::from_slice(body).map_err(|e| WebhookError::Malformed(e.to_string()))?;
    let object = raw.data.object;
    let malformed = |what: &str| WebhookError::Malformed(format!("{}: {what}", raw.kind));

    let (kind, payment_ref, amount_minor) = match raw.kind.as_str() {
        "payment_intent.succeeded" | "payment_intent.payment_failed" => {
            if object
                .object
                .as_deref()
                .is_some_and(|o| o != "payment_intent")
            {
                return Err(malformed("the object is not a payment_intent"));
            }
            let id = object.id.ok_or_else(|| malformed("no payment_intent id"))?;
            let kind = if raw.kind == "payment_intent.succeeded" {
                EventKind::PaymentSucceeded
            } else {
                let error = object.last_payment_error;
                let reason = error
                    .and_then(|e| e.decline_code.or(e.code).or(e.message))
                    .unwrap_or_else(|| "unknown".to_string());
                EventKind::PaymentFailed { reason }
            };
            let amount = match kind {
                EventKind::PaymentSucceeded => object.amount_received.or(object.amount),
                _ => object.amount,
            };
            (kind, Some(id), amount)
        }
        "charge.refunded" => {
            if object.object.as_deref().is_some_and(|o| o != "charge") {
                return Err(malformed("the object is not a charge"));
            }
            let payment_ref = match object.payment_intent {
                None | Some(Value::Null) => None,
                Some(Value::String(id)) => Some(id),
                Some(Value::Object(intent)) => match intent.get("id") {
                    Some(Value::String(id)) => Some(id.clone()),
                    _ => return Err(malformed("an expanded payment_intent without an id")),
                },
                Some(_) => return Err(malformed("payment_intent is not an id")),
            };
            (EventKind::Refunded, payment_ref, object.amount_refunded)
        }
        other => {
            let payment_ref = match object.object.as_deref() {
                Some("payment_intent") => object.id,
                _ => None,
            };
            (EventKind::Other(other.to_string()), payment_ref, None)
        }
    };

    Ok(WebhookEvent {
        id: raw.id,
        kind,
        payment_ref,
        amount_minor,
        currency: object.currency.map(|c| c.to_ascii_uppercase()),
        livemode: raw.livemode,
    })
}

/// A `payment_intent.succeeded` event, as Stripe sends it.
pub fn payment_succeeded_event(
    event_id: &str,
    payment_ref: &str,
    amount: Money,
    booking_id: i64,
    created: DateTime<Utc>,
) -> Value {
    let intent = payment_intent(payment_ref, amount, booking_id, created, "succeeded", None);
    event(event_id, "payment_intent.succeeded", intent, created)
}

/// A `payment_intent.payment_failed` event, as Stripe sends it: the intent is back to
/// `requires_payment_method` with the decline in `last_payment_error`.
pub fn payment_failed_event(
    event_id: &str,
    payment_ref: &str,
    amount: Money,
    booking_id: i64,
    decline: &Decline,
    created: DateTime<Utc>,
) -> Value {
    let intent = payment_intent(
        payment_ref,
        amount,
        booking_id,
        created,
        "requires_payment_method",
        Some(decline),
    );
    event(event_id, "payment_intent.payment_failed", intent, created)
}

/// A `charge.refunded` event, as Stripe sends it: the charge `charge_id` of `amount` made by
/// the PaymentIntent `payment_ref`, of which `refunded_minor` is refunded so far.
pub fn charge_refunded_event(
    event_id: &str,
    charge_id: &str,
    payment_ref: &str,
    amount: Money,
    refunded_minor: i64,
    booking_id: i64,
    created: DateTime<Utc>,
) -> Value {
    let charge = json!({
        "id": charge_id,
        "object": "charge",
        "amount": amount.minor,
        "amount_captured": amount.minor,
        "amount_refunded": refunded_minor,
        "currency": stripe_currency(amount),
        "created": created.timestamp(),
        "livemode": false,
        "metadata": { "booking_id": booking_id.to_string() },
        "paid": true,
        "payment_intent": payment_ref,
        "refunded": refunded_minor >= amount.minor,
        "status": "succeeded",
    });
    event(event_id, "charge.refunded", charge, created)
}

fn event(id: &str, kind: &str, object: Value, created: DateTime<Utc>) -> Value {
    json!({
        "id": id,
        "object": "event",
        "type": kind,
        "created": created.timestamp(),
        "livemode": false,
        "pending_webhooks": 1,
        "data": { "object": object },
    })
}

fn payment_intent(
    payment_ref: &str,
    amount: Money,
    booking_id: i64,
    created: DateTime<Utc>,
    status: &str,
    decline: Option<&Decline>,
) -> Value {
    let received = if status == "succeeded" {
        amount.minor
    } else {
        0
    };
    let last_payment_error = decline.map(|d| {
        json!({
            "type": "card_error",
            "code": d.code,
            "decline_code": d.decline_code,
            "message": d.message,
        })
    });
    json!({
        "id": payment_ref,
        "object": "payment_intent",
        "amount": amount.minor,
        "amount_received": received,
        "currency": stripe_currency(amount),
        "created": created.timestamp(),
        "livemode": false,
        "metadata": { "booking_id": booking_id.to_string() },
        "status": status,
        "last_payment_error": last_payment_error,
    })
}

/// Stripe names currencies in lower case.
pub(crate) fn stripe_currency(amount: Money) -> String {
    amount.currency.as_str().to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cards::{EXPIRED_CARD, INSUFFICIENT_FUNDS};
    use crate::signature::{self, SignatureError};
    use chrono::TimeZone;
    use marquee_domain::Currency;

    fn eur(minor: i64) -> Money {
        Money::new(minor, Currency::parse("EUR").unwrap())
    }

    fn created() -> DateTime<Utc> {
        Utc.timestamp_opt(1_700_000_000, 0).unwrap()
    }

    fn bytes(value: &Value) -> Vec<u8> {
        serde_json::to_vec(value).unwrap()
    }

    #[test]
    fn a_succeeded_event_has_stripes_shape_and_parses_back() {
        let event = payment_succeeded_event("evt_1", "pi_1", eur(2600), 42, created());
        assert_eq!(event["type"], "payment_intent.succeeded");
        assert_eq!(event["object"], "event");
        let intent = &event["data"]["object"];
        assert_eq!(intent["object"], "payment_intent");
        assert_eq!(intent["amount"], 2600);
        assert_eq!(intent["currency"], "eur");
        assert_eq!(intent["status"], "succeeded");
        assert_eq!(intent["metadata"]["booking_id"], "42");
        assert!(intent["last_payment_error"].is_null());

        assert_eq!(
            parse(&bytes(&event)).unwrap(),
            WebhookEvent {
                id: "evt_1".into(),
                kind: EventKind::PaymentSucceeded,
                payment_ref: Some("pi_1".into()),
                amount_minor: Some(2600),
                currency: Some("EUR".into()),
                livemode: Some(false),
            }
        );
    }

    #[test]
    fn a_failed_event_carries_the_decline_reason() {
        let event = payment_failed_event(
            "evt_2",
            "pi_1",
            eur(2600),
            42,
            &INSUFFICIENT_FUNDS,
            created(),
        );
        let error = &event["data"]["object"]["last_payment_error"];
        assert_eq!(error["code"], "card_declined");
        assert_eq!(error["decline_code"], "insufficient_funds");
        assert_eq!(event["data"]["object"]["status"], "requires_payment_method");
        let parsed = parse(&bytes(&event)).unwrap();
        assert_eq!(
            parsed.kind,
            EventKind::PaymentFailed {
                reason: "insufficient_funds".into()
            }
        );

        let expired =
            payment_failed_event("evt_3", "pi_1", eur(2600), 42, &EXPIRED_CARD, created());
        assert_eq!(
            parse(&bytes(&expired)).unwrap().kind,
            EventKind::PaymentFailed {
                reason: "expired_card".into()
            }
        );
    }

    #[test]
    fn a_refund_event_names_the_payment_intent_and_the_refunded_amount() {
        let event = charge_refunded_event("evt_4", "ch_1", "pi_1", eur(2600), 2600, 42, created());
        assert_eq!(event["data"]["object"]["object"], "charge");
        assert_eq!(event["data"]["object"]["refunded"], true);
        let parsed = parse(&bytes(&event)).unwrap();
        assert_eq!(parsed.kind, EventKind::Refunded);
        assert_eq!(parsed.payment_ref.as_deref(), Some("pi_1"));
        assert_eq!(parsed.amount_minor, Some(2600));
    }

    #[test]
    fn stripes_own_event_bodies_parse() {
        let succeeded =
            br#"{"id":"evt_3MtwBwLkdIwHu7ix0Yx1Xl2E","object":"event","api_version":"2022-11-15",
            "created":1680064028,"type":"payment_intent.succeeded","livemode":false,
            "data":{"object":{"id":"pi_3MtwBwLkdIwHu7ix28a3tqPa","object":"payment_intent",
            "amount":2000,"amount_received":2000,"currency":"usd","last_payment_error":null,
            "metadata":{},"status":"succeeded"}}}"#;
        let parsed = parse(succeeded).unwrap();
        assert_eq!(parsed.kind, EventKind::PaymentSucceeded);
        assert_eq!(
            parsed.payment_ref.as_deref(),
            Some("pi_3MtwBwLkdIwHu7ix28a3tqPa")
        );
        assert_eq!(parsed.currency.as_deref(), Some("USD"));

        let expanded = br#"{"id":"evt_2","type":"charge.refunded","data":{"object":{"id":"ch_1",
            "object":"charge","amount":2000,"amount_refunded":500,"currency":"usd",
            "payment_intent":{"id":"pi_9","object":"payment_intent"}}}}"#;
        let parsed = parse(expanded).unwrap();
        assert_eq!(parsed.payment_ref.as_deref(), Some("pi_9"));
        assert_eq!(parsed.amount_minor, Some(500));
    }

    #[test]
    fn unknown_types_are_other() {
        let body = br#"{"id":"evt_5","type":"payment_intent.created","data":{"object":{"id":"pi_1","object":"payment_intent","amount":100,"currency":"eur"}}}"#;
        let parsed = parse(body).unwrap();
        assert_eq!(
            parsed.kind,
            EventKind::Other("payment_intent.created".into())
        );
        assert_eq!(parsed.payment_ref.as_deref(), Some("pi_1"));
        let customer = br#"{"id":"evt_6","type":"customer.created","data":{"object":{"id":"cus_1","object":"customer"}}}"#;
        assert_eq!(parse(customer).unwrap().payment_ref, None);
    }

    #[test]
    fn bodies_of_the_wrong_shape_are_malformed() {
        for body in [
            &b"not json"[..],
            br#"{"id":"evt_1"}"#,
            br#"{"id":"evt_1","type":"payment_intent.succeeded","data":{"object":{"object":"payment_intent"}}}"#,
            br#"{"id":"evt_1","type":"payment_intent.succeeded","data":{"object":{"id":"ch_1","object":"charge"}}}"#,
            br#"{"id":"evt_1","type":"payment_intent.succeeded","data":{"object":{"id":"pi_1","amount":26.5}}}"#,
            br#"{"id":"evt_1","type":"charge.refunded","data":{"object":{"id":"ch_1","object":"charge","payment_intent":7}}}"#,
        ] {
            assert!(
                matches!(parse(body), Err(WebhookError::Malformed(_))),
                "{}",
                String::from_utf8_lossy(body)
            );
        }
    }

    #[test]
    fn the_signature_is_checked_before_the_body_is_read() {
        let now = created();
        let garbage = b"not json";
        assert_eq!(
            verify_and_parse("whsec_1", None, garbage, now),
            Err(WebhookError::Signature(SignatureError::Missing))
        );
        let forged = signature::sign("whsec_other", now.timestamp(), garbage);
        assert_eq!(
            verify_and_parse("whsec_1", Some(&forged), garbage, now),
            Err(WebhookError::Signature(SignatureError::Mismatch))
        );
        let signed = signature::sign("whsec_1", now.timestamp(), garbage);
        assert!(matches!(
            verify_and_parse("whsec_1", Some(&signed), garbage, now),
            Err(WebhookError::Malformed(_))
        ));
    }
}
