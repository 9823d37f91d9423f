//! The HTTP surface: routes, layers, and the fallbacks that keep every error in one envelope.

mod admin;
mod assets;
mod audit;
mod csrf;
mod dashboard;
mod demo;
mod json;
mod login;
mod public;
pub mod rate_limit;
mod replay;
mod schedule;
mod session;
mod sources;
mod stories;
mod subscriptions;
mod test_push;
mod websub;

use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::middleware::from_fn_with_state;
use axum::routing::{get, post};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::error::ApiError;
use crate::state::AppState;

pub use json::ApiJson;

/// Largest request body the public API accepts.
pub const MAX_PUBLIC_BODY: usize = 4 * 1024;

/// Largest request body the admin API accepts.
pub const MAX_ADMIN_BODY: usize = 64 * 1024;

/// How long one request may take before it is answered with 503.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// The whole application, ready to serve.
pub fn router(state: AppState) -> Router {
    let demo = if state.demo.is_some() {
        demo::routes()
    } else {
        Router::new()
    };
    let api = Router::new()
        .route("/vapid-public-key", get(public::vapid_public_key))
        .route(
            "/subscriptions",
            post(subscriptions::subscribe)
                .delete(subscriptions::unsubscribe)
                .route_layer(from_fn_with_state(
                    state.clone(),
                    rate_limit::limit_subscribe,
                )),
        )
        .route("/alerts", get(public::list_alerts))
        .route("/topics", get(public::list_topics))
        .layer(DefaultBodyLimit::max(MAX_PUBLIC_BODY));
    let admin_api = Router::new()
        .route("/alerts", get(admin::list_alerts).post(admin::create_alert))
        .route("/alerts/{id}", get(admin::get_alert))
        .route("/sources", get(sources::list).post(sources::create))
        .route("/sources/try", post(sources::try_it))
        .route("/stories", get(stories::list).post(stories::create))
        .route(
            "/stories/{id}",
            get(stories::get)
                .put(stories::replace)
                .delete(stories::delete),
        )
        .route("/stories/{id}/timeline", get(stories::timeline))
        .route("/stories/{id}/replay", post(replay::replay))
        .route(
            "/settings",
            get(stories::get_settings).put(stories::put_settings),
        )
        .route(
            "/sources/{id}",
            get(sources::get)
                .put(sources::replace)
                .delete(sources::delete),
        )
        .route("/audit", get(audit::list))
        .route("/dashboard", get(dashboard::show))
        .route("/schedule/preview", post(schedule::preview))
        .route("/test-push", post(test_push::send))
        .route_layer(from_fn_with_state(state.clone(), audit::record))
        .route(
            "/login",
            post(login::login).layer(DefaultBodyLimit::max(MAX_PUBLIC_BODY)),
        )
        .route("/logout", post(login::logout))
        .route("/session", get(login::current))
        .layer(DefaultBodyLimit::max(MAX_ADMIN_BODY));
    let api = api.nest("/admin", admin_api).fallback(api_not_found);
    Router::new()
        .nest("/api", api)
        .route("/healthz", get(public::healthz))
        .route("/metrics", get(public::metrics))
        .route(
            "/websub/{id}",
            get(websub::verify)
                .post(websub::receive)
                .layer(DefaultBodyLimit::max(state.config.fetch.max_body_bytes)),
        )
        .merge(assets::routes())
        .merge(demo)
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            REQUEST_TIMEOUT,
        ))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

async fn api_not_found() -> ApiError {
    ApiError::not_found("not_found", "no such API route")
}

async fn not_found() -> ApiError {
    ApiError::not_found("not_found", "no such page")
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "method not allowed on this route",
    )
}
