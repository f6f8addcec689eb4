//! What is on, in memory: each event's words (the text index), its facets, and its upcoming
//! showings, so that a query with text and every filter is answered without the database.
//!
//! An event is listed when it has a showing that passes the showing filters (city, time
//! window, format, access tag, seats available); its next such showing is what ties of
//! relevance are broken by, and what the answer shows. Without text, events are listed by
//! title. Facet counts are of the events listed, by the value
//! each has (an event counts once per city where it has a showing that passes).

use crate::{order, EventText, Hit, SearchError, TextIndex};
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};

/// An event's facets.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facets {
    pub genres: Vec<String>,
    pub language: String,
    pub certificate: String,
}

/// One upcoming showtime of an event.
#[derive(Debug)]
pub struct Showing {
    pub showtime: i64,
    pub event: i64,
    pub city: i64,
    pub starts_at: DateTime<Utc>,
    pub format: String,
    /// Access and experience tags (`captioned`...).
    pub access: Vec<String>,
    /// Seats free now; kept up to date by `Catalog::seats_are`.
    pub seats_available: AtomicI64,
}

/// What a customer asks for. Text and strings are compared as given (the caller lower-cases
/// genres and languages as the catalog stores them).
#[derive(Debug, Clone, Default)]
pub struct Query<'a> {
    pub text: Option<&'a str>,
    pub city: Option<i64>,
    /// Showings starting at or after this...
    pub from: Option<DateTime<Utc>>,
    /// ...and before this.
    pub until: Option<DateTime<Utc>>,
    pub genre: Option<&'a str>,
    pub language: Option<&'a str>,
    pub certificate: Option<&'a str>,
    pub format: Option<&'a str>,
    /// Only showings with this access tag.
    pub access: Option<&'a str>,
    /// Only showings with a seat free.
    pub available: bool,
    /// From 1.
    pub page: usize,
    pub per_page: usize,
}

/// An event listed, with its next showing that passes the filters.
#[derive(Debug, Clone, PartialEq)]
pub struct Listed {
    pub event: i64,
    pub relevance: f32,
    pub next_showtime: i64,
    pub next_starts_at: DateTime<Utc>,
}

/// A page of events, how many there are in all, and the facets' counts over all of them.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Answer {
    pub events: Vec<Listed>,
    pub total: usize,
    /// (value, events), most first, then by value.
    pub genres: Vec<(String, usize)>,
    pub languages: Vec<(String, usize)>,
    pub formats: Vec<(String, usize)>,
    /// (city id, events).
    pub cities: Vec<(i64, usize)>,
}

/// The catalog as search reads it. Events are kept in a dense array (their position is what
/// a query works with) and their genres, languages, formats and cities as small numbers, so
/// that a query that matches thousands of events files and counts each without allocating.
pub struct Catalog {
    text: TextIndex,
    entries: Vec<Entry>,
    /// Each event's position in `entries`.
    at: HashMap<i64, usize>,
    /// Positions in `entries` by title, then event id: a listing without text.
    by_title: Vec<usize>,
    /// The same, of the events with a showing in each city (by the city's number): a listing
    /// of one city without text reads only its own.
    by_title_in: Vec<Vec<usize>>,
    /// Where each showtime is: (position of its event, position in its showings).
    by_showtime: HashMap<i64, (usize, usize)>,
    genres: Names<String>,
    languages: Names<String>,
    formats: Names<String>,
    cities: Names<i64>,
}

/// One event: its facets (as numbers of the catalog's `Names`) and its showings.
struct Entry {
    event: i64,
    genres: Vec<usize>,
    language: usize,
    certificate: String,
    /// Soonest first.
    showings: Vec<Filed>,
}

/// A showing, with its format and city as numbers of the catalog's `Names`.
struct Filed {
    showing: Showing,
    format: usize,
    city: usize,
}

/// Values given numbers in the order they are first seen.
struct Names<T> {
    values: Vec<T>,
    numbers: HashMap<T, usize>,
}

impl<T: Clone + Eq + std::hash::Hash> Names<T> {
    fn new() -> Names<T> {
        Names {
            values: Vec::new(),
            numbers: HashMap::new(),
        }
    }

    fn number(&mut self, value: &T) -> usize {
        if let Some(&n) = self.numbers.get(value) {
            return n;
        }
        self.values.push(value.clone());
        self.numbers.insert(value.clone(), self.values.len() - 1);
        self.values.len() - 1
    }

    fn len(&self) -> usize {
        self.values.len()
    }
}

/// A query's filters in the catalog's numbers. A value the catalog does not have matches
/// nothing.
struct Wanted<'q> {
    query: &'q Query<'q>,
    genre: Option<Option<usize>>,
    language: Option<Option<usize>>,
    city: Option<Option<usize>>,
    /// By format number: whether it passes (every format when none is asked for).
    formats: Vec<bool>,
}

impl Wanted<'_> {
    fn passes(&self, entry: &Entry) -> bool {
        self.genre
            .is_none_or(|g| g.is_some_and(|g| entry.genres.contains(&g)))
            && self.language.is_none_or(|l| l == Some(entry.language))
            && self
                .query
                .certificate
                .is_none_or(|c| entry.certificate == c)
    }

    fn showing_passes(&self, filed: &Filed) -> bool {
        let (showing, query) = (&filed.showing, self.query);
        self.city.is_none_or(|c| c == Some(filed.city))
            && self.formats[filed.format]
            && query.from.is_none_or(|from| showing.starts_at >= from)
            && query.until.is_none_or(|until| showing.starts_at < until)
            && query
                .access
                .is_none_or(|a| showing.access.iter().any(|have| have == a))
            && (!query.available || showing.seats_available.load(Ordering::Relaxed) > 0)
    }
}

/// An event listed by a query: how relevant, and its next showing that passes.
struct Candidate {
    hit: Hit,
    next: (DateTime<Utc>, i64),
}

impl Catalog {
    /// Indexes the events (each with its text and facets) and files their showings.
    pub fn build(
        events: Vec<(EventText, Facets)>,
        showings: Vec<Showing>,
    ) -> Result<Catalog, SearchError> {
        let texts: Vec<EventText> = events.iter().map(|(text, _)| text.clone()).collect();
        let text = TextIndex::build(&texts)?;
        let (mut genres, mut languages, mut formats, mut cities) =
            (Names::new(), Names::new(), Names::new(), Names::new());
        let mut entries: Vec<Entry> = Vec::with_capacity(events.len());
        let mut at = HashMap::with_capacity(events.len());
        for (text, facets) in &events {
            at.insert(text.id, entries.len());
            entries.push(Entry {
                event: text.id,
                genres: facets.genres.iter().map(|g| genres.number(g)).collect(),
                language: languages.number(&facets.language),
                certificate: facets.certificate.clone(),
                showings: Vec::new(),
            });
        }
        for showing in showings {
            if let Some(&position) = at.get(&showing.event) {
                let (format, city) = (
                    formats.number(&showing.format),
                    cities.number(&showing.city),
                );
                entries[position].showings.push(Filed {
                    showing,
                    format,
                    city,
                });
            }
        }
        let mut by_showtime = HashMap::new();
        for (position, entry) in entries.iter_mut().enumerate() {
            entry
                .showings
                .sort_by_key(|f| (f.showing.starts_at, f.showing.showtime));
            for (n, filed) in entry.showings.iter().enumerate() {
                by_showtime.insert(filed.showing.showtime, (position, n));
            }
        }
        let mut by_title: Vec<usize> = (0..entries.len()).collect();
        by_title.sort_by(|&a, &b| {
            texts[a]
                .title
                .cmp(&texts[b].title)
                .then(entries[a].event.cmp(&entries[b].event))
        });
        let mut by_title_in = vec![Vec::new(); cities.len()];
        for &position in &by_title {
            let mut seen: Vec<usize> = entries[position].showings.iter().map(|f| f.city).collect();
            seen.sort_unstable();
            seen.dedup();
            for city in seen {
                by_title_in[city].push(position);
            }
        }
        Ok(Catalog {
            text,
            entries,
            at,
            by_title,
            by_title_in,
            by_showtime,
            genres,
            languages,
            formats,
            cities,
        })
    }

    /// The text index (its size, suggestions).
    pub fn text(&self) -> &TextIndex {
        &self.text
    }

    /// A showtime's free seats are `seats` (read afresh).
    pub fn seats_are(&self, showtime: i64, seats: i64) {
        if let Some(&(event, n)) = self.by_showtime.get(&showtime) {
            if let Some(filed) = self.entries[event].showings.get(n) {
                filed
                    .showing
                    .seats_available
                    .store(seats, Ordering::Relaxed);
            }
        }
    }

    /// An event's upcoming showings, soonest first (none when the catalog has no such event).
    pub fn showings_of(&self, event: i64) -> impl Iterator<Item = &Showing> {
        self.at
            .get(&event)
            .and_then(|&at| self.entries.get(at))
            .into_iter()
            .flat_map(|e| e.showings.iter().map(|f| &f.showing))
    }

    /// Every upcoming showing, event by event (the load generator searches for them).
    pub fn showings(&self) -> impl Iterator<Item = &Showing> {
        self.entries
            .iter()
            .flat_map(|e| e.showings.iter().map(|f| &f.showing))
    }

    /// `query`'s filters in this catalog's numbers.
    fn wanted<'q>(&self, query: &'q Query<'q>) -> Wanted<'q> {
        let number = |names: &Names<String>, asked: Option<&str>| {
            asked.map(|a| names.numbers.get(a).copied())
        };
        Wanted {
            query,
            genre: number(&self.genres, query.genre),
            language: number(&self.languages, query.language),
            city: query.city.map(|c| self.cities.numbers.get(&c).copied()),
            formats: self
                .formats
                .values
                .iter()
                .map(|f| {
                    query
                        .format
                        .is_none_or(|asked| f.eq_ignore_ascii_case(asked))
                })
                .collect(),
        }
    }

    /// The events `query` asks for: a page of them, ranked, with the total and the facets.
    pub fn query(&self, query: &Query<'_>) -> Result<Answer, SearchError> {
        let searched = match query.text {
            Some(text) => self.text.search(text)?,
            None => None,
        };
        let wanted = self.wanted(query);
        let mut genres = vec![0; self.genres.len()];
        let mut languages = vec![0; self.languages.len()];
        let mut formats = vec![0; self.formats.len()];
        let mut cities = vec![0; self.cities.len()];
        // The candidate each format and city was last counted for: an event counts once.
        let mut format_seen = vec![usize::MAX; self.formats.len()];
        let mut city_seen = vec![usize::MAX; self.cities.len()];
        let by_text = searched.is_some();
        let found: Box<dyn Iterator<Item = (usize, f32)> + '_> = match searched {
            Some(hits) => Box::new(
                hits.into_iter()
                    .filter_map(|hit| Some((*self.at.get(&hit.event)?, hit.relevance))),
            ),
            None => {
                let in_title_order = match wanted.city {
                    None => &self.by_title[..],
                    Some(Some(city)) => &self.by_title_in[city][..],
                    Some(None) => &[][..],
                };
                Box::new(in_title_order.iter().map(|&at| (at, 0.0)))
            }
        };
        let mut listed: Vec<Candidate> = Vec::new();
        for (at, relevance) in found {
            let entry = &self.entries[at];
            if !wanted.passes(entry) {
                continue;
            }
            let mut next = None;
            let number = listed.len();
            for filed in entry.showings.iter().filter(|f| wanted.showing_passes(f)) {
                next.get_or_insert((filed.showing.starts_at, filed.showing.showtime));
                if format_seen[filed.format] != number {
                    format_seen[filed.format] = number;
                    formats[filed.format] += 1;
                }
                if city_seen[filed.city] != number {
                    city_seen[filed.city] = number;
                    cities[filed.city] += 1;
                }
            }
            let Some(next) = next else {
                continue;
            };
            for &genre in &entry.genres {
                genres[genre] += 1;
            }
            languages[entry.language] += 1;
            listed.push(Candidate {
                hit: Hit {
                    event: entry.event,
                    relevance,
                },
                next,
            });
        }
        // Without text the candidates came in title order already.
        let total = listed.len();
        let page_end = query.page.saturating_mul(query.per_page).min(listed.len());
        let skip = query.page.saturating_sub(1).saturating_mul(query.per_page);
        if by_text {
            let order = |a: &Candidate, b: &Candidate| order((&a.hit, a.next), (&b.hit, b.next));
            // Only the pages up to this one need to be in order.
            if page_end > 0 && page_end < listed.len() {
                listed.select_nth_unstable_by(page_end - 1, order);
                listed.truncate(page_end);
            }
            listed.sort_unstable_by(order);
        }
        Ok(Answer {
            total,
            events: listed
                .iter()
                .skip(skip)
                .take(query.per_page)
                .map(|c| Listed {
                    event: c.hit.event,
                    relevance: c.hit.relevance,
                    next_showtime: c.next.1,
                    next_starts_at: c.next.0,
                })
                .collect(),
            genres: counted(&self.genres.values, &genres),
            languages: counted(&self.languages.values, &languages),
            formats: counted(&self.formats.values, &formats),
            cities: counted(&self.cities.values, &cities),
        })
    }

    /// Up to `limit` events whose title starts as typed, each with its next showing (in
    /// `city`, when given, from `now`).
    pub fn suggest(
        &self,
        text: &str,
        city: Option<i64>,
        now: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<Listed>, SearchError> {
        let hits = self.text.suggest(text, usize::MAX)?;
        let query = Query {
            city,
            from: Some(now),
            ..Query::default()
        };
        let wanted = self.wanted(&query);
        let mut found: Vec<Listed> = hits
            .into_iter()
            .filter_map(|hit| {
                let entry = &self.entries[*self.at.get(&hit.event)?];
                let next = &entry
                    .showings
                    .iter()
                    .find(|f| wanted.showing_passes(f))?
                    .showing;
                Some(Listed {
                    event: hit.event,
                    relevance: hit.relevance,
                    next_showtime: next.showtime,
                    next_starts_at: next.starts_at,
                })
            })
            .collect();
        let hit = |l: &Listed| Hit {
            event: l.event,
            relevance: l.relevance,
        };
        found.sort_by(|a, b| order((&hit(a), a.next_starts_at), (&hit(b), b.next_starts_at)));
        found.truncate(limit);
        Ok(found)
    }
}

/// Each value counted at least once, most first, then by value.
fn counted<T: Clone + Ord>(values: &[T], counts: &[usize]) -> Vec<(T, usize)> {
    let mut counted: Vec<(T, usize)> = values
        .iter()
        .zip(counts)
        .filter(|(_, &n)| n > 0)
        .map(|(value, &n)| (value.clone(), n))
        .collect();
    counted.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    counted
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(day: u32, hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, day, hour, 0, 0).unwrap()
    }

    fn showing(
        showtime: i64,
        event: i64,
        city: i64,
        starts_at: DateTime<Utc>,
        format: &str,
        seats: i64,
    ) -> Showing {
        Showing {
            showtime,
            event,
            city,
            starts_at,
            format: format.to_string(),
            access: if format == "IMAX" {
                vec!["captioned".to_string()]
            } else {
                vec![]
            },
            seats_available: AtomicI64::new(seats),
        }
    }

    fn event(
        id: i64,
        title: &str,
        genres: &[&str],
        language: &str,
        certificate: &str,
    ) -> (EventText, Facets) {
        (
            EventText {
                id,
                title: title.to_string(),
                ..EventText::default()
            },
            Facets {
                genres: genres.iter().map(|g| g.to_string()).collect(),
                language: language.to_string(),
                certificate: certificate.to_string(),
            },
        )
    }

    /// Cities 1 and 2; five events, one with no showing at all.
    fn catalog() -> Catalog {
        Catalog::build(
            vec![
                event(1, "Star Night", &["drama"], "en", "12A"),
                event(2, "Star Wars", &["sci-fi", "action"], "en", "12A"),
                event(3, "Night Train", &["drama", "thriller"], "fr", "15"),
                event(4, "Star Child", &["family"], "en", "U"),
                event(5, "Never Shown", &["drama"], "en", "U"),
            ],
            vec![
                showing(10, 1, 1, at(10, 20), "2D", 50),
                showing(11, 1, 2, at(11, 18), "IMAX", 0),
                showing(20, 2, 1, at(10, 18), "3D", 10),
                showing(21, 2, 1, at(12, 18), "IMAX", 10),
                showing(30, 3, 2, at(10, 21), "2D", 5),
                showing(40, 4, 1, at(13, 11), "2D", 0),
            ],
        )
        .unwrap()
    }

    fn page(per_page: usize) -> Query<'static> {
        Query {
            page: 1,
            per_page,
            ..Query::default()
        }
    }

    fn ids(answer: &Answer) -> Vec<i64> {
        answer.events.iter().map(|l| l.event).collect()
    }

    #[test]
    fn without_text_events_with_a_showing_are_listed_by_title() {
        let answer = catalog().query(&page(10)).unwrap();
        // Night Train, Star Child, Star Night, Star Wars; Never Shown has no showing.
        assert_eq!(ids(&answer), [3, 4, 1, 2]);
        assert_eq!(answer.total, 4);
        assert_eq!(answer.events[3].next_showtime, 20);
        assert_eq!(
            catalog()
                .query(&Query {
                    text: Some(" * "),
                    ..page(10)
                })
                .unwrap(),
            answer,
            "a text of no words is no text"
        );
    }

    #[test]
    fn text_ranks_first_and_ties_go_to_the_sooner_showing() {
        let catalog = catalog();
        let answer = catalog
            .query(&Query {
                text: Some("star"),
                ..page(10)
            })
            .unwrap();
        assert_eq!(ids(&answer), [2, 1, 4]);
        let answer = catalog
            .query(&Query {
                text: Some("star night"),
                ..page(10)
            })
            .unwrap();
        assert_eq!(ids(&answer), [1]);
    }

    #[test]
    fn each_filter_narrows_the_events_and_the_next_showing_passes_them_all() {
        let catalog = catalog();
        let ask = |query: Query<'_>| ids(&catalog.query(&query).unwrap());
        assert_eq!(
            ask(Query {
                city: Some(2),
                ..page(10)
            }),
            [3, 1]
        );
        assert_eq!(
            ask(Query {
                from: Some(at(11, 0)),
                until: Some(at(12, 0)),
                ..page(10)
            }),
            [1]
        );
        assert_eq!(
            ask(Query {
                genre: Some("drama"),
                ..page(10)
            }),
            [3, 1]
        );
        assert_eq!(
            ask(Query {
                language: Some("fr"),
                ..page(10)
            }),
            [3]
        );
        assert_eq!(
            ask(Query {
                certificate: Some("12A"),
                ..page(10)
            }),
            [1, 2]
        );
        assert_eq!(
            ask(Query {
                format: Some("imax"),
                ..page(10)
            }),
            [1, 2]
        );
        assert_eq!(
            ask(Query {
                available: true,
                ..page(10)
            }),
            [3, 1, 2]
        );
        assert_eq!(
            ask(Query {
                access: Some("captioned"),
                ..page(10)
            }),
            [1, 2]
        );
        // Film 1 in city 2 is IMAX with no seat left: not listed when seats are asked for.
        assert_eq!(
            ask(Query {
                city: Some(2),
                available: true,
                ..page(10)
            }),
            [3]
        );
        let answer = catalog
            .query(&Query {
                format: Some("IMAX"),
                ..page(10)
            })
            .unwrap();
        assert_eq!(answer.events[0].next_showtime, 11, "film 1's IMAX showing");
        assert_eq!(answer.events[1].next_showtime, 21);
    }

    #[test]
    fn facets_count_the_events_listed() {
        let answer = catalog().query(&page(1)).unwrap();
        assert_eq!(answer.events.len(), 1, "one a page");
        assert_eq!(answer.total, 4);
        assert_eq!(
            answer.genres,
            [
                ("drama".to_string(), 2),
                ("action".to_string(), 1),
                ("family".to_string(), 1),
                ("sci-fi".to_string(), 1),
                ("thriller".to_string(), 1),
            ]
        );
        assert_eq!(
            answer.languages,
            [("en".to_string(), 3), ("fr".to_string(), 1)]
        );
        assert_eq!(
            answer.formats,
            [
                ("2D".to_string(), 3),
                ("IMAX".to_string(), 2),
                ("3D".to_string(), 1)
            ]
        );
        assert_eq!(answer.cities, [(1, 3), (2, 2)]);
    }

    #[test]
    fn pages_never_repeat_or_skip_an_event() {
        let catalog = catalog();
        let mut seen = Vec::new();
        for n in 1..=5 {
            let answer = catalog
                .query(&Query {
                    page: n,
                    per_page: 1,
                    ..Query::default()
                })
                .unwrap();
            seen.extend(ids(&answer));
        }
        assert_eq!(seen, [3, 4, 1, 2]);
        let past = catalog
            .query(&Query {
                page: 1_000_000,
                per_page: 1_000_000,
                ..Query::default()
            })
            .unwrap();
        assert!(past.events.is_empty());
        assert_eq!(past.total, 4);
    }

    #[test]
    fn seats_freed_or_taken_change_what_is_available() {
        let catalog = catalog();
        let available = Query {
            available: true,
            ..page(10)
        };
        assert!(!ids(&catalog.query(&available).unwrap()).contains(&4));
        catalog.seats_are(40, 7);
        assert!(ids(&catalog.query(&available).unwrap()).contains(&4));
        catalog.seats_are(40, 0);
        assert!(!ids(&catalog.query(&available).unwrap()).contains(&4));
        // A showtime the catalog does not have changes nothing.
        catalog.seats_are(999, 5);
    }

    #[test]
    fn an_events_showings_are_soonest_first_with_their_seats() {
        let catalog = catalog();
        let of = |event| {
            catalog
                .showings_of(event)
                .map(|s| (s.showtime, s.seats_available.load(Ordering::Relaxed)))
                .collect::<Vec<_>>()
        };
        assert_eq!(of(2), [(20, 10), (21, 10)]);
        catalog.seats_are(21, 3);
        assert_eq!(of(2), [(20, 10), (21, 3)]);
        assert_eq!(of(5), [], "an event with no showing");
        assert_eq!(of(999), [], "no such event");
    }

    #[test]
    fn suggestions_have_their_next_showing_in_the_city() {
        let catalog = catalog();
        let suggested = catalog.suggest("sta", None, at(1, 0), 8).unwrap();
        let found: Vec<(i64, i64)> = suggested
            .iter()
            .map(|l| (l.event, l.next_showtime))
            .collect();
        assert_eq!(found, [(2, 20), (1, 10), (4, 40)]);
        let in_two = catalog.suggest("sta", Some(2), at(1, 0), 8).unwrap();
        assert_eq!(
            in_two.iter().map(|l| l.next_showtime).collect::<Vec<_>>(),
            [11]
        );
        assert_eq!(catalog.suggest("sta", None, at(1, 0), 1).unwrap().len(), 1);
        assert!(
            catalog
                .suggest("never", None, at(1, 0), 8)
                .unwrap()
                .is_empty(),
            "no showing"
        );
    }
}
