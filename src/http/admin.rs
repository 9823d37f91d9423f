//! Admin routes, behind the admin token (`Authorization: Bearer`) or an admin session.

use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use serde::Deserialize;
use serde_json::{Value, json};

use super::ApiJson;
use super::session::{Actor, authenticate};
use crate::domain::ManualAlertRequest;
use crate::error::ApiError;
use crate::state::AppState;
use crate::storage::AlertRecord;

/// Proof that the request carried the admin token or a live admin session (which passed the
/// CSRF checks when the request changes something), and who it is.
pub struct RequireAdmin {
    pub actor: Actor,
}

impl FromRequestParts<AppState> for RequireAdmin {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        // Checked once per request: a middleware that already checked left the answer here.
        if let Some(actor) = parts.extensions.get::<Actor>() {
            return Ok(Self {
                actor: actor.clone(),
            });
        }
        let actor = authenticate(parts, state).await?;
        parts.extensions.insert(actor.clone());
        Ok(Self { actor })
    }
}

/// `POST /api/admin/alerts`: record a breaking alert and send it now.
pub async fn create_alert(
    _: RequireAdmin,
    State(state): State<AppState>,
    body: Result<ApiJson<ManualAlertRequest>, ApiError>,
) -> Result<(StatusCode, ApiJson<Value>), ApiError> {
    let ApiJson(request) = body?;
    let alert = request.validate()?;
    let created = state.storage.insert_alert(alert).await?;
    state.delivery.wake();
    tracing::info!(
        alert.id = created.id,
        queued = created.queued,
        "manual alert queued"
    );
    Ok((
        StatusCode::CREATED,
        ApiJson(json!({ "id": created.id, "queued": created.queued })),
    ))
}

/// `GET /api/admin/alerts/{id}`: the alert and where its deliveries stand.
pub async fn get_alert(
    _: RequireAdmin,
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<ApiJson<Value>, ApiError> {
    let alert = state
        .storage
        .get_alert(id)
        .await?
        .ok_or_else(|| ApiError::not_found("alert_not_found", format!("no alert {id}")))?;
    Ok(ApiJson(alert_json(&state, alert).await?))
}

#[derive(Deserialize)]
pub struct ListQuery {
    limit: Option<u32>,
}

/// `GET /api/admin/alerts`: recent alerts of every kind with their delivery counts.
pub async fn list_alerts(
    _: RequireAdmin,
    State(state): State<AppState>,
    Query(query): Query<ListQuery>,
) -> Result<ApiJson<Value>, ApiError> {
    let limit = query.limit.unwrap_or(50).clamp(1, 500);
    let mut alerts = Vec::new();
    for alert in state.storage.list_alerts(limit).await? {
        alerts.push(alert_json(&state, alert).await?);
    }
    Ok(ApiJson(json!({ "alerts": alerts })))
}

async fn alert_json(state: &AppState, alert: AlertRecord) -> Result<Value, ApiError> {
    let counts = state.storage.alert_delivery_counts(alert.id).await?;
    let created_at = chrono::DateTime::from_timestamp_millis(alert.created_at)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    Ok(json!({
        "id": alert.id,
        "title": alert.title,
        "body": alert.body,
        "url": alert.url,
        "story": alert.story_id,
        "topics": alert.topics,
        "public": alert.public,
        "created_at": created_at,
        "counts": counts,
    }))
}
