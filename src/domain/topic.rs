//! Topics a reader subscribes to: short lowercase names such as `world` or `summit-2018`.

use super::Invalid;

/// At most this many topics per subscription.
pub const MAX_TOPICS: usize = 20;

/// 1–64 characters of `[a-z0-9_-]`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Topic(String);

impl Topic {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let valid_char =
            |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-';
        if raw.is_empty() || raw.len() > 64 || !raw.chars().all(valid_char) {
            return Err(Invalid::new(
                "invalid_topic",
                format!("topic {raw:?} must be 1-64 characters of a-z, 0-9, '_' or '-'"),
            ));
        }
        Ok(Self(raw.to_owned()))
    }

    /// Parses a list, dropping duplicates and enforcing the count limit.
    pub fn parse_list(raw: &[String]) -> Result<Vec<Self>, Invalid> {
        if raw.len() > MAX_TOPICS {
            return Err(Invalid::new(
                "too_many_topics",
                format!("at most {MAX_TOPICS} topics, got {}", raw.len()),
            ));
        }
        let mut topics = raw
            .iter()
            .map(|t| Self::parse(t))
            .collect::<Result<Vec<_>, _>>()?;
        topics.sort();
        topics.dedup();
        Ok(topics)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_allowed_alphabet_only() {
        for ok in ["world", "a", "summit-2018", "x_y", &"a".repeat(64)] {
            assert!(Topic::parse(ok).is_ok(), "{ok}");
        }
        for bad in ["", "World", "a b", "é", "a/b", &"a".repeat(65)] {
            assert_eq!(
                Topic::parse(bad).map_err(|e| e.code),
                Err("invalid_topic"),
                "{bad}"
            );
        }
    }

    #[test]
    fn lists_are_deduplicated_and_bounded() {
        let list = vec!["b".to_owned(), "a".to_owned(), "b".to_owned()];
        let topics = Topic::parse_list(&list).expect("valid");
        assert_eq!(
            topics.iter().map(Topic::as_str).collect::<Vec<_>>(),
            ["a", "b"]
        );
        let many: Vec<String> = (0..21).map(|i| format!("t{i}")).collect();
        assert_eq!(
            Topic::parse_list(&many).map_err(|e| e.code),
            Err("too_many_topics")
        );
    }
}
