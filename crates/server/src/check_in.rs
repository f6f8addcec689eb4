//! Check-in at the door: a ticket's code admits one person, once (`Store::admit_ticket`: one
//! conditional update, so two scanners at once admit it once), at the venue and on the day of
//! its showtime, by staff of that venue. A refusal says why: already admitted (when, by whom),
//! void, another venue, not today, unknown.

use crate::app::App;
use crate::error::{AppError, AppResult, ErrorCode};
use crate::staff::StaffUser;
use chrono::{DateTime, Duration, Utc};
use marquee_domain::{Entity, ShowtimeId, TicketCode};
use marquee_store::check_in::DoorCounts;
use marquee_store::ShowtimeInfo;

/// Doors open this long before a showtime starts.
pub const DOORS_OPEN: Duration = Duration::hours(3);

/// A ticket admitted: what the usher needs to see.
#[derive(Debug, Clone)]
pub struct Admission {
    pub code: TicketCode,
    pub seat: String,
    /// The ticket type's name (`Child`...).
    pub ticket_type: String,
    pub showtime: ShowtimeInfo,
    /// What the customer told the cinema about their access needs, so the usher can help.
    pub access_needs: Option<String>,
    pub admitted_at: DateTime<Utc>,
    /// The showtime's door after this admission: tickets sold, and admitted so far.
    pub door: DoorCounts,
}

fn refused(code: ErrorCode, message: String) -> AppError {
    AppError::Conflict { code, message }
}

/// Admits the ticket whose code `staff` scanned or typed.
pub async fn admit(app: &App, staff: &StaffUser, code: &str) -> AppResult<Admission> {
    let code = TicketCode::parse(code.trim()).ok_or(AppError::NotFound(Entity::Ticket))?;
    let ticket = app
        .store()
        .door_ticket(&code)
        .await?
        .ok_or(AppError::NotFound(Entity::Ticket))?;
    let now = app.now();
    let showtime = app
        .store()
        .get_showtime(ticket.showtime_id, now)
        .await?
        .ok_or(AppError::NotFound(Entity::Ticket))?;
    let zone = showtime.city.timezone;
    let local =
        |at: DateTime<Utc>, format: &str| at.with_timezone(&zone).format(format).to_string();
    if staff.venue(showtime.venue.id, Entity::Ticket).is_err() {
        return Err(refused(
            ErrorCode::TicketForAnotherVenue,
            "this ticket is for another venue".into(),
        ));
    }
    let starts = showtime.showtime.starts_at;
    if now < starts - DOORS_OPEN || now >= showtime.showtime.ends_at {
        return Err(refused(
            ErrorCode::TicketNotToday,
            format!(
                "this ticket is for {} on {}",
                showtime.event_title,
                local(starts, "%a %-d %b at %H:%M")
            ),
        ));
    }
    if !app.store().admit_ticket(&code, now, staff.user.id).await? {
        // Admitted before (by this scanner or another), or void: read again to say which.
        let again = app
            .store()
            .door_ticket(&code)
            .await?
            .ok_or(AppError::NotFound(Entity::Ticket))?;
        return Err(match again.admitted {
            Some((at, by)) => refused(
                ErrorCode::TicketAlreadyAdmitted,
                format!("already admitted at {} by {by}", local(at, "%H:%M")),
            ),
            None => refused(
                ErrorCode::TicketVoid,
                "this ticket was cancelled and admits no one".into(),
            ),
        });
    }
    let booking = app.store().get_booking(ticket.booking_id).await?;
    let prices = &showtime.showtime.prices;
    let ticket_type = booking
        .as_ref()
        .and_then(|b| b.quote.lines.iter().find(|l| l.label == ticket.seat))
        .and_then(|line| prices.ticket_type(&line.ticket_type))
        .map_or_else(|| prices.default_type().name.clone(), |t| t.name.clone());
    let access_needs = app.store().access_needs(ticket.booking_id).await?;
    let door = app.store().door_counts(ticket.showtime_id).await?;
    Ok(Admission {
        door,
        code,
        seat: ticket.seat,
        ticket_type,
        showtime,
        access_needs,
        admitted_at: now,
    })
}

/// A showtime's door now: its valid tickets and how many are admitted (404 for a showtime of
/// another venue than `staff`'s).
pub async fn door(app: &App, staff: &StaffUser, showtime: ShowtimeId) -> AppResult<DoorCounts> {
    crate::scheduling::staff_showtime(app, staff, showtime).await?;
    Ok(app.store().door_counts(showtime).await?)
}
