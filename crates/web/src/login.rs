//! `/login` and `/logout`.
//!
//! Logging in is `accounts::login`, as for the API: the same throttle of wrong passwords per
//! account and the same rate limits, here per address too. The login form posts the email
//! and password; on success the session cookie is set and the browser goes on to `next`.
//!
//! Staff give a code from their authenticator app too. When the password step answers
//! `totp_required`, the form comes back with a code field beside the password (the email kept,
//! the password typed again: nothing secret is carried between the two posts), and a wrong or
//! used code is refused like a wrong password.

use crate::csrf;
use crate::form::{posted_by_anyone, Posted};
use crate::page::{html, PageError};
use crate::session::{self, Cookies};
use crate::shell::Shell;
use askama::Template;
use axum::extract::{Query, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use marquee_server::accounts::{self, Login};
use marquee_server::error::{AppError, ErrorCode};
use marquee_server::rate_limits::RouteClass;
use marquee_server::App;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    shell: Shell,
    csrf: String,
    /// What was typed, shown again after a refusal.
    email: String,
    next: String,
    error: Option<String>,
    /// Whether the form asks for the authenticator code (a member of staff's second step).
    needs_code: bool,
    /// Just joined the staff through an invitation.
    joined: bool,
}

impl LoginPage {
    /// The sign-up form, going on to the same `next`.
    fn signup_href(&self) -> String {
        with_next("/signup", &self.next)
    }
}

#[derive(Deserialize)]
pub struct LoginQuery {
    next: Option<String>,
    /// Set by an invitation taken up: the form welcomes the new member of staff.
    joined: Option<String>,
}

/// `GET /login`: the form. A browser without a session or login secret gets a login secret,
/// which the form's CSRF token is made from.
pub async fn form(
    State(app): State<App>,
    headers: HeaderMap,
    Query(query): Query<LoginQuery>,
) -> Response {
    let (csrf, new_cookie) = csrf::token_for_anyone(&headers, &Cookies::of(&app));
    let page = LoginPage {
        shell: Shell::anonymous(),
        csrf,
        email: String::new(),
        next: query.next.filter(|n| is_local(n)).unwrap_or_default(),
        error: None,
        needs_code: false,
        joined: query.joined.is_some(),
    };
    let mut response = html(StatusCode::OK, &page);
    if let Some(cookie) = new_cookie {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    response
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
    /// The authenticator app's code (or a recovery code), for staff.
    #[serde(default)]
    code: String,
}

/// `POST /login` (its CSRF token already checked by `csrf::guard`).
pub async fn submit(State(app): State<App>, request: Request) -> Response {
    let Posted {
        address,
        secret,
        fields: typed,
    } = match posted_by_anyone::<LoginForm>(&app, request).await {
        Ok(posted) => posted,
        Err(refused) => return refused,
    };
    let attempt = async {
        app.rate_limits().check_address(RouteClass::Auth, address)?;
        let code = Some(typed.code.trim()).filter(|c| !c.is_empty());
        accounts::login(&app, &typed.email, &typed.password, code).await
    };
    match attempt.await {
        Ok(login) => signed_in(&app, login, &typed.next).await,
        Err(error) => refused(&secret, typed, error),
    }
}

/// The form again, with what went wrong next to it and the email as typed.
fn refused(secret: &str, typed: LoginForm, error: AppError) -> Response {
    let (status, message) = match &error {
        AppError::InvalidCredentials => (
            StatusCode::UNAUTHORIZED,
            "The email or password is wrong.".to_string(),
        ),
        AppError::Invalid {
            code: ErrorCode::InvalidEmail | ErrorCode::InvalidPassword,
            message,
        } => (StatusCode::BAD_REQUEST, capitalised(message)),
        AppError::TotpRequired => (
            StatusCode::UNAUTHORIZED,
            "Enter your password again and the 6-digit code from your authenticator app."
                .to_string(),
        ),
        AppError::InvalidTotp => (
            StatusCode::UNAUTHORIZED,
            "That code is wrong or was used already. Enter your password and a new code."
                .to_string(),
        ),
        _ => return PageError::from(error).into_response(),
    };
    let needs_code = matches!(error, AppError::TotpRequired | AppError::InvalidTotp);
    let page = LoginPage {
        shell: Shell::anonymous(),
        csrf: csrf::token(secret),
        needs_code,
        email: typed.email,
        next: if is_local(&typed.next) {
            typed.next
        } else {
            String::new()
        },
        error: Some(message),
        joined: false,
    };
    html(status, &page)
}

fn capitalised(message: &str) -> String {
    let mut chars = message.chars();
    match chars.next() {
        Some(first) => format!("{}{}.", first.to_uppercase(), chars.as_str()),
        None => String::new(),
    }
}

/// The session starts: its cookie is set, the login secret goes, and the browser goes on to
/// `next` (a path of ours), else to the staff's or the customer's start page. A new account
/// (`/signup`) starts its first session here too.
pub(crate) async fn signed_in(app: &App, login: Login, next: &str) -> Response {
    let cookies = Cookies::of(app);
    let staff = matches!(app.store().staff_member(login.user.id).await, Ok(Some(_)));
    let to = if is_local(next) {
        next.to_string()
    } else if staff {
        "/admin".to_string()
    } else {
        "/".to_string()
    };
    let lifetime = login.expires_at - app.now();
    let mut response = Redirect::to(&to).into_response();
    let headers = response.headers_mut();
    headers.append(
        header::SET_COOKIE,
        cookies.set(cookies.session, login.token.expose(), Some(lifetime)),
    );
    headers.append(header::SET_COOKIE, cookies.clear(cookies.login));
    response
}

/// `POST /logout`: the session ends (in the database, as for the API's logout) and its cookie
/// goes.
pub async fn logout(State(app): State<App>, headers: HeaderMap) -> Result<Response, PageError> {
    let cookies = Cookies::of(&app);
    if let Some(token) = session::read(&headers, cookies.session) {
        accounts::logout(&app, &token).await?;
    }
    let mut response = Redirect::to("/login").into_response();
    response
        .headers_mut()
        .append(header::SET_COOKIE, cookies.clear(cookies.session));
    Ok(response)
}

/// `path` with `?next=` when there is a `next` to go on to afterwards.
pub(crate) fn with_next(path: &str, next: &str) -> String {
    if next.is_empty() {
        return path.to_string();
    }
    let next: String = form_urlencoded::byte_serialize(next.as_bytes()).collect();
    format!("{path}?next={next}")
}

/// Whether `next` is a path on this site (`/admin`), not another site (`//evil.example`,
/// `https://...`, `/\evil.example`): where a login may send the browser on to.
pub(crate) fn is_local(next: &str) -> bool {
    next.starts_with('/') && !next.starts_with("//") && !next.starts_with("/\\")
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_paths_of_this_site_are_followed_after_login() {
        assert!(super::is_local("/admin"));
        assert!(super::is_local("/admin?x=1"));
        for other in [
            "//evil.example",
            "https://evil.example",
            "/\\evil.example",
            "",
            "admin",
        ] {
            assert!(!super::is_local(other), "{other}");
        }
    }
}
