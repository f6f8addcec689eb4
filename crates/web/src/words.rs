//! How things are named to people on the pages: seat categories, access tags, times on a
//! venue's clock.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use marquee_domain::{AccessTag, SeatCategory};

/// A seat category as customers read it.
pub fn category_name(category: SeatCategory) -> &'static str {
    match category {
        SeatCategory::Standard => "Standard",
        SeatCategory::Premium => "Premium",
        SeatCategory::Accessible => "Wheelchair space",
        SeatCategory::Companion => "Companion seat",
    }
}

/// An access tag as people read it: a short mark for a crowded place and its words.
pub fn tag_words(tag: AccessTag) -> (&'static str, &'static str) {
    match tag {
        AccessTag::Subtitled => ("ST", "Subtitled"),
        AccessTag::Captioned => ("CC", "Captioned (SDH)"),
        AccessTag::AudioDescribed => ("AD", "Audio described"),
        AccessTag::Relaxed => ("Relaxed", "Relaxed screening"),
        AccessTag::ParentAndBaby => ("P&B", "Parent and baby"),
    }
}

/// An instant on a venue's wall clock, in `format` (chrono's).
pub fn local(at: DateTime<Utc>, zone: Tz, format: &str) -> String {
    at.with_timezone(&zone).format(format).to_string()
}

/// An instant on a venue's wall clock as customers read it, e.g. `Tue 24 Nov, 13:00`.
pub fn local_time(at: DateTime<Utc>, zone: Tz) -> String {
    local(at, zone, "%a %-d %b, %H:%M")
}

/// A runtime in hours and minutes, e.g. `1 h 52 min`.
pub fn runtime(minutes: u32) -> String {
    match (minutes / 60, minutes % 60) {
        (0, m) => format!("{m} min"),
        (h, 0) => format!("{h} h"),
        (h, m) => format!("{h} h {m} min"),
    }
}

/// A language by its ISO 639-1 code, in English; a code not listed is shown as it is,
/// upper-cased.
pub fn language(code: &str) -> String {
    const NAMES: &[(&str, &str)] = &[
        ("ar", "Arabic"),
        ("da", "Danish"),
        ("de", "German"),
        ("en", "English"),
        ("es", "Spanish"),
        ("fi", "Finnish"),
        ("fr", "French"),
        ("hi", "Hindi"),
        ("it", "Italian"),
        ("ja", "Japanese"),
        ("ko", "Korean"),
        ("nl", "Dutch"),
        ("no", "Norwegian"),
        ("pl", "Polish"),
        ("pt", "Portuguese"),
        ("ru", "Russian"),
        ("sv", "Swedish"),
        ("tr", "Turkish"),
        ("zh", "Chinese"),
    ];
    let code = code.trim();
    NAMES
        .iter()
        .find(|(c, _)| c.eq_ignore_ascii_case(code))
        .map_or_else(|| code.to_uppercase(), |(_, name)| name.to_string())
}

/// A booking's status as its customer reads it.
pub fn booking_status(status: marquee_domain::BookingStatus) -> &'static str {
    use marquee_domain::BookingStatus as S;
    match status {
        S::Held => "Seats held",
        S::PaymentPending => "Waiting for payment",
        S::Confirmed => "Confirmed",
        S::Cancelled => "Cancelled",
        S::Refunded => "Refunded",
        S::Expired => "Hold expired",
        S::PaymentFailed => "Payment failed",
        S::Released => "Released",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runtimes_and_languages_read_as_words() {
        assert_eq!(runtime(45), "45 min");
        assert_eq!(runtime(120), "2 h");
        assert_eq!(runtime(112), "1 h 52 min");
        assert_eq!(language("ja"), "Japanese");
        assert_eq!(language("EN"), "English");
        assert_eq!(language("xx"), "XX");
    }
}
