//! Documents: what a fetch yields, normalized whatever the source's kind.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};

/// One article, feed item or JSON item as text.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Document {
    /// Identity within its source: a feed item's guid or link, or the page URL.
    pub item_key: String,
    pub url: String,
    pub title: Option<String>,
    pub published: Option<DateTime<Utc>>,
    pub paragraphs: Vec<String>,
    pub fetched_at: DateTime<Utc>,
}

impl Document {
    /// The text as stored: paragraphs separated by blank lines.
    pub fn text(&self) -> String {
        self.paragraphs.join("\n\n")
    }

    /// Changes when the title or text change, and only then.
    pub fn content_hash(&self) -> String {
        let mut hasher = Sha256::new();
        hasher.update(self.title.as_deref().unwrap_or_default().as_bytes());
        hasher.update([0]);
        for paragraph in &self.paragraphs {
            hasher.update(paragraph.as_bytes());
            hasher.update([0]);
        }
        hasher.finalize()[..16]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

/// Splits text into trimmed paragraphs with whitespace folded, dropping empty ones.
pub fn paragraphs(text: &str) -> Vec<String> {
    text.split("\n\n")
        .flat_map(|block| block.split('\n'))
        .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|p| !p.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_follows_content_not_fetch_time() {
        let doc = Document {
            item_key: "k".into(),
            url: "https://example.org/a".into(),
            title: Some("T".into()),
            published: None,
            paragraphs: paragraphs("One  two\n\nthree"),
            fetched_at: Utc::now(),
        };
        let mut later = doc.clone();
        later.fetched_at = Utc::now() + chrono::Duration::hours(1);
        assert_eq!(doc.content_hash(), later.content_hash());
        later.paragraphs.push("four".into());
        assert_ne!(doc.content_hash(), later.content_hash());
        assert_eq!(doc.paragraphs, ["One two", "three"]);
    }
}
