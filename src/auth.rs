//! The admin token: configured, or generated on first start and stored as a hash.

use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::config::Secret;
use crate::domain::BASE64URL;
use crate::storage::{Storage, StorageError};

const SETTING: &str = "admin_token_sha256";

/// Checks presented admin tokens without keeping the token itself in memory or on disk.
#[derive(Clone)]
pub struct AdminToken {
    hash: [u8; 32],
}

impl std::fmt::Debug for AdminToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AdminToken(<redacted>)")
    }
}

/// What start-up learned about the admin token.
pub enum TokenOrigin {
    /// From the configuration.
    Configured,
    /// Generated now; shown once, then only its hash is kept.
    Generated(Secret),
    /// Generated on an earlier start.
    Stored,
}

impl AdminToken {
    fn from_token(token: &str) -> Self {
        Self {
            hash: Sha256::digest(token.as_bytes()).into(),
        }
    }

    /// The configured token, or the stored one, or a new one stored now.
    pub async fn load_or_create(
        configured: Option<&Secret>,
        storage: &Storage,
    ) -> Result<(Self, TokenOrigin), StorageError> {
        if let Some(token) = configured {
            return Ok((Self::from_token(token.expose()), TokenOrigin::Configured));
        }
        if let Some(stored) = storage.get_setting(SETTING).await? {
            return Ok((Self::from_stored(&stored)?, TokenOrigin::Stored));
        }
        let mut bytes = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        let token = BASE64URL.encode(bytes);
        let candidate = Self::from_token(&token);
        let stored = storage.init_setting(SETTING, hex(&candidate.hash)).await?;
        let kept = Self::from_stored(&stored)?;
        // Another process may have won the race to store a token first; then ours is void.
        let origin = if kept.hash == candidate.hash {
            TokenOrigin::Generated(Secret::new(token))
        } else {
            TokenOrigin::Stored
        };
        Ok((kept, origin))
    }

    fn from_stored(stored: &str) -> Result<Self, StorageError> {
        let corrupt = || StorageError::Corrupt {
            key: SETTING.into(),
            reason: "not a SHA-256 hex digest".into(),
        };
        if stored.len() != 64 {
            return Err(corrupt());
        }
        let mut hash = [0u8; 32];
        for (i, byte) in hash.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&stored[2 * i..2 * i + 2], 16).map_err(|_| corrupt())?;
        }
        Ok(Self { hash })
    }

    /// Constant-time check of a presented token.
    pub fn verify(&self, presented: &str) -> bool {
        let presented: [u8; 32] = Sha256::digest(presented.as_bytes()).into();
        presented.ct_eq(&self.hash).into()
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verifies_only_the_right_token() {
        let token = AdminToken::from_token("s3cret");
        assert!(token.verify("s3cret"));
        assert!(!token.verify("s3cre"));
        assert!(!token.verify(""));
        let stored = AdminToken::from_stored(&hex(&token.hash)).expect("round trip");
        assert!(stored.verify("s3cret"));
    }
}
