//! What a new version of a hall's layout would do to showtimes scheduled in it.
//!
//! A hall's upcoming showtimes follow its new layout, but an edit is refused when it would
//! harm a seat someone has (held, sold or blocked): the seat must still exist, at the same
//! place, in the same category (which is what it was priced and sold as). A category the
//! showtime's frozen prices do not price would be a seat nobody could buy: refused too.

use crate::layout::{LayoutSeat, SeatCategory, SeatLayout};
use crate::price_plan::ShowtimePrices;
use std::collections::HashMap;

/// Why a showtime cannot take a hall's new layout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayoutConflict {
    /// Seats people have that the new layout drops, moves or puts in another category.
    pub disturbed: Vec<String>,
    /// Categories of the new layout some ticket type of the showtime has no price for.
    pub unpriced: Vec<SeatCategory>,
}

/// What keeps a showtime priced `prices`, on `old` with the seats `taken`, from taking `new`;
/// `None` when nothing does.
pub fn layout_conflict(
    old: &SeatLayout,
    new: &SeatLayout,
    taken: &[&str],
    prices: &ShowtimePrices,
) -> Option<LayoutConflict> {
    let disturbed = seats_a_new_layout_would_disturb(old, new, taken);
    let unpriced: Vec<SeatCategory> = new
        .categories()
        .into_iter()
        .filter(|c| {
            prices
                .ticket_types()
                .any(|t| prices.price_of(&t.code, *c).is_none())
        })
        .collect();
    (!disturbed.is_empty() || !unpriced.is_empty()).then_some(LayoutConflict {
        disturbed,
        unpriced,
    })
}

/// The labels among `taken` (seats held, sold or blocked) that `new` drops, moves to another
/// row or column, or puts in another category; in the order of `taken`, each once. A label
/// `old` does not have is not reported: it is no seat of this hall.
fn seats_a_new_layout_would_disturb(
    old: &SeatLayout,
    new: &SeatLayout,
    taken: &[&str],
) -> Vec<String> {
    let by_label = |layout: &SeatLayout| -> HashMap<String, LayoutSeat> {
        layout
            .seats()
            .iter()
            .map(|seat| (seat.label.clone(), seat.clone()))
            .collect()
    };
    let (old_seats, new_seats) = (by_label(old), by_label(new));
    let mut disturbed: Vec<String> = Vec::new();
    for label in taken {
        let Some(before) = old_seats.get(*label) else {
            continue;
        };
        let kept = new_seats.get(*label).is_some_and(|after| {
            (after.row, after.column, after.category)
                == (before.row, before.column, before.category)
        });
        if !kept && !disturbed.iter().any(|d| d == label) {
            disturbed.push(label.to_string());
        }
    }
    disturbed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout(text: &str) -> SeatLayout {
        SeatLayout::parse(text).unwrap()
    }

    #[test]
    fn a_new_layout_may_change_anything_but_taken_seats() {
        let old = layout("A  ssss\nB  ss.ss\nC  pppp");
        // Row A loses A4, B gains an aisle before B3 (moving B3 and B4), C2 becomes standard,
        // a row D is added.
        let new = layout("A  sss\nB  ss..ss\nC  pspp\nD  ssss");
        let all_taken = ["A1", "A4", "B2", "B3", "C1", "C2"];
        assert_eq!(
            seats_a_new_layout_would_disturb(&old, &new, &all_taken),
            ["A4", "B3", "C2"]
        );
        // Seats nobody has may change freely.
        assert!(seats_a_new_layout_would_disturb(&old, &new, &["A1", "B1", "C3"]).is_empty());
        assert!(seats_a_new_layout_would_disturb(&old, &new, &[]).is_empty());
    }

    #[test]
    fn a_new_category_needs_a_price_for_every_ticket_type() {
        use crate::money::Currency;
        use crate::price_plan::TicketType;
        let eur = Currency::parse("EUR").unwrap();
        let types = vec![
            TicketType::new("adult", "Adult").unwrap(),
            TicketType::new("child", "Child").unwrap(),
        ];
        // Standard for both types, premium for adults only.
        let prices = ShowtimePrices::new(
            eur,
            0,
            types,
            vec![
                ("adult".into(), SeatCategory::Standard, 900),
                ("child".into(), SeatCategory::Standard, 600),
                ("adult".into(), SeatCategory::Premium, 1200),
            ],
        )
        .unwrap();
        let old = layout("A  ssss");
        assert_eq!(
            layout_conflict(&old, &layout("A  sss\nB  ss"), &["A1"], &prices),
            None
        );
        assert_eq!(
            layout_conflict(&old, &layout("A  sspp"), &["A1"], &prices),
            Some(LayoutConflict {
                disturbed: vec![],
                unpriced: vec![SeatCategory::Premium]
            })
        );
        assert_eq!(
            layout_conflict(&old, &layout("A  sss"), &["A4", "A1"], &prices),
            Some(LayoutConflict {
                disturbed: vec!["A4".into()],
                unpriced: vec![]
            })
        );
    }

    #[test]
    fn a_seat_moved_to_another_row_is_disturbed_even_with_its_label() {
        // Row B is moved down a row: B1's label survives but its place does not.
        let old = layout("A  ss\nB  ss");
        let new = layout("A  ss\nAA ss\nB  ss");
        assert_eq!(
            seats_a_new_layout_would_disturb(&old, &new, &["A1", "B1", "B1"]),
            ["B1"]
        );
        assert!(seats_a_new_layout_would_disturb(&old, &old, &["A1", "B2"]).is_empty());
    }
}
