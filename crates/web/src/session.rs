//! Browser sessions: a cookie holding the same session token the API takes as a bearer token
//! (one session store, one way to end a session: `accounts::logout`). The cookie is
//! `HttpOnly` (no script reads it) and `SameSite=Lax` (another site's form posts arrive
//! without it; the CSRF token is the check that does not depend on the browser).
//!
//! Over https (`MARQUEE_PUBLIC_URL` starts with `https://`) the cookies are `Secure` and
//! named with the `__Host-` prefix, which browsers accept only from a secure origin, with
//! `Path=/` and no `Domain`: no other host (a sibling subdomain) can set or shadow them.
//! Over plain http (a laptop, the tests) the prefix cannot be used. Chromium 156, checked
//! with a page setting each kind: a `__Host-` cookie without `Secure` is refused on every
//! address; a `Secure` one (so a `__Host-` one) is kept from http://127.0.0.1 and
//! http://localhost, which count as secure origins, but refused from any other http address
//! (a node tried out on a LAN address). So over http the names are plain (`marquee_session`)
//! and not `Secure`, which works wherever the node is reached; see the README.

use crate::csrf;
use crate::page::PageError;
use axum::extract::FromRequestParts;
use axum::http::header::{self, HeaderMap, HeaderValue};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use cookie::{Cookie, SameSite};
use marquee_server::error::AppError;
use marquee_server::http::staff::Gate;
use marquee_server::staff::StaffUser;
use marquee_server::{accounts, App};
use marquee_store::User;
use std::marker::PhantomData;

/// The names of the pages' cookies, and whether they are `Secure`.
#[derive(Debug, Clone, Copy)]
pub struct Cookies {
    /// The session token.
    pub session: &'static str,
    /// A random secret the login form's CSRF token is made from, before there is a session.
    pub login: &'static str,
    /// The city a visitor chose on the customer site (its id), remembered for a year.
    pub city: &'static str,
    pub secure: bool,
}

impl Cookies {
    pub fn of(app: &App) -> Cookies {
        if app.config().public_url.starts_with("https://") {
            Cookies {
                session: "__Host-marquee_session",
                login: "__Host-marquee_login",
                city: "__Host-marquee_city",
                secure: true,
            }
        } else {
            Cookies {
                session: "marquee_session",
                login: "marquee_login",
                city: "marquee_city",
                secure: false,
            }
        }
    }

    /// `Set-Cookie` for `name` = `value`, for `max_age` (a browser-session cookie when
    /// `None`).
    pub fn set(
        &self,
        name: &'static str,
        value: &str,
        max_age: Option<chrono::Duration>,
    ) -> HeaderValue {
        let mut cookie = Cookie::build((name, value.to_string()))
            .path("/")
            .http_only(true)
            .same_site(SameSite::Lax)
            .secure(self.secure);
        if let Some(age) = max_age {
            cookie = cookie.max_age(cookie::time::Duration::seconds(age.num_seconds().max(0)));
        }
        header_value(&cookie.build())
    }

    /// `Set-Cookie` that removes `name`.
    pub fn clear(&self, name: &'static str) -> HeaderValue {
        self.set(name, "", Some(chrono::Duration::zero()))
    }
}

fn header_value(cookie: &Cookie<'_>) -> HeaderValue {
    // A cookie we build has only visible ASCII: the token's and secret's alphabets.
    HeaderValue::from_str(&cookie.to_string()).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// The value of the cookie `name` the request carries.
pub fn read(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|cookie| cookie.name() == name)
        .map(|cookie| cookie.value().to_string())
        .filter(|value| !value.is_empty())
}

/// Someone signed in through the pages: their account, and the CSRF token of their forms.
/// No `Debug`: it holds the session token.
pub struct SignedIn {
    pub user: User,
    pub token: String,
    pub csrf: String,
}

/// Who is signed in, if anyone: for pages anyone may see (the customer site), which show an
/// account when there is one. A session that ended, or a store that does not answer, counts
/// as nobody.
pub async fn signed_in(app: &App, headers: &HeaderMap) -> Option<SignedIn> {
    let token = read(headers, Cookies::of(app).session)?;
    let user = accounts::authenticate(app, &token).await.ok()?;
    Some(SignedIn {
        user,
        csrf: csrf::token(&token),
        token,
    })
}

impl FromRequestParts<App> for SignedIn {
    /// Not signed in (or the session ended): to the login page, and back here after it.
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Response> {
        let cookies = Cookies::of(app);
        let to_login = || {
            let here = parts
                .uri
                .path_and_query()
                .map_or("/", |p| p.as_str())
                .to_string();
            let next: String = form_urlencoded::byte_serialize(here.as_bytes()).collect();
            Redirect::to(&format!("/login?next={next}")).into_response()
        };
        let Some(token) = read(&parts.headers, cookies.session) else {
            return Err(to_login());
        };
        match accounts::authenticate(app, &token).await {
            Ok(user) => Ok(SignedIn {
                user,
                csrf: csrf::token(&token),
                token,
            }),
            Err(marquee_server::error::AppError::InvalidToken) => Err(to_login()),
            Err(other) => Err(PageError::from(other).into_response()),
        }
    }
}

/// A signed-in member of staff whose role is at least `G`'s (the API's gates: `Owner`,
/// `Manager`, `BoxOffice`, `Usher`), checked by the same service as the API's extractor.
/// Staff who still owe the enrolment of an authenticator are sent to enrol.
pub struct Staff<G: Gate> {
    pub signed_in: SignedIn,
    pub staff: StaffUser,
    gate: PhantomData<G>,
}

impl<G: Gate> FromRequestParts<App> for Staff<G> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Response> {
        let signed_in = SignedIn::from_request_parts(parts, app).await?;
        match StaffUser::of(app, signed_in.user.clone(), G::ROLE).await {
            Ok(staff) => Ok(Staff {
                signed_in,
                staff,
                gate: PhantomData,
            }),
            Err(AppError::Forbidden(_)) => Err(PageError::Status(
                StatusCode::FORBIDDEN,
                "This page is for staff. Sign in with a staff account to see it.",
            )
            .into_response()),
            Err(AppError::TotpEnrolmentRequired) => {
                Err(Redirect::to("/admin/totp").into_response())
            }
            Err(other) => Err(PageError::from(other).into_response()),
        }
    }
}
