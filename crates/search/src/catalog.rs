//! What is on, in memory: each event's words (the text index), its facets, and its upcoming
//! showings, so that a query with text and every filter is answered without the database.
//!
//! An event is listed when it has a showing that passes the showing filters (city, time
//! window, format, access tag, seats available); its next such showing is what ties of
//! relevance are broken by, and what the answer shows. Without text, events are listed by
//! title. Facet counts are of the events listed, by the value
//! each has (an event counts once per city where it has a showing that passes).

use crate::{rank, EventText, Hit, SearchError, TextIndex};
use chrono::{DateTime, Utc};
use std::collections::{BTreeMap, HashMap};
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

/// The catalog as search reads it.
pub struct Catalog {
    text: TextIndex,
    facets: HashMap<i64, Facets>,
    /// Each event's title: a listing without text is in title order.
    titles: HashMap<i64, String>,
    /// Each event's showings, soonest first.
    showings: HashMap<i64, Vec<Showing>>,
    /// Where each showtime is: (event, position in its showings).
    by_showtime: HashMap<i64, (i64, usize)>,
}

impl Catalog {
    /// Indexes the events (each with its text and facets) and files their showings.
    pub fn build(
        events: Vec<(EventText, Facets)>,
        showings: Vec<Showing>,
    ) -> Result<Catalog, SearchError> {
        let texts: Vec<EventText> = events.iter().map(|(text, _)| text.clone()).collect();
        let titles = texts.iter().map(|t| (t.id, t.title.clone())).collect();
        let text = TextIndex::build(&texts)?;
        let facets = events
            .into_iter()
            .map(|(text, facets)| (text.id, facets))
            .collect();
        let mut filed: HashMap<i64, Vec<Showing>> = HashMap::new();
        for showing in showings {
            filed.entry(showing.event).or_default().push(showing);
        }
        let mut by_showtime = HashMap::new();
        for (event, list) in filed.iter_mut() {
            list.sort_by_key(|s| (s.starts_at, s.showtime));
            for (at, showing) in list.iter().enumerate() {
                by_showtime.insert(showing.showtime, (*event, at));
            }
        }
        Ok(Catalog {
            text,
            facets,
            titles,
            showings: filed,
            by_showtime,
        })
    }

    /// The text index (its size, suggestions).
    pub fn text(&self) -> &TextIndex {
        &self.text
    }

    /// A showtime's free seats are `seats` (read afresh).
    pub fn seats_are(&self, showtime: i64, seats: i64) {
        if let Some(showing) = self.showing(showtime) {
            showing.seats_available.store(seats, Ordering::Relaxed);
        }
    }

    /// Every upcoming showing, event by event (the load generator searches for them).
    pub fn showings(&self) -> impl Iterator<Item = &Showing> {
        self.showings.values().flatten()
    }

    fn showing(&self, showtime: i64) -> Option<&Showing> {
        let (event, at) = self.by_showtime.get(&showtime)?;
        self.showings.get(event)?.get(*at)
    }

    /// The events `query` asks for: a page of them, ranked, with the total and the facets.
    pub fn query(&self, query: &Query<'_>) -> Result<Answer, SearchError> {
        let searched = match query.text {
            Some(text) => self.text.search(text)?,
            None => None,
        };
        let by_title = searched.is_none();
        let hits = searched.unwrap_or_else(|| self.everything());
        let mut listed = Vec::new();
        let mut answer = Answer::default();
        let mut genres: BTreeMap<&str, usize> = BTreeMap::new();
        let mut languages: BTreeMap<&str, usize> = BTreeMap::new();
        let mut formats: BTreeMap<&str, usize> = BTreeMap::new();
        let mut cities: BTreeMap<i64, usize> = BTreeMap::new();
        for hit in hits {
            let Some(facets) = self.facets.get(&hit.event) else {
                continue;
            };
            if !facets_pass(facets, query) {
                continue;
            }
            let passing: Vec<&Showing> = self
                .showings
                .get(&hit.event)
                .into_iter()
                .flatten()
                .filter(|s| showing_passes(s, query))
                .collect();
            let Some(next) = passing.first() else {
                continue;
            };
            for genre in &facets.genres {
                *genres.entry(genre).or_default() += 1;
            }
            *languages.entry(&facets.language).or_default() += 1;
            let mut seen_formats: Vec<&str> = passing.iter().map(|s| s.format.as_str()).collect();
            seen_formats.sort_unstable();
            seen_formats.dedup();
            for format in seen_formats {
                *formats.entry(format).or_default() += 1;
            }
            let mut seen_cities: Vec<i64> = passing.iter().map(|s| s.city).collect();
            seen_cities.sort_unstable();
            seen_cities.dedup();
            for city in seen_cities {
                *cities.entry(city).or_default() += 1;
            }
            listed.push((
                Hit {
                    event: hit.event,
                    relevance: hit.relevance,
                },
                (next.starts_at, next.showtime),
            ));
        }
        let next: HashMap<i64, (DateTime<Utc>, i64)> = listed
            .iter()
            .map(|(hit, next)| (hit.event, *next))
            .collect();
        let mut ranked: Vec<Hit> = listed.into_iter().map(|(hit, _)| hit).collect();
        if by_title {
            let untitled = String::new();
            let title = |e: i64| self.titles.get(&e).unwrap_or(&untitled);
            ranked.sort_by(|a, b| {
                title(a.event)
                    .cmp(title(b.event))
                    .then(a.event.cmp(&b.event))
            });
        } else {
            rank(&mut ranked, |event| next.get(&event).copied());
        }
        answer.total = ranked.len();
        let skip = query.page.saturating_sub(1).saturating_mul(query.per_page);
        answer.events = ranked
            .into_iter()
            .skip(skip)
            .take(query.per_page)
            .filter_map(|hit| {
                next.get(&hit.event).map(|(starts_at, showtime)| Listed {
                    event: hit.event,
                    relevance: hit.relevance,
                    next_showtime: *showtime,
                    next_starts_at: *starts_at,
                })
            })
            .collect();
        answer.genres = counted(genres);
        answer.languages = counted(languages);
        answer.formats = counted(formats);
        let mut cities: Vec<(i64, usize)> = cities.into_iter().collect();
        cities.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        answer.cities = cities;
        Ok(answer)
    }

    /// Every event, each as relevant as the others (a listing without text).
    fn everything(&self) -> Vec<Hit> {
        self.facets
            .keys()
            .map(|&event| Hit {
                event,
                relevance: 0.0,
            })
            .collect()
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
        let mut found: Vec<Listed> = hits
            .into_iter()
            .filter_map(|hit| {
                let next = self
                    .showings
                    .get(&hit.event)?
                    .iter()
                    .find(|s| showing_passes(s, &query))?;
                Some(Listed {
                    event: hit.event,
                    relevance: hit.relevance,
                    next_showtime: next.showtime,
                    next_starts_at: next.starts_at,
                })
            })
            .collect();
        found.sort_by(|a, b| {
            b.relevance
                .total_cmp(&a.relevance)
                .then(a.next_starts_at.cmp(&b.next_starts_at))
                .then(a.event.cmp(&b.event))
        });
        found.truncate(limit);
        Ok(found)
    }
}

fn facets_pass(facets: &Facets, query: &Query<'_>) -> bool {
    query
        .genre
        .is_none_or(|g| facets.genres.iter().any(|have| have == g))
        && query.language.is_none_or(|l| facets.language == l)
        && query.certificate.is_none_or(|c| facets.certificate == c)
}

fn showing_passes(showing: &Showing, query: &Query<'_>) -> bool {
    query.city.is_none_or(|c| showing.city == c)
        && query.from.is_none_or(|from| showing.starts_at >= from)
        && query.until.is_none_or(|until| showing.starts_at < until)
        && query
            .format
            .is_none_or(|f| showing.format.eq_ignore_ascii_case(f))
        && query
            .access
            .is_none_or(|a| showing.access.iter().any(|have| have == a))
        && (!query.available || showing.seats_available.load(Ordering::Relaxed) > 0)
}

/// Counts, most first, then by value.
fn counted(counts: BTreeMap<&str, usize>) -> Vec<(String, usize)> {
    let mut counted: Vec<(String, usize)> = counts
        .into_iter()
        .map(|(value, n)| (value.to_string(), n))
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
