//! The demo's own rows: one story and one source, marked `demo`, created together and removed
//! together with everything that hangs on them.

use rusqlite::{OptionalExtension, params};

use super::{Storage, StorageError, now_ms};
use crate::domain::NewSource;

/// The rows `herald serve --demo` created.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoRows {
    pub story_id: i64,
    pub source_id: i64,
}

/// What removing the demo took away.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DemoRemoved {
    pub stories: usize,
    pub sources: usize,
    pub documents: usize,
    pub decisions: usize,
    /// Alerts the demo sent: kept in the history, detached from the story and its page.
    pub alerts_kept: usize,
}

impl DemoRemoved {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

impl Storage {
    /// Creates the demo's story and source in one transaction; `None` when a source that is not
    /// the demo's already has the demo's URL.
    pub async fn insert_demo(
        &self,
        story_name: String,
        definition: String,
        source: NewSource,
    ) -> Result<Option<DemoRows>, StorageError> {
        self.call(move |conn| {
            let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            let now = now_ms();
            let source_id: Option<i64> = tx
                .query_row(
                    "INSERT INTO sources (name, url, kind, schedule, paused, demo, created_at, updated_at)
                     VALUES (?1, ?2, ?3, ?4, 0, 1, ?5, ?5)
                     ON CONFLICT (url, kind) DO NOTHING RETURNING id",
                    params![
                        source.name,
                        source.url.as_str(),
                        source.kind.as_str(),
                        source.schedule.as_str(),
                        now
                    ],
                    |row| row.get(0),
                )
                .optional()?;
            let Some(source_id) = source_id else {
                return Ok(None);
            };
            let story_id: i64 = tx.query_row(
                "INSERT INTO stories (name, definition, demo, created_at, updated_at)
                 VALUES (?1, ?2, 1, ?3, ?3) RETURNING id",
                params![story_name, definition, now],
                |row| row.get(0),
            )?;
            tx.commit()?;
            Ok(Some(DemoRows {
                story_id,
                source_id,
            }))
        })
        .await
    }

    /// Removes every demo story and source with their documents and decisions, in one
    /// transaction. The alerts the demo sent stay in the history (readers got them), with their
    /// story and their link to the demo page cleared, since neither exists afterwards; their
    /// titles carry the demo story's name.
    pub async fn remove_demo(&self) -> Result<DemoRemoved, StorageError> {
        self.call(move |conn| {
            let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            let count = |sql: &str| -> rusqlite::Result<usize> {
                tx.query_row(sql, [], |row| row.get::<_, i64>(0))
                    .map(|n| usize::try_from(n).unwrap_or_default())
            };
            let documents = count(
                "SELECT count(*) FROM documents WHERE source_id IN (SELECT id FROM sources WHERE demo = 1)",
            )?;
            let decisions = count(
                "SELECT count(*) FROM decisions WHERE story_id IN (SELECT id FROM stories WHERE demo = 1)",
            )?;
            let alerts_kept = tx.execute(
                "UPDATE alerts SET story_id = NULL, url = NULL
                 WHERE story_id IN (SELECT id FROM stories WHERE demo = 1)",
                [],
            )?;
            // Decisions go with their story, documents with their source (ON DELETE CASCADE).
            let stories = tx.execute("DELETE FROM stories WHERE demo = 1", [])?;
            let sources = tx.execute("DELETE FROM sources WHERE demo = 1", [])?;
            tx.commit()?;
            Ok(DemoRemoved {
                stories,
                sources,
                documents,
                decisions,
                alerts_kept,
            })
        })
        .await
    }
}
