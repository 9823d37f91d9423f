//! Argon2id password hashes (PHC strings) and their checking, off the async threads.

use std::sync::{Arc, OnceLock};

use argon2::password_hash::SaltString;
use argon2::password_hash::rand_core::OsRng;
use argon2::{Argon2, PasswordHash, PasswordHasher, PasswordVerifier};
use tokio::sync::Semaphore;

use crate::domain::NewPassword;

/// Hashes a new password with argon2's default parameters (Argon2id) and a random salt.
pub fn hash_password(password: &NewPassword) -> Result<String, argon2::password_hash::Error> {
    hash(password.expose())
}

fn hash(password: &str) -> Result<String, argon2::password_hash::Error> {
    let salt = SaltString::generate(&mut OsRng);
    Ok(Argon2::default()
        .hash_password(password.as_bytes(), &salt)?
        .to_string())
}

/// `true` when `password` matches the PHC string `stored`; a malformed hash matches nothing.
fn verify(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored).is_ok_and(|hash| {
        Argon2::default()
            .verify_password(password.as_bytes(), &hash)
            .is_ok()
    })
}

/// Checks login passwords on blocking threads, a few at a time, so that a flood of logins
/// cannot take every core (each check is one argon2 run: tens of milliseconds, 19 MiB).
pub struct PasswordChecker {
    permits: Semaphore,
    /// Checked against when the user is unknown, so that the answer takes as long.
    dummy: OnceLock<String>,
}

impl Default for PasswordChecker {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, std::num::NonZero::get);
        Self {
            permits: Semaphore::new(cores),
            dummy: OnceLock::new(),
        }
    }
}

impl PasswordChecker {
    /// Whether `password` matches `stored`. With no stored hash (unknown user) it does the
    /// same work and answers `false`.
    pub async fn check(
        self: &Arc<Self>,
        password: String,
        stored: Option<String>,
    ) -> Result<bool, tokio::task::JoinError> {
        // The semaphore is never closed, so acquiring only waits.
        let _permit = self.permits.acquire().await.ok();
        let this = Arc::clone(self);
        tokio::task::spawn_blocking(move || match stored {
            Some(stored) => verify(&password, &stored),
            None => {
                match this.dummy.get() {
                    Some(dummy) => {
                        verify(&password, dummy);
                    }
                    // Making the dummy costs one argon2 run, as a check would.
                    None => {
                        this.dummy
                            .get_or_init(|| hash(&password).unwrap_or_default());
                    }
                }
                false
            }
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_argon2id_phc_strings_that_verify() {
        let password = NewPassword::parse("correct horse".into()).expect("valid");
        let stored = hash_password(&password).expect("hashes");
        assert!(stored.starts_with("$argon2id$v=19$"), "{stored}");
        assert!(verify("correct horse", &stored));
        assert!(!verify("correct horsf", &stored));
        assert!(!verify("correct horse", "not a hash"));
        let again = hash_password(&password).expect("hashes");
        assert_ne!(stored, again, "a fresh salt each time");
    }

    #[tokio::test]
    async fn unknown_users_never_match() {
        let checker = Arc::new(PasswordChecker::default());
        for _ in 0..2 {
            let ok = checker.check("anything".into(), None).await.expect("runs");
            assert!(!ok);
        }
        let stored = hash("s3cret-pass").expect("hashes");
        assert!(
            checker
                .check("s3cret-pass".into(), Some(stored))
                .await
                .expect("runs")
        );
    }
}
