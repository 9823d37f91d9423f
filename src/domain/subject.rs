//! The VAPID `sub` claim: how a push-service operator reaches whoever runs this Herald.

use url::{Host, Url};

/// A `mailto:` address or an `https:` URL, not pointing at localhost.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushSubject(String);

impl PushSubject {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let url = Url::parse(raw.trim())
            .map_err(|_| format!("{raw:?} must be a mailto: or https: URI"))?;
        let host = match url.scheme() {
            "mailto" => {
                let address = url.path();
                let (local, domain) = address
                    .rsplit_once('@')
                    .ok_or_else(|| format!("{raw:?} is not an email address"))?;
                if local.is_empty() || !domain.contains('.') {
                    return Err(format!("{raw:?} is not a reachable email address"));
                }
                domain.to_ascii_lowercase()
            }
            "https" => match url.host() {
                Some(Host::Domain(domain)) => domain.to_ascii_lowercase(),
                _ => return Err(format!("{raw:?} must name a host, not an IP address")),
            },
            _ => return Err(format!("{raw:?} must start with mailto: or https:")),
        };
        if host == "localhost" || host.ends_with(".localhost") {
            return Err(format!(
                "{raw:?} points at localhost; push services (Apple's among them) refuse it"
            ));
        }
        Ok(Self(raw.trim().to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_contacts_and_refuses_the_rest() {
        for ok in ["mailto:ops@example.org", "https://example.org/contact"] {
            assert!(PushSubject::parse(ok).is_ok(), "{ok}");
        }
        for bad in [
            "ops@example.org",
            "mailto:ops",
            "mailto:ops@localhost",
            "https://localhost/",
            "https://127.0.0.1/",
            "http://example.org/",
            "",
        ] {
            assert!(PushSubject::parse(bad).is_err(), "{bad}");
        }
    }
}
