//! The delivery outbox: claiming due rows, recording what the push service said.

use rusqlite::{Transaction, params};
use url::Url;

use super::{Storage, StorageError, now_ms};
use crate::domain::{PushEndpoint, SubscriptionKeys};

/// Where one delivery goes.
#[derive(Debug, Clone)]
pub struct DeliveryTarget {
    pub subscription_id: i64,
    pub endpoint: PushEndpoint,
    pub keys: SubscriptionKeys,
}

/// A queued delivery, leased to this process until its result is recorded.
#[derive(Debug, Clone)]
pub struct ClaimedDelivery {
    pub id: i64,
    pub alert_id: i64,
    pub attempts: u32,
    pub shortened: bool,
    /// The push service's origin, the unit of concurrency limits and pauses.
    pub origin: String,
    /// `None` when the subscriber unsubscribed after the alert was queued.
    pub target: Option<DeliveryTarget>,
}

/// What became of one attempt.
#[derive(Debug, Clone, PartialEq)]
pub enum DeliveryUpdate {
    Delivered {
        status: u16,
    },
    /// The push service no longer knows the subscription (404/410) or it was removed.
    Gone {
        status: Option<u16>,
        subscription: Option<(i64, String)>,
    },
    /// Try again at `at` (Unix ms); `shortened` switches to the short payload.
    Retry {
        at: i64,
        status: Option<u16>,
        error: String,
        shortened: bool,
    },
    /// Put off without counting an attempt (the push service's origin is paused).
    Deferred {
        at: i64,
    },
    Failed {
        status: Option<u16>,
        error: String,
    },
}

impl Storage {
    /// Returns leased rows to the queue: called at start-up, when no sender can hold any.
    pub async fn release_delivery_leases(&self) -> Result<u64, StorageError> {
        self.call(|conn| {
            let released = conn.execute(
                "UPDATE deliveries SET leased_at = NULL WHERE leased_at IS NOT NULL",
                [],
            )?;
            Ok(released as u64)
        })
        .await
    }

    /// Leases up to `limit` due deliveries, oldest first, skipping the push-service origins in
    /// `skip` (paused, or with as many pushes pending as they may have).
    pub async fn claim_due_deliveries(
        &self,
        limit: u32,
        skip: Vec<String>,
    ) -> Result<Vec<ClaimedDelivery>, StorageError> {
        self.call(move |conn| {
            let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            let now = now_ms();
            let skip = serde_json::to_string(&skip).unwrap_or_else(|_| "[]".into());
            let claimed = select_due(&tx, now, limit, &skip)?;
            {
                let mut lease =
                    tx.prepare_cached("UPDATE deliveries SET leased_at = ?2 WHERE id = ?1")?;
                for delivery in &claimed {
                    lease.execute(params![delivery.id, now])?;
                }
            }
            tx.commit()?;
            Ok(claimed)
        })
        .await
    }

    /// Records many results in one transaction and releases their leases.
    pub async fn record_delivery_updates(
        &self,
        updates: Vec<(i64, DeliveryUpdate)>,
    ) -> Result<(), StorageError> {
        self.call(move |conn| {
            let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            let now = now_ms();
            for (id, update) in &updates {
                record_one(&tx, *id, update, now)?;
            }
            tx.commit()?;
            Ok(())
        })
        .await
    }

    /// When the next queued, unleased delivery falls due (Unix ms), if any.
    pub async fn next_delivery_due_at(&self) -> Result<Option<i64>, StorageError> {
        self.read(|conn| {
            Ok(conn.query_row(
                "SELECT min(next_attempt_at) FROM deliveries WHERE state = 'queued' AND leased_at IS NULL",
                [],
                |row| row.get(0),
            )?)
        })
        .await
    }

    /// Deliveries still waiting to be sent, leased or not.
    pub async fn delivery_queue_depth(&self) -> Result<u64, StorageError> {
        self.read(|conn| {
            Ok(conn.query_row(
                "SELECT count(*) FROM deliveries WHERE state = 'queued'",
                [],
                |row| row.get(0),
            )?)
        })
        .await
    }
}

fn select_due(
    tx: &Transaction<'_>,
    now: i64,
    limit: u32,
    skip: &str,
) -> Result<Vec<ClaimedDelivery>, StorageError> {
    let mut stmt = tx.prepare_cached(
        "SELECT d.id, d.alert_id, d.attempts, d.shortened, d.origin, s.id, s.endpoint, s.p256dh, s.auth
         FROM deliveries d LEFT JOIN subscriptions s ON s.id = d.subscription_id
         WHERE d.state = 'queued' AND d.leased_at IS NULL AND d.next_attempt_at <= ?1
           AND d.origin NOT IN (SELECT value FROM json_each(?3))
         ORDER BY d.next_attempt_at, d.id LIMIT ?2",
    )?;
    let rows = stmt.query_map(params![now, limit, skip], |row| {
        let subscription_id: Option<i64> = row.get(5)?;
        let target = match subscription_id {
            Some(subscription_id) => {
                let endpoint: String = row.get(6)?;
                let p256dh: [u8; 65] = row.get(7)?;
                let auth: [u8; 16] = row.get(8)?;
                Url::parse(&endpoint).ok().map(|url| DeliveryTarget {
                    subscription_id,
                    endpoint: PushEndpoint::from_trusted(url),
                    keys: SubscriptionKeys { p256dh, auth },
                })
            }
            None => None,
        };
        Ok(ClaimedDelivery {
            id: row.get(0)?,
            alert_id: row.get(1)?,
            attempts: row.get(2)?,
            shortened: row.get(3)?,
            origin: row.get(4)?,
            target,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

fn record_one(
    tx: &Transaction<'_>,
    id: i64,
    update: &DeliveryUpdate,
    now: i64,
) -> Result<(), StorageError> {
    match update {
        DeliveryUpdate::Delivered { status } => {
            tx.prepare_cached(
                "UPDATE deliveries SET state = 'delivered', attempts = attempts + 1, leased_at = NULL,
                 last_status = ?2, last_error = NULL, updated_at = ?3 WHERE id = ?1",
            )?
            .execute(params![id, status, now])?;
        }
        DeliveryUpdate::Gone {
            status,
            subscription,
        } => {
            tx.prepare_cached(
                "UPDATE deliveries SET state = 'gone', attempts = attempts + ?2, leased_at = NULL,
                 last_status = ?3, updated_at = ?4 WHERE id = ?1",
            )?
            .execute(params![id, i64::from(status.is_some()), status, now])?;
            if let Some((subscription_id, endpoint)) = subscription {
                // Only the row we sent to: a new subscription under the same id never exists,
                // and an endpoint re-subscribed since keeps its row.
                tx.prepare_cached("DELETE FROM subscriptions WHERE id = ?1 AND endpoint = ?2")?
                    .execute(params![subscription_id, endpoint])?;
            }
        }
        DeliveryUpdate::Retry {
            at,
            status,
            error,
            shortened,
        } => {
            tx.prepare_cached(
                "UPDATE deliveries SET attempts = attempts + 1, leased_at = NULL, next_attempt_at = ?2,
                 last_status = ?3, last_error = ?4, shortened = max(shortened, ?5), updated_at = ?6
                 WHERE id = ?1",
            )?
            .execute(params![id, at, status, error, shortened, now])?;
        }
        DeliveryUpdate::Deferred { at } => {
            tx.prepare_cached(
                "UPDATE deliveries SET leased_at = NULL, next_attempt_at = ?2, updated_at = ?3 WHERE id = ?1",
            )?
            .execute(params![id, at, now])?;
        }
        DeliveryUpdate::Failed { status, error } => {
            tx.prepare_cached(
                "UPDATE deliveries SET state = 'failed', attempts = attempts + 1, leased_at = NULL,
                 last_status = ?2, last_error = ?3, updated_at = ?4 WHERE id = ?1",
            )?
            .execute(params![id, status, error, now])?;
        }
    }
    Ok(())
}
