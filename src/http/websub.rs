//! The WebSub callback, `/websub/{source_id}`: hubs verify our requests with a GET and push
//! feed updates with a POST.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use crate::error::ApiError;
use crate::sources::websub::{Intent, Received};
use crate::state::AppState;

/// The verification query; fields are optional so that a bad one is a refusal, not a 400.
#[derive(Deserialize)]
pub struct IntentQuery {
    #[serde(rename = "hub.mode")]
    mode: Option<String>,
    #[serde(rename = "hub.topic")]
    topic: Option<String>,
    #[serde(rename = "hub.challenge")]
    challenge: Option<String>,
    #[serde(rename = "hub.lease_seconds")]
    lease_seconds: Option<String>,
    #[serde(rename = "hub.reason")]
    reason: Option<String>,
}

/// `GET /websub/{id}`: echo the challenge for a request we made, 404 for anything else.
pub async fn verify(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Query(query): Query<IntentQuery>,
) -> Result<Response, ApiError> {
    let intent = Intent {
        mode: query.mode,
        topic: query.topic,
        challenge: query.challenge,
        lease_seconds: query.lease_seconds.and_then(|s| s.trim().parse().ok()),
        reason: query.reason,
    };
    match state
        .websub
        .verify_intent(id, intent, chrono::Utc::now())
        .await?
    {
        Some(body) => Ok((
            StatusCode::OK,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            body,
        )
            .into_response()),
        None => Err(ApiError::not_found(
            "websub_refused",
            "no such subscription request",
        )),
    }
}

/// `POST /websub/{id}`: a content distribution. Acknowledged with 202 even when ignored (as
/// the spec asks), 410 when we hold no subscription here so the hub can drop it.
pub async fn receive(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<StatusCode, ApiError> {
    let body = body.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                "request body is too large",
            )
        } else {
            ApiError::bad_request("invalid_body", rejection.body_text())
        }
    })?;
    let text = |name| headers.get(name).and_then(|v| v.to_str().ok());
    let received = state
        .websub
        .receive(
            id,
            text(header::CONTENT_TYPE.as_str()).map(str::to_owned),
            text("x-hub-signature"),
            body.to_vec(),
        )
        .await?;
    match received {
        Received::Gone => Err(ApiError::new(
            StatusCode::GONE,
            "websub_gone",
            "no subscription at this callback",
        )),
        Received::Stored { .. } | Received::Discarded => Ok(StatusCode::ACCEPTED),
    }
}
