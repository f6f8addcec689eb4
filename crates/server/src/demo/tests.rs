//! Proofs of what the demo catalog promises, on the plain data `catalog` builds.

use super::*;
use chrono::Timelike;
use marquee_domain::SeatCategory;
use std::collections::{BTreeSet, HashSet};

/// A spring morning in the week the clocks go forward in Europe (New York changed three
/// weeks earlier), and a late evening when the local date differs between the cities.
fn nows() -> [DateTime<Utc>; 2] {
    [
        Utc.with_ymd_and_hms(2026, 3, 26, 9, 30, 0).unwrap(),
        Utc.with_ymd_and_hms(2026, 11, 20, 23, 50, 0).unwrap(),
    ]
}

fn showtimes(
    catalog: &DemoCatalog,
) -> impl Iterator<Item = (&DemoCity, &DemoAuditorium, &DemoShowtime)> {
    catalog
        .auditoriums()
        .flat_map(|(city, hall)| hall.showtimes.iter().map(move |s| (city, hall, s)))
}

#[test]
fn every_layout_and_currency_parses_so_nothing_is_left_out() {
    for spec in CITIES
        .iter()
        .flat_map(|c| c.venues)
        .flat_map(|v| v.auditoriums)
    {
        let parsed = SeatLayout::parse(&dedent(spec.layout));
        assert!(parsed.is_ok(), "{}: {:?}", spec.name, parsed.err());
    }
    let catalog = catalog(nows()[0]);
    let specs = CITIES
        .iter()
        .flat_map(|c| c.venues)
        .flat_map(|v| v.auditoriums)
        .count();
    assert_eq!(catalog.auditoriums().count(), specs);
    assert_eq!(catalog.cities.len(), CITIES.len());
    let currencies: Vec<_> = catalog
        .cities
        .iter()
        .map(|c| c.currency.to_string())
        .collect();
    assert_eq!(currencies, ["GBP", "USD", "EUR"]);
}

#[test]
fn there_are_three_cities_in_their_own_zones_with_two_venues_each_and_twelve_screens() {
    let catalog = catalog(nows()[0]);
    assert!(catalog.cities.len() >= 3);
    let zones: HashSet<_> = catalog.cities.iter().map(|c| c.timezone).collect();
    assert_eq!(zones.len(), catalog.cities.len());
    for city in &catalog.cities {
        assert!(city.venues.len() >= 2, "{}", city.name);
        for venue in &city.venues {
            assert!(
                venue.address.contains(city.name.as_str()),
                "{}",
                venue.address
            );
            assert!(!venue.auditoriums.is_empty(), "{}", venue.name);
        }
    }
    let summary = catalog.summary();
    assert!(
        summary.venues >= 6 && summary.auditoriums >= 12,
        "{summary:?}"
    );
}

#[test]
fn auditoriums_come_in_different_shapes() {
    let catalog = catalog(nows()[0]);
    let shapes: HashSet<_> = catalog
        .auditoriums()
        .map(|(_, a)| (a.layout.rows(), a.layout.columns(), a.layout.capacity()))
        .collect();
    assert_eq!(shapes.len(), catalog.auditoriums().count());
    let capacities: Vec<_> = catalog
        .auditoriums()
        .map(|(_, a)| a.layout.capacity())
        .collect();
    assert!(
        capacities.iter().any(|&c| c <= 40),
        "an art-house room: {capacities:?}"
    );
}

#[test]
fn the_imax_hall_has_over_400_seats_and_shows_only_blockbusters_in_imax() {
    let catalog = catalog(nows()[0]);
    let imax: Vec<_> = catalog
        .auditoriums()
        .filter(|(_, a)| a.showtimes.iter().any(|s| s.format == "IMAX"))
        .collect();
    assert_eq!(imax.len(), 1);
    let (_, hall) = imax[0];
    assert!(hall.layout.capacity() >= 400, "{}", hall.layout.capacity());
    for showtime in &hall.showtimes {
        assert_eq!(showtime.format, "IMAX");
        assert!(
            MOVIES[showtime.movie].blockbuster,
            "{}",
            MOVIES[showtime.movie].title
        );
    }
    let formats: HashSet<_> = showtimes(&catalog)
        .map(|(_, _, s)| s.format.as_str())
        .collect();
    assert_eq!(formats, HashSet::from(["2D", "3D", "IMAX"]));
}

#[test]
fn some_auditoriums_have_wheelchair_spaces_with_companion_seats_and_premium_seats() {
    let catalog = catalog(nows()[0]);
    let has = |category| {
        catalog
            .auditoriums()
            .filter(|(_, a)| a.layout.categories().contains(&category))
            .count()
    };
    assert!(has(SeatCategory::Premium) >= 1);
    let accessible = catalog.auditoriums().filter(|(_, a)| {
        let categories = a.layout.categories();
        categories.contains(&SeatCategory::Accessible)
            && categories.contains(&SeatCategory::Companion)
    });
    assert!(accessible.count() >= 1);
    // Every wheelchair space has a companion seat right beside it.
    for (_, hall) in catalog.auditoriums() {
        let seats = hall.layout.seats();
        for (i, seat) in seats.iter().enumerate() {
            if seat.category != SeatCategory::Accessible {
                continue;
            }
            let beside = |j: Option<usize>| {
                j.and_then(|j| seats.get(j))
                    .is_some_and(|s: &marquee_domain::LayoutSeat| {
                        s.row == seat.row && s.category == SeatCategory::Companion
                    })
            };
            assert!(
                beside(i.checked_sub(1)) || beside(Some(i + 1)),
                "{} {}",
                hall.name,
                seat.label
            );
        }
    }
}

#[test]
fn there_are_twenty_complete_movies() {
    const GENRES: [&str; 15] = [
        "action",
        "adventure",
        "animation",
        "comedy",
        "crime",
        "documentary",
        "drama",
        "family",
        "fantasy",
        "horror",
        "musical",
        "mystery",
        "romance",
        "sci-fi",
        "thriller",
    ];
    let now = nows()[0];
    let catalog = catalog(now);
    assert_eq!(catalog.movies.len(), 20);
    let titles: HashSet<_> = catalog.movies.iter().map(|m| m.title.as_str()).collect();
    assert_eq!(titles.len(), 20);
    for movie in &catalog.movies {
        let sentences = movie
            .synopsis
            .split_terminator(['.', '!', '?'])
            .filter(|s| !s.trim().is_empty())
            .count();
        assert!(
            (2..=4).contains(&sentences),
            "{}: {sentences} sentences",
            movie.title
        );
        assert!((3..=5).contains(&movie.cast.len()), "{}", movie.title);
        assert!(!movie.director.is_empty(), "{}", movie.title);
        assert_ne!(movie.original_title, movie.title);
        assert!((1..=3).contains(&movie.genres.len()), "{}", movie.title);
        assert!(
            movie.genres.iter().all(|g| GENRES.contains(&g.as_str())),
            "{:?}",
            movie.genres
        );
        assert!(["en", "de", "fr", "es", "ja", "ko"].contains(&movie.language.as_str()));
        assert!(
            (85..=180).contains(&movie.runtime_minutes),
            "{}",
            movie.title
        );
        assert!(["U", "PG", "12A", "15", "18"].contains(&movie.certificate.as_str()));
        assert_eq!(movie.kind, "movie");
        assert!(movie.release_date.is_some_and(|d| d <= now.date_naive()));
        assert!(movie.poster_url.is_none() && movie.trailer_url.is_none());
    }
    let english = catalog.movies.iter().filter(|m| m.language == "en").count();
    assert!((12..20).contains(&english), "{english}");
}

#[test]
fn showtimes_cover_seven_local_days_from_now_and_are_all_still_on_sale() {
    for now in nows() {
        let catalog = catalog(now);
        for city in &catalog.cities {
            let zone = city.timezone;
            let today = now.with_timezone(&zone).date_naive();
            let week: Vec<_> = (0..DAYS).map(|d| today + Days::new(d)).collect();
            let mut dates = BTreeSet::new();
            for venue in &city.venues {
                for hall in &venue.auditoriums {
                    for showtime in &hall.showtimes {
                        let local = showtime.starts_at.with_timezone(&zone);
                        dates.insert(local.date_naive());
                        let minutes = local.hour() * 60 + local.minute();
                        assert!(
                            (11 * 60..=22 * 60 + 30).contains(&minutes),
                            "{} {local}",
                            hall.name
                        );
                        assert_eq!(minutes % 5, 0, "{local}");
                        assert!(
                            showtime.starts_at > now + Duration::minutes(15),
                            "{local} at {now}"
                        );
                        assert_eq!(showtime.sales_open_at, now);
                    }
                }
            }
            assert!(
                dates.iter().all(|d| week.contains(d)),
                "{}: {dates:?}",
                city.name
            );
            assert!(
                week[1..].iter().all(|d| dates.contains(d)),
                "{}: {dates:?}",
                city.name
            );
        }
    }
}

#[test]
fn no_two_showtimes_of_an_auditorium_overlap() {
    for now in nows() {
        let catalog = catalog(now);
        for (_, hall) in catalog.auditoriums() {
            for pair in hall.showtimes.windows(2) {
                let runtime = catalog.movies[pair[0].movie].runtime_minutes;
                let free_at = Showtime::end_of(pair[0].starts_at, runtime);
                assert!(
                    pair[1].starts_at >= free_at,
                    "{}: {} then {}",
                    hall.name,
                    pair[0].starts_at,
                    pair[1].starts_at
                );
            }
        }
    }
}

#[test]
fn every_showtime_prices_every_type_and_category_of_its_layout_in_its_city_currency() {
    for now in nows() {
        let catalog = catalog(now);
        for (city, hall, showtime) in showtimes(&catalog) {
            assert_eq!(showtime.prices.currency(), city.currency);
            let terms = Showtime::validate_terms(
                &hall.layout,
                &showtime.prices,
                showtime.sales_open_at,
                showtime.starts_at,
                showtime.sales_close_minutes,
            );
            assert_eq!(terms, Ok(()), "{} {}", hall.name, showtime.starts_at);
            assert_eq!(showtime.prices.ticket_types().count(), 4);
            for ticket in showtime.prices.ticket_types() {
                let price = |c| showtime.prices.price_of(&ticket.code, c).map(|m| m.minor);
                if let Some(accessible) = price(SeatCategory::Accessible) {
                    assert_eq!(Some(accessible), price(SeatCategory::Standard));
                }
            }
        }
    }
}

#[test]
fn a_weekday_matinee_is_cheaper_and_3d_and_imax_cost_more() {
    let catalog = catalog(nows()[1]);
    let adult = |s: &DemoShowtime| {
        s.prices
            .price_of("adult", SeatCategory::Standard)
            .map(|m| m.minor)
    };
    let mut compared = HashSet::new();
    for city in &catalog.cities {
        let of_city: Vec<&DemoShowtime> = showtimes(&catalog)
            .filter(|(c, _, _)| c.name == city.name)
            .map(|(_, _, s)| s)
            .collect();
        let local = |s: &DemoShowtime| s.starts_at.with_timezone(&city.timezone);
        let is_matinee = |s: &DemoShowtime| {
            local(s).hour() < 17 && chrono::Datelike::weekday(&local(s)).num_days_from_monday() < 5
        };
        let full = |format: &str| {
            of_city
                .iter()
                .find(|s| s.format == format && !is_matinee(s))
                .and_then(|s| adult(s))
        };
        let matinee_2d = of_city
            .iter()
            .find(|s| s.format == "2D" && is_matinee(s))
            .and_then(|s| adult(s));
        let full_2d = full("2D");
        assert!(
            matinee_2d.is_some() && matinee_2d < full_2d,
            "{}",
            city.name
        );
        for surcharged in ["3D", "IMAX"] {
            if let Some(price) = full(surcharged) {
                assert!(full_2d < Some(price), "{} {surcharged}", city.name);
                compared.insert(surcharged);
            }
        }
    }
    assert_eq!(compared.len(), 2, "{compared:?}");
}

#[test]
fn every_movie_plays_in_every_city() {
    for now in nows() {
        let catalog = catalog(now);
        for city in &catalog.cities {
            let playing: HashSet<_> = showtimes(&catalog)
                .filter(|(c, _, _)| c.name == city.name)
                .map(|(_, _, s)| s.movie)
                .collect();
            assert_eq!(playing.len(), catalog.movies.len(), "{}", city.name);
        }
    }
}

#[test]
fn films_in_another_language_are_subtitled_in_the_city_language() {
    let catalog = catalog(nows()[0]);
    for (city, _, showtime) in showtimes(&catalog) {
        let local = if city.name == "Berlin" { "de" } else { "en" };
        let expected = (showtime.audio_language != local).then(|| local.to_string());
        assert_eq!(showtime.subtitles, expected);
    }
}

#[test]
fn the_week_has_a_sane_number_of_showtimes() {
    for now in nows() {
        let summary = catalog(now).summary();
        assert!((300..=500).contains(&summary.showtimes), "{summary:?}");
    }
}

#[test]
fn starts_round_up_to_the_next_five_minute_mark() {
    let t = Utc.with_ymd_and_hms(2026, 3, 26, 13, 31, 10).unwrap();
    assert_eq!(
        round_up(t),
        Utc.with_ymd_and_hms(2026, 3, 26, 13, 35, 0).unwrap()
    );
    let mark = Utc.with_ymd_and_hms(2026, 3, 26, 13, 35, 0).unwrap();
    assert_eq!(round_up(mark), mark);
}
