//! The environment layer: each `HERALD_*` variable overrides one setting.

use super::{Config, ConfigError, Secret};

/// Applies the `HERALD_*` variables that `lookup` finds, in a fixed and documented set.
pub fn apply_env(
    config: &mut Config,
    lookup: impl Fn(&str) -> Option<String>,
) -> Result<(), ConfigError> {
    if let Some(value) = lookup("HERALD_LISTEN") {
        config.listen = value.trim().parse().map_err(|_| ConfigError::Env {
            name: "HERALD_LISTEN",
            reason: format!("expected address:port such as 127.0.0.1:8080, got {value:?}"),
        })?;
    }
    if let Some(value) = lookup("HERALD_DATA_DIR") {
        config.data_dir = value.into();
    }
    if let Some(value) = lookup("HERALD_ADMIN_TOKEN").filter(|v| !v.is_empty()) {
        config.admin_token = Some(Secret::new(value));
    }
    if let Some(value) = lookup("HERALD_PUBLIC_URL").filter(|v| !v.is_empty()) {
        config.public_url = Some(value);
    }
    if let Some(value) = lookup("HERALD_LOG") {
        config.log = value;
    }
    if let Some(value) = lookup("HERALD_PUSH_SUBJECT").filter(|v| !v.is_empty()) {
        config.push.subject = Some(value);
    }
    if let Some(value) = lookup("HERALD_VAPID_PRIVATE_KEY").filter(|v| !v.is_empty()) {
        config.push.vapid_private_key = Some(Secret::new(value));
    }
    if let Some(value) = lookup("HERALD_PUSH_ALLOWED_ENDPOINTS") {
        let prefixes = value.split(',').map(str::trim).filter(|p| !p.is_empty());
        config
            .push
            .allowed_endpoints
            .extend(prefixes.map(str::to_owned));
    }
    if let Some(value) = lookup("HERALD_PUSH_TTL") {
        config.push.ttl_seconds = parse_number("HERALD_PUSH_TTL", &value)?;
    }
    if let Some(value) = lookup("HERALD_ADMIN_SESSION_LIFETIME") {
        config.admin.session_lifetime_seconds =
            parse_number("HERALD_ADMIN_SESSION_LIFETIME", &value)?.into();
    }
    if let Some(value) = lookup("HERALD_SUBSCRIBE_RATE_LIMIT") {
        config.subscribe.rate_limit_per_minute =
            parse_number("HERALD_SUBSCRIBE_RATE_LIMIT", &value)?;
    }
    Ok(())
}

fn parse_number(name: &'static str, value: &str) -> Result<u32, ConfigError> {
    value.trim().parse().map_err(|_| ConfigError::Env {
        name,
        reason: format!("expected a whole number, got {value:?}"),
    })
}
