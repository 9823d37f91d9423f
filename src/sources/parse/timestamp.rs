//! Feed timestamps as they are found in the wild: RFC 3339, RFC 2822 with or without a zone
//! name, and the odd formats some publishers invent ("Sat, Dec 16 2023 02:02:33 PM").

use chrono::{DateTime, FixedOffset, NaiveDateTime, Utc};

const ZONES: [(&str, i32); 12] = [
    ("GMT", 0),
    ("UTC", 0),
    ("UT", 0),
    ("Z", 0),
    ("EST", -5),
    ("EDT", -4),
    ("CST", -6),
    ("CDT", -5),
    ("MST", -7),
    ("MDT", -6),
    ("PST", -8),
    ("PDT", -7),
];

const WITH_OFFSET: [&str; 4] = [
    "%a, %d %b %Y %H:%M:%S %z",
    "%d %b %Y %H:%M:%S %z",
    "%a, %d %b %Y %H:%M %z",
    "%Y-%m-%d %H:%M:%S %z",
];

const NAIVE: [&str; 9] = [
    "%a, %b %d %Y %I:%M:%S %p",
    "%a, %d %b %Y %H:%M:%S",
    "%d %b %Y %H:%M:%S",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M:%S%.f",
    "%B %d, %Y %I:%M %p",
    "%b %d, %Y %I:%M %p",
    "%a, %d %b %Y %H:%M",
];

/// The timestamp in `text`, or `None` when no known form fits.
pub fn parse(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(date) = DateTime::parse_from_rfc3339(text) {
        return Some(date.to_utc());
    }
    if let Ok(date) = DateTime::parse_from_rfc2822(text) {
        return Some(date.to_utc());
    }
    let (rest, offset) = split_zone(text);
    if let Some(offset) = offset {
        return NAIVE
            .iter()
            .find_map(|f| NaiveDateTime::parse_from_str(rest, f).ok())
            .and_then(|naive| {
                naive
                    .and_local_timezone(offset)
                    .single()
                    .map(|d| d.to_utc())
            });
    }
    WITH_OFFSET
        .iter()
        .find_map(|f| DateTime::parse_from_str(text, f).ok().map(|d| d.to_utc()))
        .or_else(|| {
            NAIVE
                .iter()
                .find_map(|f| NaiveDateTime::parse_from_str(text, f).ok())
                .map(|n| n.and_utc())
        })
}

/// Splits a trailing zone name off (`... GMT`, `... EDT`).
fn split_zone(text: &str) -> (&str, Option<FixedOffset>) {
    if let Some((rest, zone)) = text.rsplit_once(' ')
        && let Some((_, hours)) = ZONES
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(zone))
    {
        return (rest.trim(), FixedOffset::east_opt(hours * 3600));
    }
    (text, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_forms_feeds_use() {
        let cases = [
            ("2018-06-28T10:00:00Z", "2018-06-28T10:00:00+00:00"),
            ("Thu, 28 Jun 2018 10:00:00 GMT", "2018-06-28T10:00:00+00:00"),
            ("Thu, 28 Jun 2018 06:00:00 EDT", "2018-06-28T10:00:00+00:00"),
            (
                "Thu, 28 Jun 2018 10:00:00 +0300",
                "2018-06-28T07:00:00+00:00",
            ),
            ("Sat, Dec 16 2023 02:02:33 PM", "2023-12-16T14:02:33+00:00"),
            ("2018-06-28 10:00:00", "2018-06-28T10:00:00+00:00"),
        ];
        for (text, expected) in cases {
            assert_eq!(
                parse(text).map(|d| d.to_rfc3339()).as_deref(),
                Some(expected),
                "{text}"
            );
        }
        assert_eq!(parse("yesterday"), None);
        assert_eq!(parse(""), None);
    }
}
