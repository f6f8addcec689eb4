//! Invariant 7: an answer that says `confirmed` means the commit is durable. The real binary
//! confirms a paid booking, is killed with SIGKILL (no shutdown of any kind), and started again
//! on the same database: the booking is still confirmed, with the same tickets. On each backend.

mod common;

use serde_json::{json, Value};
use std::time::{Duration, Instant};

struct Client {
    http: reqwest::Client,
    base: String,
    token: Option<String>,
}

impl Client {
    fn new(address: &str) -> Client {
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

    async fn get(&self, path: &str) -> Value {
        self.send(self.http.get(format!("{}{path}", self.base)))
            .await
    }

    async fn post(&self, path: &str, body: Value) -> Value {
        self.send(self.http.post(format!("{}{path}", self.base)).json(&body))
            .await
    }
}

/// Pays for two seats and waits (at most 20 s) for the sandbox's webhook to confirm them.
async fn confirmed_booking(client: &mut Client) -> (String, Value) {
    client
        .post(
            "/auth/register",
            json!({ "email": "ana@example.com", "password": "correct horse battery" }),
        )
        .await;
    let login = client
        .post(
            "/auth/login",
            json!({ "email": "ana@example.com", "password": "correct horse battery" }),
        )
        .await;
    client.token = login["token"].as_str().map(str::to_string);
    let events = client.get("/events?city=London").await;
    let event = &events["events"][0]["id"];
    let showtimes = client
        .get(&format!("/events/{event}/showtimes?city=London"))
        .await;
    let showtime = showtimes["showtimes"]
        .as_array()
        .expect("showtimes")
        .iter()
        .find(|s| s["on_sale"] == true)
        .expect("a showtime on sale")["id"]
        .clone();
    let hold = client
        .post(
            "/bookings",
            json!({ "showtime_id": showtime, "quantity": 2 }),
        )
        .await;
    let booking = hold["id"].as_str().expect("an id").to_string();
    let payment = client
        .post(&format!("/bookings/{booking}/checkout"), json!({}))
        .await;
    let payment_ref = payment["payment_ref"].as_str().expect("a payment");
    client
        .post(
            &format!("/sandbox/sessions/{payment_ref}/pay"),
            json!({ "card_number": "4242424242424242" }),
        )
        .await;
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let read = client.get(&format!("/bookings/{booking}")).await;
        if read["status"] == "confirmed" {
            return (booking, read);
        }
        assert!(Instant::now() < deadline, "never confirmed: {read}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn survives_a_kill(database_url: &str, name: &str) {
    let dir = common::TempDir::new(name);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let server = common::serve(&dir.0, &["--demo", "--database-url", database_url]);
    let mut client = Client::new(&server.address);
    let (booking, confirmed) = runtime.block_on(confirmed_booking(&mut client));
    assert_eq!(confirmed["tickets"].as_array().map(Vec::len), Some(2));
    // SIGKILL: no graceful shutdown, no flush beyond what the commit did.
    drop(server);

    let again = common::serve(&dir.0, &["--database-url", database_url]);
    let client = Client {
        base: format!("http://{}/api/v1", again.address),
        ..client
    };
    let read = runtime.block_on(client.get(&format!("/bookings/{booking}")));
    assert_eq!(read["status"], "confirmed");
    assert_eq!(read["tickets"], confirmed["tickets"]);
}

#[test]
fn a_confirmed_booking_survives_kill_9_on_sqlite() {
    survives_a_kill("sqlite://marquee.db", "durable-sqlite");
}

#[test]
fn a_confirmed_booking_survives_kill_9_on_postgres() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let database = runtime.block_on(marquee_store_postgres::testing::fresh_database());
    survives_a_kill(database.url(), "durable-postgres");
}
