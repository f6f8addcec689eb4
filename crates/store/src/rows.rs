//! The rows both backends read, and how each becomes a domain value. Each backend's SELECTs
//! name their columns to match these fields; times arrive as Unix milliseconds and integers as
//! 64-bit, whatever the backend stores.

use crate::codec::*;
use crate::{AuditoriumInfo, SeatMap, ShowtimeInfo, StoreResult, User};
use marquee_domain::*;

#[derive(Debug, sqlx::FromRow)]
pub struct CityRow {
    pub id: i64,
    pub name: String,
    pub timezone: String,
}

impl CityRow {
    pub fn decode(self) -> StoreResult<City> {
        Ok(City {
            id: CityId(self.id),
            name: self.name,
            timezone: timezone(&self.timezone)?,
        })
    }
}

#[derive(Debug, sqlx::FromRow)]
pub struct VenueRow {
    pub id: i64,
    pub city_id: i64,
    pub name: String,
    pub address: String,
    pub ads_minutes: i64,
    pub cleaning_minutes: i64,
}

impl VenueRow {
    pub const COLUMNS: &'static str =
        "SELECT id, city_id, name, address, ads_minutes, cleaning_minutes FROM venues";

    pub fn decode(self) -> StoreResult<Venue> {
        Ok(Venue {
            id: VenueId(self.id),
            city_id: CityId(self.city_id),
            name: self.name,
            address: self.address,
            ads_minutes: unsigned(self.ads_minutes, "ads minutes")?,
            cleaning_minutes: unsigned(self.cleaning_minutes, "cleaning minutes")?,
        })
    }
}

#[derive(Debug, sqlx::FromRow)]
pub struct AuditoriumRow {
    pub id: i64,
    pub venue_id: i64,
    pub name: String,
    pub layout_id: i64,
    pub version: i64,
    pub row_count: i64,
    pub column_count: i64,
    pub capacity: i64,
}

impl AuditoriumRow {
    pub fn decode(self) -> StoreResult<AuditoriumInfo> {
        Ok(AuditoriumInfo {
            auditorium: Auditorium {
                id: AuditoriumId(self.id),
                venue_id: VenueId(self.venue_id),
                name: self.name,
                layout_id: LayoutId(self.layout_id),
                capacity: unsigned(self.capacity, "capacity")?,
            },
            layout_version: unsigned(self.version, "layout version")?,
            rows: unsigned(self.row_count, "rows")?,
            columns: unsigned(self.column_count, "columns")?,
        })
    }
}

#[derive(Debug, sqlx::FromRow)]
pub struct EventRow {
    pub id: i64,
    pub kind: String,
    pub title: String,
    pub original_title: String,
    pub synopsis: String,
    pub cast_members: String,
    pub director: String,
    pub genres: String,
    pub language: String,
    pub runtime_minutes: i64,
    pub certificate: String,
    pub poster_url: Option<String>,
    pub trailer_url: Option<String>,
    pub release_date: Option<String>,
}

impl EventRow {
    pub fn decode(self) -> StoreResult<Event> {
        let release_date = self
            .release_date
            .map(|d| {
                d.parse()
                    .map_err(|_| crate::StoreError::corrupt(format!("date {d:?}")))
            })
            .transpose()?;
        Ok(Event {
            id: EventId(self.id),
            kind: self.kind,
            title: self.title,
            original_title: self.original_title,
            synopsis: self.synopsis,
            cast: split_list(&self.cast_members),
            director: self.director,
            genres: split_list(&self.genres),
            language: self.language,
            runtime_minutes: unsigned(self.runtime_minutes, "runtime")?,
            certificate: self.certificate,
            poster_url: self.poster_url,
            trailer_url: self.trailer_url,
            release_date,
        })
    }
}

/// A showtime joined with its event, auditorium, venue, city and layout; `seats_available` is
/// counted with the availability predicate at the query's `now`.
#[derive(Debug, sqlx::FromRow)]
pub struct ShowtimeRow {
    pub id: i64,
    pub event_id: i64,
    pub auditorium_id: i64,
    pub layout_id: i64,
    pub starts_at: i64,
    pub ends_at: i64,
    pub format: String,
    pub audio_language: String,
    pub subtitles: Option<String>,
    pub access: String,
    pub currency: String,
    pub price_standard: Option<i64>,
    pub price_premium: Option<i64>,
    pub price_accessible: Option<i64>,
    pub price_companion: Option<i64>,
    pub booking_fee_minor: i64,
    pub ticket_prices: Option<String>,
    pub sales_open_at: i64,
    pub sales_close_minutes: i64,
    pub event_title: String,
    pub auditorium_name: String,
    pub venue_id: i64,
    pub venue_name: String,
    pub venue_address: String,
    pub venue_ads_minutes: i64,
    pub venue_cleaning_minutes: i64,
    pub city_id: i64,
    pub city_name: String,
    pub city_timezone: String,
    pub capacity: i64,
    pub row_count: i64,
    pub column_count: i64,
    pub cancelled_at: Option<i64>,
    pub seats_available: i64,
}

impl ShowtimeRow {
    pub fn decode(self) -> StoreResult<ShowtimeInfo> {
        let prices = crate::holds::frozen_prices(
            &self.currency,
            self.booking_fee_minor,
            self.ticket_prices.as_deref(),
            [
                self.price_standard,
                self.price_premium,
                self.price_accessible,
                self.price_companion,
            ],
        )?;
        let city_id = CityId(self.city_id);
        Ok(ShowtimeInfo {
            showtime: Showtime {
                id: ShowtimeId(self.id),
                event_id: EventId(self.event_id),
                auditorium_id: AuditoriumId(self.auditorium_id),
                layout_id: LayoutId(self.layout_id),
                starts_at: instant(self.starts_at)?,
                ends_at: instant(self.ends_at)?,
                format: self.format,
                audio_language: self.audio_language,
                subtitles: self.subtitles,
                access: crate::codec::access_tags(&self.access)?,
                prices,
                sales_open_at: instant(self.sales_open_at)?,
                sales_close_minutes: unsigned(self.sales_close_minutes, "sales close minutes")?,
            },
            event_title: self.event_title,
            auditorium_name: self.auditorium_name,
            venue: Venue {
                id: VenueId(self.venue_id),
                city_id,
                name: self.venue_name,
                address: self.venue_address,
                ads_minutes: unsigned(self.venue_ads_minutes, "ads minutes")?,
                cleaning_minutes: unsigned(self.venue_cleaning_minutes, "cleaning minutes")?,
            },
            city: City {
                id: city_id,
                name: self.city_name,
                timezone: timezone(&self.city_timezone)?,
            },
            capacity: unsigned(self.capacity, "capacity")?,
            seats_available: unsigned(self.seats_available, "seat count")?,
            cancelled_at: self.cancelled_at.map(instant).transpose()?,
        })
    }
}

#[derive(Debug, sqlx::FromRow)]
pub struct SeatRow {
    pub label: String,
    pub row_label: String,
    pub row_index: i64,
    pub column_index: i64,
    pub number: i64,
    pub category: String,
    pub status: String,
    pub booking_id: Option<i64>,
    pub held_until: Option<i64>,
}

impl SeatRow {
    pub fn decode(self) -> StoreResult<ShowtimeSeat> {
        Ok(ShowtimeSeat {
            seat: LayoutSeat {
                label: self.label,
                row_label: self.row_label,
                row: unsigned(self.row_index, "row")?,
                column: unsigned(self.column_index, "column")?,
                number: unsigned(self.number, "seat number")?,
                category: category(&self.category)?,
            },
            stored_state: seat_state(&self.status)?,
            booking_id: self.booking_id.map(BookingId),
            held_until: self.held_until.map(instant).transpose()?,
        })
    }
}

/// A seat map from its showtime and seat rows.
pub fn seat_map(showtime: ShowtimeRow, seats: Vec<SeatRow>) -> StoreResult<SeatMap> {
    let (rows, columns) = (
        unsigned(showtime.row_count, "rows")?,
        unsigned(showtime.column_count, "columns")?,
    );
    let info = showtime.decode()?;
    Ok(SeatMap {
        layout_id: info.showtime.layout_id,
        info,
        rows,
        columns,
        seats: seats
            .into_iter()
            .map(SeatRow::decode)
            .collect::<StoreResult<_>>()?,
    })
}

#[derive(Debug, sqlx::FromRow)]
pub struct UserRow {
    pub id: i64,
    pub email: String,
    pub password_hash: String,
    pub roles: String,
    pub created_at: i64,
}

/// A user row with the expiry of the session it was found by.
#[derive(Debug, sqlx::FromRow)]
pub struct SessionRow {
    #[sqlx(flatten)]
    pub user: UserRow,
    pub expires_at: i64,
}

impl SessionRow {
    pub fn decode(self) -> StoreResult<crate::Session> {
        Ok(crate::Session {
            expires_at: instant(self.expires_at)?,
            user: self.user.decode()?.user,
        })
    }
}

impl UserRow {
    pub fn decode(self) -> StoreResult<crate::UserCredentials> {
        Ok(crate::UserCredentials {
            user: User {
                id: UserId(self.id),
                email: Email::parse(&self.email).map_err(crate::StoreError::corrupt)?,
                roles: roles(&self.roles)?,
                created_at: instant(self.created_at)?,
            },
            password_hash: self.password_hash,
        })
    }
}

#[derive(Debug, sqlx::FromRow)]
pub struct BookingRow {
    pub id: i64,
    pub reference: String,
    pub user_id: i64,
    pub showtime_id: i64,
    pub status: String,
    pub expires_at: i64,
    pub created_at: i64,
    pub subtotal_minor: i64,
    pub fees_minor: i64,
    pub total_minor: i64,
    pub currency: String,
}

#[derive(Debug, sqlx::FromRow)]
pub struct BookingSeatRow {
    pub booking_id: i64,
    pub label: String,
    pub category: String,
    pub ticket_type: String,
    pub price_minor: i64,
}

#[derive(Debug, sqlx::FromRow)]
pub struct TransitionRow {
    pub booking_id: i64,
    pub from_status: Option<String>,
    pub to_status: String,
    pub at: i64,
}

/// A ticket row, in its booking's seat order.
#[derive(Debug, sqlx::FromRow)]
pub struct TicketRow {
    pub booking_id: i64,
    pub code: String,
    pub seat: String,
}

/// What bookings are assembled from besides their own rows, each of every booking read.
pub struct BookingParts {
    /// In booking order.
    pub seats: Vec<BookingSeatRow>,
    /// By time.
    pub transitions: Vec<TransitionRow>,
    /// In booking order.
    pub tickets: Vec<TicketRow>,
    pub cancellations: Vec<crate::cancellations::CancellationRow>,
    /// By move, oldest first.
    pub notices: Vec<crate::showtime_moves::MoveNoticeRow>,
    /// (booking, the booking it replaces).
    pub exchanges: Vec<(i64, i64)>,
}

/// Assembles bookings from their rows and parts.
pub fn bookings(rows: Vec<BookingRow>, parts: &BookingParts) -> StoreResult<Vec<Booking>> {
    let BookingParts {
        seats,
        transitions,
        tickets,
        cancellations,
        notices,
        exchanges,
    } = parts;
    rows.into_iter()
        .map(|row| {
            let currency = currency(&row.currency)?;
            let lines = seats
                .iter()
                .filter(|s| s.booking_id == row.id)
                .map(|s| {
                    Ok(BookingLine {
                        label: s.label.clone(),
                        category: category(&s.category)?,
                        ticket_type: s.ticket_type.clone(),
                        price: Money::new(s.price_minor, currency),
                    })
                })
                .collect::<StoreResult<Vec<_>>>()?;
            let transitions = transitions
                .iter()
                .filter(|t| t.booking_id == row.id)
                .map(|t| {
                    Ok(Transition {
                        from: t.from_status.as_deref().map(booking_status).transpose()?,
                        to: booking_status(&t.to_status)?,
                        at: instant(t.at)?,
                    })
                })
                .collect::<StoreResult<Vec<_>>>()?;
            Ok(Booking {
                id: BookingId(row.id),
                reference: BookingReference::from_stored(row.reference),
                user_id: UserId(row.user_id),
                showtime_id: ShowtimeId(row.showtime_id),
                stored_status: booking_status(&row.status)?,
                expires_at: instant(row.expires_at)?,
                created_at: instant(row.created_at)?,
                quote: Quote {
                    lines,
                    subtotal: Money::new(row.subtotal_minor, currency),
                    fees: Money::new(row.fees_minor, currency),
                    total: Money::new(row.total_minor, currency),
                },
                transitions,
                tickets: tickets
                    .iter()
                    .filter(|t| t.booking_id == row.id)
                    .map(|t| Ticket {
                        code: TicketCode::from_stored(t.code.clone()),
                        seat: t.seat.clone(),
                    })
                    .collect(),
                cancellations: cancellations
                    .iter()
                    .filter(|c| c.booking_id == row.id)
                    .map(|c| c.decode())
                    .collect::<StoreResult<Vec<_>>>()?,
                moved: notices
                    .iter()
                    .rfind(|n| n.booking_id == row.id)
                    .map(|n| n.decode())
                    .transpose()?,
                replaces: exchanges
                    .iter()
                    .find(|(booking, _)| *booking == row.id)
                    .map(|(_, replaced)| BookingId(*replaced)),
            })
        })
        .collect()
}

/// A payment row (times in Unix milliseconds).
#[derive(Debug, sqlx::FromRow)]
pub struct PaymentRow {
    pub booking_id: i64,
    pub provider: String,
    pub payment_ref: String,
    pub client_secret: Option<String>,
    pub checkout_url: Option<String>,
    pub amount_minor: i64,
    pub currency: String,
    pub status: String,
    pub created_at: i64,
    pub updated_at: i64,
}

impl PaymentRow {
    pub fn decode(self) -> StoreResult<crate::Payment> {
        Ok(crate::Payment {
            booking_id: BookingId(self.booking_id),
            provider: self.provider,
            payment_ref: self.payment_ref,
            client_secret: self.client_secret,
            checkout_url: self.checkout_url,
            amount: Money::new(self.amount_minor, currency(&self.currency)?),
            status: PaymentStatus::parse(&self.status).ok_or_else(|| {
                crate::StoreError::corrupt(format!("payment status {:?}", self.status))
            })?,
            created_at: instant(self.created_at)?,
            updated_at: instant(self.updated_at)?,
        })
    }
}

/// A sandbox gateway payment row (times in Unix milliseconds).
#[derive(Debug, sqlx::FromRow)]
pub struct SandboxPaymentRow {
    pub id: String,
    pub booking_id: i64,
    pub amount_minor: i64,
    pub currency: String,
    pub status: String,
    pub refunded_minor: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

impl SandboxPaymentRow {
    pub fn decode(self) -> StoreResult<crate::SandboxPayment> {
        Ok(crate::SandboxPayment {
            id: self.id,
            booking_id: BookingId(self.booking_id),
            amount: Money::new(self.amount_minor, currency(&self.currency)?),
            status: self.status,
            refunded_minor: self.refunded_minor,
            created_at: instant(self.created_at)?,
            updated_at: instant(self.updated_at)?,
        })
    }
}
