//! Turning stored columns into domain values, shared by both backends so they cannot
//! disagree on what a stored word means.

use crate::{StoreError, StoreResult};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use marquee_domain::*;

/// Lists (cast, genres) are stored as one text, an item a line.
pub fn join_list(items: &[String]) -> String {
    items.join("\n")
}

pub fn split_list(text: &str) -> Vec<String> {
    text.lines()
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

/// Access tags as stored: newline-joined, like genres.
pub fn access_text(tags: &[AccessTag]) -> String {
    tags.iter()
        .map(|t| t.as_str())
        .collect::<Vec<_>>()
        .join("\n")
}

pub fn access_tags(text: &str) -> StoreResult<Vec<AccessTag>> {
    AccessTag::parse_all(text.lines().filter(|l| !l.is_empty()))
        .map_err(|tag| StoreError::corrupt(format!("access tag {tag:?}")))
}

/// What a filter on one access tag matches against `'\n' || access || '\n'`.
pub fn access_needle(tag: AccessTag) -> String {
    format!("\n{tag}\n")
}

pub fn roles_text(roles: &[Role]) -> String {
    roles
        .iter()
        .map(|r| r.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

pub fn roles(text: &str) -> StoreResult<Vec<Role>> {
    text.split(',')
        .filter(|r| !r.is_empty())
        .map(|r| Role::parse(r).ok_or_else(|| StoreError::corrupt(format!("role {r:?}"))))
        .collect()
}

pub fn timezone(name: &str) -> StoreResult<Tz> {
    name.parse()
        .map_err(|_| StoreError::corrupt(format!("time zone {name:?}")))
}

pub fn currency(code: &str) -> StoreResult<Currency> {
    Currency::parse(code).map_err(StoreError::corrupt)
}

pub fn category(name: &str) -> StoreResult<SeatCategory> {
    SeatCategory::parse(name).ok_or_else(|| StoreError::corrupt(format!("seat category {name:?}")))
}

pub fn seat_state(name: &str) -> StoreResult<SeatState> {
    SeatState::parse(name).ok_or_else(|| StoreError::corrupt(format!("seat state {name:?}")))
}

pub fn booking_status(name: &str) -> StoreResult<BookingStatus> {
    BookingStatus::parse(name)
        .ok_or_else(|| StoreError::corrupt(format!("booking status {name:?}")))
}

pub fn layout(text: &str) -> StoreResult<SeatLayout> {
    SeatLayout::parse(text).map_err(StoreError::corrupt)
}

/// A count or size that the schema keeps non-negative.
pub fn unsigned<T: TryFrom<i64>>(value: i64, what: &str) -> StoreResult<T> {
    T::try_from(value).map_err(|_| StoreError::corrupt(format!("{what} {value}")))
}

/// Splits requested labels into those the showtime has and those it does not, keeping the
/// request's order, for the error of a refused hold.
pub fn unknown_labels(requested: &[String], known: &[String]) -> Vec<String> {
    requested
        .iter()
        .filter(|l| !known.contains(l))
        .cloned()
        .collect()
}

/// Times are read as milliseconds since the Unix epoch on every backend.
pub fn millis(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

pub fn instant(ms: i64) -> StoreResult<DateTime<Utc>> {
    DateTime::from_timestamp_millis(ms).ok_or_else(|| StoreError::corrupt(format!("time {ms}")))
}
