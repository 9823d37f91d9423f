//! Admin accounts: password hashing, session tokens and the login throttle.
//!
//! The HTTP side (login routes, the `RequireAdmin` extractor, CSRF checks) is in `crate::http`;
//! the command line adds accounts through [`add_user`].

mod password;
mod session;
mod throttle;

pub use password::{PasswordChecker, hash_password};
pub use session::{COOKIE, SessionToken, clear_cookie, random_token, session_cookie, token_hash};
pub use throttle::{LoginThrottle, Throttled};

use crate::domain::{AdminName, NewPassword};
use crate::storage::{Storage, StorageError};

/// Why `herald admin add-user` did not add or reset an account.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("admin user {0} exists; use --reset to replace its password")]
    Exists(String),
    #[error("there is no admin user {0} to reset")]
    Unknown(String),
    #[error("cannot hash the password: {0}")]
    Hash(String),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// Adds an account, or with `reset` replaces the password of an existing one (which also ends
/// its sessions). Blocking for the hash (about one argon2 run); call it from the command line.
pub async fn add_user(
    storage: &Storage,
    name: &AdminName,
    password: &NewPassword,
    reset: bool,
) -> Result<(), AccountError> {
    let hash = hash_password(password).map_err(|e| AccountError::Hash(e.to_string()))?;
    let name = name.as_str().to_owned();
    if reset {
        if !storage.reset_admin_password(name.clone(), hash).await? {
            return Err(AccountError::Unknown(name));
        }
    } else if !storage.insert_admin_user(name.clone(), hash).await? {
        return Err(AccountError::Exists(name));
    }
    Ok(())
}
