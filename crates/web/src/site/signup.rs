//! `/signup`: a new customer account (`accounts::register`, as the API's), then its first
//! session, started as the login form starts one (`login::signed_in`: the same cookie), and on
//! to `next` or the home page. Limited per address like the login. A refusal (an email with an
//! account already, a password too short, two passwords that differ) is shown next to its
//! field with the email kept, and nothing is created.

use crate::csrf;
use crate::form::{posted_by_anyone, FieldErrors, Posted};
use crate::login;
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
#[template(path = "site/signup.html")]
struct SignupPage {
    shell: Shell,
    csrf: String,
    email: String,
    next: String,
    /// The login form, going on to `next` too.
    login_href: String,
    errors: FieldErrors,
    min_password: usize,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SignupQuery {
    next: String,
}

/// A path of ours to go on to, else nothing.
fn local(next: String) -> String {
    if login::is_local(&next) {
        next
    } else {
        String::new()
    }
}

/// `GET /signup`: the form (someone signed in already goes on to `next`).
pub async fn form(
    State(app): State<App>,
    headers: HeaderMap,
    Query(query): Query<SignupQuery>,
) -> Response {
    let next = local(query.next);
    if session::signed_in(&app, &headers).await.is_some() {
        return Redirect::to(if next.is_empty() { "/" } else { &next }).into_response();
    }
    let (csrf, new_cookie) = csrf::token_for_anyone(&headers, &Cookies::of(&app));
    let mut response = page(
        csrf,
        String::new(),
        next,
        FieldErrors::default(),
        StatusCode::OK,
    );
    if let Some(cookie) = new_cookie {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    response
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SignupForm {
    email: String,
    password: String,
    password_again: String,
    next: String,
}

/// `POST /signup` (its CSRF token already checked by `csrf::guard`).
pub async fn submit(State(app): State<App>, request: Request) -> Response {
    let Posted {
        address,
        secret,
        fields: typed,
    } = match posted_by_anyone::<SignupForm>(&app, request).await {
        Ok(posted) => posted,
        Err(refused) => return refused,
    };
    if let Err(error) = app.rate_limits().check_address(RouteClass::Auth, address) {
        return PageError::from(error).into_response();
    }
    if typed.password != typed.password_again {
        let errors = FieldErrors::one(
            "password_again",
            "The two passwords differ: type the same password twice.",
        );
        return page(
            csrf::token(&secret),
            typed.email,
            local(typed.next),
            errors,
            StatusCode::BAD_REQUEST,
        );
    }
    let signed_up = async {
        let user = accounts::register(&app, &typed.email, &typed.password).await?;
        let (token, expires_at) = accounts::start_session(&app, &user).await?;
        Ok::<_, AppError>(Login {
            token,
            expires_at,
            user,
        })
    };
    match signed_up.await {
        Ok(new) => login::signed_in(&app, new, &typed.next).await,
        Err(error) => {
            let (status, errors) = match &error {
                AppError::Invalid {
                    code: ErrorCode::InvalidEmail,
                    message,
                } => (StatusCode::BAD_REQUEST, FieldErrors::one("email", message)),
                AppError::Invalid {
                    code: ErrorCode::InvalidPassword,
                    message,
                } => (
                    StatusCode::BAD_REQUEST,
                    FieldErrors::one("password", message),
                ),
                AppError::EmailTaken => (
                    StatusCode::CONFLICT,
                    FieldErrors::one(
                        "email",
                        "An account with this email exists already: log in, or reset its password if you forgot it",
                    ),
                ),
                _ => return PageError::from(error).into_response(),
            };
            page(
                csrf::token(&secret),
                typed.email,
                local(typed.next),
                errors,
                status,
            )
        }
    }
}

fn page(
    csrf: String,
    email: String,
    next: String,
    errors: FieldErrors,
    status: StatusCode,
) -> Response {
    html(
        status,
        &SignupPage {
            shell: Shell::customer(None, ""),
            csrf,
            email,
            login_href: login::with_next("/login", &next),
            next,
            errors,
            min_password: marquee_domain::account::MIN_PASSWORD_CHARS,
        },
    )
}
