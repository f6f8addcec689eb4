//! A form's errors, each shown next to the field it is about, with what was typed kept.
//!
//! The rules are the services' (a page checks nothing of its own): a service refuses with an
//! `AppError::Invalid` whose message starts with the field's name, as the API's do
//! (`"name cannot be empty"`, `"ads_minutes is at most 180 minutes"`). `FieldErrors::from_refusal`
//! places such a message next to that field; a refusal that names no field of the form goes
//! above it. Anything else (not found, a failure) is no form error and is answered as a page
//! error.

use crate::csrf;
use crate::page::PageError;
use crate::session::Cookies;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Form;
use marquee_server::error::{AppError, ErrorCode};
use marquee_server::{client_address, App};
use serde::de::DeserializeOwned;
use std::net::IpAddr;

/// A form posted by someone who may have no session yet (logging in, signing up, a forgotten
/// password): where it came from, for the rate limits, the secret its CSRF token is made
/// from (`csrf::guard` checked the token already), and its fields.
pub struct Posted<T> {
    pub address: IpAddr,
    pub secret: String,
    pub fields: T,
}

/// Reads such a form; else the answer to give (403 without a secret, 400 for a form that
/// cannot be read).
pub async fn posted_by_anyone<T: DeserializeOwned + Send>(
    app: &App,
    request: Request,
) -> Result<Posted<T>, Response> {
    let address = client_address::of(&request, &app.config().rate_limits.trusted_proxies);
    let Some(secret) = csrf::secret_of(request.headers(), &Cookies::of(app)) else {
        return Err(PageError::Status(StatusCode::FORBIDDEN, "").into_response());
    };
    let Ok(Form(fields)) = Form::<T>::from_request(request, app).await else {
        return Err(
            PageError::Status(StatusCode::BAD_REQUEST, "This form could not be read.")
                .into_response(),
        );
    };
    Ok(Posted {
        address,
        secret,
        fields,
    })
}

/// Where a form's error messages go: a field's name, or `FORM` for above the form.
#[derive(Default)]
pub struct FieldErrors(Vec<(&'static str, String)>);

/// The key of the error about the whole form.
pub const FORM: &str = "";

impl FieldErrors {
    /// `error` placed next to one of `fields` (the form's field names, as the service names
    /// them), or above the form; `Err` when it is no refusal of what was typed.
    pub fn from_refusal(
        error: AppError,
        fields: &[&'static str],
    ) -> Result<FieldErrors, PageError> {
        // A new layout that scheduled showtimes cannot take: the reasons, next to the layout.
        if matches!(error, AppError::LayoutConflict(_)) && fields.contains(&"layout") {
            return Ok(FieldErrors::one("layout", &error.to_string()));
        }
        let AppError::Invalid { code, message } = &error else {
            return Err(PageError::App(error));
        };
        // A layout's error names its row and column, not the field.
        if *code == ErrorCode::InvalidLayout && fields.contains(&"layout") {
            return Ok(FieldErrors::one("layout", message));
        }
        for &field in fields {
            let named = |rest: &&str| rest.starts_with(' ') || rest.starts_with(':');
            if let Some(rest) = message.strip_prefix(field).filter(named) {
                // `ads_minutes is ...` reads as `Ads minutes is ...` next to its field.
                let words = format!("{}{rest}", field.replace('_', " "));
                return Ok(FieldErrors::one(field, &words));
            }
        }
        Ok(FieldErrors::one(FORM, message))
    }

    /// One error, `message`, next to `field`.
    pub fn one(field: &'static str, message: &str) -> FieldErrors {
        FieldErrors(vec![(field, sentence(message))])
    }

    /// The message next to `field`, if any.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(name, _)| *name == field)
            .map(|(_, message)| message.as_str())
    }

    /// The message above the form, if any.
    pub fn form(&self) -> Option<&str> {
        self.get(FORM)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// A textarea's text as it was typed: browsers send its line breaks as CRLF (the HTML
/// standard says so), which would be stored as typed.
pub fn textarea(text: &str) -> String {
    text.replace("\r\n", "\n")
}

/// A service's message as a sentence: a capital first, a full stop last.
pub fn sentence(message: &str) -> String {
    let mut chars = message.trim().chars();
    let Some(first) = chars.next() else {
        return String::new();
    };
    let rest = chars.as_str();
    let stop = if rest.ends_with(['.', '!', '?']) {
        ""
    } else {
        "."
    };
    format!("{}{rest}{stop}", first.to_uppercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn invalid(message: &str) -> AppError {
        AppError::invalid(ErrorCode::InvalidRequest, message)
    }

    #[test]
    fn a_refusal_goes_next_to_the_field_it_names() {
        let fields = ["name", "address", "ads_minutes"];
        let errors =
            FieldErrors::from_refusal(invalid("ads_minutes is at most 180 minutes"), &fields)
                .ok()
                .expect("a form error");
        assert_eq!(
            errors.get("ads_minutes"),
            Some("Ads minutes is at most 180 minutes.")
        );
        assert_eq!(errors.get("name"), None);
        let listed = FieldErrors::from_refusal(invalid("address: too long"), &fields)
            .ok()
            .expect("a form error");
        assert_eq!(listed.get("address"), Some("Address: too long."));
        // "name" is not "names ...": only the whole word names a field.
        let above = FieldErrors::from_refusal(invalid("names must differ"), &fields)
            .ok()
            .expect("a form error");
        assert_eq!(above.form(), Some("Names must differ."));
        assert!(FieldErrors::from_refusal(
            AppError::NotFound(marquee_domain::Entity::Venue),
            &fields
        )
        .is_err());
    }
}
