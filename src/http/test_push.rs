//! `POST /api/admin/test-push`: one test notification to the admin's own browser.
//!
//! The body is the browser's `PushSubscription.toJSON()`, checked like a reader's. The
//! subscription is saved (a known one keeps its topics; a new one has none, so it also gets the
//! alerts every reader without topics gets) and a small alert, not public, is queued for it
//! alone: it never reaches another reader and never shows in `GET /api/alerts`.

use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Value, json};

use super::ApiJson;
use super::admin::RequireAdmin;
use crate::domain::{NewAlert, SubscriptionRequest};
use crate::error::ApiError;
use crate::state::AppState;

pub async fn send(
    admin: RequireAdmin,
    State(state): State<AppState>,
    body: Result<ApiJson<SubscriptionRequest>, ApiError>,
) -> Result<(StatusCode, ApiJson<Value>), ApiError> {
    let ApiJson(mut request) = body?;
    // Only the browser's subscription counts here; topics are the reader page's business.
    request.topics.clear();
    let subscription = request.validate(&state.endpoint_policy)?;
    let sent_at = chrono::Utc::now().format("%H:%M:%S UTC");
    let alert = NewAlert {
        title: "Herald test notification".into(),
        body: format!(
            "Sent from the admin console by {} at {sent_at}. Push works in this browser.",
            admin.actor.name()
        ),
        url: Some("/admin#/alerts".into()),
        story_id: None,
        topics: Vec::new(),
        public: false,
    };
    let created = state
        .storage
        .insert_alert_for_subscription(subscription, alert)
        .await?;
    state.delivery.wake();
    tracing::info!(alert.id = created.id, "test push queued");
    Ok((
        StatusCode::CREATED,
        ApiJson(json!({ "id": created.id, "queued": created.queued })),
    ))
}
