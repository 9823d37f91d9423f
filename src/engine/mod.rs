//! The diff engine: decides whether a document brings a story something genuinely new, with
//! a score and reasons a person can read. Pure: no I/O, so it is unit-tested and replayable.

mod alert_text;
pub mod facts;
mod knowledge;
pub mod preview;
pub mod replay;
pub mod story;
pub mod text;
pub mod thresholds;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

pub use knowledge::{Knowledge, Novelty};
pub use story::Story;
pub use thresholds::{FirstDocument, QuietMode, ThresholdOverrides, Thresholds};

use facts::{Fact, FactKind};

/// A document as the engine sees it.
#[derive(Debug, Clone)]
pub struct DocInput<'a> {
    pub source: &'a str,
    /// Its identity within the source (a page URL, a feed item's guid).
    pub item: &'a str,
    pub url: &'a str,
    pub title: Option<&'a str>,
    pub paragraphs: &'a [String],
    /// The document's own date (published or updated), else when it was fetched.
    pub date: DateTime<Utc>,
}

/// What the engine decided about one document, and why.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Decision {
    pub matched: bool,
    pub baseline: bool,
    pub alert: bool,
    /// Held back (quiet hours in hold mode): alert when they end.
    pub held: bool,
    /// When the quiet hours that hold it end.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub held_until: Option<DateTime<Utc>>,
    pub score: f64,
    /// The new facts that counted, as "place: Helsinki".
    pub facts: Vec<String>,
    pub reasons: Vec<String>,
    /// What the story knew before and after.
    pub before: Vec<String>,
    pub after: Vec<String>,
    pub new_sentences: Vec<String>,
    /// Every fact found in the document, new or not, with its sentence number.
    pub found: Vec<String>,
    /// The alert's title and body, when it alerts.
    pub title: Option<String>,
    pub body: Option<String>,
}

/// One story's engine: its definition, thresholds and memory.
#[derive(Debug, Clone)]
pub struct StoryEngine {
    pub story: Story,
    pub thresholds: Thresholds,
    pub knowledge: Knowledge,
    alerts: Vec<DateTime<Utc>>,
}

impl StoryEngine {
    pub fn new(story: Story, global: &Thresholds) -> Self {
        let thresholds = story
            .thresholds
            .as_ref()
            .map_or_else(|| global.clone(), |o| o.apply(global));
        Self {
            story,
            thresholds,
            knowledge: Knowledge::default(),
            alerts: Vec::new(),
        }
    }

    /// Decides on `doc` and learns from it.
    pub fn process(&mut self, doc: &DocInput<'_>) -> Decision {
        let paragraphs = self.main_text(doc);
        let folded_all = text::fold(&format!(
            "{} {}",
            doc.title.unwrap_or_default(),
            paragraphs.join(" ")
        ));
        if !self.story.matches(&folded_all) {
            return Decision {
                reasons: vec!["does not match the story".into()],
                ..Decision::default()
            };
        }
        let sentences = text::sentences(doc.title, &paragraphs);
        let mut found = facts::extract(&sentences, &self.story, doc.date.date_naive());
        // "July 23" with no year means the July 23 the story already speaks of, if any.
        for fact in found.iter_mut().filter(|f| f.inferred_year) {
            if let Some(known) = fact
                .value
                .get(4..)
                .and_then(|md| self.knowledge.known_date_like(md))
            {
                fact.value = known;
            }
        }
        // "Saturday" in a story that already speaks of a Saturday close by means that day.
        let today = doc.date.date_naive();
        for fact in found.iter_mut().filter(|f| f.relative && f.key == "date") {
            if let Some(known) = self.knowledge.known_same_weekday(&fact.value, today) {
                fact.display = facts::display_date(&known).unwrap_or_else(|| known.clone());
                fact.value = known;
            }
        }
        let before = self.knowledge.summary();
        let first = self.knowledge.documents == 0;
        self.knowledge.documents += 1;
        let folded: Vec<&str> = sentences
            .iter()
            .skip_while(|s| s.paragraph == 0)
            .map(|s| s.folded.as_str())
            .collect();
        let (text_share, fresh) = self.knowledge.see_sentences(&folded);
        let offset = sentences.iter().take_while(|s| s.paragraph == 0).count();
        let new_sentences: Vec<String> = fresh
            .iter()
            .map(|i| sentences[i + offset].text.clone())
            .collect();

        let respelled = text::spelling_notes(doc.paragraphs);
        let counted: Vec<_> = self
            .score_facts(&found, doc.source, today)
            .into_iter()
            .filter(|(f, _, _)| {
                let name = format!(" {} ", text::fold(&f.value));
                f.kind != FactKind::Place
                    || !respelled.iter().any(|n| format!(" {n} ").contains(&name))
            })
            .collect();
        let fact_score: f64 = counted.iter().map(|(_, _, w)| w).sum();
        let text_score = self.thresholds.text_weight * text_share;
        let score = fact_score + text_score;
        let mut decision = Decision {
            matched: true,
            baseline: first && self.thresholds.first_document == FirstDocument::Baseline,
            score: (score * 100.0).round() / 100.0,
            facts: counted.iter().map(|(f, _, _)| f.label()).collect(),
            before,
            new_sentences,
            found: found
                .iter()
                .map(|f| {
                    let said = sentences.get(f.sentence).map_or("", |s| s.text.as_str());
                    format!(
                        "{}{} @{}: {}",
                        f.label(),
                        if f.lead { "" } else { " [background]" },
                        f.sentence,
                        excerpt(said, 90)
                    )
                })
                .collect(),
            ..Decision::default()
        };
        decision.reasons = counted.iter().map(|(f, n, w)| reason(f, *n, *w)).collect();
        if text_score > 0.0 {
            decision.reasons.push(format!(
                "new wording: {:.0}% of sentences (+{text_score:.2})",
                text_share * 100.0
            ));
        }
        let enough = score >= self.thresholds.min_score
            && (!counted.is_empty() || self.thresholds.text_alone);
        if decision.baseline {
            decision
                .reasons
                .insert(0, "first document of the story: baseline".into());
        } else if enough {
            self.gate(&mut decision, doc.date);
        } else {
            decision.reasons.push(format!(
                "score {:.2} below {:.2}: no alert",
                score, self.thresholds.min_score
            ));
        }
        if decision.alert {
            let (title, body) = alert_text::compose(&self.story.name, &counted, &found, &sentences);
            decision.title = Some(title);
            decision.body = Some(body);
            for (fact, _, _) in &counted {
                self.knowledge.mark_alerted(fact);
            }
        }
        for fact in &found {
            self.knowledge.learn(fact, doc.source);
        }
        decision.after = self.knowledge.summary();
        decision
    }

    /// The document's paragraphs without chrome and without the lines its source repeats
    /// across many items.
    fn main_text(&mut self, doc: &DocInput<'_>) -> Vec<String> {
        let folded: Vec<String> = doc.paragraphs.iter().map(|p| text::fold(p)).collect();
        let repeated = self.knowledge.repeated_lines(doc.source, doc.item, &folded);
        doc.paragraphs
            .iter()
            .enumerate()
            .filter(|(i, p)| !repeated.contains(i) && !text::is_chrome(p))
            .map(|(_, p)| p.clone())
            .collect()
    }

    /// The new facts that count, each with its novelty and weight. One fact per kind, key and
    /// value: the strongest statement of it in the document wins.
    fn score_facts(
        &self,
        found: &[Fact],
        source: &str,
        today: NaiveDate,
    ) -> Vec<(Fact, Novelty, f64)> {
        let mut best: Vec<(Fact, Novelty, f64)> = Vec::new();
        for fact in found.iter().filter(|f| !is_narrative_date(f, today)) {
            let needed = self.thresholds.corroboration as usize;
            let novelty = match self.knowledge.novelty(fact) {
                Some(novelty) => novelty,
                None if self.knowledge.corroborated_now(fact, source, needed) => {
                    Novelty::Corroborated
                }
                None => continue,
            };
            let kind_weight = match fact.kind {
                FactKind::Date => self.thresholds.weights.date,
                FactKind::Time => self.thresholds.weights.time,
                FactKind::Place => self.thresholds.weights.place,
                FactKind::Quantity => self.thresholds.weights.quantity,
                FactKind::Status => self.thresholds.weights.status,
            };
            let hedge = if fact.hedged {
                self.thresholds.hedged_weight
            } else {
                1.0
            };
            // Counts speak for themselves; other facts need the sentence to be about the story.
            let salience = if fact.kind == FactKind::Quantity {
                fact.salience.max(0.5)
            } else {
                fact.salience
            };
            // News is told in the title and the lead; a new detail further down is background.
            let position = if fact.lead { 1.0 } else { 0.25 };
            // A place is news as where something happens ("held in", "made landfall near");
            // a place merely mentioned weighs less.
            let position = if fact.kind == FactKind::Place && !fact.with_event {
                position * 0.75
            } else {
                position
            };
            let weight = kind_weight * hedge * salience * position * fact.specificity;
            if weight <= 0.0
                || self.knowledge.sources_with(fact, source)
                    < self.thresholds.corroboration as usize
            {
                continue;
            }
            match best
                .iter_mut()
                .find(|(f, _, _)| f.kind == fact.kind && f.key == fact.key && f.value == fact.value)
            {
                Some(entry) if entry.2 < weight => *entry = (fact.clone(), novelty, weight),
                Some(_) => {}
                None => best.push((fact.clone(), novelty, weight)),
            }
        }
        best
    }

    /// Applies cooldown, the hourly cap and quiet hours.
    fn gate(&mut self, decision: &mut Decision, at: DateTime<Utc>) {
        let t = &self.thresholds;
        let cooldown = chrono::Duration::minutes(i64::from(t.cooldown_minutes));
        if let Some(last) = self.alerts.last()
            && t.cooldown_minutes > 0
            && at - *last < cooldown
        {
            decision.reasons.push(format!(
                "cooldown: last alert less than {} min ago",
                t.cooldown_minutes
            ));
            return;
        }
        let hour_ago = at - chrono::Duration::hours(1);
        if t.max_alerts_per_hour > 0
            && self.alerts.iter().filter(|a| **a > hour_ago).count()
                >= t.max_alerts_per_hour as usize
        {
            decision.reasons.push(format!(
                "limit: {} alerts in the last hour",
                t.max_alerts_per_hour
            ));
            return;
        }
        match t.is_quiet(at) {
            Some(QuietMode::Drop) => decision.reasons.push("quiet hours: dropped".into()),
            Some(QuietMode::Hold) => {
                decision
                    .reasons
                    .push("quiet hours: held until they end".into());
                decision.held = true;
                decision.held_until = t.quiet_end(at);
                decision.alert = true;
                self.alerts.push(at);
            }
            None => {
                decision.alert = true;
                self.alerts.push(at);
            }
        }
    }
}

/// A date that tells when something was said or happened rather than a date the story
/// sets: a day long past ("the crash on March 10", in a report of March 17), or a recent
/// weekday in a clause that states no event ("said on Thursday").
fn is_narrative_date(fact: &Fact, today: NaiveDate) -> bool {
    if fact.kind != FactKind::Date || fact.key != "date" {
        return false;
    }
    let Some(date) = facts::dates::parse_day(&fact.value) else {
        return false;
    };
    let days = (date - today).num_days();
    days < -3 || (fact.relative && !fact.with_event && (-7..=1).contains(&days))
}

/// The first `max` characters of `text`, cut at a word boundary.
fn excerpt(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let cut: String = text.chars().take(max).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(head, _)| head);
    format!("{cut}…")
}

fn reason(fact: &Fact, novelty: Novelty, weight: f64) -> String {
    let what = match novelty {
        Novelty::New => "new",
        Novelty::MadeFirm => "made firm (was hedged or expected)",
        Novelty::Rose => "rose",
        Novelty::Changed => "changed",
        Novelty::Corroborated => "corroborated by a further source:",
    };
    format!("{what} {} (+{weight:.2})", fact.label())
}
