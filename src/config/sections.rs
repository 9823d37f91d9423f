//! The sections of the configuration file other than the top level: `[admin]`, `[push]`,
//! `[delivery]`, `[fetch]` and `[subscribe]`, with their defaults.

use std::path::PathBuf;

use serde::Deserialize;

use super::Secret;

/// Admin accounts' login sessions.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AdminConfig {
    /// How long a login lasts, in seconds (the session cookie's Max-Age).
    pub session_lifetime_seconds: u64,
}

/// How Herald talks to push services.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PushConfig {
    /// VAPID `sub` claim: a `mailto:` or `https:` contact for push-service operators.
    pub subject: Option<String>,
    /// Host patterns a subscription endpoint may use (`*.example.com` matches subdomains).
    pub allowed_hosts: Vec<String>,
    /// A fixed VAPID private key (base64url, from `herald vapid generate`); by default one is
    /// generated on first start and kept in the database.
    pub vapid_private_key: Option<Secret>,
    /// Extra URL prefixes accepted as endpoints as they are (http allowed), e.g. local stand-ins.
    pub allowed_endpoints: Vec<String>,
    /// How long a push service keeps an undelivered message, in seconds.
    pub ttl_seconds: u32,
}

/// How the delivery engine sends, retries and gives up.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DeliveryConfig {
    /// Pushes in flight at once, across all push services.
    pub concurrency: u32,
    /// Pushes in flight at once to one push service.
    pub per_origin_concurrency: u32,
    /// Attempts per delivery before it is recorded as failed.
    pub max_attempts: u32,
    /// A delivery still unsent this long after its alert is recorded as failed, in seconds.
    pub max_age_seconds: u64,
    /// First retry delay in milliseconds; doubles per attempt, with jitter.
    pub retry_base_ms: u64,
    /// Longest retry delay, in seconds.
    pub retry_max_seconds: u64,
    /// Whole-request timeout per push, in seconds.
    pub request_timeout_seconds: u64,
    /// TCP and TLS connect timeout, in seconds.
    pub connect_timeout_seconds: u64,
    /// After a 401/403 (a VAPID problem), that push service is paused this long, in seconds.
    pub origin_pause_seconds: u64,
    /// Extra CA certificate (PEM) to trust, e.g. for a self-hosted push service.
    pub extra_ca_cert: Option<PathBuf>,
}

/// How sources are fetched.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FetchConfig {
    /// Fetches at once, across all sources.
    pub concurrency: u32,
    /// Fetches at once to one host.
    pub per_host_concurrency: u32,
    /// Least time between two requests to one host, in milliseconds.
    pub host_spacing_ms: u64,
    /// Whole-request timeout, in seconds.
    pub timeout_seconds: u64,
    /// Largest body read, in bytes.
    pub max_body_bytes: usize,
    pub max_redirects: u32,
    /// Contact for site operators, added to the User-Agent (a URL or `mailto:`).
    pub contact: Option<String>,
    /// Versions kept per document URL.
    pub keep_versions: u32,
    /// Whether sources (and the WebSub hubs their feeds name) may be on loopback, private or
    /// link-local addresses. Turn it off when Herald sits next to services sources must not
    /// reach.
    pub allow_private_addresses: bool,
    /// Addresses reachable whatever `allow_private_addresses` says: Herald's own when it
    /// serves the demo's pages. Set at start, never read from the file.
    #[serde(skip)]
    pub exempt_addresses: Vec<std::net::SocketAddr>,
}

/// Limits on the public subscribe route.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SubscribeConfig {
    /// Subscribe requests per minute per client IP; 0 turns the limit off.
    pub rate_limit_per_minute: u32,
    /// A subscription not refreshed for this many days gets one "still want alerts?" push.
    pub stale_after_days: u32,
    /// Days after that push before a still-unrefreshed subscription is removed.
    pub stale_grace_days: u32,
}

/// The push services browsers use today; their endpoints are the only ones accepted by default.
pub const DEFAULT_PUSH_HOSTS: [&str; 7] = [
    "*.googleapis.com",
    "*.google.com",
    "*.mozilla.com",
    "*.mozaws.net",
    "*.windows.com",
    "*.microsoft.com",
    "*.apple.com",
];

impl Default for AdminConfig {
    fn default() -> Self {
        Self {
            session_lifetime_seconds: 12 * 3600,
        }
    }
}

impl Default for PushConfig {
    fn default() -> Self {
        Self {
            subject: None,
            vapid_private_key: None,
            allowed_hosts: DEFAULT_PUSH_HOSTS.iter().map(|h| (*h).to_owned()).collect(),
            allowed_endpoints: Vec::new(),
            ttl_seconds: 15 * 60,
        }
    }
}

impl Default for DeliveryConfig {
    fn default() -> Self {
        Self {
            concurrency: 512,
            per_origin_concurrency: 128,
            max_attempts: 8,
            max_age_seconds: 15 * 60,
            retry_base_ms: 1000,
            retry_max_seconds: 300,
            request_timeout_seconds: 10,
            connect_timeout_seconds: 5,
            origin_pause_seconds: 600,
            extra_ca_cert: None,
        }
    }
}

impl Default for FetchConfig {
    fn default() -> Self {
        Self {
            concurrency: 16,
            per_host_concurrency: 2,
            host_spacing_ms: 1000,
            timeout_seconds: 20,
            max_body_bytes: 5_000_000,
            max_redirects: 5,
            contact: None,
            keep_versions: 20,
            allow_private_addresses: true,
            exempt_addresses: Vec::new(),
        }
    }
}

impl Default for SubscribeConfig {
    fn default() -> Self {
        Self {
            rate_limit_per_minute: 30,
            stale_after_days: 60,
            stale_grace_days: 7,
        }
    }
}
