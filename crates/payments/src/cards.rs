//! The sandbox's cards: Stripe's published test card numbers, with the outcomes Stripe gives
//! them. Any other number is refused, so the sandbox can never be mistaken for a processor
//! and a real card number typed into it goes nowhere.

/// A declined payment, as Stripe reports it in an error or a PaymentIntent's
/// `last_payment_error`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decline {
    /// Stripe's error code: `card_declined`, `expired_card`, `incorrect_cvc`.
    pub code: &'static str,
    /// The issuer's reason, for `card_declined` only: `generic_decline`, `insufficient_funds`.
    pub decline_code: Option<&'static str>,
    /// Stripe's message for the customer.
    pub message: &'static str,
}

impl Decline {
    /// The most specific reason: the issuer's when given, else Stripe's code. Webhook events
    /// report a failed payment's reason the same way.
    pub fn reason(&self) -> &'static str {
        self.decline_code.unwrap_or(self.code)
    }
}

/// What paying with a card number in the sandbox does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CardOutcome {
    Succeeds,
    Declined(Decline),
    /// Not one of Stripe's test cards.
    NotATestCard,
}

pub const GENERIC_DECLINE: Decline = Decline {
    code: "card_declined",
    decline_code: Some("generic_decline"),
    message: "Your card was declined.",
};

pub const INSUFFICIENT_FUNDS: Decline = Decline {
    code: "card_declined",
    decline_code: Some("insufficient_funds"),
    message: "Your card has insufficient funds.",
};

pub const EXPIRED_CARD: Decline = Decline {
    code: "expired_card",
    decline_code: None,
    message: "Your card has expired.",
};

pub const INCORRECT_CVC: Decline = Decline {
    code: "incorrect_cvc",
    decline_code: None,
    message: "Your card's security code is incorrect.",
};

/// The outcome of paying with `card_number`, which may be typed with spaces (`4242 4242 ...`).
pub fn outcome(card_number: &str) -> CardOutcome {
    let digits: String = card_number
        .chars()
        .filter(|c| !c.is_ascii_whitespace())
        .collect();
    match digits.as_str() {
        "4242424242424242" => CardOutcome::Succeeds,
        "4000000000000002" => CardOutcome::Declined(GENERIC_DECLINE),
        "4000000000009995" => CardOutcome::Declined(INSUFFICIENT_FUNDS),
        "4000000000000069" => CardOutcome::Declined(EXPIRED_CARD),
        "4000000000000127" => CardOutcome::Declined(INCORRECT_CVC),
        _ => CardOutcome::NotATestCard,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stripes_test_cards_have_stripes_outcomes() {
        assert_eq!(outcome("4242424242424242"), CardOutcome::Succeeds);
        assert_eq!(
            outcome("4000000000000002"),
            CardOutcome::Declined(GENERIC_DECLINE)
        );
        assert_eq!(
            outcome("4000000000009995"),
            CardOutcome::Declined(INSUFFICIENT_FUNDS)
        );
        assert_eq!(
            outcome("4000000000000069"),
            CardOutcome::Declined(EXPIRED_CARD)
        );
        assert_eq!(
            outcome("4000000000000127"),
            CardOutcome::Declined(INCORRECT_CVC)
        );
    }

    #[test]
    fn numbers_may_be_typed_with_spaces() {
        assert_eq!(outcome("4242 4242 4242 4242"), CardOutcome::Succeeds);
        assert_eq!(
            outcome(" 4000 0000 0000 9995 "),
            outcome("4000000000009995")
        );
    }

    #[test]
    fn any_other_number_is_refused() {
        for number in [
            "",
            "4242",
            "4242424242424241", // Stripe's "incorrect number" card: not accepted here
            "4111111111111111", // a well-formed Visa number that is no Stripe test card
            "5555555555554444", // Stripe's Mastercard test card: only the listed ones pass
            "42424242424242424", // one digit too many
            "4242-4242-4242-4242",
            "4242424242424242x",
        ] {
            assert_eq!(outcome(number), CardOutcome::NotATestCard, "{number:?}");
        }
    }

    #[test]
    fn the_reason_is_the_issuers_when_given() {
        assert_eq!(GENERIC_DECLINE.reason(), "generic_decline");
        assert_eq!(INSUFFICIENT_FUNDS.reason(), "insufficient_funds");
        assert_eq!(EXPIRED_CARD.reason(), "expired_card");
        assert_eq!(INCORRECT_CVC.reason(), "incorrect_cvc");
    }
}
