//! The server's VAPID key pair (RFC 8292): generated once, stored, reused on every start.

use base64::Engine;
use p256::SecretKey;

use crate::domain::BASE64URL;
use crate::storage::{Storage, StorageError};

const SETTING: &str = "vapid_private_key";

/// The application server's P-256 key pair.
#[derive(Clone)]
pub struct VapidKeys {
    secret: SecretKey,
}

impl std::fmt::Debug for VapidKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "VapidKeys(public: {})", self.public_key())
    }
}

impl VapidKeys {
    pub fn generate() -> Self {
        Self {
            secret: SecretKey::random(&mut rand::rngs::OsRng),
        }
    }

    /// Reads a private key written by [`VapidKeys::private_key`].
    pub fn from_private_key(encoded: &str) -> Result<Self, String> {
        let bytes = BASE64URL
            .decode(encoded.trim())
            .map_err(|e| format!("not base64url: {e}"))?;
        let secret =
            SecretKey::from_slice(&bytes).map_err(|_| "not a P-256 private key".to_owned())?;
        Ok(Self { secret })
    }

    /// The private scalar, base64url (32 bytes): the form the `web-push` crate reads.
    pub fn private_key(&self) -> String {
        BASE64URL.encode(self.secret.to_bytes())
    }

    /// The public key as browsers want it for `applicationServerKey`: base64url of the
    /// 65-byte uncompressed point.
    pub fn public_key(&self) -> String {
        BASE64URL.encode(self.secret.public_key().to_sec1_bytes())
    }

    /// Loads the stored key pair, or generates and stores one on first start.
    pub async fn load_or_create(storage: &Storage) -> Result<Self, StorageError> {
        let stored = storage
            .init_setting(SETTING, Self::generate().private_key())
            .await?;
        Self::from_private_key(&stored).map_err(|reason| StorageError::Corrupt {
            key: SETTING.into(),
            reason,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_exports_an_uncompressed_point() {
        let keys = VapidKeys::generate();
        let again = VapidKeys::from_private_key(&keys.private_key()).expect("reads back");
        assert_eq!(keys.public_key(), again.public_key());
        let point = BASE64URL.decode(keys.public_key()).expect("base64url");
        assert_eq!(point.len(), 65);
        assert_eq!(point[0], 4);
        assert!(!format!("{keys:?}").contains(&keys.private_key()));
    }
}
