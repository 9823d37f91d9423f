//! The real `herald serve` binary as a child process, for tests that kill and restart it.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use super::ADMIN_TOKEN;

/// Starts `herald serve` on port 0 with `dir` as its data directory; returns it and its URL
/// once it has logged the address it listens on.
pub fn start_herald(dir: &Path, config: &Path) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_herald"))
        .args(["serve", "--config"])
        .arg(config)
        .env("HERALD_DATA_DIR", dir)
        .env("HERALD_LISTEN", "127.0.0.1:0")
        .env("HERALD_ADMIN_TOKEN", ADMIN_TOKEN)
        .env("HERALD_LOG", "info")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("herald starts");
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(address) = line.split("address=").nth(1) {
                let _ = tx.send(address.trim().to_owned());
            }
        }
    });
    let address = rx
        .recv_timeout(Duration::from_secs(60))
        .expect("herald logs its address");
    (child, format!("http://{address}"))
}

/// `PRAGMA integrity_check` on the database in `dir`, with no server running.
pub fn integrity_check(dir: &Path) -> String {
    let db = rusqlite::Connection::open(dir.join("herald.db")).expect("open the database");
    db.query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .expect("integrity check")
}
