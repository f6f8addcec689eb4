//! Moving a showtime that has sales: where each booked seat goes in another hall, and what a
//! customer may answer when the cinema moves their showtime.
//!
//! A seat keeps its label where the new hall has that seat in the same category (a
//! wheelchair space stays one). The rest of a booking's seats are placed again, together
//! where they fit (`best_available`), else one by one; a standard or premium seat may become
//! the other general category (the customer keeps the price they paid). When some seat finds
//! no place, the move is refused as a whole.

use crate::best_available::best_available;
use crate::ids::BookingId;
use crate::layout::{SeatCategory, SeatLayout};
use crate::seats::{SeatState, ShowtimeSeat};
use chrono::{DateTime, Utc};
use std::collections::{BTreeMap, HashMap, HashSet};

/// A seat someone has in the old hall: held (until `held_until`) or sold to `booking`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TakenSeat {
    pub booking: BookingId,
    pub label: String,
    pub category: SeatCategory,
    pub state: SeatState,
    pub held_until: Option<DateTime<Utc>>,
}

/// Where one taken seat goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reseat {
    pub booking: BookingId,
    pub from: String,
    pub to: String,
}

/// Why a move to another hall cannot seat everyone: these seats (old labels) found no place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unseated(pub Vec<String>);

/// Places every `taken` seat in `new`, in the order given. `avoid` names, per booking, labels
/// it must not get (seats it had and cancelled: their void tickets keep the label).
pub fn reseat(
    taken: &[TakenSeat],
    new: &SeatLayout,
    avoid: &HashMap<BookingId, HashSet<String>>,
) -> Result<Vec<Reseat>, Unseated> {
    let mut placed: HashSet<String> = HashSet::new();
    let mut to: Vec<Option<String>> = vec![None; taken.len()];
    let by_label: HashMap<&str, SeatCategory> = new
        .seats()
        .iter()
        .map(|s| (s.label.as_str(), s.category))
        .collect();
    // First every seat that can keep its label, so that nobody is placed on one of those.
    for (i, seat) in taken.iter().enumerate() {
        if by_label.get(seat.label.as_str()) == Some(&seat.category) {
            placed.insert(seat.label.clone());
            to[i] = Some(seat.label.clone());
        }
    }
    // Then the others, booking by booking (in id order), each category's seats together.
    let mut groups: BTreeMap<(BookingId, SeatCategory), Vec<usize>> = BTreeMap::new();
    for (i, seat) in taken.iter().enumerate() {
        if to[i].is_none() {
            groups
                .entry((seat.booking, seat.category))
                .or_default()
                .push(i);
        }
    }
    let mut unseated = Vec::new();
    for ((booking, category), members) in groups {
        let no = HashSet::new();
        let avoided = avoid.get(&booking).unwrap_or(&no);
        let free = |placed: &HashSet<String>| -> Vec<ShowtimeSeat> {
            new.seats()
                .iter()
                .map(|s| ShowtimeSeat {
                    seat: s.clone(),
                    stored_state: if placed.contains(&s.label) || avoided.contains(&s.label) {
                        SeatState::Sold
                    } else {
                        SeatState::Available
                    },
                    booking_id: None,
                    held_until: None,
                })
                .collect()
        };
        let pick = |placed: &HashSet<String>, quantity: usize| {
            let seats = free(placed);
            let general = matches!(category, SeatCategory::Standard | SeatCategory::Premium);
            best_available(
                &seats,
                new.rows(),
                new.columns(),
                quantity,
                Some(category),
                EPOCH,
            )
            .or_else(|| {
                general
                    .then(|| {
                        best_available(&seats, new.rows(), new.columns(), quantity, None, EPOCH)
                    })
                    .flatten()
            })
        };
        let together = pick(&placed, members.len());
        let mut labels = together.into_iter().flatten();
        for &i in &members {
            let label = match labels.next() {
                Some(label) => Some(label),
                None => pick(&placed, 1).and_then(|mut one| one.pop()),
            };
            match label {
                Some(label) => {
                    placed.insert(label.clone());
                    to[i] = Some(label);
                }
                None => unseated.push(taken[i].label.clone()),
            }
        }
    }
    if !unseated.is_empty() {
        unseated.sort();
        return Err(Unseated(unseated));
    }
    Ok(taken
        .iter()
        .zip(to)
        .map(|(seat, to)| Reseat {
            booking: seat.booking,
            from: seat.label.clone(),
            to: to.unwrap_or_default(),
        })
        .collect())
}

/// Best-available reads seat states "as of" a time; the seats built here carry no hold end.
const EPOCH: DateTime<Utc> = DateTime::<Utc>::UNIX_EPOCH;

/// What a customer answered the cinema's move of their showtime.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MoveAnswer {
    /// Goes at the new time (nothing changes; the offer stays open until the start).
    Kept,
    /// Took seats at another showtime of the same film instead (the booking is cancelled and
    /// refunded in full when the new one is paid).
    Exchanged,
    /// Cancelled for a full refund.
    Cancelled,
}

impl MoveAnswer {
    pub const ALL: [MoveAnswer; 3] = [
        MoveAnswer::Kept,
        MoveAnswer::Exchanged,
        MoveAnswer::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            MoveAnswer::Kept => "kept",
            MoveAnswer::Exchanged => "exchanged",
            MoveAnswer::Cancelled => "cancelled",
        }
    }

    pub fn parse(name: &str) -> Option<MoveAnswer> {
        MoveAnswer::ALL.into_iter().find(|a| a.as_str() == name)
    }

    /// Whether the customer may still exchange or cancel for a full refund: until they have
    /// done one of those (keeping closes nothing: the offer stands until the start).
    pub fn open(answer: Option<MoveAnswer>) -> bool {
        matches!(answer, None | Some(MoveAnswer::Kept))
    }
}

/// The cinema moved a booking's showtime: from when and where to when and where, why, the
/// seats the booking had before, and what its customer answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MoveNotice {
    pub move_id: i64,
    pub from_starts_at: DateTime<Utc>,
    pub from_hall: String,
    pub to_starts_at: DateTime<Utc>,
    pub to_hall: String,
    pub reason: String,
    pub seats_before: Vec<String>,
    pub answer: Option<MoveAnswer>,
    pub moved_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout(text: &str) -> SeatLayout {
        SeatLayout::parse(text).unwrap()
    }

    fn sold(booking: i64, label: &str, category: SeatCategory) -> TakenSeat {
        TakenSeat {
            booking: BookingId(booking),
            label: label.to_string(),
            category,
            state: SeatState::Sold,
            held_until: None,
        }
    }

    fn targets(moves: &[Reseat]) -> Vec<(&str, &str)> {
        moves
            .iter()
            .map(|m| (m.from.as_str(), m.to.as_str()))
            .collect()
    }

    use SeatCategory::{Accessible, Premium, Standard};

    #[test]
    fn seats_keep_their_labels_where_the_new_hall_has_them() {
        let new = layout("A  ssss\nB  ssss");
        let taken = [
            sold(1, "A1", Standard),
            sold(1, "A2", Standard),
            sold(2, "B4", Standard),
        ];
        let moves = reseat(&taken, &new, &HashMap::new()).unwrap();
        assert_eq!(targets(&moves), [("A1", "A1"), ("A2", "A2"), ("B4", "B4")]);
    }

    #[test]
    fn seats_the_new_hall_lacks_are_placed_together_and_never_on_a_kept_seat() {
        // The old hall had a row C; the new one has two rows of six.
        let new = layout("A  ssssss\nB  ssssss");
        let taken = [
            sold(1, "C1", Standard),
            sold(1, "C2", Standard),
            sold(2, "B3", Standard),
            sold(2, "B4", Standard),
        ];
        let moves = reseat(&taken, &new, &HashMap::new()).unwrap();
        let to: Vec<&str> = moves.iter().map(|m| m.to.as_str()).collect();
        assert_eq!(&to[2..], ["B3", "B4"], "kept seats stay");
        assert!(!to[..2].contains(&"B3") && !to[..2].contains(&"B4"));
        // Side by side in one row.
        assert_eq!(to[0][..1], to[1][..1]);
        let (a, b): (u32, u32) = (to[0][1..].parse().unwrap(), to[1][1..].parse().unwrap());
        assert_eq!(a.abs_diff(b), 1, "{to:?}");
    }

    #[test]
    fn a_seat_whose_label_changes_category_is_placed_again_in_its_own() {
        // A1 was a wheelchair space; in the new hall A1 is a standard seat, B1 the space.
        let new = layout("A  ss\nB  ws");
        let taken = [sold(1, "A1", Accessible)];
        let moves = reseat(&taken, &new, &HashMap::new()).unwrap();
        assert_eq!(targets(&moves), [("A1", "B1")]);
    }

    #[test]
    fn a_general_seat_may_become_the_other_general_category_but_nothing_else() {
        let new = layout("A  ppw");
        let taken = [sold(1, "Z1", Standard)];
        let moves = reseat(&taken, &new, &HashMap::new()).unwrap();
        assert_eq!(moves[0].to.chars().next(), Some('A'));
        assert_ne!(moves[0].to, "A3", "never the wheelchair space");
        let taken = [
            sold(1, "Z1", Premium),
            sold(1, "Z2", Premium),
            sold(1, "Z3", Premium),
        ];
        assert_eq!(
            reseat(&taken, &new, &HashMap::new()),
            Err(Unseated(vec!["Z3".to_string()]))
        );
    }

    #[test]
    fn a_hall_too_small_refuses_the_move_naming_the_seats_left_over() {
        let new = layout("A  ss");
        let taken = [
            sold(1, "A1", Standard),
            sold(2, "B1", Standard),
            sold(2, "B2", Standard),
        ];
        assert_eq!(
            reseat(&taken, &new, &HashMap::new()),
            Err(Unseated(vec!["B2".to_string()]))
        );
    }

    #[test]
    fn a_booking_never_gets_a_label_it_cancelled() {
        let new = layout("A  sss");
        let taken = [sold(1, "B1", Standard)];
        let avoid = HashMap::from([(BookingId(1), HashSet::from(["A2".to_string()]))]);
        let moves = reseat(&taken, &new, &avoid).unwrap();
        assert_ne!(moves[0].to, "A2");
    }

    #[test]
    fn answers_round_trip_and_only_keeping_leaves_the_offer_open() {
        for answer in MoveAnswer::ALL {
            assert_eq!(MoveAnswer::parse(answer.as_str()), Some(answer));
        }
        assert!(MoveAnswer::open(None));
        assert!(MoveAnswer::open(Some(MoveAnswer::Kept)));
        assert!(!MoveAnswer::open(Some(MoveAnswer::Exchanged)));
        assert!(!MoveAnswer::open(Some(MoveAnswer::Cancelled)));
    }
}
