//! Admin routes for sources: list with state, create, read, replace, delete, try.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Serialize;
use serde_json::{Value, json};

use super::ApiJson;
use super::admin::RequireAdmin;
use crate::domain::{NewSource, Schedule, SourceRequest};
use crate::error::ApiError;
use crate::state::AppState;
use crate::storage::SourceRecord;

/// A source as the API shows it: settings, state, and the next runs in plain words.
#[derive(Serialize)]
struct SourceView {
    #[serde(flatten)]
    record: SourceRecord,
    last_fetch: Option<String>,
    next_run: Option<String>,
    upcoming: Vec<String>,
}

fn rfc3339(ms: Option<i64>) -> Option<String> {
    ms.and_then(chrono::DateTime::from_timestamp_millis)
        .map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
}

fn view(record: SourceRecord) -> SourceView {
    let upcoming = Schedule::parse(&record.schedule)
        .map(|schedule| {
            let mut at = chrono::Utc::now();
            (0..3)
                .filter_map(|_| {
                    at = schedule.next_after(at)?;
                    Some(at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
                })
                .collect()
        })
        .unwrap_or_default();
    SourceView {
        last_fetch: rfc3339(record.last_fetch_at),
        next_run: if record.paused {
            None
        } else {
            rfc3339(record.next_run_at)
        },
        upcoming,
        record,
    }
}

pub async fn list(
    _: RequireAdmin,
    State(state): State<AppState>,
) -> Result<ApiJson<Value>, ApiError> {
    let sources: Vec<SourceView> = state
        .storage
        .list_sources()
        .await?
        .into_iter()
        .map(view)
        .collect();
    Ok(ApiJson(json!({ "sources": sources })))
}

pub async fn create(
    _: RequireAdmin,
    State(state): State<AppState>,
    body: Result<ApiJson<SourceRequest>, ApiError>,
) -> Result<(StatusCode, ApiJson<Value>), ApiError> {
    let ApiJson(request) = body?;
    let source = checked(&state, request)?;
    let id = state
        .storage
        .insert_source(source)
        .await?
        .ok_or_else(exists)?;
    state.sources.reload();
    tracing::info!(source.id = id, "source added");
    let record = state
        .storage
        .get_source(id)
        .await?
        .ok_or_else(|| not_found(id))?;
    Ok((StatusCode::CREATED, ApiJson(json!(view(record)))))
}

pub async fn get(
    _: RequireAdmin,
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<ApiJson<Value>, ApiError> {
    let record = state
        .storage
        .get_source(id)
        .await?
        .ok_or_else(|| not_found(id))?;
    Ok(ApiJson(json!(view(record))))
}

pub async fn replace(
    _: RequireAdmin,
    State(state): State<AppState>,
    Path(id): Path<i64>,
    body: Result<ApiJson<SourceRequest>, ApiError>,
) -> Result<ApiJson<Value>, ApiError> {
    let ApiJson(request) = body?;
    let source = checked(&state, request)?;
    let updated = state
        .storage
        .update_source(id, source)
        .await
        .map_err(|e| match e {
            crate::storage::StorageError::Sqlite(rusqlite::Error::SqliteFailure(f, _))
                if f.code == rusqlite::ErrorCode::ConstraintViolation =>
            {
                exists()
            }
            other => ApiError::from(other),
        })?;
    if !updated {
        return Err(not_found(id));
    }
    state.sources.reload();
    let record = state
        .storage
        .get_source(id)
        .await?
        .ok_or_else(|| not_found(id))?;
    Ok(ApiJson(json!(view(record))))
}

pub async fn delete(
    _: RequireAdmin,
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    if !state.storage.delete_source(id).await? {
        return Err(not_found(id));
    }
    state.sources.reload();
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/admin/sources/try`: fetch once and show the documents, without saving anything.
pub async fn try_it(
    _: RequireAdmin,
    State(state): State<AppState>,
    body: Result<ApiJson<SourceRequest>, ApiError>,
) -> Result<ApiJson<Value>, ApiError> {
    let ApiJson(mut request) = body?;
    request.name.get_or_insert_with(|| "try".into());
    let source = checked(&state, request)?;
    let target = crate::sources::Target {
        url: source.url,
        kind: source.kind,
        selector: source.selector,
        json: source.json,
    };
    match crate::sources::try_target(&state.fetcher, &target).await {
        Ok(documents) => Ok(ApiJson(json!({ "documents": documents }))),
        Err(err) => Err(ApiError::new(
            StatusCode::BAD_GATEWAY,
            "source_failed",
            err.to_string(),
        )),
    }
}

/// The request's source, validated, on an address the fetch rules allow.
fn checked(state: &AppState, request: SourceRequest) -> Result<NewSource, ApiError> {
    let source = request.validate()?;
    state.fetcher.check_url(&source.url).map_err(|refused| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "private_address",
            refused.to_string(),
        )
    })?;
    Ok(source)
}

fn not_found(id: i64) -> ApiError {
    ApiError::not_found("source_not_found", format!("no source {id}"))
}

fn exists() -> ApiError {
    ApiError::new(
        StatusCode::CONFLICT,
        "source_exists",
        "a source with this URL and kind exists",
    )
}
