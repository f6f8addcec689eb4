//! Synthetic films: titles from word lists (some in the film's own language, with their
//! accents; some sequels, "… 2"), casts and directors, genres, certificates and runtimes that
//! go with each other.

use super::rng::Rng;
use super::words::*;
use chrono::{DateTime, Days, Utc};
use marquee_store::NewEvent;
use std::collections::HashSet;

/// A film and what the schedule needs to know of it.
pub struct Film {
    pub event: NewEvent,
    /// Has a 3D print, shown in 3D where the screen can.
    pub three_d: bool,
}

/// Genres, each as likely as its weight.
const GENRES: &[(&str, u32)] = &[
    ("drama", 20),
    ("comedy", 14),
    ("action", 10),
    ("thriller", 10),
    ("horror", 7),
    ("crime", 6),
    ("romance", 6),
    ("sci-fi", 6),
    ("adventure", 5),
    ("fantasy", 4),
    ("animation", 4),
    ("documentary", 4),
    ("mystery", 4),
    ("family", 3),
    ("biography", 2),
    ("musical", 1),
    ("war", 1),
    ("western", 1),
    ("history", 1),
    ("sport", 1),
];

/// A film's language, by ISO 639-1 code.
const LANGUAGES: &[(&str, u32)] = &[
    ("en", 70),
    ("fr", 6),
    ("de", 5),
    ("es", 5),
    ("it", 3),
    ("ja", 3),
    ("ko", 2),
    ("sv", 2),
    ("da", 2),
    ("pt", 2),
];

/// One in this many films is a sequel of an earlier one.
const SEQUEL_PERCENT: u32 = 7;

pub fn films(rng: &mut Rng, count: usize, now: DateTime<Utc>) -> Vec<Film> {
    let mut titles = HashSet::with_capacity(count);
    let mut films: Vec<Film> = Vec::with_capacity(count);
    for _ in 0..count {
        let sequel = (rng.chance(SEQUEL_PERCENT) && !films.is_empty())
            .then(|| &films[rng.below(films.len())])
            .and_then(|of| Some((of.three_d, sequel(&of.event, &titles)?)));
        let film = match sequel {
            Some((three_d, event)) => Film {
                three_d,
                event: sequel_of(rng, event, now),
            },
            None => original(rng, &titles, now),
        };
        titles.insert(film.event.title.clone());
        films.push(film);
    }
    films
}

/// The next number of `event`'s series, unless that title is taken.
fn sequel(event: &NewEvent, titles: &HashSet<String>) -> Option<NewEvent> {
    let (base, number) = match event.title.rsplit_once(' ') {
        Some((base, n)) if n.parse::<u32>().is_ok_and(|n| n > 1) => {
            (base, n.parse::<u32>().ok()? + 1)
        }
        _ => (event.title.as_str(), 2),
    };
    let title = format!("{base} {number}");
    let original_title = match event.original_title.rsplit_once(' ') {
        _ if event.original_title.is_empty() => String::new(),
        Some((base, n)) if n.parse::<u32>().is_ok() => format!("{base} {number}"),
        _ => format!("{} {number}", event.original_title),
    };
    (!titles.contains(&title)).then(|| NewEvent {
        title,
        original_title,
        ..event.clone()
    })
}

/// A sequel keeps its director, genres and language, and some of its cast.
fn sequel_of(rng: &mut Rng, mut event: NewEvent, now: DateTime<Utc>) -> NewEvent {
    event.cast.truncate(2);
    let language = event.language.clone();
    while event.cast.len() < 4 {
        let name = person(rng, &language);
        if !event.cast.contains(&name) {
            event.cast.push(name);
        }
    }
    event.runtime_minutes = (event.runtime_minutes + rng.between(0, 15)).min(180);
    let genre = event.genres.first().cloned().unwrap_or_default();
    event.synopsis = synopsis(rng, &genre);
    event.release_date = release_date(rng, now);
    event
}

fn original(rng: &mut Rng, titles: &HashSet<String>, now: DateTime<Utc>) -> Film {
    let language = rng.weighted(LANGUAGES);
    let primary = rng.weighted(GENRES);
    let mut genres = vec![primary.to_string()];
    if primary == "animation" {
        genres.push("family".into());
    }
    for _ in 0..[0, 0, 1, 1, 2][rng.below(5)] {
        let more = rng.weighted(GENRES);
        let fits = more != "documentary" && primary != "documentary" && genres.len() < 3;
        if fits && !genres.iter().any(|g| g == more) {
            genres.push(more.to_string());
        }
    }
    // Half of the films in another language are listed under an English title.
    let foreign = FOREIGN_TITLES.iter().find(|t| t.language == language);
    let in_own_language = rng.chance(50);
    let mut attempts = 0;
    let (title, original_title) = loop {
        // A language's few titles run out first: then the film is listed in English.
        let (mut title, original_title) = match foreign {
            Some(words) if in_own_language && attempts < 10 => {
                (foreign_title(rng, words), String::new())
            }
            Some(words) => (english_title(rng), foreign_title(rng, words)),
            None => (english_title(rng), String::new()),
        };
        // The word lists make some twenty thousand titles; a larger catalog gives some a
        // subtitle, as a franchise does, and at last a number, which no other title has.
        attempts += 1;
        if attempts > 40 {
            title = format!("{title} ({})", titles.len());
        } else if attempts > 20 {
            title = format!("{title}: {}", english_title(rng));
        }
        if !titles.contains(&title) {
            break (title, original_title);
        }
    };
    let spectacle = ["action", "sci-fi", "fantasy", "adventure", "animation"].contains(&primary);
    let mut cast = Vec::new();
    let size = rng.between(3, 6) as usize;
    while cast.len() < size {
        let name = person(rng, language);
        if !cast.contains(&name) {
            cast.push(name);
        }
    }
    Film {
        three_d: spectacle && rng.chance(35),
        event: NewEvent {
            kind: "movie".into(),
            title,
            original_title,
            synopsis: synopsis(rng, primary),
            cast,
            director: person(rng, language),
            genres,
            language: language.into(),
            runtime_minutes: runtime(rng, primary),
            certificate: certificate(rng, primary).into(),
            // Nothing may be downloaded, and a made-up URL would be a broken image.
            poster_url: None,
            trailer_url: None,
            release_date: release_date(rng, now),
        },
    }
}

fn english_title(rng: &mut Rng) -> String {
    match rng.below(9) {
        0 | 1 => format!("The {} {}", rng.pick(ADJECTIVES), rng.pick(NOUNS)),
        2 => format!("{} {}", rng.pick(ADJECTIVES), rng.pick(NOUNS)),
        3 => format!("{} of {}", rng.pick(NOUNS), rng.pick(OF)),
        4 => format!("The {} of {}", rng.pick(NOUNS), rng.pick(OF)),
        5 => format!("{} at {}", rng.pick(NOUNS), rng.pick(PLACES)),
        6 => format!("{}{}", rng.pick(PLACE_STARTS), rng.pick(PLACE_ENDS)),
        7 => {
            let names = rng.pick(NAMES);
            format!("{} {}", rng.pick(GERUNDS), rng.pick(names.first))
        }
        _ => {
            let names = rng.pick(&NAMES[..2]);
            format!("{}'s {}", rng.pick(names.first), rng.pick(NOUNS))
        }
    }
}

fn foreign_title(rng: &mut Rng, words: &Titles) -> String {
    let pattern = *rng.pick(words.patterns);
    let a = *rng.pick(words.a);
    let b = *rng.pick(words.b);
    // French elides before a vowel: "de Amélie" is "d'Amélie".
    let title = pattern.replace("{a}", a).replace("{b}", b);
    let title = ["Amélie", "Élodie", "Hélène", "Inès", "Anaïs", "Théo"]
        .iter()
        .fold(title, |t, name| {
            t.replace(&format!("de {name}"), &format!("d'{name}"))
        });
    let mut letters = title.chars();
    match letters.next() {
        Some(first) => first.to_uppercase().chain(letters).collect(),
        None => title,
    }
}

/// A name from the film's own language group most of the time, from anywhere otherwise.
fn person(rng: &mut Rng, language: &str) -> String {
    let own = NAMES.iter().find(|n| n.language == language);
    let names = match own {
        Some(names) if rng.chance(70) => names,
        _ => rng.pick(NAMES),
    };
    let (first, family) = (rng.pick(names.first), rng.pick(names.family));
    if names.family_first {
        format!("{family} {first}")
    } else {
        format!("{first} {family}")
    }
}

fn synopsis(rng: &mut Rng, genre: &str) -> String {
    match genre {
        "documentary" => format!(
            "A documentary that follows {} through one extraordinary year. Filmed over {} \
             months, it asks what it takes to keep going when {}.",
            rng.pick(SUBJECTS),
            rng.between(6, 30),
            rng.pick(PRESSURES)
        ),
        "animation" | "family" => format!(
            "When {} {}, an adventure begins that nobody expected. As {}, {}.",
            rng.pick(YOUNG_HEROES),
            rng.pick(INCIDENTS),
            rng.pick(PRESSURES),
            rng.pick(TURNS)
        ),
        _ => {
            let role = rng.pick(ROLES);
            let mut letters = role.chars();
            let role: String = letters
                .next()
                .map(|c| c.to_uppercase().chain(letters).collect())
                .unwrap_or_default();
            format!(
                "{role} {}. As {}, {}.",
                rng.pick(INCIDENTS),
                rng.pick(PRESSURES),
                rng.pick(TURNS)
            )
        }
    }
}

fn runtime(rng: &mut Rng, genre: &str) -> u32 {
    let (low, high) = match genre {
        "animation" => (82, 105),
        "documentary" => (78, 115),
        "family" => (88, 110),
        "horror" => (86, 112),
        "comedy" => (88, 122),
        "action" | "sci-fi" | "adventure" => (105, 160),
        "fantasy" | "war" | "history" => (110, 175),
        _ => (92, 145),
    };
    // Two draws averaged: most films near the middle, few at the ends.
    (rng.between(low, high) + rng.between(low, high)) / 2
}

fn certificate(rng: &mut Rng, genre: &str) -> &'static str {
    let choices: &[(&str, u32)] = match genre {
        "animation" | "family" => &[("U", 6), ("PG", 4)],
        "documentary" => &[("U", 3), ("PG", 4), ("12A", 3)],
        "horror" => &[("15", 6), ("18", 4)],
        "thriller" | "crime" | "war" => &[("12A", 2), ("15", 6), ("18", 2)],
        "action" | "sci-fi" | "fantasy" | "adventure" => &[("PG", 2), ("12A", 6), ("15", 2)],
        _ => &[("PG", 2), ("12A", 5), ("15", 3)],
    };
    rng.weighted(choices)
}

/// Out now: opened up to three months ago.
fn release_date(rng: &mut Rng, now: DateTime<Utc>) -> Option<chrono::NaiveDate> {
    now.date_naive()
        .checked_sub_days(Days::new(u64::from(rng.between(0, 90))))
}
