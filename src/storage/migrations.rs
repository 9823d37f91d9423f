//! Forward-only migrations from `migrations/*.sql`, tracked in SQLite's `user_version`.

use rusqlite::Connection;
use rusqlite_migration::{M, Migrations};

use super::StorageError;

/// Every migration, in order. Append only: never edit a file that has shipped.
const MIGRATIONS: &[M<'static>] = &[
    M::up(include_str!("../../migrations/0001_foundation.sql")),
    M::up(include_str!("../../migrations/0002_delivery.sql")),
    M::up(include_str!("../../migrations/0003_sources.sql")),
    M::up(include_str!("../../migrations/0004_websub.sql")),
    M::up(include_str!("../../migrations/0005_stories.sql")),
    M::up(include_str!("../../migrations/0006_admin_accounts.sql")),
    M::up(include_str!("../../migrations/0007_held_alerts.sql")),
    M::up(include_str!("../../migrations/0008_demo.sql")),
];

pub(super) fn apply(conn: &mut Connection) -> Result<(), StorageError> {
    Migrations::from_slice(MIGRATIONS).to_latest(conn)?;
    Ok(())
}

pub(super) fn current_version(conn: &Connection) -> Result<usize, StorageError> {
    let version: i64 = conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
    Ok(usize::try_from(version).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_valid() {
        assert!(Migrations::from_slice(MIGRATIONS).validate().is_ok());
    }

    #[test]
    fn applying_twice_is_a_no_op() {
        let mut conn = Connection::open_in_memory().expect("opens");
        apply(&mut conn).expect("first run");
        apply(&mut conn).expect("second run");
        assert_eq!(current_version(&conn).expect("version"), MIGRATIONS.len());
    }
}
