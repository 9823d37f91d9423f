//! Status and event phrases ("agreed", "postponed", "made landfall", "found guilty"), and the
//! hedges that make a statement less than firm ("may", "reportedly", "a leading contender").

use std::sync::LazyLock;

use regex::Regex;

/// Events, each with the folded phrases that state it. Synonyms share one event, so that two
/// outlets wording the same news differently ("resigned", "was ousted") agree.
const EVENTS: [(&str, &str); 29] = [
    (
        "agreed",
        r"agreed|agrees to|agreement (was |has been )?(reached|signed)|will (buy|acquire|purchase|take over)|reached (an |a )?(agreement|deal)|struck (a |an )?(deal|agreement)|deal (was |has been )?(reached|struck|agreed)|(signed|signs|sign) (a |an |the )?(\w+ )?(deal|agreement|accord|statement|declaration|treaty)",
    ),
    ("announced", r"announced|unveiled"),
    ("confirmed", r"confirmed"),
    (
        "scheduled",
        r"scheduled|set for|slated|targeting|targets|targeted for|will be held|will take place|to be held|will meet|will hold",
    ),
    (
        "postponed",
        r"postponed|delayed|pushed back|rescheduled|(push|pushes|pushed) (\w+ ){1,3}(launch|summit|meeting|vote|election|attempt|trial|games|race|date) (to|until)",
    ),
    (
        "resumed",
        r"back on|reinstated|revived|resumed|restored|back on track",
    ),
    // A scrubbed launch is a called-off attempt: one event, however it is worded.
    (
        "cancelled",
        r"cancell?ed|called off|call off|scrapped|canceled|scrubbed|scrubs|scrub",
    ),
    ("moved", r"moved to|moved the|brought forward"),
    (
        "left office",
        r"resign(ed|s)?|stepped down|steps down|step down|quit|quits|resignation (was |has been )?accepted|accepted (the |her |his )?resignation|left office|fired|oust|ousted|ousts|sacked|dismissed|(remove|removes|removed) (\w+ ){0,3}(as|from)|forced out",
    ),
    ("arrested", r"arrested|detained|taken into custody"),
    ("charged", r"charged|indicted"),
    (
        "convicted",
        r"convicted|found (\w+ )?guilty|guilty verdict|pleaded guilty",
    ),
    (
        "acquitted",
        r"acquitted|found (\w+ )?not guilty|not guilty verdict|cleared of",
    ),
    ("sentenced", r"sentenced"),
    ("landed", r"landed|touched down|splashed down"),
    ("docked", r"docked|berthed"),
    ("arrived", r"(arrived|arrives|arrive) (in|at)"),
    ("made landfall", r"made landfall|makes landfall|came ashore"),
    (
        "launched",
        r"launched|launches|lifted off|lifts off|blasted off",
    ),
    ("died", r"died|passed away"),
    // Winning an election and being elected are one event, told either way.
    (
        "won",
        r"won|wins|clinched|beat|beats|defeated|defeats|victory over|crowned|champions|(re )?elected|won the election|wins the election",
    ),
    (
        "took office",
        r"sworn in|took office|takes office|assumed office|inaugurated|took over as|takes over as",
    ),
    (
        "called",
        r"called the race|projected (the )?winner|race was called|conceded|concedes|concede defeat",
    ),
    (
        "election called",
        r"(call|calls|called|calling) (a |an )?(\w+ ){0,2}election|dissolved parliament|dissolve parliament",
    ),
    (
        "held",
        r"was held|were held|(held|hold|holds) (a |an |the |their |its )?(\w+ )?(summit|talks|meeting|vote|referendum|election|ceremony)|took place|met in|opened|began|got under way|kicked off|sat down",
    ),
    (
        "collapsed",
        r"collapsed|broke down|(ended|ends|end) (abruptly |early |suddenly )?without (a |an |any )?(deal|agreement)|without a deal|cut short|walked out",
    ),
    (
        "approved",
        r"approved|endorsed|ratified|cleared the|gave the go ahead|green light",
    ),
    (
        "completed",
        r"completed|closed the (deal|acquisition)|finali[sz]ed",
    ),
    (
        "warning",
        r"warning (was |has been )?(issued|raised|upgraded)|raised (the )?(highest |storm )?(warning|signal)|upgraded to",
    ),
];

static EVENT_RES: LazyLock<Vec<(&'static str, Regex)>> = LazyLock::new(|| {
    EVENTS
        .iter()
        .filter_map(|(event, phrases)| {
            Regex::new(&format!(r"\b({phrases})\b"))
                .ok()
                .map(|re| (*event, re))
        })
        .collect()
});

/// All the event patterns at once: one pass tells which of them to look at closer.
static EVENT_SET: LazyLock<regex::RegexSet> = LazyLock::new(|| {
    regex::RegexSet::new(EVENT_RES.iter().map(|(_, re)| re.as_str())).expect("regex set")
});

static HEDGE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(may|might|could|reportedly|report|reports|considering|consider|considers|expected to|contender|contenders|possible|possibly|potential|potentially|sources say|sources said|source said|people familiar|person familiar|according to sources|likely|unlikely|rumou?r|rumou?red|speculation|speculated|weighing|mulling|eyeing|in talks|nearing|close to|front runner|frontrunner|favou?rite|seen as|poised to|unconfirmed|believed to|is said to|are said to|appears to|appeared to|if|whether|hopes? to|plans? to|aims? to|intends? to|seeking to|seeks to|tipped|forecast|forecasts|forecasted|forecasting|predicted|predicts|expected)\b")
        .expect("regex")
});
static FUTURE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(will|would|shall|to be|is to|are to|set to|due to|going to|ll)\b")
        .expect("regex")
});

/// An event stated in a sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundEvent {
    pub event: &'static str,
    /// Said to come (future tense), not yet happened.
    pub expected: bool,
}

/// Whether the (folded) sentence hedges what it states. "May" the month is not a hedge.
pub fn hedged(folded: &str) -> bool {
    HEDGE.find_iter(folded).any(|m| {
        if m.as_str() != "may" {
            return true;
        }
        let next = folded[m.end()..]
            .split_whitespace()
            .next()
            .unwrap_or_default();
        let previous = folded[..m.start()]
            .split_whitespace()
            .next_back()
            .unwrap_or_default();
        !(next.starts_with(|c: char| c.is_ascii_digit()) || MONTH_BEFORE.contains(&previous))
    })
}

/// Words before "may" that make it the month: "in May", "since May", "mid May".
const MONTH_BEFORE: [&str; 14] = [
    "in", "of", "early", "mid", "late", "since", "until", "by", "from", "through", "last", "next",
    "this", "end",
];

/// Words just before an event that make it not (yet) happen: "to resign", "will launch".
const MODALS: [&str; 15] = [
    "to", "will", "would", "could", "may", "might", "should", "must", "can", "shall", "ll",
    "expected", "plans", "wants", "be",
];
/// Verbs before "to" that make what follows done, not planned: "voted to oust".
const DECISIONS: [&str; 6] = [
    "voted",
    "votes",
    "vote",
    "decided",
    "decides",
    "unanimously",
];
/// Words just before an event that deny it.
const NEGATIONS: [&str; 8] = [
    "not", "no", "never", "t", "neither", "nor", "without", "denied",
];

/// Events the (folded) sentence states, each judged by the three words before it: after
/// "to", "will", "may"... it is expected, not happened; after "not", "never"... it is left out.
pub fn find(folded: &str) -> Vec<FoundEvent> {
    let sentence_future = FUTURE.is_match(folded);
    let mut found: Vec<FoundEvent> = Vec::new();
    for index in EVENT_SET.matches(folded).iter() {
        let (event, re) = &EVENT_RES[index];
        for m in re.find_iter(folded) {
            let before: Vec<&str> = folded[..m.start()]
                .split_whitespace()
                .rev()
                .take(3)
                .collect();
            let phrase = m.as_str();
            let acquittal = phrase.contains("not guilty");
            if *event == "convicted"
                && (phrase.contains("not") || folded[m.end()..].trim_start().starts_with("not"))
            {
                continue;
            }
            // "did not resign", "no deal was reached"; but "the No campaign concedes".
            let negated = before
                .iter()
                .enumerate()
                .any(|(i, w)| NEGATIONS.contains(w) && (i == 0 || !matches!(*w, "no" | "without")));
            if !acquittal && negated {
                continue;
            }
            // "voted to remove", "decided to cancel": the decision is the event.
            let decided = *event != "held"
                && before.first() == Some(&"to")
                && before.get(1).is_some_and(|w| DECISIONS.contains(w));
            let modal = !decided && before.iter().any(|w| MODALS.contains(w));
            // Forms that are themselves future ("will be held", "to be held") are scheduled.
            let expected = *event != "scheduled"
                && (modal || (sentence_future && !phrase.ends_with("ed") && !phrase.contains(' ')));
            if let Some(existing) = found.iter_mut().find(|f| f.event == *event) {
                existing.expected &= expected;
            } else {
                found.push(FoundEvent { event, expected });
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::text::fold;

    fn events(sentence: &str) -> Vec<(&'static str, bool)> {
        find(&fold(sentence))
            .into_iter()
            .map(|e| (e.event, e.expected))
            .collect()
    }

    #[test]
    fn events_and_their_tense() {
        assert_eq!(
            events("The Kremlin said an agreement was reached on a summit."),
            [("agreed", false)]
        );
        assert_eq!(
            events("Details will be announced on Thursday."),
            [("announced", true)]
        );
        assert_eq!(
            events("Hurricane Michael made landfall near Mexico Beach."),
            [("made landfall", false)]
        );
        assert_eq!(
            events("The jury found him guilty on all counts."),
            [("convicted", false)]
        );
        assert!(events("He did not resign.").is_empty());
        assert!(events("No deal was reached.").is_empty());
        assert_eq!(events("The No campaign concedes."), [("called", false)]);
    }

    #[test]
    fn decisions_denials_and_synonyms() {
        assert_eq!(
            events("Nissan board votes unanimously to oust Carlos Ghosn as chairman"),
            [("left office", false)]
        );
        assert_eq!(
            events("Saikawa would propose that Ghosn be removed as chairman."),
            [("left office", true)]
        );
        assert!(
            events("Rittenhouse found not guilty in Kenosha shootings")
                .iter()
                .all(|(e, _)| *e != "convicted")
        );
        assert_eq!(events("Joe Biden was elected president."), [("won", false)]);
        assert_eq!(
            events("Weather scrubs SpaceX launch."),
            [("cancelled", false)]
        );
        assert_eq!(
            events("Russia and the United States have agreed to hold a summit."),
            [("agreed", false), ("held", true)]
        );
    }

    #[test]
    fn may_the_month_is_no_hedge() {
        assert!(!hedged(&fold("NASA cleared the May 27 launch.")));
        assert!(!hedged(&fold("The talks began in May.")));
        assert!(hedged(&fold("The launch may slip.")));
    }

    #[test]
    fn hedges() {
        assert!(hedged(&fold("Helsinki remains a leading site contender.")));
        assert!(hedged(&fold(
            "It was possible the summit could occur on July 10."
        )));
        assert!(!hedged(&fold(
            "The summit will be held in Helsinki on July 16."
        )));
    }
}
