//! Stories, the documents waiting for the diff engine, and its decisions.

use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use super::alerts::{enqueue_matching, insert_alert_row};
use super::{Storage, StorageError, now_ms};
use crate::domain::NewAlert;

/// A story as stored: its definition and memory as JSON, for the engine to read.
#[derive(Debug, Clone)]
pub struct StoryRecord {
    pub id: i64,
    pub definition: String,
    pub knowledge: Option<String>,
    pub updated_at: i64,
    /// Created by `herald serve --demo`: it sees only demo documents and goes when the demo ends.
    pub demo: bool,
}

/// A stored document version the diff engine has not decided on yet.
#[derive(Debug, Clone)]
pub struct PendingDocument {
    pub id: i64,
    pub source: String,
    pub item_key: String,
    pub url: String,
    pub title: Option<String>,
    /// Unix ms: published, else fetched.
    pub date: i64,
    pub text: String,
    /// From the demo's source: only demo stories decide on it.
    pub demo: bool,
}

/// One story's decision on one document, to record.
#[derive(Debug, Clone)]
pub struct NewDecision {
    pub story_id: i64,
    pub alert: Option<NewAlert>,
    /// Unix ms: quiet hours hold the alert until then; its deliveries are queued then.
    pub held_until: Option<i64>,
    pub score: f64,
    pub detail: String,
    pub knowledge: String,
}

/// A decision in a story's timeline.
#[derive(Debug, Clone, Serialize)]
pub struct TimelineEntry {
    pub decision_id: i64,
    pub document_id: Option<i64>,
    pub url: Option<String>,
    pub title: Option<String>,
    pub source: Option<String>,
    pub alert_id: Option<i64>,
    pub alert: bool,
    pub score: f64,
    pub detail: serde_json::Value,
    pub decided_at: i64,
}

fn story_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<StoryRecord> {
    Ok(StoryRecord {
        id: row.get(0)?,
        definition: row.get(1)?,
        knowledge: row.get(2)?,
        updated_at: row.get(3)?,
        demo: row.get(4)?,
    })
}

impl Storage {
    pub async fn insert_story(
        &self,
        name: String,
        definition: String,
    ) -> Result<i64, StorageError> {
        self.call(move |conn| {
            let now = now_ms();
            Ok(conn.query_row(
                "INSERT INTO stories (name, definition, created_at, updated_at) VALUES (?1, ?2, ?3, ?3) RETURNING id",
                params![name, definition, now],
                |row| row.get(0),
            )?)
        })
        .await
    }

    /// Replaces a story's definition; its memory is kept. `Ok(false)`: no such story.
    /// Adds a story unless one with the same name exists (`[[stories]]` of the config file);
    /// `None` when it exists.
    pub async fn insert_story_if_absent(
        &self,
        name: String,
        definition: String,
    ) -> Result<Option<i64>, StorageError> {
        self.call(move |conn| {
            let now = now_ms();
            Ok(conn
                .query_row(
                    "INSERT INTO stories (name, definition, created_at, updated_at)
                     SELECT ?1, ?2, ?3, ?3 WHERE NOT EXISTS (SELECT 1 FROM stories WHERE name = ?1)
                     RETURNING id",
                    params![name, definition, now],
                    |row| row.get(0),
                )
                .optional()?)
        })
        .await
    }

    pub async fn update_story(
        &self,
        id: i64,
        name: String,
        definition: String,
    ) -> Result<bool, StorageError> {
        self.call(move |conn| {
            let n = conn.execute(
                "UPDATE stories SET name = ?2, definition = ?3, updated_at = ?4 WHERE id = ?1",
                params![id, name, definition, now_ms()],
            )?;
            Ok(n > 0)
        })
        .await
    }

    pub async fn delete_story(&self, id: i64) -> Result<bool, StorageError> {
        self.call(move |conn| Ok(conn.execute("DELETE FROM stories WHERE id = ?1", [id])? > 0))
            .await
    }

    pub async fn get_story(&self, id: i64) -> Result<Option<StoryRecord>, StorageError> {
        self.read(move |conn| {
            Ok(conn
                .query_row(
                    "SELECT id, definition, knowledge, updated_at, demo FROM stories WHERE id = ?1",
                    [id],
                    story_row,
                )
                .optional()?)
        })
        .await
    }

    pub async fn list_stories(&self) -> Result<Vec<StoryRecord>, StorageError> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT id, definition, knowledge, updated_at, demo FROM stories ORDER BY id",
            )?;
            let rows = stmt.query_map([], story_row)?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }

    /// The oldest documents the diff engine has not decided on.
    pub async fn pending_documents(
        &self,
        limit: u32,
    ) -> Result<Vec<PendingDocument>, StorageError> {
        self.call(move |conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT d.id, s.name, d.item_key, d.url, d.title, coalesce(d.published_at, d.fetched_at), d.text, s.demo
                 FROM documents d JOIN sources s ON s.id = d.source_id
                 WHERE d.processed = 0 ORDER BY d.id LIMIT ?1",
            )?;
            let rows = stmt.query_map([limit], pending_row)?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }

    /// Records every story's decision on a document, the alerts and their deliveries, the
    /// stories' new memory, and marks the document decided: all in one transaction, so a
    /// restart neither repeats an alert nor loses a decision. Returns the alert ids.
    pub async fn record_decisions(
        &self,
        document_id: i64,
        decisions: Vec<NewDecision>,
    ) -> Result<Vec<i64>, StorageError> {
        self.call(move |conn| {
            let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            let now = now_ms();
            let mut alerts = Vec::new();
            for decision in &decisions {
                let alert_id = match &decision.alert {
                    Some(alert) => {
                        let id = insert_alert_row(&tx, alert, now)?;
                        match decision.held_until {
                            Some(until) => super::held::hold(&tx, id, until)?,
                            None => {
                                enqueue_matching(&tx, id, now)?;
                            }
                        }
                        alerts.push(id);
                        Some(id)
                    }
                    None => None,
                };
                tx.prepare_cached(
                    "INSERT INTO decisions (story_id, document_id, alert_id, alert, score, detail, decided_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                )?
                .execute(params![decision.story_id, document_id, alert_id, alert_id.is_some(), decision.score, decision.detail, now])?;
                tx.prepare_cached("UPDATE stories SET knowledge = ?2 WHERE id = ?1")?.execute(params![decision.story_id, decision.knowledge])?;
            }
            tx.execute("UPDATE documents SET processed = 1 WHERE id = ?1", [document_id])?;
            tx.commit()?;
            Ok(alerts)
        })
        .await
    }

    /// A story's decisions, newest first, with their documents.
    pub async fn story_timeline(
        &self,
        story_id: i64,
        limit: u32,
    ) -> Result<Vec<TimelineEntry>, StorageError> {
        self.read(move |conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT c.id, c.document_id, d.url, d.title, s.name, c.alert_id, c.alert, c.score, c.detail, c.decided_at
                 FROM decisions c LEFT JOIN documents d ON d.id = c.document_id LEFT JOIN sources s ON s.id = d.source_id
                 WHERE c.story_id = ?1 ORDER BY c.id DESC LIMIT ?2",
            )?;
            let rows = stmt.query_map(params![story_id, limit], |row| {
                let detail: String = row.get(8)?;
                Ok(TimelineEntry {
                    decision_id: row.get(0)?,
                    document_id: row.get(1)?,
                    url: row.get(2)?,
                    title: row.get(3)?,
                    source: row.get(4)?,
                    alert_id: row.get(5)?,
                    alert: row.get(6)?,
                    score: row.get(7)?,
                    detail: serde_json::from_str(&detail).unwrap_or_default(),
                    decided_at: row.get(9)?,
                })
            })?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }

    /// Stores a setting, replacing any value.
    pub async fn put_setting(&self, key: &'static str, value: String) -> Result<(), StorageError> {
        self.call(move |conn| {
            conn.execute(
                "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                params![key, value],
            )?;
            Ok(())
        })
        .await
    }
}

/// A document row: id, source name, item key, url, title, date, text, from the demo.
pub(super) fn pending_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<PendingDocument> {
    Ok(PendingDocument {
        id: row.get(0)?,
        source: row.get(1)?,
        item_key: row.get(2)?,
        url: row.get(3)?,
        title: row.get(4)?,
        date: row.get(5)?,
        text: row.get(6)?,
        demo: row.get(7)?,
    })
}
