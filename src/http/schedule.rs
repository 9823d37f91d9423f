//! `POST /api/admin/schedule/preview`: a source schedule's next runs and its plain words,
//! for the source form to show while the admin types.

use serde::Deserialize;
use serde_json::{Value, json};

use super::ApiJson;
use super::admin::RequireAdmin;
use crate::domain::Schedule;
use crate::error::ApiError;

/// How many upcoming runs the preview lists.
const RUNS: usize = 5;

#[derive(Deserialize)]
pub struct PreviewRequest {
    #[serde(default)]
    schedule: String,
}

pub async fn preview(
    _: RequireAdmin,
    body: Result<ApiJson<PreviewRequest>, ApiError>,
) -> Result<ApiJson<Value>, ApiError> {
    let ApiJson(request) = body?;
    let schedule = Schedule::parse(&request.schedule)?;
    let mut at = chrono::Utc::now();
    let mut next = Vec::with_capacity(RUNS);
    while next.len() < RUNS {
        let Some(run) = schedule.next_after(at) else {
            break;
        };
        next.push(run.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
        at = run;
    }
    Ok(ApiJson(json!({
        "schedule": schedule.as_str(),
        "description": schedule.describe(),
        "next": next,
    })))
}
