//! Encryption (RFC 8291) and VAPID (RFC 8292) through the `web-push` crate, with one VAPID
//! token per push-service origin reused until near its expiry instead of one per message.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use web_push::{
    ContentEncoding, PartialVapidSignatureBuilder, SubscriptionInfo, Urgency, VapidSignature,
    VapidSignatureBuilder, WebPushMessageBuilder,
};

use crate::domain::{BASE64URL, PushSubject};
use crate::storage::DeliveryTarget;
use crate::vapid::VapidKeys;

/// Tokens live 12 hours (RFC 8292 allows 24) and are replaced when less than an hour is left.
const TOKEN_LIFETIME: Duration = Duration::from_secs(12 * 3600);
const TOKEN_RENEW_BEFORE: Duration = Duration::from_secs(3600);

/// One push, encrypted and signed, ready to be sent.
pub struct PreparedPush {
    pub endpoint: String,
    pub origin: String,
    pub body: Vec<u8>,
    pub headers: Vec<(&'static str, String)>,
}

#[derive(Debug, thiserror::Error)]
pub enum CryptoError {
    #[error("cannot sign the VAPID token: {0}")]
    Vapid(web_push::WebPushError),
    #[error("cannot encrypt the payload: {0}")]
    Encrypt(web_push::WebPushError),
}

/// Encrypts payloads and signs VAPID tokens; shared by all encryption threads.
pub struct Encryptor {
    signer: PartialVapidSignatureBuilder,
    subject: Option<PushSubject>,
    ttl: u32,
    tokens: Mutex<HashMap<String, (VapidSignature, SystemTime)>>,
}

impl Encryptor {
    pub fn new(
        keys: &VapidKeys,
        subject: Option<PushSubject>,
        ttl: u32,
    ) -> Result<Self, CryptoError> {
        let signer = VapidSignatureBuilder::from_base64_no_sub(&keys.private_key())
            .map_err(CryptoError::Vapid)?;
        Ok(Self {
            signer,
            subject,
            ttl,
            tokens: Mutex::new(HashMap::new()),
        })
    }

    /// Encrypts `payload` for `target` with `Urgency: high` and the alert's `Topic`.
    pub fn prepare(
        &self,
        target: &DeliveryTarget,
        payload: &[u8],
        topic: &str,
    ) -> Result<PreparedPush, CryptoError> {
        let origin = target.endpoint.origin();
        let info = SubscriptionInfo::new(
            target.endpoint.as_str().to_owned(),
            BASE64URL.encode(target.keys.p256dh),
            BASE64URL.encode(target.keys.auth),
        );
        let signature = self.token_for(&origin, &info)?;
        let mut builder = WebPushMessageBuilder::new(&info);
        builder.set_payload(ContentEncoding::Aes128Gcm, payload);
        builder.set_vapid_signature(signature);
        builder.set_ttl(self.ttl);
        builder.set_urgency(Urgency::High);
        builder.set_topic(topic.to_owned());
        let message = builder.build().map_err(CryptoError::Encrypt)?;
        let mut headers = vec![
            ("TTL", message.ttl.to_string()),
            ("Urgency", Urgency::High.to_string()),
            ("Topic", topic.to_owned()),
        ];
        let body = match message.payload {
            Some(payload) => {
                headers.push((
                    "Content-Encoding",
                    payload.content_encoding.to_str().to_owned(),
                ));
                headers.push(("Content-Type", "application/octet-stream".to_owned()));
                headers.extend(payload.crypto_headers);
                payload.content
            }
            None => Vec::new(),
        };
        Ok(PreparedPush {
            endpoint: target.endpoint.as_str().to_owned(),
            origin,
            body,
            headers,
        })
    }

    /// The cached token for `origin`, signing a new one when missing or close to expiry.
    fn token_for(
        &self,
        origin: &str,
        info: &SubscriptionInfo,
    ) -> Result<VapidSignature, CryptoError> {
        let now = SystemTime::now();
        let mut tokens = self
            .tokens
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((token, expires)) = tokens.get(origin)
            && expires.duration_since(now).unwrap_or_default() > TOKEN_RENEW_BEFORE
        {
            return Ok(token.clone());
        }
        let (token, expires) = self.sign(origin, info, now)?;
        tokens.insert(origin.to_owned(), (token.clone(), expires));
        Ok(token)
    }

    /// Signs a fresh token for `origin` (also used by the benchmark to price per-message signing).
    pub fn sign(
        &self,
        origin: &str,
        info: &SubscriptionInfo,
        now: SystemTime,
    ) -> Result<(VapidSignature, SystemTime), CryptoError> {
        let expires = now + TOKEN_LIFETIME;
        let exp = expires
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs();
        let mut builder = self.signer.clone().add_sub_info(info);
        // The crate derives `aud` without the port; RFC 8292 wants the full origin.
        builder.add_claim("aud", origin);
        builder.add_claim("exp", exp);
        if let Some(subject) = &self.subject {
            builder.add_claim("sub", subject.as_str());
        }
        let token = builder.build().map_err(CryptoError::Vapid)?;
        Ok((token, expires))
    }
}
