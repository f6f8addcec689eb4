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
