//! Builds an index of synthetic events and times queries of each kind: the figures that tell
//! whether the index alone is fast enough. `cargo run --release -p marquee-search --example
//! search_bench -- 10000`.

use marquee_search::{rank, EventText, TextIndex};
use std::time::Instant;

const WORDS: [&str; 24] = [
    "star",
    "night",
    "river",
    "shadow",
    "empire",
    "avengers",
    "interstellar",
    "amélie",
    "garden",
    "winter",
    "summer",
    "ghost",
    "city",
    "dream",
    "island",
    "storm",
    "secret",
    "last",
    "king",
    "queen",
    "ocean",
    "fire",
    "silent",
    "return",
];
const NAMES: [&str; 12] = [
    "Ana Silva",
    "Ben Okafor",
    "Chloé Martin",
    "Dmitri Volkov",
    "Emma Stone",
    "Farah Khan",
    "Gus Van",
    "Hana Sato",
    "Ivan Petrov",
    "Julia Roberts",
    "Kofi Mensah",
    "Lena Fischer",
];

fn main() {
    let events: usize = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(10_000);
    let catalog: Vec<EventText> = (0..events)
        .map(|n| {
            let w = |k: usize| WORDS[(n * 7 + k * 13) % WORDS.len()];
            EventText {
                id: n as i64,
                title: format!("{} {} {}", w(0), w(1), n % 97),
                original_title: String::new(),
                people: (0..4)
                    .map(|k| NAMES[(n + k * 5) % NAMES.len()].to_string())
                    .collect(),
                tags: vec!["drama".into(), "en".into(), "12A".into()],
                places: vec!["Lumen Southbank".into(), "London".into()],
                synopsis: (0..30).map(w).collect::<Vec<_>>().join(" "),
            }
        })
        .collect();
    let started = Instant::now();
    let index = TextIndex::build(&catalog).expect("built");
    println!(
        "built {} events in {:?}, {} bytes",
        index.len(),
        started.elapsed(),
        index.size_bytes()
    );
    for (kind, query) in [
        ("one word", "shadow"),
        ("two words", "winter storm"),
        ("typo", "interstelar"),
        ("prefix", "ave"),
        ("people", "chloe martin"),
    ] {
        let mut times = Vec::new();
        let mut found = 0;
        for _ in 0..200 {
            let t = Instant::now();
            let mut hits = index.search(query).expect("searched").unwrap_or_default();
            rank(&mut hits, |id| id);
            found = hits.len();
            times.push(t.elapsed());
        }
        times.sort();
        println!(
            "{kind:10} {query:14} {found:6} hits  p50 {:?}  p99 {:?}",
            times[times.len() / 2],
            times[times.len() * 99 / 100]
        );
    }
}
