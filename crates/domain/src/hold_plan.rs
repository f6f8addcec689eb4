//! Deciding a batch of holds (group commit): which hold gets which seats, from the seats as the
//! batch's transaction read and locked them. Nobody else can change those rows before the batch
//! commits, so what is decided here is what gets written; the store's write keeps the
//! availability condition, so the database checks the plan once more.

use crate::booking::{Booking, BookingReference, BookingStatus, Quote, Transition};
use crate::catalog::{SalesWindow, ShowtimeError};
use crate::hold_limits::{AccountBooking, AccountShares, HoldLimits, LimitReached};
use crate::ids::{BookingId, ShowtimeId, UserId};
use crate::layout::SeatCategory;
use crate::price_plan::ShowtimePrices;
use crate::seats::SeatState;
use chrono::{DateTime, Utc};
use std::collections::{HashMap, HashSet};

/// A hold to take: these seats of a showtime for a new booking, until `expires_at`.
#[derive(Debug, Clone)]
pub struct NewHold {
    pub id: BookingId,
    pub reference: BookingReference,
    pub user_id: UserId,
    pub showtime_id: ShowtimeId,
    /// 1 to `MAX_SEATS_PER_BOOKING` distinct labels (checked by the caller).
    pub seats: Vec<String>,
    /// The ticket type code of each seat, in the order of `seats`; empty when every seat is
    /// the showtime's default type (the `seats: [...]` form of a booking).
    pub ticket_types: Vec<String>,
    pub expires_at: DateTime<Utc>,
    pub now: DateTime<Utc>,
    /// The account's share of showtimes this hold must stay within.
    pub limits: HoldLimits,
}

impl NewHold {
    /// Each seat with its ticket type code: the one asked for, or the default.
    pub fn seat_types<'a>(
        &'a self,
        prices: &'a ShowtimePrices,
    ) -> impl Iterator<Item = (&'a str, &'a str)> {
        let default = prices.default_type().code.as_str();
        self.seats.iter().enumerate().map(move |(index, label)| {
            let ticket_type = self.ticket_types.get(index).map_or(default, String::as_str);
            (label.as_str(), ticket_type)
        })
    }

    /// The ticket types asked for that the showtime does not sell, each once.
    pub fn unknown_ticket_types(&self, prices: &ShowtimePrices) -> Vec<String> {
        let mut unknown: Vec<String> = Vec::new();
        for (_, code) in self.seat_types(prices) {
            if prices.ticket_type(code).is_none() && !unknown.iter().any(|u| u == code) {
                unknown.push(code.to_string());
            }
        }
        unknown
    }
}

/// What a showtime sells at, and when.
#[derive(Debug, Clone)]
pub struct SaleTerms {
    pub window: SalesWindow,
    pub prices: ShowtimePrices,
    /// The cinema cancelled the showtime: nothing is sold any more.
    pub cancelled: bool,
}

/// A seat a batch asked for, as its transaction read (and locked) it.
#[derive(Debug, Clone)]
pub struct LockedSeat {
    pub showtime_id: ShowtimeId,
    pub label: String,
    pub category: SeatCategory,
    pub state: SeatState,
    pub held_until: Option<DateTime<Utc>>,
}

/// Why a hold of a batch got no seats.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HoldRefusal {
    /// Another booking has the reference (stored, or earlier in the batch): draw another.
    ReferenceTaken,
    NoSuchShowtime,
    NotOnSale(ShowtimeError),
    UnknownSeats(Vec<String>),
    /// Ticket types the showtime does not sell.
    UnknownTicketTypes(Vec<String>),
    SeatsUnavailable(Vec<String>),
    /// A seat's category has no price, or the total overflows: the stored showtime is wrong.
    Unpriced,
    /// The account would go beyond its share (`hold_limits`).
    OverLimit(LimitReached),
}

/// A seat a batch takes for one of its holds.
#[derive(Debug, Clone)]
pub struct Taking {
    pub showtime_id: ShowtimeId,
    pub label: String,
    pub booking_id: BookingId,
    pub held_until: DateTime<Utc>,
    /// The hold's `now`: a seat held until then is free to take.
    pub now: DateTime<Utc>,
}

/// What a batch of holds decided, before it is written.
#[derive(Debug)]
pub struct BatchPlan {
    /// One answer per hold, in order.
    pub results: Vec<Result<Booking, HoldRefusal>>,
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

/// Decides a batch of holds in order, so a later hold sees the seats (and the account's
/// share) an earlier one took. `terms` has the sale terms of every showtime that exists among
/// those asked for; `seats` the seats asked for as read; `stored_references` the batch's
/// references that bookings have; `shares` the bookings of the batch's accounts that count
/// towards their limits (`hold_limits::AccountShares::bookings_that_count`).
pub fn plan_batch(
    holds: &[NewHold],
    terms: &HashMap<ShowtimeId, SaleTerms>,
    seats: Vec<LockedSeat>,
    stored_references: Vec<String>,
    mut shares: AccountShares,
) -> BatchPlan {
    let mut seats: HashMap<(ShowtimeId, String), LockedSeat> = seats
        .into_iter()
        .map(|seat| ((seat.showtime_id, seat.label.clone()), seat))
        .collect();
    let mut references: HashSet<String> = stored_references.into_iter().collect();
    let mut plan = BatchPlan {
        results: Vec::with_capacity(holds.len()),
        takings: Vec::new(),
    };
    for hold in holds {
        let answer = decide(hold, terms, &mut seats, &mut references, &shares);
        if let Ok(booking) = &answer {
            shares.add(AccountBooking::of(booking));
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
    plan
}

fn decide(
    hold: &NewHold,
    terms: &HashMap<ShowtimeId, SaleTerms>,
    seats: &mut HashMap<(ShowtimeId, String), LockedSeat>,
    references: &mut HashSet<String>,
    shares: &AccountShares,
) -> Result<Booking, HoldRefusal> {
    if !references.insert(hold.reference.as_str().to_string()) {
        return Err(HoldRefusal::ReferenceTaken);
    }
    let terms = terms
        .get(&hold.showtime_id)
        .ok_or(HoldRefusal::NoSuchShowtime)?;
    if terms.cancelled {
        return Err(HoldRefusal::NotOnSale(ShowtimeError::Cancelled));
    }
    terms
        .window
        .check(hold.now)
        .map_err(HoldRefusal::NotOnSale)?;
    let unknown_types = hold.unknown_ticket_types(&terms.prices);
    if !unknown_types.is_empty() {
        return Err(HoldRefusal::UnknownTicketTypes(unknown_types));
    }
    let key = |label: &String| (hold.showtime_id, label.clone());
    let unknown: Vec<String> = hold
        .seats
        .iter()
        .filter(|l| !seats.contains_key(&key(l)))
        .cloned()
        .collect();
    if !unknown.is_empty() {
        return Err(HoldRefusal::UnknownSeats(unknown));
    }
    shares.check(hold).map_err(HoldRefusal::OverLimit)?;
    let mut free = Vec::with_capacity(hold.seats.len());
    let mut unavailable = Vec::new();
    for (label, ticket_type) in hold.seat_types(&terms.prices) {
        match seats.get(&(hold.showtime_id, label.to_string())) {
            Some(seat) if seat.state.as_of(seat.held_until, hold.now) == SeatState::Available => {
                free.push((label, seat.category, ticket_type))
            }
            _ => unavailable.push(label.to_string()),
        }
    }
    if !unavailable.is_empty() {
        return Err(HoldRefusal::SeatsUnavailable(unavailable));
    }
    let quote = Quote::for_seats(&terms.prices, free).ok_or(HoldRefusal::Unpriced)?;
    let booking = held_booking(hold, quote);
    for label in &hold.seats {
        if let Some(seat) = seats.get_mut(&key(label)) {
            seat.state = SeatState::Held;
            seat.held_until = Some(hold.expires_at);
        }
    }
    Ok(booking)
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
        cancellations: vec![],
        moved: None,
        replaces: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hold_limits::HoldLimits;
    use crate::money::Currency;
    use crate::price_plan::TicketType;

    fn prices() -> ShowtimePrices {
        ShowtimePrices::new(
            Currency::parse("EUR").unwrap(),
            0,
            vec![
                TicketType::new("adult", "Adult").unwrap(),
                TicketType::new("child", "Child").unwrap(),
            ],
            vec![
                ("adult".into(), SeatCategory::Standard, 1000),
                ("child".into(), SeatCategory::Standard, 600),
            ],
        )
        .unwrap()
    }

    fn hold(seats: &[&str], ticket_types: &[&str]) -> NewHold {
        let now = DateTime::<Utc>::UNIX_EPOCH;
        NewHold {
            id: BookingId(1),
            reference: BookingReference::from_random(1),
            user_id: UserId(1),
            showtime_id: ShowtimeId(1),
            seats: seats.iter().map(|s| s.to_string()).collect(),
            ticket_types: ticket_types.iter().map(|s| s.to_string()).collect(),
            expires_at: now,
            now,
            limits: HoldLimits::NONE,
        }
    }

    #[test]
    fn a_seat_without_a_ticket_type_is_the_default_type() {
        let prices = prices();
        let types = |hold: NewHold| -> Vec<(String, String)> {
            hold.seat_types(&prices)
                .map(|(seat, t)| (seat.to_string(), t.to_string()))
                .collect()
        };
        let pair = |seat: &str, t: &str| (seat.to_string(), t.to_string());
        assert_eq!(
            types(hold(&["A1", "A2"], &[])),
            [pair("A1", "adult"), pair("A2", "adult")]
        );
        assert_eq!(
            types(hold(&["A1", "A2"], &["child", "adult"])),
            [pair("A1", "child"), pair("A2", "adult")]
        );
    }

    #[test]
    fn ticket_types_the_showtime_does_not_sell_are_named_once() {
        let prices = prices();
        assert!(hold(&["A1"], &["child"])
            .unknown_ticket_types(&prices)
            .is_empty());
        assert_eq!(
            hold(&["A1", "A2", "A3"], &["senior", "adult", "senior"]).unknown_ticket_types(&prices),
            ["senior"]
        );
    }
}
