//! The schedule as staff make it: one showtime, or a repeating schedule ("14:00 and 21:00,
//! Monday to Friday, from ... to ...") expanded in the venue's time zone. The store schedules
//! them all or none, prices each by the venue's plan at its local start, and refuses clashes
//! with every clash listed (`marquee_store::scheduling`).

use crate::app::App;
use crate::back_office;
use crate::error::{AppError, AppResult, ErrorCode};
use crate::price_plans::{clock_time, weekday};
use crate::staff::StaffUser;
use chrono::{DateTime, Datelike, Days, NaiveDate, Utc};
use chrono_tz::Tz;
use marquee_domain::catalog::day_bounds;
use marquee_domain::price_plan::MAX_FORMAT_LEN;
use marquee_domain::schedule::{ScheduleError, ScheduleRequest};
use marquee_domain::{AccessTag, AuditoriumId, Entity, EventId, ShowtimeId, Venue, VenueId};
use marquee_store::{
    Actor, AuditoriumInfo, BlockedSeats, NewSchedule, SeatMap, ShowtimeInfo, ShowtimeMove,
    ShowtimeMoved, VenueShowtime,
};

/// The longest a language or subtitles code is (`pt-BR`, `zh-Hant`).
const MAX_LANGUAGE_LEN: usize = 16;
/// Sales may close at most a day before the start.
const MAX_SALES_CLOSE_MINUTES: u32 = 24 * 60;

/// What every showtime of a request shares.
#[derive(Debug, Clone)]
pub struct ShowtimeTerms {
    pub event_id: EventId,
    pub auditorium_id: AuditoriumId,
    pub format: String,
    /// The event's language unless given.
    pub audio_language: Option<String>,
    pub subtitles: Option<String>,
    /// Access tag names, e.g. `captioned`.
    pub access: Vec<String>,
    /// At once unless given.
    pub sales_open_at: Option<DateTime<Utc>>,
    /// 0 (sales close at the start) unless given.
    pub sales_close_minutes: Option<u32>,
}

/// "At these times, on these weekdays, from this date to that one", as sent: `HH:MM` and
/// `mon`...`sun`.
#[derive(Debug, Clone)]
pub struct Repeat {
    pub times: Vec<String>,
    pub weekdays: Vec<String>,
    pub from: NaiveDate,
    pub to: NaiveDate,
}

fn invalid(message: impl Into<String>) -> AppError {
    AppError::invalid(ErrorCode::InvalidRequest, message)
}

/// A short code (a format, a language): trimmed, 1 to `max` characters, no control ones.
fn code(field: &str, value: &str, max: usize) -> AppResult<String> {
    let value = value.trim();
    if value.is_empty() || value.chars().count() > max || value.chars().any(char::is_control) {
        return Err(invalid(format!("{field} is 1 to {max} characters")));
    }
    Ok(value.to_string())
}

/// The schedule `terms` make at `starts`, checked: the hall is one of `staff`'s venues', the
/// event exists, the fields are valid, and nothing starts in the past.
async fn schedule_at(
    app: &App,
    terms: ShowtimeTerms,
    starts: Vec<DateTime<Utc>>,
) -> AppResult<NewSchedule> {
    let event = app
        .store()
        .get_event(terms.event_id)
        .await?
        .ok_or(AppError::NotFound(Entity::Event))?;
    let now = app.now();
    if let Some(past) = starts.iter().find(|s| **s <= now) {
        return Err(invalid(format!("{past} is in the past")));
    }
    let sales_close_minutes = terms.sales_close_minutes.unwrap_or(0);
    if sales_close_minutes > MAX_SALES_CLOSE_MINUTES {
        return Err(invalid(format!(
            "sales_close_minutes is at most {MAX_SALES_CLOSE_MINUTES}"
        )));
    }
    let subtitles = terms
        .subtitles
        .filter(|s| !s.trim().is_empty())
        .map(|s| code("subtitles", &s, MAX_LANGUAGE_LEN))
        .transpose()?;
    Ok(NewSchedule {
        event_id: event.id,
        auditorium_id: terms.auditorium_id,
        starts,
        format: code("format", &terms.format, MAX_FORMAT_LEN)?,
        audio_language: code(
            "audio_language",
            terms.audio_language.as_deref().unwrap_or(&event.language),
            MAX_LANGUAGE_LEN,
        )?,
        subtitles,
        access: AccessTag::parse_all(terms.access.iter().map(String::as_str)).map_err(|tag| {
            invalid(format!(
                "access: {tag:?} is not one of {}",
                AccessTag::names()
            ))
        })?,
        sales_open_at: terms.sales_open_at,
        sales_close_minutes,
        now,
    })
}

/// The time zone of the venue a hall of `staff`'s is in (404 for another venue's hall).
async fn hall_zone(app: &App, staff: &StaffUser, hall: AuditoriumId) -> AppResult<Tz> {
    let hall = back_office::auditorium(app, staff, hall).await?;
    let venue = app
        .store()
        .get_venue(hall.info.auditorium.venue_id)
        .await?
        .ok_or(AppError::NotFound(Entity::Venue))?;
    let city = app
        .store()
        .get_city(venue.city_id)
        .await?
        .ok_or(AppError::NotFound(Entity::City))?;
    Ok(city.timezone)
}

/// Schedules one showtime.
pub async fn schedule_one(
    app: &App,
    staff: &StaffUser,
    terms: ShowtimeTerms,
    starts_at: DateTime<Utc>,
    by: Actor<ShowtimeInfo>,
) -> AppResult<ShowtimeInfo> {
    back_office::auditorium(app, staff, terms.auditorium_id).await?;
    let schedule = schedule_at(app, terms, vec![starts_at]).await?;
    app.store()
        .schedule(schedule, by)
        .await?
        .pop()
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("a schedule of one made nothing")))
}

/// A repeating schedule the domain refuses, its message led by the field it is about (as the
/// other messages are, so a form can show it beside that field).
fn refused(error: ScheduleError) -> AppError {
    let field = match error {
        ScheduleError::NoTimes
        | ScheduleError::DuplicateTime(_)
        | ScheduleError::NoSuchLocalTime(..) => "times: ",
        ScheduleError::NoWeekdays | ScheduleError::DuplicateWeekday(_) => "weekdays: ",
        ScheduleError::Backwards { .. } | ScheduleError::TooManyDays => "to: ",
        _ => "",
    };
    invalid(format!("{field}{error}"))
}

/// Schedules a repeating schedule, all of it or nothing.
pub async fn schedule_many(
    app: &App,
    staff: &StaffUser,
    terms: ShowtimeTerms,
    repeat: Repeat,
    by: Actor<ShowtimeInfo>,
) -> AppResult<Vec<ShowtimeInfo>> {
    let zone = hall_zone(app, staff, terms.auditorium_id).await?;
    let request = ScheduleRequest {
        times: repeat
            .times
            .iter()
            .map(|t| clock_time(t).ok_or_else(|| invalid(format!("times: {t:?} is not HH:MM"))))
            .collect::<AppResult<_>>()?,
        weekdays: repeat
            .weekdays
            .iter()
            .map(|d| {
                weekday(d).ok_or_else(|| invalid(format!("weekdays: {d:?} is not mon ... sun")))
            })
            .collect::<AppResult<_>>()?,
        from: repeat.from,
        to: repeat.to,
    };
    let starts = request.expand(zone).map_err(refused)?;
    if starts.is_empty() {
        return Err(invalid("weekdays: none of them falls between from and to"));
    }
    let schedule = schedule_at(app, terms, starts).await?;
    Ok(app.store().schedule(schedule, by).await?)
}

/// A showtime of one of `staff`'s venues (404 for another venue's).
pub(crate) async fn staff_showtime(
    app: &App,
    staff: &StaffUser,
    id: ShowtimeId,
) -> AppResult<ShowtimeInfo> {
    let info = app
        .store()
        .get_showtime(id, app.now())
        .await?
        .ok_or(AppError::NotFound(Entity::Showtime))?;
    staff.venue(info.venue.id, Entity::Showtime)?;
    Ok(info)
}

/// One of `staff`'s showtimes with its seats as stored now (404 for another venue's): what
/// its back-office page shows.
pub async fn showtime_seats(app: &App, staff: &StaffUser, id: ShowtimeId) -> AppResult<SeatMap> {
    let map = app
        .store()
        .seat_map(id, app.now())
        .await?
        .ok_or(AppError::NotFound(Entity::Showtime))?;
    staff.venue(map.info.venue.id, Entity::Showtime)?;
    Ok(map)
}

/// Moves or retimes a showtime (a new start, another hall of `staff`'s, or both); its prices
/// are resolved again for the new start. One with live bookings moves only with a `reason`:
/// their seats come along and each customer is told (`Store::move_showtime`).
pub async fn move_showtime(
    app: &App,
    staff: &StaffUser,
    id: ShowtimeId,
    starts_at: Option<DateTime<Utc>>,
    auditorium_id: Option<AuditoriumId>,
    reason: Option<&str>,
    by: Actor<ShowtimeInfo>,
) -> AppResult<ShowtimeMoved> {
    staff_showtime(app, staff, id).await?;
    if starts_at.is_none() && auditorium_id.is_none() {
        return Err(invalid("give starts_at, auditorium_id or both"));
    }
    if let Some(hall) = auditorium_id {
        back_office::auditorium(app, staff, hall).await?;
    }
    let now = app.now();
    if let Some(past) = starts_at.filter(|s| *s <= now) {
        return Err(invalid(format!("{past} is in the past")));
    }
    let reason = reason
        .map(crate::box_office::check_reason)
        .transpose()?
        .map(str::to_string);
    let change = ShowtimeMove {
        starts_at,
        auditorium_id,
        reason,
        now,
    };
    let moved = app.store().move_showtime(id, change, by).await?;
    app.seat_maps().forget(id);
    Ok(moved)
}

/// The most seats one request blocks or unblocks: a whole hall of the largest layout.
pub const MAX_SEATS_PER_BLOCK: usize =
    marquee_domain::layout::MAX_ROWS * marquee_domain::layout::MAX_COLUMNS;

/// Blocks (`block`) or unblocks seats of one of `staff`'s showtimes before it starts: house
/// seats, a broken seat. Only free seats can be blocked; the seat maps hear of the change
/// through the seat-change stream like any other.
pub async fn set_blocked_seats(
    app: &App,
    staff: &StaffUser,
    id: ShowtimeId,
    seats: Vec<String>,
    block: bool,
    by: Actor<BlockedSeats>,
) -> AppResult<BlockedSeats> {
    staff_showtime(app, staff, id).await?;
    if seats.is_empty() || seats.len() > MAX_SEATS_PER_BLOCK {
        return Err(AppError::invalid(
            ErrorCode::InvalidSeats,
            format!("seats lists 1 to {MAX_SEATS_PER_BLOCK} seat labels"),
        ));
    }
    crate::bookings::refuse_malformed_labels(&seats)?;
    let blocked = app
        .store()
        .set_blocked_seats(id, &seats, block, app.now(), by)
        .await?
        .publish(app.seat_changes());
    Ok(blocked)
}

/// A showtime's blocked seats.
pub async fn blocked_seats(
    app: &App,
    staff: &StaffUser,
    id: ShowtimeId,
) -> AppResult<BlockedSeats> {
    let info = staff_showtime(app, staff, id).await?;
    Ok(app.store().blocked_seats(id, info.venue.id).await?)
}

/// Deletes a showtime that never had a booking.
pub async fn delete_showtime(
    app: &App,
    staff: &StaffUser,
    id: ShowtimeId,
    by: Actor<ShowtimeInfo>,
) -> AppResult<()> {
    staff_showtime(app, staff, id).await?;
    app.store().delete_showtime(id, app.now(), by).await?;
    app.seat_maps().forget(id);
    Ok(())
}

/// Copies a venue's week of showtimes (given by its Monday) into another week, all or none.
pub async fn copy_week(
    app: &App,
    staff: &StaffUser,
    venue: VenueId,
    from_week: NaiveDate,
    to_week: NaiveDate,
    by: Actor<ShowtimeInfo>,
) -> AppResult<Vec<ShowtimeInfo>> {
    staff.venue(venue, Entity::Venue)?;
    app.store()
        .get_venue(venue)
        .await?
        .ok_or(AppError::NotFound(Entity::Venue))?;
    if from_week == to_week {
        return Err(invalid("to_week is another week than from_week"));
    }
    Ok(app
        .store()
        .copy_week(venue, from_week, to_week, app.now(), by)
        .await?)
}

/// A venue's week of showtimes: its halls, and the showtimes that start in the week (Monday
/// to Sunday on the venue's wall clock), each with its seats sold and held.
#[derive(Debug, Clone)]
pub struct Week {
    pub venue: Venue,
    pub zone: Tz,
    /// The week's first day, and the Mondays before and after it.
    pub monday: NaiveDate,
    pub previous: NaiveDate,
    pub next: NaiveDate,
    pub halls: Vec<AuditoriumInfo>,
    /// By start.
    pub showtimes: Vec<VenueShowtime>,
}

/// The Monday of the week `day` is in.
pub fn monday_of(day: NaiveDate) -> NaiveDate {
    day.checked_sub_days(Days::new(u64::from(day.weekday().num_days_from_monday())))
        .unwrap_or(NaiveDate::MIN)
}

/// A venue of `staff`'s (404 for another venue) and its time zone, its city's.
pub async fn venue_zone(app: &App, staff: &StaffUser, venue: VenueId) -> AppResult<(Venue, Tz)> {
    let venue = back_office::venue(app, staff, venue).await?;
    let zone = app
        .store()
        .get_city(venue.city_id)
        .await?
        .ok_or(AppError::NotFound(Entity::City))?
        .timezone;
    Ok((venue, zone))
}

/// The week of a venue of `staff`'s (404 for another venue) that `day` is in: this week on the
/// venue's wall clock unless given.
pub async fn week(
    app: &App,
    staff: &StaffUser,
    venue: VenueId,
    day: Option<NaiveDate>,
) -> AppResult<Week> {
    let (venue, zone) = venue_zone(app, staff, venue).await?;
    let now = app.now();
    let monday = monday_of(day.unwrap_or_else(|| now.with_timezone(&zone).date_naive()));
    let (Some(previous), Some(next)) = (
        monday.checked_sub_days(Days::new(7)),
        monday.checked_add_days(Days::new(7)),
    ) else {
        return Err(invalid("week is out of the calendar's range"));
    };
    let (from, _) = day_bounds(zone, monday);
    let (until, _) = day_bounds(zone, next);
    let halls = app.store().auditoriums(venue.id).await?;
    let showtimes = app
        .store()
        .venue_schedule(venue.id, from, until, now)
        .await?;
    Ok(Week {
        venue,
        zone,
        monday,
        previous,
        next,
        halls,
        showtimes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_day_names_the_week_that_starts_on_its_monday() {
        let day = |d: u32| NaiveDate::from_ymd_opt(2026, 11, d).unwrap();
        assert_eq!(monday_of(day(23)), day(23));
        assert_eq!(monday_of(day(26)), day(23));
        assert_eq!(monday_of(day(29)), day(23));
        assert_eq!(monday_of(day(30)), day(30));
        // The calendar's first day has no Monday before it: no panic.
        assert!(monday_of(NaiveDate::MIN) <= NaiveDate::MIN + Days::new(6));
    }
}
