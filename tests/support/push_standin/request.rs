//! Everything a push request (RFC 8030 headers, RFC 8292 VAPID, RFC 8291 body) must get
//! right before the stand-in will answer anything but 400.

use axum::http::HeaderMap;
use axum::http::header::{AUTHORIZATION, CONTENT_ENCODING, CONTENT_TYPE, HeaderName};
use p256::SecretKey;
use serde_json::Value;

use super::{crypto, jwt};

/// RFC 8291 §4: push services need not accept a larger body, so Herald must stay within it.
pub const MAX_BODY_LEN: usize = 4096;
const URGENCIES: [&str; 4] = ["very-low", "low", "normal", "high"];
const MAX_TOPIC_LEN: usize = 32;

/// A subscriber's private side, as the stand-in keeps it for decryption.
#[derive(Clone)]
pub struct SubscriberKeys {
    pub secret: SecretKey,
    pub auth: Vec<u8>,
}

/// A request that passed every check.
#[derive(Debug, Clone)]
pub struct Checked {
    pub payload: Value,
    pub ttl: u32,
    pub urgency: String,
    pub topic: Option<String>,
    pub claims: Value,
    pub vapid_key: String,
    pub body_len: usize,
}

/// Checks headers, token and body in that order; the first problem is the answer.
pub fn check(
    headers: &HeaderMap,
    body: &[u8],
    keys: &SubscriberKeys,
    rules: &jwt::Rules<'_>,
) -> Result<Checked, String> {
    let ttl = ttl(headers)?;
    let urgency = urgency(headers)?;
    let topic = topic(headers)?;
    require(headers, CONTENT_ENCODING, "aes128gcm")?;
    require(headers, CONTENT_TYPE, "application/octet-stream")?;
    let vapid = jwt::verify(single(headers, &AUTHORIZATION)?, rules)?;
    if body.len() > MAX_BODY_LEN {
        return Err(format!(
            "body is {} bytes, over the {MAX_BODY_LEN} a push service must accept",
            body.len()
        ));
    }
    let decrypted = crypto::decrypt(body, &keys.secret, &keys.auth)?;
    if decrypted.records != 1 {
        return Err(format!(
            "body has {} records; RFC 8291 §4 requires exactly one",
            decrypted.records
        ));
    }
    let payload: Value = serde_json::from_slice(&decrypted.plaintext)
        .map_err(|e| format!("decrypted payload is not JSON: {e}"))?;
    if !payload.is_object() {
        return Err(format!("decrypted payload is not a JSON object: {payload}"));
    }
    Ok(Checked {
        payload,
        ttl,
        urgency,
        topic,
        claims: vapid.claims,
        vapid_key: vapid.key,
        body_len: body.len(),
    })
}

/// The one value of a header that must be present; a repeated header is an error too.
fn single<'h>(headers: &'h HeaderMap, name: &HeaderName) -> Result<&'h str, String> {
    optional(headers, name)?.ok_or_else(|| format!("{name} header missing"))
}

fn optional<'h>(headers: &'h HeaderMap, name: &HeaderName) -> Result<Option<&'h str>, String> {
    let mut values = headers.get_all(name).iter();
    let (Some(value), None) = (values.next(), values.next()) else {
        return if headers.contains_key(name) {
            Err(format!("{name} header given more than once"))
        } else {
            Ok(None)
        };
    };
    value
        .to_str()
        .map(Some)
        .map_err(|_| format!("{name} header is not visible ASCII"))
}

fn require(headers: &HeaderMap, name: HeaderName, expected: &str) -> Result<(), String> {
    let value = single(headers, &name)?;
    if value.trim().eq_ignore_ascii_case(expected) {
        Ok(())
    } else {
        Err(format!("{name} is {value:?}, expected {expected}"))
    }
}

/// RFC 8030 §5.2: required, delta-seconds.
fn ttl(headers: &HeaderMap) -> Result<u32, String> {
    let value = single(headers, &HeaderName::from_static("ttl"))?;
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("TTL {value:?} is not a number of seconds"));
    }
    value
        .parse()
        .map_err(|_| format!("TTL {value:?} is out of range"))
}

/// RFC 8030 §5.3; Herald always sends one, so its absence is a fault here.
fn urgency(headers: &HeaderMap) -> Result<String, String> {
    let value = single(headers, &HeaderName::from_static("urgency"))?;
    if URGENCIES.contains(&value) {
        Ok(value.to_owned())
    } else {
        Err(format!("Urgency {value:?} is not one of {URGENCIES:?}"))
    }
}

/// RFC 8030 §5.4: optional, at most 32 characters of the base64url alphabet.
fn topic(headers: &HeaderMap) -> Result<Option<String>, String> {
    let Some(value) = optional(headers, &HeaderName::from_static("topic"))? else {
        return Ok(None);
    };
    let alphabet = |b: u8| b.is_ascii_alphanumeric() || b == b'-' || b == b'_';
    if (1..=MAX_TOPIC_LEN).contains(&value.len()) && value.bytes().all(alphabet) {
        Ok(Some(value.to_owned()))
    } else {
        Err(format!(
            "Topic {value:?} is not 1 to {MAX_TOPIC_LEN} base64url characters"
        ))
    }
}
