//! A browser's push subscription, as `PushSubscription.toJSON()` sends it, and its checked form.

use base64::Engine;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use serde::Deserialize;

use super::{EndpointPolicy, Invalid, PushEndpoint, Topic};

/// base64url as browsers write it (no padding), tolerating padding when a client adds it.
pub const BASE64URL: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::URL_SAFE,
    GeneralPurposeConfig::new()
        .with_encode_padding(false)
        .with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// The request body of `POST /api/subscriptions`, before any check.
#[derive(Debug, Deserialize)]
pub struct SubscriptionRequest {
    pub endpoint: Option<String>,
    pub keys: Option<RawKeys>,
    #[serde(default)]
    pub topics: Vec<String>,
}

#[derive(Debug, Deserialize)]
pub struct RawKeys {
    pub p256dh: Option<String>,
    pub auth: Option<String>,
}

/// The subscriber's keys (RFC 8291): an uncompressed P-256 point and a 16-byte secret.
#[derive(Clone, PartialEq, Eq)]
pub struct SubscriptionKeys {
    pub p256dh: [u8; 65],
    pub auth: [u8; 16],
}

impl std::fmt::Debug for SubscriptionKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SubscriptionKeys(<redacted>)")
    }
}

/// A subscription that passed every check and may be stored.
#[derive(Debug, Clone)]
pub struct NewSubscription {
    pub endpoint: PushEndpoint,
    pub keys: SubscriptionKeys,
    pub topics: Vec<Topic>,
}

impl SubscriptionRequest {
    pub fn validate(self, policy: &EndpointPolicy) -> Result<NewSubscription, Invalid> {
        let raw_endpoint = self
            .endpoint
            .ok_or_else(|| Invalid::new("missing_endpoint", "endpoint is required"))?;
        let endpoint = policy.check(&raw_endpoint)?;
        let keys = self.keys.ok_or_else(|| {
            Invalid::new("missing_keys", "keys.p256dh and keys.auth are required")
        })?;
        let keys = SubscriptionKeys::parse(
            keys.p256dh.as_deref().unwrap_or_default(),
            keys.auth.as_deref().unwrap_or_default(),
        )?;
        let topics = Topic::parse_list(&self.topics)?;
        Ok(NewSubscription {
            endpoint,
            keys,
            topics,
        })
    }
}

impl SubscriptionKeys {
    pub fn parse(p256dh: &str, auth: &str) -> Result<Self, Invalid> {
        let point = BASE64URL
            .decode(p256dh)
            .ok()
            .and_then(|bytes| <[u8; 65]>::try_from(bytes).ok())
            .filter(|bytes| bytes[0] == 0x04 && p256::PublicKey::from_sec1_bytes(bytes).is_ok())
            .ok_or_else(|| {
                Invalid::new(
                    "invalid_p256dh",
                    "keys.p256dh must be base64url of an uncompressed P-256 point (65 bytes)",
                )
            })?;
        let auth = BASE64URL
            .decode(auth)
            .ok()
            .and_then(|bytes| <[u8; 16]>::try_from(bytes).ok())
            .ok_or_else(|| {
                Invalid::new(
                    "invalid_auth",
                    "keys.auth must be base64url of exactly 16 bytes",
                )
            })?;
        Ok(Self {
            p256dh: point,
            auth,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid_point() -> String {
        let secret = p256::SecretKey::random(&mut rand::rngs::OsRng);
        let point = secret.public_key().to_sec1_bytes();
        BASE64URL.encode(point)
    }

    #[test]
    fn real_keys_pass() {
        let keys = SubscriptionKeys::parse(&valid_point(), &BASE64URL.encode([7u8; 16]));
        assert!(keys.is_ok());
    }

    #[test]
    fn bad_keys_fail_with_their_code() {
        let auth = BASE64URL.encode([7u8; 16]);
        let mut off_curve = [0u8; 65];
        off_curve[0] = 4;
        off_curve[64] = 1;
        let compressed = {
            let secret = p256::SecretKey::random(&mut rand::rngs::OsRng);
            BASE64URL.encode(&secret.public_key().to_sec1_bytes().as_ref()[..33])
        };
        for bad in ["", "!!!", &BASE64URL.encode(off_curve), &compressed] {
            let code = SubscriptionKeys::parse(bad, &auth)
                .map(|_| ())
                .map_err(|e| e.code);
            assert_eq!(code, Err("invalid_p256dh"), "{bad}");
        }
        for bad in [
            "",
            &BASE64URL.encode([1u8; 15]),
            &BASE64URL.encode([1u8; 17]),
            "*",
        ] {
            let code = SubscriptionKeys::parse(&valid_point(), bad)
                .map(|_| ())
                .map_err(|e| e.code);
            assert_eq!(code, Err("invalid_auth"), "{bad}");
        }
    }
}
