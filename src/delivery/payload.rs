//! What a notification carries: the JSON payload and the push `Topic`.

use serde::Serialize;

use crate::storage::AlertRecord;

/// Largest payload we send. RFC 8291 leaves 3,993 bytes in one 4,096-byte record, push services
/// differ in what they accept beyond 3 KB, and the `web-push` crate refuses more than 3,052.
pub const MAX_PAYLOAD: usize = 3000;
/// The body used after a push service answered 413: short enough for any of them.
const SHORT_BODY: usize = 160;

#[derive(Serialize)]
struct Payload<'a> {
    title: &'a str,
    body: &'a str,
    url: Option<&'a str>,
    story: Option<String>,
    alert_id: i64,
    ts: i64,
}

/// The payload bytes for `alert`, its body shortened at a word boundary to fit.
pub fn encode(alert: &AlertRecord, short: bool) -> Vec<u8> {
    let limit = if short { SHORT_BODY } else { usize::MAX };
    let mut body = shorten(&alert.body, limit);
    loop {
        let payload = Payload {
            title: &alert.title,
            body: &body,
            url: alert.url.as_deref(),
            story: alert.story_id.map(|id| id.to_string()),
            alert_id: alert.id,
            ts: alert.created_at,
        };
        let bytes = serde_json::to_vec(&payload).unwrap_or_default();
        if bytes.len() <= MAX_PAYLOAD || body.is_empty() {
            return bytes;
        }
        // Characters can take several bytes (UTF-8, JSON escapes): scale the cut to the excess.
        let chars = body.chars().count();
        let keep = chars * MAX_PAYLOAD / bytes.len();
        body = shorten(&body, keep.min(chars.saturating_sub(8)));
    }
}

/// The push `Topic` header: one per story, so a newer alert replaces an undelivered older one;
/// an alert with no story uses its own id. At most 32 base64url characters.
pub fn push_topic(alert: &AlertRecord) -> String {
    match alert.story_id {
        Some(story) => format!("story-{story}"),
        None => format!("alert-{}", alert.id),
    }
}

/// Cuts `text` to at most `max_chars` characters at a word boundary, adding an ellipsis.
pub fn shorten(text: &str, max_chars: usize) -> String {
    if text.chars().count() <= max_chars {
        return text.to_owned();
    }
    let budget = max_chars.saturating_sub(1);
    let cut: String = text.chars().take(budget).collect();
    let at_word = match cut.rfind(char::is_whitespace) {
        Some(space) if space > budget / 2 => &cut[..space],
        _ => &cut[..],
    };
    let trimmed = at_word.trim_end_matches(|c: char| c.is_whitespace() || ",;:-".contains(c));
    if trimmed.is_empty() {
        String::new()
    } else {
        format!("{trimmed}…")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alert(body: &str) -> AlertRecord {
        AlertRecord {
            id: 7,
            title: "Summit: set for Helsinki, July 16".into(),
            body: body.into(),
            url: Some("https://example.org/a".into()),
            story_id: Some(3),
            topics: vec![],
            public: true,
            created_at: 1_530_000_000_000,
        }
    }

    #[test]
    fn payload_has_every_field() {
        let bytes = encode(&alert("The summit will be held in Helsinki."), false);
        let json: serde_json::Value = serde_json::from_slice(&bytes).expect("json");
        assert_eq!(json["title"], "Summit: set for Helsinki, July 16");
        assert_eq!(json["body"], "The summit will be held in Helsinki.");
        assert_eq!(json["url"], "https://example.org/a");
        assert_eq!(json["story"], "3");
        assert_eq!(json["alert_id"], 7);
        assert_eq!(json["ts"], 1_530_000_000_000_i64);
    }

    #[test]
    fn long_bodies_are_shortened_at_a_word_not_rejected() {
        for word in ["word ", "\"quoted\" ", "ünïcødé "] {
            let long = word.repeat(2000);
            let bytes = encode(&alert(&long), false);
            assert!(bytes.len() <= MAX_PAYLOAD, "{}", bytes.len());
            let json: serde_json::Value = serde_json::from_slice(&bytes).expect("json");
            let body = json["body"].as_str().expect("body");
            assert!(body.ends_with('…'), "{body}");
            assert!(
                long.starts_with(body.trim_end_matches('…')),
                "cut at a word boundary"
            );
        }
    }

    #[test]
    fn the_short_form_is_short() {
        let bytes = encode(&alert(&"word ".repeat(200)), true);
        let json: serde_json::Value = serde_json::from_slice(&bytes).expect("json");
        assert!(json["body"].as_str().expect("body").chars().count() <= SHORT_BODY);
    }

    #[test]
    fn topics_are_short_base64url() {
        let mut a = alert("b");
        a.story_id = Some(i64::MAX);
        for topic in [
            push_topic(&a),
            push_topic(&AlertRecord {
                story_id: None,
                ..a.clone()
            }),
        ] {
            assert!(topic.len() <= 32);
            assert!(
                topic
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            );
        }
    }
}
