//! Session tokens and the cookie that carries them.

use axum::http::HeaderMap;
use axum::http::header::COOKIE as COOKIE_HEADER;
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::domain::BASE64URL;

/// The session cookie's name.
pub const COOKIE: &str = "herald_session";

/// A new session's token: 256 random bits, base64url. Only its SHA-256 is stored.
pub struct SessionToken {
    bytes: [u8; 32],
}

impl std::fmt::Debug for SessionToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SessionToken(<redacted>)")
    }
}

impl SessionToken {
    pub fn generate() -> Self {
        let mut bytes = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        Self { bytes }
    }

    /// What the database keeps.
    pub fn sha256(&self) -> [u8; 32] {
        Sha256::digest(self.bytes).into()
    }

    fn encoded(&self) -> String {
        BASE64URL.encode(self.bytes)
    }
}

/// 256 random bits, base64url: the CSRF token of a session.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    BASE64URL.encode(bytes)
}

/// The SHA-256 of the session token in the request's cookie, when there is a well-formed one.
/// Anything else (no cookie, not base64url, not 32 bytes) is no session.
pub fn token_hash(headers: &HeaderMap) -> Option<[u8; 32]> {
    let value = headers
        .get_all(COOKIE_HEADER)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find_map(|(name, value)| (name.trim() == COOKIE).then_some(value.trim()))?;
    let bytes: [u8; 32] = BASE64URL.decode(value).ok()?.try_into().ok()?;
    Some(Sha256::digest(bytes).into())
}

/// `Set-Cookie` for a new session. `secure` when the request came over TLS.
pub fn session_cookie(token: &SessionToken, max_age_secs: u64, secure: bool) -> String {
    cookie(&token.encoded(), max_age_secs, secure)
}

/// `Set-Cookie` that makes the browser forget the session cookie.
pub fn clear_cookie(secure: bool) -> String {
    cookie("", 0, secure)
}

fn cookie(value: &str, max_age_secs: u64, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{COOKIE}={value}; HttpOnly; SameSite=Strict; Path=/; Max-Age={max_age_secs}{secure}")
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn headers(cookies: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for c in cookies {
            headers.append(COOKIE_HEADER, HeaderValue::from_str(c).expect("header"));
        }
        headers
    }

    #[test]
    fn the_cookie_round_trips_to_the_stored_hash() {
        let token = SessionToken::generate();
        let set = session_cookie(&token, 60, false);
        assert!(set.contains("HttpOnly; SameSite=Strict; Path=/; Max-Age=60"));
        assert!(!set.contains("Secure"));
        let pair = set.split(';').next().expect("pair");
        let found = token_hash(&headers(&["theme=dark", &format!("a=b; {pair}")]));
        assert_eq!(found, Some(token.sha256()));
        assert!(session_cookie(&token, 60, true).ends_with("; Secure"));
        assert!(clear_cookie(false).starts_with("herald_session=; "));
    }

    #[test]
    fn malformed_cookies_are_no_session() {
        for bad in [
            "",
            "herald_session",
            "herald_session=",
            "herald_session=not base64!",
            "herald_session=AAAA",
            "other=x",
        ] {
            assert_eq!(token_hash(&headers(&[bad])), None, "{bad}");
        }
        assert_eq!(token_hash(&HeaderMap::new()), None);
        assert_ne!(random_token(), random_token());
        assert_eq!(random_token().len(), 43);
    }
}
