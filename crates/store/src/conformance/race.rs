//! Invariant 1 under real concurrency, counted in the database afterwards, with a control.

use super::fixtures::*;
use crate::*;
use marquee_domain::*;
use std::collections::HashMap;
use std::sync::Arc;

const TASKS: usize = 200;
const LAYOUT_20: &str = "A  ssssssssss\nB  ssssssssss\n";

/// What the database says after a race.
#[derive(Debug, Default)]
pub struct RaceReport {
    pub succeeded: usize,
    pub refused: usize,
    /// Seats that more than one successful hold was told it has.
    pub seats_claimed_twice: usize,
    /// Successful holds that do not have all their seats in the database.
    pub lost_holds: usize,
    pub seats_held: usize,
    pub seats_in_successful_holds: usize,
}

/// How the racers ask for their seats.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Racers {
    /// One `hold_seats` each.
    Alone,
    /// In batches of `BATCH` holds (`hold_seats_batch`), the batches racing each other.
    Batched,
    /// The control's naive write.
    Unguarded,
}

const BATCH: usize = 8;

/// `TASKS` holds released at once, each for two or three of twenty seats, the requests
/// overlapping.
async fn race<S: UnguardedHold>(store: Arc<S>, racers: Racers) -> RaceReport {
    let w = world(&*store).await;
    let hall = auditorium(&*store, w.venue.id, "Race hall", LAYOUT_20).await;
    let showtime = schedule(&*store, &w.event, &hall, w.showtime.showtime.ends_at).await;
    let labels: Vec<String> = SeatLayout::parse(LAYOUT_20)
        .unwrap()
        .seats()
        .iter()
        .map(|s| s.label.clone())
        .collect();
    let mut users = Vec::new();
    for i in 0..20 {
        users.push(user(&*store, &format!("racer{i}@example.com")).await);
    }

    let requests: Vec<NewHold> = (0..TASKS)
        .map(|i| {
            let first = i % 18;
            let wanted: Vec<&str> = labels[first..first + 2 + i % 2]
                .iter()
                .map(String::as_str)
                .collect();
            hold(&users[i % users.len()], &showtime, &wanted, t0())
        })
        .collect();
    let groups: Vec<Vec<NewHold>> = match racers {
        Racers::Batched => requests.chunks(BATCH).map(<[NewHold]>::to_vec).collect(),
        Racers::Alone | Racers::Unguarded => requests.into_iter().map(|r| vec![r]).collect(),
    };
    let barrier = Arc::new(tokio::sync::Barrier::new(groups.len()));
    let tasks: Vec<_> = groups
        .into_iter()
        .map(|group| {
            let (store, barrier) = (store.clone(), barrier.clone());
            tokio::spawn(async move {
                barrier.wait().await;
                match racers {
                    Racers::Batched => store
                        .hold_seats_batch(group)
                        .await
                        .expect("the batch ran")
                        .unpublished(),
                    Racers::Alone => {
                        futures::future::join_all(group.into_iter().map(|r| store.hold_seats(r)))
                            .await
                    }
                    Racers::Unguarded => {
                        futures::future::join_all(
                            group.into_iter().map(|r| store.hold_seats_unguarded(r)),
                        )
                        .await
                    }
                }
            })
        })
        .collect();

    let mut report = RaceReport::default();
    let mut successes = Vec::new();
    for answer in futures::future::join_all(tasks)
        .await
        .into_iter()
        .flat_map(|task| task.expect("task ran"))
    {
        match answer {
            Ok(booking) => successes.push(booking),
            Err(StoreError::SeatsUnavailable(_)) => report.refused += 1,
            Err(other) => panic!("a hold failed with something other than a conflict: {other:?}"),
        }
    }
    report.succeeded = successes.len();

    let holders: HashMap<String, Option<BookingId>> = states(&*store, showtime.showtime.id, t0())
        .await
        .into_iter()
        .map(|(label, _, holder)| (label, holder))
        .collect();
    report.seats_held = holders.values().filter(|h| h.is_some()).count();
    let mut claims: HashMap<&str, usize> = HashMap::new();
    for booking in &successes {
        for label in booking.seat_labels() {
            *claims.entry(label).or_default() += 1;
            report.seats_in_successful_holds += 1;
        }
        if booking
            .seat_labels()
            .iter()
            .any(|l| holders.get(*l) != Some(&Some(booking.id)))
        {
            report.lost_holds += 1;
        }
    }
    report.seats_claimed_twice = claims.values().filter(|n| **n > 1).count();
    report
}

pub async fn concurrent_holds_never_double_sell_a_seat<S: UnguardedHold>(store: Arc<S>) {
    assert_clean_race(race(store, Racers::Alone).await);
}

/// The same race with the holds grouped into batches that race each other (group commit).
pub async fn concurrent_batches_never_double_sell_a_seat<S: UnguardedHold>(store: Arc<S>) {
    assert_clean_race(race(store, Racers::Batched).await);
}

fn assert_clean_race(report: RaceReport) {
    assert_eq!(report.succeeded + report.refused, TASKS);
    assert!(report.succeeded > 0, "{report:?}");
    assert_eq!(report.seats_claimed_twice, 0, "{report:?}");
    assert_eq!(report.lost_holds, 0, "{report:?}");
    assert_eq!(
        report.seats_held, report.seats_in_successful_holds,
        "{report:?}"
    );
}

/// The control: the same race against a write without the condition must show a double sale,
/// or the test above could not see one.
pub async fn the_race_test_sees_a_double_sale_by_an_unguarded_write<S: UnguardedHold>(
    store: Arc<S>,
) {
    let report = race(store, Racers::Unguarded).await;
    assert!(
        report.seats_claimed_twice > 0,
        "the unguarded write should double-sell: {report:?}"
    );
    assert!(report.lost_holds > 0, "{report:?}");
}

/// Invariant 3 under concurrency: many holds racing for seats whose hold has just run out.
/// Exactly one wins them; the expired booking keeps none.
pub async fn seats_of_an_expired_hold_go_to_exactly_one_racer<S: UnguardedHold>(store: Arc<S>) {
    let w = world(&*store).await;
    let stale = store
        .hold_seats(hold(&w.alice, &w.showtime, &["A3", "A4"], t0()))
        .await
        .unwrap();
    let later = stale.expires_at;
    let barrier = Arc::new(tokio::sync::Barrier::new(50));
    let tasks: Vec<_> = (0..50)
        .map(|i| {
            let (store, barrier) = (store.clone(), barrier.clone());
            let request = hold(
                &w.bob,
                &w.showtime,
                if i % 2 == 0 {
                    &["A3", "A4"]
                } else {
                    &["A4", "A5"]
                },
                later,
            );
            tokio::spawn(async move {
                barrier.wait().await;
                store.hold_seats(request).await
            })
        })
        .collect();
    let mut winners = Vec::new();
    for task in futures::future::join_all(tasks).await {
        match task.expect("task ran") {
            Ok(booking) => winners.push(booking),
            Err(StoreError::SeatsUnavailable(_)) => {}
            Err(other) => panic!("unexpected: {other:?}"),
        }
    }
    assert_eq!(
        winners.len(),
        1,
        "A4 is in every request, so exactly one wins: {winners:?}"
    );
    let winner = &winners[0];
    for label in winner.seat_labels() {
        assert_eq!(
            seat_of(&*store, w.showtime.showtime.id, label, later).await,
            (SeatState::Held, Some(winner.id)),
            "{label}"
        );
    }
    assert_eq!(
        store
            .get_booking(stale.id)
            .await
            .unwrap()
            .unwrap()
            .status_at(later),
        BookingStatus::Expired
    );
}
