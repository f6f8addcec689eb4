//! A large catalog written at once (`bulk`) is what the one-at-a-time path writes.

use super::fixtures::*;
use crate::*;
use chrono::Duration;
use marquee_domain::*;
use std::sync::Arc;

fn new_event(title: &str, runtime_minutes: u32) -> NewEvent {
    NewEvent {
        kind: "movie".into(),
        title: title.into(),
        original_title: format!("{title} (original)"),
        synopsis: format!("{title}: a film."),
        cast: vec!["Ana Lima".into(), "Rui Sá".into()],
        director: "Inês Ramos".into(),
        genres: vec!["drama".into()],
        language: "pt".into(),
        runtime_minutes,
        certificate: "M/12".into(),
        poster_url: None,
        trailer_url: None,
        release_date: chrono::NaiveDate::from_ymd_opt(2026, 11, 1),
    }
}

/// Everything a showtime is but its id, start and end: what a copy on the same hall shares.
fn terms(info: &ShowtimeInfo) -> impl PartialEq + std::fmt::Debug {
    let s = &info.showtime;
    (
        s.event_id,
        s.auditorium_id,
        s.layout_id,
        s.ends_at - s.starts_at,
        s.format.clone(),
        s.audio_language.clone(),
        s.subtitles.clone(),
        s.prices.clone(),
        s.sales_open_at,
        s.sales_close_minutes,
        (info.capacity, info.seats_available, info.cancelled_at),
    )
}

async fn showtime_count<S: Store + ?Sized>(store: &S) -> usize {
    store
        .list_showtimes(&ShowtimeFilter {
            event_id: None,
            city_id: None,
            starts_from: None,
            starts_until: None,
            access: None,
            limit: 100,
            now: t0(),
        })
        .await
        .unwrap()
        .len()
}

pub async fn a_bulk_catalog_is_written_as_one_at_a_time_writes_it<S: UnguardedHold>(store: Arc<S>) {
    let w = world(&*store).await;
    let events = vec![new_event("Mar Alto", 95), new_event("Terra Firme", 130)];
    let ids = store.create_events(&events).await.unwrap();
    assert_eq!(ids.len(), 2);
    let one_by_one = store
        .create_event(events[1].clone(), Actor::System)
        .await
        .unwrap();
    let bulk = store.get_event(ids[1]).await.unwrap().unwrap();
    assert_eq!(
        Event {
            id: one_by_one.id,
            ..bulk
        },
        one_by_one
    );
    assert_eq!(
        store.get_event(ids[0]).await.unwrap().unwrap().title,
        "Mar Alto"
    );

    // Three in the world's hall beside its showtime, in no order; one in a second hall.
    let second = auditorium(&*store, w.venue.id, "Sala 2", LAYOUT).await;
    let day = t0() + Duration::days(2);
    let mut film = new_showtime(&w.event, &w.auditorium, day + Duration::hours(3));
    film.event_id = ids[0];
    let showtimes = vec![
        film,
        new_showtime(&w.event, &w.auditorium, day),
        new_showtime(&w.event, &second, day),
        new_showtime(&w.event, &w.auditorium, day + Duration::hours(6)),
    ];
    let scheduled = store.schedule_showtimes(&showtimes).await.unwrap();
    assert_eq!(scheduled.len(), 4);
    let normal_map = store
        .seat_map(w.showtime.showtime.id, t0())
        .await
        .unwrap()
        .unwrap();
    for (new, id) in showtimes.iter().zip(&scheduled) {
        let map = store.seat_map(*id, t0()).await.unwrap().unwrap();
        let info = &map.info;
        assert_eq!(
            (info.showtime.starts_at, info.showtime.auditorium_id),
            (new.starts_at, new.auditorium_id)
        );
        let runtime = if new.event_id == ids[0] { 95 } else { 100 };
        assert_eq!(
            info.showtime.ends_at,
            Showtime::end_of(new.starts_at, runtime)
        );
        // Every seat as the normal path writes it, every one available, at the same prices.
        assert_eq!(map.seats, normal_map.seats, "{id:?}");
        assert_eq!(
            (map.layout_id == normal_map.layout_id, map.rows, map.columns),
            (
                info.showtime.auditorium_id == w.auditorium.auditorium.id,
                3,
                8
            )
        );
        if new.event_id == w.event.id && new.auditorium_id == w.auditorium.auditorium.id {
            assert_eq!(terms(info), terms(&normal_map.info));
        }
        assert_eq!(info.showtime.prices, prices());
    }

    // A copied inventory is held and released like any other.
    let copied = store
        .get_showtime(scheduled[3], t0())
        .await
        .unwrap()
        .unwrap();
    let held = store
        .hold_seats(hold(&w.alice, &copied, &["A1", "B3"], t0()))
        .await
        .unwrap();
    assert_eq!(held.showtime_id, scheduled[3]);
    assert_eq!(
        seat_of(&*store, scheduled[3], "B3", t0()).await,
        (SeatState::Held, Some(held.id))
    );
    assert_eq!(
        seat_of(&*store, scheduled[0], "B3", t0()).await,
        (SeatState::Available, None),
        "the template's seats are its own"
    );
    let refused = store.hold_seats(hold(&w.bob, &copied, &["B3"], t0())).await;
    assert!(refused.is_err(), "{refused:?}");
}

pub async fn a_bulk_schedule_with_a_clash_or_an_unknown_event_writes_nothing<S: UnguardedHold>(
    store: Arc<S>,
) {
    let w = world(&*store).await;
    let second = auditorium(&*store, w.venue.id, "Sala 2", LAYOUT).await;
    let taken = t0() + Duration::days(4);
    schedule(&*store, &w.event, &second, taken).await;
    assert_eq!(showtime_count(&*store).await, 2);

    // The first hall's showtime is fine; the second hall's clashes with its showtime.
    let free = new_showtime(&w.event, &w.auditorium, t0() + Duration::days(2));
    let busy = new_showtime(&w.event, &second, taken + Duration::minutes(30));
    let refused = store.schedule_showtimes(&[free.clone(), busy]).await;
    let Err(StoreError::ScheduleConflict(clashes)) = refused else {
        panic!("{refused:?}");
    };
    assert_eq!(clashes.len(), 1);
    assert!(clashes[0].showtime.is_some());

    // Two of the given ones clash with each other.
    let overlapping = new_showtime(&w.event, &second, free.starts_at + Duration::minutes(90));
    let mut also = overlapping.clone();
    also.starts_at += Duration::minutes(30);
    let refused = store.schedule_showtimes(&[overlapping, also]).await;
    let Err(StoreError::ScheduleConflict(clashes)) = refused else {
        panic!("{refused:?}");
    };
    assert_eq!(clashes[0].showtime, None);

    let mut unknown = new_showtime(&w.event, &second, t0() + Duration::days(6));
    unknown.event_id = EventId(w.event.id.0 + 1000);
    let refused = store.schedule_showtimes(&[free.clone(), unknown]).await;
    assert!(
        matches!(refused, Err(StoreError::NotFound(Entity::Event))),
        "{refused:?}"
    );
    let mut unpriced = free.clone();
    unpriced.prices = ShowtimePrices::single_type(
        &PriceList {
            currency: eur(),
            prices: vec![(SeatCategory::Standard, 900)],
        },
        0,
    )
    .unwrap();
    let refused = store.schedule_showtimes(&[unpriced]).await;
    assert!(
        matches!(refused, Err(StoreError::InvalidShowtime(_))),
        "{refused:?}"
    );
    assert_eq!(showtime_count(&*store).await, 2, "nothing was written");
    assert_eq!(store.schedule_showtimes(&[]).await.unwrap(), vec![]);
    assert_eq!(store.create_events(&[]).await.unwrap(), vec![]);
}
