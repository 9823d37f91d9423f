//! Server settings that must survive restarts: the VAPID key pair, the admin token's hash.

use rusqlite::{OptionalExtension, params};

use super::{Storage, StorageError};

impl Storage {
    pub async fn get_setting(&self, key: &'static str) -> Result<Option<String>, StorageError> {
        self.read(move |conn| {
            Ok(conn
                .query_row("SELECT value FROM settings WHERE key = ?1", [key], |row| {
                    row.get(0)
                })
                .optional()?)
        })
        .await
    }

    /// Stores `value` under `key` unless a value is already there, and returns the value that
    /// is stored afterwards. Two processes racing on first start thus agree on one value.
    pub async fn init_setting(
        &self,
        key: &'static str,
        value: String,
    ) -> Result<String, StorageError> {
        self.call(move |conn| {
            let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            tx.execute(
                "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO NOTHING",
                params![key, value],
            )?;
            let stored =
                tx.query_row("SELECT value FROM settings WHERE key = ?1", [key], |row| {
                    row.get(0)
                })?;
            tx.commit()?;
            Ok(stored)
        })
        .await
    }
}
