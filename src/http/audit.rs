//! The audit log: admin changes, with who made them, when, and the subject before → after.
//!
//! Recorded by a middleware on the admin routes, so the handlers stay as they are: for each
//! audited route it checks the caller (as `RequireAdmin` does, once), reads the subject, lets
//! the handler run and, when it succeeded, reads the subject again and records the change. The
//! entry is written after the change, not in its transaction; failing to write it is logged.

use axum::body::Body;
use axum::extract::rejection::QueryRejection;
use axum::extract::{FromRequestParts, MatchedPath, Query, Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use super::ApiJson;
use super::admin::RequireAdmin;
use crate::error::ApiError;
use crate::state::AppState;
use crate::storage::{AuditEntry, NewAuditEntry, StorageError};

/// A created subject's response is read for its id; admin responses are far smaller.
const MAX_CREATED_BODY: usize = 16 * 1024 * 1024;

#[derive(Clone, Copy)]
enum Kind {
    Settings,
    Story,
    Source,
    Alert,
}

/// An audited request: what it does and to what.
struct Change {
    action: &'static str,
    kind: Kind,
    /// `None` for settings, and for a subject the handler is about to create.
    id: Option<i64>,
}

impl Change {
    fn of(method: &Method, route: &str, path: &str) -> Option<Self> {
        let id = path.rsplit('/').next().and_then(|s| s.parse().ok());
        let (action, kind, id) = match (method, route) {
            (&Method::PUT, "/api/admin/settings") => ("settings.update", Kind::Settings, None),
            (&Method::POST, "/api/admin/stories") => ("story.create", Kind::Story, None),
            (&Method::PUT, "/api/admin/stories/{id}") => ("story.update", Kind::Story, id),
            (&Method::DELETE, "/api/admin/stories/{id}") => ("story.delete", Kind::Story, id),
            (&Method::POST, "/api/admin/sources") => ("source.create", Kind::Source, None),
            (&Method::PUT, "/api/admin/sources/{id}") => ("source.update", Kind::Source, id),
            (&Method::DELETE, "/api/admin/sources/{id}") => ("source.delete", Kind::Source, id),
            (&Method::POST, "/api/admin/alerts") => ("alert.create", Kind::Alert, None),
            _ => return None,
        };
        Some(Self { action, kind, id })
    }

    fn subject(&self) -> String {
        let noun = match self.kind {
            Kind::Settings => return "settings".into(),
            Kind::Story => "story",
            Kind::Source => "source",
            Kind::Alert => "alert",
        };
        match self.id {
            Some(id) => format!("{noun} {id}"),
            None => noun.into(),
        }
    }
}

/// Middleware for the admin routes (see the module comment).
pub async fn record(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let route = request.extensions().get::<MatchedPath>();
    let change = route.and_then(|r| Change::of(request.method(), r.as_str(), request.uri().path()));
    let Some(mut change) = change else {
        return next.run(request).await;
    };
    let (mut parts, body) = request.into_parts();
    let actor = match RequireAdmin::from_request_parts(&mut parts, &state).await {
        Ok(admin) => admin.actor,
        Err(err) => return err.into_response(),
    };
    let before = match snapshot(&state, &change).await {
        Ok(before) => before,
        Err(err) => return ApiError::from(err).into_response(),
    };
    let mut response = next.run(Request::from_parts(parts, body)).await;
    if !response.status().is_success() {
        return response;
    }
    if change.id.is_none() && !matches!(change.kind, Kind::Settings) {
        let id;
        (response, id) = created_id(response).await;
        change.id = id;
    }
    let after = snapshot(&state, &change).await;
    let entry = after.map(|after| NewAuditEntry {
        actor: actor.name().to_owned(),
        action: change.action,
        subject: change.subject(),
        before: before.map(|v| v.to_string()),
        after: after.map(|v| v.to_string()),
    });
    let written = match entry {
        Ok(entry) => state.storage.insert_audit_entry(entry).await.map(drop),
        Err(err) => Err(err),
    };
    if let Err(err) = written {
        tracing::error!(error = %err, action = change.action, "cannot write the audit log");
    }
    response
}

/// The subject as the audit log keeps it; `None` when it does not exist.
async fn snapshot(state: &AppState, change: &Change) -> Result<Option<Value>, StorageError> {
    let storage = &state.storage;
    Ok(match (change.kind, change.id) {
        (Kind::Settings, _) => Some(json!(crate::pipeline::thresholds(storage).await?)),
        (_, None) => None,
        (Kind::Story, Some(id)) => storage
            .get_story(id)
            .await?
            .map(|s| serde_json::from_str(&s.definition).unwrap_or_default()),
        (Kind::Source, Some(id)) => storage.get_source(id).await?.map(|s| {
            json!({
                "name": s.name, "url": s.url, "kind": s.kind, "schedule": s.schedule,
                "selector": s.selector, "json": s.json, "paused": s.paused,
            })
        }),
        (Kind::Alert, Some(id)) => storage
            .get_alert(id)
            .await?
            .map(|a| json!({ "title": a.title, "body": a.body, "url": a.url, "topics": a.topics })),
    })
}

/// The `id` in a created subject's response, and the response, whole again.
async fn created_id(response: Response) -> (Response, Option<i64>) {
    let (parts, body) = response.into_parts();
    match axum::body::to_bytes(body, MAX_CREATED_BODY).await {
        Ok(bytes) => {
            let id = serde_json::from_slice::<Value>(&bytes)
                .ok()
                .and_then(|v| v["id"].as_i64());
            (Response::from_parts(parts, Body::from(bytes)), id)
        }
        Err(err) => (ApiError::internal(err).into_response(), None),
    }
}

#[derive(Deserialize)]
pub struct AuditQuery {
    limit: Option<u32>,
}

const MAX_ENTRIES: u32 = 500;

/// `GET /api/admin/audit?limit=N`: the latest changes, newest first.
pub async fn list(
    _: RequireAdmin,
    State(state): State<AppState>,
    query: Result<Query<AuditQuery>, QueryRejection>,
) -> Result<ApiJson<Value>, ApiError> {
    let invalid = || {
        ApiError::bad_request(
            "invalid_query",
            format!("limit must be a number from 1 to {MAX_ENTRIES}"),
        )
    };
    let Query(query) = query.map_err(|_| invalid())?;
    let limit = query.limit.unwrap_or(50);
    if !(1..=MAX_ENTRIES).contains(&limit) {
        return Err(invalid());
    }
    let entries: Vec<Value> = state
        .storage
        .list_audit_entries(limit)
        .await?
        .into_iter()
        .map(entry_json)
        .collect();
    Ok(ApiJson(json!({ "entries": entries })))
}

fn entry_json(entry: AuditEntry) -> Value {
    let parse = |text: Option<String>| {
        text.and_then(|t| serde_json::from_str::<Value>(&t).ok())
            .unwrap_or(Value::Null)
    };
    let at = chrono::DateTime::from_timestamp_millis(entry.at)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    json!({
        "id": entry.id,
        "at": at,
        "actor": entry.actor,
        "action": entry.action,
        "subject": entry.subject,
        "before": parse(entry.before),
        "after": parse(entry.after),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn audited_routes_name_their_action_and_subject() {
        let change = |m: Method, route: &str, path: &str| {
            Change::of(&m, route, path).map(|c| (c.action, c.subject()))
        };
        assert_eq!(
            change(Method::PUT, "/api/admin/settings", "/api/admin/settings"),
            Some(("settings.update", "settings".into()))
        );
        assert_eq!(
            change(
                Method::DELETE,
                "/api/admin/stories/{id}",
                "/api/admin/stories/3"
            ),
            Some(("story.delete", "story 3".into()))
        );
        assert_eq!(
            change(
                Method::PUT,
                "/api/admin/sources/{id}",
                "/api/admin/sources/12"
            ),
            Some(("source.update", "source 12".into()))
        );
        assert!(change(Method::GET, "/api/admin/settings", "/api/admin/settings").is_none());
        assert!(
            change(
                Method::POST,
                "/api/admin/sources/try",
                "/api/admin/sources/try"
            )
            .is_none()
        );
    }
}
