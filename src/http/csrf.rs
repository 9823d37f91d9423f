//! Cross-site request forgery checks for requests that carry the session cookie.
//!
//! The rule: a state-changing request (POST, PUT, PATCH, DELETE) made with the session cookie
//! must carry `X-CSRF-Token` equal to its session's token, must not say
//! `Sec-Fetch-Site: cross-site`, and, when it has an `Origin`, that origin must be this server:
//! the request's `Host` with `https` when `X-Forwarded-Proto: https` (set by the TLS proxy in
//! front), `http` otherwise, or the configured `public_url`. Bearer-token requests are exempt:
//! a browser never attaches the token on its own. The cookie is also `SameSite=Strict`.

use axum::http::{HeaderMap, Method, Uri, header};
use subtle::ConstantTimeEq;

use crate::error::ApiError;

/// The header that carries the session's CSRF token.
pub const TOKEN_HEADER: &str = "x-csrf-token";

pub fn is_state_changing(method: &Method) -> bool {
    matches!(
        *method,
        Method::POST | Method::PUT | Method::PATCH | Method::DELETE
    )
}

/// Whether the request reached the TLS proxy over https (Herald itself speaks plain HTTP).
pub fn arrived_over_tls(headers: &HeaderMap) -> bool {
    headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .is_some_and(|proto| proto.trim().eq_ignore_ascii_case("https"))
}

/// Refuses a request a browser says is cross-site, or whose `Origin` is not this server.
pub fn check_origin(
    headers: &HeaderMap,
    uri: &Uri,
    public_url: Option<&str>,
) -> Result<(), ApiError> {
    let cross_site = headers
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("cross-site"));
    if cross_site {
        return Err(ApiError::csrf_rejected("cross-site requests are refused"));
    }
    let Some(origin) = headers.get(header::ORIGIN) else {
        return Ok(());
    };
    let origin = origin.to_str().unwrap_or_default().trim();
    let own = own_origin(headers, uri);
    let public = public_url
        .and_then(|u| url::Url::parse(u).ok())
        .map(|u| u.origin().ascii_serialization());
    let matches =
        |candidate: Option<String>| candidate.is_some_and(|c| c.eq_ignore_ascii_case(origin));
    if matches(own) || matches(public) {
        Ok(())
    } else {
        Err(ApiError::csrf_rejected(
            "the request's Origin is not this server",
        ))
    }
}

/// Refuses a request whose `X-CSRF-Token` is missing or not `expected` (compared in constant time).
pub fn check_token(headers: &HeaderMap, expected: &str) -> Result<(), ApiError> {
    let presented = headers
        .get(TOKEN_HEADER)
        .map(|v| v.as_bytes())
        .unwrap_or_default();
    if bool::from(presented.ct_eq(expected.as_bytes())) && !expected.is_empty() {
        Ok(())
    } else {
        Err(ApiError::csrf_rejected(
            "send the session's CSRF token in X-CSRF-Token (from GET /api/admin/session)",
        ))
    }
}

/// `http(s)://<Host>` as the browser would write this server's origin.
fn own_origin(headers: &HeaderMap, uri: &Uri) -> Option<String> {
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .or_else(|| uri.authority().map(|a| a.as_str()))?;
    let scheme = if arrived_over_tls(headers) {
        "https"
    } else {
        "http"
    };
    Some(format!("{scheme}://{}", host.trim()))
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for (name, value) in pairs {
            headers.insert(*name, HeaderValue::from_str(value).expect("value"));
        }
        headers
    }

    fn origin_ok(pairs: &[(&'static str, &str)], public: Option<&str>) -> bool {
        check_origin(
            &headers(pairs),
            &Uri::from_static("/api/admin/settings"),
            public,
        )
        .is_ok()
    }

    #[test]
    fn origin_must_be_this_server() {
        let host = ("host", "news.example.org");
        assert!(
            origin_ok(&[host], None),
            "no Origin: not a cross-origin browser request"
        );
        assert!(origin_ok(
            &[host, ("origin", "http://news.example.org")],
            None
        ));
        assert!(!origin_ok(
            &[host, ("origin", "https://news.example.org")],
            None
        ));
        assert!(origin_ok(
            &[
                host,
                ("origin", "https://news.example.org"),
                ("x-forwarded-proto", "https")
            ],
            None
        ));
        assert!(!origin_ok(&[host, ("origin", "http://evil.example")], None));
        assert!(!origin_ok(&[host, ("origin", "null")], None));
        assert!(!origin_ok(&[host, ("sec-fetch-site", "cross-site")], None));
        assert!(origin_ok(&[host, ("sec-fetch-site", "same-origin")], None));
        let proxied = [
            ("host", "127.0.0.1:8080"),
            ("origin", "https://news.example.org"),
        ];
        assert!(!origin_ok(&proxied, None));
        assert!(origin_ok(&proxied, Some("https://news.example.org/")));
    }

    #[test]
    fn token_must_match() {
        assert!(check_token(&headers(&[("x-csrf-token", "abc")]), "abc").is_ok());
        assert!(check_token(&headers(&[("x-csrf-token", "abd")]), "abc").is_err());
        assert!(check_token(&headers(&[("x-csrf-token", "ab")]), "abc").is_err());
        assert!(check_token(&headers(&[]), "abc").is_err());
        assert!(check_token(&headers(&[("x-csrf-token", "")]), "").is_err());
    }
}
