//! Cross-site request forgery: every request that may change something (any method but GET,
//! HEAD and OPTIONS) to a page route must carry a token that only our own pages could have
//! given it, in the form field `csrf` (of a urlencoded or a multipart form: an upload's form
//! works without JavaScript too) or the header `X-CSRF-Token` (for scripts). `guard`
//! checks it before the handler runs; a missing or wrong token is a 403 page and nothing
//! happens.
//!
//! The token is an HMAC-SHA256 keyed with the session token (which sits in an `HttpOnly`
//! cookie that another site can neither read nor set), so it needs no server secret and no
//! storage: any node computes it, and it dies with the session. Before there is a session
//! (the login form) it is keyed with a random secret in a cookie of its own, so another site
//! cannot log a victim into the attacker's account either.

use crate::page::error_with;
use crate::session::{self, Cookies};
use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use hmac::{Hmac, Mac};
use marquee_server::App;
use sha2::Sha256;

/// The form field a page's forms carry the token in.
pub const FIELD: &str = "csrf";
/// The header a script sends the token in.
pub const HEADER: &str = "x-csrf-token";
/// The largest form body read to look for the token (page forms are small).
const FORM_LIMIT: usize = 64 * 1024;
/// The largest multipart body read (a poster and its form). It is above the poster's own limit,
/// so a poster a little too big reaches the service and is refused next to its field; the
/// page's upload route takes as much (`lib.rs`).
pub const MULTIPART_LIMIT: usize = 2 * marquee_server::back_office::MAX_POSTER_BYTES;
/// What the HMAC signs: a version, so a change of scheme invalidates old tokens.
const PURPOSE: &[u8] = b"marquee csrf v1";

fn mac(secret: &str) -> Option<Hmac<Sha256>> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).ok()?;
    mac.update(PURPOSE);
    Some(mac)
}

/// The token of the forms of the session (or login secret) `secret`.
pub fn token(secret: &str) -> String {
    mac(secret)
        .map(|mac| hex::encode(mac.finalize().into_bytes()))
        .unwrap_or_default()
}

/// Whether `given` is `secret`'s token, compared in constant time.
pub fn matches(secret: &str, given: &str) -> bool {
    match (mac(secret), hex::decode(given.trim())) {
        (Some(mac), Ok(given)) => mac.verify_slice(&given).is_ok(),
        _ => false,
    }
}

/// What a request's token is made from: its session token, else its login secret.
pub fn secret_of(headers: &HeaderMap, cookies: &Cookies) -> Option<String> {
    session::read(headers, cookies.session).or_else(|| session::read(headers, cookies.login))
}

/// A fresh login secret, for a browser that has neither cookie yet.
pub fn new_secret() -> String {
    use rand::distributions::{Alphanumeric, DistString};
    Alphanumeric.sample_string(&mut rand::thread_rng(), 32)
}

/// The token for a form shown to someone who may have no session (the login form, an
/// invitation's): made from their session or login secret, or from a new login secret whose
/// `Set-Cookie` comes with it.
pub fn token_for_anyone(
    headers: &HeaderMap,
    cookies: &Cookies,
) -> (String, Option<axum::http::HeaderValue>) {
    match secret_of(headers, cookies) {
        Some(secret) => (token(&secret), None),
        None => {
            let secret = new_secret();
            let cookie = cookies.set(cookies.login, &secret, None);
            (token(&secret), Some(cookie))
        }
    }
}

/// Refuses a state-changing request whose token is missing or wrong (see the module).
pub async fn guard(State(app): State<App>, request: Request, next: Next) -> Response {
    if matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    ) {
        return next.run(request).await;
    }
    let refused = || {
        error_with(
            StatusCode::FORBIDDEN,
            "This form has expired or did not come from this site. Go back, reload the page and try again.",
        )
    };
    let Some(secret) = secret_of(request.headers(), &Cookies::of(&app)) else {
        return refused();
    };
    if let Some(given) = request.headers().get(HEADER).and_then(|v| v.to_str().ok()) {
        return if matches(&secret, given) {
            next.run(request).await
        } else {
            refused()
        };
    }
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let multipart = multer::parse_boundary(&content_type).ok();
    let limit = match &multipart {
        Some(_) => MULTIPART_LIMIT,
        None if content_type.starts_with("application/x-www-form-urlencoded") => FORM_LIMIT,
        None => return refused(),
    };
    let (parts, body) = request.into_parts();
    let Ok(bytes) = to_bytes(body, limit).await else {
        return error_with(
            StatusCode::PAYLOAD_TOO_LARGE,
            "This form sent more than a page takes.",
        );
    };
    let given = match multipart {
        Some(boundary) => multipart_field(bytes.clone(), boundary).await,
        None => form_urlencoded::parse(&bytes)
            .find(|(name, _)| name == FIELD)
            .map(|(_, value)| value.into_owned()),
    };
    match given {
        Some(given) if matches(&secret, &given) => {
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await
        }
        _ => refused(),
    }
}

/// The `csrf` field of a multipart body (read in memory: the body is in hand already), or
/// `None` when it has none or cannot be read.
async fn multipart_field(bytes: axum::body::Bytes, boundary: String) -> Option<String> {
    let stream = futures::stream::once(async move { Ok::<_, std::convert::Infallible>(bytes) });
    let mut form = multer::Multipart::new(stream, boundary);
    while let Ok(Some(field)) = form.next_field().await {
        if field.name() == Some(FIELD) {
            return field.text().await.ok();
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_matches_only_its_own_secret() {
        let one = token("mq_session_one");
        assert_eq!(one.len(), 64);
        assert!(matches("mq_session_one", &one));
        assert!(!matches("mq_session_two", &one));
        assert!(!matches("mq_session_one", &one[..63]));
        assert!(!matches("mq_session_one", ""));
        assert!(!matches("mq_session_one", "not hex"));
    }
}
