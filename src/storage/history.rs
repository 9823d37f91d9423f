//! A story's stored history: the documents it decided on, in the order it saw them, for
//! replaying them under other thresholds.

use super::{PendingDocument, Storage, StorageError};

/// How many documents a replay reads at most (the newest are kept).
pub const HISTORY_LIMIT: u32 = 5_000;

impl Storage {
    /// The documents `story_id` decided on, oldest first; documents removed by retention are
    /// left out.
    pub async fn story_history(&self, story_id: i64) -> Result<Vec<PendingDocument>, StorageError> {
        self.read(move |conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT * FROM (
                     SELECT d.id, s.name, d.item_key, d.url, d.title,
                            coalesce(d.published_at, d.fetched_at), d.text, s.demo, c.id AS decision
                     FROM decisions c
                     JOIN documents d ON d.id = c.document_id
                     JOIN sources s ON s.id = d.source_id
                     WHERE c.story_id = ?1 ORDER BY c.id DESC LIMIT ?2
                 ) ORDER BY decision",
            )?;
            let rows = stmt.query_map(
                rusqlite::params![story_id, HISTORY_LIMIT],
                super::stories::pending_row,
            )?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }
}
