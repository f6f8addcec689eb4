//! `/bookings`: holding seats, releasing them, reading one's bookings. Login needed.

use super::error::{parse_id, ApiError, ApiResult, ErrorBody};
use super::extract::{AuthUser, Json, Path, Query};
use crate::app::App;
use crate::bookings::{self, SeatChoice};
use crate::error::{AppError, ErrorCode};
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use marquee_domain::Entity;
use marquee_domain::{Booking, BookingId, SeatCategory, ShowtimeId, MAX_SEATS_PER_BOOKING};
use marquee_store::BookingPage;
use serde::{Deserialize, Serialize};
use utoipa::openapi::schema::{
    AdditionalProperties, ArrayBuilder, KnownFormat, ObjectBuilder, OneOfBuilder, Schema,
    SchemaFormat, SchemaType, Type,
};
use utoipa::openapi::RefOr;
use utoipa::{IntoParams, ToSchema};

/// `seats` (labels from the seat map, all of the default ticket type), `tickets` (each seat
/// with its ticket type), or `quantity` (and optionally `category`) for the best available
/// seats. Its schema is written by hand (`hold_request_schema`): the
/// derived one cannot say "one or the other", and the document must say what `hold` checks.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HoldRequest {
    pub showtime_id: i64,
    /// 1 to 10 seat labels, e.g. `["F7", "F8"]`.
    pub seats: Option<Vec<String>>,
    /// 1 to 10 seats, each with its ticket type, e.g. `[{"seat": "F7", "type": "child"}]`.
    pub tickets: Option<Vec<TicketRequest>>,
    /// 1 to 10: how many seats side by side to pick.
    pub quantity: Option<usize>,
    /// With `quantity`: `standard`, `premium`, `accessible` or `companion`. Without it, standard
    /// and premium seats are picked; wheelchair spaces only when asked for.
    pub category: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TicketRequest {
    pub seat: String,
    /// A ticket type code the showtime sells (`GET /showtimes/{id}`: `ticket_types`).
    #[serde(rename = "type")]
    pub ticket_type: String,
}

impl utoipa::PartialSchema for HoldRequest {
    fn schema() -> RefOr<Schema> {
        hold_request_schema().into()
    }
}

impl ToSchema for HoldRequest {}

/// A seat label as a request may name one: row letters and a seat number.
fn seat_label_schema() -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some("^[A-Z]{1,3}[0-9]{1,3}$"))
        .description(Some("Row letters and a seat number, e.g. `F7`."))
}

/// A list of seat labels as a request names them: 1 to 10, each once (what
/// `bookings::check_seat_labels` checks).
pub(crate) fn seat_labels_schema(description: &str) -> ArrayBuilder {
    ArrayBuilder::new()
        .items(seat_label_schema())
        .min_items(Some(1))
        .max_items(Some(MAX_SEATS_PER_BOOKING))
        .unique_items(true)
        .description(Some(description))
}

/// `HoldRequest` as `hold` reads it: exactly one of three closed shapes. A `null` counts as
/// absent, as serde reads it.
fn hold_request_schema() -> Schema {
    let showtime_id = || {
        ObjectBuilder::new()
            .schema_type(Type::Integer)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
    };
    let null = || ObjectBuilder::new().schema_type(Type::Null);
    let seats = seat_labels_schema(
        "1 to 10 seat labels from the seat map, each once, all of the showtime's default \
         ticket type.",
    );
    let ticket_type = ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some("^[a-z0-9_-]{1,32}$"))
        .description(Some(
            "A ticket type code the showtime sells (`ticket_types` of `GET /showtimes/{id}`).",
        ));
    let ticket = ObjectBuilder::new()
        .schema_type(Type::Object)
        .property("seat", seat_label_schema())
        .property("type", ticket_type)
        .required("seat")
        .required("type")
        .additional_properties(Some(AdditionalProperties::FreeForm(false)));
    let tickets = ArrayBuilder::new()
        .items(ticket)
        .min_items(Some(1))
        .max_items(Some(MAX_SEATS_PER_BOOKING))
        .description(Some("1 to 10 seats, each once, each with its ticket type."));
    let quantity = ObjectBuilder::new()
        .schema_type(Type::Integer)
        .minimum(Some(1))
        .maximum(Some(MAX_SEATS_PER_BOOKING as u64))
        .description(Some("How many seats side by side to pick."));
    let category = ObjectBuilder::new()
        .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
        .enum_values(Some(
            SeatCategory::ALL
                .iter()
                .map(|c| serde_json::Value::from(c.as_str()))
                .chain([serde_json::Value::Null]),
        ))
        .description(Some(
            "Without it, standard and premium seats are picked; wheelchair spaces only when \
             asked for.",
        ));
    let named = ObjectBuilder::new()
        .schema_type(Type::Object)
        .title(Some("Named seats"))
        .property("showtime_id", showtime_id())
        .property("seats", seats)
        .property("tickets", null())
        .property("quantity", null())
        .property("category", null())
        .required("showtime_id")
        .required("seats")
        .additional_properties(Some(AdditionalProperties::FreeForm(false)));
    let typed = ObjectBuilder::new()
        .schema_type(Type::Object)
        .title(Some("Seats with ticket types"))
        .property("showtime_id", showtime_id())
        .property("seats", null())
        .property("tickets", tickets)
        .property("quantity", null())
        .property("category", null())
        .required("showtime_id")
        .required("tickets")
        .additional_properties(Some(AdditionalProperties::FreeForm(false)));
    let best = ObjectBuilder::new()
        .schema_type(Type::Object)
        .title(Some("Best available"))
        .property("showtime_id", showtime_id())
        .property("seats", null())
        .property("tickets", null())
        .property("quantity", quantity)
        .property("category", category)
        .required("showtime_id")
        .required("quantity")
        .additional_properties(Some(AdditionalProperties::FreeForm(false)));
    OneOfBuilder::new()
        .description(Some(
            "`seats` (labels from the seat map, of the default ticket type), `tickets` (each \
             seat with its ticket type), or `quantity` (and optionally `category`) for the \
             best available seats of the default ticket type.",
        ))
        .item(named)
        .item(typed)
        .item(best)
        .into()
}

#[derive(Serialize, ToSchema)]
pub struct LineBody {
    pub seat: String,
    pub category: String,
    /// The ticket type's code, e.g. `adult`.
    #[serde(rename = "type")]
    pub ticket_type: String,
    /// Minor units: the frozen price of this type and category.
    pub price: i64,
}

#[derive(Serialize, ToSchema)]
pub struct TransitionBody {
    pub from: Option<String>,
    pub to: String,
    pub at: DateTime<Utc>,
}

#[derive(Serialize, ToSchema)]
pub struct BookingBody {
    /// A string: booking ids are 64-bit.
    pub id: String,
    /// Short and unguessable; what the box office asks for.
    pub reference: String,
    /// `held`, `payment_pending`, `confirmed`, `cancelled`, `refunded`, `expired`,
    /// `payment_failed`, `released`.
    pub status: String,
    pub showtime_id: i64,
    /// Until when a hold keeps its seats.
    pub expires_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    /// Seat labels, in the order asked for.
    pub seats: Vec<String>,
    pub lines: Vec<LineBody>,
    /// Minor units: seats, then fees, then the total to pay.
    pub subtotal: i64,
    pub fees: i64,
    pub total: i64,
    pub currency: String,
    pub transitions: Vec<TransitionBody>,
    /// One per seat once the booking is confirmed; empty before. A cancelled seat's ticket
    /// is void and not listed.
    pub tickets: Vec<TicketBody>,
    /// Its cancellations, oldest first (`POST /bookings/{id}/cancel`).
    pub cancellations: Vec<CancelledBody>,
    /// The cinema's latest move of its showtime after it was bought, and the customer's
    /// answer; `null` when it was never moved.
    pub moved: Option<MovedBody>,
    /// The booking this one exchanges (`POST /bookings/{id}/exchange`): that one is cancelled
    /// and refunded in full when this one is paid.
    pub replaces: Option<String>,
}

/// The cinema moved a booking's showtime. Until it starts, and unless the customer exchanged
/// or cancelled, they may keep it (`POST /bookings/{id}/keep`), exchange it
/// (`POST /bookings/{id}/exchange`) or cancel it for a full refund
/// (`POST /bookings/{id}/cancel`).
#[derive(Serialize, ToSchema)]
pub struct MovedBody {
    pub from_starts_at: DateTime<Utc>,
    pub from_hall: String,
    pub to_starts_at: DateTime<Utc>,
    pub to_hall: String,
    /// Why, as the cinema said.
    pub reason: String,
    /// The booking's seats before the move (its `seats` are where they are now).
    pub seats_before: Vec<String>,
    /// `kept`, `exchanged`, `cancelled`, or `null` while unanswered.
    pub answer: Option<String>,
    pub moved_at: DateTime<Utc>,
}

/// A cancellation of some or all of a booking's seats, and its refund.
#[derive(Serialize, ToSchema)]
pub struct CancelledBody {
    pub seats: Vec<String>,
    /// Minor units going back to the card paid with.
    pub refund: i64,
    /// `not_owed` (nothing goes back), `due` (asked of the payment gateway), `succeeded`.
    pub refund_status: String,
    pub why: String,
    pub cancelled_at: DateTime<Utc>,
    pub refunded_at: Option<DateTime<Utc>>,
}

#[derive(Serialize, ToSchema)]
pub struct TicketBody {
    pub seat: String,
    /// What the door scans: 26 characters, unguessable.
    pub code: String,
    /// The ticket's QR code image (SVG).
    pub qr: String,
}

impl BookingBody {
    pub fn new(booking: Booking, now: DateTime<Utc>) -> Self {
        BookingBody {
            id: booking.id.0.to_string(),
            reference: booking.reference.to_string(),
            status: booking.status_at(now).as_str().to_string(),
            showtime_id: booking.showtime_id.0,
            expires_at: booking.expires_at,
            created_at: booking.created_at,
            seats: booking
                .seat_labels()
                .into_iter()
                .map(str::to_string)
                .collect(),
            lines: booking
                .quote
                .lines
                .iter()
                .map(|l| LineBody {
                    seat: l.label.clone(),
                    category: l.category.as_str().to_string(),
                    ticket_type: l.ticket_type.clone(),
                    price: l.price.minor,
                })
                .collect(),
            subtotal: booking.quote.subtotal.minor,
            fees: booking.quote.fees.minor,
            total: booking.quote.total.minor,
            currency: booking.quote.total.currency.to_string(),
            transitions: booking
                .transitions
                .iter()
                .map(|t| TransitionBody {
                    from: t.from.map(|s| s.as_str().to_string()),
                    to: t.to.as_str().to_string(),
                    at: t.at,
                })
                .collect(),
            tickets: booking
                .tickets
                .iter()
                .map(|t| TicketBody {
                    seat: t.seat.clone(),
                    code: t.code.to_string(),
                    qr: format!("/api/v1/tickets/{}/qr.svg", t.code),
                })
                .collect(),
            cancellations: booking
                .cancellations
                .iter()
                .map(|c| CancelledBody {
                    seats: c.seats.clone(),
                    refund: c.refund.minor,
                    refund_status: c.refund_status.as_str().to_string(),
                    why: c.why.clone(),
                    cancelled_at: c.created_at,
                    refunded_at: c.refunded_at,
                })
                .collect(),
            moved: booking.moved.map(|m| MovedBody {
                from_starts_at: m.from_starts_at,
                from_hall: m.from_hall,
                to_starts_at: m.to_starts_at,
                to_hall: m.to_hall,
                reason: m.reason,
                seats_before: m.seats_before,
                answer: m.answer.map(|a| a.as_str().to_string()),
                moved_at: m.moved_at,
            }),
            replaces: booking.replaces.map(|b| b.0.to_string()),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct BookingsBody {
    pub bookings: Vec<BookingBody>,
    /// Pass as `before` for the next (older) page; `null` on the last page.
    pub next_before: Option<String>,
}

/// Bookings are listed newest first, a page at a time.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// A booking id from an earlier page's `next_before`: the bookings older than it.
    #[param(pattern = "^[0-9]{1,19}$")]
    before: Option<String>,
    /// 1 to 100; 20 unless given.
    #[param(minimum = 1, maximum = 100)]
    limit: Option<u32>,
}

/// Bookings per page unless asked otherwise, and at most.
const DEFAULT_LIMIT: u32 = 20;
const MAX_LIMIT: u32 = 100;

pub(crate) fn booking_id(id: &str) -> Result<BookingId, ApiError> {
    parse_id(id, Entity::Booking).map(BookingId)
}

/// Hold seats for `hold_ttl` (10 minutes unless configured): all of them or none.
#[utoipa::path(post, path = "/bookings", tag = "bookings", security(("bearer" = [])), request_body = HoldRequest,
    responses(
        (status = 201, description = "Held", body = BookingBody, links(
            ("get_booking" = (operation_id = "get", parameters(("id" = "$response.body#/id")),
                description = "Read the booking: its state, then its tickets")),
            ("release_booking" = (operation_id = "release", parameters(("id" = "$response.body#/id")),
                description = "Release the hold")),
            ("checkout_booking" = (operation_id = "checkout", parameters(("id" = "$response.body#/id")),
                description = "Pay for the hold")),
        )),
        (status = 400, description = "`invalid_seats`, `invalid_quantity`, `unknown_seats`, `unknown_ticket_type` (nothing is held), `invalid_request`, `invalid_json`, `invalid_body`", body = ErrorBody),
        (status = 401, description = "`unauthenticated`, `invalid_token`", body = ErrorBody),
        (status = 404, description = "`showtime_not_found`", body = ErrorBody),
        (status = 409, description = "`seats_unavailable` (with `seats`), `not_enough_seats`, `showtime_started`, `sales_closed`, `sales_not_open`", body = ErrorBody),
        (status = 415, description = "`unsupported_media_type`: the body is not `application/json`", body = ErrorBody),
        (status = 429, description = "`hold_limit`: the account's share of the showtime or of holds at once is used (`GET /limits`); `hold_cooldown`: a hold of this account on this showtime ran out unpaid lately. `Retry-After` says when trying again can succeed, where waiting helps", body = ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds until trying again can succeed"))),
    ))]
pub async fn hold(
    State(app): State<App>,
    auth: AuthUser,
    Json(body): Json<HoldRequest>,
) -> ApiResult<(StatusCode, axum::Json<BookingBody>)> {
    let (showtime, choice) = body.choice()?;
    let booking = bookings::hold(&app, &auth.user, showtime, choice).await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(BookingBody::new(booking, app.now())),
    ))
}

impl HoldRequest {
    /// The showtime and the seats asked for, in one of the three shapes.
    pub(crate) fn choice(self) -> Result<(ShowtimeId, SeatChoice), AppError> {
        let body = self;
        let choice =
            match (body.seats, body.tickets, body.quantity, body.category) {
                (Some(seats), None, None, None) => SeatChoice::seats(seats),
                (None, Some(tickets), None, None) => {
                    let (seats, ticket_types) =
                        tickets.into_iter().map(|t| (t.seat, t.ticket_type)).unzip();
                    SeatChoice::Named {
                        seats,
                        ticket_types,
                    }
                }
                (None, None, Some(quantity), category) => {
                    let category = category
                        .map(|c| {
                            SeatCategory::parse(&c).ok_or_else(|| {
                                AppError::invalid(
                                    ErrorCode::InvalidRequest,
                                    format!("no seat category {c:?}"),
                                )
                            })
                        })
                        .transpose()?;
                    SeatChoice::BestAvailable { quantity, category }
                }
                _ => return Err(AppError::invalid(
                    ErrorCode::InvalidRequest,
                    "give one of seats (a list of labels), tickets (a list of {seat, type}) or \
                 quantity (and optionally category)",
                )),
            };
        Ok((ShowtimeId(body.showtime_id), choice))
    }
}

/// Your bookings, newest first, a page at a time.
#[utoipa::path(get, path = "/bookings", tag = "bookings", security(("bearer" = [])), params(ListParams),
    responses((status = 200, body = BookingsBody),
        (status = 400, description = "`invalid_query`", body = ErrorBody),
        (status = 401, body = ErrorBody)))]
pub async fn list(
    State(app): State<App>,
    auth: AuthUser,
    Query(params): Query<ListParams>,
) -> ApiResult<axum::Json<BookingsBody>> {
    let limit = params.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(AppError::invalid(
            ErrorCode::InvalidQuery,
            format!("limit is 1 to {MAX_LIMIT}"),
        )
        .into());
    }
    // Any run of digits is a cursor: one beyond every id starts from the newest.
    let before = match params.before.as_deref() {
        Some(id) => Some(BookingId(
            id.parse::<u64>()
                .map(|id| i64::try_from(id).unwrap_or(i64::MAX))
                .map_err(|_| {
                    AppError::invalid(ErrorCode::InvalidQuery, "before is a booking id")
                })?,
        )),
        None => None,
    };
    let now = app.now();
    let list = bookings::list(&app, &auth.user, BookingPage { before, limit }).await?;
    let next_before = (list.len() == limit as usize)
        .then(|| list.last().map(|b| b.id.0.to_string()))
        .flatten();
    Ok(axum::Json(BookingsBody {
        bookings: list.into_iter().map(|b| BookingBody::new(b, now)).collect(),
        next_before,
    }))
}

/// One of your bookings. Someone else's answers 404, as if it did not exist.
#[utoipa::path(get, path = "/bookings/{id}", tag = "bookings", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = BookingBody), (status = 401, body = ErrorBody), (status = 404, description = "`booking_not_found`", body = ErrorBody)))]
pub async fn get(
    State(app): State<App>,
    auth: AuthUser,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<BookingBody>> {
    let booking = bookings::get(&app, &auth.user, booking_id(&id)?).await?;
    Ok(axum::Json(BookingBody::new(booking, app.now())))
}

/// Release a hold: its seats are free again at once.
#[utoipa::path(delete, path = "/bookings/{id}", tag = "bookings", security(("bearer" = [])), params(("id" = String, Path)),
    responses(
        (status = 200, description = "Released", body = BookingBody),
        (status = 401, body = ErrorBody),
        (status = 404, description = "`booking_not_found`", body = ErrorBody),
        (status = 409, description = "`hold_expired`, `invalid_booking_state`", body = ErrorBody),
    ))]
pub async fn release(
    State(app): State<App>,
    auth: AuthUser,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<BookingBody>> {
    let booking = bookings::release(&app, &auth.user, booking_id(&id)?).await?;
    Ok(axum::Json(BookingBody::new(booking, app.now())))
}
