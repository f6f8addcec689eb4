//! Stripe's webhook signatures, exactly as Stripe makes them, so the sandbox's webhooks and
//! Stripe's go through one check.
//!
//! The header is `Stripe-Signature: t=<unix seconds>,v1=<hex>[,v1=<hex>...]`, where each `v1` is
//! HMAC-SHA256 of `"{t}.{body}"` keyed with the endpoint's signing secret (the whole `whsec_...`
//! string). Several `v1` values appear while a secret is being rolled; other schemes (`v0`) are
//! ignored. The timestamp is signed too, so an old webhook cannot be replayed later.

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// How far a signature's time may be from ours, either way: Stripe's default tolerance.
pub const TOLERANCE_SECONDS: i64 = 300;

type HmacSha256 = Hmac<Sha256>;

/// Why a signature was rejected. None of them says which part of a signature was wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("no Stripe-Signature header")]
    Missing,
    #[error("the Stripe-Signature header is not t=...,v1=...")]
    Malformed,
    #[error("no v1 signature matches the body")]
    Mismatch,
    #[error("the signature is more than 5 minutes old")]
    Stale,
    #[error("the signature is more than 5 minutes in the future")]
    Future,
}

/// The `Stripe-Signature` header value for `body` signed at `timestamp` (Unix seconds).
pub fn sign(secret: &str, timestamp: i64, body: &[u8]) -> String {
    let digest = keyed(secret, timestamp, body).finalize().into_bytes();
    format!("t={timestamp},v1={}", hex::encode(digest))
}

/// Accepts `body` if any `v1` signature in `header` is the secret's HMAC of it, made within
/// [`TOLERANCE_SECONDS`] of `now`. Comparisons are constant-time.
pub fn verify(
    secret: &str,
    header: Option<&str>,
    body: &[u8],
    now: DateTime<Utc>,
) -> Result<(), SignatureError> {
    let header = header.ok_or(SignatureError::Missing)?;
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for item in header.split(',') {
        let (key, value) = item.split_once('=').ok_or(SignatureError::Malformed)?;
        match key.trim() {
            "t" if timestamp.is_none() => {
                let t = value.trim().parse::<i64>();
                timestamp = Some(t.map_err(|_| SignatureError::Malformed)?);
            }
            "t" => return Err(SignatureError::Malformed),
            "v1" => signatures.push(value.trim()),
            _ => {}
        }
    }
    let timestamp = timestamp.ok_or(SignatureError::Malformed)?;
    if signatures.is_empty() {
        return Err(SignatureError::Malformed);
    }

    let age = now.timestamp().saturating_sub(timestamp);
    if age > TOLERANCE_SECONDS {
        return Err(SignatureError::Stale);
    }
    if age < -TOLERANCE_SECONDS {
        return Err(SignatureError::Future);
    }

    let mac = keyed(secret, timestamp, body);
    let matches = signatures.iter().any(|candidate| {
        // A value that is not hex cannot match; the others are still tried.
        hex::decode(candidate).is_ok_and(|bytes| mac.clone().verify_slice(&bytes).is_ok())
    });
    if matches {
        Ok(())
    } else {
        Err(SignatureError::Mismatch)
    }
}

/// The HMAC of `"{timestamp}.{body}"`, before finalisation.
fn keyed(secret: &str, timestamp: i64, body: &[u8]) -> HmacSha256 {
    // HMAC accepts a key of any length, so this never fails.
    let mut mac = match HmacSha256::new_from_slice(secret.as_bytes()) {
        Ok(mac) => mac,
        Err(hmac::digest::InvalidLength) => unreachable!("HMAC takes keys of any length"),
    };
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    const SECRET: &str = "whsec_test_secret";
    const BODY: &[u8] = br#"{"id":"evt_1","type":"payment_intent.succeeded"}"#;

    fn at(seconds: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(seconds, 0).unwrap()
    }

    #[test]
    fn a_signature_made_with_the_secret_verifies() {
        let header = sign(SECRET, 1_700_000_000, BODY);
        assert!(header.starts_with("t=1700000000,v1="));
        assert_eq!(
            verify(SECRET, Some(&header), BODY, at(1_700_000_010)),
            Ok(())
        );
    }

    #[test]
    fn matches_stripes_published_construction() {
        // HMAC-SHA256("whsec_test_secret", "1700000000.{}"), computed independently with
        // `printf '1700000000.{}' | openssl dgst -sha256 -hmac whsec_test_secret`.
        let header = sign(SECRET, 1_700_000_000, b"{}");
        assert_eq!(
            header,
            "t=1700000000,v1=ceb8863f7208fa249a6cd8f951e993c7563412aca65866f6272283debe143ab3"
        );
    }

    #[test]
    fn a_tampered_body_is_rejected() {
        let header = sign(SECRET, 1_700_000_000, BODY);
        let tampered = br#"{"id":"evt_1","type":"payment_intent.succeedeD"}"#;
        assert_eq!(
            verify(SECRET, Some(&header), tampered, at(1_700_000_000)),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn a_signature_made_with_another_secret_is_rejected() {
        let header = sign("whsec_someone_else", 1_700_000_000, BODY);
        assert_eq!(
            verify(SECRET, Some(&header), BODY, at(1_700_000_000)),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn a_changed_timestamp_breaks_the_signature() {
        let header = sign(SECRET, 1_700_000_000, BODY).replace("t=1700000000", "t=1700000001");
        assert_eq!(
            verify(SECRET, Some(&header), BODY, at(1_700_000_000)),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn signatures_older_than_five_minutes_are_stale() {
        let header = sign(SECRET, 1_700_000_000, BODY);
        assert_eq!(
            verify(SECRET, Some(&header), BODY, at(1_700_000_300)),
            Ok(())
        );
        assert_eq!(
            verify(SECRET, Some(&header), BODY, at(1_700_000_301)),
            Err(SignatureError::Stale)
        );
    }

    #[test]
    fn signatures_more_than_five_minutes_ahead_are_rejected() {
        let header = sign(SECRET, 1_700_000_000, BODY);
        assert_eq!(
            verify(SECRET, Some(&header), BODY, at(1_699_999_700)),
            Ok(())
        );
        assert_eq!(
            verify(SECRET, Some(&header), BODY, at(1_699_999_699)),
            Err(SignatureError::Future)
        );
    }

    #[test]
    fn a_missing_header_is_rejected() {
        assert_eq!(
            verify(SECRET, None, BODY, at(1_700_000_000)),
            Err(SignatureError::Missing)
        );
    }

    #[test]
    fn malformed_headers_are_rejected() {
        let good = sign(SECRET, 1_700_000_000, BODY);
        let v1 = good.split_once(",v1=").unwrap().1;
        for header in [
            String::new(),
            "garbage".to_string(),
            format!("v1={v1}"),
            "t=1700000000".to_string(),
            format!("t=soon,v1={v1}"),
            format!("t=1700000000,t=1700000000,v1={v1}"),
            format!("t=1700000000;v1={v1}"),
        ] {
            assert_eq!(
                verify(SECRET, Some(&header), BODY, at(1_700_000_000)),
                Err(SignatureError::Malformed),
                "{header:?}"
            );
        }
    }

    #[test]
    fn any_matching_v1_among_several_is_enough_and_other_schemes_are_ignored() {
        let good = sign(SECRET, 1_700_000_000, BODY);
        let v1 = good.split_once(",v1=").unwrap().1;
        let old_secret = sign("whsec_rolled", 1_700_000_000, BODY);
        let old_v1 = old_secret.split_once(",v1=").unwrap().1;
        let header = format!("t=1700000000,v1={old_v1},v1=nothex,v0={v1},v1={v1}");
        assert_eq!(
            verify(SECRET, Some(&header), BODY, at(1_700_000_000)),
            Ok(())
        );
        // The right digest under another scheme does not count.
        let only_v0 = format!("t=1700000000,v0={v1},v1={old_v1}");
        assert_eq!(
            verify(SECRET, Some(&only_v0), BODY, at(1_700_000_000)),
            Err(SignatureError::Mismatch)
        );
    }
}
