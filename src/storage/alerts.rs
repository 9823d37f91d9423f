//! Alerts as readers see them.

use rusqlite::params;
use serde::Serialize;

use super::{Storage, StorageError};

/// One alert in the public list.
#[derive(Debug, Clone, Serialize)]
pub struct PublicAlert {
    pub id: i64,
    pub title: String,
    pub body: String,
    pub url: Option<String>,
    pub story: Option<i64>,
    /// RFC 3339, UTC.
    pub created_at: String,
}

impl Storage {
    /// The most recent public alerts, newest first.
    pub async fn list_public_alerts(&self, limit: u32) -> Result<Vec<PublicAlert>, StorageError> {
        self.call(move |conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT id, title, body, url, story_id, created_at FROM alerts
                 WHERE public = 1 ORDER BY created_at DESC, id DESC LIMIT ?1",
            )?;
            let rows = stmt.query_map(params![limit], |row| {
                let created_ms: i64 = row.get(5)?;
                Ok(PublicAlert {
                    id: row.get(0)?,
                    title: row.get(1)?,
                    body: row.get(2)?,
                    url: row.get(3)?,
                    story: row.get(4)?,
                    created_at: rfc3339(created_ms),
                })
            })?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }
}

fn rfc3339(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}
