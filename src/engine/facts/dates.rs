//! Dates and times in news prose, resolved against the document's own date: "July 16",
//! "Sept. 12, 2018", "16 July", "2018-07-16", "Thursday", "tomorrow", "next week", "mid-July",
//! "1:30 a.m. EDT".

use std::sync::LazyLock;

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use regex::Regex;

/// A date or time found in a sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundDate {
    /// `2018-07-16`, `2018-W27` (a week), `2018-07` (a month), or `13:30 EDT` (a time).
    pub value: String,
    pub kind: DateKind,
    pub surface: String,
    /// The year was written out, not inferred.
    pub year_given: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateKind {
    Day,
    /// A week or a month: less precise, weighs less.
    Period,
    Time,
}

const MONTHS: &str = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)";

static MONTH_DAY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?i)\b({MONTHS})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+(\d{{4}}))?"
    ))
    .expect("regex")
});
static DAY_MONTH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?i)\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({MONTHS})\b\.?(?:,?\s+(\d{{4}}))?"
    ))
    .expect("regex")
});
static ISO: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b(\d{4})-(\d{2})-(\d{2})\b").expect("regex"));
static WEEKDAY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(next|last|this|on|by|until|from)?\s*(monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b").expect("regex")
});
static RELATIVE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(today|tonight|tomorrow|yesterday|next week|next month)\b").expect("regex")
});
static PART_OF_MONTH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?i)\b(early|mid|late|end of|in)[\s-]+({MONTHS})\b(?:\s+(\d{{4}}))?"
    ))
    .expect("regex")
});
static TIME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(\d{1,2})(?::(\d{2}))?\s*(a\.?m\.?|p\.?m\.?)(?:\s+([A-Z]{2,4}T|GMT|UTC))?")
        .expect("regex")
});
static FUTURE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(will|shall|'ll|to be|is to|are to|set to|due|scheduled|expected|planned|plans?|upcoming|coming|next|would|until|by)\b").expect("regex")
});

fn month_number(name: &str) -> Option<u32> {
    let name = name.to_lowercase();
    [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ]
    .iter()
    .position(|m| name.starts_with(m))
    .map(|i| i as u32 + 1)
}

/// The year that puts month/day closest to the document's date.
fn nearest(month: u32, day: u32, year: Option<i32>, base: NaiveDate) -> Option<NaiveDate> {
    if let Some(year) = year {
        return NaiveDate::from_ymd_opt(year, month, day);
    }
    // News looks ahead: a date up to three months back is this year's, one further back is
    // next year's; one more than nine months ahead is last year's.
    let this_year = NaiveDate::from_ymd_opt(base.year(), month, day)?;
    let offset = (this_year - base).num_days();
    let year = if offset < -90 {
        base.year() + 1
    } else if offset > 270 {
        base.year() - 1
    } else {
        base.year()
    };
    NaiveDate::from_ymd_opt(year, month, day)
}

/// `2018-07-16` as a date; cheaper than a format string, on the engine's hot path.
pub fn parse_day(value: &str) -> Option<NaiveDate> {
    let mut parts = value.splitn(3, '-');
    let year = parts.next()?.parse().ok()?;
    let month = parts.next()?.parse().ok()?;
    let day = parts.next()?.parse().ok()?;
    NaiveDate::from_ymd_opt(year, month, day)
}

/// "July 16" for the date.
pub fn display_day(date: NaiveDate) -> String {
    let month = u8::try_from(date.month())
        .ok()
        .and_then(|m| chrono::Month::try_from(m).ok())
        .map_or("", |m| m.name());
    format!("{month} {}", date.day())
}

pub fn find(sentence: &str, base: NaiveDate) -> Vec<FoundDate> {
    let mut found = Vec::new();
    let mut taken: Vec<(usize, usize)> = Vec::new();
    let mut push =
        |found: &mut Vec<FoundDate>, start: usize, end: usize, value: String, kind: DateKind| {
            if taken.iter().any(|(s, e)| start < *e && end > *s) {
                return;
            }
            taken.push((start, end));
            let surface = sentence[start..end].to_owned();
            let year_given = surface
                .as_bytes()
                .windows(4)
                .any(|w| w.iter().all(u8::is_ascii_digit));
            found.push(FoundDate {
                value,
                kind,
                surface,
                year_given,
            });
        };
    for c in ISO.captures_iter(sentence) {
        let whole = c.get(0).expect("match");
        let date = NaiveDate::from_ymd_opt(num(&c, 1), num(&c, 2) as u32, num(&c, 3) as u32);
        if let Some(date) = date {
            push(
                &mut found,
                whole.start(),
                whole.end(),
                date.to_string(),
                DateKind::Day,
            );
        }
    }
    // "July 16[, 2018]" and "16 July[ 2018]": the same date, month and day in either order.
    for (re, month_at, day_at) in [(&*MONTH_DAY, 1, 2), (&*DAY_MONTH, 2, 1)] {
        for c in re.captures_iter(sentence) {
            let whole = c.get(0).expect("match");
            let year = c.get(3).map(|y| y.as_str().parse().unwrap_or(base.year()));
            let date = month_number(&c[month_at])
                .and_then(|m| nearest(m, num(&c, day_at) as u32, year, base));
            if let Some(date) = date {
                push(
                    &mut found,
                    whole.start(),
                    whole.end(),
                    date.to_string(),
                    DateKind::Day,
                );
            }
        }
    }
    let future = FUTURE.is_match(sentence);
    for c in WEEKDAY.captures_iter(sentence) {
        let whole = c.get(0).expect("match");
        let modifier = c.get(1).map(|m| m.as_str().to_lowercase());
        let Some(weekday) = weekday(&c[2]) else {
            continue;
        };
        let forward = match modifier.as_deref() {
            Some("next" | "this" | "by" | "until") => true,
            Some("last") => false,
            _ => future,
        };
        let date = resolve_weekday(base, weekday, forward);
        push(
            &mut found,
            whole.start(),
            whole.end(),
            date.to_string(),
            DateKind::Day,
        );
    }
    for c in RELATIVE.captures_iter(sentence) {
        let whole = c.get(0).expect("match");
        let (value, kind) = match c[1].to_lowercase().as_str() {
            "today" | "tonight" => (base.to_string(), DateKind::Day),
            "tomorrow" => ((base + Duration::days(1)).to_string(), DateKind::Day),
            "yesterday" => ((base - Duration::days(1)).to_string(), DateKind::Day),
            "next week" => {
                let week = (base + Duration::days(7)).iso_week();
                (
                    format!("{}-W{:02}", week.year(), week.week()),
                    DateKind::Period,
                )
            }
            _ => {
                let next = base
                    .with_day(1)
                    .and_then(|d| d.checked_add_months(chrono::Months::new(1)))
                    .unwrap_or(base);
                (
                    format!("{}-{:02}", next.year(), next.month()),
                    DateKind::Period,
                )
            }
        };
        push(&mut found, whole.start(), whole.end(), value, kind);
    }
    for c in PART_OF_MONTH.captures_iter(sentence) {
        let whole = c.get(0).expect("match");
        let Some(month) = month_number(&c[2]) else {
            continue;
        };
        let year = c
            .get(3)
            .and_then(|y| y.as_str().parse().ok())
            .or_else(|| nearest(month, 1, None, base).map(|d| d.year()));
        if let Some(year) = year {
            push(
                &mut found,
                whole.start(),
                whole.end(),
                format!("{year}-{month:02}"),
                DateKind::Period,
            );
        }
    }
    for c in TIME.captures_iter(sentence) {
        let whole = c.get(0).expect("match");
        let mut hour = num(&c, 1) as u32 % 12;
        if c[3].to_lowercase().starts_with('p') {
            hour += 12;
        }
        let minute = c.get(2).map_or(0, |m| m.as_str().parse().unwrap_or(0));
        let zone = c
            .get(4)
            .map(|z| format!(" {}", z.as_str()))
            .unwrap_or_default();
        push(
            &mut found,
            whole.start(),
            whole.end(),
            format!("{hour:02}:{minute:02}{zone}"),
            DateKind::Time,
        );
    }
    found
}

fn num(c: &regex::Captures<'_>, i: usize) -> i32 {
    c.get(i).and_then(|m| m.as_str().parse().ok()).unwrap_or(0)
}

fn weekday(name: &str) -> Option<Weekday> {
    name.to_lowercase().parse().ok()
}

/// The nearest `weekday` on or after `base` (forward) or on or before it.
fn resolve_weekday(base: NaiveDate, weekday: Weekday, forward: bool) -> NaiveDate {
    let from = base.weekday().num_days_from_monday() as i64;
    let to = weekday.num_days_from_monday() as i64;
    if forward {
        base + Duration::days((to - from).rem_euclid(7))
    } else {
        base - Duration::days((from - to).rem_euclid(7))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(sentence: &str) -> Vec<String> {
        let base = NaiveDate::from_ymd_opt(2018, 6, 27).expect("date"); // a Wednesday
        find(sentence, base).into_iter().map(|d| d.value).collect()
    }

    #[test]
    fn absolute_dates_resolve_to_the_nearest_year() {
        assert_eq!(
            values("The summit will be held on July 16."),
            ["2018-07-16"]
        );
        assert_eq!(values("It opens Sept. 12, 2019 in Oslo."), ["2019-09-12"]);
        assert_eq!(values("On 16 July the leaders meet."), ["2018-07-16"]);
        assert_eq!(values("Filed 2018-06-28."), ["2018-06-28"]);
        assert_eq!(values("Talks resume Jan. 3."), ["2019-01-03"]);
    }

    #[test]
    fn weekdays_follow_the_tense() {
        assert_eq!(
            values("Details will be announced Thursday."),
            ["2018-06-28"]
        );
        assert_eq!(
            values("On Tuesday, two sources said it was possible."),
            ["2018-06-26"]
        );
        assert_eq!(values("Putin met Bolton on Wednesday."), ["2018-06-27"]);
        assert_eq!(values("They meet next week."), ["2018-W27"]);
        assert_eq!(values("Trump will be in Europe in mid-July."), ["2018-07"]);
    }

    #[test]
    fn times_keep_their_zone() {
        assert_eq!(values("Liftoff came at 1:30 a.m. EDT."), ["01:30 EDT"]);
        assert_eq!(values("The vote closes at 10 p.m."), ["22:00"]);
    }
}
