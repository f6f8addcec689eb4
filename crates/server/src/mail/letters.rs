//! What each kind of outbox message says. Every letter is the one template pair
//! (`templates/mail/letter.txt` and `.html`) filled with a greeting, paragraphs and a link; a
//! kind is one arm of `compose`. Booking letters carry the cinema's name and the booking's
//! reference in the subject; the confirmation carries the tickets (PDF) and the calendar
//! event (`.ics`). Payload fields other kinds may not have are optional.

use super::Letter;
use crate::app::App;
use crate::error::{AppError, AppResult, ErrorCode};
use crate::tickets::{self, Keepsake};
use askama::Template;
use marquee_domain::{Booking, BookingId, Entity, Money};
use marquee_store::{OutboxMessage, ShowtimeInfo};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "mail/letter.txt")]
struct TextLetter<'a> {
    greeting: &'a str,
    paragraphs: &'a [String],
    link: &'a Option<(String, String)>,
    signature: &'a str,
}

#[derive(Template)]
#[template(path = "mail/letter.html")]
struct HtmlLetter<'a> {
    subject: &'a str,
    greeting: &'a str,
    paragraphs: &'a [String],
    link: &'a Option<(String, String)>,
    signature: &'a str,
}

/// What a payload may say; each kind reads the fields it has.
#[derive(Deserialize, Default)]
struct Payload {
    /// Account letters: whom to, and the link to follow.
    to: Option<String>,
    link: Option<String>,
    /// Booking letters: why, in words (a cancellation's reason, a refund's cause).
    why: Option<String>,
    refund_minor: Option<i64>,
    currency: Option<String>,
    /// A cancellation: its seats, and whether they were all the booking's.
    seats: Option<Vec<String>>,
    whole: Option<bool>,
    /// A staff invitation: the role and the inviting owner.
    role: Option<String>,
}

/// A letter's words before they fill the templates.
struct Words {
    to: String,
    subject: String,
    paragraphs: Vec<String>,
    link: Option<(String, String)>,
    signature: String,
    attachments: Vec<(String, String, Vec<u8>)>,
}

fn unwritable(message: &OutboxMessage, why: &str) -> AppError {
    AppError::invalid(
        ErrorCode::InvalidRequest,
        format!("outbox message {} ({}): {why}", message.id, message.kind),
    )
}

/// The letter for an outbox message. A message that can never be written (unknown kind, a
/// payload without its address, a booking gone) is `AppError::Invalid`.
pub async fn compose(app: &App, message: &OutboxMessage) -> AppResult<Letter> {
    let payload: Payload = serde_json::from_str(&message.payload)
        .map_err(|_| unwritable(message, "the payload is not JSON of the expected shape"))?;
    let site = app.config().mail.site_name.clone();
    let words = match message.kind.as_str() {
        "password_reset" => Words {
            to: address(message, &payload)?,
            subject: format!("{site}: set a new password"),
            paragraphs: vec![
                "Someone (we hope you) asked to set a new password for this account. The link works once, within an hour.".into(),
                "If it was not you, ignore this message: your password stays as it is.".into(),
            ],
            link: payload.link.clone().map(|l| ("Set a new password".into(), l)),
            signature: site,
            attachments: vec![],
        },
        "staff_invitation" => Words {
            to: address(message, &payload)?,
            subject: format!("{site}: you are invited to join the staff"),
            paragraphs: vec![format!(
                "You are invited to join {site}'s staff{}. Follow the link to set your password and your authenticator app.",
                payload.role.as_deref().map(|r| format!(" as {}", r.replace('_', " "))).unwrap_or_default()
            )],
            link: payload.link.clone().map(|l| ("Join the staff".into(), l)),
            signature: site,
            attachments: vec![],
        },
        kind => booking_words(app, message, kind, &payload).await?,
    };
    let greeting = "Hello,";
    let text = TextLetter {
        greeting,
        paragraphs: &words.paragraphs,
        link: &words.link,
        signature: &words.signature,
    }
    .render()
    .map_err(|e| AppError::Internal(anyhow::anyhow!("mail template: {e}")))?;
    let html = HtmlLetter {
        subject: &words.subject,
        greeting,
        paragraphs: &words.paragraphs,
        link: &words.link,
        signature: &words.signature,
    }
    .render()
    .map_err(|e| AppError::Internal(anyhow::anyhow!("mail template: {e}")))?;
    Ok(Letter {
        to: words.to,
        subject: words.subject,
        text,
        html,
        attachments: words.attachments,
    })
}

fn address(message: &OutboxMessage, payload: &Payload) -> AppResult<String> {
    payload
        .to
        .clone()
        .ok_or_else(|| unwritable(message, "no address in the payload"))
}

/// A letter about a booking: to its customer, from its cinema.
async fn booking_words(
    app: &App,
    message: &OutboxMessage,
    kind: &str,
    payload: &Payload,
) -> AppResult<Words> {
    let id: BookingId = message
        .booking_id
        .ok_or_else(|| unwritable(message, "no booking"))?;
    let booking: Booking = app
        .store()
        .get_booking(id)
        .await?
        .ok_or_else(|| unwritable(message, "the booking is gone"))?;
    let info: ShowtimeInfo = app
        .store()
        .get_showtime(booking.showtime_id, app.now())
        .await?
        .ok_or(AppError::NotFound(Entity::Showtime))?;
    let to = app
        .store()
        .get_user(booking.user_id)
        .await?
        .ok_or_else(|| unwritable(message, "the customer's account is gone"))?
        .email
        .to_string();
    let cinema = info.venue.name.clone();
    let reference = booking.reference.to_string();
    let when = info
        .showtime
        .starts_at
        .with_timezone(&info.city.timezone)
        .format("%a %-d %b %Y, %H:%M")
        .to_string();
    let film = info.event_title.clone();
    let seats = booking.seat_labels().join(", ");
    let what = format!("{film} at {cinema}, {when}, seats {seats}");
    let page = format!(
        "{}/bookings/{}",
        app.config().public_url.trim_end_matches('/'),
        booking.id
    );
    let refund = payload
        .refund_minor
        .zip(payload.currency.as_deref())
        .and_then(|(minor, currency)| {
            marquee_domain::Currency::parse(currency)
                .ok()
                .map(|c| Money::new(minor, c))
        })
        .unwrap_or(booking.quote.total);
    let why = payload.why.clone();
    let (subject, mut paragraphs, attachments) = match kind {
        "booking_confirmed" | "tickets_resent" => {
            let sheet = tickets::of_booking(app, booking).await?;
            let files = [Keepsake::Pdf, Keepsake::Calendar]
                .into_iter()
                .map(|k| {
                    k.of(app, &sheet)
                        .map(|f| (f.file_name, f.content_type.to_string(), f.bytes))
                })
                .collect::<AppResult<Vec<_>>>()?;
            (
                "your tickets",
                vec![
                    format!("Your booking is confirmed: {what}."),
                    "Your tickets are attached (one a page, each with its QR code for the door), with the showtime for your calendar.".to_string(),
                ],
                files,
            )
        }
        "payment_failed" => (
            "payment not taken",
            vec![format!("The payment for {what} did not go through, so the seats are free again. You can choose seats and pay again.")],
            vec![],
        ),
        "hold_expired" => (
            "your seats were released",
            vec![format!("The seats held for {what} ran out before the payment arrived, so they are free again.")],
            vec![],
        ),
        "payment_refund_due" => (
            "your payment is refunded",
            vec![format!("We received a payment of {refund} for {what}, but the seats could not be kept for it; it is refunded in full.")],
            vec![],
        ),
        "booking_refunded" => (
            "refund",
            vec![format!("{refund} for {what} is refunded to the card you paid with.")],
            vec![],
        ),
        "booking_cancelled" => match (payload.whole, &payload.seats) {
            (Some(false), Some(cancelled)) => (
                "seats cancelled",
                vec![format!(
                    "Seat {} of your booking for {what} is cancelled; {refund} is refunded to the card you paid with. Your other seats stand.",
                    cancelled.join(", ")
                )],
                vec![],
            ),
            _ => (
                "booking cancelled",
                vec![format!("Your booking for {what} is cancelled; {refund} is refunded to the card you paid with.")],
                vec![],
            ),
        },
        "showtime_cancelled" => (
            "showtime cancelled",
            vec![format!("We are sorry: the cinema cancelled {what}. {refund} is refunded to the card you paid with.")],
            vec![],
        ),
        "showtime_moved" => {
            let mut said = match &booking.moved {
                Some(moved) => format!(
                    "The cinema moved {film} at {cinema}: it was on {} in {}; it is now on {when} in {}, seats {seats}.",
                    moved.from_starts_at.with_timezone(&info.city.timezone).format("%a %-d %b %Y, %H:%M"),
                    moved.from_hall,
                    moved.to_hall,
                ),
                None => format!("The cinema moved {film} at {cinema}: it is now on {when}, seats {seats}."),
            };
            if let Some(before) = booking.moved.as_ref().map(|m| m.seats_before.join(", ")).filter(|b| *b != seats) {
                said.push_str(&format!(" (Your seats were {before}.)"));
            }
            (
                "your showtime has moved",
                vec![
                    said,
                    "If the new time suits you, there is nothing to do. If not, follow the link to exchange your tickets for another showing of the film (you pay or get back the difference) or to cancel them for a full refund, until the showtime starts.".to_string(),
                ],
                vec![],
            )
        }
        "booking_exchanged" => (
            "booking exchanged",
            vec![format!("Your booking for {what} is replaced by the one you exchanged it for; {refund} is refunded to the card you paid with.")],
            vec![],
        ),
        "showtime_reminder" => (
            "see you soon",
            vec![format!("A reminder: {what}. Bring your tickets (on your phone is fine).")],
            vec![],
        ),
        _ => return Err(unwritable(message, "no letter for this kind")),
    };
    if let Some(why) = why.filter(|w| !w.is_empty()) {
        paragraphs.push(format!("Why: {why}."));
    }
    paragraphs.push(format!("Booking reference: {reference}."));
    Ok(Words {
        to,
        subject: format!("{cinema}: {subject} ({reference})"),
        paragraphs,
        link: Some(if kind == "showtime_moved" {
            (
                "Keep, exchange or cancel".to_string(),
                format!("{page}/moved"),
            )
        } else {
            ("Your booking".to_string(), page)
        }),
        signature: cinema,
        attachments,
    })
}
