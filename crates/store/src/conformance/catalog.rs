use super::fixtures::*;
use crate::*;
use chrono::{Duration, NaiveDate};
use marquee_domain::*;
use std::sync::Arc;

pub async fn catalog_reads_back_what_was_written<S: UnguardedHold>(store: Arc<S>) {
    let w = world(&*store).await;
    assert_eq!(store.list_cities().await.unwrap(), vec![w.city.clone()]);
    assert_eq!(
        store.get_city(w.city.id).await.unwrap(),
        Some(w.city.clone())
    );
    assert_eq!(
        store.get_venue(w.venue.id).await.unwrap(),
        Some(w.venue.clone())
    );
    assert_eq!(
        store.get_event(w.event.id).await.unwrap(),
        Some(w.event.clone())
    );
    assert_eq!(w.event.cast, ["Ana Lima", "Rui Sá"]);
    assert_eq!(w.event.genres, ["drama", "mystery"]);
    assert_eq!(
        store.get_event(EventId(w.event.id.0 + 1000)).await.unwrap(),
        None
    );

    let info = store
        .get_showtime(w.showtime.showtime.id, t0())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(info, w.showtime);
    assert_eq!(info.event_title, "The Long Light");
    assert_eq!(info.venue, w.venue);
    assert_eq!(info.city, w.city);
    assert_eq!((info.capacity, info.seats_available), (21, 21));
    assert_eq!(info.showtime.prices, prices());
    assert_eq!(info.showtime.prices.booking_fee_minor(), 75);
    assert_eq!(
        info.showtime.ends_at,
        Showtime::end_of(info.showtime.starts_at, 100)
    );
    assert_eq!(info.showtime.subtitles.as_deref(), Some("en"));

    let map = store
        .seat_map(w.showtime.showtime.id, t0())
        .await
        .unwrap()
        .unwrap();
    assert_eq!((map.rows, map.columns, map.seats.len()), (3, 8, 21));
    let c1 = map.seats.iter().find(|s| s.seat.label == "C1").unwrap();
    assert_eq!(
        (c1.seat.row, c1.seat.column, c1.seat.category),
        (2, 0, SeatCategory::Accessible)
    );
    let c3 = map.seats.iter().find(|s| s.seat.label == "C3").unwrap();
    assert_eq!(
        (c3.seat.column, c3.seat.number, c3.seat.category),
        (3, 3, SeatCategory::Standard)
    );
    assert!(map
        .seats
        .iter()
        .all(|s| s.state_at(t0()) == SeatState::Available));
    let expected: Vec<_> = SeatLayout::parse(LAYOUT).unwrap().seats().to_vec();
    let mut got: Vec<_> = map.seats.iter().map(|s| s.seat.clone()).collect();
    got.sort_by_key(|s| (s.row, s.column));
    assert_eq!(got, expected);
    assert!(store
        .seat_map(ShowtimeId(w.showtime.showtime.id.0 + 1000), t0())
        .await
        .unwrap()
        .is_none());
}

pub async fn events_and_showtimes_are_filtered_by_city_and_day<S: UnguardedHold>(store: Arc<S>) {
    let w = world(&*store).await;
    let porto = store
        .create_city(
            NewCity {
                name: "Porto".into(),
                timezone: chrono_tz::Europe::Lisbon,
            },
            Actor::System,
        )
        .await
        .unwrap();
    let venue = store
        .create_venue(
            NewVenue {
                city_id: porto.id,
                name: "Batalha".into(),
                address: "Praça da Batalha".into(),
                ads_minutes: Venue::DEFAULT_ADS_MINUTES,
                cleaning_minutes: Venue::DEFAULT_CLEANING_MINUTES,
            },
            Actor::System,
        )
        .await
        .unwrap();
    let hall = auditorium(&*store, venue.id, "Sala 2", "A  ssss").await;
    let other = event_in(&*store, "Another Night", 90, &["comedy", "drama"]).await;
    let in_porto = schedule(&*store, &other, &hall, t0() + Duration::days(2)).await;

    let (day1_from, day1_until) = w
        .city
        .day_bounds(NaiveDate::from_ymd_opt(2026, 11, 24).unwrap());
    let filter = |city: Option<CityId>, from, until| EventFilter {
        city_id: city,
        starts_from: from,
        starts_until: until,
        limit: 50,
        ..EventFilter::default()
    };
    let titles = |events: Vec<Event>| events.into_iter().map(|e| e.title).collect::<Vec<_>>();
    assert_eq!(
        titles(store.list_events(&filter(None, None, None)).await.unwrap()),
        ["Another Night", "The Long Light"]
    );
    assert_eq!(
        titles(
            store
                .list_events(&filter(Some(w.city.id), None, None))
                .await
                .unwrap()
        ),
        ["The Long Light"]
    );
    assert_eq!(
        titles(
            store
                .list_events(&filter(Some(porto.id), None, None))
                .await
                .unwrap()
        ),
        ["Another Night"]
    );
    assert_eq!(
        titles(
            store
                .list_events(&filter(None, Some(day1_from), Some(day1_until)))
                .await
                .unwrap()
        ),
        ["The Long Light"]
    );
    let genre = |g: &str| EventFilter {
        genre: Some(g.into()),
        ..filter(None, None, None)
    };
    assert_eq!(
        titles(store.list_events(&genre("mystery")).await.unwrap()),
        ["The Long Light"]
    );
    assert_eq!(
        titles(store.list_events(&genre("comedy")).await.unwrap()),
        ["Another Night"]
    );
    assert_eq!(
        titles(store.list_events(&genre("drama")).await.unwrap()).len(),
        2
    );
    assert!(
        store.list_events(&genre("myst")).await.unwrap().is_empty(),
        "a genre matches whole"
    );
    let by_language = EventFilter {
        language: Some("en".into()),
        ..filter(None, None, None)
    };
    assert!(store.list_events(&by_language).await.unwrap().is_empty());
    let paged = EventFilter {
        limit: 1,
        offset: 1,
        ..filter(None, None, None)
    };
    assert_eq!(
        titles(store.list_events(&paged).await.unwrap()),
        ["The Long Light"]
    );

    let showtimes = |event: Option<EventId>, city: Option<CityId>| ShowtimeFilter {
        event_id: event,
        city_id: city,
        starts_from: None,
        starts_until: None,
        access: None,
        limit: 100,
        now: t0(),
    };
    let ids = |list: Vec<ShowtimeInfo>| list.into_iter().map(|s| s.showtime.id).collect::<Vec<_>>();
    assert_eq!(
        ids(store.list_showtimes(&showtimes(None, None)).await.unwrap()),
        [w.showtime.showtime.id, in_porto.showtime.id]
    );
    assert_eq!(
        ids(store
            .list_showtimes(&showtimes(Some(other.id), None))
            .await
            .unwrap()),
        [in_porto.showtime.id]
    );
    assert!(store
        .list_showtimes(&showtimes(Some(other.id), Some(w.city.id)))
        .await
        .unwrap()
        .is_empty());
    let later = ShowtimeFilter {
        starts_from: Some(t0() + Duration::days(2)),
        ..showtimes(None, None)
    };
    assert_eq!(
        ids(store.list_showtimes(&later).await.unwrap()),
        [in_porto.showtime.id]
    );
}

pub async fn an_auditorium_hosts_one_showtime_at_a_time<S: UnguardedHold>(store: Arc<S>) {
    let w = world(&*store).await;
    let first = &w.showtime.showtime;
    let clash = new_showtime(
        &w.event,
        &w.auditorium,
        first.ends_at - Duration::minutes(1),
    );
    match store.schedule_showtime(clash).await {
        Err(StoreError::AuditoriumBusy(id)) => assert_eq!(id, first.id),
        other => panic!("expected AuditoriumBusy, got {other:?}"),
    }
    let before = new_showtime(
        &w.event,
        &w.auditorium,
        first.starts_at - Duration::minutes(30),
    );
    assert!(matches!(
        store.schedule_showtime(before).await,
        Err(StoreError::AuditoriumBusy(_))
    ));
    schedule(&*store, &w.event, &w.auditorium, first.ends_at).await;
    let count = store
        .list_showtimes(&ShowtimeFilter {
            event_id: None,
            city_id: None,
            starts_from: None,
            starts_until: None,
            access: None,
            limit: 10,
            now: t0(),
        })
        .await
        .unwrap()
        .len();
    assert_eq!(count, 2, "the refused showtimes were not written");
}

/// A venue's own adverts and cleaning size the slot its halls are busy, and an edit of the
/// venue is recorded with the values before and after.
pub async fn a_venues_turnover_sizes_its_showtimes<S: UnguardedHold>(store: Arc<S>) {
    let w = world(&*store).await;
    let staff = w.alice.id;
    let render: fn(&Venue) -> serde_json::Value =
        |v| serde_json::json!({ "ads": v.ads_minutes, "cleaning": v.cleaning_minutes });
    let changed = store
        .update_venue(
            w.venue.id,
            VenueChange {
                ads_minutes: Some(5),
                cleaning_minutes: Some(40),
                ..VenueChange::default()
            },
            Actor::staff(staff, t0(), "venue.update", render),
        )
        .await
        .unwrap();
    assert_eq!((changed.ads_minutes, changed.cleaning_minutes), (5, 40));
    assert_eq!(changed.name, w.venue.name, "what was not given stays");
    let start = w.showtime.showtime.starts_at + Duration::days(1);
    let later = schedule(&*store, &w.event, &w.auditorium, start).await;
    assert_eq!(
        later.showtime.ends_at,
        start + Duration::minutes(100 + 5 + 40)
    );
    // The showtime scheduled before the change keeps its slot.
    let first = store
        .get_showtime(w.showtime.showtime.id, t0())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(first.showtime.ends_at, w.showtime.showtime.ends_at);

    let log = store
        .audit_log(&AuditFilter {
            limit: 10,
            ..AuditFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(
        log.len(),
        1,
        "the system's writes are not audited, staff's are"
    );
    assert_eq!(log[0].action, "venue.update");
    assert_eq!(log[0].actor, Some(staff));
    assert_eq!(log[0].venue, Some(w.venue.id));
    assert_eq!(
        log[0].before,
        Some(serde_json::json!({ "ads": 20, "cleaning": 15 }))
    );
    assert_eq!(
        log[0].after,
        Some(serde_json::json!({ "ads": 5, "cleaning": 40 }))
    );
    let elsewhere = store
        .audit_log(&AuditFilter {
            venues: Some(vec![VenueId(w.venue.id.0 + 1000)]),
            limit: 10,
            ..AuditFilter::default()
        })
        .await
        .unwrap();
    assert!(elsewhere.is_empty());
}

/// A code's time step is taken once, on every node; a recovery code is used once.
pub async fn a_second_factor_code_counts_once<S: UnguardedHold>(store: Arc<S>) {
    let w = world(&*store).await;
    let sam = w.alice.id;
    let owner = StaffAccess::new(StaffRole::Owner, vec![]).unwrap();
    store
        .set_staff_access(sam, &owner, None, t0())
        .await
        .unwrap();
    let secret = TotpSecret("JBSWY3DPEHPK3PXP".into());
    assert!(store.start_totp(sam, &secret).await.unwrap());
    assert!(
        !store.take_totp_step(sam, 100).await.unwrap(),
        "no code counts before the enrolment is confirmed"
    );
    let recovery = vec![vec![1u8; 32], vec![2u8; 32]];
    let other = TotpSecret("KRSXG5CTMVRXEZLU".into());
    assert!(
        !store
            .enable_totp(sam, &other, 100, &recovery, t0())
            .await
            .unwrap(),
        "only the secret being enrolled can be confirmed"
    );
    assert!(store
        .enable_totp(sam, &secret, 100, &recovery, t0())
        .await
        .unwrap());
    assert!(
        !store.take_totp_step(sam, 100).await.unwrap(),
        "the enrolling code is spent"
    );
    assert!(store.take_totp_step(sam, 101).await.unwrap());
    assert!(!store.take_totp_step(sam, 101).await.unwrap());
    assert!(
        !store.take_totp_step(sam, 99).await.unwrap(),
        "an older code is spent too"
    );
    assert!(store
        .use_recovery_code(sam, &[2u8; 32], t0())
        .await
        .unwrap());
    assert!(!store
        .use_recovery_code(sam, &[2u8; 32], t0())
        .await
        .unwrap());
    assert!(!store
        .use_recovery_code(sam, &[3u8; 32], t0())
        .await
        .unwrap());
    let member = store.staff_member(sam).await.unwrap().unwrap();
    assert_eq!(member.access, owner);
    assert_eq!(member.totp_enabled_at, Some(t0()));
    // Removing a member ends their sessions and their place on the staff.
    assert!(store.remove_staff(sam, w.bob.id, t0()).await.unwrap());
    assert!(store.staff_member(sam).await.unwrap().is_none());
    assert!(!store.remove_staff(sam, w.bob.id, t0()).await.unwrap());
}

pub async fn an_upcoming_showtime_takes_its_halls_new_layout_and_a_started_one_keeps_its<
    S: UnguardedHold,
>(
    store: Arc<S>,
) {
    let w = world(&*store).await;
    let changed = SeatLayout::parse("A  pppp\nB  pppp").unwrap();
    let replaced = store
        .replace_layout(w.auditorium.auditorium.id, &changed, t0(), Actor::System)
        .await
        .unwrap();
    let info = &replaced.auditorium;
    assert_eq!((info.layout_version, info.auditorium.capacity), (2, 8));
    assert_ne!(info.auditorium.layout_id, w.auditorium.auditorium.layout_id);
    assert_eq!(replaced.showtimes, vec![w.showtime.showtime.id]);

    let taken = store
        .seat_map(w.showtime.showtime.id, t0())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (
            taken.seats.len(),
            taken.rows,
            taken.columns,
            taken.layout_id
        ),
        (8, 2, 4, info.auditorium.layout_id)
    );
    assert!(taken
        .seats
        .iter()
        .all(|s| s.seat.category == SeatCategory::Premium));

    // Once it has started, it keeps the layout it ran with.
    let started = w.showtime.showtime.starts_at + chrono::Duration::minutes(1);
    let back = SeatLayout::parse(LAYOUT).unwrap();
    let replaced = store
        .replace_layout(w.auditorium.auditorium.id, &back, started, Actor::System)
        .await
        .unwrap();
    assert!(replaced.showtimes.is_empty());
    let kept = store
        .seat_map(w.showtime.showtime.id, started)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (kept.seats.len(), kept.layout_id),
        (8, info.auditorium.layout_id)
    );
}

pub async fn a_showtime_needs_a_price_for_every_category_of_its_layout<S: UnguardedHold>(
    store: Arc<S>,
) {
    let w = world(&*store).await;
    let mut missing = new_showtime(&w.event, &w.auditorium, w.showtime.showtime.ends_at);
    let entries = prices()
        .entries()
        .iter()
        .filter(|(t, c, _)| (t.as_str(), *c) != ("child", SeatCategory::Companion))
        .cloned()
        .collect();
    missing.prices = ShowtimePrices::new(eur(), 75, ticket_types(), entries).unwrap();
    match store.schedule_showtime(missing).await {
        Err(StoreError::InvalidShowtime(ShowtimeError::MissingPrices(MissingPrices(pairs)))) => {
            assert_eq!(pairs, [("child".to_string(), SeatCategory::Companion)])
        }
        other => panic!("expected a missing child companion price, got {other:?}"),
    }
}
