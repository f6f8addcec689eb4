//! `search`: customers looking for something in a large catalog: the database's own, or, in a
//! database without one, a synthetic catalog of `--events` films and `--showtimes` showtimes
//! written first (what `marquee demo --events` writes). Each request takes one of the catalog's
//! upcoming showings at random and looks for its film the way people type; request number `n`
//! of the run is, by `n % 8`:
//!
//! - 0, 1: one word of the title (`GET /events?q=`), then with the showing's city,
//! - 2, 3: two words of it side by side, then with the city and the showing's local date,
//! - 4, 5: a word of 5+ letters with one letter wrong, then with the city and the date,
//! - 6, 7: the start of the title as type-ahead sends it (`GET /events/suggest?q=`), then with
//!   the city.
//!
//! Before the clock starts the catalog is built here as the server builds it (the same code),
//! to time the build and size the text index, and the server is asked once so that it has
//! built its own.

use crate::check::SearchCheck;
use crate::client::{Api, EventCount};
use crate::LoadtestArgs;
use chrono::{DateTime, NaiveDate, Utc};
use clap::Args;
use marquee_search::words;
use marquee_server::{demo, App};
use rand::seq::SliceRandom;
use rand::Rng;
use serde::Deserialize;
use serde_json::json;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(Args, Debug, Clone)]
pub struct SearchArgs {
    /// Films of the synthetic catalog written into a database that has no catalog.
    #[arg(long, default_value_t = 10_000)]
    pub events: usize,
    /// Showtimes of that catalog.
    #[arg(long, default_value_t = 30_000)]
    pub showtimes: usize,
    /// Requests in flight at once (HTTP connections), one worker each.
    #[arg(long, default_value_t = 64)]
    pub connections: usize,
    /// Length of the measured phase.
    #[arg(long, default_value_t = 15, value_parser = clap::value_parser!(u64).range(1..=crate::MAX_SECONDS))]
    pub seconds: u64,
    /// Stop sooner, after this many requests in all.
    #[arg(long, default_value_t = 1_000_000)]
    pub requests: u64,
}

/// Showings that start sooner than this are not searched for: they may start during the run.
const MARGIN: chrono::Duration = chrono::Duration::hours(2);
/// How long the server may take to answer its first query (it builds its catalog then).
const FIRST_ANSWER: Duration = Duration::from_secs(60);

/// A showing searched for: its film's title, city and local day.
struct Wanted {
    title: String,
    city: i64,
    date: NaiveDate,
}

/// What the run searches for, by kind of query.
struct Targets {
    all: Vec<Wanted>,
    /// Of `all`, those whose title has two words side by side (`two_words`).
    two_words: Vec<usize>,
    /// Of `all`, those whose title has a word of 5+ letters (`typo`). Titles are split into
    /// words as the index reads them (`marquee_search::words`: lower case, accents folded), so
    /// one letter changed is one edit ("Straße" is `strasse`).
    long_word: Vec<usize>,
}

/// How many queries found nothing, and how many were asked; every one is made from a showing
/// of the catalog, so each should find something.
#[derive(Default)]
struct Found {
    answered: AtomicU64,
    nothing: AtomicU64,
}

pub async fn run(
    common: &LoadtestArgs,
    server: Option<u32>,
    args: &SearchArgs,
    app: App,
) -> anyhow::Result<()> {
    anyhow::ensure!(
        args.connections > 0 && args.requests > 0,
        "connections and requests must be positive"
    );
    if !demo::has_catalog(app.store()).await? {
        let started = Instant::now();
        let size = demo::SyntheticSize {
            events: args.events,
            showtimes: args.showtimes,
            seed: demo::DEFAULT_SEED,
        };
        demo::load_synthetic(app.store(), size, app.now()).await?;
        if !common.json {
            eprintln!(
                "wrote a synthetic catalog of {} films and {} showtimes in {:.1?}",
                args.events,
                args.showtimes,
                started.elapsed()
            );
        }
    }
    let started = Instant::now();
    let built = marquee_server::search::build(&app, 0).await?;
    let build_time = started.elapsed();
    let index_bytes = built.catalog.text().size_bytes();
    let events = built.events.len();
    let targets = Arc::new(targets(&app, &built).await?);
    drop(built);
    anyhow::ensure!(
        !targets.two_words.is_empty() && !targets.long_word.is_empty(),
        "the catalog has too little to search for (films with two words in their title and one \
         of five letters, playing two hours from now or later)"
    );
    let api = Arc::new(Api::new(&common.target, args.connections)?);
    api.connect(&common.target, args.connections).await?;
    let first_answer = first_answer(&api).await?;
    if !common.json {
        eprintln!(
            "catalog of {events} events, {} upcoming showings; searching for {} s",
            targets.all.len(),
            args.seconds
        );
    }

    let found = Arc::new(Found::default());
    let measured = crate::drive::drive(
        &api,
        common.json,
        server,
        (args.connections, args.seconds, args.requests),
        {
            let (api, targets, found) = (api.clone(), targets.clone(), found.clone());
            move |n| {
                let (api, targets, found) = (api.clone(), targets.clone(), found.clone());
                async move { search(&api, &targets, n, &found).await }
            }
        },
    )
    .await;
    let result = SearchCheck {
        requests: measured.requests(),
        not_ok: measured.not_ok(),
        answered: found.answered.load(Ordering::Relaxed),
        found_nothing: found.nothing.load(Ordering::Relaxed),
    };
    let fields = json!({
        "scenario": "search",
        "backend": app.store().backend(),
        "connections": args.connections,
        "events": events,
        "showings": targets.all.len(),
        "index_build_seconds": build_time.as_secs_f64(),
        "text_index_bytes": index_bytes,
        "server_first_answer_seconds": first_answer.as_secs_f64(),
    });
    let heading = [
        format!(
            "search on {}: {} connections, {events} events, {} upcoming showings; measured {:.2?}",
            app.store().backend(),
            args.connections,
            targets.all.len(),
            measured.elapsed
        ),
        format!(
            "catalog built in {build_time:.2?} here (the server's code); text index {:.1} MiB \
             in memory; the server's first answer (it builds its own) took {first_answer:.2?}",
            index_bytes as f64 / (1024.0 * 1024.0)
        ),
    ];
    measured.print(common, fields, &heading, &result, &result.line());
    anyhow::ensure!(result.passed(), "{}", result.line());
    Ok(())
}

/// The upcoming showings the run searches for, each on its city's calendar.
async fn targets(app: &App, built: &marquee_server::search::Built) -> anyhow::Result<Targets> {
    let zones: HashMap<i64, chrono_tz::Tz> = app
        .store()
        .list_cities()
        .await?
        .into_iter()
        .map(|c| (c.id.0, c.timezone))
        .collect();
    let soonest: DateTime<Utc> = app.now() + MARGIN;
    let mut all = Vec::new();
    for showing in built.catalog.showings() {
        let (Some(event), Some(zone)) = (
            built.events.get(&marquee_domain::EventId(showing.event)),
            zones.get(&showing.city),
        ) else {
            continue;
        };
        if showing.starts_at >= soonest {
            all.push(Wanted {
                title: event.title.clone(),
                city: showing.city,
                date: showing.starts_at.with_timezone(zone).date_naive(),
            });
        }
    }
    let with = |test: fn(&[&str]) -> bool| -> Vec<usize> {
        (0..all.len())
            .filter(|&i| {
                let words = words(&all[i].title);
                test(&words.iter().map(String::as_str).collect::<Vec<_>>())
            })
            .collect()
    };
    Ok(Targets {
        two_words: with(|w| w.len() >= 2),
        long_word: with(|w| w.iter().any(|w| mistypable(w))),
        all,
    })
}

/// Asks the server once, so that it builds its catalog before the clock starts: how long the
/// first answer took.
async fn first_answer(api: &Api) -> anyhow::Result<Duration> {
    let started = Instant::now();
    let response = api
        .get("/events?per_page=1")
        .timeout(FIRST_ANSWER)
        .send()
        .await?;
    anyhow::ensure!(
        response.status().is_success(),
        "the server's first search answered {}",
        response.status()
    );
    Ok(started.elapsed())
}

#[derive(Deserialize)]
struct Suggestions {
    suggestions: Vec<serde::de::IgnoredAny>,
}

/// The kinds of query, by `n % 8` (see the module).
const KINDS: [&str; 8] = [
    "one word",
    "one word, city",
    "two words",
    "two words, city, date",
    "typo",
    "typo, city, date",
    "prefix",
    "prefix, city",
];

/// Request number `n` of the run, as the module's mix says.
async fn search(api: &Api, targets: &Targets, n: u64, found: &Found) {
    let kind = (n % 8) as usize;
    let Some(parameters) = parameters(targets, kind) else {
        return;
    };
    let suggest = kind >= 6;
    let route = if suggest {
        "/events/suggest"
    } else {
        "/events"
    };
    let request = api.get(route).query(&parameters);
    let Some((200..=299, body)) = api.send(KINDS[kind], request).await else {
        return;
    };
    let something = if suggest {
        serde_json::from_slice::<Suggestions>(&body).map(|s| !s.suggestions.is_empty())
    } else {
        serde_json::from_slice::<EventCount>(&body).map(|l| l.total > 0)
    };
    found.answered.fetch_add(1, Ordering::Relaxed);
    if !something.unwrap_or(false) {
        found.nothing.fetch_add(1, Ordering::Relaxed);
    }
}

/// A query of `kind` for a showing picked at random: its query string's parameters.
fn parameters(targets: &Targets, kind: usize) -> Option<Vec<(&'static str, String)>> {
    let mut rng = rand::thread_rng();
    let wanted = match kind {
        2 | 3 => targets.two_words.choose(&mut rng),
        4 | 5 => targets.long_word.choose(&mut rng),
        _ => None,
    }
    .map(|&i| &targets.all[i])
    .or_else(|| targets.all.choose(&mut rng));
    let wanted = wanted?;
    let title = words(&wanted.title);
    let text = match kind {
        0 | 1 => title.choose(&mut rng).map(|w| w.to_string()),
        2 | 3 => title
            .windows(2)
            .collect::<Vec<_>>()
            .choose(&mut rng)
            .map(|two| two.join(" ")),
        4 | 5 => title
            .iter()
            .filter(|w| mistypable(w))
            .collect::<Vec<_>>()
            .choose(&mut rng)
            .map(|w| mistyped(w, &mut rng)),
        _ => Some(typed_so_far(&wanted.title, &mut rng)),
    };
    let text = text?;
    let city = ("city", wanted.city.to_string());
    let date = ("date", wanted.date.to_string());
    let mut parameters = vec![("q", text)];
    match kind {
        1 | 7 => parameters.push(city),
        3 | 5 => parameters.extend([city, date]),
        _ => {}
    }
    Some(parameters)
}

/// A word a typo is made in: five ASCII letters or more.
fn mistypable(word: &str) -> bool {
    word.len() >= 5 && word.chars().all(|c| c.is_ascii_alphabetic())
}

/// `word` with one of its letters (not the first) changed to another: one edit away.
fn mistyped(word: &str, rng: &mut impl Rng) -> String {
    let mut letters: Vec<char> = word.chars().collect();
    let at = rng.gen_range(1..letters.len());
    let wrong = loop {
        let c = char::from(b'a' + rng.gen_range(0..26u8));
        if !c.eq_ignore_ascii_case(&letters[at]) {
            break c;
        }
    };
    letters[at] = wrong;
    letters.into_iter().collect()
}

/// The first three or more characters of `title`, as someone typing it has so far.
fn typed_so_far(title: &str, rng: &mut impl Rng) -> String {
    let chars: Vec<char> = title.chars().collect();
    let upto = rng.gen_range(3.min(chars.len())..=chars.len());
    chars[..upto].iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn a_mistyped_word_is_one_letter_off_and_keeps_its_first() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        for _ in 0..200 {
            let typo = mistyped("Interstellar", &mut rng);
            assert_eq!(typo.chars().count(), 12);
            assert!(typo.starts_with('I'));
            let differ = typo
                .chars()
                .zip("Interstellar".chars())
                .filter(|(a, b)| !a.eq_ignore_ascii_case(b))
                .count();
            assert_eq!(differ, 1, "{typo}");
        }
    }

    #[test]
    fn a_title_is_typed_from_its_start() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        for _ in 0..200 {
            let typed = typed_so_far("Amélie", &mut rng);
            assert!(typed.chars().count() >= 3);
            assert!("Amélie".starts_with(&typed));
        }
        assert_eq!(typed_so_far("Up", &mut rng), "Up");
    }
}
