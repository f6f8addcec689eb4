//! The pages' test harness: the app's router in process on a fresh SQLite database, with the
//! clock at the conformance suite's `t0`, and helpers for sessions and forms.
#![allow(dead_code)]

use axum::body::Body;
use axum::http::{header, HeaderMap, Method, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use marquee_domain::{Clock, ManualClock};
use marquee_server::config::{PaymentsConfig, RateLimitConfig, StaffMfa};
use marquee_server::http::{router_with_pages, Pages};
use marquee_server::{accounts, App, Config};
use marquee_store::conformance::fixtures;
use marquee_store::Store;
use marquee_web::{csrf, guarded, pages};
use std::sync::Arc;
use tower::ServiceExt;

pub const PASSWORD: &str = "correct horse battery";

pub struct TestApp {
    pub router: Router,
    pub app: App,
    pub store: Arc<dyn Store>,
    /// The app's clock, to move on (it starts at `fixtures::t0()`).
    pub clock: Arc<ManualClock>,
    _database: marquee_store_sqlite::testing::TempDatabase,
}

pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Answer {
    pub fn header(&self, name: header::HeaderName) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    pub fn cookies(&self) -> Vec<&str> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect()
    }

    /// The value of the hidden `csrf` field of the page's first form that has one.
    pub fn csrf_field(&self) -> String {
        let at = self
            .body
            .find("name=\"csrf\" value=\"")
            .expect("a csrf field")
            + 19;
        self.body[at..].split('"').next().unwrap_or("").to_string()
    }
}

impl TestApp {
    pub async fn start(public_url: &str) -> TestApp {
        Self::with_routes(public_url, None).await
    }

    /// The app's router, with `extra` routes treated as pages (`guarded`) when given.
    pub async fn with_routes(public_url: &str, extra: Option<Router<App>>) -> TestApp {
        Self::build(public_url, extra, StaffMfa::Optional).await
    }

    /// Staff must enrol an authenticator before anything else: the default mode of a node.
    pub async fn with_mfa_required() -> TestApp {
        Self::build("http://127.0.0.1:8080", None, StaffMfa::Required).await
    }

    async fn build(public_url: &str, extra: Option<Router<App>>, staff_mfa: StaffMfa) -> TestApp {
        Self::configured(public_url, extra, |config| Config {
            staff_mfa,
            ..config
        })
        .await
    }

    /// An app whose configuration `configure` changes from the pages' tests' default.
    pub async fn configured(
        public_url: &str,
        extra: Option<Router<App>>,
        configure: impl FnOnce(Config) -> Config,
    ) -> TestApp {
        let (store, database) = marquee_store_sqlite::testing::fresh_store().await;
        let store: Arc<dyn Store> = store;
        let clock = Arc::new(ManualClock::new(fixtures::t0()));
        let app = App::new(
            store.clone(),
            clock.clone() as Arc<dyn Clock>,
            configure(Config {
                public_url: public_url.into(),
                self_url: "http://127.0.0.1:9".into(),
                payments: PaymentsConfig::Sandbox {
                    webhook_secret: None,
                },
                rate_limits: RateLimitConfig::off(),
                staff_mfa: StaffMfa::Optional,
                ..Config::default()
            }),
        )
        .await
        .expect("the app starts");
        let mut pages = pages(&app);
        if let Some(extra) = extra {
            pages = Pages {
                routes: pages.routes.merge(guarded(&app, extra)),
                error_page: pages.error_page,
            };
        }
        TestApp {
            router: router_with_pages(app.clone(), Some(pages)),
            app,
            store,
            clock,
            _database: database,
        }
    }

    pub async fn send(&self, request: Request<Body>) -> Answer {
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("an answer");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("a body")
            .to_bytes();
        Answer {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    pub async fn get(&self, path: &str, cookie: Option<&str>) -> Answer {
        let mut request = Request::builder().uri(path);
        if let Some(cookie) = cookie {
            request = request.header(header::COOKIE, cookie);
        }
        self.send(request.body(Body::empty()).expect("a request"))
            .await
    }

    /// A multipart form (what a browser sends when a form has a file): each part a field
    /// name, a file name for a file, and its bytes.
    pub async fn post_multipart(
        &self,
        path: &str,
        cookie: &str,
        parts: &[(&str, Option<&str>, &[u8])],
    ) -> Answer {
        const BOUNDARY: &str = "----marqueetestboundary7MA4YWxk";
        let mut body = Vec::new();
        for (name, file, bytes) in parts {
            body.extend_from_slice(format!("--{BOUNDARY}\r\n").as_bytes());
            match file {
                Some(file) => body.extend_from_slice(
                    format!("Content-Disposition: form-data; name=\"{name}\"; filename=\"{file}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes(),
                ),
                None => body.extend_from_slice(
                    format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes(),
                ),
            }
            body.extend_from_slice(bytes);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
        let request = Request::builder()
            .method(Method::POST)
            .uri(path)
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={BOUNDARY}"),
            )
            .header(header::COOKIE, cookie)
            .body(Body::from(body))
            .expect("a request");
        self.send(request).await
    }

    /// A form posted as a script posts it: the CSRF token in the `X-CSRF-Token` header.
    pub async fn post_form_by_script(
        &self,
        path: &str,
        cookie: &str,
        csrf: Option<&str>,
        form: &[(&str, &str)],
    ) -> Answer {
        let body: String = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form)
            .finish();
        let mut request = Request::builder()
            .method(Method::POST)
            .uri(path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::COOKIE, cookie);
        if let Some(csrf) = csrf {
            request = request.header("x-csrf-token", csrf);
        }
        self.send(request.body(Body::from(body)).expect("a request"))
            .await
    }

    pub async fn post_form(
        &self,
        path: &str,
        cookie: Option<&str>,
        form: &[(&str, &str)],
    ) -> Answer {
        let body: String = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form)
            .finish();
        let mut request = Request::builder()
            .method(Method::POST)
            .uri(path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        if let Some(cookie) = cookie {
            request = request.header(header::COOKIE, cookie);
        }
        self.send(request.body(Body::from(body)).expect("a request"))
            .await
    }

    pub async fn account(&self, email: &str) {
        accounts::register(&self.app, email, PASSWORD)
            .await
            .expect("an account");
    }

    /// An owner of the back office (the pages' harness lets staff put off their
    /// authenticator: `StaffMfa::Optional`).
    pub async fn owner(&self, email: &str) -> marquee_domain::UserId {
        let user = accounts::register(&self.app, email, PASSWORD)
            .await
            .expect("an account");
        let owner = marquee_domain::StaffAccess::new(marquee_domain::StaffRole::Owner, vec![])
            .expect("an access");
        self.store
            .set_staff_access(user.id, &owner, None, fixtures::t0())
            .await
            .expect("an owner");
        user.id
    }

    /// A session of `email` as the pages hold it: the cookie, and its CSRF token.
    pub async fn session_of(&self, email: &str) -> (String, String) {
        let login = accounts::login(&self.app, email, PASSWORD, None)
            .await
            .expect("a login");
        let token = login.token.expose().to_string();
        (format!("marquee_session={token}"), csrf::token(&token))
    }

    pub async fn admin_session(&self) -> (String, String) {
        self.owner("admin@example.com").await;
        self.session_of("admin@example.com").await
    }

    /// Whether the session in `cookie` is still a session, read from the database.
    pub async fn session_alive(&self, cookie: &str) -> bool {
        use sha2::Digest;
        let token = cookie.split_once('=').map(|(_, t)| t).unwrap_or("");
        let hash = sha2::Sha256::digest(token.as_bytes()).to_vec();
        self.store
            .session(&hash, fixtures::t0())
            .await
            .expect("a read")
            .is_some()
    }
}

pub fn is_html(answer: &Answer) -> bool {
    answer.header(header::CONTENT_TYPE).starts_with("text/html")
}
