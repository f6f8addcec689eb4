//! The outbox's worker: each message becomes a letter (`letters`: subject, text and HTML
//! bodies from one template pair, attachments) and goes out over SMTP (lettre), or, without
//! SMTP configured, into the mailbox table that staff read.
//!
//! Delivery (`deliver_once`): a node claims due messages for a while (`Store::claim_messages`,
//! `FOR UPDATE SKIP LOCKED` on PostgreSQL), so no two nodes send one; each claim counts an
//! attempt. An SMTP server's permanent refusal (5xx: an unknown mailbox) makes the message a
//! dead letter at once; a transient one (4xx, no connection, a timeout) is tried again after
//! a backoff that doubles from `backoff` (at most 6 hours), until `max_attempts`, then it is a
//! dead letter too. A message the server accepted is recorded as sent at once and never
//! claimed again. Only an acceptance the worker never learns of (the server's answer lost on
//! the way, or a node that dies before its record; another node sends it again once the
//! claim's lease has run out) can send one twice, and every copy of a message carries the one
//! `Message-ID` of its outbox row (`message_id`), by which mail systems keep one.

pub mod letters;

use crate::app::App;
use crate::error::{AppError, AppResult};
use crate::staff::StaffUser;
use chrono::{DateTime, Duration, Utc};
use lettre::message::{header::ContentType, Attachment, Mailbox, MultiPart, SinglePart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use marquee_payments::Secret;
use marquee_store::mail::{
    Claim, ClaimedMessage, DeadLetter, MailFilter, MailboxEntry, MailboxLetter, Outcome,
};
use marquee_store::OutboxMessage;
use tokio::sync::watch;

/// How mail leaves a node.
#[derive(Debug, Clone)]
pub struct MailConfig {
    /// `smtp://host:port` (plain), `smtp://host?tls=required` (STARTTLS),
    /// `smtp://host?tls=opportunistic`, `smtps://host` (implicit TLS). `None`: the mailbox.
    pub smtp_url: Option<Secret>,
    pub smtp_username: Option<String>,
    pub smtp_password: Option<Secret>,
    /// The sender; by default `{site name} <noreply@{public host}>`.
    pub from: Option<String>,
    /// What the site calls itself in mail that is about no one cinema (an account's).
    pub site_name: String,
    /// Attempts before a message is a dead letter.
    pub max_attempts: u32,
    /// The first wait after a transient failure; it doubles with each attempt.
    pub backoff: Duration,
    /// How often the worker looks for messages.
    pub interval: std::time::Duration,
    /// How long one SMTP conversation may take.
    pub timeout: std::time::Duration,
}

impl Default for MailConfig {
    fn default() -> Self {
        MailConfig {
            smtp_url: None,
            smtp_username: None,
            smtp_password: None,
            from: None,
            site_name: "Marquee".into(),
            max_attempts: 8,
            backoff: Duration::minutes(1),
            interval: std::time::Duration::from_secs(5),
            timeout: std::time::Duration::from_secs(30),
        }
    }
}

/// The longest wait between two attempts.
const MAX_BACKOFF: Duration = Duration::hours(6);
/// How long a claim lasts: longer than one SMTP conversation.
const LEASE: Duration = Duration::minutes(2);
/// Messages claimed per pass.
const BATCH: u32 = 20;

/// The wait after the `attempts`-th failed attempt: `backoff`, doubling, at most 6 hours.
pub fn backoff_after(backoff: Duration, attempts: u32) -> Duration {
    let doubled = 2i32.saturating_pow(attempts.saturating_sub(1).min(20));
    (backoff * doubled).min(MAX_BACKOFF)
}

/// A letter ready to go: recipient, subject, bodies and attachments.
pub struct Letter {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// File name, content type, bytes.
    pub attachments: Vec<(String, String, Vec<u8>)>,
}

/// What one pass did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Pass {
    pub sent: u32,
    pub retried: u32,
    pub failed: u32,
}

/// Delivers the messages due now, claimed as this node: one pass of the worker.
pub async fn deliver_once(app: &App) -> AppResult<Pass> {
    let now = app.now();
    let claimed = app
        .store()
        .claim_messages(Claim {
            node: app.config().node_id,
            now,
            lease: LEASE,
            limit: BATCH,
        })
        .await?;
    let mut pass = Pass::default();
    for message in claimed {
        let outcome = attempt(app, &message, now).await;
        let (id, kind, attempts) = (message.message.id, &message.message.kind, message.attempts);
        match &outcome {
            Outcome::Sent | Outcome::ToMailbox(_) => pass.sent += 1,
            Outcome::Retry { error, .. } => {
                pass.retried += 1;
                tracing::info!(id, %kind, attempts, %error, "mail not delivered; trying again later");
            }
            Outcome::Failed { error } => {
                pass.failed += 1;
                tracing::warn!(id, %kind, attempts, %error, "mail given up on: a dead letter");
            }
        }
        app.store().record_delivery(id, &outcome, app.now()).await?;
    }
    Ok(pass)
}

/// One attempt at one message.
async fn attempt(app: &App, claimed: &ClaimedMessage, now: DateTime<Utc>) -> Outcome {
    let letter = match letters::compose(app, &claimed.message).await {
        Ok(letter) => letter,
        // A message that cannot be written (a kind without a template, a booking gone) will
        // not be written next time either.
        Err(AppError::Invalid { message, .. }) => return Outcome::Failed { error: message },
        Err(error) => return retry(app, claimed, now, error.to_string()),
    };
    let Some(url) = &app.config().mail.smtp_url else {
        return Outcome::ToMailbox(MailboxEntry {
            outbox_id: claimed.message.id,
            recipient: letter.to,
            subject: letter.subject,
            text_body: letter.text,
            html_body: letter.html,
            created_at: now,
        });
    };
    match send(app, url, letter, &claimed.message).await {
        Ok(()) => Outcome::Sent,
        Err(SendError::Permanent(error)) => Outcome::Failed { error },
        Err(SendError::Transient(error)) => retry(app, claimed, now, error),
    }
}

fn retry(app: &App, claimed: &ClaimedMessage, now: DateTime<Utc>, error: String) -> Outcome {
    let config = &app.config().mail;
    if claimed.attempts >= config.max_attempts {
        return Outcome::Failed {
            error: format!("{error} (after {} attempts)", claimed.attempts),
        };
    }
    Outcome::Retry {
        error,
        retry_at: now + backoff_after(config.backoff, claimed.attempts),
    }
}

enum SendError {
    /// The server refused it for good (5xx), or it cannot be written as mail.
    Permanent(String),
    /// Not now: 4xx, no connection, a timeout.
    Transient(String),
}

/// The sender's address: configured, or the site's name at `noreply@` the public host.
pub fn sender(app: &App) -> String {
    let config = &app.config().mail;
    config.from.clone().unwrap_or_else(|| {
        let host = url::Url::parse(&app.config().public_url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_string))
            .filter(|h| h.contains('.') && h.parse::<std::net::IpAddr>().is_err())
            .unwrap_or_else(|| "localhost".to_string());
        format!("{} <noreply@{host}>", config.site_name)
    })
}

/// The `Message-ID` of every copy of an outbox message: its row's id and when it was queued
/// (so that a database started again, whose ids begin again, gives new ones).
fn message_id(message: &OutboxMessage, domain: &str) -> String {
    format!(
        "<marquee.{}.{}@{domain}>",
        message.id,
        message.created_at.timestamp_millis()
    )
}

async fn send(
    app: &App,
    url: &Secret,
    letter: Letter,
    message: &OutboxMessage,
) -> Result<(), SendError> {
    let config = &app.config().mail;
    let permanent = |e: &dyn std::fmt::Display| SendError::Permanent(e.to_string());
    let from: Mailbox = sender(app).parse().map_err(|e| permanent(&e))?;
    let id = message_id(message, from.email.domain());
    let to: Mailbox = letter.to.parse().map_err(|e| permanent(&e))?;
    let bodies = MultiPart::alternative()
        .singlepart(SinglePart::plain(letter.text))
        .singlepart(SinglePart::html(letter.html));
    let body = if letter.attachments.is_empty() {
        bodies
    } else {
        let mut mixed = MultiPart::mixed().multipart(bodies);
        for (name, content_type, bytes) in letter.attachments {
            let content_type = ContentType::parse(&content_type).map_err(|e| permanent(&e))?;
            mixed = mixed.singlepart(Attachment::new(name).body(bytes, content_type));
        }
        mixed
    };
    let mail = Message::builder()
        .message_id(Some(id))
        .from(from)
        .to(to)
        .subject(letter.subject)
        .multipart(body)
        .map_err(|e| permanent(&e))?;
    // The URL may hold credentials: its parse error is not repeated.
    let mut transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url.expose())
        .map_err(|_| SendError::Permanent("MARQUEE_SMTP_URL is not an SMTP URL".into()))?
        .timeout(Some(config.timeout));
    if let (Some(user), Some(password)) = (&config.smtp_username, &config.smtp_password) {
        transport =
            transport.credentials(lettre::transport::smtp::authentication::Credentials::new(
                user.clone(),
                password.expose().to_string(),
            ));
    }
    match transport.build().send(mail).await {
        Ok(_) => Ok(()),
        Err(e) if e.is_permanent() => Err(SendError::Permanent(e.to_string())),
        Err(e) => Err(SendError::Transient(e.to_string())),
    }
}

/// Delivers the outbox every `mail.interval` until `shutdown` turns true.
pub async fn deliver_mail(app: App, mut shutdown: watch::Receiver<bool>) {
    let mut tick = tokio::time::interval(app.config().mail.interval);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = shutdown.changed() => return,
        }
        match deliver_once(&app).await {
            Ok(pass) if pass == Pass::default() => {}
            Ok(pass) => tracing::info!(?pass, "delivered mail"),
            Err(err) => {
                tracing::warn!(error = %err, "delivering mail failed; trying again next time")
            }
        }
    }
}

/// The mail a member of staff may read (the back office's `/admin/mail`).
pub struct StaffMail {
    /// Newest first.
    pub mailbox: Vec<MailboxLetter>,
    /// Most recent first.
    pub dead_letters: Vec<DeadLetter>,
}

/// The mailbox and the dead letters, `limit` of each, as `staff` may read them: an owner all
/// of it; a venue-scoped member only the letters about their venues' bookings (not the
/// account letters, whose links sign in as someone else).
pub async fn for_staff(app: &App, staff: &StaffUser, limit: u32) -> AppResult<StaffMail> {
    let venues = staff.venue_filter();
    let filter = MailFilter {
        venues: venues.as_deref(),
        limit,
    };
    Ok(StaffMail {
        mailbox: app.store().mailbox(filter).await?,
        dead_letters: app.store().dead_letters(filter).await?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_backoff_doubles_up_to_six_hours() {
        let base = Duration::minutes(1);
        assert_eq!(backoff_after(base, 1), Duration::minutes(1));
        assert_eq!(backoff_after(base, 2), Duration::minutes(2));
        assert_eq!(backoff_after(base, 4), Duration::minutes(8));
        assert_eq!(backoff_after(base, 12), Duration::hours(6));
        assert_eq!(backoff_after(base, 500), Duration::hours(6));
    }
}
