//! Public read-only routes: the VAPID key, recent alerts, the health check.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
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

/// `GET /metrics`: Prometheus text format.
pub async fn metrics(State(state): State<AppState>) -> Result<impl IntoResponse, ApiError> {
    let depth = state.storage.delivery_queue_depth().await?;
    let topics = state.storage.subscriptions_by_topic().await?;
    let text = state.metrics.render(depth, &topics);
    Ok((
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        text,
    ))
}

/// `GET /api/topics`: the topics readers can pick, one per story that has one.
pub async fn list_topics(State(state): State<AppState>) -> Result<ApiJson<Value>, ApiError> {
    let mut topics: Vec<(String, String)> = Vec::new();
    for record in state.storage.list_stories().await? {
        let Ok(story) = serde_json::from_str::<crate::engine::Story>(&record.definition) else {
            continue;
        };
        if let Some(topic) = story.topic
            && !topics.iter().any(|(name, _)| *name == topic)
        {
            topics.push((topic, story.name));
        }
    }
    topics.sort();
    let topics: Vec<Value> = topics
        .into_iter()
        .map(|(name, label)| json!({ "name": name, "label": label }))
        .collect();
    Ok(ApiJson(json!({ "topics": topics })))
}
