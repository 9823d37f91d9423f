//! `X-Hub-Signature` on WebSub content distributions: an HMAC of the raw body under the secret
//! we gave the hub, checked in constant time. Pure, so it is unit-tested here.

use hmac::{Hmac, Mac};
use rand::Rng;

use crate::config::Secret;

/// Why a content distribution is not trusted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("no X-Hub-Signature header")]
    Missing,
    #[error("X-Hub-Signature is not method=hex")]
    Malformed,
    #[error("unsupported signature method {0:?}")]
    UnsupportedMethod(String),
    #[error("signature does not match the body")]
    Mismatch,
}

/// Checks `header` (`sha1=…`, `sha256=…`, `sha384=…` or `sha512=…`) against `body`.
pub fn verify(header: Option<&str>, secret: &Secret, body: &[u8]) -> Result<(), SignatureError> {
    let header = header.ok_or(SignatureError::Missing)?;
    let (method, hex) = header
        .trim()
        .split_once('=')
        .ok_or(SignatureError::Malformed)?;
    let expected = decode_hex(hex).ok_or(SignatureError::Malformed)?;
    let key = secret.expose().as_bytes();
    let checked = match method.to_ascii_lowercase().as_str() {
        "sha1" => check::<Hmac<sha1::Sha1>>(key, body, &expected),
        "sha256" => check::<Hmac<sha2::Sha256>>(key, body, &expected),
        "sha384" => check::<Hmac<sha2::Sha384>>(key, body, &expected),
        "sha512" => check::<Hmac<sha2::Sha512>>(key, body, &expected),
        other => return Err(SignatureError::UnsupportedMethod(other.to_owned())),
    };
    checked.then_some(()).ok_or(SignatureError::Mismatch)
}

fn check<M: Mac + hmac::digest::KeyInit>(key: &[u8], body: &[u8], expected: &[u8]) -> bool {
    let Ok(mut mac) = <M as hmac::digest::KeyInit>::new_from_slice(key) else {
        return false;
    };
    mac.update(body);
    // `verify_slice` compares in constant time.
    mac.verify_slice(expected).is_ok()
}

fn decode_hex(text: &str) -> Option<Vec<u8>> {
    let text = text.trim().as_bytes();
    if text.is_empty() || !text.len().is_multiple_of(2) {
        return None;
    }
    text.chunks(2)
        .map(|pair| {
            let digit = |b: u8| char::from(b).to_digit(16);
            Some((digit(pair[0])? * 16 + digit(pair[1])?) as u8)
        })
        .collect()
}

/// A fresh secret for one subscription: 48 random alphanumeric characters (the spec asks for
/// fewer than 200 bytes).
pub fn new_secret() -> Secret {
    let secret: String = rand::thread_rng()
        .sample_iter(&rand::distributions::Alphanumeric)
        .take(48)
        .map(char::from)
        .collect();
    Secret::new(secret)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sign<M: Mac + hmac::digest::KeyInit>(secret: &str, body: &[u8]) -> String {
        let mut mac = <M as hmac::digest::KeyInit>::new_from_slice(secret.as_bytes()).expect("key");
        mac.update(body);
        mac.finalize()
            .into_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    #[test]
    fn every_supported_method_is_checked() {
        let secret = Secret::new("s3cret");
        let body = b"<feed/>";
        let headers = [
            format!("sha1={}", sign::<Hmac<sha1::Sha1>>("s3cret", body)),
            format!("sha256={}", sign::<Hmac<sha2::Sha256>>("s3cret", body)),
            format!("sha384={}", sign::<Hmac<sha2::Sha384>>("s3cret", body)),
            format!("SHA512={}", sign::<Hmac<sha2::Sha512>>("s3cret", body)),
        ];
        for header in &headers {
            assert_eq!(verify(Some(header), &secret, body), Ok(()), "{header}");
            assert_eq!(
                verify(Some(header), &secret, b"<feed>changed</feed>"),
                Err(SignatureError::Mismatch)
            );
            assert_eq!(
                verify(Some(header), &Secret::new("other"), body),
                Err(SignatureError::Mismatch)
            );
        }
    }

    #[test]
    fn missing_malformed_and_unknown_signatures_are_refused() {
        let secret = Secret::new("s3cret");
        assert_eq!(verify(None, &secret, b""), Err(SignatureError::Missing));
        for header in ["sha1", "sha1=", "sha1=abc", "sha1=zz"] {
            assert_eq!(
                verify(Some(header), &secret, b""),
                Err(SignatureError::Malformed),
                "{header}"
            );
        }
        assert_eq!(
            verify(Some("md5=00"), &secret, b""),
            Err(SignatureError::UnsupportedMethod("md5".into()))
        );
    }

    #[test]
    fn secrets_are_long_and_fresh() {
        let (a, b) = (new_secret(), new_secret());
        assert_eq!(a.expose().len(), 48);
        assert_ne!(a, b);
    }
}
