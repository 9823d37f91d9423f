//! WebSub subscriptions: the hub a feed advertises, our request to it, the hub's verification,
//! and the subscriptions we asked to end.

use rusqlite::{OptionalExtension, params};

use super::{Storage, StorageError};
use crate::config::Secret;

/// Where our subscription to a feed's hub stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HubState {
    /// Asked; the hub has not verified yet.
    Pending,
    /// Verified; the lease runs until `lease_until`.
    Active,
    /// The hub refused, did not answer, or denied the subscription.
    Failed,
}

impl HubState {
    fn parse(text: &str) -> Option<Self> {
        match text {
            "pending" => Some(Self::Pending),
            "active" => Some(Self::Active),
            "failed" => Some(Self::Failed),
            _ => None,
        }
    }
}

/// A feed source that advertises a hub, with our subscription to it.
#[derive(Debug, Clone)]
pub struct HubRecord {
    pub source_id: i64,
    pub paused: bool,
    pub hub_url: String,
    pub topic: String,
    pub secret: Option<Secret>,
    pub state: Option<HubState>,
    /// Unix ms.
    pub lease_until: Option<i64>,
    /// Unix ms of our last subscribe request.
    pub attempt_at: Option<i64>,
    /// Subscribe requests that failed in a row.
    pub failures: u32,
}

/// What a content distribution for one source is checked against.
#[derive(Debug, Clone)]
pub struct HubDelivery {
    pub secret: Secret,
    pub paused: bool,
    pub url: String,
}

/// A subscription to end with an unsubscribe request.
#[derive(Debug, Clone)]
pub struct HubUnsubscribe {
    pub id: i64,
    pub source_id: i64,
    pub hub_url: String,
    pub topic: String,
}

impl Storage {
    /// Records the hub and topic a feed advertises (`None` when it stopped). A change forgets
    /// the old subscription (the migration's trigger queues its unsubscribe); returns whether
    /// anything changed.
    pub async fn set_hub_links(
        &self,
        source_id: i64,
        hub_url: Option<String>,
        topic: Option<String>,
    ) -> Result<bool, StorageError> {
        self.call(move |conn| {
            let changed = conn.execute(
                "UPDATE sources SET hub_url = ?2, hub_topic = ?3, hub_secret = NULL, hub_state = NULL,
                    hub_lease_until = NULL, hub_attempt_at = NULL, hub_failures = 0
                 WHERE id = ?1 AND (hub_url IS NOT ?2 OR hub_topic IS NOT ?3)",
                params![source_id, hub_url, topic],
            )?;
            Ok(changed > 0)
        })
        .await
    }

    /// Every source with a hub to subscribe to.
    pub async fn list_hubs(&self) -> Result<Vec<HubRecord>, StorageError> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT id, paused, hub_url, hub_topic, hub_secret, hub_state, hub_lease_until,
                    hub_attempt_at, hub_failures
                 FROM sources WHERE hub_url IS NOT NULL AND hub_topic IS NOT NULL ORDER BY id",
            )?;
            let rows = stmt.query_map([], |row| {
                let state: Option<String> = row.get(5)?;
                Ok(HubRecord {
                    source_id: row.get(0)?,
                    paused: row.get(1)?,
                    hub_url: row.get(2)?,
                    topic: row.get(3)?,
                    secret: row.get::<_, Option<String>>(4)?.map(Secret::new),
                    state: state.as_deref().and_then(HubState::parse),
                    lease_until: row.get(6)?,
                    attempt_at: row.get(7)?,
                    failures: row.get(8)?,
                })
            })?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }

    /// Stores the secret and the attempt before the subscribe request goes out, so that a hub
    /// verifying at once finds it. An active subscription stays active while it is renewed.
    /// `false` when the source no longer has this hub and topic.
    pub async fn begin_hub_subscribe(
        &self,
        record: &HubRecord,
        secret: &Secret,
        now_ms: i64,
    ) -> Result<bool, StorageError> {
        let (id, hub, topic) = (
            record.source_id,
            record.hub_url.clone(),
            record.topic.clone(),
        );
        let secret = secret.expose().to_owned();
        self.call(move |conn| {
            let updated = conn.execute(
                "UPDATE sources SET hub_secret = ?4, hub_attempt_at = ?5,
                    hub_state = CASE WHEN hub_state = 'active' THEN 'active' ELSE 'pending' END
                 WHERE id = ?1 AND hub_url = ?2 AND hub_topic = ?3",
                params![id, hub, topic, secret, now_ms],
            )?;
            Ok(updated > 0)
        })
        .await
    }

    /// The hub refused or did not answer: retried later, with backoff.
    pub async fn fail_hub_subscribe(&self, source_id: i64) -> Result<(), StorageError> {
        self.call(move |conn| {
            conn.execute(
                "UPDATE sources SET hub_state = 'failed', hub_failures = hub_failures + 1
                 WHERE id = ?1 AND hub_state IS NOT NULL",
                [source_id],
            )?;
            Ok(())
        })
        .await
    }

    /// The hub verified our subscribe request: active until `lease_until` (Unix ms). `false`
    /// when we asked for no such subscription.
    pub async fn confirm_hub_subscribe(
        &self,
        source_id: i64,
        topic: String,
        lease_until: i64,
    ) -> Result<bool, StorageError> {
        self.call(move |conn| {
            let updated = conn.execute(
                "UPDATE sources SET hub_state = 'active', hub_lease_until = ?3, hub_failures = 0
                 WHERE id = ?1 AND hub_topic = ?2 AND hub_state IN ('pending', 'active')
                    AND hub_secret IS NOT NULL",
                params![source_id, topic, lease_until],
            )?;
            Ok(updated > 0)
        })
        .await
    }

    /// The hub denied the subscription. `false` when there was no such subscription.
    pub async fn deny_hub_subscribe(
        &self,
        source_id: i64,
        topic: String,
    ) -> Result<bool, StorageError> {
        self.call(move |conn| {
            let updated = conn.execute(
                "UPDATE sources SET hub_state = 'failed', hub_failures = hub_failures + 1,
                    hub_lease_until = NULL
                 WHERE id = ?1 AND hub_topic = ?2 AND hub_state IS NOT NULL",
                params![source_id, topic],
            )?;
            Ok(updated > 0)
        })
        .await
    }

    /// The secret a content distribution must be signed with; `None` when we hold no
    /// subscription for this source.
    pub async fn hub_delivery(&self, source_id: i64) -> Result<Option<HubDelivery>, StorageError> {
        self.read(move |conn| {
            Ok(conn
                .query_row(
                    "SELECT hub_secret, paused, url FROM sources
                     WHERE id = ?1 AND hub_state IS NOT NULL AND hub_secret IS NOT NULL",
                    [source_id],
                    |row| {
                        Ok(HubDelivery {
                            secret: Secret::new(row.get::<_, String>(0)?),
                            paused: row.get(1)?,
                            url: row.get(2)?,
                        })
                    },
                )
                .optional()?)
        })
        .await
    }

    /// Unsubscribe requests not sent yet.
    pub async fn list_hub_unsubscribes(&self) -> Result<Vec<HubUnsubscribe>, StorageError> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT id, source_id, hub_url, topic FROM websub_unsubscribes
                 WHERE requested_at IS NULL ORDER BY id",
            )?;
            let rows = stmt.query_map([], |row| {
                Ok(HubUnsubscribe {
                    id: row.get(0)?,
                    source_id: row.get(1)?,
                    hub_url: row.get(2)?,
                    topic: row.get(3)?,
                })
            })?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }

    pub async fn mark_hub_unsubscribe_sent(
        &self,
        id: i64,
        now_ms: i64,
    ) -> Result<(), StorageError> {
        self.call(move |conn| {
            conn.execute(
                "UPDATE websub_unsubscribes SET requested_at = ?2 WHERE id = ?1",
                params![id, now_ms],
            )?;
            Ok(())
        })
        .await
    }

    /// The hub verified an unsubscribe: `true` (and forgotten) when we asked for it.
    pub async fn confirm_hub_unsubscribe(
        &self,
        source_id: i64,
        topic: String,
    ) -> Result<bool, StorageError> {
        self.call(move |conn| {
            let deleted = conn.execute(
                "DELETE FROM websub_unsubscribes
                 WHERE source_id = ?1 AND topic = ?2 AND requested_at IS NOT NULL",
                params![source_id, topic],
            )?;
            Ok(deleted > 0)
        })
        .await
    }

    /// Forgets unsubscribe requests sent before `before_ms` that the hub never verified.
    pub async fn prune_hub_unsubscribes(&self, before_ms: i64) -> Result<usize, StorageError> {
        self.call(move |conn| {
            Ok(conn.execute(
                "DELETE FROM websub_unsubscribes WHERE requested_at < ?1",
                [before_ms],
            )?)
        })
        .await
    }
}
