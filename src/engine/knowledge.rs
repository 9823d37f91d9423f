//! What a story already knows, across all its sources: the facts stated so far (firmly or
//! hedged, and by whom), the sentences already seen, and the lines each source repeats.

use std::collections::{BTreeSet, HashMap, HashSet};

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::facts::dates::parse_day;
use super::facts::{Fact, FactKind};

/// Counts that only grow in a developing story: a smaller number is a detail, not news.
const RISING: [&str; 3] = ["killed", "injured", "missing"];

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct KnownFact {
    pub display: String,
    /// Stated firmly by some source (not only hedged or expected).
    pub firm: bool,
    /// Sources that stated it (firmly, once `firm`).
    pub sources: BTreeSet<String>,
    /// Whether an alert already carried it.
    pub alerted: bool,
    /// Stated without a hedge, if only in the background, in a sentence naming the story.
    #[serde(default)]
    pub stated: bool,
}

/// The story's memory.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Knowledge {
    facts: HashMap<String, KnownFact>,
    /// Highest value per rising count.
    highest: HashMap<String, f64>,
    sentences: HashSet<u64>,
    /// Per source: folded paragraph hash → the items it appeared in.
    lines: HashMap<String, HashMap<u64, BTreeSet<String>>>,
    pub documents: u32,
}

/// Why a fact counts as new.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Novelty {
    /// Never stated before.
    New,
    /// Stated before only hedged or as expected; now firm.
    MadeFirm,
    /// A rising count went up.
    Rose,
    /// Known from fewer sources than the story needs; this one makes enough.
    Corroborated,
    /// A number for the same thing changed.
    Changed,
}

fn key(fact: &Fact) -> String {
    format!("{}|{}|{}", fact.kind.as_str(), fact.key, fact.value)
}

impl Knowledge {
    /// Whether `fact` tells the story something it did not know.
    pub fn novelty(&self, fact: &Fact) -> Option<Novelty> {
        if fact.kind == FactKind::Quantity && RISING.contains(&fact.key.as_str()) {
            let highest = self.highest.get(&fact.key).copied();
            return match (highest, fact.numeric) {
                (None, Some(_)) => Some(Novelty::New),
                (Some(h), Some(v)) if v > h => Some(Novelty::Rose),
                _ => None,
            };
        }
        match self.facts.get(&key(fact)) {
            None if fact.kind == FactKind::Quantity
                && self
                    .facts
                    .keys()
                    .any(|k| k.starts_with(&format!("quantity|{}|", fact.key))) =>
            {
                Some(Novelty::Changed)
            }
            // "Bishoftu" for "Bishoftou": a corrected spelling, not a new place.
            None if fact.kind == FactKind::Place
                && self.knows_a_place_spelled_like(&fact.value) =>
            {
                None
            }
            None => Some(Novelty::New),
            // Made firm where news is told, not in passing further down.
            Some(known) if !known.firm && !known.stated && !fact.hedged && fact.lead => {
                Some(Novelty::MadeFirm)
            }
            Some(_) => None,
        }
    }

    fn knows_a_place_spelled_like(&self, name: &str) -> bool {
        name.chars().count() >= 5
            && self
                .facts
                .keys()
                .filter_map(|k| k.strip_prefix("place|place|"))
                .any(|known| known != name && strsim::damerau_levenshtein(known, name) <= 2)
    }

    /// A date the story knows with this month and day (`-07-16`), in whatever year.
    pub fn known_date_like(&self, month_day: &str) -> Option<String> {
        self.facts
            .keys()
            .filter_map(|k| k.strip_prefix("date|date|"))
            .find(|value| value.ends_with(month_day))
            .map(str::to_owned)
    }

    /// A date the story knows that falls on the same weekday as `value` and within six days
    /// of `today`.
    pub fn known_same_weekday(&self, value: &str, today: NaiveDate) -> Option<String> {
        let date = parse_day(value)?;
        self.facts
            .keys()
            .filter_map(|k| k.strip_prefix("date|date|"))
            .filter_map(parse_day)
            .filter(|known| known.weekday() == date.weekday() && *known != date)
            .filter(|known| (*known - today).num_days().abs() <= 6)
            .min_by_key(|known| (*known - today).num_days().abs())
            .map(|known| known.to_string())
    }

    /// Whether `fact`, stated firmly before but never alerted, reaches `needed` independent
    /// sources with `source`, and did not before.
    pub fn corroborated_now(&self, fact: &Fact, source: &str, needed: usize) -> bool {
        if needed <= 1 || fact.hedged {
            return false;
        }
        self.facts.get(&key(fact)).is_some_and(|known| {
            known.firm
                && !known.alerted
                && !known.sources.contains(source)
                && known.sources.len() + 1 == needed
        })
    }

    /// How many sources have stated `fact` firmly, counting `source`.
    pub fn sources_with(&self, fact: &Fact, source: &str) -> usize {
        let known = self.facts.get(&key(fact));
        let mut sources: BTreeSet<&str> = known
            .filter(|k| k.firm || fact.hedged)
            .map(|k| k.sources.iter().map(String::as_str).collect())
            .unwrap_or_default();
        sources.insert(source);
        sources.len()
    }

    /// Records `fact`, firm unless it was hedged, expected, or a background event or count.
    pub fn learn(&mut self, fact: &Fact, source: &str) {
        let entry = self.facts.entry(key(fact)).or_insert_with(|| KnownFact {
            display: fact.display.clone(),
            ..KnownFact::default()
        });
        // Events and counts told only in the background are usually about something else
        // ("the worst disaster since 1992, when 263 were killed"): they are kept, but weakly.
        let background = !fact.lead && matches!(fact.kind, FactKind::Status | FactKind::Quantity);
        let firm = !fact.hedged && !background;
        entry.stated |= !fact.hedged && !fact.history && fact.salience >= 1.0;
        if firm && !entry.firm {
            entry.firm = true;
            entry.sources.clear();
        }
        if firm || !entry.firm {
            entry.sources.insert(source.to_owned());
        }
        if !background
            && fact.kind == FactKind::Quantity
            && RISING.contains(&fact.key.as_str())
            && let Some(value) = fact.numeric
        {
            let highest = self.highest.entry(fact.key.clone()).or_insert(value);
            *highest = highest.max(value);
        }
    }

    pub fn mark_alerted(&mut self, fact: &Fact) {
        if let Some(known) = self.facts.get_mut(&key(fact)) {
            known.alerted = true;
        }
    }

    /// Facts known so far, for explanations: "place: Helsinki (hedged)".
    pub fn summary(&self) -> Vec<String> {
        let mut facts: Vec<String> = self
            .facts
            .iter()
            .filter(|(k, _)| !k.starts_with("time|"))
            .map(|(k, f)| {
                let what = k.split('|').nth(1).unwrap_or_default();
                format!(
                    "{what}: {}{}",
                    f.display,
                    if f.firm { "" } else { " (hedged)" }
                )
            })
            .collect();
        facts.sort();
        facts
    }

    /// Marks sentences as seen; returns the share that were new.
    pub fn see_sentences(&mut self, folded: &[&str]) -> (f64, Vec<usize>) {
        let mut fresh = Vec::new();
        for (i, sentence) in folded.iter().enumerate() {
            if self.sentences.insert(hash(sentence)) {
                fresh.push(i);
            }
        }
        let share = if folded.is_empty() {
            0.0
        } else {
            fresh.len() as f64 / folded.len() as f64
        };
        (share, fresh)
    }

    /// Records which paragraphs `source` published in `item`, and returns the ones it has
    /// published in three or more different items: its boilerplate.
    pub fn repeated_lines(
        &mut self,
        source: &str,
        item: &str,
        folded: &[String],
    ) -> HashSet<usize> {
        let lines = self.lines.entry(source.to_owned()).or_default();
        let mut repeated = HashSet::new();
        for (i, paragraph) in folded.iter().enumerate() {
            let items = lines.entry(hash(paragraph)).or_default();
            items.insert(item.to_owned());
            if items.len() >= 3 {
                repeated.insert(i);
            }
        }
        repeated
    }
}

/// FNV-1a: stable across builds, so stored knowledge stays valid after an upgrade.
fn hash(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}
