//! The HTTP side that every scenario shares: one connection pool, every request timed into
//! `Stats`, and the steps a customer's browser takes to hold, release and pay for seats.

use crate::check::{ClientHold, Fate};
use crate::stats::Stats;
use marquee_domain::ShowtimeId;
use rand::seq::SliceRandom;
use serde::Deserialize;
use serde_json::json;
use std::time::{Duration, Instant};

/// How many seats every hold asks for: a couple going to the cinema.
pub const SEATS_EACH: usize = 2;
/// Stripe's test card that always succeeds, which the sandbox gateway takes.
const CARD_THAT_SUCCEEDS: &str = "4242424242424242";

/// What a picker reads of a seat map. The strings borrow from the answer: a 1,000-seat map
/// parsed into owned strings costs the load generator more than the server spends on it.
#[derive(Deserialize)]
pub struct SeatMap<'a> {
    pub seats_available: u32,
    #[serde(borrow)]
    pub seats: Vec<Seat<'a>>,
}

#[derive(Deserialize)]
pub struct Seat<'a> {
    label: &'a str,
    row: &'a str,
    x: u16,
    state: &'a str,
}

/// What a reader of `GET /events` needs: how many events match.
#[derive(Deserialize)]
pub struct EventCount {
    pub total: usize,
}

#[derive(Deserialize)]
struct Hold {
    id: String,
    seats: Vec<String>,
}

#[derive(Deserialize)]
struct Checkout {
    payment_ref: String,
}

#[derive(Deserialize)]
struct Paid {
    status: String,
}

/// What became of one hold request.
pub enum Outcome {
    Held(ClientHold),
    /// Someone else took the seats first (409).
    Taken,
    /// Fewer than two seats left.
    SoldOut,
    /// The account's share is used (429 `hold_limit` or `hold_cooldown`).
    Limited,
    /// Any other answer, or none.
    Failed,
}

pub struct Api {
    client: reqwest::Client,
    base: String,
    pub stats: Stats,
}

impl Api {
    /// A client for `target`'s `/api/v1` that keeps up to `connections` connections open.
    pub fn new(target: &str, connections: usize) -> anyhow::Result<Api> {
        Ok(Api {
            client: reqwest::Client::builder()
                .pool_max_idle_per_host(connections)
                .timeout(Duration::from_secs(30))
                .build()?,
            base: format!("{}/api/v1", target.trim_end_matches('/')),
            stats: Stats::default(),
        })
    }

    /// The same connections with statistics of their own: a later phase of a run, timed apart.
    pub fn next_phase(&self) -> Api {
        Api {
            client: self.client.clone(),
            base: self.base.clone(),
            stats: Stats::default(),
        }
    }

    /// Opens `connections` connections before the clock starts (a health check on each, all
    /// at once, not recorded): the measured phase then times requests, not TCP handshakes.
    pub async fn connect(&self, target: &str, connections: usize) -> anyhow::Result<()> {
        let health = format!("{}/healthz", target.trim_end_matches('/'));
        let answers =
            futures::future::join_all((0..connections).map(|_| self.client.get(&health).send()))
                .await;
        for answer in answers {
            answer?.error_for_status()?;
        }
        Ok(())
    }

    /// `GET /api/v1{path}`.
    pub fn get(&self, path: &str) -> reqwest::RequestBuilder {
        self.client.get(format!("{}{path}", self.base))
    }

    /// `POST /api/v1{path}`.
    pub fn post(&self, path: &str) -> reqwest::RequestBuilder {
        self.client.post(format!("{}{path}", self.base))
    }

    /// One request, timed and recorded under `kind`: the status and whether the answer said
    /// when to come back (`Retry-After`), or `None` when no answer came.
    pub async fn send_status(
        &self,
        kind: &'static str,
        request: reqwest::RequestBuilder,
    ) -> Option<(u16, bool)> {
        let start = Instant::now();
        let answer = match request.send().await {
            Ok(response) => {
                let status = response.status().as_u16();
                let retry_after = response
                    .headers()
                    .contains_key(reqwest::header::RETRY_AFTER);
                response.bytes().await.ok().map(|_| (status, retry_after))
            }
            Err(_) => None,
        };
        self.stats
            .record(kind, start.elapsed(), answer.map(|(s, _)| s));
        answer
    }

    /// One request, timed and recorded under `kind`: the status and body, or `None` when no
    /// answer came. The caller holds a connection permit if the scenario limits them.
    pub async fn send(
        &self,
        kind: &'static str,
        request: reqwest::RequestBuilder,
    ) -> Option<(u16, bytes::Bytes)> {
        let start = Instant::now();
        let answer = match request.send().await {
            Ok(response) => {
                let status = response.status().as_u16();
                response.bytes().await.ok().map(|body| (status, body))
            }
            Err(_) => None,
        };
        self.stats
            .record(kind, start.elapsed(), answer.as_ref().map(|(s, _)| *s));
        answer
    }

    /// Reads the seat map and holds two free seats side by side from it.
    pub async fn hold_from_map(&self, token: &str, showtime: ShowtimeId) -> Outcome {
        let Some((200, body)) = self
            .send(
                "seat map",
                self.get(&format!("/showtimes/{showtime}/seats")),
            )
            .await
        else {
            return Outcome::Failed;
        };
        let Ok(map) = serde_json::from_slice::<SeatMap>(&body) else {
            return Outcome::Failed;
        };
        if (map.seats_available as usize) < SEATS_EACH {
            return Outcome::SoldOut;
        }
        let Some(pair) = pick_pair(&map.seats) else {
            return Outcome::SoldOut;
        };
        self.hold(
            "hold (map)",
            token,
            showtime,
            json!({ "showtime_id": showtime.0, "seats": pair }),
        )
        .await
    }

    /// Asks the server for the two best seats available.
    pub async fn hold_best(&self, token: &str, showtime: ShowtimeId) -> Outcome {
        self.hold(
            "hold (best)",
            token,
            showtime,
            json!({ "showtime_id": showtime.0, "quantity": SEATS_EACH }),
        )
        .await
    }

    async fn hold(
        &self,
        kind: &'static str,
        token: &str,
        showtime: ShowtimeId,
        body: serde_json::Value,
    ) -> Outcome {
        let request = self
            .client
            .post(format!("{}/bookings", self.base))
            .bearer_auth(token)
            .json(&body);
        match self.send(kind, request).await {
            Some((201, body)) => match serde_json::from_slice::<Hold>(&body) {
                Ok(hold) => match hold.id.parse() {
                    Ok(booking_id) => Outcome::Held(ClientHold {
                        showtime,
                        booking_id,
                        seats: hold.seats,
                        fate: Fate::Live,
                    }),
                    Err(_) => Outcome::Failed,
                },
                Err(_) => Outcome::Failed,
            },
            Some((409, body)) if String::from_utf8_lossy(&body).contains("not_enough_seats") => {
                Outcome::SoldOut
            }
            Some((409, _)) => Outcome::Taken,
            Some((429, _)) => Outcome::Limited,
            _ => Outcome::Failed,
        }
    }

    /// Releases a hold: whether the server did (200) or refused (4xx); `None` when no answer
    /// or a server error came, which may or may not have released it, so the CHECK cannot
    /// judge that hold and leaves it out.
    pub async fn release(&self, token: &str, booking_id: i64) -> Option<bool> {
        let request = self
            .client
            .delete(format!("{}/bookings/{booking_id}", self.base))
            .bearer_auth(token);
        match self.send("release", request).await {
            Some((200, _)) => Some(true),
            Some((400..=499, _)) => Some(false),
            _ => None,
        }
    }

    /// Pays for a hold as a customer does: checkout, then the sandbox's pay call (what its
    /// checkout page posts) with the card that succeeds. Whether the gateway said the payment
    /// succeeded (`Some(true)`) or something was refused (`Some(false)`); `None` when a step
    /// got no answer or a server error. The booking is confirmed later, by webhook.
    pub async fn buy(&self, token: &str, booking_id: i64) -> Option<bool> {
        let request = self
            .client
            .post(format!("{}/bookings/{booking_id}/checkout", self.base))
            .bearer_auth(token)
            .json(&json!({}));
        let payment_ref = match self.send("checkout", request).await? {
            (200, body) => serde_json::from_slice::<Checkout>(&body).ok()?.payment_ref,
            (400..=499, _) => return Some(false),
            _ => return None,
        };
        let request = self
            .client
            .post(format!("{}/sandbox/sessions/{payment_ref}/pay", self.base))
            .json(&json!({ "card_number": CARD_THAT_SUCCEEDS }));
        match self.send("pay", request).await? {
            (200, body) => Some(
                serde_json::from_slice::<Paid>(&body).is_ok_and(|paid| paid.status == "succeeded"),
            ),
            (400..=499, _) => Some(false),
            _ => None,
        }
    }
}

/// Two free seats side by side in a random row, as a person clicking on the map would choose.
fn pick_pair(seats: &[Seat]) -> Option<[String; 2]> {
    let free: Vec<&Seat> = seats.iter().filter(|s| s.state == "available").collect();
    let pairs: Vec<[&Seat; 2]> = free
        .windows(2)
        .filter(|w| w[0].row == w[1].row && w[0].x + 1 == w[1].x)
        .map(|w| [w[0], w[1]])
        .collect();
    pairs
        .choose(&mut rand::thread_rng())
        .map(|[a, b]| [a.label.to_string(), b.label.to_string()])
}
