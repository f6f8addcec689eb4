//! Staff's second factor: time-based one-time codes (RFC 6238: SHA-1, 6 digits, 30 s steps,
//! what every authenticator app reads from an `otpauth://` URI), and single-use recovery codes
//! for a lost phone.
//!
//! A code is accepted for the step before and after the current one (clocks drift), and only
//! once: the step of the last code taken is kept with the account and advanced with a
//! conditional update (`Store::take_totp_step`), so a code seen over someone's shoulder is
//! worthless once used, on every node.

use crate::error::{AppError, AppResult};
use chrono::{DateTime, Utc};
use marquee_store::TotpSecret;
use rand::Rng;
use sha2::{Digest, Sha256};
use totp_rs::{Algorithm, Secret, TOTP};

const DIGITS: usize = 6;
const STEP_SECONDS: i64 = 30;
/// Steps either side of now whose codes still count.
const SKEW: i64 = 1;
pub const RECOVERY_CODES: usize = 10;
/// Shown in the authenticator app beside the account.
const ISSUER: &str = "Marquee";

/// A fresh random secret (160 bits, as RFC 4226 recommends), base32 as apps take it.
pub fn new_secret() -> AppResult<TotpSecret> {
    match Secret::generate_secret().to_encoded() {
        Secret::Encoded(text) => Ok(TotpSecret(text)),
        Secret::Raw(_) => Err(AppError::Internal(anyhow::anyhow!(
            "a TOTP secret did not encode"
        ))),
    }
}

fn authenticator(secret: &TotpSecret, account: &str) -> AppResult<TOTP> {
    let bytes = Secret::Encoded(secret.0.clone())
        .to_bytes()
        .map_err(|e| AppError::Internal(anyhow::anyhow!("stored TOTP secret: {e:?}")))?;
    TOTP::new(
        Algorithm::SHA1,
        DIGITS,
        SKEW as u8,
        STEP_SECONDS as u64,
        bytes,
        Some(ISSUER.to_string()),
        account.to_string(),
    )
    .map_err(|e| AppError::Internal(anyhow::anyhow!("TOTP: {e}")))
}

/// The `otpauth://` URI an authenticator app scans (or is given by hand).
pub fn otpauth_uri(secret: &TotpSecret, account: &str) -> AppResult<String> {
    Ok(authenticator(secret, account)?.get_url())
}

/// The time step a code belongs to, if it is the code of a step near `now`.
pub fn matching_step(
    secret: &TotpSecret,
    account: &str,
    code: &str,
    now: DateTime<Utc>,
) -> AppResult<Option<i64>> {
    let code = code.trim();
    if code.len() != DIGITS || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(None);
    }
    let totp = authenticator(secret, account)?;
    let current = now.timestamp().div_euclid(STEP_SECONDS);
    Ok((current - SKEW..=current + SKEW).find(|step| {
        let at = u64::try_from(step * STEP_SECONDS).unwrap_or(0);
        constant_time_eq(totp.generate(at).as_bytes(), code.as_bytes())
    }))
}

/// The code of the step that holds `at`: what an authenticator app shows then. For tests
/// and the demo's own checks.
pub fn code_at(secret: &TotpSecret, account: &str, at: DateTime<Utc>) -> AppResult<String> {
    let totp = authenticator(secret, account)?;
    Ok(totp.generate(u64::try_from(at.timestamp()).unwrap_or(0)))
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Whether what was typed has the shape of a recovery code rather than a TOTP code.
pub fn is_recovery_code(typed: &str) -> bool {
    normalise_recovery_code(typed).len() == 10
}

/// Recovery codes as shown once to their owner (`abcde-fghij`), and their hashes to keep.
/// Letters and digits that cannot be mistaken for each other.
pub fn new_recovery_codes() -> (Vec<String>, Vec<Vec<u8>>) {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut rng = rand::thread_rng();
    let codes: Vec<String> = (0..RECOVERY_CODES)
        .map(|_| {
            let raw: String = (0..10)
                .map(|_| char::from(ALPHABET[rng.gen_range(0..ALPHABET.len())]))
                .collect();
            format!("{}-{}", &raw[..5], &raw[5..])
        })
        .collect();
    let hashes = codes.iter().map(|c| recovery_code_hash(c)).collect();
    (codes, hashes)
}

/// A recovery code's hash: case, spaces and the dash do not matter.
pub fn recovery_code_hash(typed: &str) -> Vec<u8> {
    Sha256::digest(normalise_recovery_code(typed).as_bytes()).to_vec()
}

fn normalise_recovery_code(typed: &str) -> String {
    typed
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn a_code_counts_for_its_step_and_the_ones_beside_it() {
        // RFC 6238's test secret ("12345678901234567890"), base32.
        let secret = TotpSecret("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ".into());
        let at = Utc.timestamp_opt(59, 0).unwrap();
        // RFC 6238, appendix B: 94287082 at T=59 with 8 digits; 6 digits keep the last six.
        assert_eq!(code_at(&secret, "a@example.com", at).unwrap(), "287082");
        let step = |t: i64| matching_step(&secret, "a", "287082", Utc.timestamp_opt(t, 0).unwrap());
        assert_eq!(step(59).unwrap(), Some(1));
        assert_eq!(step(89).unwrap(), Some(1), "one step late still counts");
        assert_eq!(step(119).unwrap(), None, "two steps late does not");
        assert_eq!(
            matching_step(&secret, "a", "287083", at).unwrap(),
            None,
            "a wrong code"
        );
        assert_eq!(matching_step(&secret, "a", "28708", at).unwrap(), None);
    }

    #[test]
    fn recovery_codes_are_distinct_and_typed_loosely() {
        let (codes, hashes) = new_recovery_codes();
        assert_eq!(codes.len(), RECOVERY_CODES);
        let distinct: std::collections::HashSet<_> = hashes.iter().collect();
        assert_eq!(distinct.len(), RECOVERY_CODES);
        let typed = codes[0].to_uppercase().replace('-', " ");
        assert!(is_recovery_code(&typed));
        assert_eq!(recovery_code_hash(&typed), hashes[0]);
        assert!(!is_recovery_code("123456"));
    }
}
