//! Fact extraction: the dates, places, quantities and events a document states about its
//! story, each with the sentence that carried it and whether it was hedged.

pub mod dates;
pub mod places;
pub mod quantities;
pub mod status;

use chrono::NaiveDate;
use serde::Serialize;

use super::story::Story;
use super::text::Sentence;

/// What kind of detail a fact is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FactKind {
    Date,
    Time,
    Place,
    Quantity,
    Status,
}

impl FactKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Date => "date",
            Self::Time => "time",
            Self::Place => "place",
            Self::Quantity => "quantity",
            Self::Status => "status",
        }
    }
}

/// One fact as found in one sentence.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Fact {
    pub kind: FactKind,
    /// What it is about: `date`, `place`, `killed`, `money`, `status`...
    pub key: String,
    /// Its normalized value: `2018-07-16`, `Helsinki`, `832`, `agreed`.
    pub value: String,
    /// For people: "Helsinki", "July 16", "832 killed".
    pub display: String,
    pub hedged: bool,
    /// How strongly the sentence ties it to the story: 1 names the story's key terms (or is
    /// the title or lead), 0.5 only names one of its any-keywords, 0 neither.
    pub salience: f64,
    pub sentence: usize,
    /// In the title or the first three paragraphs, where news is told.
    pub lead: bool,
    /// For a date: the year was inferred, not written.
    pub inferred_year: bool,
    /// How specific it is: 1, or 0.5 for a country or a month rather than a city or a day.
    pub specificity: f64,
    #[serde(skip)]
    pub numeric: Option<f64>,
}

impl Fact {
    pub fn label(&self) -> String {
        format!(
            "{}: {}{}",
            self.key,
            self.display,
            if self.hedged { " (hedged)" } else { "" }
        )
    }
}

/// Every fact in `sentences`, dated against `base`.
pub fn extract(sentences: &[Sentence], story: &Story, base: NaiveDate) -> Vec<Fact> {
    let mut facts = Vec::new();
    for (index, sentence) in sentences.iter().enumerate() {
        let salience = story.salience(sentence);
        let hedged = status::hedged(&sentence.folded);
        let lead = sentence.paragraph <= 3;
        let mut push = |kind,
                        key: &str,
                        value: String,
                        display: String,
                        hedged: bool,
                        numeric: Option<f64>| {
            let specificity = if key == "period" || key == "region" {
                0.5
            } else {
                1.0
            };
            let key = if key == "region" { "place" } else { key };
            facts.push(Fact {
                kind,
                key: key.to_owned(),
                value,
                display,
                hedged,
                salience,
                sentence: index,
                lead,
                inferred_year: false,
                specificity,
                numeric,
            });
        };
        for date in dates::find(&sentence.text, base) {
            let (kind, key) = match date.kind {
                dates::DateKind::Time => (FactKind::Time, "time"),
                dates::DateKind::Period => (FactKind::Date, "period"),
                dates::DateKind::Day => (FactKind::Date, "date"),
            };
            // Only a written month and day can stand for another year; weekdays and
            // "tomorrow" are tied to the document's date. Marked here, resolved below.
            let written = date.surface.chars().any(|c| c.is_ascii_digit());
            let key = if key == "date" && written && !date.year_given {
                INFERRED_YEAR
            } else {
                key
            };
            let display = display_date(&date.value).unwrap_or(date.surface);
            push(kind, key, date.value, display, hedged, None);
        }
        let dateline = sentence.paragraph == 1 && index <= 2;
        for place in places::find(&sentence.text, dateline) {
            push(
                FactKind::Place,
                if place.region { "region" } else { "place" },
                place.name.clone(),
                place.name,
                hedged,
                None,
            );
        }
        for quantity in quantities::find(&sentence.text) {
            let value = format_number(quantity.value);
            push(
                FactKind::Quantity,
                quantity.noun,
                value,
                quantity.display,
                hedged,
                Some(quantity.value),
            );
        }
        for event in status::find(&sentence.folded) {
            let display = if event.expected {
                format!("{} (expected)", event.event)
            } else {
                event.event.to_owned()
            };
            push(
                FactKind::Status,
                "status",
                event.event.to_owned(),
                display,
                hedged || event.expected,
                None,
            );
        }
    }
    for fact in facts.iter_mut().filter(|f| f.key == INFERRED_YEAR) {
        fact.key = "date".to_owned();
        fact.inferred_year = true;
    }
    facts
}

/// Key of a date whose year was inferred, until `extract` returns.
const INFERRED_YEAR: &str = "date~";

fn format_number(value: f64) -> String {
    if value.fract() == 0.0 {
        format!("{value:.0}")
    } else {
        format!("{value}")
    }
}

/// "July 16" for `2018-07-16`.
fn display_date(value: &str) -> Option<String> {
    let date = NaiveDate::parse_from_str(value, "%Y-%m-%d").ok()?;
    Some(date.format("%B %-d").to_string())
}
