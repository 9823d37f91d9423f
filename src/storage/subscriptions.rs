//! Subscriptions and their topics.

use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use super::{Storage, StorageError, now_ms};
use crate::domain::{NewSubscription, PushEndpoint};

/// A subscription's row id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct SubscriptionId(pub i64);

/// The result of an upsert: the row and whether it was new.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Upserted {
    pub id: SubscriptionId,
    pub created: bool,
}

impl Storage {
    /// Inserts a subscription, or replaces the keys and topics of a known endpoint and marks it
    /// refreshed.
    pub async fn upsert_subscription(
        &self,
        sub: NewSubscription,
    ) -> Result<Upserted, StorageError> {
        self.call(move |conn| {
            let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            let now = now_ms();
            let existing: Option<i64> = tx
                .query_row(
                    "SELECT id FROM subscriptions WHERE endpoint = ?1",
                    [sub.endpoint.as_str()],
                    |row| row.get(0),
                )
                .optional()?;
            let id = match existing {
                Some(id) => {
                    tx.execute(
                        "UPDATE subscriptions SET p256dh = ?2, auth = ?3, refreshed_at = ?4, warned_at = NULL
                         WHERE id = ?1",
                        params![id, sub.keys.p256dh, sub.keys.auth, now],
                    )?;
                    tx.execute("DELETE FROM subscription_topics WHERE subscription_id = ?1", [id])?;
                    id
                }
                None => tx.query_row(
                    "INSERT INTO subscriptions (endpoint, origin, p256dh, auth, created_at, refreshed_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?5) RETURNING id",
                    params![
                        sub.endpoint.as_str(),
                        sub.endpoint.origin(),
                        sub.keys.p256dh,
                        sub.keys.auth,
                        now
                    ],
                    |row| row.get(0),
                )?,
            };
            {
                let mut insert = tx.prepare_cached(
                    "INSERT INTO subscription_topics (subscription_id, topic) VALUES (?1, ?2)",
                )?;
                for topic in &sub.topics {
                    insert.execute(params![id, topic.as_str()])?;
                }
            }
            tx.commit()?;
            Ok(Upserted { id: SubscriptionId(id), created: existing.is_none() })
        })
        .await
    }

    /// Removes the subscription with this endpoint; `false` when there was none.
    pub async fn delete_subscription(&self, endpoint: PushEndpoint) -> Result<bool, StorageError> {
        self.call(move |conn| {
            let removed = conn.execute(
                "DELETE FROM subscriptions WHERE endpoint = ?1",
                [endpoint.as_str()],
            )?;
            Ok(removed > 0)
        })
        .await
    }

    pub async fn count_subscriptions(&self) -> Result<u64, StorageError> {
        self.read(|conn| {
            Ok(conn.query_row("SELECT count(*) FROM subscriptions", [], |row| row.get(0))?)
        })
        .await
    }

    /// The topics of the subscription with this endpoint, or `None` when it is unknown.
    pub async fn subscription_topics(
        &self,
        endpoint: PushEndpoint,
    ) -> Result<Option<Vec<String>>, StorageError> {
        self.read(move |conn| {
            let id: Option<i64> = conn
                .query_row(
                    "SELECT id FROM subscriptions WHERE endpoint = ?1",
                    [endpoint.as_str()],
                    |row| row.get(0),
                )
                .optional()?;
            let Some(id) = id else { return Ok(None) };
            let mut stmt = conn.prepare_cached(
                "SELECT topic FROM subscription_topics WHERE subscription_id = ?1 ORDER BY topic",
            )?;
            let topics = stmt
                .query_map([id], |row| row.get(0))?
                .collect::<Result<_, _>>()?;
            Ok(Some(topics))
        })
        .await
    }
}

impl Storage {
    /// Subscriber counts for the metrics: per topic, `*` for no topic, `all` in total.
    pub async fn subscriptions_by_topic(&self) -> Result<Vec<(String, u64)>, StorageError> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT topic, count(*) FROM subscription_topics GROUP BY topic
                 UNION ALL
                 SELECT '*', count(*) FROM subscriptions s
                 WHERE NOT EXISTS (SELECT 1 FROM subscription_topics t WHERE t.subscription_id = s.id)
                 UNION ALL
                 SELECT 'all', count(*) FROM subscriptions",
            )?;
            let rows = stmt.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }
}

impl Storage {
    /// Inserts many subscriptions in one transaction, skipping endpoints already known
    /// (imports and the fan-out benchmark).
    pub async fn import_subscriptions(
        &self,
        subs: Vec<NewSubscription>,
    ) -> Result<u64, StorageError> {
        self.call(move |conn| {
            let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            let now = now_ms();
            let mut inserted = 0;
            {
                let mut insert = tx.prepare_cached(
                    "INSERT INTO subscriptions (endpoint, origin, p256dh, auth, created_at, refreshed_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?5) ON CONFLICT (endpoint) DO NOTHING",
                )?;
                for sub in &subs {
                    inserted += insert.execute(params![
                        sub.endpoint.as_str(),
                        sub.endpoint.origin(),
                        sub.keys.p256dh,
                        sub.keys.auth,
                        now
                    ])? as u64;
                }
            }
            tx.commit()?;
            Ok(inserted)
        })
        .await
    }
}

impl Storage {
    /// Queues `alert` for up to `limit` subscriptions not refreshed since `refreshed_before`
    /// and not yet warned, and marks them warned at `now`, in one transaction.
    pub async fn warn_stale_subscriptions(
        &self,
        alert: crate::domain::NewAlert,
        refreshed_before: i64,
        now: i64,
        limit: u32,
    ) -> Result<Option<super::CreatedAlert>, StorageError> {
        let ids: Vec<i64> = self
            .call(move |conn| {
                let mut stmt = conn.prepare_cached(
                    "SELECT id FROM subscriptions WHERE warned_at IS NULL AND refreshed_at < ?1
                     ORDER BY refreshed_at LIMIT ?2",
                )?;
                Ok(stmt
                    .query_map(params![refreshed_before, limit], |row| row.get(0))?
                    .collect::<Result<_, _>>()?)
            })
            .await?;
        if ids.is_empty() {
            return Ok(None);
        }
        let created = self.insert_targeted_alert(alert, ids, Some(now)).await?;
        Ok(Some(created))
    }

    /// Removes subscriptions warned before `warned_before` and not refreshed since.
    pub async fn delete_unrefreshed_warned(&self, warned_before: i64) -> Result<u64, StorageError> {
        self.call(move |conn| {
            let removed = conn.execute(
                "DELETE FROM subscriptions WHERE warned_at IS NOT NULL AND warned_at < ?1",
                [warned_before],
            )?;
            Ok(removed as u64)
        })
        .await
    }
}
