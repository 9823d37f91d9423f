//! Places: countries, US states and cities from the GeoNames gazetteer shipped in
//! `assets/gazetteer` (CC BY 4.0), recognised where the prose makes them places.

use std::collections::HashMap;
use std::sync::LazyLock;

/// One gazetteer entry.
#[derive(Debug, Clone)]
struct Place {
    name: &'static str,
    population: u64,
    /// A country or US state: named alone, it is a place.
    region: bool,
}

static GAZETTEER: LazyLock<HashMap<String, Place>> = LazyLock::new(load);

fn load() -> HashMap<String, Place> {
    let mut places: HashMap<String, Place> = HashMap::new();
    let mut add = |key: &str, place: Place| {
        let key = key.trim().to_lowercase();
        if key.chars().count() < 3 {
            return;
        }
        match places.get(&key) {
            Some(existing) if existing.region || existing.population >= place.population => {}
            _ => {
                places.insert(key, place);
            }
        }
    };
    for line in include_str!("../../../assets/gazetteer/countries.tsv")
        .lines()
        .skip(1)
    {
        let f: Vec<&str> = line.split('\t').collect();
        if let [_, name, _, population, alternates, ..] = f.as_slice() {
            let place = Place {
                name,
                population: population.parse().unwrap_or(0),
                region: true,
            };
            add(name, place.clone());
            for alt in alternates.split(',').filter(|a| a.len() > 3) {
                add(alt, place.clone());
            }
        }
    }
    for line in include_str!("../../../assets/gazetteer/us_states.tsv")
        .lines()
        .skip(1)
    {
        if let [_, name, ..] = line.split('\t').collect::<Vec<_>>().as_slice() {
            add(
                name,
                Place {
                    name,
                    population: 0,
                    region: true,
                },
            );
        }
    }
    for line in include_str!("../../../assets/gazetteer/cities.tsv")
        .lines()
        .skip(1)
    {
        let f: Vec<&str> = line.split('\t').collect();
        if let [name, _, population, ..] = f.as_slice() {
            add(
                name,
                Place {
                    name,
                    population: population.parse().unwrap_or(0),
                    region: false,
                },
            );
        }
    }
    places
}

/// Words that make the capitalised name after them a person, not a place.
const TITLES: [&str; 24] = [
    "president",
    "mr",
    "mrs",
    "ms",
    "dr",
    "sen",
    "senator",
    "rep",
    "gov",
    "governor",
    "minister",
    "secretary",
    "adviser",
    "advisor",
    "chancellor",
    "judge",
    "gen",
    "general",
    "king",
    "queen",
    "prince",
    "pope",
    "ceo",
    "coach",
];
/// Words that may stand beside a place name in one capitalised run.
const QUALIFIERS: [&str; 20] = [
    "in", "at", "near", "to", "from", "the", "north", "south", "east", "west", "northern",
    "southern", "eastern", "western", "central", "greater", "downtown", "republic", "on",
    "outside",
];
/// Words before a name that make it a place.
const PREPOSITIONS: [&str; 12] = [
    "in", "at", "near", "to", "from", "outside", "inside", "across", "into", "toward", "towards",
    "off",
];

/// A place named in a sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundPlace {
    pub name: String,
    pub surface: String,
    /// A country or US state: less specific than a city.
    pub region: bool,
}

/// Places named in `sentence`: countries and states anywhere; cities after a preposition, in
/// a dateline, in an apposition ("Helsinki, the capital"), or big enough (half a million
/// people) to be read as the place.
pub fn find(sentence: &str, dateline: bool) -> Vec<FoundPlace> {
    let words: Vec<&str> = sentence.split_whitespace().collect();
    let mut found: Vec<FoundPlace> = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let Some(len) = capitalised_run(&words[i..]) else {
            i += 1;
            continue;
        };
        let run = &words[i..i + len];
        let previous = i.checked_sub(1).map(|p| clean(words[p]).to_lowercase());
        let after = words.get(i + len).map(|w| clean(w).to_lowercase());
        let person = previous.as_deref().is_some_and(|p| TITLES.contains(&p))
            || after
                .as_deref()
                .is_some_and(|a| matches!(a, "said" | "says" | "told" | "added" | "asked"));
        if !person {
            // The longest gazetteer name inside the run, preferring the whole run.
            'outer: for size in (1..=len.min(4)).rev() {
                for start in 0..=len - size {
                    let name = run[start..start + size]
                        .iter()
                        .map(|w| clean(w))
                        .collect::<Vec<_>>()
                        .join(" ");
                    let Some(place) = GAZETTEER.get(&name.to_lowercase()) else {
                        continue;
                    };
                    // Part of a longer proper name ("John Bolton", "Michael Jordan"): not a
                    // place, unless the other words only qualify it ("In", "Northern").
                    let others = run[..start].iter().chain(&run[start + size..]);
                    if size < len
                        && !others
                            .clone()
                            .all(|w| QUALIFIERS.contains(&clean(w).to_lowercase().as_str()))
                    {
                        continue;
                    }
                    let before = if start > 0 {
                        Some(clean(run[start - 1]).to_lowercase())
                    } else {
                        previous.clone()
                    };
                    let after_preposition =
                        before.as_deref().is_some_and(|p| PREPOSITIONS.contains(&p));
                    let last = run[start + size - 1];
                    let before_country = (start + size == len
                        && last.ends_with(',')
                        && next_is_region(&words, i + len))
                        || (last.ends_with(',')
                            && words
                                .get(i + len)
                                .is_some_and(|w| matches!(*w, "the" | "a")));
                    let at_dateline = dateline && i == 0;
                    if place.region
                        || after_preposition
                        || before_country
                        || at_dateline
                        || place.population >= 500_000
                    {
                        if !found.iter().any(|f| f.name == place.name) {
                            found.push(FoundPlace {
                                name: place.name.to_owned(),
                                surface: name,
                                region: place.region,
                            });
                        }
                        break 'outer;
                    }
                }
            }
        }
        i += len;
    }
    found
}

fn next_is_region(words: &[&str], at: usize) -> bool {
    words.get(at).is_some_and(|w| {
        GAZETTEER
            .get(&clean(w).to_lowercase())
            .is_some_and(|p| p.region)
    })
}

/// How many words from the start form a run of capitalised words (allowing "of", "de").
fn capitalised_run(words: &[&str]) -> Option<usize> {
    let capital = |w: &str| clean(w).chars().next().is_some_and(char::is_uppercase);
    if !capital(words[0]) {
        return None;
    }
    let mut len = 1;
    while len < words.len() && !words[len - 1].ends_with([',', '.', ';', ':']) {
        if capital(words[len]) {
            len += 1;
        } else if matches!(words[len], "of" | "de" | "la" | "del")
            && words.get(len + 1).is_some_and(|w| capital(w))
        {
            len += 2;
        } else {
            break;
        }
    }
    Some(len)
}

/// A word without surrounding punctuation or a possessive.
fn clean(word: &str) -> &str {
    let word = word.trim_matches(|c: char| !c.is_alphanumeric());
    word.strip_suffix("'s")
        .or_else(|| word.strip_suffix("’s"))
        .unwrap_or(word)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(sentence: &str) -> Vec<String> {
        find(sentence, false).into_iter().map(|p| p.name).collect()
    }

    #[test]
    fn places_in_context_are_found() {
        assert_eq!(
            names("The summit will be held in Helsinki on July 16."),
            ["Helsinki"]
        );
        assert_eq!(
            names("Helsinki, the capital of Finland, remains a contender."),
            ["Helsinki", "Finland"]
        );
        assert_eq!(
            names("Putin greeted Bolton in the Kremlin in Moscow."),
            ["Moscow"]
        );
        assert_eq!(
            names("The quake struck near Palu on Sulawesi island in Indonesia."),
            ["Palu", "Indonesia"]
        );
    }

    #[test]
    fn people_are_not_places() {
        assert!(names("National security adviser John Bolton met Putin.").is_empty());
        assert!(names("Bolton said the talks went well.").is_empty());
        assert!(names("President Trump tweeted.").is_empty());
    }
}
