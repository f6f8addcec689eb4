//! Tickets to keep: a confirmed booking as a PDF (one ticket a page, its QR code drawn as
//! vector squares) and as an iCalendar event for the customer's calendar. Both are built from
//! one `TicketSheet`, read once; the pages, the API and the confirmation email use the same.

pub mod calendar;
pub mod pdf;

use crate::app::App;
use crate::error::{AppError, AppResult, ErrorCode};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use marquee_domain::{Booking, BookingId, BookingStatus, Entity, Money};
use marquee_store::User;

/// What a confirmed booking's tickets say: everything the PDF and the calendar event need,
/// so that neither reads the store.
#[derive(Debug, Clone)]
pub struct TicketSheet {
    pub booking_id: BookingId,
    pub reference: String,
    pub film: String,
    pub venue: String,
    pub address: String,
    pub city: String,
    pub auditorium: String,
    pub starts_at: DateTime<Utc>,
    /// When the film is over: the hall's end of the showtime less its cleaning.
    pub ends_at: DateTime<Utc>,
    pub timezone: Tz,
    pub tickets: Vec<SheetTicket>,
    pub total: Money,
}

#[derive(Debug, Clone)]
pub struct SheetTicket {
    pub seat: String,
    /// The ticket type's name (`Adult`), or its code when the plan no longer names it.
    pub ticket_type: String,
    /// The seat's price with its booking fee: what the customer paid for it.
    pub price: Money,
    /// What the door scans (its QR code carries it).
    pub code: String,
}

impl TicketSheet {
    /// The start as the venue's clock shows it, e.g. `Tue 24 Nov 2026, 13:00`.
    pub fn local_start(&self) -> String {
        self.starts_at
            .with_timezone(&self.timezone)
            .format("%a %-d %b %Y, %H:%M")
            .to_string()
    }

    /// The seats, in the booking's order, e.g. `C1, C2`.
    pub fn seats(&self) -> String {
        self.tickets
            .iter()
            .map(|t| t.seat.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// A file name for the tickets, e.g. `marquee-K7QXM2PA.pdf`.
    pub fn file_name(&self, extension: &str) -> String {
        format!("marquee-{}.{extension}", self.reference)
    }
}

/// The tickets of one of this user's bookings. Someone else's is "not found", as
/// `bookings::get` answers; a booking that is not confirmed has no tickets to keep.
pub async fn of_user(app: &App, user: &User, id: BookingId) -> AppResult<TicketSheet> {
    let booking = crate::bookings::get(app, user, id).await?;
    of_booking(app, booking).await
}

/// The tickets of a confirmed booking, whoever's it is (the mail worker's view).
pub async fn of_booking(app: &App, booking: Booking) -> AppResult<TicketSheet> {
    let status = booking.status_at(app.now());
    if status != BookingStatus::Confirmed {
        return Err(AppError::Conflict {
            code: ErrorCode::BookingNotConfirmed,
            message: format!(
                "the booking is {}: tickets exist once it is paid and confirmed",
                status.as_str()
            ),
        });
    }
    let info = app
        .store()
        .get_showtime(booking.showtime_id, app.now())
        .await?
        .ok_or(AppError::NotFound(Entity::Showtime))?;
    let prices = &info.showtime.prices;
    let tickets = booking
        .quote
        .lines
        .iter()
        .map(|line| SheetTicket {
            seat: line.label.clone(),
            ticket_type: prices.type_name(&line.ticket_type),
            price: prices.with_fee(line.price),
            code: booking
                .tickets
                .iter()
                .find(|t| t.seat == line.label)
                .map(|t| t.code.to_string())
                .unwrap_or_default(),
        })
        .collect();
    let cleaning = chrono::Duration::minutes(i64::from(info.venue.cleaning_minutes));
    Ok(TicketSheet {
        booking_id: booking.id,
        reference: booking.reference.to_string(),
        film: info.event_title,
        venue: info.venue.name,
        address: info.venue.address,
        city: info.city.name,
        auditorium: info.auditorium_name,
        starts_at: info.showtime.starts_at,
        ends_at: (info.showtime.ends_at - cleaning).max(info.showtime.starts_at),
        timezone: info.city.timezone,
        tickets,
        total: booking.quote.total,
    })
}

/// Which file of a booking's tickets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keepsake {
    /// The tickets, one a page.
    Pdf,
    /// The showtime as a calendar event.
    Calendar,
}

/// A file to keep: what it is, what to call it, and its bytes.
pub struct TicketFile {
    pub content_type: &'static str,
    pub file_name: String,
    pub bytes: Vec<u8>,
}

impl Keepsake {
    /// This file of the sheet's tickets.
    pub fn of(self, app: &App, sheet: &TicketSheet) -> AppResult<TicketFile> {
        Ok(match self {
            Keepsake::Pdf => TicketFile {
                content_type: "application/pdf",
                file_name: sheet.file_name("pdf"),
                bytes: pdf::render(sheet)?,
            },
            Keepsake::Calendar => TicketFile {
                content_type: "text/calendar; charset=utf-8",
                file_name: sheet.file_name("ics"),
                bytes: calendar_of(app, sheet).into_bytes(),
            },
        })
    }
}

/// This file of one of this user's bookings (see `of_user`).
pub async fn file_of_user(
    app: &App,
    user: &User,
    id: BookingId,
    keepsake: Keepsake,
) -> AppResult<TicketFile> {
    let sheet = of_user(app, user, id).await?;
    keepsake.of(app, &sheet)
}

/// The sheet's calendar event, its UID naming this site's host and its URL the booking's
/// page.
pub fn calendar_of(app: &App, sheet: &TicketSheet) -> String {
    let public_url = app.config().public_url.trim_end_matches('/');
    let host = url::Url::parse(public_url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
        .unwrap_or_else(|| "marquee".to_string());
    let page = format!("{public_url}/bookings/{}", sheet.booking_id);
    calendar::render(sheet, app.now(), &host, &page)
}
