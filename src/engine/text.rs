//! Text normalization: drop page chrome that survives extraction, split into sentences, fold
//! case, punctuation and Unicode for comparison.

use std::sync::LazyLock;

use regex::Regex;
use unicode_normalization::UnicodeNormalization;

/// One sentence of a document's main text.
#[derive(Debug, Clone, PartialEq)]
pub struct Sentence {
    /// As written (whitespace folded).
    pub text: String,
    /// Folded for comparison: lowercase, no accents, punctuation as spaces.
    pub folded: String,
    /// Index of its paragraph; 0 is the title.
    pub paragraph: usize,
}

static CHROME: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    [
        // Relative times and update stamps.
        r"(?i)^(updated|posted|published|last updated|modified)\b.{0,60}$",
        r"(?i)\b(published|updated|posted)\b.{0,40}(\d{1,2}:\d{2}|\d{4})",
        r"(?i)^\d+\s+(seconds?|minutes?|mins?|hours?|hrs?|days?|weeks?)\s+ago\b",
        r"(?i)^(just now|moments ago)$",
        // Counters.
        r"(?i)^[\d.,]+\s*[km]?\s+(comments?|shares?|likes?|views?|reactions?|reads?|retweets?)\b.{0,20}$",
        r"(?i)^(comments?|shares?)\s*[:(]?\s*[\d.,]+[km]?\)?$",
        // Bylines, credits and timestamps on their own.
        r"^(?i:by)\s+\p{Lu}[\p{L}.'’-]+(\s+\p{Lu}[\p{L}.'’-]+){1,3}(\s*(,|and|&)\s*\p{Lu}[\p{L}.'’-]+(\s+\p{Lu}[\p{L}.'’-]+){1,3})*(\s*[,|·-]\s*\p{Lu}[^.]{0,40})?$",
        r"(?i)^(photo|image|video|graphic)s?\s*(:|by|credit)",
        r"(?i)^\(?(ap|afp|reuters|cnn|getty images?|associated press)\)?\.?$",
        r"(?i)^(mon|tue|wed|thu|fri|sat|sun)[a-z]*,?\s+\w+\s+\d{1,2},?\s+\d{4}(\s+\d{1,2}:\d{2}.*)?$",
        r"(?i)^\w+\s+\d{1,2},\s+\d{4}(\s*(/|at|,|\|)?\s*\d{1,2}:\d{2}.*)?$",
        r"(?i)^\d{1,2}:\d{2}\s*(am|pm|a\.m\.|p\.m\.)?(\s+[a-z]{2,4})?$",
        // Teasers, calls to action and page furniture.
        r"(?i)^(read more|read next|more:|related:|related stories|see also|watch:|listen:|photos:|video:|advertisement|sponsored|ad\b|skip to|sign up|subscribe|newsletter|follow us|share this|share on|click here|tap here|download (the|our) app|continue reading|most read|trending|recommended)",
        r"(?i)(cookies?|privacy policy|terms of (use|service)|all rights reserved|©)",
        r"(?i)^(open|continue|get) (in|the) app\b",
    ]
    .iter()
    .filter_map(|pattern| Regex::new(pattern).ok())
    .collect()
});

/// Whether a paragraph is page chrome rather than news text.
pub fn is_chrome(paragraph: &str) -> bool {
    let words = paragraph.split_whitespace().count();
    if words == 0 {
        return true;
    }
    // A word or three with no sentence end is a menu item, a label or a button that the
    // extraction kept ("Launches", "Most read"), not prose.
    if words <= 3
        && !paragraph
            .trim_end()
            .ends_with(['.', '!', '?', '"', '\u{201d}'])
    {
        return true;
    }
    // Correction notes that change no fact are about the text, not the story.
    if words < 40 && paragraph.to_lowercase().contains("earlier version") {
        return true;
    }
    words <= 25 && CHROME.iter().any(|re| re.is_match(paragraph.trim()))
}

/// The folded text of the document's notes that correct a spelling ("An earlier version of
/// this article misspelled the name of the town of Bishoftu."): the names in them are not news.
pub fn spelling_notes(paragraphs: &[String]) -> Vec<String> {
    paragraphs
        .iter()
        .filter(|p| p.len() < 400 && (p.contains("earlier version") || p.contains("orrection")))
        .map(|p| fold(p))
        .filter(|p| {
            p.split_whitespace().count() < 40
                && (p.contains("earlier version") || p.starts_with("correction"))
                && ["misspel", "spelled", "spelling", "typo"]
                    .iter()
                    .any(|w| p.contains(w))
        })
        .collect()
}

/// Lowercase, accents removed, punctuation turned into spaces, whitespace folded.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text
        .nfkd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
    {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if c == '.' || c == ',' {
            // Keep decimal points and thousands separators inside numbers.
            if out.chars().last().is_some_and(|p| p.is_ascii_digit()) {
                out.push(c);
            } else {
                out.push(' ');
            }
        } else {
            out.push(' ');
        }
    }
    let folded: Vec<&str> = out
        .split_whitespace()
        .map(|w| w.trim_end_matches(['.', ',']))
        .collect();
    folded.join(" ")
}

/// Words that end with a period without ending a sentence.
const ABBREVIATIONS: [&str; 40] = [
    "mr", "mrs", "ms", "dr", "st", "jr", "sr", "gen", "sen", "rep", "gov", "lt", "col", "sgt",
    "capt", "prof", "inc", "corp", "ltd", "co", "vs", "no", "jan", "feb", "mar", "apr", "jun",
    "jul", "aug", "sep", "sept", "oct", "nov", "dec", "u.s", "u.k", "a.m", "p.m", "e.g", "i.e",
];

/// Splits paragraphs into sentences; the title (if any) is sentence paragraph 0.
pub fn sentences(title: Option<&str>, paragraphs: &[String]) -> Vec<Sentence> {
    let mut out = Vec::new();
    if let Some(title) = title.filter(|t| !t.trim().is_empty()) {
        out.push(sentence(title.trim(), 0));
    }
    for (i, paragraph) in paragraphs.iter().enumerate() {
        for text in split_sentences(paragraph) {
            out.push(sentence(&text, i + 1));
        }
    }
    out
}

fn sentence(text: &str, paragraph: usize) -> Sentence {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    Sentence {
        folded: fold(&text),
        text,
        paragraph,
    }
}

fn split_sentences(paragraph: &str) -> Vec<String> {
    let chars: Vec<char> = paragraph.chars().collect();
    let mut sentences = Vec::new();
    let mut start = 0;
    for i in 0..chars.len() {
        if !matches!(chars[i], '.' | '!' | '?') {
            continue;
        }
        let mut j = i + 1;
        while j < chars.len() && matches!(chars[j], '"' | '\'' | '”' | '’' | ')') {
            j += 1;
        }
        let next_starts = j + 1 < chars.len() && chars[j].is_whitespace() && {
            let next = chars[j + 1];
            next.is_uppercase() || matches!(next, '"' | '“' | '\'' | '(') || next.is_ascii_digit()
        };
        if !next_starts || (chars[i] == '.' && is_abbreviation(&chars[start..i])) {
            continue;
        }
        sentences.push(chars[start..j].iter().collect::<String>().trim().to_owned());
        start = j;
    }
    let rest: String = chars[start..].iter().collect();
    if !rest.trim().is_empty() {
        sentences.push(rest.trim().to_owned());
    }
    sentences
}

fn is_abbreviation(before: &[char]) -> bool {
    let word: String = before
        .iter()
        .rev()
        .take_while(|c| !c.is_whitespace())
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    let word = word.trim_start_matches(['(', '"', '“']).to_lowercase();
    // Initials ("J.") and known abbreviations.
    (word.chars().count() == 1 && word.chars().all(char::is_alphabetic))
        || ABBREVIATIONS.contains(&word.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chrome_is_recognised_and_news_is_not() {
        for chrome in [
            "Updated 5 minutes ago",
            "3 hours ago",
            "48 comments",
            "9,000 shares",
            "By Jane Doe and John Smith, CNN",
            "Read more: Trump, Putin to meet",
            "Photos: The summit in pictures",
            "June 28, 2018 / 10:32 AM",
            "Advertisement",
            "An earlier version of this story misspelled the name of Finland's president.",
        ] {
            assert!(is_chrome(chrome), "{chrome}");
        }
        for news in [
            "The summit will be held in Helsinki on July 16.",
            "By Thursday, officials said, the details would be public.",
            "At least 832 people were killed.",
        ] {
            assert!(!is_chrome(news), "{news}");
        }
    }

    #[test]
    fn sentences_respect_abbreviations() {
        let got = sentences(None, &["Details will come Sept. 12 at 1:30 p.m. EDT. Mr. Bolton met Putin in Moscow. \"It went well,\" he said.".into()]);
        let texts: Vec<&str> = got.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "Details will come Sept. 12 at 1:30 p.m. EDT.",
                "Mr. Bolton met Putin in Moscow.",
                "\"It went well,\" he said."
            ]
        );
    }

    #[test]
    fn folding_ignores_case_accents_and_punctuation() {
        assert_eq!(
            fold("Trump–Putin Summit: Helsinki, Finland!"),
            "trump putin summit helsinki finland"
        );
        assert_eq!(
            fold("São Paulo's 1,234.5 votes."),
            "sao paulo s 1,234.5 votes"
        );
    }
}
