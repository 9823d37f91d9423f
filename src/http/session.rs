//! Who an admin request comes from: the admin token, or an admin user's session cookie.

use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;

use super::csrf;
use crate::accounts::token_hash;
use crate::error::ApiError;
use crate::state::AppState;

/// Who made an admin request, as the audit log names them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    /// `Authorization: Bearer <admin token>`.
    Token,
    /// An admin user, by the session cookie.
    User(String),
}

impl Actor {
    pub fn name(&self) -> &str {
        match self {
            Self::Token => crate::domain::TOKEN_ACTOR,
            Self::User(name) => name,
        }
    }
}

/// Checks the request's credentials. An `Authorization` header decides on its own (a wrong
/// token is refused even with a cookie); otherwise the session cookie must name a live
/// session, and a state-changing request must pass the CSRF checks.
pub async fn authenticate(parts: &Parts, state: &AppState) -> Result<Actor, ApiError> {
    if let Some(value) = parts.headers.get(AUTHORIZATION) {
        let token = value
            .to_str()
            .ok()
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .map(str::trim);
        return match token {
            Some(token) if state.admin_token.verify(token) => Ok(Actor::Token),
            _ => Err(ApiError::unauthorized()),
        };
    }
    let hash = token_hash(&parts.headers).ok_or_else(ApiError::unauthorized)?;
    let session = state
        .storage
        .find_admin_session(hash)
        .await?
        .ok_or_else(ApiError::unauthorized)?;
    if csrf::is_state_changing(&parts.method) {
        csrf::check_origin(
            &parts.headers,
            &parts.uri,
            state.config.public_url.as_deref(),
        )?;
        csrf::check_token(&parts.headers, &session.csrf_token)?;
    }
    Ok(Actor::User(session.user_name))
}
