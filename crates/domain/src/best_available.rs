//! Best available: which seats to offer someone who asks for "two seats" rather than naming
//! them.
//!
//! The rules, in order: the seats sit side by side in one row (no aisle between them); they
//! leave no single empty seat stranded between taken seats, unless every choice would; of what
//! remains, the group whose middle is nearest the middle of the auditorium wins. Wheelchair
//! spaces and companion seats are offered only to someone who asks for that category.

use crate::layout::SeatCategory;
use crate::seats::{SeatState, ShowtimeSeat};
use chrono::{DateTime, Utc};

/// Picks `quantity` seats for someone who asked for `category` (or any general seat), as seen
/// at `now`. `None` when no row has that many suitable seats side by side.
pub fn best_available(
    seats: &[ShowtimeSeat],
    rows: usize,
    columns: usize,
    quantity: usize,
    category: Option<SeatCategory>,
    now: DateTime<Utc>,
) -> Option<Vec<String>> {
    if quantity == 0 {
        return None;
    }
    let wanted = |c: SeatCategory| match category {
        Some(wanted) => c == wanted,
        None => matches!(c, SeatCategory::Standard | SeatCategory::Premium),
    };
    // Seats in (row, column) order; each row's runs of adjacent seats are blocks.
    let mut order: Vec<&ShowtimeSeat> = seats.iter().collect();
    order.sort_by_key(|s| (s.seat.row, s.seat.column));
    let free: Vec<bool> = order
        .iter()
        .map(|s| s.state_at(now) == SeatState::Available)
        .collect();

    // (strands a seat, distance from the centre, row, column) of the best group, and where
    // it starts in `order`.
    let mut best: Option<((bool, i64, u16, u16), usize)> = None;
    let mut block_start = 0;
    while block_start < order.len() {
        let mut block_end = block_start + 1;
        while block_end < order.len()
            && order[block_end].seat.row == order[block_start].seat.row
            && order[block_end - 1].seat.column + 1 == order[block_end].seat.column
        {
            block_end += 1;
        }
        let block = &order[block_start..block_end];
        let block_free = &free[block_start..block_end];
        for start in 0..block.len().saturating_sub(quantity - 1) {
            let window = &block[start..start + quantity];
            if !window
                .iter()
                .zip(&block_free[start..])
                .all(|(s, free)| *free && wanted(s.seat.category))
            {
                continue;
            }
            let strands =
                leaves_single_seat(block_free, start.checked_sub(1), start.checked_sub(2))
                    || leaves_single_seat(
                        block_free,
                        Some(start + quantity),
                        Some(start + quantity + 1),
                    );
            let row = window[0].seat.row;
            let first = window[0].seat.column;
            let last = window[quantity - 1].seat.column;
            // Doubled coordinates keep the middle of an even group an integer.
            let dx = i64::from(first) + i64::from(last) - (columns as i64 - 1);
            let dy = 2 * i64::from(row) - (rows as i64 - 1);
            let candidate = (strands, dx * dx + dy * dy, row, first);
            if best.is_none_or(|(b, _)| candidate < b) {
                best = Some((candidate, block_start + start));
            }
        }
        block_start = block_end;
    }
    best.map(|(_, at)| {
        order[at..at + quantity]
            .iter()
            .map(|s| s.seat.label.clone())
            .collect()
    })
}

/// A wheelchair space and its companion seat, side by side in a row and both free at `now`,
/// for someone who comes in a wheelchair with a companion: the pair nearest the middle of the
/// auditorium, the wheelchair space first. `None` when no such pair is free.
pub fn wheelchair_with_companion(
    seats: &[ShowtimeSeat],
    rows: usize,
    columns: usize,
    now: DateTime<Utc>,
) -> Option<Vec<String>> {
    let free = |category: SeatCategory| {
        seats
            .iter()
            .filter(move |s| s.seat.category == category && s.state_at(now) == SeatState::Available)
    };
    free(SeatCategory::Accessible)
        .flat_map(|space| {
            free(SeatCategory::Companion)
                .filter(move |c| {
                    c.seat.row == space.seat.row && c.seat.column.abs_diff(space.seat.column) == 1
                })
                .map(move |companion| (space, companion))
        })
        .min_by_key(|(space, companion)| {
            // Doubled coordinates of the pair's middle, from the auditorium's middle.
            let dx = i64::from(space.seat.column) + i64::from(companion.seat.column)
                - (columns as i64 - 1);
            let dy = 2 * i64::from(space.seat.row) - (rows as i64 - 1);
            (dx * dx + dy * dy, space.seat.row, space.seat.column)
        })
        .map(|(space, companion)| vec![space.seat.label.clone(), companion.seat.label.clone()])
}

/// Whether the free seat next to a group would be left alone: the seat beside it, on the far
/// side, is taken. A block's edge (an aisle or a wall) is not a taken seat.
fn leaves_single_seat(free: &[bool], next: Option<usize>, beyond: Option<usize>) -> bool {
    let is = |i: Option<usize>, want: bool| i.and_then(|i| free.get(i)).is_some_and(|f| *f == want);
    is(next, true) && is(beyond, false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::SeatLayout;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 23, 12, 0, 0).unwrap()
    }

    /// The hall `layout`'s seats, `taken` ones sold, the rest free.
    fn seats_of(layout: &SeatLayout, taken: &[&str]) -> Vec<ShowtimeSeat> {
        layout
            .seats()
            .iter()
            .map(|seat| ShowtimeSeat {
                seat: seat.clone(),
                stored_state: if taken.contains(&seat.label.as_str()) {
                    SeatState::Sold
                } else {
                    SeatState::Available
                },
                booking_id: None,
                held_until: None,
            })
            .collect()
    }

    fn pick(
        layout: &str,
        taken: &[&str],
        quantity: usize,
        category: Option<SeatCategory>,
    ) -> Option<Vec<String>> {
        let layout = SeatLayout::parse(layout).unwrap();
        best_available(
            &seats_of(&layout, taken),
            layout.rows(),
            layout.columns(),
            quantity,
            category,
            now(),
        )
    }

    fn wheelchair(layout: &str, taken: &[&str]) -> Option<Vec<String>> {
        let layout = SeatLayout::parse(layout).unwrap();
        wheelchair_with_companion(
            &seats_of(&layout, taken),
            layout.rows(),
            layout.columns(),
            now(),
        )
    }

    #[test]
    fn a_wheelchair_space_comes_with_the_companion_seat_beside_it() {
        // Row C: a space and its companion at each end; row D has a space with no companion.
        let hall = "A  ssssss
B  ssssss
C  wcsscw
D  wsssss
";
        assert_eq!(wheelchair(hall, &[]).unwrap(), ["C1", "C2"]);
        // The first pair's companion is taken: the other pair, space first.
        assert_eq!(wheelchair(hall, &["C2"]).unwrap(), ["C6", "C5"]);
        // A free space without a free companion beside it is no pair.
        assert_eq!(wheelchair(hall, &["C2", "C5"]), None);
        assert_eq!(
            wheelchair(
                "A  ssss
",
                &[]
            ),
            None
        );
    }

    #[test]
    fn an_empty_hall_gives_the_seats_nearest_the_middle() {
        let hall = "A  ssssss\nB  ssssss\nC  ssssss\n";
        assert_eq!(pick(hall, &[], 2, None).unwrap(), ["B3", "B4"]);
        assert_eq!(pick(hall, &[], 3, None).unwrap(), ["B2", "B3", "B4"]);
    }

    #[test]
    fn seats_are_side_by_side_and_never_across_an_aisle() {
        // The middle row's only free pair straddles the aisle; the pair must come from row A.
        let hall = "A  sss.sss\nB  sss.sss\n";
        assert_eq!(
            pick(hall, &["B1", "B2", "B5", "B6", "A1", "A6"], 2, None).unwrap(),
            ["A2", "A3"]
        );
        assert_eq!(pick("A  ss.ss", &[], 3, None), None);
    }

    #[test]
    fn no_single_seat_is_stranded_between_taken_seats_when_another_choice_exists() {
        // A3-A4 is nearest the middle but would strand A2 between A1 and A3.
        let picked = pick("A  ssssss", &["A1"], 2, None).unwrap();
        assert_ne!(picked, ["A3", "A4"]);
        assert_eq!(
            picked,
            ["A2", "A3"],
            "A2-A3 and A4-A5 are as near the middle; the first wins"
        );
        // When every choice strands a seat, one is still offered.
        assert_eq!(
            pick("A  sssss", &["A1", "A5"], 2, None).unwrap(),
            ["A2", "A3"]
        );
    }

    #[test]
    fn wheelchair_spaces_go_only_to_those_who_ask_for_them() {
        let hall = "A  wwcc\nB  ssss\n";
        assert_eq!(pick(hall, &[], 2, None).unwrap(), ["B2", "B3"]);
        assert_eq!(
            pick(hall, &[], 2, Some(SeatCategory::Accessible)).unwrap(),
            ["A1", "A2"]
        );
        assert_eq!(pick(hall, &["B1", "B2"], 4, None), None);
    }

    #[test]
    fn an_expired_hold_does_not_block_best_available() {
        let layout = SeatLayout::parse("A  ss").unwrap();
        let seats: Vec<ShowtimeSeat> = layout
            .seats()
            .iter()
            .map(|seat| ShowtimeSeat {
                seat: seat.clone(),
                stored_state: SeatState::Held,
                booking_id: None,
                held_until: Some(now()),
            })
            .collect();
        assert_eq!(
            best_available(&seats, 1, 2, 2, None, now()).unwrap(),
            ["A1", "A2"]
        );
        let before = now() - chrono::Duration::seconds(1);
        assert_eq!(best_available(&seats, 1, 2, 2, None, before), None);
    }
}
