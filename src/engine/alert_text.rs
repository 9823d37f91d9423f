//! An alert's words: a title naming the story and the change ("Trump–Putin summit: set for
//! Helsinki, July 16") and, as its body, the sentence that carried the main fact.

use super::Novelty;
use super::facts::{Fact, FactKind};
use super::text::Sentence;

/// The title and body of an alert for the facts that counted (`counted`, with their weights)
/// among every fact the document states (`found`).
pub(super) fn compose(
    story_name: &str,
    counted: &[(Fact, Novelty, f64)],
    found: &[Fact],
    sentences: &[Sentence],
) -> (String, String) {
    let strongest = |kind: FactKind, key: Option<&str>| {
        counted
            .iter()
            .filter(move |(f, _, _)| f.kind == kind && key.is_none_or(|k| f.key == k))
            .max_by(|a, b| a.2.total_cmp(&b.2))
    };
    let event = strongest(FactKind::Status, None).map(|(f, _, _)| f);
    // The sentences in the lead that tell the event.
    let telling: Vec<usize> = event.map_or_else(Vec::new, |event| {
        found
            .iter()
            .filter(|f| f.kind == FactKind::Status && f.value == event.value && f.lead)
            .map(|f| f.sentence)
            .collect()
    });
    // Where and when: the new ones told in the lead; else those of the sentences telling the
    // event, new or known ("held" in a report naming Helsinki, which the story knew). A new
    // detail further down names the news only when there is no event to name.
    let detail = |kind: FactKind, key: Option<&str>, first: bool| {
        let new: Vec<&Fact> = counted
            .iter()
            .filter(|(f, _, _)| f.kind == kind && key.is_none_or(|k| f.key == k))
            .map(|(f, _, _)| f)
            .collect();
        let pick = |lead: bool| {
            let mut candidates = new.iter().filter(|f| f.lead || !lead);
            if first {
                candidates.next().copied()
            } else {
                let weight = |f: &&&Fact| {
                    counted
                        .iter()
                        .find(|(c, _, _)| c == **f)
                        .map_or(0.0, |c| c.2)
                };
                candidates
                    .max_by(|a, b| weight(a).total_cmp(&weight(b)))
                    .copied()
            }
        };
        pick(true)
            .or_else(|| {
                found.iter().find(|f| {
                    f.kind == kind
                        && key.is_none_or(|k| f.key == k)
                        && !f.hedged
                        && telling.contains(&f.sentence)
                })
            })
            .or_else(|| event.is_none().then(|| pick(false)).flatten())
            .map(|f| f.display.clone())
    };
    let place = detail(FactKind::Place, None, false);
    let date = detail(FactKind::Date, Some("date"), true);
    let where_when: Vec<String> = place.iter().chain(date.iter()).cloned().collect();
    let mut parts = Vec::new();
    match (event.map(|f| f.value.as_str()), where_when.is_empty()) {
        (Some("scheduled" | "announced" | "confirmed" | "agreed"), false) => {
            parts.push(format!("set for {}", where_when.join(", ")))
        }
        (Some("held"), false) if place.is_none() => {
            parts.push(format!("held on {}", where_when.join(", ")))
        }
        (Some("held"), false) => parts.push(format!("held in {}", where_when.join(", "))),
        (Some("postponed" | "moved"), false) => {
            parts.push(format!("moved to {}", where_when.join(", ")))
        }
        (Some(event), false) => parts.push(format!("{event}: {}", where_when.join(", "))),
        (Some(event), true) => parts.push(event.to_owned()),
        (None, false) => parts.push(where_when.join(", ")),
        (None, true) => {}
    }
    parts.extend(
        counted
            .iter()
            .filter(|(f, _, _)| f.kind == FactKind::Quantity)
            .map(|(f, _, _)| f.display.clone()),
    );
    let name = capitalised(story_name);
    let title = if parts.is_empty() {
        format!("{name}: new details")
    } else {
        format!("{name}: {}", parts.join("; "))
    };
    let body = counted
        .iter()
        .max_by(|a, b| a.2.total_cmp(&b.2))
        .and_then(|(f, _, _)| sentences.get(f.sentence))
        .map(|s| s.text.clone())
        .unwrap_or_default();
    (title, body)
}

/// The admin's name for the story, capitalised.
fn capitalised(name: &str) -> String {
    let mut chars = name.trim().chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::super::{DocInput, Story, StoryEngine, Thresholds};

    fn title_after(texts: &[&[&str]]) -> Option<String> {
        let story: Story = toml::from_str(
            "name = \"Trump–Putin summit\"\nkeywords = [\"summit\"]\nany_keywords = [\"Trump\", \"Putin\"]\n",
        )
        .expect("story");
        let mut engine = StoryEngine::new(story, &Thresholds::default());
        let mut title = None;
        for (day, text) in texts.iter().enumerate() {
            let paragraphs: Vec<String> = text.iter().map(|p| (*p).to_owned()).collect();
            let decision = engine.process(&DocInput {
                source: "wire",
                item: "summit",
                url: "https://news.example.org/summit",
                title: None,
                paragraphs: &paragraphs,
                date: Utc
                    .with_ymd_and_hms(2018, 7, 1 + day as u32 * 15, 12, 0, 0)
                    .single()
                    .expect("date"),
            });
            title = decision.title;
        }
        title
    }

    #[test]
    fn the_title_names_where_the_event_happened_not_a_detail_further_down() {
        let title = title_after(&[
            &["Trump and Putin will hold a summit in Helsinki on July 16, the White House said."],
            &[
                "Trump and Putin held their summit in Helsinki on Monday.",
                "The two leaders met for two hours with only interpreters present.",
                "Their delegations joined them for a working lunch at the palace.",
                "The talks covered trade, arms control and energy, aides said.",
                "Putin said they had discussed Syria and North Korea.",
            ],
        ]);
        assert_eq!(
            title.as_deref(),
            Some("Trump–Putin summit: held in Helsinki, July 16")
        );
    }
}
