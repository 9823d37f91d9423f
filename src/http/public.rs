//! Public read-only routes: the VAPID key, recent alerts, the health check.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};

use super::ApiJson;
use crate::error::ApiError;
use crate::state::AppState;

pub async fn vapid_public_key(State(state): State<AppState>) -> ApiJson<Value> {
    ApiJson(json!({ "publicKey": state.vapid.public_key() }))
}

#[derive(Deserialize)]
pub struct AlertsQuery {
    limit: Option<u32>,
}

const MAX_ALERTS: u32 = 100;

pub async fn list_alerts(
    State(state): State<AppState>,
    query: Result<Query<AlertsQuery>, QueryRejection>,
) -> Result<ApiJson<Value>, ApiError> {
    let Query(query) = query.map_err(|_| {
        ApiError::bad_request(
            "invalid_query",
            format!("limit must be a number from 1 to {MAX_ALERTS}"),
        )
    })?;
    let limit = query.limit.unwrap_or(20);
    if !(1..=MAX_ALERTS).contains(&limit) {
        return Err(ApiError::bad_request(
            "invalid_query",
            format!("limit must be a number from 1 to {MAX_ALERTS}"),
        ));
    }
    let alerts = state.storage.list_public_alerts(limit).await?;
    Ok(ApiJson(json!({ "alerts": alerts })))
}

pub async fn healthz(State(state): State<AppState>) -> Result<ApiJson<Value>, ApiError> {
    match state.storage.ping().await {
        Ok(()) => Ok(ApiJson(json!({ "status": "ok" }))),
        Err(err) => {
            tracing::error!(error = %err, "health check: database does not answer");
            Err(ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "database_unavailable",
                "the database does not answer",
            ))
        }
    }
}
