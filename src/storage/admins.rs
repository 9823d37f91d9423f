//! Admin accounts and their login sessions.
//!
//! Sessions are stored by the SHA-256 of their token, so a copy of the database does not let
//! anyone in; the token itself only lives in the browser's cookie.

use rusqlite::{OptionalExtension, params};

use super::{Storage, StorageError, now_ms};

/// What login needs to check a password.
#[derive(Debug, Clone)]
pub struct AdminCredentials {
    pub user_id: i64,
    /// Argon2 PHC string.
    pub password_hash: String,
}

/// A session to record at login.
#[derive(Clone)]
pub struct NewAdminSession {
    pub user_id: i64,
    pub token_sha256: [u8; 32],
    pub csrf_token: String,
    /// Unix ms.
    pub expires_at: i64,
}

/// A live session, found by its token's hash.
#[derive(Clone)]
pub struct AdminSession {
    pub user_name: String,
    pub csrf_token: String,
    /// Unix ms.
    pub expires_at: i64,
}

/// An account as `herald admin list-users` shows it.
#[derive(Debug, Clone)]
pub struct AdminUser {
    pub name: String,
    /// Unix ms.
    pub created_at: i64,
    pub sessions: u32,
}

impl Storage {
    /// Adds an account. `Ok(false)`: the name is taken.
    pub async fn insert_admin_user(
        &self,
        name: String,
        password_hash: String,
    ) -> Result<bool, StorageError> {
        self.call(move |conn| {
            let n = conn.execute(
                "INSERT INTO admin_users (name, password_hash, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?3) ON CONFLICT (name) DO NOTHING",
                params![name, password_hash, now_ms()],
            )?;
            Ok(n > 0)
        })
        .await
    }

    /// Replaces an account's password and ends its sessions. `Ok(false)`: no such account.
    pub async fn reset_admin_password(
        &self,
        name: String,
        password_hash: String,
    ) -> Result<bool, StorageError> {
        self.call(move |conn| {
            let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            let user_id: Option<i64> = tx
                .query_row(
                    "UPDATE admin_users SET password_hash = ?2, updated_at = ?3 WHERE name = ?1
                     RETURNING id",
                    params![name, password_hash, now_ms()],
                    |row| row.get(0),
                )
                .optional()?;
            if let Some(id) = user_id {
                tx.execute("DELETE FROM admin_sessions WHERE user_id = ?1", [id])?;
            }
            tx.commit()?;
            Ok(user_id.is_some())
        })
        .await
    }

    pub async fn admin_credentials(
        &self,
        name: String,
    ) -> Result<Option<AdminCredentials>, StorageError> {
        self.read(move |conn| {
            Ok(conn
                .query_row(
                    "SELECT id, password_hash FROM admin_users WHERE name = ?1",
                    [name],
                    |row| {
                        Ok(AdminCredentials {
                            user_id: row.get(0)?,
                            password_hash: row.get(1)?,
                        })
                    },
                )
                .optional()?)
        })
        .await
    }

    pub async fn list_admin_users(&self) -> Result<Vec<AdminUser>, StorageError> {
        self.read(|conn| {
            let mut stmt = conn.prepare(
                "SELECT u.name, u.created_at,
                        (SELECT count(*) FROM admin_sessions s WHERE s.user_id = u.id AND s.expires_at > ?1)
                 FROM admin_users u ORDER BY u.name",
            )?;
            let rows = stmt.query_map([now_ms()], |row| {
                Ok(AdminUser {
                    name: row.get(0)?,
                    created_at: row.get(1)?,
                    sessions: row.get(2)?,
                })
            })?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }

    /// Records a session, and forgets the sessions that have expired.
    pub async fn insert_admin_session(&self, session: NewAdminSession) -> Result<(), StorageError> {
        self.call(move |conn| {
            let tx = conn.transaction()?;
            let now = now_ms();
            tx.execute("DELETE FROM admin_sessions WHERE expires_at <= ?1", [now])?;
            tx.execute(
                "INSERT INTO admin_sessions (token_sha256, user_id, csrf_token, created_at, expires_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    session.token_sha256,
                    session.user_id,
                    session.csrf_token,
                    now,
                    session.expires_at
                ],
            )?;
            tx.commit()?;
            Ok(())
        })
        .await
    }

    /// The unexpired session whose token hashes to `token_sha256`.
    pub async fn find_admin_session(
        &self,
        token_sha256: [u8; 32],
    ) -> Result<Option<AdminSession>, StorageError> {
        self.read(move |conn| {
            Ok(conn
                .prepare_cached(
                    "SELECT u.name, s.csrf_token, s.expires_at
                     FROM admin_sessions s JOIN admin_users u ON u.id = s.user_id
                     WHERE s.token_sha256 = ?1 AND s.expires_at > ?2",
                )?
                .query_row(params![token_sha256, now_ms()], |row| {
                    Ok(AdminSession {
                        user_name: row.get(0)?,
                        csrf_token: row.get(1)?,
                        expires_at: row.get(2)?,
                    })
                })
                .optional()?)
        })
        .await
    }

    /// Ends a session. `Ok(false)`: there was none.
    pub async fn delete_admin_session(&self, token_sha256: [u8; 32]) -> Result<bool, StorageError> {
        self.call(move |conn| {
            let n = conn.execute(
                "DELETE FROM admin_sessions WHERE token_sha256 = ?1",
                [token_sha256],
            )?;
            Ok(n > 0)
        })
        .await
    }
}
