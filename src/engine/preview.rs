//! "What would these thresholds have sent?": a story's stored documents replayed in memory,
//! from a blank memory, under the current thresholds and under proposed ones, side by side.

use serde::Serialize;

use super::{Decision, DocInput, Story, StoryEngine, Thresholds};

/// What one set of thresholds decided on one document.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    pub alert: bool,
    pub score: f64,
    pub facts: Vec<String>,
    pub reasons: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
}

impl From<Decision> for Outcome {
    fn from(decision: Decision) -> Self {
        Self {
            alert: decision.alert,
            score: decision.score,
            facts: decision.facts,
            reasons: decision.reasons,
            title: decision.title,
        }
    }
}

/// Replays `documents` in order under both global thresholds (the story's own overrides
/// apply over each); returns one pair per document, current first.
pub fn compare(
    story: &Story,
    current: &Thresholds,
    proposed: &Thresholds,
    documents: &[DocInput<'_>],
) -> Vec<(Outcome, Outcome)> {
    let mut now = StoryEngine::new(story.clone(), current);
    let mut then = StoryEngine::new(story.clone(), proposed);
    documents
        .iter()
        .map(|doc| (now.process(doc).into(), then.process(doc).into()))
        .collect()
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::*;

    #[test]
    fn a_lower_bar_alerts_on_more_of_the_same_history() {
        let story: Story =
            toml::from_str("name = \"Summit\"\nkeywords = [\"summit\"]\n").expect("story");
        let texts = [
            vec!["Officials said a summit was agreed.".to_owned()],
            vec!["The summit could be held in Helsinki.".to_owned()],
            vec!["The summit will be held in Helsinki on July 16.".to_owned()],
        ];
        let docs: Vec<DocInput<'_>> = texts
            .iter()
            .enumerate()
            .map(|(i, paragraphs)| DocInput {
                source: "wire",
                item: "story",
                url: "https://news.example.org/summit",
                title: None,
                paragraphs,
                date: Utc
                    .with_ymd_and_hms(2018, 6, 28 + i as u32, 9, 0, 0)
                    .unwrap(),
            })
            .collect();
        let current = Thresholds::default();
        let proposed = Thresholds {
            min_score: 0.3,
            ..Thresholds::default()
        };
        let pairs = compare(&story, &current, &proposed, &docs);
        let count =
            |pick: fn(&(Outcome, Outcome)) -> bool| pairs.iter().filter(|p| pick(p)).count();
        assert_eq!(pairs.len(), 3);
        assert!(
            !pairs[0].0.alert && !pairs[0].1.alert,
            "the first is the baseline"
        );
        assert!(pairs[2].0.alert, "the firm place and date alert by default");
        assert!(count(|p| p.1.alert) > count(|p| p.0.alert));
    }
}
