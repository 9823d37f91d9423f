//! `POST /api/admin/stories/{id}/replay`: the story's stored history replayed under proposed
//! thresholds beside the current ones, so an admin sees what a change would have sent.

use axum::extract::{Path, State};
use chrono::{DateTime, SecondsFormat, Utc};
use serde::Deserialize;
use serde_json::{Value, json};

use super::ApiJson;
use super::admin::RequireAdmin;
use crate::domain::paragraphs;
use crate::engine::preview::compare;
use crate::engine::{DocInput, Story, Thresholds};
use crate::error::ApiError;
use crate::state::AppState;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReplayRequest {
    /// Global thresholds to try; the saved ones when absent.
    settings: Option<Thresholds>,
}

pub async fn replay(
    _: RequireAdmin,
    State(state): State<AppState>,
    Path(id): Path<i64>,
    body: Result<ApiJson<ReplayRequest>, ApiError>,
) -> Result<ApiJson<Value>, ApiError> {
    let ApiJson(request) = body?;
    if let Some(settings) = &request.settings {
        settings.validate()?;
    }
    let record = state
        .storage
        .get_story(id)
        .await?
        .ok_or_else(|| ApiError::not_found("story_not_found", format!("no story {id}")))?;
    let story: Story = serde_json::from_str(&record.definition).map_err(ApiError::internal)?;
    // The demo's story runs under the built-in thresholds (see the pipeline).
    let current = if record.demo {
        Thresholds::default()
    } else {
        crate::pipeline::thresholds(&state.storage).await?
    };
    let proposed = request.settings.unwrap_or_else(|| current.clone());
    let history = state.storage.story_history(id).await?;
    // A long history takes the engine a while: off the async workers.
    let body = tokio::task::spawn_blocking(move || {
        let texts: Vec<Vec<String>> = history.iter().map(|d| paragraphs(&d.text)).collect();
        let inputs: Vec<DocInput<'_>> = history
            .iter()
            .zip(&texts)
            .map(|(d, paragraphs)| DocInput {
                source: &d.source,
                item: &d.item_key,
                url: &d.url,
                title: d.title.as_deref(),
                paragraphs,
                date: DateTime::from_timestamp_millis(d.date).unwrap_or_else(Utc::now),
            })
            .collect();
        let pairs = compare(&story, &current, &proposed, &inputs);
        let timeline: Vec<Value> = history
            .iter()
            .zip(&pairs)
            .map(|(d, (now, then))| {
                json!({
                    "document_id": d.id,
                    "url": d.url,
                    "title": d.title,
                    "source": d.source,
                    "date": DateTime::from_timestamp_millis(d.date)
                        .map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true)),
                    "changed": now.alert != then.alert,
                    "current": now,
                    "proposed": then,
                })
            })
            .collect();
        json!({
            "story": id,
            "documents": timeline.len(),
            "current_alerts": pairs.iter().filter(|(now, _)| now.alert).count(),
            "proposed_alerts": pairs.iter().filter(|(_, then)| then.alert).count(),
            "timeline": timeline,
        })
    })
    .await
    .map_err(ApiError::internal)?;
    Ok(ApiJson(body))
}
