//! The parts of taking a hold that do not depend on the backend: reading a showtime's sale
//! terms, pricing the seats a hold took, explaining a refusal, and the booking it answers.
//! Each backend runs the SQL; this module decides what the rows mean.

use crate::codec::{category, currency, instant, unknown_labels, unsigned};
use crate::{NewHold, StoreError, StoreResult};
use marquee_domain::*;
use std::collections::HashSet;

/// What a showtime sells at, and when.
pub struct SaleTerms {
    pub window: SalesWindow,
    pub prices: PriceList,
    pub booking_fee_minor: i64,
}

/// A showtime's sale terms as stored (times in Unix milliseconds).
#[derive(Debug, sqlx::FromRow)]
pub struct SaleTermsRow {
    pub starts_at: i64,
    pub sales_open_at: i64,
    pub sales_close_minutes: i64,
    pub currency: String,
    pub price_standard: Option<i64>,
    pub price_premium: Option<i64>,
    pub price_accessible: Option<i64>,
    pub price_companion: Option<i64>,
    pub booking_fee_minor: i64,
}

impl SaleTermsRow {
    pub fn decode(self) -> StoreResult<SaleTerms> {
        Ok(SaleTerms {
            window: SalesWindow {
                opens_at: instant(self.sales_open_at)?,
                starts_at: instant(self.starts_at)?,
                close_minutes: unsigned(self.sales_close_minutes, "sales close minutes")?,
            },
            prices: price_list(
                &self.currency,
                [
                    self.price_standard,
                    self.price_premium,
                    self.price_accessible,
                    self.price_companion,
                ],
            )?,
            booking_fee_minor: self.booking_fee_minor,
        })
    }
}

/// A price list from the price columns, in `SeatCategory::ALL` order; a NULL column means the
/// category has no price.
pub fn price_list(currency_code: &str, columns: [Option<i64>; 4]) -> StoreResult<PriceList> {
    let prices = SeatCategory::ALL
        .into_iter()
        .zip(columns)
        .filter_map(|(category, price)| Some((category, price?)))
        .collect();
    Ok(PriceList {
        currency: currency(currency_code)?,
        prices,
    })
}

/// The price columns of a price list, in `SeatCategory::ALL` order.
pub fn price_columns(prices: &PriceList) -> [Option<i64>; 4] {
    SeatCategory::ALL.map(|category| prices.price_of(category).map(|m| m.minor))
}

/// Prices the seats a hold took (label, stored category), in the order they were asked for.
pub fn quote(hold: &NewHold, terms: &SaleTerms, taken: &[(String, String)]) -> StoreResult<Quote> {
    let categories = taken
        .iter()
        .map(|(label, stored)| Ok((label.as_str(), category(stored)?)))
        .collect::<StoreResult<Vec<_>>>()?;
    let ordered = hold
        .seats
        .iter()
        .filter_map(|label| categories.iter().find(|(l, _)| l == label).copied());
    Quote::for_seats(&terms.prices, terms.booking_fee_minor, ordered)
        .ok_or_else(|| StoreError::corrupt("a held seat has no price, or the total overflows"))
}

/// Why a hold did not get all its seats: some do not exist (`known` are the labels the
/// showtime has among those asked for), or else some are taken.
pub fn refusal(hold: &NewHold, known: &[String], taken: &[(String, String)]) -> StoreError {
    let unknown = unknown_labels(&hold.seats, known);
    if !unknown.is_empty() {
        return StoreError::UnknownSeats(unknown);
    }
    let got: Vec<String> = taken.iter().map(|(label, _)| label.clone()).collect();
    StoreError::SeatsUnavailable(unknown_labels(&hold.seats, &got))
}

/// The booking a successful hold answers, as written.
pub fn held_booking(hold: &NewHold, quote: Quote) -> Booking {
    Booking {
        id: hold.id,
        reference: hold.reference.clone(),
        user_id: hold.user_id,
        showtime_id: hold.showtime_id,
        stored_status: BookingStatus::Held,
        expires_at: hold.expires_at,
        created_at: hold.now,
        quote,
        transitions: vec![Transition {
            from: None,
            to: BookingStatus::Held,
            at: hold.now,
        }],
    }
}

/// The booking references a batch of holds may not use: those stored already, and those an
/// earlier hold of the same batch took.
pub struct References(HashSet<String>);

impl References {
    pub fn new(stored: Vec<String>) -> References {
        References(stored.into_iter().collect())
    }

    /// Takes `reference` for a hold of the batch; false when it is taken.
    pub fn claim(&mut self, reference: &BookingReference) -> bool {
        self.0.insert(reference.as_str().to_string())
    }
}
