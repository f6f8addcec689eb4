//! The JSON API as a customer uses it, against a running binary.

use serde_json::{json, Value};
use std::time::{Duration, Instant};

pub const PASSWORD: &str = "correct horse battery";

pub struct Client {
    pub http: reqwest::Client,
    pub base: String,
    pub token: Option<String>,
}

impl Client {
    pub fn new(address: &str) -> Client {
        Client {
            http: reqwest::Client::new(),
            base: format!("http://{address}/api/v1"),
            token: None,
        }
    }

    async fn send(&self, request: reqwest::RequestBuilder) -> Value {
        let request = match &self.token {
            Some(token) => request.bearer_auth(token),
            None => request,
        };
        let answer = request.send().await.expect("an answer");
        assert!(answer.status().is_success(), "{}", answer.status());
        answer.json().await.expect("JSON")
    }

    pub async fn get(&self, path: &str) -> Value {
        self.send(self.http.get(format!("{}{path}", self.base)))
            .await
    }

    pub async fn post(&self, path: &str, body: Value) -> Value {
        self.send(self.http.post(format!("{}{path}", self.base)).json(&body))
            .await
    }

    /// A new customer account, logged in: its token is sent from now on.
    pub async fn sign_up(&mut self, email: &str) {
        let credentials = json!({ "email": email, "password": PASSWORD });
        self.post("/auth/register", credentials).await;
        self.log_in(email).await;
    }

    /// Logs in to an account made already: its token is sent from now on.
    pub async fn log_in(&mut self, email: &str) {
        let credentials = json!({ "email": email, "password": PASSWORD });
        let login = self.post("/auth/login", credentials).await;
        self.token = login["token"].as_str().map(str::to_string);
    }

    /// The first showtime on sale of the first event on in `city`.
    pub async fn showtime_on_sale(&self, city: &str) -> Value {
        self.showtime_on_sale_in(city, chrono::Duration::zero())
            .await
    }

    /// The first showtime on sale of the first event on in `city` that starts `in_at_least`
    /// from now or later (a booking of one may still be cancelled under the standard refund
    /// policy, up to 2 hours before the start, whatever the time of day the test runs).
    pub async fn showtime_on_sale_in(&self, city: &str, in_at_least: chrono::Duration) -> Value {
        let events = self.get(&format!("/events?city={city}")).await;
        let event = &events["events"][0]["id"];
        let showtimes = self
            .get(&format!("/events/{event}/showtimes?city={city}"))
            .await;
        let earliest = chrono::Utc::now() + in_at_least;
        showtimes["showtimes"]
            .as_array()
            .expect("showtimes")
            .iter()
            .find(|s| {
                let starts: chrono::DateTime<chrono::Utc> = s["starts_at"]
                    .as_str()
                    .and_then(|t| t.parse().ok())
                    .expect("a start");
                s["on_sale"] == true && starts >= earliest
            })
            .unwrap_or_else(|| panic!("a showtime on sale from {earliest}: {showtimes}"))["id"]
            .clone()
    }

    /// A hold of `quantity` seats of `showtime`: the booking.
    pub async fn hold(&self, showtime: &Value, quantity: u32) -> Value {
        self.post(
            "/bookings",
            json!({ "showtime_id": showtime, "quantity": quantity }),
        )
        .await
    }

    /// Pays for the hold `booking` with the sandbox's test card and waits (at most 20 s)
    /// for the gateway's webhook to confirm it: the confirmed booking.
    pub async fn pay(&self, booking: &str) -> Value {
        let payment = self
            .post(&format!("/bookings/{booking}/checkout"), json!({}))
            .await;
        let payment_ref = payment["payment_ref"].as_str().expect("a payment");
        self.post(
            &format!("/sandbox/sessions/{payment_ref}/pay"),
            json!({ "card_number": "4242424242424242" }),
        )
        .await;
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let read = self.get(&format!("/bookings/{booking}")).await;
            if read["status"] == "confirmed" {
                return read;
            }
            assert!(Instant::now() < deadline, "never confirmed: {read}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// An amount of the API's (`minor` units of `currency`) as the pages print it: `12.50 GBP`.
pub fn shown_money(minor: &Value, currency: &Value) -> String {
    format!(
        "{} {}",
        marquee_domain::money::decimal(minor.as_i64().expect("minor units")),
        currency.as_str().expect("a currency")
    )
}
