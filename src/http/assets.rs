//! The pages and scripts in `web/`, compiled into the binary so that a deployment is one file.

use std::sync::OnceLock;

use axum::Router;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use sha2::{Digest, Sha256};

use crate::state::AppState;

/// No inline script or style anywhere; everything comes from our own origin.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
    connect-src 'self'; manifest-src 'self'; worker-src 'self'; frame-ancestors 'none'; \
    base-uri 'none'; form-action 'self'";

struct Asset {
    path: &'static str,
    content_type: &'static str,
    body: &'static [u8],
}

macro_rules! asset {
    ($path:literal, $file:literal, $type:literal) => {
        Asset {
            path: $path,
            content_type: $type,
            body: include_bytes!(concat!("../../web/", $file)),
        }
    };
}

const ASSETS: &[Asset] = &[
    asset!("/", "index.html", "text/html; charset=utf-8"),
    asset!("/admin", "admin.html", "text/html; charset=utf-8"),
    asset!(
        "/admin/admin.css",
        "admin/admin.css",
        "text/css; charset=utf-8"
    ),
    asset!(
        "/admin/api.js",
        "admin/api.js",
        "text/javascript; charset=utf-8"
    ),
    asset!(
        "/admin/ui.js",
        "admin/ui.js",
        "text/javascript; charset=utf-8"
    ),
    asset!(
        "/admin/main.js",
        "admin/main.js",
        "text/javascript; charset=utf-8"
    ),
    asset!(
        "/admin/dashboard.js",
        "admin/dashboard.js",
        "text/javascript; charset=utf-8"
    ),
    asset!(
        "/admin/sources.js",
        "admin/sources.js",
        "text/javascript; charset=utf-8"
    ),
    asset!(
        "/admin/stories.js",
        "admin/stories.js",
        "text/javascript; charset=utf-8"
    ),
    asset!(
        "/admin/story.js",
        "admin/story.js",
        "text/javascript; charset=utf-8"
    ),
    asset!(
        "/admin/thresholds.js",
        "admin/thresholds.js",
        "text/javascript; charset=utf-8"
    ),
    asset!(
        "/admin/audit.js",
        "admin/audit.js",
        "text/javascript; charset=utf-8"
    ),
    asset!(
        "/admin/alerts.js",
        "admin/alerts.js",
        "text/javascript; charset=utf-8"
    ),
    asset!(
        "/admin/testpush.js",
        "admin/testpush.js",
        "text/javascript; charset=utf-8"
    ),
    asset!("/app.js", "app.js", "text/javascript; charset=utf-8"),
    asset!("/sw.js", "sw.js", "text/javascript; charset=utf-8"),
    asset!("/style.css", "style.css", "text/css; charset=utf-8"),
    asset!("/icon.svg", "icon.svg", "image/svg+xml"),
    asset!(
        "/manifest.webmanifest",
        "manifest.webmanifest",
        "application/manifest+json"
    ),
];

pub fn routes() -> Router<AppState> {
    ASSETS
        .iter()
        .enumerate()
        .fold(Router::new(), |router, (index, asset)| {
            router.route(
                asset.path,
                get(move |headers: HeaderMap| serve(index, headers)),
            )
        })
}

/// Strong ETags, computed once per asset on first use.
fn etag(index: usize) -> &'static HeaderValue {
    static ETAGS: OnceLock<Vec<HeaderValue>> = OnceLock::new();
    let etags = ETAGS.get_or_init(|| {
        ASSETS
            .iter()
            .map(|asset| {
                let digest = Sha256::digest(asset.body);
                let hex: String = digest[..12].iter().map(|b| format!("{b:02x}")).collect();
                HeaderValue::from_str(&format!("\"{hex}\""))
                    .unwrap_or(HeaderValue::from_static("\"0\""))
            })
            .collect()
    });
    &etags[index]
}

async fn serve(index: usize, request_headers: HeaderMap) -> Response {
    let asset = &ASSETS[index];
    let etag = etag(index);
    let mut headers = HeaderMap::new();
    headers.insert(header::ETAG, etag.clone());
    // Revalidate every time: a stale service worker or script is worse than one round trip.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    if asset.content_type.starts_with("text/html") {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        );
        headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
    if request_headers.get(header::IF_NONE_MATCH) == Some(etag) {
        return (StatusCode::NOT_MODIFIED, headers).into_response();
    }
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(asset.content_type),
    );
    (headers, asset.body).into_response()
}
