//! The demo's script: the seed story's pages in the order the news broke, and the RSS feed of
//! the steps shown so far. Pure: no I/O. The pages are the first nine snapshots of the seed
//! story in `tests/corpus/01-trump-putin-summit/docs`, compiled in from there so that the demo
//! and the engine's corpus test read the same files; its `expected.toml` says which of them
//! alert (06, Helsinki on July 16 announced; 09, the summit held).

use std::fmt::Write;

use chrono::{DateTime, Utc};
use quick_xml::escape::escape;

/// One step of the replay: the page `/demo/summit` shows while it lasts.
pub struct Step {
    pub html: &'static [u8],
    /// The page's headline.
    pub title: &'static str,
    /// What changed, for the log and the feed.
    pub label: &'static str,
    /// Whether a reader should get a notification for it.
    pub alert: bool,
}

macro_rules! page {
    ($file:literal) => {
        include_bytes!(concat!(
            "../../tests/corpus/01-trump-putin-summit/docs/",
            $file
        ))
    };
}

pub const STEPS: [Step; 9] = [
    Step {
        html: page!("01-cbsmiami.html"),
        title: "Trump, Putin Summit May Be One Step Closer",
        label: "the article Herald began from: a summit agreed, details on Thursday, Helsinki a \
                contender, maybe July 10 (CBS Miami, June 27)",
        alert: false,
    },
    Step {
        html: page!("02-cbsmiami.html"),
        title: "Trump, Putin Summit May Be One Step Closer",
        label: "the same page again: a new timestamp, other ads, share counts and weather",
        alert: false,
    },
    Step {
        html: page!("03-gulfstreamtimes.html"),
        title: "Trump, Putin summit may be one step closer",
        label: "a syndicated copy of that article (Gulfstream Times)",
        alert: false,
    },
    Step {
        html: page!("04-capitolwire.html"),
        title: "Kremlin says Trump-Putin summit is agreed after Bolton talks; details due Thursday",
        label: "another outlet's rewording with the same facts (Capitol Wire)",
        alert: false,
    },
    Step {
        html: page!("05-newsnow24.html"),
        title: "Trump and Putin agree to hold summit; details expected Thursday",
        label: "a teaser card repeating what is known (NewsNow24)",
        alert: false,
    },
    Step {
        html: page!("06-globalwire.html"),
        title: "Trump and Putin to meet in Helsinki on July 16, White House and Kremlin say",
        label: "announced: Helsinki, July 16 (GlobalWire, June 28)",
        alert: true,
    },
    Step {
        html: page!("07-meridianpost.html"),
        title: "Trump and Putin Will Meet in Helsinki Next Month",
        label: "the same news from another outlet (Meridian Post)",
        alert: false,
    },
    Step {
        html: page!("08-meridianpost.html"),
        title: "Trump and Putin Will Meet in Helsinki Next Month",
        label: "a correction note, nothing new (Meridian Post)",
        alert: false,
    },
    Step {
        html: page!("09-globalwire.html"),
        title: "Trump and Putin hold Helsinki summit, Trump declines to blame Moscow for election \
                meddling",
        label: "the summit is held in Helsinki (GlobalWire, July 16)",
        alert: true,
    },
];

/// An RSS 2.0 feed of the steps shown so far, newest first; `shown[i]` is when step `i` began.
pub fn feed(base: &str, shown: &[DateTime<Utc>]) -> String {
    let page = format!("{base}/demo/summit");
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rss version=\"2.0\"><channel>\n",
    );
    let _ = writeln!(
        xml,
        "<title>Trump–Putin summit, replayed (Herald demo)</title>\n<link>{}</link>\n\
         <description>The seed story's pages, one step at a time, as a live page would change.</description>",
        escape(&page)
    );
    for (index, at) in shown.iter().enumerate().rev() {
        let Some(step) = STEPS.get(index) else {
            continue;
        };
        let _ = writeln!(
            xml,
            "<item><title>{}</title><link>{}</link><guid isPermaLink=\"false\">herald-demo-step-{}</guid>\
             <pubDate>{}</pubDate><description>Step {} of {}: {}</description></item>",
            escape(step.title),
            escape(&page),
            index + 1,
            at.to_rfc2822(),
            index + 1,
            STEPS.len(),
            escape(step.label),
        );
    }
    xml.push_str("</channel></rss>\n");
    xml
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_steps_are_news() {
        let alerts: Vec<usize> = STEPS
            .iter()
            .enumerate()
            .filter(|(_, s)| s.alert)
            .map(|(i, _)| i + 1)
            .collect();
        assert_eq!(alerts, [6, 9]);
        assert!(STEPS.iter().all(|s| s.html.starts_with(b"<!doctype html>")));
    }

    #[test]
    fn the_feed_lists_the_steps_shown_newest_first() {
        let now = Utc::now();
        let xml = feed("http://127.0.0.1:8080", &[now, now]);
        let first = xml.find("herald-demo-step-2").expect("step 2");
        let second = xml.find("herald-demo-step-1").expect("step 1");
        assert!(first < second, "{xml}");
        assert!(!xml.contains("herald-demo-step-3"));
        let spec = crate::sources::ParseSpec {
            kind: crate::domain::SourceKind::Feed,
            url: &url::Url::parse("http://127.0.0.1:8080/demo/feed.xml").expect("url"),
            content_type: Some("application/rss+xml"),
            selector: None,
            json: None,
            fetched_at: now,
        };
        let parsed = crate::sources::parse::parse(&spec, xml.as_bytes()).expect("a valid feed");
        assert_eq!(parsed.documents.len(), 2);
    }
}
