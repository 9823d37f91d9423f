//! What the crash harness checks once the last kill is over and the server has stopped.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use herald::engine::Thresholds;
use herald::engine::replay;

use super::support::push_standin::PushStandin;
use super::{IN_FLIGHT, corpus, db};

/// Every alert reached every subscriber, duplicates within the bound, each story sent what
/// a crash-free replay of its pages sends, no document decided twice, nothing left queued.
pub fn verify(
    dir: &Path,
    standin: &PushStandin,
    names: &[String],
    stories: &[&str],
    ids: &[i64],
    kills: usize,
) {
    standin.assert_no_violations();
    let conn = db(dir);
    let alerts: Vec<(i64, i64)> = conn
        .prepare("SELECT id, story_id FROM alerts WHERE story_id IS NOT NULL")
        .and_then(|mut s| s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect())
        .expect("alerts");
    // Each story sent what a replay of its pages with no crash sends: no fact twice.
    for (story, id) in stories.iter().zip(ids) {
        let definition = replay::load_story(&corpus(story).join("story.toml")).expect("story");
        let files = replay::snapshot_files(&corpus(story).join("docs")).expect("docs");
        let lines = replay::replay(definition, &files, &Thresholds::default()).expect("replay");
        let expected = lines.iter().filter(|l| l.alert).count();
        let sent = alerts.iter().filter(|(_, s)| s == id).count();
        println!("{story}: {sent} alerts (a crash-free replay sends {expected})");
        assert_eq!(
            sent, expected,
            "{story}: alerts sent versus a crash-free replay"
        );
    }
    let twice: i64 = conn
        .query_row(
            "SELECT count(*) FROM (SELECT 1 FROM decisions GROUP BY story_id, document_id HAVING count(*) > 1)",
            [],
            |r| r.get(0),
        )
        .expect("decisions");
    assert_eq!(twice, 0, "a document was decided twice for a story");
    let undelivered: i64 = conn
        .query_row(
            "SELECT count(*) FROM deliveries WHERE state != 'delivered'",
            [],
            |r| r.get(0),
        )
        .expect("deliveries");
    assert_eq!(undelivered, 0, "every delivery ends delivered");

    let wanted: HashSet<i64> = alerts.iter().map(|(id, _)| *id).collect();
    let mut duplicates = 0;
    for name in names {
        let mut seen: HashMap<i64, usize> = HashMap::new();
        for push in standin.received(name) {
            *seen
                .entry(push.payload["alert_id"].as_i64().unwrap_or(-1))
                .or_default() += 1;
        }
        let got: HashSet<i64> = seen.keys().copied().collect();
        assert!(
            wanted.is_subset(&got),
            "{name} missed alerts: {:?}",
            wanted.difference(&got)
        );
        duplicates += seen.values().map(|n| n - 1).sum::<usize>();
    }
    let bound = kills * IN_FLIGHT;
    println!(
        "{kills} kills, {} subscribers, {} alerts, {} pushes, {duplicates} duplicates (bound {bound})",
        names.len(),
        wanted.len(),
        standin.total_received()
    );
    assert!(
        duplicates <= bound,
        "{duplicates} duplicates over {kills} kills"
    );
}
