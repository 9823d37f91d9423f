//! `POST /api/admin/login`, `POST /api/admin/logout`, `GET /api/admin/session`.
//!
//! A login answers with the session's CSRF token and sets the session cookie: HttpOnly,
//! SameSite=Strict, Path=/, Max-Age from `admin.session_lifetime_seconds`, and Secure when the
//! request arrived over TLS (`X-Forwarded-Proto: https`, see `csrf`).

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Instant;

use axum::extract::{ConnectInfo, State};
use axum::http::header::SET_COOKIE;
use axum::http::{Extensions, HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use super::ApiJson;
use super::csrf;
use super::rate_limit;
use crate::accounts::{SessionToken, clear_cookie, random_token, session_cookie, token_hash};
use crate::domain::AdminName;
use crate::error::ApiError;
use crate::state::AppState;
use crate::storage::NewAdminSession;

#[derive(Deserialize)]
pub struct LoginRequest {
    username: String,
    password: String,
}

pub async fn login(
    State(state): State<AppState>,
    extensions: Extensions,
    uri: Uri,
    headers: HeaderMap,
    body: Result<ApiJson<LoginRequest>, ApiError>,
) -> Result<Response, ApiError> {
    csrf::check_origin(&headers, &uri, state.config.public_url.as_deref())?;
    let ApiJson(LoginRequest { username, password }) = body?;
    let ip = client_ip(&extensions);
    let throttle = &state.login_throttle;
    let attempted_at = Instant::now();
    if let Err(throttled) = throttle.attempt(&username, ip, attempted_at) {
        let wait = throttled.0;
        let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
        return Err(ApiError::too_many_attempts(secs));
    }
    let credentials = match AdminName::parse(&username) {
        Ok(name) => {
            let name = name.as_str().to_owned();
            state.storage.admin_credentials(name).await?
        }
        Err(_) => None,
    };
    let stored = credentials.as_ref().map(|c| c.password_hash.clone());
    let matched = state
        .passwords
        .check(password, stored)
        .await
        .map_err(ApiError::internal)?;
    let Some(credentials) = credentials.filter(|_| matched) else {
        // The submitted name is not logged: it may be a password typed in the wrong field.
        tracing::warn!("admin login failed");
        return Err(ApiError::invalid_credentials());
    };
    throttle.succeeded(&username, ip, attempted_at);
    let lifetime = state.config.admin.session_lifetime_seconds;
    let token = SessionToken::generate();
    let csrf_token = random_token();
    let lifetime_ms = i64::try_from(lifetime.saturating_mul(1000)).unwrap_or(i64::MAX);
    state
        .storage
        .insert_admin_session(NewAdminSession {
            user_id: credentials.user_id,
            token_sha256: token.sha256(),
            csrf_token: csrf_token.clone(),
            expires_at: chrono::Utc::now()
                .timestamp_millis()
                .saturating_add(lifetime_ms),
        })
        .await?;
    tracing::info!(admin.user = %username, "admin logged in");
    let cookie = session_cookie(&token, lifetime, csrf::arrived_over_tls(&headers));
    let body = ApiJson(json!({ "username": username, "csrf_token": csrf_token }));
    Ok(([(SET_COOKIE, cookie)], body).into_response())
}

/// Ends the session in the cookie, if any (a live one must pass the CSRF checks, so that no
/// other site can log an admin out), and tells the browser to forget the cookie.
pub async fn logout(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    if let Some(hash) = token_hash(&headers)
        && let Some(session) = state.storage.find_admin_session(hash).await?
    {
        csrf::check_origin(&headers, &uri, state.config.public_url.as_deref())?;
        csrf::check_token(&headers, &session.csrf_token)?;
        state.storage.delete_admin_session(hash).await?;
        tracing::info!(admin.user = %session.user_name, "admin logged out");
    }
    let cookie = clear_cookie(csrf::arrived_over_tls(&headers));
    Ok((StatusCode::NO_CONTENT, [(SET_COOKIE, cookie)]).into_response())
}

/// The session in the cookie: who is logged in, and the CSRF token pages send back.
pub async fn current(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<ApiJson<serde_json::Value>, ApiError> {
    let hash = token_hash(&headers).ok_or_else(ApiError::unauthorized)?;
    let session = state
        .storage
        .find_admin_session(hash)
        .await?
        .ok_or_else(ApiError::unauthorized)?;
    let expires_at = chrono::DateTime::from_timestamp_millis(session.expires_at)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    Ok(ApiJson(json!({
        "username": session.user_name,
        "csrf_token": session.csrf_token,
        "expires_at": expires_at,
    })))
}

/// The client's address as the limits key it; without one (a router served without connect
/// info), every client shares one key.
fn client_ip(extensions: &Extensions) -> IpAddr {
    extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| {
            rate_limit::key(c.0.ip())
        })
}
