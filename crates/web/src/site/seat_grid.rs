//! The seat map as HTML: the showtime's header, its all-in prices and the auditorium as a grid
//! of seats, rendered from the seat-map cache the API's JSON comes from (`SeatMaps::rendered`:
//! once per change of the map, then served as bytes).
//!
//! Each seat is a checkbox of the hold form (`form="hold"`), so a seat map without JavaScript
//! is a form that works; its accessible name says row, number, category and all-in price. A
//! seat that is not free is disabled and marked with a cross, not by colour alone.

use crate::words::{category_name, language, local_time, tag_words};
use askama::Template;
use axum::body::Bytes;
use chrono::{DateTime, Utc};
use marquee_domain::{SeatCategory, SeatState};
use marquee_server::error::AppResult;
use marquee_store::SeatMap;

/// What stays true while the map is loaded: everything but the seats' states.
pub struct Plan {
    heading: Heading,
    prices: PriceTable,
    /// Per row of the hall: its label, and per column the index of its seat (none: an aisle).
    rows: Vec<(String, Vec<Option<usize>>)>,
    /// Per seat (by index in the map): its accessible name but the state, and all-in price.
    seats: Vec<(String, i64)>,
}

#[derive(Clone)]
struct Heading {
    film: String,
    event_id: i64,
    cinema: String,
    hall: String,
    when: String,
    format: String,
    language: String,
    subtitles: Option<String>,
    access: Vec<&'static str>,
    on_sale: bool,
}

/// Each ticket type's all-in price (booking fee included) for each category of the hall.
pub struct PriceTable {
    pub categories: Vec<&'static str>,
    /// Type name, then a price per category (as `categories`).
    pub types: Vec<(String, Vec<String>)>,
    /// Each type's code and name, when there is more than one to choose from.
    pub choices: Vec<(String, String)>,
    pub fee: String,
    /// ISO 4217, for the page's script to write totals in.
    pub currency: String,
}

#[derive(Template)]
#[template(path = "site/seat_grid.html")]
struct Grid<'a> {
    heading: &'a Heading,
    prices: &'a PriceTable,
    rows: Vec<Row<'a>>,
    columns: usize,
    categories: Vec<(&'static str, &'static str)>,
}

struct Row<'a> {
    label: &'a str,
    cells: Vec<Option<Seat<'a>>>,
}

struct Seat<'a> {
    label: &'a str,
    number: u16,
    row: usize,
    column: usize,
    category: &'static str,
    /// The accessible name: row, number, category, price, and "taken" when it is.
    name: String,
    price_minor: i64,
    taken: bool,
}

impl Plan {
    pub fn of(map: &SeatMap) -> AppResult<Plan> {
        let info = &map.info;
        let showtime = &info.showtime;
        let prices = &showtime.prices;
        let fee = prices.booking_fee_minor();
        let currency = prices.currency();
        let all_in = |ticket_type: &str, category: SeatCategory| {
            prices
                .price_of(ticket_type, category)
                .map(|p| p.minor + fee)
        };
        let money = |minor: i64| marquee_domain::Money::new(minor, currency).to_string();
        let default = prices.default_type().code.clone();
        let categories: Vec<SeatCategory> = SeatCategory::ALL
            .into_iter()
            .filter(|c| map.seats.iter().any(|s| s.category() == *c))
            .collect();
        let price_table = PriceTable {
            categories: categories.iter().map(|c| category_name(*c)).collect(),
            types: prices
                .ticket_types()
                .map(|t| {
                    let cells = categories
                        .iter()
                        .map(|c| all_in(&t.code, *c).map_or_else(|| "—".into(), money))
                        .collect();
                    (t.name.clone(), cells)
                })
                .collect(),
            fee: money(fee),
            currency: currency.to_string(),
            choices: if prices.ticket_types().count() > 1 {
                prices
                    .ticket_types()
                    .map(|t| (t.code.clone(), t.name.clone()))
                    .collect()
            } else {
                Vec::new()
            },
        };
        let mut rows: Vec<(String, Vec<Option<usize>>)> = Vec::new();
        for (index, seat) in map.seats.iter().enumerate() {
            let row = usize::from(seat.seat.row);
            while rows.len() <= row {
                rows.push((String::new(), vec![None; map.columns as usize]));
            }
            rows[row].0.clone_from(&seat.seat.row_label);
            if let Some(cell) = rows[row].1.get_mut(usize::from(seat.seat.column)) {
                *cell = Some(index);
            }
        }
        let seats = map
            .seats
            .iter()
            .map(|s| {
                let price = all_in(&default, s.category()).unwrap_or(0);
                let name = format!(
                    "Row {}, seat {}, {}, {}",
                    s.seat.row_label,
                    s.seat.number,
                    category_name(s.category()).to_lowercase(),
                    money(price)
                );
                (name, price)
            })
            .collect();
        Ok(Plan {
            heading: Heading {
                film: info.event_title.clone(),
                event_id: showtime.event_id.0,
                cinema: info.venue.name.clone(),
                hall: info.auditorium_name.clone(),
                when: local_time(showtime.starts_at, info.city.timezone),
                format: showtime.format.clone(),
                language: language(&showtime.audio_language),
                subtitles: showtime.subtitles.as_deref().map(language),
                access: showtime.access.iter().map(|t| tag_words(*t).1).collect(),
                on_sale: true,
            },
            prices: price_table,
            rows,
            seats,
        })
    }

    /// The map as HTML with each seat's state at `now`.
    pub fn render(&self, map: &SeatMap, now: DateTime<Utc>) -> Bytes {
        let rows = self
            .rows
            .iter()
            .enumerate()
            .map(|(r, (label, cells))| Row {
                label,
                cells: cells
                    .iter()
                    .enumerate()
                    .map(|(c, cell)| {
                        let index = (*cell)?;
                        let seat = map.seats.get(index)?;
                        let (name, price) = self.seats.get(index)?;
                        let taken = seat.state_at(now) != SeatState::Available;
                        Some(Seat {
                            label: seat.label(),
                            number: seat.seat.number,
                            row: r,
                            column: c,
                            category: seat.category().as_str(),
                            name: if taken {
                                format!("{name}, taken")
                            } else {
                                name.clone()
                            },
                            price_minor: *price,
                            taken,
                        })
                    })
                    .collect(),
            })
            .collect();
        let on_sale = map.info.showtime.check_on_sale(now).is_ok();
        let heading = Heading {
            on_sale,
            ..self.heading.clone()
        };
        let categories = SeatCategory::ALL
            .into_iter()
            .filter(|c| map.seats.iter().any(|s| s.category() == *c))
            .map(|c| (c.as_str(), category_name(c)))
            .collect();
        let grid = Grid {
            heading: &heading,
            prices: &self.prices,
            rows,
            columns: map.columns as usize,
            categories,
        };
        match grid.render() {
            Ok(html) => Bytes::from(html),
            Err(error) => {
                tracing::error!(%error, "the seat map template failed to render");
                Bytes::from_static(b"<p>The seat map cannot be shown just now.</p>")
            }
        }
    }
}
