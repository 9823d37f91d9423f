//! Sources, their fetch state, and the documents they yield.

use rusqlite::{OptionalExtension, Row, Transaction, params};
use serde::Serialize;

use super::{Storage, StorageError, now_ms};
use crate::domain::{Document, JsonFields, NewSource};

/// A source as stored, with its fetch state.
#[derive(Debug, Clone, Serialize)]
pub struct SourceRecord {
    pub id: i64,
    pub name: String,
    pub url: String,
    pub kind: String,
    pub schedule: String,
    pub selector: Option<String>,
    pub json: Option<JsonFields>,
    pub paused: bool,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    /// Unix ms.
    pub last_fetch_at: Option<i64>,
    pub last_status: Option<u16>,
    pub last_error: Option<String>,
    pub consecutive_failures: u32,
    pub next_run_at: Option<i64>,
    pub hub_url: Option<String>,
    pub hub_state: Option<String>,
    pub hub_lease_until: Option<i64>,
    /// The demo's source (`herald serve --demo`), removed when the demo ends.
    pub demo: bool,
}

/// The outcome of one fetch, to be recorded with its documents.
#[derive(Debug, Clone, Default)]
pub struct FetchRecord {
    pub status: Option<u16>,
    pub error: Option<String>,
    /// Validators to keep for the next conditional GET (only set after a 200).
    pub validators: Option<(Option<String>, Option<String>)>,
    pub next_run_at: Option<i64>,
}

const COLUMNS: &str = "id, name, url, kind, schedule, selector, json_fields, paused, etag, last_modified,
    last_fetch_at, last_status, last_error, consecutive_failures, next_run_at, hub_url, hub_state, hub_lease_until, demo";

fn source_from_row(row: &Row<'_>) -> rusqlite::Result<SourceRecord> {
    let json: Option<String> = row.get(6)?;
    Ok(SourceRecord {
        id: row.get(0)?,
        name: row.get(1)?,
        url: row.get(2)?,
        kind: row.get(3)?,
        schedule: row.get(4)?,
        selector: row.get(5)?,
        json: json.and_then(|j| serde_json::from_str(&j).ok()),
        paused: row.get(7)?,
        etag: row.get(8)?,
        last_modified: row.get(9)?,
        last_fetch_at: row.get(10)?,
        last_status: row.get(11)?,
        last_error: row.get(12)?,
        consecutive_failures: row.get(13)?,
        next_run_at: row.get(14)?,
        hub_url: row.get(15)?,
        hub_state: row.get(16)?,
        hub_lease_until: row.get(17)?,
        demo: row.get(18)?,
    })
}

fn json_text(source: &NewSource) -> Option<String> {
    source
        .json
        .as_ref()
        .and_then(|j| serde_json::to_string(j).ok())
}

impl Storage {
    /// Adds a source; `None` when one with the same URL and kind exists.
    pub async fn insert_source(&self, source: NewSource) -> Result<Option<i64>, StorageError> {
        self.call(move |conn| {
            let now = now_ms();
            let id = conn
                .query_row(
                    "INSERT INTO sources (name, url, kind, schedule, selector, json_fields, paused, created_at, updated_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)
                     ON CONFLICT (url, kind) DO NOTHING RETURNING id",
                    params![
                        source.name,
                        source.url.as_str(),
                        source.kind.as_str(),
                        source.schedule.as_str(),
                        source.selector,
                        json_text(&source),
                        source.paused,
                        now
                    ],
                    |row| row.get(0),
                )
                .optional()?;
            Ok(id)
        })
        .await
    }

    /// Replaces a source's settings; `Ok(false)` when there is no such source. Changing the URL
    /// or kind forgets the validators and the hub subscription, which belonged to the old one.
    pub async fn update_source(&self, id: i64, source: NewSource) -> Result<bool, StorageError> {
        self.call(move |conn| {
            let updated = conn.execute(
                "UPDATE sources SET name = ?2, schedule = ?5, selector = ?6, json_fields = ?7, paused = ?8,
                    updated_at = ?9,
                    etag = CASE WHEN url = ?3 AND kind = ?4 THEN etag END,
                    last_modified = CASE WHEN url = ?3 AND kind = ?4 THEN last_modified END,
                    hub_url = CASE WHEN url = ?3 THEN hub_url END,
                    hub_state = CASE WHEN url = ?3 THEN hub_state END,
                    url = ?3, kind = ?4
                 WHERE id = ?1",
                params![
                    id,
                    source.name,
                    source.url.as_str(),
                    source.kind.as_str(),
                    source.schedule.as_str(),
                    source.selector,
                    json_text(&source),
                    source.paused,
                    now_ms()
                ],
            )?;
            Ok(updated > 0)
        })
        .await
    }

    pub async fn delete_source(&self, id: i64) -> Result<bool, StorageError> {
        self.call(move |conn| Ok(conn.execute("DELETE FROM sources WHERE id = ?1", [id])? > 0))
            .await
    }

    pub async fn get_source(&self, id: i64) -> Result<Option<SourceRecord>, StorageError> {
        self.read(move |conn| {
            let sql = format!("SELECT {COLUMNS} FROM sources WHERE id = ?1");
            Ok(conn.query_row(&sql, [id], source_from_row).optional()?)
        })
        .await
    }

    pub async fn list_sources(&self) -> Result<Vec<SourceRecord>, StorageError> {
        self.read(|conn| {
            let mut stmt =
                conn.prepare_cached(&format!("SELECT {COLUMNS} FROM sources ORDER BY id"))?;
            let rows = stmt.query_map([], source_from_row)?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }

    pub async fn set_source_next_run(&self, id: i64, at: i64) -> Result<(), StorageError> {
        self.call(move |conn| {
            conn.execute(
                "UPDATE sources SET next_run_at = ?2 WHERE id = ?1",
                params![id, at],
            )?;
            Ok(())
        })
        .await
    }

    /// Records a fetch and stores the documents that are new or changed, in one transaction.
    /// Returns the ids of the stored versions. Keeps at most `keep_versions` per item.
    pub async fn record_fetch(
        &self,
        source_id: i64,
        fetch: FetchRecord,
        documents: Vec<Document>,
        keep_versions: u32,
    ) -> Result<Vec<i64>, StorageError> {
        self.call(move |conn| {
            let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            let exists: bool = tx
                .query_row("SELECT 1 FROM sources WHERE id = ?1", [source_id], |_| {
                    Ok(true)
                })
                .optional()?
                .unwrap_or(false);
            if !exists {
                return Ok(Vec::new());
            }
            record_state(&tx, source_id, &fetch)?;
            let mut stored = Vec::new();
            for document in &documents {
                if let Some(id) = store_if_changed(&tx, source_id, document, keep_versions)? {
                    stored.push(id);
                }
            }
            tx.commit()?;
            Ok(stored)
        })
        .await
    }
}

fn record_state(tx: &Transaction<'_>, id: i64, fetch: &FetchRecord) -> Result<(), StorageError> {
    let failed = fetch.error.is_some();
    tx.prepare_cached(
        "UPDATE sources SET last_fetch_at = ?2, last_status = ?3, last_error = ?4,
            consecutive_failures = CASE WHEN ?5 THEN consecutive_failures + 1 ELSE 0 END,
            next_run_at = coalesce(?6, next_run_at)
         WHERE id = ?1",
    )?
    .execute(params![
        id,
        now_ms(),
        fetch.status,
        fetch.error,
        failed,
        fetch.next_run_at
    ])?;
    if let Some((etag, last_modified)) = &fetch.validators {
        tx.prepare_cached("UPDATE sources SET etag = ?2, last_modified = ?3 WHERE id = ?1")?
            .execute(params![id, etag, last_modified])?;
    }
    Ok(())
}

fn store_if_changed(
    tx: &Transaction<'_>,
    source_id: i64,
    document: &Document,
    keep_versions: u32,
) -> Result<Option<i64>, StorageError> {
    let hash = document.content_hash();
    let latest: Option<String> = tx
        .prepare_cached(
            "SELECT content_hash FROM documents WHERE source_id = ?1 AND item_key = ?2 ORDER BY id DESC LIMIT 1",
        )?
        .query_row(params![source_id, document.item_key], |row| row.get(0))
        .optional()?;
    if latest.as_deref() == Some(hash.as_str()) {
        return Ok(None);
    }
    let id: i64 = tx
        .prepare_cached(
            "INSERT INTO documents (source_id, item_key, url, title, published_at, fetched_at, content_hash, text)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) RETURNING id",
        )?
        .query_row(
            params![
                source_id,
                document.item_key,
                document.url,
                document.title,
                document.published.map(|d| d.timestamp_millis()),
                document.fetched_at.timestamp_millis(),
                hash,
                document.text()
            ],
            |row| row.get(0),
        )?;
    // Keep the newest versions; never drop one the diff engine has not seen yet.
    tx.prepare_cached(
        "DELETE FROM documents WHERE source_id = ?1 AND item_key = ?2 AND processed = 1 AND id NOT IN
           (SELECT id FROM documents WHERE source_id = ?1 AND item_key = ?2 ORDER BY id DESC LIMIT ?3)",
    )?
    .execute(params![source_id, document.item_key, keep_versions])?;
    Ok(Some(id))
}
