//! Alerts held by quiet hours: recorded with the decision, their deliveries queued when the
//! hours end. Held in the database, so a restart during quiet hours loses none.

use rusqlite::params;

use super::alerts::enqueue_matching;
use super::{Storage, StorageError, now_ms};

/// Marks `alert_id` held until `until` (Unix ms). Part of the caller's transaction.
pub(super) fn hold(
    tx: &rusqlite::Transaction<'_>,
    alert_id: i64,
    until: i64,
) -> Result<(), StorageError> {
    tx.execute(
        "UPDATE alerts SET held_until = ?2 WHERE id = ?1",
        params![alert_id, until],
    )?;
    Ok(())
}

impl Storage {
    /// Queues the deliveries of every held alert whose hold has ended; returns their ids.
    pub async fn release_held_alerts(&self) -> Result<Vec<i64>, StorageError> {
        self.call(move |conn| {
            let now = now_ms();
            // Called on every pipeline pass: a read through the partial index, and a write
            // transaction only when a hold has ended.
            let any_due: bool = conn
                .prepare_cached(
                    "SELECT EXISTS (SELECT 1 FROM alerts WHERE held_until IS NOT NULL AND held_until <= ?1)",
                )?
                .query_row([now], |row| row.get(0))?;
            if !any_due {
                return Ok(Vec::new());
            }
            let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            let due: Vec<i64> = {
                let mut stmt = tx.prepare_cached(
                    "SELECT id FROM alerts WHERE held_until IS NOT NULL AND held_until <= ?1 ORDER BY id",
                )?;
                let rows = stmt.query_map([now], |row| row.get(0))?;
                rows.collect::<Result<_, _>>()?
            };
            for id in &due {
                enqueue_matching(&tx, *id, now)?;
                tx.execute("UPDATE alerts SET held_until = NULL WHERE id = ?1", [id])?;
            }
            tx.commit()?;
            Ok(due)
        })
        .await
    }
}
