//! The pages' stylesheet and scripts: compiled into the binary (nothing is read from disk or
//! fetched at run time) and served under names that carry a hash of their content, e.g.
//! `/assets/app.3f9a1c2e.css`, cached by browsers for a year. A changed file gets a new name,
//! so a page never meets a stale script or stylesheet. Templates name a file through `url`.

use axum::extract::Path;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use std::sync::LazyLock;

struct Asset {
    /// The name templates use: `app.css`.
    name: &'static str,
    content_type: &'static str,
    bytes: &'static [u8],
}

/// Every asset, by the name templates use. A new file is added here and under `assets/`.
const FILES: &[Asset] = &[
    Asset {
        name: "app.css",
        content_type: "text/css; charset=utf-8",
        bytes: include_bytes!("../assets/app.css"),
    },
    Asset {
        name: "app.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../assets/app.js"),
    },
    Asset {
        name: "booking.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../assets/booking.js"),
    },
    Asset {
        name: "stripe-pay.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../assets/stripe-pay.js"),
    },
    Asset {
        name: "checkin.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../assets/checkin.js"),
    },
    Asset {
        name: "seat-map.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../assets/seat-map.js"),
    },
    Asset {
        name: "search.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../assets/search.js"),
    },
    Asset {
        name: "layout-editor.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../assets/layout-editor.js"),
    },
    Asset {
        name: "door.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../assets/door.js"),
    },
];

/// A year: the longest lifetime browsers honour; `immutable` spares even a revalidation.
const CACHE_FOREVER: &str = "public, max-age=31536000, immutable";

/// Each asset with its hashed name (`app.3f9a1c2e.css`), worked out once.
static HASHED: LazyLock<Vec<(String, &'static Asset)>> = LazyLock::new(|| {
    FILES
        .iter()
        .map(|asset| (hashed_name(asset.name, asset.bytes), asset))
        .collect()
});

/// `app.css` with the first 32 bits of its SHA-256 before the extension.
fn hashed_name(name: &str, bytes: &[u8]) -> String {
    let digest = hex::encode(&Sha256::digest(bytes)[..4]);
    match name.rsplit_once('.') {
        Some((stem, extension)) => format!("{stem}.{digest}.{extension}"),
        None => format!("{name}.{digest}"),
    }
}

/// The path a page links an asset by: `url("app.css")` is `/assets/app.3f9a1c2e.css`. A name
/// that is no asset links to a path that answers 404 (and the test of every template's
/// assets fails).
pub fn url(name: &str) -> String {
    match HASHED.iter().find(|(_, asset)| asset.name == name) {
        Some((hashed, _)) => format!("/assets/{hashed}"),
        None => format!("/assets/{name}"),
    }
}

/// `GET /assets/{file}`: only the hashed names are served, so a cached copy is always right.
pub async fn serve(Path(file): Path<String>) -> Response {
    match HASHED.iter().find(|(hashed, _)| *hashed == file) {
        Some((_, asset)) => (
            [
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static(asset.content_type),
                ),
                (
                    header::CACHE_CONTROL,
                    HeaderValue::from_static(CACHE_FOREVER),
                ),
            ],
            asset.bytes,
        )
            .into_response(),
        // Not kept by caches: the name may be served by a newer node soon.
        None => {
            let mut missing = crate::page::error_page(StatusCode::NOT_FOUND);
            missing
                .headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            missing
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hashed_name_changes_with_the_content() {
        let one = hashed_name("app.css", b"body {}");
        assert!(one.starts_with("app.") && one.ends_with(".css") && one.len() == 16);
        assert_ne!(one, hashed_name("app.css", b"body { color: red }"));
        assert_eq!(
            url("app.css"),
            format!("/assets/{}", hashed_name("app.css", FILES[0].bytes))
        );
    }
}
