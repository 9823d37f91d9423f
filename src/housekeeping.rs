//! Housekeeping: subscriptions nobody refreshes get one "still want alerts?" push, then go.
//!
//! The subscribe page re-posts its subscription on every visit, which refreshes it. A browser
//! that was never opened again for `stale_after_days` most likely belongs to someone who has
//! moved on; one notification gives them the chance to say otherwise.

use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::config::SubscribeConfig;
use crate::delivery::DeliveryEngine;
use crate::domain::NewAlert;
use crate::storage::{Storage, StorageError};

const DAY_MS: i64 = 24 * 3600 * 1000;
const EVERY: Duration = Duration::from_secs(3600);
const WARN_BATCH: u32 = 10_000;

/// What one pass did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Swept {
    pub warned: u64,
    pub removed: u64,
}

/// One pass as of `now` (Unix ms): warn the stale, remove the warned who did not come back.
pub async fn run_once(
    storage: &Storage,
    config: &SubscribeConfig,
    now: i64,
) -> Result<Swept, StorageError> {
    let stale_before = now - i64::from(config.stale_after_days) * DAY_MS;
    let warned_before = now - i64::from(config.stale_grace_days) * DAY_MS;
    let removed = storage.delete_unrefreshed_warned(warned_before).await?;
    let mut warned = 0;
    while let Some(created) = storage
        .warn_stale_subscriptions(still_there(), stale_before, now, WARN_BATCH)
        .await?
    {
        warned += created.queued;
    }
    Ok(Swept { warned, removed })
}

/// Runs a pass every hour until `token` is cancelled.
pub async fn run(
    storage: Storage,
    config: SubscribeConfig,
    delivery: DeliveryEngine,
    token: CancellationToken,
) {
    let mut tick = tokio::time::interval(EVERY);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            () = token.cancelled() => return,
        }
        match run_once(&storage, &config, chrono::Utc::now().timestamp_millis()).await {
            Ok(swept) if swept.warned + swept.removed > 0 => {
                tracing::info!(
                    warned = swept.warned,
                    removed = swept.removed,
                    "stale subscriptions swept"
                );
                delivery.wake();
            }
            Ok(_) => {}
            Err(err) => {
                tracing::error!(error = %err, "housekeeping failed; trying again in an hour")
            }
        }
    }
}

fn still_there() -> NewAlert {
    NewAlert {
        title: "Still want breaking-news alerts?".into(),
        body: "Open this page once to keep them coming; otherwise they stop in a week.".into(),
        url: Some("/".into()),
        story_id: None,
        topics: Vec::new(),
        public: false,
    }
}
