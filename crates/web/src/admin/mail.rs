//! `/admin/mail` (owners and managers): the mailbox, where mail goes when no SMTP server is
//! configured (newest first: when, to whom, the subject, the text body to open), and the dead
//! letters, the messages given up on, with their last error. Read through `mail::for_staff`:
//! a manager sees the mail about their venues' bookings only.

use crate::page::{html, PageError};
use crate::session::Staff;
use crate::shell::Shell;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, Utc};
use marquee_server::http::staff::Manager;
use marquee_server::{mail, App};

/// How many of each the page shows.
const SHOWN: u32 = 100;

#[derive(Template)]
#[template(path = "admin/mail.html")]
struct MailPage {
    shell: Shell,
    /// Whether mail goes out over SMTP (the mailbox then only holds what came before).
    smtp: bool,
    letters: Vec<LetterView>,
    dead: Vec<DeadView>,
}

struct LetterView {
    at: String,
    when: String,
    to: String,
    subject: String,
    kind: String,
    text: String,
}

struct DeadView {
    at: String,
    when: String,
    id: i64,
    kind: String,
    booking: Option<String>,
    attempts: u32,
    error: String,
}

fn times(at: DateTime<Utc>) -> (String, String) {
    (at.to_rfc3339(), at.format("%Y-%m-%d %H:%M:%S").to_string())
}

/// `GET /admin/mail`.
pub async fn page(State(app): State<App>, staff: Staff<Manager>) -> Result<Response, PageError> {
    let read = mail::for_staff(&app, &staff.staff, SHOWN).await?;
    let letters = read
        .mailbox
        .into_iter()
        .map(|letter| {
            let (at, when) = times(letter.entry.created_at);
            LetterView {
                at,
                when,
                to: letter.entry.recipient,
                subject: letter.entry.subject,
                kind: letter.kind,
                text: letter.entry.text_body,
            }
        })
        .collect();
    let dead = read
        .dead_letters
        .into_iter()
        .map(|letter| {
            let (at, when) = times(letter.failed_at);
            DeadView {
                at,
                when,
                id: letter.id,
                kind: letter.kind,
                booking: letter.booking_id.map(|b| b.to_string()),
                attempts: letter.attempts,
                error: letter.last_error,
            }
        })
        .collect();
    let page = MailPage {
        shell: Shell::staff(&staff.signed_in, &staff.staff, "/admin/mail"),
        smtp: app.config().mail.smtp_url.is_some(),
        letters,
        dead,
    };
    Ok(html(StatusCode::OK, &page))
}
