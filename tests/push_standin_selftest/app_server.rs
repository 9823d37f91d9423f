//! The application server's side, written here from RFC 8291 and RFC 8292 alone: encrypts
//! a payload with a fresh sender key, signs a VAPID token, and builds the push request.

use aes_gcm::Aes128Gcm;
use aes_gcm::aead::{Aead, KeyInit};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use hkdf::Hkdf;
use p256::ecdsa::signature::Signer;
use p256::ecdsa::{Signature, SigningKey};
use p256::elliptic_curve::sec1::ToEncodedPoint;
use p256::{PublicKey, SecretKey};
use serde_json::{Value, json};
use sha2::Sha256;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::support::push_standin::{PushStandin, Subscriber};

/// A push request as Herald should make it, with knobs to break it.
pub struct Push {
    headers: Vec<(&'static str, String)>,
    pub body: Vec<u8>,
}

impl Push {
    pub fn valid(standin: &PushStandin, to: &Subscriber, vapid: &SigningKey) -> Push {
        Push::with_payload(standin, to, vapid, &payload())
    }

    pub fn with_payload(
        standin: &PushStandin,
        to: &Subscriber,
        vapid: &SigningKey,
        payload: &Value,
    ) -> Push {
        let claims = default_claims(standin);
        let body = encrypt(
            payload.to_string().as_bytes(),
            &b64(&to.p256dh),
            &b64(&to.auth),
        );
        let headers = vec![
            ("ttl", "3600".to_owned()),
            ("urgency", "high".to_owned()),
            ("topic", "story-42".to_owned()),
            ("content-encoding", "aes128gcm".to_owned()),
            ("content-type", "application/octet-stream".to_owned()),
            ("authorization", authorization(vapid, vapid, &claims)),
        ];
        Push { headers, body }
    }

    pub fn header(mut self, name: &'static str, value: &str) -> Push {
        self = self.without(name);
        self.headers.push((name, value.to_owned()));
        self
    }

    pub fn without(mut self, name: &str) -> Push {
        self.headers.retain(|(n, _)| *n != name);
        self
    }

    /// Sends and expects an answer. Share one client per test: building one loads the
    /// system's TLS roots, which takes tens of milliseconds.
    pub async fn send(self, client: &reqwest::Client, endpoint: &str) -> reqwest::Response {
        self.try_send(client, endpoint).await.expect("request")
    }

    pub async fn try_send(
        self,
        client: &reqwest::Client,
        endpoint: &str,
    ) -> reqwest::Result<reqwest::Response> {
        let mut request = client.post(endpoint).body(self.body);
        for (name, value) in self.headers {
            request = request.header(name, value);
        }
        request.send().await
    }
}

pub fn payload() -> Value {
    json!({ "title": "Quake", "body": "Magnitude revised to 6.1", "url": "https://example.org/s/42",
            "story": 42, "alert_id": 7, "ts": 1_700_000_000 })
}

pub fn default_claims(standin: &PushStandin) -> Value {
    json!({ "aud": standin.url(), "exp": unix_now() + 12 * 3600, "sub": "mailto:ops@example.org" })
}

/// `vapid t=<JWT signed by signer>, k=<claimed key>`.
pub fn authorization(signer: &SigningKey, claimed: &SigningKey, claims: &Value) -> String {
    let header = B64.encode(json!({ "typ": "JWT", "alg": "ES256" }).to_string());
    let signing_input = format!("{header}.{}", B64.encode(claims.to_string()));
    let signature: Signature = signer.sign(signing_input.as_bytes());
    let signature = B64.encode(signature.to_bytes());
    format!(
        "vapid t={signing_input}.{signature}, k={}",
        public_key(claimed)
    )
}

pub fn public_key(key: &SigningKey) -> String {
    B64.encode(key.verifying_key().to_encoded_point(false).as_bytes())
}

/// RFC 8291 encryption with a fresh sender key and salt, as an application server does it.
pub fn encrypt(plaintext: &[u8], ua_public: &[u8], auth: &[u8]) -> Vec<u8> {
    let sender = SecretKey::random(&mut rand::rngs::OsRng);
    encrypt_with(plaintext, ua_public, auth, &sender, rand::random())
}

/// One record of size 4096, delimiter 2, no padding.
pub fn encrypt_with(
    plaintext: &[u8],
    ua_public: &[u8],
    auth: &[u8],
    sender: &SecretKey,
    salt: [u8; 16],
) -> Vec<u8> {
    let ua = PublicKey::from_sec1_bytes(ua_public).expect("ua key");
    let shared = p256::ecdh::diffie_hellman(sender.to_nonzero_scalar(), ua.as_affine());
    let as_public = sender.public_key().to_encoded_point(false);
    let mut ikm = [0u8; 32];
    Hkdf::<Sha256>::new(Some(auth), shared.raw_secret_bytes())
        .expand_multi_info(
            &[b"WebPush: info\0", ua_public, as_public.as_bytes()],
            &mut ikm,
        )
        .expect("ikm");
    let prk = Hkdf::<Sha256>::new(Some(&salt), &ikm);
    let (mut cek, mut nonce) = ([0u8; 16], [0u8; 12]);
    prk.expand(b"Content-Encoding: aes128gcm\0", &mut cek)
        .expect("cek");
    prk.expand(b"Content-Encoding: nonce\0", &mut nonce)
        .expect("nonce");
    let record = [plaintext, &[2]].concat();
    let ciphertext = Aes128Gcm::new(&cek.into())
        .encrypt(&nonce.into(), record.as_slice())
        .expect("encrypts");
    [
        &salt[..],
        &4096u32.to_be_bytes(),
        &[65],
        as_public.as_bytes(),
        &ciphertext,
    ]
    .concat()
}

pub fn b64(text: &str) -> Vec<u8> {
    B64.decode(text).expect("base64url")
}

pub fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock")
        .as_secs()
}
