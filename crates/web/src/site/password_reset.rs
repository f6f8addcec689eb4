//! `/password/reset`: "forgot your password". The form asks for the email and always answers
//! the same ("if an account has this email, we sent a link"), whether or not one has
//! (`password_resets::request`, which queues the link in the outbox). `/password/reset/{token}`:
//! the link's form for a new password, typed twice; it sets the password, ends every session
//! of the account and cannot be used again. A link used or run out gets a page that says so
//! and offers a new one. Both are limited per address like the login; the token is in the
//! path, and logs name the route, never the path.

use crate::csrf;
use crate::form::{posted_by_anyone, FieldErrors};
use crate::page::{html, PageError};
use crate::session::Cookies;
use crate::shell::Shell;
use askama::Template;
use axum::extract::{Path, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use marquee_domain::account::{MIN_PASSWORD_CHARS, RESET_LINK_LIFETIME};
use marquee_server::error::{AppError, ErrorCode};
use marquee_server::rate_limits::RouteClass;
use marquee_server::{password_resets, App};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "site/password_reset.html")]
struct ResetPage {
    shell: Shell,
    csrf: String,
    step: Step,
    errors: FieldErrors,
    min_password: usize,
    /// How long a link lasts, in words.
    lifetime: String,
}

enum Step {
    /// The form asking for the email, with what was typed.
    Ask {
        email: String,
    },
    /// The answer to every request.
    Sent,
    /// The link's form for a new password.
    NewPassword {
        token: String,
    },
    Done,
    /// A link unknown, used or run out.
    Gone,
}

fn page(csrf: String, step: Step, errors: FieldErrors, status: StatusCode) -> Response {
    let minutes = RESET_LINK_LIFETIME.num_minutes();
    html(
        status,
        &ResetPage {
            shell: Shell::customer(None, ""),
            csrf,
            step,
            errors,
            min_password: MIN_PASSWORD_CHARS,
            lifetime: if minutes % 60 == 0 {
                match minutes / 60 {
                    1 => "an hour".to_string(),
                    hours => format!("{hours} hours"),
                }
            } else {
                format!("{minutes} minutes")
            },
        },
    )
}

/// The form's CSRF token for someone who may have no session, and the cookie it needs.
fn token_and_cookie(app: &App, headers: &HeaderMap, step: Step, status: StatusCode) -> Response {
    let (csrf, new_cookie) = csrf::token_for_anyone(headers, &Cookies::of(app));
    let mut response = page(csrf, step, FieldErrors::default(), status);
    if let Some(cookie) = new_cookie {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    response
}

/// `GET /password/reset`.
pub async fn ask(State(app): State<App>, headers: HeaderMap) -> Response {
    let step = Step::Ask {
        email: String::new(),
    };
    token_and_cookie(&app, &headers, step, StatusCode::OK)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AskForm {
    email: String,
}

/// A form posted by someone who may have no session, limited per address as the login is:
/// its CSRF token (to show the form again) and its fields; else the answer to give.
async fn posted<T: serde::de::DeserializeOwned + Send>(
    app: &App,
    request: Request,
) -> Result<(String, T), Response> {
    let posted = posted_by_anyone::<T>(app, request).await?;
    if let Err(error) = app
        .rate_limits()
        .check_address(RouteClass::Auth, posted.address)
    {
        return Err(PageError::from(error).into_response());
    }
    Ok((csrf::token(&posted.secret), posted.fields))
}

/// `POST /password/reset`: the same answer for every email address.
pub async fn send(State(app): State<App>, request: Request) -> Response {
    let (csrf, typed) = match posted::<AskForm>(&app, request).await {
        Ok(posted) => posted,
        Err(refused) => return refused,
    };
    match password_resets::request(&app, &typed.email).await {
        Ok(()) => page(csrf, Step::Sent, FieldErrors::default(), StatusCode::OK),
        Err(AppError::Invalid {
            code: ErrorCode::InvalidEmail,
            message,
        }) => page(
            csrf,
            Step::Ask { email: typed.email },
            FieldErrors::one("email", &message),
            StatusCode::BAD_REQUEST,
        ),
        Err(error) => PageError::from(error).into_response(),
    }
}

/// `GET /password/reset/{token}`: the form for a new password, or the page of a link that
/// cannot be used.
pub async fn link(
    State(app): State<App>,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    if !password_resets::usable(&app, &token).await? {
        return Ok(token_and_cookie(
            &app,
            &headers,
            Step::Gone,
            StatusCode::NOT_FOUND,
        ));
    }
    Ok(token_and_cookie(
        &app,
        &headers,
        Step::NewPassword { token },
        StatusCode::OK,
    ))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NewPasswordForm {
    password: String,
    password_again: String,
}

/// `POST /password/reset/{token}`: the new password set through the link, once.
pub async fn set(State(app): State<App>, Path(token): Path<String>, request: Request) -> Response {
    let (csrf, typed) = match posted::<NewPasswordForm>(&app, request).await {
        Ok(posted) => posted,
        Err(refused) => return refused,
    };
    let again = |errors: FieldErrors, status| {
        page(
            csrf.clone(),
            Step::NewPassword {
                token: token.clone(),
            },
            errors,
            status,
        )
    };
    if typed.password != typed.password_again {
        return again(
            FieldErrors::one(
                "password_again",
                "The two passwords differ: type the same password twice.",
            ),
            StatusCode::BAD_REQUEST,
        );
    }
    match password_resets::reset(&app, &token, &typed.password).await {
        Ok(Some(_)) => page(
            csrf.clone(),
            Step::Done,
            FieldErrors::default(),
            StatusCode::OK,
        ),
        Ok(None) => page(
            csrf.clone(),
            Step::Gone,
            FieldErrors::default(),
            StatusCode::NOT_FOUND,
        ),
        Err(AppError::Invalid {
            code: ErrorCode::InvalidPassword,
            message,
        }) => again(
            FieldErrors::one("password", &message),
            StatusCode::BAD_REQUEST,
        ),
        Err(error) => PageError::from(error).into_response(),
    }
}
