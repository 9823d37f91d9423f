//! A schedule in plain words ("every 5 minutes", "at 09:00 UTC on weekdays"), read from the
//! parsed cron fields (weekdays as names, see `Schedule::parse`).

use std::time::Duration;

use cron::TimeUnitSpec;

const WEEKDAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];
const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

pub(super) fn every(interval: Duration) -> String {
    let secs = interval.as_secs();
    let (n, unit) = match secs {
        s if s % 3600 == 0 => (s / 3600, "hour"),
        s if s % 60 == 0 => (s / 60, "minute"),
        s => (s, "second"),
    };
    plural(n, unit)
}

pub(super) fn cron(schedule: &cron::Schedule) -> String {
    let secs: Vec<u32> = schedule.seconds().iter().collect();
    let mins: Vec<u32> = schedule.minutes().iter().collect();
    let hours: Vec<u32> = schedule.hours().iter().collect();
    let time = time_of_day(&secs, &mins, &hours);
    let days = days(
        &schedule.days_of_month().iter().collect::<Vec<_>>(),
        &schedule.months().iter().collect::<Vec<_>>(),
        &schedule.days_of_week().iter().collect::<Vec<_>>(),
    );
    if days.is_empty() {
        time
    } else {
        format!("{time}, {days}")
    }
}

fn time_of_day(secs: &[u32], mins: &[u32], hours: &[u32]) -> String {
    let every_hour = hours.len() == 24;
    if secs != [0] && mins.len() == 60 && every_hour {
        return match step(secs, 60) {
            Some((n, 0)) => plural(n.into(), "second"),
            _ => format!("every minute at second {}", list(secs, |s| s.to_string())),
        };
    }
    let at_second = match secs {
        [0] => String::new(),
        [s] => format!(":{s:02}"),
        _ => {
            return format!(
                "at seconds {} of the chosen minutes",
                list(secs, u32::to_string)
            );
        }
    };
    if !every_hour && mins.len() * hours.len() <= 6 {
        let times: Vec<String> = hours
            .iter()
            .flat_map(|h| {
                let at_second = &at_second;
                mins.iter()
                    .map(move |m| format!("{h:02}:{m:02}{at_second}"))
            })
            .collect();
        return format!("at {} UTC", list(&times, String::clone));
    }
    if let ([m], Some((n, first)), false) = (mins, step(hours, 24), every_hour) {
        let at = match m {
            0 => ", on the hour".to_owned(),
            m => format!(" at minute {m}"),
        };
        let from = match first {
            0 => String::new(),
            h => format!(", from {h:02}:00 UTC"),
        };
        return format!("every {n} hours{at}{at_second}{from}");
    }
    let minutes = match (mins, step(mins, 60)) {
        (m, _) if m.len() == 60 => "every minute".to_owned(),
        (_, Some((n, 0))) => plural(n.into(), "minute"),
        (_, Some((n, first))) => format!("every {n} minutes from minute {first}"),
        ([0], _) if every_hour => "every hour, on the hour".to_owned(),
        ([m], _) if every_hour => format!("every hour at minute {m}"),
        _ => format!("at minute {}", list(mins, u32::to_string)),
    };
    let hours = match (hours, step(hours, 24)) {
        (h, _) if h.len() == 24 => String::new(),
        (_, Some((n, 0))) => format!(" of every {n} hours (from 00:00 UTC)"),
        ([first, .., last], _) if contiguous(hours) => {
            format!(" from {first:02}:00 to {last:02}:59 UTC")
        }
        _ => format!(" in hours {} UTC", list(hours, |h| format!("{h:02}"))),
    };
    format!("{minutes}{at_second}{hours}")
}

fn days(doms: &[u32], months: &[u32], dows: &[u32]) -> String {
    let mut parts = Vec::new();
    if dows.len() < 7 {
        parts.push(match dows {
            [2, 3, 4, 5, 6] => "on weekdays (Monday to Friday)".to_owned(),
            [1, 7] => "on weekends".to_owned(),
            [d] => format!("on {}s", weekday(*d)),
            [first, .., last] if dows.len() > 2 && contiguous(dows) => {
                format!("from {} to {}", weekday(*first), weekday(*last))
            }
            _ => format!("on {}", list(dows, |d| weekday(*d).to_owned())),
        });
    }
    if doms.len() < 31 {
        let which = if doms.len() == 1 { "day" } else { "days" };
        parts.push(format!(
            "on {which} {} of the month",
            list(doms, u32::to_string)
        ));
    }
    if months.len() < 12 {
        parts.push(format!("in {}", list(months, |m| month(*m).to_owned())));
    }
    parts.join(" ")
}

/// `(n, first)` when `values` are every `n`-th value from `first` up to `modulus`.
fn step(values: &[u32], modulus: u32) -> Option<(u32, u32)> {
    let (&first, &second) = (values.first()?, values.get(1)?);
    let n = second - first;
    let regular = values.windows(2).all(|w| w[1] - w[0] == n);
    let last = *values.last()?;
    (regular && first < n && last + n >= modulus).then_some((n, first))
}

fn contiguous(values: &[u32]) -> bool {
    values.windows(2).all(|w| w[1] == w[0] + 1)
}

fn plural(n: u64, unit: &str) -> String {
    if n == 1 {
        format!("every {unit}")
    } else {
        format!("every {n} {unit}s")
    }
}

/// "a", "a and b", "a, b and c".
fn list<T>(items: &[T], show: impl Fn(&T) -> String) -> String {
    let shown: Vec<String> = items.iter().map(show).collect();
    match shown.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        Some((last, _)) => last.clone(),
        None => String::new(),
    }
}

fn weekday(ordinal: u32) -> &'static str {
    WEEKDAYS[(ordinal.clamp(1, 7) - 1) as usize]
}

fn month(ordinal: u32) -> &'static str {
    MONTHS[(ordinal.clamp(1, 12) - 1) as usize]
}

#[cfg(test)]
mod tests {
    use super::super::Schedule;

    fn words(text: &str) -> String {
        Schedule::parse(text).expect(text).describe()
    }

    #[test]
    fn common_schedules_read_as_words() {
        for (text, expected) in [
            ("every 30s", "every 30 seconds"),
            ("every 5m", "every 5 minutes"),
            ("every 60m", "every hour"),
            ("every 2h", "every 2 hours"),
            ("* * * * *", "every minute"),
            ("*/5 * * * *", "every 5 minutes"),
            ("5/15 * * * *", "every 15 minutes from minute 5"),
            ("*/30 * * * * *", "every 30 seconds"),
            ("0 * * * *", "every hour, on the hour"),
            ("7 * * * *", "every hour at minute 7"),
            ("0 9 * * *", "at 09:00 UTC"),
            ("30 8,17 * * *", "at 08:30 and 17:30 UTC"),
            ("0 */6 * * *", "at 00:00, 06:00, 12:00 and 18:00 UTC"),
            ("0 */2 * * *", "every 2 hours, on the hour"),
            ("15 1/3 * * *", "every 3 hours at minute 15, from 01:00 UTC"),
            (
                "*/10 9-17 * * *",
                "every 10 minutes from 09:00 to 17:59 UTC",
            ),
            (
                "0 9 * * 1-5",
                "at 09:00 UTC, on weekdays (Monday to Friday)",
            ),
            ("0 9 * * 0", "at 09:00 UTC, on Sundays"),
            ("0 9 * * 7", "at 09:00 UTC, on Sundays"),
            ("0 9 * * 4-6", "at 09:00 UTC, from Thursday to Saturday"),
            ("0 9 * * MON", "at 09:00 UTC, on Mondays"),
            ("0 9 * * SAT,SUN", "at 09:00 UTC, on weekends"),
            ("0 6 1 * *", "at 06:00 UTC, on day 1 of the month"),
            (
                "0 6 1,15 1 *",
                "at 06:00 UTC, on days 1 and 15 of the month in January",
            ),
        ] {
            assert_eq!(words(text), expected, "{text}");
        }
    }
}
