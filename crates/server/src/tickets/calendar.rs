//! A booking as an iCalendar event (RFC 5545), for the customer's calendar. Written here
//! rather than with a crate: it is one event of eight properties, and what matters (CRLF line
//! ends, text escaped, lines folded at 75 octets without splitting a character) is tested
//! below and read back by an independent parser in the API tests.

use super::TicketSheet;
use chrono::{DateTime, Utc};

/// The `.ics` of a booking: one VEVENT whose UID stays the same for the booking however often
/// it is downloaded, so calendars update the event rather than add another. `host` names the
/// site in the UID (`booking-{id}@{host}`); `url` is the booking's page.
pub fn render(sheet: &TicketSheet, now: DateTime<Utc>, host: &str, url: &str) -> String {
    let location = format!("{}, {}, {}", sheet.venue, sheet.address, sheet.city);
    let description = format!(
        "Booking {}\nSeats: {}\nHall: {}\n{} on the venue's clock",
        sheet.reference,
        sheet.seats(),
        sheet.auditorium,
        sheet.local_start()
    );
    let lines = [
        "BEGIN:VCALENDAR".to_string(),
        "VERSION:2.0".to_string(),
        "PRODID:-//Marquee//Tickets//EN".to_string(),
        "CALSCALE:GREGORIAN".to_string(),
        "METHOD:PUBLISH".to_string(),
        "BEGIN:VEVENT".to_string(),
        format!("UID:booking-{}@{}", sheet.booking_id, escape(host)),
        format!("DTSTAMP:{}", utc(now)),
        format!("DTSTART:{}", utc(sheet.starts_at)),
        format!("DTEND:{}", utc(sheet.ends_at)),
        format!("SUMMARY:{}", escape(&sheet.film)),
        format!("LOCATION:{}", escape(&location)),
        format!("DESCRIPTION:{}", escape(&description)),
        format!("URL:{url}"),
        "END:VEVENT".to_string(),
        "END:VCALENDAR".to_string(),
    ];
    lines.iter().map(|line| fold(line)).collect()
}

/// A UTC date-time in the calendar's basic format, e.g. `20261124T130000Z`.
fn utc(at: DateTime<Utc>) -> String {
    at.format("%Y%m%dT%H%M%SZ").to_string()
}

/// TEXT escaped as RFC 5545 3.3.11 says: backslash, semicolon, comma and line breaks.
fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => escaped.push_str("\\\\"),
            ';' => escaped.push_str("\\;"),
            ',' => escaped.push_str("\\,"),
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' | '\r' => escaped.push_str("\\n"),
            c if c.is_control() => {}
            c => escaped.push(c),
        }
    }
    escaped
}

/// Octets a content line may have before it is folded (CRLF not counted).
const LINE_OCTETS: usize = 75;

/// A content line ended with CRLF, folded as RFC 5545 3.1 says: no line longer than 75
/// octets, each continuation starting with a space, and never inside a UTF-8 character.
fn fold(line: &str) -> String {
    let mut folded = String::with_capacity(line.len() + line.len() / LINE_OCTETS * 3 + 2);
    let mut octets = 0;
    for c in line.chars() {
        if octets + c.len_utf8() > LINE_OCTETS {
            folded.push_str("\r\n ");
            // The continuation's leading space counts towards its 75.
            octets = 1;
        }
        folded.push(c);
        octets += c.len_utf8();
    }
    folded.push_str("\r\n");
    folded
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped() {
        assert_eq!(
            escape("Rua A, 1; back\\slash\r\nnext\nline"),
            "Rua A\\, 1\\; back\\\\slash\\nnext\\nline"
        );
        assert_eq!(escape("tab\there"), "tabhere");
    }

    #[test]
    fn long_lines_fold_at_75_octets_and_never_inside_a_character() {
        assert_eq!(fold("SUMMARY:short"), "SUMMARY:short\r\n");
        let long = format!("DESCRIPTION:{}", "é".repeat(100));
        let folded = fold(&long);
        assert!(folded.ends_with("\r\n"));
        let lines: Vec<&str> = folded.trim_end_matches("\r\n").split("\r\n").collect();
        assert!(lines.len() > 2, "{lines:?}");
        for (i, line) in lines.iter().enumerate() {
            assert!(
                line.len() <= LINE_OCTETS,
                "line {i} is {} octets",
                line.len()
            );
            assert_eq!(i > 0, line.starts_with(' '), "line {i}: {line:?}");
        }
        // Unfolding gives the line back.
        assert_eq!(folded.trim_end_matches("\r\n").replace("\r\n ", ""), long);
        // Exactly 75 octets stay one line; 76 fold.
        let exact = "X".repeat(75);
        assert_eq!(fold(&exact), format!("{exact}\r\n"));
        assert_eq!(fold(&"X".repeat(76)), format!("{exact}\r\n X\r\n"));
    }
}
