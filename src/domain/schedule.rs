//! When a source is fetched: a cron expression or a fixed interval.

use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, Utc};

use super::Invalid;

mod describe;

const MIN_INTERVAL: Duration = Duration::from_secs(10);

/// A parsed schedule; `as_str` gives back what the admin wrote.
#[derive(Debug, Clone)]
pub struct Schedule {
    text: String,
    rule: Rule,
}

#[derive(Debug, Clone)]
enum Rule {
    Cron(Box<cron::Schedule>),
    Every(Duration),
}

impl PartialEq for Schedule {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

impl Schedule {
    /// Accepts `every 30s|5m|2h`, a 5-field cron expression (minute first), or a 6-field one
    /// (seconds first). Anything else is an `invalid_schedule` error saying which forms work.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let text = raw.split_whitespace().collect::<Vec<_>>().join(" ");
        let rule = if let Some(every) = text.strip_prefix("every ") {
            Rule::Every(parse_interval(every)?)
        } else {
            let expression = match text.split(' ').count() {
                5 => format!("0 {text}"),
                6 => text.clone(),
                n => return Err(invalid(&text, &format!("has {n} fields"))),
            };
            // Weekdays as standard cron numbers them (0 and 7 Sunday, 1 Monday), which the
            // cron crate does not: it counts from 1 for Sunday. Names mean the same to both.
            let expression = match expression.rsplit_once(' ') {
                Some((head, weekdays)) => {
                    let weekdays =
                        standard_weekdays(weekdays).map_err(|why| invalid(&text, &why))?;
                    format!("{head} {weekdays}")
                }
                None => expression,
            };
            let schedule = cron::Schedule::from_str(&expression)
                .map_err(|e| invalid(&text, &e.to_string()))?;
            let mut runs = schedule.after(&Utc::now());
            if let (Some(a), Some(b)) = (runs.next(), runs.next())
                && (b - a).to_std().unwrap_or_default() < MIN_INTERVAL
            {
                return Err(invalid(&text, "runs more often than every 10 seconds"));
            }
            Rule::Cron(Box::new(schedule))
        };
        Ok(Self { text, rule })
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The schedule in plain words, e.g. "every 5 minutes" or "at 09:00 UTC, on Mondays".
    pub fn describe(&self) -> String {
        match &self.rule {
            Rule::Cron(schedule) => describe::cron(schedule),
            Rule::Every(interval) => describe::every(*interval),
        }
    }

    /// The first run strictly after `after`.
    pub fn next_after(&self, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
        match &self.rule {
            Rule::Cron(schedule) => schedule.after(&after).next(),
            Rule::Every(interval) => Some(after + *interval),
        }
    }

    /// The typical gap between runs, used to size jitter and backoff.
    pub fn period(&self) -> Duration {
        match &self.rule {
            Rule::Every(interval) => *interval,
            Rule::Cron(schedule) => {
                let mut runs = schedule.after(&Utc::now());
                match (runs.next(), runs.next()) {
                    (Some(a), Some(b)) => (b - a).to_std().unwrap_or(MIN_INTERVAL),
                    _ => Duration::from_secs(3600),
                }
            }
        }
    }
}

fn parse_interval(raw: &str) -> Result<Duration, Invalid> {
    let raw = raw.trim();
    let split = raw.find(|c: char| !c.is_ascii_digit()).unwrap_or(raw.len());
    let (number, unit) = raw.split_at(split);
    let number: u64 = number
        .parse()
        .map_err(|_| invalid(raw, "needs a number, e.g. every 5m"))?;
    let seconds = match unit.trim() {
        "s" | "sec" | "seconds" => number,
        "m" | "min" | "minutes" => number * 60,
        "h" | "hours" => number * 3600,
        _ => return Err(invalid(raw, "needs a unit: s, m or h")),
    };
    let interval = Duration::from_secs(seconds);
    if interval < MIN_INTERVAL {
        return Err(invalid(raw, "is shorter than 10 seconds"));
    }
    Ok(interval)
}

const WEEKDAYS: [&str; 8] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"];

/// The day-of-week field with every number written as a name: "1-5" → "MON,TUE,WED,THU,FRI".
/// `*` and `*/n` stay: both numberings start the week on Sunday.
fn standard_weekdays(field: &str) -> Result<String, String> {
    let number = |n: &str| {
        n.parse::<usize>()
            .ok()
            .filter(|n| *n <= 7)
            .ok_or_else(|| format!("weekday {n} is not 0-7 or a name"))
    };
    let mut out = Vec::new();
    for token in field.split(',') {
        let (range, step) = match token.split_once('/') {
            Some((range, step)) => (range, Some(step)),
            None => (token, None),
        };
        if range == "*" || range == "?" || !range.starts_with(|c: char| c.is_ascii_digit()) {
            out.push(token.to_owned());
            continue;
        }
        let (first, last) = match range.split_once('-') {
            Some((a, b)) => (number(a)?, number(b)?),
            None if step.is_some() => (number(range)?, 6),
            None => (number(range)?, number(range)?),
        };
        let step = match step {
            Some(s) => s
                .parse::<usize>()
                .ok()
                .filter(|s| *s > 0)
                .ok_or_else(|| format!("weekday step {s} is not a number"))?,
            None => 1,
        };
        if first > last {
            return Err(format!("weekday range {range} runs backwards"));
        }
        out.extend((first..=last).step_by(step).map(|d| WEEKDAYS[d].to_owned()));
    }
    Ok(out.join(","))
}

fn invalid(text: &str, why: &str) -> Invalid {
    Invalid::new(
        "invalid_schedule",
        format!(
            "schedule {text:?} {why}; use a cron expression with 5 fields (minute hour day month weekday), \
             6 fields (with seconds first), or \"every 30s\", \"every 5m\", \"every 1h\""
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_and_six_field_cron_and_intervals_parse() {
        let now = DateTime::parse_from_rfc3339("2026-01-01T10:02:30Z")
            .expect("date")
            .to_utc();
        let five = Schedule::parse("*/5 * * * *").expect("5 fields");
        assert_eq!(
            five.next_after(now).expect("next").to_rfc3339(),
            "2026-01-01T10:05:00+00:00"
        );
        let six = Schedule::parse("30 */10 * * * *").expect("6 fields");
        assert_eq!(
            six.next_after(now).expect("next").to_rfc3339(),
            "2026-01-01T10:10:30+00:00"
        );
        let every = Schedule::parse("every 2m").expect("interval");
        assert_eq!(
            every.next_after(now).expect("next").to_rfc3339(),
            "2026-01-01T10:04:30+00:00"
        );
        assert_eq!(every.period(), Duration::from_secs(120));
    }

    #[test]
    fn anything_else_is_a_clear_error() {
        for bad in [
            "",
            "* * * *",
            "* * * * * * * *",
            "61 * * * *",
            "every",
            "every 5",
            "every 1s",
            "* * * * * *",
        ] {
            let err = Schedule::parse(bad).expect_err(bad);
            assert_eq!(err.code, "invalid_schedule");
            assert!(err.message.contains("cron expression"), "{}", err.message);
        }
    }
}
