//! Subscribe and unsubscribe: the public write path.

use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};

use super::ApiJson;
use crate::domain::SubscriptionRequest;
use crate::error::ApiError;
use crate::state::AppState;

/// `POST /api/subscriptions`: 201 for a new endpoint, 200 when a known one was refreshed.
pub async fn subscribe(
    State(state): State<AppState>,
    body: Result<ApiJson<SubscriptionRequest>, ApiError>,
) -> Result<(StatusCode, ApiJson<Value>), ApiError> {
    let ApiJson(request) = body?;
    let subscription = request.validate(&state.endpoint_policy)?;
    let topics = subscription.topics.len();
    let upserted = state.storage.upsert_subscription(subscription).await?;
    let status = if upserted.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    tracing::info!(
        subscription.id = upserted.id.0,
        created = upserted.created,
        topics,
        "subscription saved"
    );
    Ok((status, ApiJson(json!({ "id": upserted.id }))))
}

#[derive(Deserialize)]
pub struct UnsubscribeRequest {
    endpoint: Option<String>,
}

/// `DELETE /api/subscriptions`: 204 whether or not the endpoint was known.
pub async fn unsubscribe(
    State(state): State<AppState>,
    body: Result<ApiJson<UnsubscribeRequest>, ApiError>,
) -> Result<StatusCode, ApiError> {
    let ApiJson(request) = body?;
    let raw = request
        .endpoint
        .ok_or_else(|| ApiError::bad_request("missing_endpoint", "endpoint is required"))?;
    let endpoint = state.endpoint_policy.check(&raw)?;
    let removed = state.storage.delete_subscription(endpoint).await?;
    tracing::info!(removed, "unsubscribe");
    Ok(StatusCode::NO_CONTENT)
}
