//! Fact extraction: the dates, places, quantities and events a document states about its
//! story, each with the sentence that carried it and whether it was hedged.

pub mod dates;
pub mod places;
pub mod quantities;
pub mod status;

use std::sync::LazyLock;

use chrono::NaiveDate;
use regex::Regex;
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
    /// For a date: told as a weekday or "tomorrow", not written out.
    pub relative: bool,
    /// Its clause also states an event ("set for", "postponed"), so a date or place in it
    /// is when or where something happens, not when it was said.
    pub with_event: bool,
    /// Its clause names an earlier year: it tells the story's past.
    pub history: bool,
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
        let from = facts.len();
        let salience = story.salience(sentence);
        let lead = sentence.paragraph <= 3;
        // A hedge reaches as far as its clause: in "Helsinki hosts the summit, which could
        // come on July 10" the date is hedged, the place is not.
        for (n, clause) in clauses(&sentence.text).into_iter().enumerate() {
            let folded = super::text::fold(clause);
            let hedged = status::hedged(&folded);
            let dateline = sentence.paragraph == 1 && index <= 2 && n == 0;
            extract_clause(
                &mut facts,
                Where {
                    text: clause,
                    folded: &folded,
                    index,
                    salience,
                    lead,
                    hedged,
                    dateline,
                },
                base,
            );
        }
        share_the_written_year(&mut facts[from..]);
    }
    for fact in facts.iter_mut().filter(|f| f.key == INFERRED_YEAR) {
        fact.key = "date".to_owned();
        fact.inferred_year = true;
    }
    facts
}

/// "open on July 23, 2021, and close on August 8": a sentence that writes one year for a
/// date gives it to the dates it leaves without one.
fn share_the_written_year(facts: &mut [Fact]) {
    let written: Vec<&str> = facts
        .iter()
        .filter(|f| f.key == "date" && !f.relative)
        .filter_map(|f| f.value.get(..4))
        .collect();
    let Some(year) = written.first().map(|y| (*y).to_owned()) else {
        return;
    };
    if written.iter().any(|y| *y != year) {
        return;
    }
    for fact in facts.iter_mut().filter(|f| f.key == INFERRED_YEAR) {
        if let Some(month_day) = fact.value.get(4..) {
            let value = format!("{year}{month_day}");
            if dates::parse_day(&value).is_some() {
                fact.value = value;
                fact.key = "date".to_owned();
            }
        }
    }
}

/// Where a clause sits, and what holds for every fact in it.
struct Where<'a> {
    text: &'a str,
    folded: &'a str,
    index: usize,
    salience: f64,
    lead: bool,
    hedged: bool,
    dateline: bool,
}

static CLAUSE_BREAK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:;|:| [—–] | -- |, (?:which|who|where|when|while|but|although|though|whereas|after|before|because|as|and|since|with) )")
        .expect("regex")
});

/// The clauses of a sentence, split where one statement ends and another begins.
fn clauses(sentence: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    for m in CLAUSE_BREAK.find_iter(sentence) {
        // Keep "1:30" and "10:00" whole.
        if m.as_str() == ":" && sentence[m.end()..].starts_with(|c: char| c.is_ascii_digit()) {
            continue;
        }
        out.push(&sentence[start..m.start()]);
        start = m.end();
    }
    out.push(&sentence[start..]);
    out.retain(|c| !c.trim().is_empty());
    out
}

fn extract_clause(facts: &mut Vec<Fact>, at: Where<'_>, base: NaiveDate) {
    let Where {
        text,
        folded,
        index,
        salience,
        lead,
        hedged,
        dateline,
    } = at;
    let events = status::find(folded);
    let with_event = !events.is_empty() || HAPPENS_AT.is_match(folded);
    // "won a minority in 2019", "valued at $2 billion in 2015": history, told as background.
    let history = names_an_earlier_year(text, base);
    let lead = lead && !history;
    let mut push = |kind,
                    key: &str,
                    value: String,
                    display: String,
                    hedged: bool,
                    numeric: Option<f64>,
                    relative: bool| {
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
            relative,
            with_event,
            history,
            specificity,
            numeric,
        });
    };
    for date in dates::find(text, base) {
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
        push(kind, key, date.value, display, hedged, None, !written);
    }
    for place in places::find(text, dateline) {
        push(
            FactKind::Place,
            if place.region { "region" } else { "place" },
            place.name.clone(),
            place.name,
            hedged,
            None,
            false,
        );
    }
    for quantity in quantities::find(text) {
        let value = format_number(quantity.value);
        push(
            FactKind::Quantity,
            quantity.noun,
            value,
            quantity.display,
            hedged,
            Some(quantity.value),
            false,
        );
    }
    for event in events {
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
            false,
        );
    }
}

/// "will be read out in Paris", "is to be buried at Arlington": where something is to happen.
static HAPPENS_AT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b(will|to) be \w+( \w+)? (in|at)\b").expect("regex"));

static YEAR: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b(1[89]\d\d|20\d\d)\b").expect("regex"));

/// Whether the clause names a year before the document's.
fn names_an_earlier_year(clause: &str, base: NaiveDate) -> bool {
    use chrono::Datelike;
    YEAR.captures_iter(clause)
        .filter_map(|c| c[1].parse::<i32>().ok())
        .any(|year| year < base.year())
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
pub fn display_date(value: &str) -> Option<String> {
    dates::parse_day(value).map(dates::display_day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::text::sentences;

    fn facts(text: &str) -> Vec<Fact> {
        let story: Story =
            toml::from_str("name = \"Summit\"\nkeywords = [\"summit\"]\n").expect("story");
        let base = NaiveDate::from_ymd_opt(2018, 6, 28).expect("date");
        extract(&sentences(None, &[text.to_owned()]), &story, base)
    }

    #[test]
    fn a_hedge_reaches_as_far_as_its_clause() {
        let found = facts("The summit will be held in Helsinki, which could come on July 10.");
        let place = found.iter().find(|f| f.value == "Helsinki").expect("place");
        let date = found
            .iter()
            .find(|f| f.value == "2018-07-10")
            .expect("date");
        assert!(!place.hedged);
        assert!(date.hedged);
    }

    #[test]
    fn a_clause_naming_an_earlier_year_is_history() {
        let found = facts("The summit was valued at $2 billion in 2015.");
        let money = found.iter().find(|f| f.key == "money").expect("money");
        assert!(money.history && !money.lead);
    }
}
