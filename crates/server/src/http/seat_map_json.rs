//! The seat map's JSON, made fast. Between two changes of a showtime's seats only their
//! states differ, so each map is serialised once per load with a marker in place of every
//! state, split at the markers, and a change is rendered by copying the pieces with the
//! states between them: no serialiser runs on the hot path of an on-sale.

use super::catalog::{SeatBody, SeatMapBody, TicketTypeBody};
use crate::error::{AppError, AppResult};
use bytes::Bytes;
use chrono::{DateTime, Utc};
use marquee_domain::{SeatCategory, SeatState};
use marquee_store::SeatMap;

/// A state no seat has, escaped by the serialiser as `\u0001`. Labels and categories are
/// checked plain text (letters and digits), and ticket type names have no control characters
/// (`TicketType::new`), so it appears nowhere else.
const MARKER: &str = "\u{1}";
const ESCAPED_MARKER: &[u8] = b"\\u0001";
/// How the template's answer ends; the real count of available seats replaces the 0.
const COUNT_AT_END: &[u8] = b"\"seats_available\":0}";

/// One map's JSON, split around each seat's state.
pub struct SeatMapTemplate {
    /// `seats + 1` pieces: before the first state, between states, after the last.
    pieces: Vec<Bytes>,
}

impl SeatMapTemplate {
    pub fn new(map: &SeatMap) -> AppResult<SeatMapTemplate> {
        let json = serde_json::to_vec(&body(map, |_| MARKER, 0))
            .map_err(|e| AppError::Internal(e.into()))?;
        let mut pieces = Vec::with_capacity(map.seats.len() + 1);
        let mut rest = &json[..];
        while let Some(at) = rest
            .windows(ESCAPED_MARKER.len())
            .position(|w| w == ESCAPED_MARKER)
        {
            pieces.push(Bytes::copy_from_slice(&rest[..at]));
            rest = &rest[at + ESCAPED_MARKER.len()..];
        }
        let Some(last) = rest.strip_suffix(COUNT_AT_END) else {
            return Err(AppError::Internal(anyhow::anyhow!(
                "the seat map's JSON does not end with its count"
            )));
        };
        pieces.push(Bytes::copy_from_slice(last));
        if pieces.len() != map.seats.len() + 1 {
            return Err(AppError::Internal(anyhow::anyhow!(
                "a seat map's JSON has a marker out of place"
            )));
        }
        Ok(SeatMapTemplate { pieces })
    }

    /// The map's JSON with each seat's state at `now`. `map` is the one the template was made
    /// from, perhaps with other states.
    pub fn render(&self, map: &SeatMap, now: DateTime<Utc>) -> Bytes {
        let mut out = Vec::with_capacity(
            self.pieces.iter().map(Bytes::len).sum::<usize>() + 16 * map.seats.len(),
        );
        let mut available = 0u32;
        for (piece, seat) in self.pieces.iter().zip(&map.seats) {
            out.extend_from_slice(piece);
            let state = seat.state_at(now);
            available += u32::from(state == SeatState::Available);
            out.extend_from_slice(state.as_str().as_bytes());
        }
        if let Some(last) = self.pieces.last() {
            out.extend_from_slice(last);
        }
        out.extend_from_slice(b"\"seats_available\":");
        out.extend_from_slice(available.to_string().as_bytes());
        out.push(b'}');
        Bytes::from(out)
    }
}

/// The answer's body with each seat's state as `state` names it.
pub fn body<'a>(
    map: &SeatMap,
    state: impl Fn(usize) -> &'a str,
    seats_available: u32,
) -> SeatMapBody {
    let prices = &map.info.showtime.prices;
    let default_type = &prices.default_type().code;
    let price = |c: SeatCategory| prices.price_of(default_type, c).map_or(0, |m| m.minor);
    SeatMapBody {
        showtime_id: map.info.showtime.id.0,
        rows: map.rows,
        columns: map.columns,
        currency: prices.currency().to_string(),
        access: super::catalog::access_names(&map.info.showtime.access),
        ticket_types: TicketTypeBody::all(prices),
        seats: map
            .seats
            .iter()
            .enumerate()
            .map(|(i, s)| SeatBody {
                label: s.seat.label.clone(),
                row: s.seat.row_label.clone(),
                number: s.seat.number,
                x: s.seat.column,
                y: s.seat.row,
                category: s.seat.category.as_str().to_string(),
                state: state(i).to_string(),
                price: price(s.seat.category),
            })
            .collect(),
        seats_available,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};
    use marquee_domain::*;
    use marquee_store::{SeatMap, ShowtimeInfo};

    fn map() -> SeatMap {
        let layout = SeatLayout::parse("A  ss.ss\nB  wcpp\n").unwrap();
        let now = Utc.with_ymd_and_hms(2026, 11, 23, 12, 0, 0).unwrap();
        let city = City {
            id: CityId(1),
            name: "Lisbon".into(),
            timezone: chrono_tz::Europe::Lisbon,
        };
        let seats = layout
            .seats()
            .iter()
            .enumerate()
            .map(|(i, seat)| ShowtimeSeat {
                seat: seat.clone(),
                stored_state: [SeatState::Available, SeatState::Held, SeatState::Sold][i % 3],
                booking_id: (i % 3 != 0).then_some(BookingId(7)),
                // The second held seat's hold has run out.
                held_until: (i % 3 == 1).then(|| now + Duration::minutes(i as i64 - 3)),
            })
            .collect();
        SeatMap {
            info: ShowtimeInfo {
                showtime: Showtime {
                    id: ShowtimeId(42),
                    event_id: EventId(1),
                    auditorium_id: AuditoriumId(1),
                    layout_id: LayoutId(1),
                    starts_at: now + Duration::days(1),
                    ends_at: now + Duration::days(1) + Duration::hours(2),
                    format: "2D".into(),
                    audio_language: "en".into(),
                    subtitles: None,
                    access: vec![],
                    prices: ShowtimePrices::single_type(
                        &PriceList {
                            currency: Currency::parse("EUR").unwrap(),
                            prices: vec![
                                (SeatCategory::Standard, 900),
                                (SeatCategory::Premium, 1200),
                                (SeatCategory::Accessible, 900),
                                (SeatCategory::Companion, 450),
                            ],
                        },
                        50,
                    )
                    .unwrap(),
                    sales_open_at: now - Duration::days(1),
                    sales_close_minutes: 15,
                },
                event_title: "The Long Light".into(),
                auditorium_name: "Sala 1".into(),
                venue: Venue {
                    id: VenueId(1),
                    city_id: CityId(1),
                    name: "Cinema Tejo".into(),
                    address: "Rua Augusta 1".into(),
                    ads_minutes: Venue::DEFAULT_ADS_MINUTES,
                    cleaning_minutes: Venue::DEFAULT_CLEANING_MINUTES,
                },
                city,
                capacity: 8,
                seats_available: 0,
                cancelled_at: None,
            },
            layout_id: LayoutId(1),
            rows: layout.rows() as u32,
            columns: layout.columns() as u32,
            seats,
        }
    }

    #[test]
    fn a_rendered_map_is_what_the_serialiser_would_write() {
        let map = map();
        let template = SeatMapTemplate::new(&map).unwrap();
        let now = Utc.with_ymd_and_hms(2026, 11, 23, 12, 0, 0).unwrap();
        for at in [
            now - Duration::minutes(10),
            now,
            now + Duration::minutes(10),
        ] {
            let states: Vec<SeatState> = map.seats.iter().map(|s| s.state_at(at)).collect();
            let available = states
                .iter()
                .filter(|s| **s == SeatState::Available)
                .count();
            let expected =
                serde_json::to_vec(&body(&map, |i| states[i].as_str(), available as u32)).unwrap();
            let rendered = template.render(&map, at);
            assert_eq!(
                String::from_utf8_lossy(&rendered),
                String::from_utf8_lossy(&expected)
            );
        }
    }
}
