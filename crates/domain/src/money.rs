//! Money is an integer count of a currency's minor units (cents, pence). Never a float.

use std::fmt;

/// An ISO 4217 currency code: three ASCII upper-case letters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Currency([u8; 3]);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a currency is three upper-case letters (ISO 4217), like USD or EUR; got {0:?}")]
pub struct CurrencyError(pub String);

impl Currency {
    pub fn parse(code: &str) -> Result<Self, CurrencyError> {
        match code.as_bytes() {
            [a, b, c] if [a, b, c].iter().all(|ch| ch.is_ascii_uppercase()) => {
                Ok(Currency([*a, *b, *c]))
            }
            _ => Err(CurrencyError(code.to_string())),
        }
    }

    pub fn as_str(&self) -> &str {
        // Only ever built from three ASCII letters.
        std::str::from_utf8(&self.0).unwrap_or("XXX")
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An amount in a currency's minor units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Money {
    pub minor: i64,
    pub currency: Currency,
}

impl Money {
    pub fn new(minor: i64, currency: Currency) -> Self {
        Money { minor, currency }
    }

    pub fn zero(currency: Currency) -> Self {
        Money { minor: 0, currency }
    }

    /// Adds two amounts of one currency; `None` on a currency mismatch or an overflow.
    pub fn checked_add(self, other: Money) -> Option<Money> {
        if self.currency != other.currency {
            return None;
        }
        Some(Money::new(
            self.minor.checked_add(other.minor)?,
            self.currency,
        ))
    }

    pub fn checked_mul(self, times: i64) -> Option<Money> {
        Some(Money::new(self.minor.checked_mul(times)?, self.currency))
    }
}

/// Minor units as people write the amount: `1250` is `12.50`. Every currency Marquee prices
/// in has two minor digits.
pub fn decimal(minor: i64) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    let abs = minor.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

/// An amount as a person types it (`12.50`, `12.5`, `12`) in minor units (`1250`), read as
/// integers: no sign, at most two digits after the point, `None` for anything else.
pub fn parse_decimal(text: &str) -> Option<i64> {
    let (whole, fraction) = text.trim().split_once('.').unwrap_or((text.trim(), "00"));
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole) || !digits(fraction) || fraction.len() > 2 {
        return None;
    }
    let cents: i64 = format!("{fraction:0<2}").parse().ok()?;
    whole
        .parse::<i64>()
        .ok()?
        .checked_mul(100)?
        .checked_add(cents)
}

impl fmt::Display for Money {
    /// `12.50 EUR`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", decimal(self.minor), self.currency)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn currency_accepts_only_three_upper_case_letters() {
        assert_eq!(
            Currency::parse("EUR").map(|c| c.to_string()),
            Ok("EUR".into())
        );
        for bad in ["eur", "EU", "EURO", "E1R", ""] {
            assert!(Currency::parse(bad).is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn money_refuses_to_add_different_currencies() {
        let eur = Currency::parse("EUR").unwrap();
        let usd = Currency::parse("USD").unwrap();
        assert_eq!(
            Money::new(150, eur).checked_add(Money::new(250, eur)),
            Some(Money::new(400, eur))
        );
        assert_eq!(Money::new(150, eur).checked_add(Money::new(250, usd)), None);
        assert_eq!(
            Money::new(i64::MAX, eur).checked_add(Money::new(1, eur)),
            None
        );
    }

    #[test]
    fn money_displays_minor_units_as_a_decimal() {
        let gbp = Currency::parse("GBP").unwrap();
        assert_eq!(Money::new(1250, gbp).to_string(), "12.50 GBP");
        assert_eq!(Money::new(-5, gbp).to_string(), "-0.05 GBP");
    }

    #[test]
    fn a_typed_amount_is_read_as_minor_units_or_refused() {
        for (typed, minor) in [("12.50", 1250), ("12.5", 1250), ("12", 1200), (" 0.05 ", 5)] {
            assert_eq!(parse_decimal(typed), Some(minor), "{typed}");
            assert_eq!(parse_decimal(&decimal(minor)), Some(minor));
        }
        for wrong in [
            "", "12.505", "1,50", "-1", "+1", ".5", "5.", "1e3", "12.5.0", "NaN",
        ] {
            assert_eq!(parse_decimal(wrong), None, "{wrong}");
        }
        assert_eq!(parse_decimal("92233720368547758.07"), Some(i64::MAX));
        assert_eq!(parse_decimal("92233720368547758.08"), None, "too big");
    }
}
