//! JSON APIs: items at a path, text in named fields.

use serde_json::Value;

use super::{ParseError, ParseSpec};
use crate::domain::{Document, JsonFields, paragraphs};

pub(super) fn parse(spec: &ParseSpec<'_>, body: &[u8]) -> Result<Vec<Document>, ParseError> {
    let fields = spec.json.cloned().unwrap_or_default();
    let root: Value = serde_json::from_slice(body).map_err(|e| ParseError::Json {
        line: e.line(),
        column: e.column(),
        reason: e.to_string(),
    })?;
    let items = lookup(&root, &fields.items)
        .and_then(Value::as_array)
        .ok_or_else(|| {
            ParseError::NoItems(if fields.items.is_empty() {
                "the top level".into()
            } else {
                fields.items.clone()
            })
        })?;
    Ok(items
        .iter()
        .enumerate()
        .filter_map(|(i, item)| document(spec, &fields, item, i))
        .collect())
}

fn document(
    spec: &ParseSpec<'_>,
    fields: &JsonFields,
    item: &Value,
    index: usize,
) -> Option<Document> {
    let text = |path: &Option<String>| {
        path.as_deref()
            .and_then(|p| lookup(item, p))
            .and_then(scalar_text)
    };
    let body: Vec<String> = fields
        .text
        .iter()
        .filter_map(|p| lookup(item, p).and_then(scalar_text))
        .flat_map(|t| paragraphs(&t))
        .collect();
    let title = text(&fields.title);
    if body.is_empty() && title.is_none() {
        return None;
    }
    let url = text(&fields.url).unwrap_or_else(|| spec.url.to_string());
    let item_key = text(&fields.id).unwrap_or_else(|| {
        if fields.url.is_some() {
            url.clone()
        } else {
            format!("{}#{index}", spec.url)
        }
    });
    let published = fields
        .date
        .as_deref()
        .and_then(|p| lookup(item, p))
        .and_then(date);
    Some(Document {
        item_key,
        url,
        title,
        published,
        paragraphs: body,
        fetched_at: spec.fetched_at,
    })
}

/// A JSON Pointer (`/a/0/b`) or a dotted path (`a.0.b`); empty means the value itself.
fn lookup<'v>(value: &'v Value, path: &str) -> Option<&'v Value> {
    let path = path.trim();
    if path.is_empty() || path == "$" {
        return Some(value);
    }
    if path.starts_with('/') {
        return value.pointer(path);
    }
    path.trim_start_matches("$.")
        .split('.')
        .try_fold(value, |v, key| match v {
            Value::Array(items) => items.get(key.parse::<usize>().ok()?),
            _ => v.get(key),
        })
}

fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn date(value: &Value) -> Option<chrono::DateTime<chrono::Utc>> {
    match value {
        Value::String(s) => chrono::DateTime::parse_from_rfc3339(s.trim())
            .or_else(|_| chrono::DateTime::parse_from_rfc2822(s.trim()))
            .ok()
            .map(|d| d.to_utc()),
        Value::Number(n) => {
            let n = n.as_i64()?;
            // Seconds or milliseconds since the epoch.
            if n > 100_000_000_000 {
                chrono::DateTime::from_timestamp_millis(n)
            } else {
                chrono::DateTime::from_timestamp(n, 0)
            }
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::SourceKind;

    #[test]
    fn items_at_a_path_become_documents() {
        let url = url::Url::parse("https://api.example.org/news").expect("url");
        let fields = JsonFields {
            items: "data.items".into(),
            text: vec!["summary".into(), "body".into()],
            title: Some("headline".into()),
            url: Some("link".into()),
            id: None,
            date: Some("ts".into()),
        };
        let spec = ParseSpec {
            kind: SourceKind::Json,
            url: &url,
            content_type: Some("application/json"),
            selector: None,
            json: Some(&fields),
            fetched_at: chrono::Utc::now(),
        };
        let body = br#"{"data":{"items":[
            {"headline":"Summit set","summary":"Helsinki, July 16.","body":"Details follow.","link":"https://x.org/1","ts":1530180000},
            {"nothing":true}
        ]}}"#;
        let docs = parse(&spec, body).expect("parses");
        assert_eq!(docs.len(), 1);
        assert_eq!(docs[0].title.as_deref(), Some("Summit set"));
        assert_eq!(
            docs[0].paragraphs,
            ["Helsinki, July 16.", "Details follow."]
        );
        assert_eq!(docs[0].item_key, "https://x.org/1");
        assert_eq!(
            docs[0].published.map(|d| d.timestamp()),
            Some(1_530_180_000)
        );
        let err = parse(&spec, b"{\"data\": [").expect_err("truncated");
        assert!(matches!(err, ParseError::Json { line: 1, .. }), "{err}");
        let spec = ParseSpec {
            json: Some(&JsonFields {
                items: "nope".into(),
                ..fields.clone()
            }),
            ..spec
        };
        assert_eq!(
            parse(&spec, body).expect_err("missing"),
            ParseError::NoItems("nope".into())
        );
    }
}
