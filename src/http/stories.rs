//! Admin routes for stories and the diff engine's settings.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};

use super::ApiJson;
use super::admin::RequireAdmin;
use crate::engine::{Knowledge, Story, Thresholds};
use crate::error::ApiError;
use crate::state::AppState;
use crate::storage::StoryRecord;

fn view(record: &StoryRecord) -> Value {
    let story: Value = serde_json::from_str(&record.definition).unwrap_or_default();
    let knowledge: Option<Knowledge> = record
        .knowledge
        .as_deref()
        .and_then(|k| serde_json::from_str(k).ok());
    json!({
        "id": record.id,
        "story": story,
        "demo": record.demo,
        "known_facts": knowledge.as_ref().map(Knowledge::summary).unwrap_or_default(),
        "documents": knowledge.map_or(0, |k| k.documents),
    })
}

fn validated(story: Story) -> Result<(String, String), ApiError> {
    story.validate()?;
    let definition = serde_json::to_string(&story).map_err(ApiError::internal)?;
    Ok((story.name.trim().to_owned(), definition))
}

pub async fn list(
    _: RequireAdmin,
    State(state): State<AppState>,
) -> Result<ApiJson<Value>, ApiError> {
    let stories: Vec<Value> = state
        .storage
        .list_stories()
        .await?
        .iter()
        .map(view)
        .collect();
    Ok(ApiJson(json!({ "stories": stories })))
}

pub async fn create(
    _: RequireAdmin,
    State(state): State<AppState>,
    body: Result<ApiJson<Story>, ApiError>,
) -> Result<(StatusCode, ApiJson<Value>), ApiError> {
    let ApiJson(story) = body?;
    let (name, definition) = validated(story)?;
    let id = state.storage.insert_story(name, definition).await?;
    let record = state
        .storage
        .get_story(id)
        .await?
        .ok_or_else(|| not_found(id))?;
    Ok((StatusCode::CREATED, ApiJson(view(&record))))
}

pub async fn get(
    _: RequireAdmin,
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<ApiJson<Value>, ApiError> {
    let record = state
        .storage
        .get_story(id)
        .await?
        .ok_or_else(|| not_found(id))?;
    Ok(ApiJson(view(&record)))
}

pub async fn replace(
    _: RequireAdmin,
    State(state): State<AppState>,
    Path(id): Path<i64>,
    body: Result<ApiJson<Story>, ApiError>,
) -> Result<ApiJson<Value>, ApiError> {
    let ApiJson(story) = body?;
    let (name, definition) = validated(story)?;
    if !state.storage.update_story(id, name, definition).await? {
        return Err(not_found(id));
    }
    let record = state
        .storage
        .get_story(id)
        .await?
        .ok_or_else(|| not_found(id))?;
    Ok(ApiJson(view(&record)))
}

pub async fn delete(
    _: RequireAdmin,
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    if !state.storage.delete_story(id).await? {
        return Err(not_found(id));
    }
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
pub struct TimelineQuery {
    limit: Option<u32>,
}

/// `GET /api/admin/stories/{id}/timeline`: documents, decisions and the facts known now.
pub async fn timeline(
    _: RequireAdmin,
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Query(query): Query<TimelineQuery>,
) -> Result<ApiJson<Value>, ApiError> {
    let record = state
        .storage
        .get_story(id)
        .await?
        .ok_or_else(|| not_found(id))?;
    let entries = state
        .storage
        .story_timeline(id, query.limit.unwrap_or(100).clamp(1, 1000))
        .await?;
    let mut body = view(&record);
    body["timeline"] = json!(entries);
    Ok(ApiJson(body))
}

pub async fn get_settings(
    _: RequireAdmin,
    State(state): State<AppState>,
) -> Result<ApiJson<Thresholds>, ApiError> {
    Ok(ApiJson(crate::pipeline::thresholds(&state.storage).await?))
}

/// `PUT /api/admin/settings`: the global thresholds; an invalid value is a 4xx naming its field.
pub async fn put_settings(
    _: RequireAdmin,
    State(state): State<AppState>,
    body: Result<ApiJson<Thresholds>, ApiError>,
) -> Result<ApiJson<Thresholds>, ApiError> {
    let ApiJson(thresholds) = body?;
    thresholds.validate()?;
    let json = serde_json::to_string(&thresholds).map_err(ApiError::internal)?;
    state
        .storage
        .put_setting(crate::pipeline::THRESHOLDS, json)
        .await?;
    state.pipeline.reset();
    Ok(ApiJson(thresholds))
}

fn not_found(id: i64) -> ApiError {
    ApiError::not_found("story_not_found", format!("no story {id}"))
}
