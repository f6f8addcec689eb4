use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use chrono::Duration;
use http_body_util::BodyExt;
use marquee_domain::{Clock, ManualClock};
use marquee_server::config::{PaymentsConfig, RateLimitConfig};
use marquee_server::{App, Config};
use marquee_store::conformance::fixtures::{self, World};
use marquee_store::Store;
use serde_json::{json, Value};
use std::any::Any;
use std::sync::Arc;
use tower::ServiceExt;

/// Runs each named test on SQLite and on PostgreSQL.
#[macro_export]
macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::helpers::TestApp::sqlite().await).await
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::helpers::TestApp::postgres().await).await
                }
            )*
        }
    };
}

pub const PASSWORD: &str = "correct horse battery";

/// A Marquee app on a fresh store with the conformance suite's small world in it: Lisbon,
/// one cinema, one 21-seat auditorium, one film showing tomorrow (`world.showtime`).
pub struct TestApp {
    router: Router,
    pub app: App,
    pub clock: Arc<ManualClock>,
    pub store: Arc<dyn Store>,
    pub world: World,
    _database: Box<dyn Any + Send>,
}

/// One seat's row as the database holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredSeat {
    pub label: String,
    pub state: &'static str,
    pub booking: Option<i64>,
    pub held_until: Option<chrono::DateTime<chrono::Utc>>,
}

pub struct Response {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: Value,
}

impl Response {
    /// The error code of an error answer.
    pub fn code(&self) -> &str {
        self.body["error"]["code"]
            .as_str()
            .unwrap_or("<no error code>")
    }

    /// The `Retry-After` header in seconds, if there is one.
    pub fn retry_after(&self) -> Option<u64> {
        let value = self.headers.get(header::RETRY_AFTER)?;
        Some(
            value
                .to_str()
                .ok()
                .and_then(|v| v.parse().ok())
                .unwrap_or_else(|| panic!("Retry-After is not whole seconds: {value:?}")),
        )
    }

    /// A header's value, if it is there and text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

impl TestApp {
    pub async fn sqlite() -> TestApp {
        TestApp::sqlite_paying_with(PaymentsConfig::Sandbox {
            webhook_secret: None,
        })
        .await
    }

    pub async fn postgres() -> TestApp {
        TestApp::postgres_paying_with(PaymentsConfig::Sandbox {
            webhook_secret: None,
        })
        .await
    }

    pub async fn sqlite_paying_with(payments: PaymentsConfig) -> TestApp {
        TestApp::sqlite_configured(|config| Config { payments, ..config }).await
    }

    pub async fn postgres_paying_with(payments: PaymentsConfig) -> TestApp {
        TestApp::postgres_configured(|config| Config { payments, ..config }).await
    }

    /// An app on SQLite whose configuration `configure` changes from the tests' default.
    pub async fn sqlite_configured(configure: impl FnOnce(Config) -> Config) -> TestApp {
        let (store, guard) = marquee_store_sqlite::testing::fresh_store().await;
        TestApp::on(store, Box::new(guard), configure).await
    }

    /// An app on PostgreSQL whose configuration `configure` changes from the tests' default.
    pub async fn postgres_configured(configure: impl FnOnce(Config) -> Config) -> TestApp {
        let (store, guard) = marquee_store_postgres::testing::fresh_store().await;
        TestApp::on(store, Box::new(guard), configure).await
    }

    /// An app on a PostgreSQL database reached through `proxy`, waiting at most a second for
    /// a connection; and the database's own URL (not through the proxy).
    pub async fn postgres_behind(
        proxy: &crate::proxy::Proxy,
        configure: impl FnOnce(Config) -> Config,
    ) -> (TestApp, String) {
        let database = marquee_store_postgres::testing::fresh_database().await;
        let url = database.url().to_string();
        let settings = marquee_store::PoolSettings {
            acquire_timeout: std::time::Duration::from_secs(1),
            ..Default::default()
        };
        let store = marquee_store_postgres::PgStore::connect_with(
            &proxy.url_through(&url),
            marquee_store_postgres::testing::MAX_CONNECTIONS,
            settings,
        )
        .await
        .expect("a store through the proxy");
        let app = TestApp::on(Arc::new(store), Box::new(database), configure).await;
        (app, url)
    }

    /// The app also listens on a port of its own, as a node does: the sandbox gateway's
    /// webhooks come in over HTTP.
    async fn on(
        store: Arc<dyn Store>,
        guard: Box<dyn Any + Send>,
        configure: impl FnOnce(Config) -> Config,
    ) -> TestApp {
        let world = fixtures::world(&*store).await;
        let clock = Arc::new(ManualClock::new(fixtures::t0()));
        TestApp::node(store, world, clock, guard, configure).await
    }

    /// Two nodes on one PostgreSQL database, numbered 1 and 2, each with its own pool, seat
    /// maps and seat-change stream, on one clock; the world is made once.
    pub async fn postgres_two_nodes() -> (TestApp, TestApp) {
        TestApp::postgres_two_nodes_configured(|config| config).await
    }

    /// Two nodes as `postgres_two_nodes` makes them, each configured by `configure` too.
    pub async fn postgres_two_nodes_configured(
        configure: impl Fn(Config) -> Config,
    ) -> (TestApp, TestApp) {
        let database = marquee_store_postgres::testing::fresh_database().await;
        let url = database.url().to_string();
        let connect = || async {
            Arc::new(
                marquee_store_postgres::PgStore::connect(
                    &url,
                    marquee_store_postgres::testing::MAX_CONNECTIONS,
                )
                .await
                .expect("a store"),
            ) as Arc<dyn Store>
        };
        let one = TestApp::on(connect().await, Box::new(database), |config| {
            configure(Config {
                node_id: 1,
                ..config
            })
        })
        .await;
        let world = one.world.clone();
        let two = TestApp::node(
            connect().await,
            world,
            one.clock.clone(),
            Box::new(()),
            |config| {
                configure(Config {
                    node_id: 2,
                    ..config
                })
            },
        )
        .await;
        (one, two)
    }

    /// A node on `store`, whose world is made already.
    async fn node(
        store: Arc<dyn Store>,
        world: World,
        clock: Arc<ManualClock>,
        guard: Box<dyn Any + Send>,
        configure: impl FnOnce(Config) -> Config,
    ) -> TestApp {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a port");
        let address = listener.local_addr().expect("an address");
        let app = App::new(
            store.clone(),
            clock.clone() as Arc<dyn Clock>,
            configure(Config {
                public_url: format!("http://{address}"),
                self_url: format!("http://{address}"),
                payments: PaymentsConfig::Sandbox {
                    webhook_secret: None,
                },
                // Requests here all come from one place; tests of the limits turn them on.
                rate_limits: RateLimitConfig::off(),
                ..Config::default()
            }),
        )
        .await
        .expect("the app starts");
        let router = marquee_server::http::router(app.clone());
        tokio::spawn(marquee_server::server::serve(
            listener,
            router.clone(),
            app.clone(),
            std::future::pending(),
        ));
        TestApp {
            router,
            app,
            clock,
            store,
            world,
            _database: guard,
        }
    }

    pub fn clock_now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }

    pub fn advance(&self, by: Duration) {
        self.clock.advance(by);
    }

    pub async fn request(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Response {
        let mut request = Request::builder().method(method).uri(path);
        if let Some(token) = token {
            request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        let request = match body {
            Some(body) => request
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body.to_string())),
            None => request.body(Body::empty()),
        };
        self.send(request.expect("a valid request")).await
    }

    pub async fn send(&self, request: Request<Body>) -> Response {
        let (status, headers, bytes) = self.send_raw(request).await;
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into()))
        };
        Response {
            status,
            headers,
            body,
        }
    }

    /// The answer's status, headers and body as bytes.
    async fn send_raw(
        &self,
        request: Request<Body>,
    ) -> (StatusCode, axum::http::HeaderMap, axum::body::Bytes) {
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("the router answers");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("a body")
            .to_bytes();
        (status, headers, bytes)
    }

    /// A GET whose answer is a file, not JSON: its status, headers and bytes as sent.
    pub async fn get_file(
        &self,
        path: &str,
        token: Option<&str>,
    ) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
        let mut request = Request::builder().method(Method::GET).uri(path);
        if let Some(token) = token {
            request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        let (status, headers, bytes) = self
            .send_raw(request.body(Body::empty()).expect("a valid request"))
            .await;
        (status, headers, bytes.to_vec())
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Response {
        self.request(Method::GET, path, token, None).await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> Response {
        self.request(Method::POST, path, token, Some(body)).await
    }

    pub async fn register(&self, email: &str, password: &str) -> Response {
        self.post(
            "/api/v1/auth/register",
            None,
            json!({ "email": email, "password": password }),
        )
        .await
    }

    pub async fn login(&self, email: &str, password: &str) -> Response {
        self.post(
            "/api/v1/auth/login",
            None,
            json!({ "email": email, "password": password }),
        )
        .await
    }

    /// A new customer's token.
    pub async fn customer(&self, email: &str) -> String {
        assert_eq!(
            self.register(email, PASSWORD).await.status,
            StatusCode::CREATED
        );
        let login = self.login(email, PASSWORD).await;
        assert_eq!(login.status, StatusCode::OK, "{:?}", login.body);
        login.body["token"].as_str().expect("a token").to_string()
    }

    pub fn showtime_id(&self) -> i64 {
        self.world.showtime.showtime.id.0
    }

    pub async fn hold(&self, token: &str, seats: &[&str]) -> Response {
        self.post(
            "/api/v1/bookings",
            Some(token),
            json!({ "showtime_id": self.showtime_id(), "seats": seats }),
        )
        .await
    }

    /// Gives a hold up (`DELETE /bookings/{id}`).
    pub async fn release(&self, token: &str, booking: &str) -> Response {
        self.request(
            Method::DELETE,
            &format!("/api/v1/bookings/{booking}"),
            Some(token),
            None,
        )
        .await
    }

    /// Seat label → state, from the public seat map.
    pub async fn seat_states(&self) -> Vec<(String, String)> {
        let map = self
            .get(
                &format!("/api/v1/showtimes/{}/seats", self.showtime_id()),
                None,
            )
            .await;
        assert_eq!(map.status, StatusCode::OK);
        map.body["seats"]
            .as_array()
            .expect("seats")
            .iter()
            .map(|s| {
                (
                    s["label"].as_str().unwrap_or_default().to_string(),
                    s["state"].as_str().unwrap_or_default().to_string(),
                )
            })
            .collect()
    }

    /// Every seat of the showtime as stored in the database (not the API's cached map): label,
    /// stored state, booking and hold expiry. For "nothing changed" checks.
    pub async fn stored_seats(&self) -> Vec<StoredSeat> {
        self.stored_seats_of(self.world.showtime.showtime.id).await
    }

    /// `stored_seats` of any showtime, in the map's order.
    pub async fn stored_seats_of(&self, showtime: marquee_domain::ShowtimeId) -> Vec<StoredSeat> {
        let map = self
            .store
            .seat_map(showtime, self.clock_now())
            .await
            .expect("the seat map reads")
            .expect("the showtime exists");
        map.seats
            .into_iter()
            .map(|s| StoredSeat {
                label: s.seat.label.clone(),
                state: s.stored_state.as_str(),
                booking: s.booking_id.map(|b| b.0),
                held_until: s.held_until,
            })
            .collect()
    }

    /// A seat's state at the clock's now, read from the database (expiry applied), and its
    /// booking unless it is available.
    pub async fn stored_state_of(&self, label: &str) -> (String, Option<i64>) {
        let now = self.clock_now();
        let (state, holder) =
            fixtures::seat_of(&*self.store, self.world.showtime.showtime.id, label, now).await;
        (state.as_str().to_string(), holder.map(|b| b.0))
    }

    /// A seat's state at the clock's now, read from the database.
    pub async fn db_state_of(&self, label: &str) -> String {
        self.stored_state_of(label).await.0
    }

    pub async fn state_of(&self, label: &str) -> String {
        self.seat_states()
            .await
            .into_iter()
            .find(|(l, _)| l == label)
            .map(|(_, s)| s)
            .expect("seat exists")
    }
}

impl TestApp {
    /// A member of staff's token: a new account with `role` at `venues`, its authenticator
    /// enrolled through the API (so it passes the second-factor check), and the authenticator's
    /// secret, to make codes with.
    pub async fn staff(
        &self,
        email: &str,
        role: marquee_domain::StaffRole,
        venues: &[marquee_domain::VenueId],
    ) -> (String, marquee_store::TotpSecret) {
        let token = self.unenrolled_staff(email, role, venues).await;
        let enrolment = self.post("/api/v1/me/totp", Some(&token), json!({})).await;
        assert_eq!(
            enrolment.status,
            StatusCode::CREATED,
            "{:?}",
            enrolment.body
        );
        let secret =
            marquee_store::TotpSecret(enrolment.body["secret"].as_str().expect("a secret").into());
        let code = self.totp_code(&secret, email);
        let confirmed = self
            .post(
                "/api/v1/me/totp/confirm",
                Some(&token),
                json!({ "code": code }),
            )
            .await;
        assert_eq!(confirmed.status, StatusCode::OK, "{:?}", confirmed.body);
        (token, secret)
    }

    /// A member of staff's token, before they enrolled an authenticator.
    pub async fn unenrolled_staff(
        &self,
        email: &str,
        role: marquee_domain::StaffRole,
        venues: &[marquee_domain::VenueId],
    ) -> String {
        let token = self.customer(email).await;
        let user = self
            .store
            .find_user_by_email(&marquee_domain::Email::parse(email).expect("an email"))
            .await
            .expect("a read")
            .expect("the account");
        let access =
            marquee_domain::StaffAccess::new(role, venues.to_vec()).expect("a valid access");
        self.store
            .set_staff_access(user.user.id, &access, None, self.clock_now())
            .await
            .expect("staff");
        token
    }

    /// The code an authenticator app with `secret` shows now.
    /// The token of a manager of a venue in another city (Porto), none of the world's.
    pub async fn other_venues_manager(&self) -> String {
        let (_, elsewhere) =
            fixtures::city_in(&*self.store, "Porto", chrono_tz::Europe::Lisbon).await;
        self.staff(
            "mo@example.com",
            marquee_domain::StaffRole::Manager,
            &[elsewhere.id],
        )
        .await
        .0
    }

    pub fn totp_code(&self, secret: &marquee_store::TotpSecret, email: &str) -> String {
        marquee_server::totp::code_at(secret, email, self.clock_now()).expect("a code")
    }
}

/// A live seat map (`GET /showtimes/{id}/live`) as a browser's `EventSource` reads it.
pub struct Live {
    body: Body,
    buffered: String,
}

impl TestApp {
    /// Opens the showtime's live stream; its status, and the stream when it is 200.
    pub async fn live(&self, showtime: i64) -> (StatusCode, Option<Live>) {
        let request = Request::builder()
            .uri(format!("/api/v1/showtimes/{showtime}/live"))
            .body(Body::empty())
            .expect("a request");
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("the router answers");
        let status = response.status();
        if status != StatusCode::OK {
            return (status, None);
        }
        assert_eq!(
            response.headers()[header::CONTENT_TYPE],
            "text/event-stream"
        );
        let live = Live {
            body: response.into_body(),
            buffered: String::new(),
        };
        (status, Some(live))
    }
}

impl Live {
    /// The next event's name and data (JSON), within 5 s; `None` when the stream ended.
    /// Comments (keep-alives) are skipped.
    pub async fn next(&mut self) -> Option<(String, Value)> {
        loop {
            if let Some(end) = self.buffered.find("\n\n") {
                let block: String = self.buffered.drain(..end + 2).collect();
                let mut name = None;
                let mut data = String::new();
                for line in block.lines() {
                    if let Some(value) = line.strip_prefix("event:") {
                        name = Some(value.trim().to_string());
                    } else if let Some(value) = line.strip_prefix("data:") {
                        data.push_str(value.trim_start());
                    }
                }
                if let Some(name) = name {
                    let data = serde_json::from_str(&data).expect("JSON data");
                    return Some((name, data));
                }
                continue;
            }
            let frame = tokio::time::timeout(std::time::Duration::from_secs(5), self.body.frame())
                .await
                .expect("an event within 5 s");
            match frame {
                Some(Ok(frame)) => {
                    if let Ok(data) = frame.into_data() {
                        self.buffered.push_str(&String::from_utf8_lossy(&data));
                    }
                }
                _ => return None,
            }
        }
    }

    /// The next event, which must be `name`; its data.
    pub async fn expect(&mut self, name: &str) -> Value {
        let (got, data) = self.next().await.expect("the stream is open");
        assert_eq!(got, name, "{data}");
        data
    }
}

/// The titles of a listing's events (`GET /events`), in order.
pub fn titles(body: &Value) -> Vec<String> {
    body["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["title"].as_str().unwrap().to_string())
        .collect()
}
