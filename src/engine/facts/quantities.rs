//! Quantities with their noun: tolls, injuries, missing, magnitude, category, percentages,
//! money, votes and seats, scores, record times. Numbers are normalized, so "$52.4bn" and
//! "$52.4 billion" are one value.

use std::sync::LazyLock;

use regex::Regex;

#[derive(Debug, Clone, PartialEq)]
pub struct FoundQuantity {
    /// What is counted: `killed`, `injured`, `missing`, `magnitude`, `category`, `percent`,
    /// `money`, `votes`, `seats`, `score`, `duration`, `count`.
    pub noun: &'static str,
    pub value: f64,
    /// Shown in reasons: "832 killed", "$52.4 billion".
    pub display: String,
}

const NUMBER: &str = r"(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|a dozen)(?:\s*(thousand|million|billion|trillion|bn|mn|m|k)\b)?";

static NOUN_AFTER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?i)\b{NUMBER}\s+(?:(?:more|other|people|persons|passengers|crew|miners|workers|residents|civilians|children|soldiers|were|was|have|has|had|are|been|confirmed|reported|so|far|now|on|board|aboard|in|the|crash|quake|earthquake|storm|all|of|them)\s+){{0,5}}(killed|dead|deaths|died|fatalities|lives|bodies|injured|wounded|hurt|missing|unaccounted|votes|seats|electoral votes)\b"
    ))
    .expect("regex")
});
static TOLL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(r"(?i)\b(death toll|toll|number of (?:people )?(?:dead|deaths|victims|killed|fatalities))\b[^.;]{{0,60}}?\b(?:to|at|of|reached|hit|is|was|stands at)\s+(?:at least\s+|more than\s+)?{NUMBER}")).expect("regex")
});
static KILLED_N: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(r"(?i)\b(killed|killing|claimed the lives of|injured|injuring)\s+(?:at least\s+|more than\s+|nearly\s+)?{NUMBER}\b")).expect("regex")
});
static ALL_KILLED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?i)\b(?:all|no survivors among|none of the|everyone of the)\s+(?:the\s+)?{NUMBER}\b"
    ))
    .expect("regex")
});
static ALL_KILLED_CONTEXT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(killed|died|dead|no survivors|perished|lost their lives)\b").expect("regex")
});
static MONEY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(US\$|\$|£|€|¥)\s?(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?:\s*(thousand|million|billion|trillion|bn|mn|m|k)\b)?").expect("regex")
});
static PERCENT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(\d+(?:\.\d+)?)\s*(%|percent\b|per cent\b)").expect("regex")
});
static MAGNITUDE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\bmagnitude(?:\s+(?:at|of|was|is))?[\s-]+(\d(?:\.\d)?)\b|\b(\d(?:\.\d)?)[\s-]*magnitude\b")
        .expect("regex")
});
static CATEGORY: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)\bcategory[\s-]+(\d)\b").expect("regex"));
/// Typhoon warning signals ("Signal No. 4"): a level, like a hurricane's category.
static SIGNAL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)\bsignal\s+(?:no\.?|number|#)\s*(\d)\b").expect("regex"));
/// "a majority of 80", "an 80-seat majority".
static MAJORITY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\bmajority of (\d{1,3})\b|\b(\d{1,3})[\s-]seat majority\b").expect("regex")
});
static SCORE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b(\d{1,2})\s?[-–]\s?(\d{1,2})\b").expect("regex"));
static SCORE_CONTEXT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(win|won|beat|beats|defeat|defeated|victory|lead|led|score|scored|final|draw|drew)\b").expect("regex")
});
static DURATION: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b(\d{1,2}):(\d{2}):(\d{2})\b").expect("regex"));

fn scale(word: Option<&str>) -> f64 {
    match word.map(str::to_lowercase).as_deref() {
        Some("thousand" | "k") => 1e3,
        Some("million" | "mn" | "m") => 1e6,
        Some("billion" | "bn") => 1e9,
        Some("trillion") => 1e12,
        _ => 1.0,
    }
}

fn number(digits: &str, scale_word: Option<&str>) -> Option<f64> {
    digits
        .replace(',', "")
        .parse::<f64>()
        .ok()
        .map(|n| n * scale(scale_word))
}

fn noun_of(word: &str) -> &'static str {
    match word.to_lowercase().as_str() {
        "killed"
        | "killing"
        | "dead"
        | "deaths"
        | "died"
        | "fatalities"
        | "lives"
        | "bodies"
        | "claimed the lives of" => "killed",
        "injured" | "injuring" | "wounded" | "hurt" => "injured",
        "missing" | "unaccounted" => "missing",
        "votes" | "electoral votes" => "votes",
        "seats" => "seats",
        _ => "count",
    }
}

pub fn find(sentence: &str) -> Vec<FoundQuantity> {
    let mut found = Vec::new();
    let mut add = |noun: &'static str, value: Option<f64>, display: String| {
        if let Some(value) = value
            && !found
                .iter()
                .any(|q: &FoundQuantity| q.noun == noun && q.value == value)
        {
            found.push(FoundQuantity {
                noun,
                value,
                display,
            });
        }
    };
    for c in NOUN_AFTER.captures_iter(sentence) {
        let noun = noun_of(&c[3]);
        // "a grave large enough for 1,300 bodies", "room for 500 people": a capacity.
        let whole = c.get(0).map_or(0, |m| m.start());
        if sentence[..whole]
            .trim_end()
            .to_lowercase()
            .ends_with(" for")
        {
            continue;
        }
        add(
            noun,
            number(&c[1], c.get(2).map(|m| m.as_str())),
            format!("{} {noun}", &c[1]),
        );
    }
    for c in TOLL.captures_iter(sentence) {
        add(
            "killed",
            number(&c[2], c.get(3).map(|m| m.as_str())),
            format!("{} killed", &c[2]),
        );
    }
    for c in KILLED_N.captures_iter(sentence) {
        let noun = noun_of(&c[1]);
        add(
            noun,
            number(&c[2], c.get(3).map(|m| m.as_str())),
            format!("{} {noun}", &c[2]),
        );
    }
    if ALL_KILLED_CONTEXT.is_match(sentence) {
        for c in ALL_KILLED.captures_iter(sentence) {
            add(
                "killed",
                number(&c[1], c.get(2).map(|m| m.as_str())),
                format!("{} killed", &c[1]),
            );
        }
    }
    for c in MONEY.captures_iter(sentence) {
        let value = number(&c[2], c.get(3).map(|m| m.as_str()));
        add("money", value, c[0].trim().to_owned());
    }
    for c in PERCENT.captures_iter(sentence) {
        add("percent", c[1].parse().ok(), format!("{}%", &c[1]));
    }
    for c in MAGNITUDE.captures_iter(sentence) {
        let digits = c.get(1).or(c.get(2)).map_or("", |m| m.as_str());
        add(
            "magnitude",
            digits.parse().ok(),
            format!("magnitude {digits}"),
        );
    }
    for c in CATEGORY.captures_iter(sentence) {
        add("category", c[1].parse().ok(), format!("Category {}", &c[1]));
    }
    for c in SIGNAL.captures_iter(sentence) {
        add("signal", c[1].parse().ok(), format!("Signal No. {}", &c[1]));
    }
    for c in MAJORITY.captures_iter(sentence) {
        let digits = c.get(1).or(c.get(2)).map_or("", |m| m.as_str());
        add(
            "majority",
            digits.parse().ok(),
            format!("majority of {digits}"),
        );
    }
    if SCORE_CONTEXT.is_match(sentence) {
        for c in SCORE.captures_iter(sentence) {
            let (a, b): (f64, f64) = (c[1].parse().unwrap_or(0.0), c[2].parse().unwrap_or(0.0));
            add("score", Some(a * 100.0 + b), format!("{}-{}", &c[1], &c[2]));
        }
    }
    for c in DURATION.captures_iter(sentence) {
        let seconds = c[1].parse::<f64>().unwrap_or(0.0) * 3600.0
            + c[2].parse::<f64>().unwrap_or(0.0) * 60.0
            + c[3].parse::<f64>().unwrap_or(0.0);
        add("duration", Some(seconds), c[0].to_owned());
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(sentence: &str) -> Vec<(&'static str, f64)> {
        find(sentence)
            .into_iter()
            .map(|q| (q.noun, q.value))
            .collect()
    }

    #[test]
    fn tolls_in_their_usual_forms() {
        assert_eq!(
            pairs("At least 832 people were killed."),
            [("killed", 832.0)]
        );
        assert_eq!(
            pairs("The death toll rose to 1,234 on Tuesday."),
            [("killed", 1234.0)]
        );
        assert_eq!(
            pairs("The quake killed 832 people and injured 540."),
            [("killed", 832.0), ("injured", 540.0)]
        );
        assert_eq!(pairs("832 dead, dozens missing."), [("killed", 832.0)]);
    }

    #[test]
    fn money_is_one_value_whatever_the_format() {
        assert_eq!(pairs("Disney agreed to pay $52.4bn."), [("money", 52.4e9)]);
        assert_eq!(
            pairs("Disney agreed to pay $52.4 billion."),
            [("money", 52.4e9)]
        );
    }

    #[test]
    fn other_measures() {
        assert_eq!(pairs("A magnitude 7.5 quake struck."), [("magnitude", 7.5)]);
        assert_eq!(
            pairs("The Tories are on course for a majority of 86."),
            [("majority", 86.0)]
        );
        assert_eq!(
            pairs("Signal No. 4 was raised over Cagayan."),
            [("signal", 4.0)]
        );
        assert!(pairs("A grave large enough for 1,300 bodies was dug.").is_empty());
        assert_eq!(
            pairs("Michael became a Category 4 storm."),
            [("category", 4.0)]
        );
        assert_eq!(pairs("Turnout was 64.1 percent."), [("percent", 64.1)]);
        assert_eq!(
            pairs("France beat Croatia 4-2 in the final."),
            [("score", 402.0)]
        );
        assert_eq!(
            pairs("Kipchoge ran 2:01:39 in Berlin."),
            [("duration", 7299.0)]
        );
    }
}
