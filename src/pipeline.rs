//! The pipeline from stored documents to alerts: every document a fetch stored goes through
//! the diff engine of every story; decisions, alerts, deliveries and the stories' memory are
//! recorded in one transaction per document.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio_util::sync::CancellationToken;

use crate::delivery::DeliveryEngine;
use crate::domain::{NewAlert, Topic, paragraphs};
use crate::engine::{DocInput, Knowledge, Story, StoryEngine, Thresholds};
use crate::sources::SchedulerHandle;
use crate::storage::{NewDecision, PendingDocument, Storage, StorageError, StoryRecord};

/// The settings key holding the global thresholds (JSON).
pub const THRESHOLDS: &str = "thresholds";
const BATCH: u32 = 50;

pub struct Pipeline {
    storage: Storage,
    delivery: DeliveryEngine,
    /// Engines by story id, with the story's `updated_at` they were built from.
    engines: Mutex<HashMap<i64, (i64, StoryEngine)>>,
}

/// The global thresholds: stored, or the defaults.
pub async fn thresholds(storage: &Storage) -> Result<Thresholds, StorageError> {
    Ok(storage
        .get_setting(THRESHOLDS)
        .await?
        .and_then(|json| serde_json::from_str(&json).ok())
        .unwrap_or_default())
}

impl Pipeline {
    pub fn new(storage: Storage, delivery: DeliveryEngine) -> Self {
        Self {
            storage,
            delivery,
            engines: Mutex::new(HashMap::new()),
        }
    }

    /// Forgets cached engines (after the global thresholds changed).
    pub fn reset(&self) {
        self.lock().clear();
    }

    /// Decides on up to one batch of pending documents; returns how many.
    pub async fn run_once(&self) -> Result<usize, StorageError> {
        let released = self.storage.release_held_alerts().await?;
        if !released.is_empty() {
            tracing::info!(
                alerts = released.len(),
                "quiet hours over: held alerts queued"
            );
            self.delivery.wake();
        }
        let documents = self.storage.pending_documents(BATCH).await?;
        if documents.is_empty() {
            return Ok(0);
        }
        let stories = self.storage.list_stories().await?;
        let global = thresholds(&self.storage).await?;
        for document in &documents {
            let decisions = self.decide(document, &stories, &global);
            let alerts = self
                .storage
                .record_decisions(document.id, decisions)
                .await?;
            if !alerts.is_empty() {
                tracing::info!(
                    document.id = document.id,
                    alerts = alerts.len(),
                    "story alert queued"
                );
                self.delivery.wake();
            }
        }
        Ok(documents.len())
    }

    fn decide(
        &self,
        document: &PendingDocument,
        stories: &[StoryRecord],
        global: &Thresholds,
    ) -> Vec<NewDecision> {
        let paragraphs = paragraphs(&document.text);
        let date = DateTime::from_timestamp_millis(document.date).unwrap_or_else(Utc::now);
        let input = DocInput {
            source: &document.source,
            item: &document.item_key,
            url: &document.url,
            title: document.title.as_deref(),
            paragraphs: &paragraphs,
            date,
        };
        let mut engines = self.lock();
        let mut decisions = Vec::new();
        let defaults = Thresholds::default();
        // The demo's documents and stories only meet each other; the demo runs under the
        // built-in thresholds whatever the settings say, so that it always shows the same thing.
        for record in stories.iter().filter(|r| r.demo == document.demo) {
            let global = if record.demo { &defaults } else { global };
            let entry = engines
                .entry(record.id)
                .or_insert_with(|| (i64::MIN, StoryEngine::new(Story::default(), global)));
            if entry.0 != record.updated_at {
                let Some(engine) = build(record, global) else {
                    continue;
                };
                *entry = (record.updated_at, engine);
            }
            let engine = &mut entry.1;
            let decision = engine.process(&input);
            if !decision.matched {
                continue;
            }
            let alert = decision.alert.then(|| NewAlert {
                title: decision
                    .title
                    .clone()
                    .unwrap_or_else(|| engine.story.name.clone()),
                body: decision.body.clone().unwrap_or_default(),
                url: crate::domain::check_link(&document.url)
                    .ok()
                    .map(|()| document.url.clone()),
                story_id: Some(record.id),
                topics: engine
                    .story
                    .topic
                    .as_deref()
                    .and_then(|t| Topic::parse(t).ok())
                    .into_iter()
                    .collect(),
                public: true,
            });
            decisions.push(NewDecision {
                story_id: record.id,
                alert,
                held_until: decision
                    .held_until
                    .filter(|_| decision.held)
                    .map(|t| t.timestamp_millis()),
                score: decision.score,
                detail: serde_json::to_string(&decision).unwrap_or_default(),
                knowledge: serde_json::to_string(&engine.knowledge).unwrap_or_default(),
            });
        }
        decisions
    }

    /// Decides on documents as fetches store them, until `token` is cancelled.
    pub async fn run(
        self: std::sync::Arc<Self>,
        sources: SchedulerHandle,
        token: CancellationToken,
    ) {
        loop {
            match self.run_once().await {
                Ok(0) => {
                    tokio::select! {
                        () = sources.new_documents() => {}
                        () = tokio::time::sleep(Duration::from_secs(5)) => {}
                        () = token.cancelled() => return,
                    }
                }
                Ok(_) => {}
                Err(err) => {
                    tracing::error!(error = %err, "pipeline: cannot decide on documents; retrying in 5 s");
                    tokio::select! {
                        () = tokio::time::sleep(Duration::from_secs(5)) => {}
                        () = token.cancelled() => return,
                    }
                }
            }
            if token.is_cancelled() {
                return;
            }
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<i64, (i64, StoryEngine)>> {
        self.engines
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// An engine from a stored story: its definition and its memory.
fn build(record: &StoryRecord, global: &Thresholds) -> Option<StoryEngine> {
    let story: Story = match serde_json::from_str(&record.definition) {
        Ok(story) => story,
        Err(err) => {
            tracing::error!(story.id = record.id, error = %err, "stored story is unreadable; skipped");
            return None;
        }
    };
    let mut engine = StoryEngine::new(story, global);
    if let Some(knowledge) = record
        .knowledge
        .as_deref()
        .and_then(|k| serde_json::from_str::<Knowledge>(k).ok())
    {
        engine.knowledge = knowledge;
    }
    Some(engine)
}
