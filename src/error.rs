//! The API's one error type and its JSON envelope.
//!
//! Policy: handlers return `ApiError`, whose `code` is a stable snake_case string that clients
//! and tests match on. Client errors (4xx) carry a message meant for people. Server errors (5xx)
//! carry an opaque message; their cause is logged here, once, and never sent to the client.
//! Below the HTTP layer, modules use their own `thiserror` enums (or `anyhow` at start-up and in
//! the command line, where the error only needs to be printed).

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// An error as the API reports it: `{"error": {"code": "...", "message": "..."}}`.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
    retry_after_secs: Option<u64>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            retry_after_secs: None,
        }
    }

    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    pub fn not_found(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, code, message)
    }

    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "this route needs an admin token (Authorization: Bearer <token>) or an admin session",
        )
    }

    /// A login with a wrong name or password; the same answer for both.
    pub fn invalid_credentials() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "invalid_credentials",
            "wrong user name or password",
        )
    }

    /// Too many failed logins for this account or from this address.
    pub fn too_many_attempts(retry_after_secs: u64) -> Self {
        let mut err = Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_attempts",
            format!("too many failed logins; try again in {retry_after_secs} s"),
        );
        err.retry_after_secs = Some(retry_after_secs);
        err
    }

    /// A request made with a session cookie that may not come from our own pages.
    pub fn csrf_rejected(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "csrf_rejected", message)
    }

    pub fn rate_limited(retry_after_secs: u64) -> Self {
        let mut err = Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            format!("too many requests; try again in {retry_after_secs} s"),
        );
        err.retry_after_secs = Some(retry_after_secs);
        err
    }

    /// A server-side failure: logs `cause` once and answers with an opaque 500.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "request failed");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "internal server error",
        )
    }

    pub fn status(&self) -> StatusCode {
        self.status
    }

    pub fn code(&self) -> &'static str {
        self.code
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({ "error": { "code": self.code, "message": self.message } });
        let mut response = (self.status, axum::Json(body)).into_response();
        if let Some(secs) = self.retry_after_secs {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs.max(1)));
        }
        response
    }
}

/// A busy or full database is a passing condition the client can retry: 503 with a clear
/// code and `Retry-After`. Anything else is an opaque 500. The cause is logged once, here.
impl From<crate::storage::StorageError> for ApiError {
    fn from(err: crate::storage::StorageError) -> Self {
        use crate::storage::FailureKind;
        let (code, message, retry_after) = match err.kind() {
            FailureKind::Other => return Self::internal(err),
            FailureKind::Busy => ("database_busy", "the database is busy; try again", 1),
            FailureKind::Full => (
                "storage_full",
                "the server's storage is full; try again later",
                30,
            ),
        };
        tracing::warn!(error = %err, code, "request not stored");
        let mut api = Self::new(StatusCode::SERVICE_UNAVAILABLE, code, message);
        api.retry_after_secs = Some(retry_after);
        api
    }
}
