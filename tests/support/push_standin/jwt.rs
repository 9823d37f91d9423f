//! VAPID (RFC 8292) checks: the `Authorization: vapid t=<JWT>, k=<key>` header and its
//! ES256 JWT (RFC 7515/7519) with `aud`, `exp` and `sub` claims.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use p256::ecdsa::signature::Verifier;
use p256::ecdsa::{Signature, VerifyingKey};
use serde_json::Value;

/// RFC 8292 §2: `exp` no further than 24 hours ahead.
const MAX_LIFETIME_SECS: u64 = 24 * 60 * 60;

/// What a valid token must satisfy.
pub struct Rules<'a> {
    /// The push service's origin, e.g. `http://127.0.0.1:41234`.
    pub audience: &'a str,
    pub require_sub: bool,
    /// When set, `k=` must be exactly this base64url key.
    pub expected_key: Option<&'a str>,
    /// Seconds since the Unix epoch.
    pub now: u64,
}

/// A verified token.
#[derive(Debug, Clone)]
pub struct Vapid {
    pub claims: Value,
    /// The `k=` parameter: base64url of the 65-byte public key.
    pub key: String,
}

/// Parses and verifies an `Authorization` header value.
pub fn verify(authorization: &str, rules: &Rules<'_>) -> Result<Vapid, String> {
    let (token, key) = parse_authorization(authorization)?;
    if let Some(expected) = rules.expected_key
        && key != expected
    {
        return Err(format!("k= is {key}, expected the server key {expected}"));
    }
    let verifying_key = verifying_key(key)?;
    let claims = verify_token(token, &verifying_key)?;
    check_claims(&claims, rules)?;
    Ok(Vapid {
        claims,
        key: key.to_owned(),
    })
}

/// `vapid t=<token>, k=<key>`, parameters in any order, nothing else.
fn parse_authorization(value: &str) -> Result<(&str, &str), String> {
    let (scheme, params) = value
        .trim()
        .split_once(' ')
        .ok_or("Authorization is not `vapid t=..., k=...`")?;
    if !scheme.eq_ignore_ascii_case("vapid") {
        return Err(format!(
            "Authorization scheme is {scheme:?}, expected vapid"
        ));
    }
    let (mut token, mut key) = (None, None);
    for param in params.split(',') {
        let (name, value) = param
            .trim()
            .split_once('=')
            .ok_or_else(|| format!("Authorization parameter {param:?} has no `=`"))?;
        let slot = match name.trim().to_ascii_lowercase().as_str() {
            "t" => &mut token,
            "k" => &mut key,
            other => return Err(format!("unknown Authorization parameter {other:?}")),
        };
        if slot.replace(value.trim()).is_some() {
            return Err(format!("Authorization parameter {name} given twice"));
        }
    }
    match (token, key) {
        (Some(t), Some(k)) if !t.is_empty() && !k.is_empty() => Ok((t, k)),
        _ => Err("Authorization needs both t= and k=".into()),
    }
}

fn verifying_key(key: &str) -> Result<VerifyingKey, String> {
    let bytes = URL_SAFE_NO_PAD
        .decode(key)
        .map_err(|e| format!("k= is not unpadded base64url: {e}"))?;
    if bytes.len() != 65 || bytes[0] != 0x04 {
        return Err(format!(
            "k= is {} bytes, expected a 65-byte uncompressed P-256 point",
            bytes.len()
        ));
    }
    VerifyingKey::from_sec1_bytes(&bytes).map_err(|_| "k= is not a point on P-256".into())
}

/// Checks the JOSE header and the ES256 signature; returns the claims.
fn verify_token(token: &str, key: &VerifyingKey) -> Result<Value, String> {
    let parts: Vec<&str> = token.split('.').collect();
    let [header, claims, signature] = parts[..] else {
        return Err(format!("JWT has {} parts, expected 3", parts.len()));
    };
    let header = decode_json(header, "JWT header")?;
    if header["alg"] != "ES256" {
        return Err(format!("JWT alg is {}, expected ES256", header["alg"]));
    }
    if !(header["typ"].is_null() || header["typ"] == "JWT") {
        return Err(format!("JWT typ is {}, expected JWT", header["typ"]));
    }
    let signature = URL_SAFE_NO_PAD
        .decode(signature)
        .map_err(|e| format!("JWT signature is not unpadded base64url: {e}"))?;
    // JWS (RFC 7518 §3.4) uses the raw 64-byte r || s, not DER.
    let signature = Signature::from_slice(&signature)
        .map_err(|_| format!("JWT signature is {} bytes, not r || s", signature.len()))?;
    let signing_input = &token[..token.len() - parts[2].len() - 1];
    key.verify(signing_input.as_bytes(), &signature)
        .map_err(|_| "JWT signature does not verify against k=".to_owned())?;
    decode_json(claims, "JWT claims")
}

fn decode_json(part: &str, what: &str) -> Result<Value, String> {
    let bytes = URL_SAFE_NO_PAD
        .decode(part)
        .map_err(|e| format!("{what} is not unpadded base64url: {e}"))?;
    let value: Value =
        serde_json::from_slice(&bytes).map_err(|e| format!("{what} is not JSON: {e}"))?;
    if value.is_object() {
        Ok(value)
    } else {
        Err(format!("{what} is not a JSON object"))
    }
}

fn check_claims(claims: &Value, rules: &Rules<'_>) -> Result<(), String> {
    if claims["aud"] != rules.audience {
        return Err(format!(
            "JWT aud is {}, expected {:?}",
            claims["aud"], rules.audience
        ));
    }
    let exp = claims["exp"]
        .as_u64()
        .ok_or_else(|| format!("JWT exp is {}, expected integer seconds", claims["exp"]))?;
    if exp <= rules.now {
        return Err(format!(
            "JWT expired: exp {exp} is not after now {}",
            rules.now
        ));
    }
    if exp > rules.now + MAX_LIFETIME_SECS {
        return Err(format!(
            "JWT exp {exp} is more than 24 h after now {}",
            rules.now
        ));
    }
    match &claims["sub"] {
        Value::Null if rules.require_sub => Err("JWT has no sub".into()),
        Value::Null => Ok(()),
        Value::String(sub) if sub.starts_with("mailto:") || sub.starts_with("https:") => Ok(()),
        other => Err(format!(
            "JWT sub is {other}, expected a mailto: or https: URI"
        )),
    }
}
