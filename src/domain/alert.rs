//! Alerts: what an editor or the diff engine wants every matching reader to see.

use serde::Deserialize;

use super::{Invalid, Topic};

pub const MAX_TITLE_CHARS: usize = 200;
pub const MAX_BODY_CHARS: usize = 4000;

/// An alert ready to be recorded and fanned out.
#[derive(Debug, Clone)]
pub struct NewAlert {
    pub title: String,
    pub body: String,
    pub url: Option<String>,
    pub story_id: Option<i64>,
    /// Empty: every subscriber. Otherwise subscribers with no topics or one of these.
    pub topics: Vec<Topic>,
    /// Listed in the public `GET /api/alerts`.
    pub public: bool,
}

/// The body of `POST /api/admin/alerts`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManualAlertRequest {
    pub title: Option<String>,
    #[serde(default)]
    pub body: String,
    pub url: Option<String>,
    #[serde(default)]
    pub topics: Vec<String>,
}

impl ManualAlertRequest {
    pub fn validate(self) -> Result<NewAlert, Invalid> {
        let title = self.title.unwrap_or_default().trim().to_owned();
        if title.is_empty() || title.chars().count() > MAX_TITLE_CHARS {
            return Err(Invalid::new(
                "invalid_title",
                format!("title is required, at most {MAX_TITLE_CHARS} characters"),
            ));
        }
        let body = self.body.trim().to_owned();
        if body.chars().count() > MAX_BODY_CHARS {
            return Err(Invalid::new(
                "invalid_alert_body",
                format!("body must be at most {MAX_BODY_CHARS} characters"),
            ));
        }
        let url = self
            .url
            .map(|u| u.trim().to_owned())
            .filter(|u| !u.is_empty());
        if let Some(url) = &url {
            check_link(url)?;
        }
        let topics = Topic::parse_list(&self.topics)?;
        Ok(NewAlert {
            title,
            body,
            url,
            story_id: None,
            topics,
            public: true,
        })
    }
}

/// The link a notification opens: an absolute http(s) URL or a path on this server.
pub fn check_link(raw: &str) -> Result<(), Invalid> {
    let invalid = || {
        Invalid::new(
            "invalid_url",
            "url must be an http(s) URL or a path starting with /",
        )
    };
    if raw.len() > 2048 {
        return Err(invalid());
    }
    if raw.starts_with('/') && !raw.starts_with("//") {
        return Ok(());
    }
    match url::Url::parse(raw) {
        Ok(url) if matches!(url.scheme(), "http" | "https") && url.host().is_some() => Ok(()),
        _ => Err(invalid()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(title: &str, url: Option<&str>) -> ManualAlertRequest {
        ManualAlertRequest {
            title: Some(title.into()),
            body: "b".into(),
            url: url.map(Into::into),
            topics: vec![],
        }
    }

    #[test]
    fn checks_title_and_link() {
        assert!(
            request("Summit set", Some("https://example.org/a"))
                .validate()
                .is_ok()
        );
        assert!(request("Summit set", Some("/local")).validate().is_ok());
        assert_eq!(
            request("  ", None).validate().map_err(|e| e.code).err(),
            Some("invalid_title")
        );
        for bad in ["javascript:alert(1)", "//evil.com", "ftp://x.org/"] {
            let code = request("t", Some(bad)).validate().map_err(|e| e.code).err();
            assert_eq!(code, Some("invalid_url"), "{bad}");
        }
    }
}
