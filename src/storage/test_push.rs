//! An alert delivered to one subscription only: the admin console's test push.

use rusqlite::{Transaction, params};

use super::alerts::insert_alert_row;
use super::{CreatedAlert, Storage, StorageError, now_ms};
use crate::domain::{NewAlert, NewSubscription};

impl Storage {
    /// Saves the subscription (a known endpoint gets the new keys and keeps its topics), records
    /// `alert` and queues exactly one delivery, to that subscription: one transaction.
    pub async fn insert_alert_for_subscription(
        &self,
        subscription: NewSubscription,
        alert: NewAlert,
    ) -> Result<CreatedAlert, StorageError> {
        self.call(move |conn| {
            let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            let now = now_ms();
            let subscription_id = save_keeping_topics(&tx, &subscription, now)?;
            let id = insert_alert_row(&tx, &alert, now)?;
            let queued = tx.execute(
                "INSERT INTO deliveries (alert_id, subscription_id, origin, next_attempt_at, created_at, updated_at)
                 SELECT ?1, id, origin, ?3, ?3, ?3 FROM subscriptions WHERE id = ?2",
                params![id, subscription_id, now],
            )?;
            tx.commit()?;
            Ok(CreatedAlert {
                id,
                queued: queued as u64,
            })
        })
        .await
    }
}

/// Inserts the subscription (with no topics: it gets every alert, like a reader who picked none),
/// or refreshes a known endpoint's keys without touching the topics its reader picked.
/// Returns the row id.
fn save_keeping_topics(
    tx: &Transaction<'_>,
    subscription: &NewSubscription,
    now: i64,
) -> Result<i64, StorageError> {
    Ok(tx.query_row(
        "INSERT INTO subscriptions (endpoint, origin, p256dh, auth, created_at, refreshed_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?5)
         ON CONFLICT (endpoint) DO UPDATE SET p256dh = excluded.p256dh, auth = excluded.auth,
             refreshed_at = excluded.refreshed_at, warned_at = NULL
         RETURNING id",
        params![
            subscription.endpoint.as_str(),
            subscription.endpoint.origin(),
            subscription.keys.p256dh,
            subscription.keys.auth,
            now
        ],
        |row| row.get(0),
    )?)
}
