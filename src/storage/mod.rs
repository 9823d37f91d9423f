//! Storage: the only module that speaks SQL.
//!
//! SQLite in WAL mode with foreign keys on. One connection writes, behind a mutex; reads that
//! need no write go to a small set of read connections, which WAL lets proceed while a write
//! (or another process's write lock) is under way. Connections are only used from blocking
//! threads (`spawn_blocking`), never on an async worker. Every operation waits at most
//! [`OP_WAIT`] in all, for the writer and then for SQLite's lock, before it fails as busy: a
//! request queued behind a stuck write answers in that time, not in a multiple of it. Each
//! public function is one named operation (`upsert_subscription`, `list_public_alerts`) so
//! that a PostgreSQL backend can later implement the same surface.

mod admins;
mod alerts;
mod audit;
mod dashboard;
mod deliveries;
mod demo;
mod held;
mod history;
mod migrations;
mod settings;
mod sources;
mod stories;
mod subscriptions;
mod test_push;
mod websub;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use parking_lot::Mutex;
use rusqlite::Connection;

pub use admins::{AdminCredentials, AdminSession, AdminUser, NewAdminSession};
pub use alerts::{AlertRecord, CreatedAlert, DeliveryCounts, PublicAlert};
pub use audit::{AuditEntry, NewAuditEntry};
pub use dashboard::{
    AlertCounts, DashboardCounts, DeliveryTotals, SourceHealth, SubscriberCounts, TopicCount,
};
pub use deliveries::{ClaimedDelivery, DeliveryTarget, DeliveryUpdate};
pub use demo::{DemoRemoved, DemoRows};
pub use history::HISTORY_LIMIT;
pub use sources::{FetchRecord, SourceRecord};
pub use stories::{NewDecision, PendingDocument, StoryRecord, TimelineEntry};
pub use subscriptions::{SubscriptionId, Upserted};
pub use websub::{HubDelivery, HubRecord, HubState, HubUnsubscribe};

/// Why a storage operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("cannot create data directory {path}: {source}")]
    CreateDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("database migration failed: {0}")]
    Migration(#[from] rusqlite_migration::Error),
    #[error("database task failed: {0}")]
    Task(#[from] tokio::task::JoinError),
    #[error("stored value {key} is corrupt: {reason}")]
    Corrupt { key: String, reason: String },
    #[error("database busy: the write connection stayed in use for {}s", OP_WAIT.as_secs())]
    WriterBusy,
}

/// The longest one operation waits, for the write connection and then for SQLite's lock.
pub const OP_WAIT: Duration = Duration::from_secs(5);

/// Read connections kept open between operations; more are opened while reads pile up.
const IDLE_READERS: usize = 4;

/// What kind of failure a [`StorageError`] is, for callers that answer differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    /// Another connection held the write lock for longer than the busy timeout: retry later.
    Busy,
    /// The disk (or the database's size cap) is full: nothing was written; retry later.
    Full,
    Other,
}

impl StorageError {
    pub fn kind(&self) -> FailureKind {
        let code = match self {
            Self::WriterBusy => return FailureKind::Busy,
            Self::Sqlite(rusqlite::Error::SqliteFailure(e, _)) => e.code,
            _ => return FailureKind::Other,
        };
        match code {
            rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked => {
                FailureKind::Busy
            }
            rusqlite::ErrorCode::DiskFull => FailureKind::Full,
            _ => FailureKind::Other,
        }
    }
}

/// A handle to the database; cheap to clone.
#[derive(Clone)]
pub struct Storage {
    inner: Arc<Connections>,
}

struct Connections {
    path: PathBuf,
    writer: Mutex<Connection>,
    /// Idle read connections (`query_only`), taken one per read and put back after it.
    readers: Mutex<Vec<Connection>>,
}

impl Storage {
    /// Opens (creating if needed) the database at `path` and applies pending migrations.
    /// Blocking: call it before the runtime serves requests, or from `spawn_blocking`.
    pub fn open(path: &Path) -> Result<Self, StorageError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| StorageError::CreateDir {
                path: dir.to_owned(),
                source,
            })?;
        }
        let mut conn = Connection::open(path)?;
        configure(&conn)?;
        migrations::apply(&mut conn)?;
        Ok(Self {
            inner: Arc::new(Connections {
                path: path.to_owned(),
                writer: Mutex::new(conn),
                readers: Mutex::new(Vec::new()),
            }),
        })
    }

    /// The schema version after migrations (one per file in `migrations/`).
    pub async fn schema_version(&self) -> Result<usize, StorageError> {
        self.read(migrations::current_version).await
    }

    /// Answers when the database does: the health check.
    pub async fn ping(&self) -> Result<(), StorageError> {
        self.read(|conn| Ok(conn.query_row("SELECT 1", [], |_| Ok(()))?))
            .await
    }

    /// Caps the database file at `pages` pages on this connection (`PRAGMA max_page_count`):
    /// writes past it fail with SQLITE_FULL, as on a full disk. Returns the cap in effect.
    pub async fn cap_pages(&self, pages: u64) -> Result<u64, StorageError> {
        self.call(move |conn| {
            let pragma = format!("PRAGMA max_page_count = {pages}");
            Ok(conn.query_row(&pragma, [], |r| r.get(0))?)
        })
        .await
    }

    /// Pages the database file holds now (`PRAGMA page_count`).
    pub async fn page_count(&self) -> Result<u64, StorageError> {
        self.read(|conn| Ok(conn.query_row("PRAGMA page_count", [], |r| r.get(0))?))
            .await
    }

    /// `PRAGMA integrity_check`: "ok" for a sound database.
    pub async fn integrity_check(&self) -> Result<String, StorageError> {
        self.read(|conn| Ok(conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))?))
            .await
    }

    /// Runs `op` on the write connection in a blocking thread. Fails as busy when the
    /// connection and SQLite's write lock together take longer than [`OP_WAIT`] to get.
    async fn call<R, F>(&self, op: F) -> Result<R, StorageError>
    where
        R: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<R, StorageError> + Send + 'static,
    {
        let deadline = Instant::now() + OP_WAIT;
        let inner = Arc::clone(&self.inner);
        tokio::task::spawn_blocking(move || {
            let mut conn = inner
                .writer
                .try_lock_until(deadline)
                .ok_or(StorageError::WriterBusy)?;
            // What is left of the wait goes to SQLite's lock (at least a moment, since a
            // zero timeout would mean no waiting at all rather than none left).
            let left = deadline.saturating_duration_since(Instant::now());
            conn.busy_timeout(left.max(Duration::from_millis(10)))?;
            op(&mut conn)
        })
        .await?
    }

    /// Runs `op`, which only reads, on a read connection in a blocking thread: it neither
    /// waits for the writer nor for another process's write lock.
    async fn read<R, F>(&self, op: F) -> Result<R, StorageError>
    where
        R: Send + 'static,
        F: FnOnce(&Connection) -> Result<R, StorageError> + Send + 'static,
    {
        let inner = Arc::clone(&self.inner);
        tokio::task::spawn_blocking(move || {
            let idle = inner.readers.lock().pop();
            let conn = match idle {
                Some(conn) => conn,
                None => open_reader(&inner.path)?,
            };
            let result = op(&conn);
            let mut idle = inner.readers.lock();
            if idle.len() < IDLE_READERS {
                idle.push(conn);
            }
            result
        })
        .await?
    }
}

/// A connection that refuses writes, for [`Storage::read`].
fn open_reader(path: &Path) -> Result<Connection, StorageError> {
    let conn = Connection::open(path)?;
    conn.busy_timeout(OP_WAIT)?;
    conn.pragma_update(None, "query_only", "ON")?;
    Ok(conn)
}

fn configure(conn: &Connection) -> Result<(), rusqlite::Error> {
    conn.busy_timeout(OP_WAIT)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    Ok(())
}

/// Current time as stored: Unix milliseconds.
fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}
