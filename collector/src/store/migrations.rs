//! Schema migrations, one SQL file each under `collector/migrations/<backend>/`, embedded in
//! the binary: each backend has its own ordered list, because their SQL differs. The two
//! lists mirror each other: migration N has the same name and the same effect on both (a
//! test checks the names), so that a schema change is one new file in each folder.
//!
//! A migration's version is its position in its list, from 1, and its file's number. A
//! backend records the version it reached (SQLite: `PRAGMA user_version`; PostgreSQL: the
//! `schema_migrations` table, written under an advisory lock) and applies the later ones at
//! open. A released migration is never edited nor renumbered, since databases
//! already carry its version: a schema change is a new file at the end of the list.

/// One schema change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Migration {
    /// The schema version once applied.
    pub version: u32,
    /// The file's name, without its extension: `NNNN_what_it_does`.
    pub name: &'static str,
    pub sql: &'static str,
}

/// A migration of `collector/migrations/$backend/$name.sql`.
macro_rules! migration {
    ($backend:literal, $version:literal, $name:literal) => {
        Migration {
            version: $version,
            name: $name,
            sql: include_str!(concat!("../../migrations/", $backend, "/", $name, ".sql")),
        }
    };
}

/// The SQLite schema, oldest first.
pub const SQLITE: &[Migration] = &[
    migration!("sqlite", 1, "0001_initial"),
    migration!("sqlite", 2, "0002_workstation_bandwidth"),
    migration!("sqlite", 3, "0003_schools_apart"),
    migration!("sqlite", 4, "0004_compressed_bodies"),
    migration!("sqlite", 5, "0005_workstations_by_received"),
    migration!("sqlite", 6, "0006_school_academie_region"),
    migration!("sqlite", 7, "0007_read_scopes"),
    migration!("sqlite", 8, "0008_probe_links"),
    migration!("sqlite", 9, "0009_cluster_summaries"),
];

/// The PostgreSQL schema, oldest first: the same migrations as [`SQLITE`], in its SQL.
pub const POSTGRES: &[Migration] = &[
    migration!("postgres", 1, "0001_initial"),
    migration!("postgres", 2, "0002_workstation_bandwidth"),
    migration!("postgres", 3, "0003_schools_apart"),
    migration!("postgres", 4, "0004_compressed_bodies"),
    migration!("postgres", 5, "0005_workstations_by_received"),
    migration!("postgres", 6, "0006_school_academie_region"),
    migration!("postgres", 7, "0007_read_scopes"),
    migration!("postgres", 8, "0008_probe_links"),
    migration!("postgres", 9, "0009_cluster_summaries"),
];

#[cfg(test)]
mod tests {
    use super::*;

    /// Versions count from 1 without gaps, each file's number is its version, and every
    /// file of the backend's directory is in the list (one forgotten would never run).
    fn check_list(backend: &str, list: &[Migration]) {
        // Increasing; a gap only while branches that hold the numbers between are apart
        // (each helper of a parallel session has its own number).
        for (i, m) in list.iter().enumerate() {
            assert!(
                i == 0 && m.version == 1 || i > 0 && m.version > list[i - 1].version,
                "{backend}: {}",
                m.name
            );
            assert_eq!(m.name.get(..5), Some(format!("{:04}_", m.version).as_str()));
            assert!(!m.sql.trim().is_empty(), "{backend}: {} is empty", m.name);
        }
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("migrations")
            .join(backend);
        let mut files: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        files.sort();
        let listed: Vec<String> = list.iter().map(|m| format!("{}.sql", m.name)).collect();
        assert_eq!(files, listed, "{}", dir.display());
    }

    #[test]
    fn sqlite_migrations_are_numbered_and_all_listed() {
        check_list("sqlite", SQLITE);
    }

    #[test]
    fn postgres_migrations_are_numbered_and_all_listed() {
        check_list("postgres", POSTGRES);
    }

    /// Each schema change is made on both backends: same versions, same names.
    #[test]
    fn the_backends_have_the_same_migrations() {
        let names = |l: &[Migration]| l.iter().map(|m| m.name).collect::<Vec<_>>();
        assert_eq!(names(SQLITE), names(POSTGRES));
    }
}
