//! `marquee mail list`: the mailbox (mail delivered without SMTP) and the dead letters, as
//! text, read from the database.

use marquee_store::mail::MailFilter;
use marquee_store::Store;
use std::fmt::Write;

/// The listing: the mailbox newest first (time, recipient, subject; with `bodies`, each text
/// body indented below), then the dead letters most recent first (time, message, attempts,
/// last error), at most `limit` of each.
pub async fn list(store: &dyn Store, limit: u32, bodies: bool) -> anyhow::Result<String> {
    let mailbox = store.mailbox(MailFilter::all(limit)).await?;
    let dead = store.dead_letters(MailFilter::all(limit)).await?;
    let mut out = String::new();
    if mailbox.is_empty() {
        writeln!(out, "Mailbox: empty")?;
    } else {
        writeln!(out, "Mailbox ({}, newest first):", mailbox.len())?;
    }
    for entry in mailbox.iter().map(|letter| &letter.entry) {
        writeln!(
            out,
            "{}  to {}  {}",
            when(entry.created_at),
            one_line(&entry.recipient),
            one_line(&entry.subject)
        )?;
        if bodies {
            for line in entry.text_body.lines() {
                writeln!(out, "    {line}")?;
            }
        }
    }
    if dead.is_empty() {
        writeln!(out, "Dead letters: none")?;
    } else {
        writeln!(out, "Dead letters ({}, most recent first):", dead.len())?;
    }
    for letter in &dead {
        let booking = letter
            .booking_id
            .map(|b| format!(" booking {b}"))
            .unwrap_or_default();
        writeln!(
            out,
            "{}  #{} {}{}  after {} attempt{}  last error: {}",
            when(letter.failed_at),
            letter.id,
            letter.kind,
            booking,
            letter.attempts,
            if letter.attempts == 1 { "" } else { "s" },
            one_line(&letter.last_error)
        )?;
    }
    Ok(out)
}

fn when(at: chrono::DateTime<chrono::Utc>) -> String {
    at.format("%Y-%m-%d %H:%M:%S UTC").to_string()
}

/// A value on one line: an SMTP error's line breaks (and other control characters) become
/// spaces.
fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .trim()
        .to_string()
}
