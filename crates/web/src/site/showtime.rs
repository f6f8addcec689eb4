//! `/showtimes/{id}`: a showtime's seat map, to choose seats and hold them; and
//! `POST /showtimes/{id}/hold`, which holds them (`bookings::hold`, as the API's hold) and goes
//! on to the booking's page.
//!
//! The map is the cached HTML of `seat_grid`; the page around it is the visitor's (their
//! account, the form's CSRF token, a message). `assets/seat-map.js` makes it live (the
//! showtime's Server-Sent Events), moves between seats with the arrow keys and adds up the
//! total; without it the map is a form of checkboxes that works the same.
//!
//! A refusal (a seat taken meanwhile, a limit, sales closed) shows the page again with the
//! map as it is now and a message saying what happened, never an error page.

use super::seat_grid::Plan;
use crate::csrf;
use crate::page::{html, PageError};
use crate::session::{self, Cookies, SignedIn};
use crate::shell::Shell;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use marquee_domain::booking::MAX_SEATS_PER_BOOKING;
use marquee_domain::{BookingStatus, Entity, SeatCategory, ShowtimeId};
use marquee_server::bookings::{self, SeatChoice};
use marquee_server::error::AppError;
use marquee_server::{showtime_moves, App};
use marquee_store::BookingPage;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "site/showtime.html")]
struct ShowtimePage {
    shell: Shell,
    csrf: String,
    id: i64,
    /// The cached map (`seat_grid`), HTML escaped when it was rendered.
    map: String,
    /// What went wrong with the last try, for people.
    message: Option<String>,
    /// Seats to show chosen (after a login, or a refusal of some of them), comma-separated.
    chosen: String,
    quantities: Vec<usize>,
    categories: Vec<(&'static str, &'static str)>,
    signed_in: bool,
    /// What was typed about access needs, kept after a refusal.
    access_needs: String,
    /// The booking the seats chosen here exchange (its showtime was moved), if any.
    exchange: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ShowtimeQuery {
    /// Seats chosen before a login, to choose again.
    seats: String,
    /// Why the customer is back here: `payment_failed`, `expired` or `released`.
    notice: String,
    /// The id of a booking whose showtime was moved, to exchange for seats here.
    exchange: String,
}

/// What the seat map says to a customer sent back to it by their booking (`booking::show`).
fn notice(key: &str) -> Option<String> {
    Some(
        match key {
            "payment_failed" => "Your payment did not go through, so your seats are free again. Choose them again to try once more.",
            "expired" => "Your hold ran out and the seats went back on sale. Choose again.",
            "released" => "You gave your seats up; they are back on sale.",
            _ => return None,
        }
        .to_string(),
    )
}

/// `GET /showtimes/{id}`.
pub async fn page(
    State(app): State<App>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(query): Query<ShowtimeQuery>,
) -> Result<Response, PageError> {
    let id = showtime_id(&id)?;
    let signed_in = session::signed_in(&app, &headers).await;
    let told = notice(&query.notice).map(|message| (StatusCode::OK, message));
    let chosen = Chosen {
        seats: &query.seats,
        access_needs: "",
        exchange: &query.exchange,
    };
    render(&app, &headers, id, signed_in.as_ref(), told, chosen).await
}

/// The page with the map as it is now, `message` above it and `chosen` chosen.
async fn render(
    app: &App,
    headers: &HeaderMap,
    id: ShowtimeId,
    signed_in: Option<&SignedIn>,
    refusal: Option<(StatusCode, String)>,
    chosen: Chosen<'_>,
) -> Result<Response, PageError> {
    let map = app
        .seat_maps()
        .rendered(id, app.now(), Plan::of, |plan, map, now| {
            plan.render(map, now)
        })
        .await?
        .ok_or(AppError::NotFound(Entity::Showtime))?;
    let (csrf, new_cookie) = match signed_in {
        Some(signed_in) => (signed_in.csrf.clone(), None),
        None => csrf::token_for_anyone(headers, &Cookies::of(app)),
    };
    let (status, message) = match refusal {
        Some((status, message)) => (status, Some(message)),
        None => (StatusCode::OK, None),
    };
    let page = ShowtimePage {
        shell: Shell::customer(signed_in, ""),
        csrf,
        id: id.0,
        map: String::from_utf8_lossy(&map).into_owned(),
        message,
        chosen: chosen.seats.to_string(),
        quantities: (1..=MAX_SEATS_PER_BOOKING).collect(),
        categories: SeatCategory::ALL
            .into_iter()
            .filter(|c| *c != SeatCategory::Companion)
            .map(|c| (c.as_str(), crate::words::category_name(c)))
            .chain([(
                "wheelchair_with_companion",
                "A wheelchair space with its companion seat",
            )])
            .collect(),
        signed_in: signed_in.is_some(),
        access_needs: chosen.access_needs.to_string(),
        exchange: chosen.exchange.to_string(),
    };
    let mut response = html(status, &page);
    if let Some(cookie) = new_cookie {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    Ok(response)
}

/// What the visitor had chosen, shown chosen again: seats (comma-separated) and what they
/// wrote of their access needs.
#[derive(Clone, Copy, Default)]
struct Chosen<'a> {
    seats: &'a str,
    access_needs: &'a str,
    /// The booking being exchanged, when the seats are for an exchange.
    exchange: &'a str,
}

/// What the hold form sent: the seats ticked (or a number of seats for best available), and
/// how many tickets of each type.
#[derive(Default)]
struct HoldForm {
    seats: Vec<String>,
    quantity: Option<usize>,
    category: Option<SeatCategory>,
    /// `(type code, how many)`, in the form's order.
    types: Vec<(String, usize)>,
    /// A wheelchair space and its companion seat, chosen by the map.
    wheelchair: bool,
    /// What the customer tells the cinema about their access needs.
    access_needs: String,
    /// The booking these seats exchange, if any.
    exchange: String,
}

impl HoldForm {
    /// Read by hand: a form repeats `seats` once per seat ticked.
    fn parse(body: &[u8]) -> Result<HoldForm, String> {
        let mut form = HoldForm::default();
        for (name, value) in form_urlencoded::parse(body) {
            let value = value.trim();
            match name.as_ref() {
                "seats" if !value.is_empty() => form.seats.push(value.to_string()),
                "quantity" if !value.is_empty() => {
                    form.quantity = Some(
                        value
                            .parse()
                            .map_err(|_| "Choose how many seats you want.".to_string())?,
                    )
                }
                "category" if value == "wheelchair_with_companion" => form.wheelchair = true,
                "access_needs" => form.access_needs = value.to_string(),
                "exchange" => form.exchange = value.to_string(),
                "category" if !value.is_empty() => {
                    form.category = Some(
                        SeatCategory::parse(value)
                            .ok_or_else(|| "Choose where you want to sit.".to_string())?,
                    )
                }
                other => {
                    if let Some(code) = other.strip_prefix("type.") {
                        let count = if value.is_empty() {
                            0
                        } else {
                            value.parse().map_err(|_| {
                                "Say how many tickets of each type as a number.".to_string()
                            })?
                        };
                        form.types.push((code.to_string(), count));
                    }
                }
            }
        }
        Ok(form)
    }

    /// The choice for `bookings::hold`: the seats ticked, given the types asked for in order
    /// (the first seats the first type...), or the best seats together.
    fn choice(self) -> Result<SeatChoice, String> {
        if !self.seats.is_empty() {
            let asked: usize = self.types.iter().map(|(_, n)| n).sum();
            if asked == 0 {
                return Ok(SeatChoice::seats(self.seats));
            }
            if asked != self.seats.len() {
                return Err(format!(
                    "You chose {} seats and {asked} tickets: choose as many tickets as seats.",
                    self.seats.len()
                ));
            }
            let ticket_types = self
                .types
                .into_iter()
                .flat_map(|(code, n)| std::iter::repeat_n(code, n))
                .collect();
            return Ok(SeatChoice::Named {
                seats: self.seats,
                ticket_types,
            });
        }
        if self.wheelchair {
            return Ok(SeatChoice::WheelchairWithCompanion);
        }
        match self.quantity {
            Some(quantity) => Ok(SeatChoice::BestAvailable {
                quantity,
                category: self.category,
            }),
            None => Err("Choose at least one seat on the map.".into()),
        }
    }
}

/// `POST /showtimes/{id}/hold` (its CSRF token checked by `csrf::guard`).
pub async fn hold(
    State(app): State<App>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let id = showtime_id(&id)?;
    let form = HoldForm::parse(&body);
    let chosen = form.as_ref().map(|f| f.seats.join(",")).unwrap_or_default();
    let exchange = form
        .as_ref()
        .map(|f| f.exchange.clone())
        .unwrap_or_default();
    let Some(signed_in) = session::signed_in(&app, &headers).await else {
        // Back here after the login, with the same seats chosen.
        let mut here = format!("/showtimes/{}?seats={chosen}", id.0);
        if !exchange.is_empty() {
            here.push_str(&format!("&exchange={exchange}"));
        }
        let next: String = form_urlencoded::byte_serialize(here.as_bytes()).collect();
        return Ok(Redirect::to(&format!("/login?next={next}")).into_response());
    };
    let needs = form
        .as_ref()
        .map(|f| f.access_needs.clone())
        .unwrap_or_default();
    let choice = form.and_then(|form| {
        bookings::check_access_needs(&form.access_needs)
            .map_err(|_| {
                format!(
                    "Tell us about your access needs in at most {} characters.",
                    bookings::MAX_ACCESS_NEEDS
                )
            })
            .and_then(|_| form.choice())
    });
    let choice = match choice {
        Ok(choice) => choice,
        Err(message) => {
            let refusal = Some((StatusCode::BAD_REQUEST, message));
            let kept = Chosen {
                seats: &chosen,
                access_needs: &needs,
                exchange: &exchange,
            };
            return render(&app, &headers, id, Some(&signed_in), refusal, kept).await;
        }
    };
    let held = async {
        super::within_booking_limit(&app, &signed_in)?;
        let booking = match exchange.as_str() {
            "" => bookings::hold(&app, &signed_in.user, id, choice).await?,
            old => {
                let old = super::booking_id(old)
                    .map_err(|_| AppError::NotFound(marquee_domain::Entity::Booking))?;
                showtime_moves::exchange(&app, &signed_in.user, old, id, choice)
                    .await?
                    .booking
            }
        };
        if !needs.trim().is_empty() {
            bookings::set_access_needs(&app, &signed_in.user, booking.id, &needs).await?;
        }
        Ok(booking)
    };
    match held.await {
        Ok(booking) => Ok(Redirect::to(&format!("/bookings/{}", booking.id)).into_response()),
        Err(error) => {
            // The same form sent twice (a double click, a reload): the seats are this
            // customer's own, held by the first; to that booking, not a second one.
            if let AppError::SeatsUnavailable(seats) = &error {
                if let Some(own) = own_hold_of(&app, &signed_in, id, seats).await {
                    return Ok(Redirect::to(&format!("/bookings/{own}")).into_response());
                }
            }
            let Some((status, message)) = refusal(&error) else {
                return Err(PageError::from(error));
            };
            // Seats still free stay chosen; those just taken are not.
            let taken: Vec<String> = match &error {
                AppError::SeatsUnavailable(seats) => seats.clone(),
                _ => vec![],
            };
            let still: Vec<&str> = chosen
                .split(',')
                .filter(|s| !s.is_empty() && !taken.iter().any(|t| t == s))
                .collect();
            let refusal = Some((status, message));
            let still = still.join(",");
            let kept = Chosen {
                seats: &still,
                access_needs: &needs,
                exchange: &exchange,
            };
            render(&app, &headers, id, Some(&signed_in), refusal, kept).await
        }
    }
}

/// The customer's own live hold of this showtime that has every one of `seats`, if any.
async fn own_hold_of(
    app: &App,
    signed_in: &SignedIn,
    showtime: ShowtimeId,
    seats: &[String],
) -> Option<marquee_domain::BookingId> {
    let now = app.now();
    let recent = bookings::list(app, &signed_in.user, BookingPage::first(20))
        .await
        .ok()?;
    recent
        .into_iter()
        .find(|b| {
            b.showtime_id == showtime
                && matches!(
                    b.status_at(now),
                    BookingStatus::Held | BookingStatus::PaymentPending
                )
                && seats.iter().all(|s| b.seat_labels().contains(&s.as_str()))
        })
        .map(|b| b.id)
}

/// A hold's refusal as the page says it, with its status; `None` for an error that is no
/// refusal of this try (the error page says it).
fn refusal(error: &AppError) -> Option<(StatusCode, String)> {
    use marquee_domain::ShowtimeError;
    let conflict = StatusCode::CONFLICT;
    Some(match error {
        AppError::SeatsUnavailable(seats) => (
            conflict,
            format!(
                "Sorry, {} just went to someone else. The map below shows the seats as they are now: choose again.",
                and_list(seats)
            ),
        ),
        AppError::NoWheelchairPair => (
            conflict,
            "No wheelchair space with a free companion seat beside it is left. The box office may be able to help.".into(),
        ),
        AppError::NotEnoughSeats(n) => (
            conflict,
            format!("There are no {n} seats together left there. Try fewer seats, or anywhere in the hall."),
        ),
        AppError::UnknownSeats(seats) => (
            StatusCode::BAD_REQUEST,
            format!("{} is no seat of this hall.", and_list(seats)),
        ),
        AppError::NotOnSale(ShowtimeError::Started(_)) => {
            (conflict, "This showing has started: it can no longer be booked.".into())
        }
        AppError::NotOnSale(ShowtimeError::SalesClosed(_)) => {
            (conflict, "Sales for this showing have closed.".into())
        }
        AppError::NotOnSale(ShowtimeError::NotOnSaleYet(_)) => {
            (conflict, "Tickets for this showing are not on sale yet.".into())
        }
        AppError::Invalid { message, .. } => (StatusCode::BAD_REQUEST, sentence(message)),
        // An exchange whose offer closed (answered, started).
        AppError::Conflict { message, .. } => (conflict, sentence(message)),
        AppError::WrongBookingState(_) => (
            conflict,
            "The booking you are exchanging is no longer confirmed, so it cannot be exchanged.".into(),
        ),
        AppError::Wait { message, .. } => (StatusCode::TOO_MANY_REQUESTS, sentence(message)),
        _ => return None,
    })
}

/// "A1", "A1 and A2", "A1, A2 and A3".
fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// A service's message as a sentence: capitalised, with a full stop.
fn sentence(message: &str) -> String {
    crate::form::sentence(message)
}

fn showtime_id(text: &str) -> Result<ShowtimeId, PageError> {
    text.parse()
        .map(ShowtimeId)
        .map_err(|_| PageError::Status(StatusCode::NOT_FOUND, "There is no page at this address."))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticket_types_go_to_the_seats_in_the_order_asked() {
        let form = HoldForm::parse(b"csrf=x&seats=A1&seats=A2&seats=A3&type.adult=2&type.child=1")
            .unwrap();
        match form.choice().unwrap() {
            SeatChoice::Named {
                seats,
                ticket_types,
            } => {
                assert_eq!(seats, ["A1", "A2", "A3"]);
                assert_eq!(ticket_types, ["adult", "adult", "child"]);
            }
            other => panic!("{other:?}"),
        }
        let none_asked = HoldForm::parse(b"seats=A1&type.adult=&type.child=0").unwrap();
        assert!(matches!(
            none_asked.choice(),
            Ok(SeatChoice::Named { ticket_types, .. }) if ticket_types.is_empty()
        ));
        let too_few = HoldForm::parse(b"seats=A1&seats=A2&type.adult=1").unwrap();
        assert!(too_few
            .choice()
            .unwrap_err()
            .contains("as many tickets as seats"));
        assert!(HoldForm::parse(b"quantity=two").is_err());
        assert!(HoldForm::parse(b"").unwrap().choice().is_err());
        assert!(matches!(
            HoldForm::parse(b"quantity=2&category=premium")
                .unwrap()
                .choice(),
            Ok(SeatChoice::BestAvailable {
                quantity: 2,
                category: Some(SeatCategory::Premium)
            })
        ));
    }

    #[test]
    fn a_list_reads_as_words() {
        let list =
            |items: &[&str]| and_list(&items.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(list(&["A1"]), "A1");
        assert_eq!(list(&["A1", "A2"]), "A1 and A2");
        assert_eq!(list(&["A1", "A2", "A3"]), "A1, A2 and A3");
    }
}
