//! Configuration: built-in defaults, then a TOML file, then `HERALD_*` environment variables.
//!
//! Every field has a default, so `herald serve` runs with no file and no flags. The commented
//! example that `herald config example` prints lives in `herald.example.toml` at the crate root;
//! a test keeps it parseable and equal to the defaults.

mod env;
mod sections;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

pub use env::apply_env;
pub use sections::{
    AdminConfig, DEFAULT_PUSH_HOSTS, DeliveryConfig, FetchConfig, PushConfig, SubscribeConfig,
};

/// The example configuration, fully commented.
pub const EXAMPLE: &str = include_str!("../../herald.example.toml");

/// Everything `herald serve` can be told.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Address and port the HTTP server binds.
    pub listen: SocketAddr,
    /// Directory holding the SQLite database (created if missing).
    pub data_dir: PathBuf,
    /// Bearer token for `/api/admin/*`; generated and stored on first start when unset.
    pub admin_token: Option<Secret>,
    /// Log filter in `tracing` syntax, e.g. `info` or `herald=debug,tower_http=info`.
    pub log: String,
    /// The address readers and push services reach this server at, e.g.
    /// `https://news.example.org`; needed for WebSub callbacks.
    pub public_url: Option<String>,
    pub admin: AdminConfig,
    pub push: PushConfig,
    pub delivery: DeliveryConfig,
    pub subscribe: SubscribeConfig,
    pub fetch: FetchConfig,
    /// Sources created at start when no source with the same URL and kind exists.
    pub sources: Vec<crate::domain::SourceRequest>,
    /// Stories created at start when no story with the same name exists.
    pub stories: Vec<crate::engine::Story>,
    /// `herald serve --demo`: a command-line switch, never read from the file or environment.
    #[serde(skip)]
    pub demo: Option<crate::demo::DemoOptions>,
}

/// A secret string whose `Debug` never shows the value.
#[derive(Clone, Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// Longest admin session accepted, in seconds.
const MAX_SESSION_LIFETIME: u64 = 365 * 24 * 3600;

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data_dir: PathBuf::from("./data"),
            admin_token: None,
            log: "info".to_owned(),
            public_url: None,
            admin: AdminConfig::default(),
            push: PushConfig::default(),
            delivery: DeliveryConfig::default(),
            fetch: FetchConfig::default(),
            sources: Vec::new(),
            stories: Vec::new(),
            demo: None,
            subscribe: SubscribeConfig::default(),
        }
    }
}

/// Why a configuration could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("invalid config file {path}: {source}")]
    Parse {
        path: PathBuf,
        source: Box<toml::de::Error>,
    },
    #[error("invalid environment variable {name}: {reason}")]
    Env { name: &'static str, reason: String },
    #[error("invalid setting {field}: {reason}")]
    Invalid { field: &'static str, reason: String },
}

impl Config {
    /// Defaults, then the TOML file at `path` if given, then the process environment.
    pub fn load(path: Option<&Path>) -> Result<Self, ConfigError> {
        let mut config = match path {
            Some(path) => Self::from_file(path)?,
            None => Self::default(),
        };
        apply_env(&mut config, |name| std::env::var(name).ok())?;
        config.validate()?;
        Ok(config)
    }

    pub fn from_file(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_owned(),
            source,
        })?;
        Self::from_toml(&text).map_err(|source| ConfigError::Parse {
            path: path.to_owned(),
            source: Box::new(source),
        })
    }

    pub fn from_toml(text: &str) -> Result<Self, toml::de::Error> {
        toml::from_str(text)
    }

    /// Checks the values that parse but make no sense, so that start-up fails with a clear message.
    pub fn validate(&self) -> Result<(), ConfigError> {
        crate::domain::EndpointPolicy::from_config(&self.push).map_err(|reason| {
            ConfigError::Invalid {
                field: "push.allowed_endpoints",
                reason,
            }
        })?;
        if let Some(subject) = &self.push.subject {
            crate::domain::PushSubject::parse(subject).map_err(|reason| ConfigError::Invalid {
                field: "push.subject",
                reason,
            })?;
        }
        if let Some(key) = &self.push.vapid_private_key {
            crate::vapid::VapidKeys::from_private_key(key.expose()).map_err(|reason| {
                ConfigError::Invalid {
                    field: "push.vapid_private_key",
                    reason,
                }
            })?;
        }
        if let Some(public_url) = &self.public_url {
            crate::domain::check_source_url(public_url).map_err(|e| ConfigError::Invalid {
                field: "public_url",
                reason: e.message,
            })?;
        }
        for (i, source) in self.sources.iter().enumerate() {
            source
                .clone()
                .validate()
                .map_err(|e| ConfigError::Invalid {
                    field: "sources",
                    reason: format!("entry {}: {}", i + 1, e.message),
                })?;
        }
        for (i, story) in self.stories.iter().enumerate() {
            story.validate().map_err(|e| ConfigError::Invalid {
                field: "stories",
                reason: format!("entry {}: {}", i + 1, e.message),
            })?;
        }
        if let Some(demo) = &self.demo
            && demo.step.is_zero()
        {
            return Err(ConfigError::Invalid {
                field: "demo step",
                reason: "must be longer than 0".into(),
            });
        }
        let d = &self.delivery;
        for (field, value) in [
            ("delivery.concurrency", u64::from(d.concurrency)),
            (
                "delivery.per_origin_concurrency",
                u64::from(d.per_origin_concurrency),
            ),
            ("delivery.max_attempts", u64::from(d.max_attempts)),
            (
                "delivery.request_timeout_seconds",
                d.request_timeout_seconds,
            ),
            (
                "delivery.connect_timeout_seconds",
                d.connect_timeout_seconds,
            ),
            (
                "subscribe.stale_after_days",
                u64::from(self.subscribe.stale_after_days),
            ),
            (
                "admin.session_lifetime_seconds",
                self.admin.session_lifetime_seconds,
            ),
        ] {
            if value == 0 {
                return Err(ConfigError::Invalid {
                    field,
                    reason: "must be at least 1".into(),
                });
            }
        }
        if self.admin.session_lifetime_seconds > MAX_SESSION_LIFETIME {
            return Err(ConfigError::Invalid {
                field: "admin.session_lifetime_seconds",
                reason: format!("must be at most {MAX_SESSION_LIFETIME} (a year)"),
            });
        }
        if self.push.ttl_seconds == 0 {
            return Err(ConfigError::Invalid {
                field: "push.ttl_seconds",
                reason: "must be at least 1".into(),
            });
        }
        Ok(())
    }

    /// Path of the SQLite database file inside the data directory.
    pub fn database_path(&self) -> PathBuf {
        self.data_dir.join("herald.db")
    }
}

#[cfg(test)]
mod tests;
