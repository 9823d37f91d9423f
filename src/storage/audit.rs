//! The audit log: who changed what, when, and the subject before and after.

use rusqlite::params;
use serde::Serialize;

use super::{Storage, StorageError, now_ms};

/// One change to record.
#[derive(Debug, Clone)]
pub struct NewAuditEntry {
    /// An admin user's name, or "token".
    pub actor: String,
    /// e.g. `settings.update`, `story.delete`.
    pub action: &'static str,
    /// e.g. `settings`, `story 3`.
    pub subject: String,
    /// JSON; `None` when the subject did not exist.
    pub before: Option<String>,
    pub after: Option<String>,
}

/// A recorded change.
#[derive(Debug, Clone, Serialize)]
pub struct AuditEntry {
    pub id: i64,
    /// Unix ms.
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub subject: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

impl Storage {
    pub async fn insert_audit_entry(&self, entry: NewAuditEntry) -> Result<i64, StorageError> {
        self.call(move |conn| {
            Ok(conn.query_row(
                "INSERT INTO audit_log (at, actor, action, subject, before, after)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING id",
                params![
                    now_ms(),
                    entry.actor,
                    entry.action,
                    entry.subject,
                    entry.before,
                    entry.after
                ],
                |row| row.get(0),
            )?)
        })
        .await
    }

    /// The latest entries, newest first.
    pub async fn list_audit_entries(&self, limit: u32) -> Result<Vec<AuditEntry>, StorageError> {
        self.read(move |conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT id, at, actor, action, subject, before, after
                 FROM audit_log ORDER BY id DESC LIMIT ?1",
            )?;
            let rows = stmt.query_map([limit], |row| {
                Ok(AuditEntry {
                    id: row.get(0)?,
                    at: row.get(1)?,
                    actor: row.get(2)?,
                    action: row.get(3)?,
                    subject: row.get(4)?,
                    before: row.get(5)?,
                    after: row.get(6)?,
                })
            })?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }
}
