//! `/admin/join/{token}`: an invitation to the staff taken up. The page shows whom it was
//! sent to and asks for a password (a new account's, or the account's own when the email has
//! one); then the new member logs in, and enrols an authenticator if the node asks for one.
//! The invitee has no session yet: the form's CSRF token is made from a login secret, as the
//! login form's is.

use crate::csrf;
use crate::form::FieldErrors;
use crate::page::{html, PageError};
use crate::session::Cookies;
use crate::shell::Shell;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use marquee_server::error::{AppError, ErrorCode};
use marquee_server::{staff, App};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "admin/join.html")]
struct JoinPage {
    shell: Shell,
    csrf: String,
    token: String,
    email: String,
    role: String,
    errors: FieldErrors,
    min_password: usize,
}

/// `GET /admin/join/{token}`: whom the invitation is for, and the password form. An unknown,
/// used or expired invitation is the 404 page.
pub async fn form(
    State(app): State<App>,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    let invitation = staff::invitation(&app, &token).await?;
    let (csrf, new_cookie) = csrf::token_for_anyone(&headers, &Cookies::of(&app));
    let mut response = page(
        csrf,
        token,
        &invitation,
        FieldErrors::default(),
        StatusCode::OK,
    );
    if let Some(cookie) = new_cookie {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    Ok(response)
}

#[derive(Deserialize)]
pub struct JoinForm {
    #[serde(default)]
    password: String,
}

/// `POST /admin/join/{token}`: the invitation taken up, then to the login form.
pub async fn submit(
    State(app): State<App>,
    headers: HeaderMap,
    Path(token): Path<String>,
    Form(form): Form<JoinForm>,
) -> Result<Response, PageError> {
    match staff::accept(&app, &token, &form.password).await {
        Ok(_) => Ok(Redirect::to("/login?next=%2Fadmin&joined=1").into_response()),
        Err(error) => {
            let message = match &error {
                AppError::Invalid {
                    code: ErrorCode::InvalidPassword,
                    message,
                } => message.clone(),
                AppError::InvalidCredentials => {
                    "this email has an account already: give its password".to_string()
                }
                _ => return Err(error.into()),
            };
            let invitation = staff::invitation(&app, &token).await?;
            let (csrf, _) = csrf::token_for_anyone(&headers, &Cookies::of(&app));
            let errors = FieldErrors::one("password", &message);
            Ok(page(
                csrf,
                token,
                &invitation,
                errors,
                StatusCode::BAD_REQUEST,
            ))
        }
    }
}

fn page(
    csrf: String,
    token: String,
    invitation: &marquee_store::Invitation,
    errors: FieldErrors,
    status: StatusCode,
) -> Response {
    html(
        status,
        &JoinPage {
            shell: Shell::anonymous(),
            csrf,
            token,
            email: invitation.email.to_string(),
            role: invitation.access.role.as_str().replace('_', " "),
            errors,
            min_password: marquee_domain::account::MIN_PASSWORD_CHARS,
        },
    )
}
