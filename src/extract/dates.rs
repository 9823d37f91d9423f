//! Reading the date strings pages put in meta tags, JSON-LD and `<time>`: RFC 3339 and the
//! variants seen in the wild (no `T`, no colon in the offset, no seconds, no zone, date only,
//! RFC 2822). A date without a zone is taken as UTC.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, Utc};

/// Formats with an offset, tried after strict RFC 3339 and RFC 2822.
const ZONED: &[&str] = &[
    "%Y-%m-%dT%H:%M:%S%.f%z",
    "%Y-%m-%dT%H:%M:%S%.f%#z",
    "%Y-%m-%d %H:%M:%S%.f%z",
    "%Y-%m-%d %H:%M:%S%.f %z",
    "%Y-%m-%dT%H:%M%z",
    "%Y-%m-%dT%H:%M%#z",
    "%Y-%m-%d %H:%M%z",
    "%Y%m%dT%H%M%S%z",
];

/// Formats without a zone.
const NAIVE: &[&str] = &[
    "%Y-%m-%dT%H:%M:%S%.f",
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y%m%dT%H%M%S",
];

/// Date-only formats, taken as midnight UTC.
const DATES: &[&str] = &["%Y-%m-%d", "%Y/%m/%d", "%Y%m%d"];

/// Longest string worth trying: dates are short, and junk should not cost parse attempts.
const MAX_LEN: usize = 64;

/// The instant a page's date string names, if it is one.
pub fn parse(raw: &str) -> Option<DateTime<Utc>> {
    let s = raw.trim();
    if s.is_empty() || s.len() > MAX_LEN {
        return None;
    }
    let s = s.strip_suffix(" UTC").map_or(s, |rest| rest.trim_end());
    // `z` and ` Z` are common misspellings of the RFC 3339 UTC designator.
    let normalized = normalize_utc_designator(s);
    let s = normalized.as_str();
    zoned(s)
        .map(|t| t.with_timezone(&Utc))
        .or_else(|| naive(s.strip_suffix('Z').unwrap_or(s)).map(|t| t.and_utc()))
}

fn zoned(s: &str) -> Option<DateTime<FixedOffset>> {
    DateTime::parse_from_rfc3339(s)
        .or_else(|_| DateTime::parse_from_rfc2822(s))
        .ok()
        .or_else(|| {
            ZONED
                .iter()
                .find_map(|f| DateTime::parse_from_str(s, f).ok())
        })
}

fn naive(s: &str) -> Option<NaiveDateTime> {
    NAIVE
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
        .or_else(|| {
            DATES
                .iter()
                .find_map(|f| NaiveDate::parse_from_str(s, f).ok())
                .and_then(|d| d.and_hms_opt(0, 0, 0))
        })
}

fn normalize_utc_designator(s: &str) -> String {
    let trimmed = s
        .strip_suffix(" Z")
        .or_else(|| s.strip_suffix(" z"))
        .or_else(|| s.strip_suffix('z'));
    match trimmed {
        Some(rest) if rest.ends_with(|c: char| c.is_ascii_digit()) => format!("{rest}Z"),
        _ => s.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .map(|t| t.with_timezone(&Utc))
            .expect("test timestamp")
    }

    #[test]
    fn reads_rfc3339_and_common_variants() {
        let want = utc("2019-11-19T13:03:00Z");
        for s in [
            "2019-11-19T13:03:00Z",
            "2019-11-19T13:03:00.000Z",
            "2019-11-19T13:03:00z",
            " 2019-11-19T14:03:00+01:00 ",
            "2019-11-19T14:03:00+0100",
            "2019-11-19T14:03:00.123456+0100",
            "2019-11-19 13:03:00 UTC",
            "2019-11-19 13:03:00",
            "2019-11-19T13:03",
            "2019-11-19T08:03-05:00",
            "2019-11-19T08:03:00-0500",
            "2019-11-19 14:03:00 +0100",
            "Tue, 19 Nov 2019 13:03:00 GMT",
            "Tue, 19 Nov 2019 14:03:00 +0100",
            "20191119T130300Z",
        ] {
            let got = parse(s).map(|t| t.with_nanosecond_zero());
            assert_eq!(got, Some(want), "{s}");
        }
    }

    #[test]
    fn date_only_is_midnight_utc() {
        assert_eq!(parse("2019-11-19"), Some(utc("2019-11-19T00:00:00Z")));
        assert_eq!(parse("2019/11/19"), Some(utc("2019-11-19T00:00:00Z")));
    }

    #[test]
    fn junk_is_none() {
        for s in [
            "",
            "yesterday",
            "2019-13-45",
            "T",
            "Z",
            "z",
            "9999999999-01-01",
            &"2".repeat(500),
        ] {
            assert_eq!(parse(s), None, "{s}");
        }
    }

    trait ZeroNanos {
        fn with_nanosecond_zero(self) -> Self;
    }

    impl ZeroNanos for DateTime<Utc> {
        fn with_nanosecond_zero(self) -> Self {
            use chrono::Timelike;
            self.with_nanosecond(0).unwrap_or(self)
        }
    }
}
