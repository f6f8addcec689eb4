//! The parts of taking a hold that do not depend on the backend: reading a showtime's sale
//! terms, pricing the seats a hold took, explaining a refusal, and the booking it answers.
//! Each backend runs the SQL; this module decides what the rows mean.

use crate::codec::{category, currency, instant, unknown_labels, unsigned};
use crate::{NewHold, StoreError, StoreResult};
use chrono::{DateTime, Utc};
use marquee_domain::*;
use std::collections::{HashMap, HashSet};

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
        tickets: vec![],
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

/// A seat a batch takes for one of its holds.
pub struct Taking {
    pub showtime_id: ShowtimeId,
    pub label: String,
    pub booking_id: BookingId,
    pub held_until: DateTime<Utc>,
    /// The hold's `now`: a seat held until then is free to take.
    pub now: DateTime<Utc>,
}

/// What a batch of holds decided, before it is written.
pub struct BatchPlan {
    /// One answer per hold, in order.
    pub results: Vec<StoreResult<Booking>>,
    /// Every seat the successful holds take.
    pub takings: Vec<Taking>,
}

impl BatchPlan {
    pub fn held(&self) -> Vec<&Booking> {
        self.results
            .iter()
            .filter_map(|r| r.as_ref().ok())
            .collect()
    }
}

struct SeatNow {
    category: String,
    status: SeatState,
    held_until: Option<DateTime<Utc>>,
}

impl SeatNow {
    /// The availability predicate, as the stores' conditional updates say it in SQL.
    fn free_at(&self, now: DateTime<Utc>) -> bool {
        match self.status {
            SeatState::Available => true,
            SeatState::Held => self.held_until.is_some_and(|until| until <= now),
            SeatState::Sold | SeatState::Blocked => false,
        }
    }
}

/// Decides a batch of holds, in order, from the seats they ask for as the batch's transaction
/// read and locked them: nobody else can change those rows before it commits, so what is
/// decided here is what gets written (and the write's own condition checks it once more).
/// `terms` has the sale terms of every showtime that exists among those asked for;
/// `stored_references` the batch's references that bookings already have.
pub fn plan_batch(
    holds: &[NewHold],
    terms: &HashMap<ShowtimeId, SaleTerms>,
    seats: Vec<LockedSeatRow>,
    stored_references: Vec<String>,
) -> StoreResult<BatchPlan> {
    let mut seats_now = HashMap::with_capacity(seats.len());
    for row in seats {
        let seat = SeatNow {
            status: crate::codec::seat_state(&row.status)?,
            held_until: row.held_until.map(instant).transpose()?,
            category: row.category,
        };
        seats_now.insert((ShowtimeId(row.showtime_id), row.label), seat);
    }
    let mut references = References::new(stored_references);
    let mut plan = BatchPlan {
        results: Vec::with_capacity(holds.len()),
        takings: Vec::new(),
    };
    for hold in holds {
        let answer = decide(hold, terms, &mut seats_now, &mut references);
        if let Ok(booking) = &answer {
            plan.takings
                .extend(booking.quote.lines.iter().map(|line| Taking {
                    showtime_id: hold.showtime_id,
                    label: line.label.clone(),
                    booking_id: hold.id,
                    held_until: hold.expires_at,
                    now: hold.now,
                }));
        }
        plan.results.push(answer);
    }
    Ok(plan)
}

fn decide(
    hold: &NewHold,
    terms: &HashMap<ShowtimeId, SaleTerms>,
    seats: &mut HashMap<(ShowtimeId, String), SeatNow>,
    references: &mut References,
) -> StoreResult<Booking> {
    if !references.claim(&hold.reference) {
        return Err(StoreError::ReferenceTaken);
    }
    let terms = terms
        .get(&hold.showtime_id)
        .ok_or(StoreError::NotFound(Entity::Showtime))?;
    terms
        .window
        .check(hold.now)
        .map_err(StoreError::NotOnSale)?;
    let key = |label: &String| (hold.showtime_id, label.clone());
    let unknown: Vec<String> = hold
        .seats
        .iter()
        .filter(|l| !seats.contains_key(&key(l)))
        .cloned()
        .collect();
    if !unknown.is_empty() {
        return Err(StoreError::UnknownSeats(unknown));
    }
    let mut free = Vec::with_capacity(hold.seats.len());
    let mut unavailable = Vec::new();
    for label in &hold.seats {
        match seats.get(&key(label)) {
            Some(seat) if seat.free_at(hold.now) => {
                free.push((label.clone(), seat.category.clone()))
            }
            _ => unavailable.push(label.clone()),
        }
    }
    if !unavailable.is_empty() {
        return Err(StoreError::SeatsUnavailable(unavailable));
    }
    let booking = held_booking(hold, quote(hold, terms, &free)?);
    for label in &hold.seats {
        if let Some(seat) = seats.get_mut(&key(label)) {
            seat.status = SeatState::Held;
            seat.held_until = Some(hold.expires_at);
        }
    }
    Ok(booking)
}
