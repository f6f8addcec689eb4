//! `/admin/totp`: a member of staff enrols an authenticator app. The page shows the QR code
//! (an SVG drawn by the service, inline) and the secret for typing; a code from the app
//! confirms it, and the recovery codes are shown once, on the answer to that post: they are
//! kept nowhere but as hashes, so there is no page to redirect to that could show them again.
//!
//! Staff who owe an enrolment are sent here by `Staff<G>` (in the default mode,
//! `--staff-mfa required`, before any other back-office page).

use crate::form::FieldErrors;
use crate::page::{html, PageError};
use crate::session::SignedIn;
use crate::shell::Shell;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::Form;
use marquee_server::error::{AppError, ErrorCode};
use marquee_server::staff::{self, Enrolment};
use marquee_server::App;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "admin/totp.html")]
struct EnrolPage {
    shell: Shell,
    csrf: String,
    /// The QR code's `<svg>` element (the service's drawing of the `otpauth://` URI).
    qr_svg: String,
    /// The secret in groups of four, for typing into an app.
    secret: String,
    errors: FieldErrors,
}

#[derive(Template)]
#[template(path = "admin/totp_done.html")]
struct DonePage {
    shell: Shell,
    /// `None`: enrolled already, before this visit.
    recovery_codes: Option<Vec<String>>,
}

/// `GET /admin/totp`: the enrolment begun (or the one begun before, so a reload shows the
/// same secret).
pub async fn form(State(app): State<App>, me: SignedIn) -> Result<Response, PageError> {
    match staff::pending_or_new_enrolment(&app, &me.user).await {
        Ok(enrolment) => Ok(enrol_page(&me, &enrolment, FieldErrors::default())),
        Err(AppError::Invalid {
            code: ErrorCode::Duplicate,
            ..
        }) => Ok(done(&me, None)),
        Err(other) => Err(other.into()),
    }
}

#[derive(Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    code: String,
}

/// `POST /admin/totp`: the app's code confirms the enrolment; the recovery codes, once.
pub async fn confirm(
    State(app): State<App>,
    me: SignedIn,
    Form(form): Form<CodeForm>,
) -> Result<Response, PageError> {
    match staff::confirm_enrolment(&app, &me.user, form.code.trim()).await {
        Ok(codes) => Ok(done(&me, Some(codes))),
        Err(AppError::InvalidTotp) => {
            let enrolment = staff::pending_or_new_enrolment(&app, &me.user).await?;
            let errors = FieldErrors::one(
                "code",
                "That code is wrong or too old. Type the code your app shows now.",
            );
            let mut page = enrol_page(&me, &enrolment, errors);
            *page.status_mut() = StatusCode::BAD_REQUEST;
            Ok(page)
        }
        Err(AppError::Invalid {
            code: ErrorCode::Duplicate,
            ..
        }) => Ok(done(&me, None)),
        Err(other) => Err(other.into()),
    }
}

fn enrol_page(me: &SignedIn, enrolment: &Enrolment, errors: FieldErrors) -> Response {
    html(
        StatusCode::OK,
        &EnrolPage {
            shell: Shell::signed_in(&me.user, &me.csrf),
            csrf: me.csrf.clone(),
            qr_svg: svg_element(&enrolment.qr_svg).to_string(),
            secret: grouped(&enrolment.secret.0),
            errors,
        },
    )
}

fn done(me: &SignedIn, recovery_codes: Option<Vec<String>>) -> Response {
    html(
        StatusCode::OK,
        &DonePage {
            shell: Shell::signed_in(&me.user, &me.csrf),
            recovery_codes,
        },
    )
}

/// The `<svg>` element of an SVG document, without the XML declaration (which means nothing
/// inside HTML).
fn svg_element(document: &str) -> &str {
    document.find("<svg").map_or("", |at| &document[at..])
}

/// `JBSWY3DPEHPK3PXP` as `JBSW Y3DP EHPK 3PXP`: easier to type without losing one's place.
fn grouped(secret: &str) -> String {
    secret
        .as_bytes()
        .chunks(4)
        .filter_map(|chunk| std::str::from_utf8(chunk).ok())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_secret_is_shown_in_groups_of_four() {
        assert_eq!(
            super::grouped("JBSWY3DPEHPK3PXPAB"),
            "JBSW Y3DP EHPK 3PXP AB"
        );
        assert_eq!(
            super::svg_element("<?xml version=\"1.0\"?><svg x=\"1\"></svg>"),
            "<svg x=\"1\"></svg>"
        );
    }
}
