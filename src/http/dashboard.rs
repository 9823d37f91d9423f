//! `GET /api/admin/dashboard`: the console's front page in one request.
//!
//! "Today" is the UTC day; the delivery success rate covers the deliveries of the alerts of
//! the last `DELIVERY_WINDOW_DAYS` days, and leaves out the subscriptions that were gone (the
//! reader left; nothing failed): delivered / (delivered + failed).

use axum::extract::State;
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use serde_json::{Value, json};

use super::ApiJson;
use super::admin::RequireAdmin;
use crate::error::ApiError;
use crate::state::AppState;

const DELIVERY_WINDOW_DAYS: i64 = 7;

pub async fn show(
    _: RequireAdmin,
    State(state): State<AppState>,
) -> Result<ApiJson<Value>, ApiError> {
    let now = Utc::now();
    let day_start = now
        .date_naive()
        .and_hms_opt(0, 0, 0)
        .unwrap_or_default()
        .and_utc();
    let window_start = now - Duration::days(DELIVERY_WINDOW_DAYS);
    let counts = state
        .storage
        .dashboard_counts(
            day_start.timestamp_millis(),
            window_start.timestamp_millis(),
        )
        .await?;
    let d = &counts.deliveries;
    let finished = d.delivered + d.failed;
    let success_rate = (finished > 0).then(|| d.delivered as f64 / finished as f64);
    Ok(ApiJson(json!({
        "subscribers": counts.subscribers,
        "alerts": {
            "today": counts.alerts.today,
            "from_stories": counts.alerts.from_stories,
            "manual": counts.alerts.today.saturating_sub(counts.alerts.from_stories),
            "since": rfc3339(day_start),
        },
        "deliveries": {
            "queued": d.queued,
            "delivered": d.delivered,
            "failed": d.failed,
            "gone": d.gone,
            "success_rate": success_rate,
            "since": rfc3339(window_start),
        },
        "sources": counts.sources,
        "stories": counts.stories,
    })))
}

fn rfc3339(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}
