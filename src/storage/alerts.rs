//! Alerts as readers see them.

use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use super::{Storage, StorageError, now_ms};
use crate::domain::NewAlert;

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
        self.read(move |conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT id, title, body, url, story_id, created_at FROM alerts
                 WHERE public = 1 AND held_until IS NULL ORDER BY created_at DESC, id DESC LIMIT ?1",
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

/// An alert as the delivery engine needs it.
#[derive(Debug, Clone)]
pub struct AlertRecord {
    pub id: i64,
    pub title: String,
    pub body: String,
    pub url: Option<String>,
    pub story_id: Option<i64>,
    pub topics: Vec<String>,
    pub public: bool,
    /// Unix ms.
    pub created_at: i64,
}

/// Where an alert's deliveries stand.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct DeliveryCounts {
    pub queued: u64,
    pub delivered: u64,
    pub failed: u64,
    pub gone: u64,
}

/// The result of recording an alert.
#[derive(Debug, Clone, Copy)]
pub struct CreatedAlert {
    pub id: i64,
    pub queued: u64,
}

impl Storage {
    /// Records the alert and queues one delivery per matching subscription, in one transaction:
    /// after a crash either both exist or neither does.
    pub async fn insert_alert(&self, alert: NewAlert) -> Result<CreatedAlert, StorageError> {
        self.call(move |conn| {
            let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            let now = now_ms();
            let id = insert_alert_row(&tx, &alert, now)?;
            let queued = enqueue_matching(&tx, id, now)?;
            tx.commit()?;
            Ok(CreatedAlert { id, queued })
        })
        .await
    }

    /// Records an alert for the given subscriptions only (e.g. the "still want alerts?" push),
    /// marking them warned at `warned_at` when given, in one transaction.
    pub async fn insert_targeted_alert(
        &self,
        alert: NewAlert,
        subscription_ids: Vec<i64>,
        warned_at: Option<i64>,
    ) -> Result<CreatedAlert, StorageError> {
        self.call(move |conn| {
            let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            let now = now_ms();
            let id = insert_alert_row(&tx, &alert, now)?;
            let mut queued = 0;
            {
                let mut insert = tx.prepare_cached(
                    "INSERT INTO deliveries (alert_id, subscription_id, origin, next_attempt_at, created_at, updated_at)
                     SELECT ?1, id, origin, ?3, ?3, ?3 FROM subscriptions WHERE id = ?2",
                )?;
                let mut warn =
                    tx.prepare_cached("UPDATE subscriptions SET warned_at = ?2 WHERE id = ?1")?;
                for subscription_id in &subscription_ids {
                    queued += insert.execute(params![id, subscription_id, now])? as u64;
                    if let Some(warned_at) = warned_at {
                        warn.execute(params![subscription_id, warned_at])?;
                    }
                }
            }
            tx.commit()?;
            Ok(CreatedAlert { id, queued })
        })
        .await
    }

    pub async fn get_alert(&self, id: i64) -> Result<Option<AlertRecord>, StorageError> {
        self.read(move |conn| {
            let alert = conn
                .query_row(
                    "SELECT id, title, body, url, story_id, public, created_at FROM alerts WHERE id = ?1",
                    [id],
                    |row| {
                        Ok(AlertRecord {
                            id: row.get(0)?,
                            title: row.get(1)?,
                            body: row.get(2)?,
                            url: row.get(3)?,
                            story_id: row.get(4)?,
                            topics: Vec::new(),
                            public: row.get(5)?,
                            created_at: row.get(6)?,
                        })
                    },
                )
                .optional()?;
            let Some(mut alert) = alert else { return Ok(None) };
            let mut stmt =
                conn.prepare_cached("SELECT topic FROM alert_topics WHERE alert_id = ?1 ORDER BY topic")?;
            alert.topics = stmt.query_map([id], |row| row.get(0))?.collect::<Result<_, _>>()?;
            Ok(Some(alert))
        })
        .await
    }

    pub async fn alert_delivery_counts(&self, id: i64) -> Result<DeliveryCounts, StorageError> {
        self.read(move |conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT state, count(*) FROM deliveries WHERE alert_id = ?1 GROUP BY state",
            )?;
            let mut counts = DeliveryCounts::default();
            let rows = stmt.query_map([id], |row| {
                Ok((row.get::<_, String>(0)?, row.get::<_, u64>(1)?))
            })?;
            for row in rows {
                let (state, n) = row?;
                match state.as_str() {
                    "queued" => counts.queued = n,
                    "delivered" => counts.delivered = n,
                    "failed" => counts.failed = n,
                    _ => counts.gone = n,
                }
            }
            Ok(counts)
        })
        .await
    }

    /// The most recent alerts of every kind, newest first.
    pub async fn list_alerts(&self, limit: u32) -> Result<Vec<AlertRecord>, StorageError> {
        let ids: Vec<i64> = self
            .read(move |conn| {
                let mut stmt = conn.prepare_cached(
                    "SELECT id FROM alerts ORDER BY created_at DESC, id DESC LIMIT ?1",
                )?;
                Ok(stmt
                    .query_map([limit], |row| row.get(0))?
                    .collect::<Result<_, _>>()?)
            })
            .await?;
        let mut alerts = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(alert) = self.get_alert(id).await? {
                alerts.push(alert);
            }
        }
        Ok(alerts)
    }
}

pub(super) fn insert_alert_row(
    tx: &rusqlite::Transaction<'_>,
    alert: &NewAlert,
    now: i64,
) -> Result<i64, StorageError> {
    let id: i64 = tx.query_row(
        "INSERT INTO alerts (title, body, url, story_id, public, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING id",
        params![
            alert.title,
            alert.body,
            alert.url,
            alert.story_id,
            alert.public,
            now
        ],
        |row| row.get(0),
    )?;
    let mut insert =
        tx.prepare_cached("INSERT INTO alert_topics (alert_id, topic) VALUES (?1, ?2)")?;
    for topic in &alert.topics {
        insert.execute(params![id, topic.as_str()])?;
    }
    Ok(id)
}

/// Queues one delivery per subscription whose topics match the alert's (a subscription with
/// no topics, or an alert with none, matches). Part of the caller's transaction.
pub(super) fn enqueue_matching(
    tx: &rusqlite::Transaction<'_>,
    alert_id: i64,
    now: i64,
) -> Result<u64, StorageError> {
    let queued = tx.execute(
        "INSERT INTO deliveries (alert_id, subscription_id, origin, next_attempt_at, created_at, updated_at)
         SELECT ?1, s.id, s.origin, ?2, ?2, ?2 FROM subscriptions s
         WHERE NOT EXISTS (SELECT 1 FROM alert_topics WHERE alert_id = ?1)
            OR NOT EXISTS (SELECT 1 FROM subscription_topics t WHERE t.subscription_id = s.id)
            OR EXISTS (SELECT 1 FROM subscription_topics t JOIN alert_topics a
                       ON a.topic = t.topic AND a.alert_id = ?1
                       WHERE t.subscription_id = s.id)",
        params![alert_id, now],
    )?;
    Ok(queued as u64)
}
