use super::*;
use chrono::TimeZone;
use std::collections::{HashMap, HashSet};

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 4, 16, 30, 0).unwrap()
}

fn size(events: usize, showtimes: usize) -> Size {
    Size {
        events,
        showtimes,
        seed: DEFAULT_SEED,
    }
}

fn showtimes(catalog: &DemoCatalog) -> Vec<(&DemoCity, &DemoAuditorium, &DemoShowtime)> {
    catalog
        .auditoriums()
        .flat_map(|(city, hall)| hall.showtimes.iter().map(move |s| (city, hall, s)))
        .collect()
}

#[test]
fn the_catalog_has_the_size_asked_for() {
    for (events, count) in [(50, 150), (1, 5), (7, 0), (300, 100), (10_000, 30_000)] {
        let catalog = synthetic(size(events, count), now());
        assert_eq!(catalog.movies.len(), events);
        assert_eq!(showtimes(&catalog).len(), count, "{events}/{count}");
        let summary = catalog.summary();
        assert_eq!((summary.events, summary.showtimes), (events, count));
        assert!(summary.cities >= 3, "{summary:?}");
        assert!(summary.auditoriums >= MIN_HALLS);
        assert!(catalog
            .cities
            .iter()
            .all(|c| !c.venues.is_empty() && c.venues.iter().all(|v| !v.auditoriums.is_empty())));
    }
}

#[test]
fn a_seed_gives_the_same_catalog_and_another_seed_another() {
    let one = synthetic(size(200, 600), now());
    let again = synthetic(size(200, 600), now());
    assert_eq!(format!("{one:?}"), format!("{again:?}"));
    let other = synthetic(
        Size {
            seed: 22,
            ..size(200, 600)
        },
        now(),
    );
    assert_ne!(one.movies[0].title, other.movies[0].title);
}

#[test]
fn every_film_is_complete_and_titles_are_unique_some_accented_some_sequels() {
    let catalog = synthetic(size(10_000, 30_000), now());
    let mut titles = HashSet::new();
    for film in &catalog.movies {
        assert!(titles.insert(film.title.as_str()), "{} twice", film.title);
        assert!(!film.title.trim().is_empty());
        assert!((3..=6).contains(&film.cast.len()), "{film:?}");
        assert!(film.cast.iter().all(|name| name.contains(' ')));
        assert!(film.director.contains(' '), "{film:?}");
        assert!((1..=3).contains(&film.genres.len()), "{film:?}");
        assert!(film
            .genres
            .iter()
            .all(|g| g.chars().all(|c| c.is_ascii_lowercase() || c == '-')));
        assert!(film.synopsis.ends_with('.') && film.synopsis.len() > 40);
        assert!(["U", "PG", "12A", "15", "18"].contains(&film.certificate.as_str()));
        assert!((75..=180).contains(&film.runtime_minutes), "{film:?}");
        assert_eq!(film.language.len(), 2);
        assert_ne!(film.original_title, film.title);
        assert!(film.release_date.is_some_and(|d| d <= now().date_naive()));
    }
    let share = |test: &dyn Fn(&marquee_store::NewEvent) -> bool| {
        catalog.movies.iter().filter(|f| test(f)).count() * 100 / catalog.movies.len()
    };
    let sequels = share(&|f| f.title.ends_with(" 2") || f.title.ends_with(" 3"));
    assert!((3..=10).contains(&sequels), "{sequels}% sequels");
    assert!(share(&|f| !f.title.is_ascii()) >= 3, "accented titles");
    assert!(share(&|f| !f.original_title.is_empty()) >= 5);
    assert!(share(&|f| f.language == "en") >= 50);
    let languages: HashSet<_> = catalog.movies.iter().map(|f| f.language.as_str()).collect();
    assert!(languages.len() >= 8, "{languages:?}");
    assert!(catalog
        .movies
        .iter()
        .any(|f| f.title.contains("Amélie") || f.title.contains("Élodie")));
}

#[test]
fn showtimes_never_clash_in_a_hall_and_fill_the_coming_two_weeks() {
    let catalog = synthetic(size(10_000, 30_000), now());
    let runtime = |movie: usize| catalog.movies[movie].runtime_minutes;
    let mut per_film = vec![0; catalog.movies.len()];
    let mut days = HashSet::new();
    for (city, hall) in catalog.auditoriums() {
        let tomorrow = now().with_timezone(&city.timezone).date_naive() + Days::new(1);
        let mut previous_end = now();
        for showtime in &hall.showtimes {
            assert!(
                showtime.starts_at >= previous_end,
                "{} {}: {} starts before {previous_end}",
                city.name,
                hall.name,
                showtime.starts_at
            );
            previous_end = Showtime::end_of(showtime.starts_at, runtime(showtime.movie));
            let day = showtime
                .starts_at
                .with_timezone(&city.timezone)
                .date_naive();
            assert!(
                day >= tomorrow && day < tomorrow + Days::new(DAYS + 1),
                "{day}"
            );
            days.insert(day);
            per_film[showtime.movie] += 1;
            assert_eq!(showtime.starts_at.timestamp() % 300, 0, "five-minute marks");
            // Priced for every category of the hall, on sale now until just before it.
            assert_eq!(
                Showtime::validate_terms(
                    &hall.layout,
                    &showtime.prices,
                    showtime.sales_open_at,
                    showtime.starts_at,
                    showtime.sales_close_minutes
                ),
                Ok(())
            );
            assert_eq!(
                showtime.subtitles.is_some(),
                showtime.access.contains(&AccessTag::Subtitled)
            );
        }
    }
    assert!(days.len() >= DAYS as usize, "{} days", days.len());
    assert!(per_film.iter().all(|&n| n == 3), "every film plays thrice");
    let formats: HashMap<&str, usize> =
        showtimes(&catalog)
            .iter()
            .fold(HashMap::new(), |mut counts, (_, _, s)| {
                *counts.entry(s.format.as_str()).or_default() += 1;
                counts
            });
    assert!(
        formats.len() == 3 && formats["2D"] > formats["3D"],
        "{formats:?}"
    );
}

#[test]
fn halls_come_in_sizes_from_a_small_room_to_imax_some_with_wheelchair_spaces() {
    let catalog = synthetic(size(10_000, 30_000), now());
    let halls: Vec<&DemoAuditorium> = catalog.auditoriums().map(|(_, a)| a).collect();
    let capacities: Vec<usize> = halls.iter().map(|a| a.layout.capacity()).collect();
    assert!(capacities.iter().any(|&c| c < 70));
    assert!(capacities.iter().any(|&c| c > 400));
    let mean = capacities.iter().sum::<usize>() / capacities.len();
    assert!((100..=220).contains(&mean), "{mean} seats on average");
    let categories = |c: marquee_domain::SeatCategory| {
        halls
            .iter()
            .filter(|a| a.layout.categories().contains(&c))
            .count()
    };
    assert!(categories(marquee_domain::SeatCategory::Accessible) > halls.len() / 2);
    assert!(categories(marquee_domain::SeatCategory::Premium) > halls.len() / 3);
    assert!(halls.iter().any(|a| a.name == "IMAX"));
    let cities: HashSet<&str> = catalog.cities.iter().map(|c| c.name.as_str()).collect();
    assert!(
        cities.contains("Zürich") && cities.len() >= 25,
        "{cities:?}"
    );
    for city in &catalog.cities {
        let names: HashSet<&str> = city.venues.iter().map(|v| v.name.as_str()).collect();
        assert_eq!(names.len(), city.venues.len(), "{} venue names", city.name);
    }
}
