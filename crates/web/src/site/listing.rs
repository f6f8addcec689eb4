//! What the home page and a film's page show alike: a film's facts, and showtimes grouped by
//! cinema, each a link to its seat map with its time on the venue's clock, format, language
//! and access tags in words. No price is shown here: a price first appears on the seat map,
//! all in.

use crate::words::{self, tag_words};
use chrono_tz::Tz;
use marquee_domain::{AccessTag, Event};
use marquee_store::ShowtimeInfo;

/// A film as a listing shows it.
pub struct Film {
    pub id: i64,
    pub title: String,
    /// Our own poster's path; a poster elsewhere is not shown (the pages' CSP loads images
    /// from this site only).
    pub poster: Option<String>,
    pub certificate: String,
    pub runtime: String,
    pub genres: String,
}

impl Film {
    pub fn of(event: &Event) -> Film {
        Film {
            id: event.id.0,
            title: event.title.clone(),
            poster: event
                .poster_url
                .clone()
                .filter(|url| url.starts_with('/') && !url.starts_with("//")),
            certificate: event.certificate.clone(),
            runtime: words::runtime(event.runtime_minutes),
            genres: event
                .genres
                .iter()
                .map(|g| capitalised(g))
                .collect::<Vec<_>>()
                .join(", "),
        }
    }
}

/// A cinema's showtimes.
pub struct Cinema {
    pub name: String,
    pub showtimes: Vec<Showing>,
}

/// One showtime, as its link shows it.
pub struct Showing {
    pub id: i64,
    /// `14:30` on the venue's clock, and the instant for `<time datetime>`.
    pub time: String,
    pub datetime: String,
    pub format: String,
    /// `English`, or `Japanese, English subtitles`.
    pub language: String,
    pub tags: Vec<&'static str>,
}

impl Showing {
    fn of(info: &ShowtimeInfo, zone: Tz) -> Showing {
        let s = &info.showtime;
        let mut language = words::language(&s.audio_language);
        if let Some(subtitles) = s.subtitles.as_deref().filter(|s| !s.trim().is_empty()) {
            language.push_str(&format!(", {} subtitles", words::language(subtitles)));
        }
        Showing {
            id: s.id.0,
            time: words::local(s.starts_at, zone, "%H:%M"),
            datetime: s.starts_at.to_rfc3339(),
            format: s.format.clone(),
            language,
            tags: s.access.iter().map(|t| tag_words(*t).1).collect(),
        }
    }
}

/// `showtimes` (by start) grouped by cinema, cinemas by name, each one's by start; times on
/// the city's clock `zone`.
pub fn by_cinema<'a>(
    showtimes: impl IntoIterator<Item = &'a ShowtimeInfo>,
    zone: Tz,
) -> Vec<Cinema> {
    let mut cinemas: Vec<(i64, Cinema)> = Vec::new();
    for info in showtimes {
        let venue = info.venue.id.0;
        let at = match cinemas.iter().position(|(id, _)| *id == venue) {
            Some(at) => at,
            None => {
                cinemas.push((
                    venue,
                    Cinema {
                        name: info.venue.name.clone(),
                        showtimes: Vec::new(),
                    },
                ));
                cinemas.len() - 1
            }
        };
        cinemas[at].1.showtimes.push(Showing::of(info, zone));
    }
    cinemas.sort_by(|a, b| a.1.name.cmp(&b.1.name).then(a.0.cmp(&b.0)));
    cinemas.into_iter().map(|(_, cinema)| cinema).collect()
}

/// `sci-fi` as `Sci-fi`.
pub(crate) fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// An access tag as the filter offers it.
pub struct AccessOption {
    pub value: &'static str,
    pub words: &'static str,
    pub selected: bool,
}

/// The access filter's choices, `chosen` marked.
pub fn access_options(chosen: Option<AccessTag>) -> Vec<AccessOption> {
    AccessTag::ALL
        .iter()
        .map(|&tag| AccessOption {
            value: tag.as_str(),
            words: tag_words(tag).1,
            selected: chosen == Some(tag),
        })
        .collect()
}
