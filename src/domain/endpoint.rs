//! Push endpoints and the allow-list that keeps Herald from posting anywhere else.
//!
//! An endpoint is accepted when it starts with an admin-configured prefix, or when it is an
//! `https` URL on a known push-service host. IP literals, userinfo and plain http are refused
//! otherwise: the endpoint is a URL chosen by an anonymous client, and Herald will POST to it.

use url::{Host, Url};

use super::Invalid;
use crate::config::PushConfig;

const MAX_ENDPOINT_LEN: usize = 2048;

/// A subscription endpoint that passed the policy.
#[derive(Clone, PartialEq, Eq)]
pub struct PushEndpoint(Url);

impl PushEndpoint {
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// The push service's origin (`scheme://host[:port]`), the VAPID audience.
    pub fn origin(&self) -> String {
        self.0.origin().ascii_serialization()
    }

    /// Rebuilds an endpoint that was validated before it was stored.
    pub fn from_trusted(url: Url) -> Self {
        Self(url)
    }
}

/// Endpoints are capabilities: never print them.
impl std::fmt::Debug for PushEndpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PushEndpoint({})", self.origin())
    }
}

/// Which endpoints subscriptions may use.
#[derive(Debug, Clone)]
pub struct EndpointPolicy {
    host_patterns: Vec<String>,
    prefixes: Vec<Url>,
}

impl EndpointPolicy {
    pub fn from_config(push: &PushConfig) -> Result<Self, String> {
        let prefixes = push
            .allowed_endpoints
            .iter()
            .map(|p| {
                let url = Url::parse(p).map_err(|e| format!("{p:?} is not a URL: {e}"))?;
                if url.host().is_none() || !matches!(url.scheme(), "http" | "https") {
                    return Err(format!("{p:?} must be an http or https URL with a host"));
                }
                Ok(url)
            })
            .collect::<Result<_, _>>()?;
        let host_patterns = push
            .allowed_hosts
            .iter()
            .map(|h| h.trim().trim_end_matches('.').to_ascii_lowercase())
            .collect();
        Ok(Self {
            host_patterns,
            prefixes,
        })
    }

    /// Parses and checks an endpoint a client sent.
    pub fn check(&self, raw: &str) -> Result<PushEndpoint, Invalid> {
        if raw.len() > MAX_ENDPOINT_LEN {
            return Err(Invalid::new(
                "invalid_endpoint",
                "endpoint is longer than 2048 characters",
            ));
        }
        let url = Url::parse(raw)
            .map_err(|e| Invalid::new("invalid_endpoint", format!("endpoint is not a URL: {e}")))?;
        if !url.username().is_empty() || url.password().is_some() {
            return Err(Invalid::new(
                "endpoint_userinfo",
                "endpoint must not contain user info",
            ));
        }
        let Some(host) = url.host() else {
            return Err(Invalid::new("invalid_endpoint", "endpoint has no host"));
        };
        if self.prefixes.iter().any(|p| has_prefix(&url, p)) {
            return Ok(PushEndpoint(url));
        }
        if url.scheme() != "https" {
            return Err(Invalid::new(
                "endpoint_not_https",
                "endpoint must be an https URL",
            ));
        }
        let Host::Domain(domain) = host else {
            return Err(Invalid::new(
                "endpoint_ip_literal",
                "endpoint must name a push service host, not an IP address",
            ));
        };
        // `host.` is the same machine as `host` under another spelling: refusing it keeps one
        // subscription from being stored (and pushed to) twice.
        if domain.ends_with('.') {
            return Err(Invalid::new(
                "endpoint_not_allowed",
                "endpoint host must not end with a dot",
            ));
        }
        if !self.host_allowed(domain) {
            return Err(Invalid::new(
                "endpoint_not_allowed",
                "endpoint is not on a known push service",
            ));
        }
        Ok(PushEndpoint(url))
    }

    fn host_allowed(&self, domain: &str) -> bool {
        self.host_patterns
            .iter()
            .any(|pattern| match pattern.strip_prefix("*.") {
                Some(parent) => domain
                    .strip_suffix(parent)
                    .is_some_and(|rest| rest.len() > 1 && rest.ends_with('.')),
                None => domain == pattern,
            })
    }
}

/// Same scheme, host and port, and a path that continues the prefix's path.
fn has_prefix(url: &Url, prefix: &Url) -> bool {
    url.scheme() == prefix.scheme()
        && url.host() == prefix.host()
        && url.port_or_known_default() == prefix.port_or_known_default()
        && url.path().starts_with(prefix.path())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(prefixes: &[&str]) -> EndpointPolicy {
        let push = PushConfig {
            allowed_endpoints: prefixes.iter().map(|p| (*p).to_owned()).collect(),
            ..PushConfig::default()
        };
        EndpointPolicy::from_config(&push).expect("valid policy")
    }

    fn code(policy: &EndpointPolicy, raw: &str) -> &'static str {
        policy.check(raw).map(|_| "ok").unwrap_or_else(|e| e.code)
    }

    #[test]
    fn known_push_services_pass() {
        let p = policy(&[]);
        for ok in [
            "https://fcm.googleapis.com/fcm/send/abc",
            "https://updates.push.services.mozilla.com/wpush/v2/x",
            "https://wns2-par02p.notify.windows.com/w/?token=x",
            "https://web.push.apple.com/QGx",
        ] {
            assert_eq!(code(&p, ok), "ok", "{ok}");
        }
    }

    #[test]
    fn everything_else_is_refused_with_its_code() {
        let p = policy(&["http://127.0.0.1:9000/push/"]);
        let cases = [
            ("not a url", "invalid_endpoint"),
            ("http://fcm.googleapis.com/x", "endpoint_not_https"),
            ("ftp://fcm.googleapis.com/x", "endpoint_not_https"),
            ("https://1.2.3.4/x", "endpoint_ip_literal"),
            ("https://[::ffff:127.0.0.1]/x", "endpoint_ip_literal"),
            ("https://user:pw@fcm.googleapis.com/x", "endpoint_userinfo"),
            ("https://evil.com/x", "endpoint_not_allowed"),
            ("https://googleapis.com.evil.com/x", "endpoint_not_allowed"),
            ("https://evilgoogleapis.com/x", "endpoint_not_allowed"),
            ("http://127.0.0.1:9000/other/x", "endpoint_not_https"),
            ("http://127.0.0.1:9001/push/x", "endpoint_not_https"),
            ("http://u@127.0.0.1:9000/push/x", "endpoint_userinfo"),
            ("https://fcm.googleapis.com./x", "endpoint_not_allowed"),
        ];
        for (raw, expected) in cases {
            assert_eq!(code(&p, raw), expected, "{raw}");
        }
        assert_eq!(code(&p, "http://127.0.0.1:9000/push/abc"), "ok");
    }

    #[test]
    fn debug_hides_the_path() {
        let p = policy(&[]);
        let endpoint = p
            .check("https://fcm.googleapis.com/fcm/send/secret")
            .expect("ok");
        assert!(!format!("{endpoint:?}").contains("secret"));
    }
}
