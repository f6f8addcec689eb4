//! Taking holds, between the backends' rows and the domain's plan (`marquee_domain::hold_plan`):
//! what a showtime's sale terms and a batch's seats read as, and what a refusal answers. Each
//! backend runs the SQL; the domain decides.

use crate::codec::{booking_status, category, currency, instant, seat_state, unsigned};
use crate::{Committed, StoreError, StoreResult};
use marquee_domain::hold_limits::{AccountBooking, AccountShares};
use marquee_domain::hold_plan::{self, BatchPlan, HoldRefusal, LockedSeat, NewHold, SaleTerms};
use marquee_domain::*;
use std::collections::HashMap;

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
    /// Every ticket type's prices (`price_codec`); NULL for a showtime with one type.
    pub ticket_prices: Option<String>,
    /// When the cinema cancelled it, if it did.
    pub cancelled_at: Option<i64>,
}

impl SaleTermsRow {
    pub fn decode(self) -> StoreResult<SaleTerms> {
        Ok(SaleTerms {
            cancelled: self.cancelled_at.is_some(),
            window: SalesWindow {
                opens_at: instant(self.sales_open_at)?,
                starts_at: instant(self.starts_at)?,
                close_minutes: unsigned(self.sales_close_minutes, "sales close minutes")?,
            },
            prices: frozen_prices(
                &self.currency,
                self.booking_fee_minor,
                self.ticket_prices.as_deref(),
                [
                    self.price_standard,
                    self.price_premium,
                    self.price_accessible,
                    self.price_companion,
                ],
            )?,
        })
    }
}

/// A showtime's frozen prices from its price columns and its `ticket_prices` table.
pub fn frozen_prices(
    currency_code: &str,
    booking_fee_minor: i64,
    ticket_prices: Option<&str>,
    columns: [Option<i64>; 4],
) -> StoreResult<ShowtimePrices> {
    let default_prices = price_list(currency_code, columns)?;
    crate::price_codec::showtime_prices(
        default_prices.currency,
        booking_fee_minor,
        ticket_prices,
        default_prices,
    )
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

/// Prices the seats a hold took (label, category) as the ticket types asked for, in the order
/// they were asked for.
pub fn quote(
    hold: &NewHold,
    terms: &SaleTerms,
    taken: &[(String, SeatCategory)],
) -> StoreResult<Quote> {
    let ordered = hold
        .seat_types(&terms.prices)
        .filter_map(|(label, ticket_type)| {
            let (label, category) = taken.iter().find(|(l, _)| l == label)?;
            Some((label.as_str(), *category, ticket_type))
        });
    Quote::for_seats(&terms.prices, ordered).ok_or_else(|| HoldRefusal::Unpriced.into())
}

/// A seat a batch asked for, as read (and locked) in the batch's transaction.
#[derive(Debug, sqlx::FromRow)]
pub struct LockedSeatRow {
    pub showtime_id: i64,
    pub label: String,
    pub category: String,
    pub status: String,
    /// Unix milliseconds.
    pub held_until: Option<i64>,
}

impl LockedSeatRow {
    pub fn decode(self) -> StoreResult<LockedSeat> {
        Ok(LockedSeat {
            showtime_id: ShowtimeId(self.showtime_id),
            category: category(&self.category)?,
            state: seat_state(&self.status)?,
            held_until: self.held_until.map(instant).transpose()?,
            label: self.label,
        })
    }
}

/// A booking of one of a batch's accounts that counts towards its limits, as stored.
#[derive(Debug, sqlx::FromRow)]
pub struct AccountBookingRow {
    pub user_id: i64,
    pub showtime_id: i64,
    pub status: String,
    /// Unix milliseconds.
    pub expires_at: i64,
    pub seats: i64,
}

impl AccountBookingRow {
    pub fn decode(self) -> StoreResult<AccountBooking> {
        Ok(AccountBooking {
            user_id: UserId(self.user_id),
            showtime_id: ShowtimeId(self.showtime_id),
            status: booking_status(&self.status)?,
            expires_at: instant(self.expires_at)?,
            seats: unsigned(self.seats, "seats of a booking")?,
        })
    }
}

/// The bookings that count towards a batch's limits (see `AccountShares`). `users` and
/// `showtimes` are each backend's way to bind a list as one parameter (`$1` and `$2`: a
/// statement that does not change with the batch's size), `$3` the earliest end of a hold that
/// still counts, in milliseconds.
pub fn account_bookings_sql(users: &str, showtimes: &str) -> String {
    format!(
        "SELECT b.user_id, b.showtime_id, b.status, ms(b.expires_at) AS expires_at,
                (SELECT count(*) FROM booking_seats s WHERE s.booking_id = b.id) AS seats
         FROM bookings b
         WHERE b.user_id IN ({users})
           AND (b.status IN ('held', 'payment_pending')
                OR (b.showtime_id IN ({showtimes})
                    AND (b.status = 'confirmed'
                         OR (b.status = 'expired' AND b.expires_at > ts($3)))))"
    )
}

/// The accounts and showtimes of a batch whose bookings count towards its limits (see
/// `AccountShares`), each once, in order; and the earliest end of a hold that still counts.
pub fn shares_asked(holds: &[NewHold]) -> (Vec<i64>, Vec<i64>, i64) {
    let mut users: Vec<i64> = holds.iter().map(|h| h.user_id.0).collect();
    let mut showtimes: Vec<i64> = holds.iter().map(|h| h.showtime_id.0).collect();
    users.sort_unstable();
    users.dedup();
    showtimes.sort_unstable();
    showtimes.dedup();
    let since = holds
        .iter()
        .map(|h| AccountShares::expired_since(&h.limits, h.now))
        .min()
        .map_or(0, crate::codec::millis);
    (users, showtimes, since)
}

/// Decides a batch of holds (`hold_plan::plan_batch`) from the rows its transaction read.
pub fn plan_batch(
    holds: &[NewHold],
    terms: &HashMap<ShowtimeId, SaleTerms>,
    seats: Vec<LockedSeatRow>,
    stored_references: Vec<String>,
    shares: Vec<AccountBookingRow>,
) -> StoreResult<BatchPlan> {
    let seats = seats
        .into_iter()
        .map(LockedSeatRow::decode)
        .collect::<StoreResult<_>>()?;
    let shares = shares
        .into_iter()
        .map(AccountBookingRow::decode)
        .collect::<StoreResult<_>>()?;
    Ok(hold_plan::plan_batch(
        holds,
        terms,
        seats,
        stored_references,
        AccountShares::new(shares),
    ))
}

impl From<HoldRefusal> for StoreError {
    fn from(refusal: HoldRefusal) -> Self {
        match refusal {
            HoldRefusal::ReferenceTaken => StoreError::ReferenceTaken,
            HoldRefusal::NoSuchShowtime => StoreError::NotFound(Entity::Showtime),
            HoldRefusal::NotOnSale(why) => StoreError::NotOnSale(why),
            HoldRefusal::UnknownSeats(seats) => StoreError::UnknownSeats(seats),
            HoldRefusal::UnknownTicketTypes(codes) => StoreError::UnknownTicketTypes(codes),
            HoldRefusal::SeatsUnavailable(seats) => StoreError::SeatsUnavailable(seats),
            HoldRefusal::OverLimit(reached) => StoreError::OverLimit(reached),
            HoldRefusal::Unpriced => {
                StoreError::corrupt("a held seat has no price, or the total overflows")
            }
        }
    }
}

/// A batch's answers, with the seats its holds took: the batch as committed.
pub fn committed(plan: BatchPlan) -> Committed<Vec<StoreResult<Booking>>> {
    let changes = plan.held().into_iter().map(SeatChange::held).collect();
    let results = plan
        .results
        .into_iter()
        .map(|r| r.map_err(StoreError::from))
        .collect();
    Committed::new(results, changes)
}
