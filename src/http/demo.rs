//! The demo's live page and feed, `/demo/summit` and `/demo/feed.xml`: mounted only with
//! `herald serve --demo`, answering 404 `demo_ended` once the demo is over.

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::demo::Demo;
use crate::error::ApiError;
use crate::state::AppState;

/// The pages are real-looking news pages: let them load nothing, from us or anyone else
/// (their stylesheets, trackers and ad scripts point at outside hosts), and run no script.
const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; \
    base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/demo/summit", get(page))
        .route("/demo/feed.xml", get(feed))
}

/// `GET /demo/summit`: the step on show, with an ETag per step so polls of an unchanged page
/// cost a 304.
async fn page(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, ApiError> {
    let (index, html) = demo(&state)?.page().ok_or_else(ended)?;
    let etag = format!("\"demo-step-{}\"", index + 1);
    let etag = HeaderValue::from_str(&etag).map_err(ApiError::internal)?;
    let fresh = headers
        .get(header::IF_NONE_MATCH)
        .is_some_and(|sent| sent == etag);
    let common = [
        (header::ETAG, etag),
        (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        (
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        ),
    ];
    if fresh {
        return Ok((StatusCode::NOT_MODIFIED, common).into_response());
    }
    let content_type = [(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    )];
    Ok((common, content_type, html).into_response())
}

/// `GET /demo/feed.xml`: the steps shown so far, as RSS.
async fn feed(State(state): State<AppState>) -> Result<Response, ApiError> {
    let xml = demo(&state)?.feed().ok_or_else(ended)?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/rss+xml; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        xml,
    )
        .into_response())
}

fn demo(state: &AppState) -> Result<&Demo, ApiError> {
    state
        .demo
        .as_ref()
        .ok_or_else(|| ApiError::not_found("not_found", "no such page"))
}

fn ended() -> ApiError {
    ApiError::not_found(
        "demo_ended",
        "the demo is over; start `herald serve --demo` again to watch it again",
    )
}
