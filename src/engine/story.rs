//! Stories: what admins watch, and which documents belong to them.

use serde::{Deserialize, Serialize};

use super::text::{Sentence, fold};
use super::thresholds::ThresholdOverrides;
use crate::domain::Invalid;

/// A story as written in a TOML file or sent to the admin API.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Story {
    pub name: String,
    /// All must appear (case-insensitive, whole words).
    #[serde(default)]
    pub keywords: Vec<String>,
    /// At least one must appear, when any are given.
    #[serde(default)]
    pub any_keywords: Vec<String>,
    /// A document with any of these is not about the story.
    #[serde(default)]
    pub exclude: Vec<String>,
    /// The subscriber topic its alerts go to; none: everyone.
    #[serde(default)]
    pub topic: Option<String>,
    /// What kind of news it is (diplomacy, disaster, ...), for people.
    #[serde(default)]
    pub kind: Option<String>,
    /// Per-story changes to the global thresholds.
    #[serde(default)]
    pub thresholds: Option<ThresholdOverrides>,
}

impl Story {
    pub fn validate(&self) -> Result<(), Invalid> {
        if self.name.trim().is_empty() || self.name.chars().count() > 200 {
            return Err(Invalid::new(
                "invalid_name",
                "name is required, at most 200 characters",
            ));
        }
        if self
            .keywords
            .iter()
            .chain(&self.any_keywords)
            .all(|k| fold(k).is_empty())
        {
            return Err(Invalid::new(
                "invalid_keywords",
                "give at least one keyword or any_keyword",
            ));
        }
        if let Some(topic) = &self.topic {
            crate::domain::Topic::parse(topic)?;
        }
        if let Some(overrides) = &self.thresholds {
            overrides.validate()?;
        }
        Ok(())
    }

    /// Whether a document's folded text belongs to the story.
    pub fn matches(&self, folded_text: &str) -> bool {
        let padded = format!(" {folded_text} ");
        let has = |term: &String| {
            let term = fold(term);
            !term.is_empty() && padded.contains(&format!(" {term} "))
        };
        self.keywords.iter().all(has)
            && (self.any_keywords.is_empty() || self.any_keywords.iter().any(has))
            && !self.exclude.iter().any(has)
    }

    /// How strongly a sentence speaks about the story: 1 for the title or a sentence naming a
    /// keyword, 0.5 for one naming only an any-keyword, 0 otherwise.
    pub fn salience(&self, sentence: &Sentence) -> f64 {
        let padded = format!(" {} ", sentence.folded);
        let has = |term: &String| {
            let term = fold(term);
            !term.is_empty() && padded.contains(&format!(" {term} "))
        };
        if sentence.paragraph == 0 || self.keywords.iter().any(has) {
            1.0
        } else if self.any_keywords.iter().any(has) || sentence.paragraph <= 2 {
            // The first paragraphs of a document about the story tell its news.
            0.5
        } else {
            0.0
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn story() -> Story {
        toml::from_str(
            "name = \"Summit\"\nkeywords = [\"summit\"]\nany_keywords = [\"Trump\", \"Putin\"]\n",
        )
        .expect("toml")
    }

    #[test]
    fn a_minimal_toml_story_works() {
        let story = story();
        assert!(story.validate().is_ok());
        assert!(story.matches(&fold("A Trump–Putin summit may be one step closer.")));
        assert!(
            !story.matches(&fold("Putin met Bolton.")),
            "all keywords must appear"
        );
        assert!(!story.matches(&fold("The summits of Trump")), "whole words");
    }
}
