//! PostgreSQL's schema migrations: `schema_migrations` records each version applied, and a
//! session-level advisory lock makes the nodes that start together apply them one at a time
//! (the first applies them, the others then find nothing to do). They run on a connection of
//! their own, outside the pool, so that the lock goes with it whatever happens.

use std::time::Duration;

use tokio_postgres::NoTls;

use super::Fault;
use crate::store::migrations::{self, Migration};

/// How long opening may wait for the migrations (another node's included).
pub(super) const DEADLINE: Duration = Duration::from_secs(300);

/// The advisory lock the migrations hold: "ENT-migr" in ASCII, the collector's only
/// single-key lock (the per-school locks use the two-key form, another key space).
const LOCK: i64 = 0x454e_542d_6d69_6772;

/// Apply the migrations the database lacks: the schema version reached, and how many ran.
pub(super) async fn apply(config: tokio_postgres::Config) -> Result<(u32, u32), Fault> {
    let (mut client, connection) = config.connect(NoTls).await?;
    let driver = tokio::spawn(connection);
    let result = apply_locked(&mut client, migrations::POSTGRES).await;
    // Closing the session releases the lock, even after a failure.
    drop(client);
    let _ = driver.await;
    result
}

async fn apply_locked(
    client: &mut tokio_postgres::Client,
    list: &[Migration],
) -> Result<(u32, u32), Fault> {
    client
        .batch_execute("SET lock_timeout = '240s'; SET statement_timeout = 0; SET client_min_messages = warning")
        .await?;
    client
        .execute("SELECT pg_advisory_lock($1)", &[&LOCK])
        .await?;
    client
        .batch_execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (
                version INTEGER PRIMARY KEY,
                name TEXT NOT NULL,
                applied_at BIGINT NOT NULL
            )",
        )
        .await?;
    let applied: i32 = client
        .query_one(
            "SELECT coalesce(max(version), 0) FROM schema_migrations",
            &[],
        )
        .await?
        .try_get(0)?;
    let known = list.last().map_or(0, |m| m.version);
    if u32::try_from(applied).unwrap_or(u32::MAX) > known {
        return Err(Fault::Other(format!(
            "its schema is at version {applied}, newer than this collector's ({known}): run a newer ent-collector"
        )));
    }
    let mut ran = 0;
    let mut reached = u32::try_from(applied).unwrap_or(0);
    for m in list
        .iter()
        .filter(|m| i64::from(m.version) > i64::from(applied))
    {
        let t = client.transaction().await?;
        t.batch_execute(m.sql)
            .await
            .map_err(|e| Fault::Other(format!("migration {}: {}", m.name, super::chain(&e))))?;
        t.execute(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
            &[
                &i32::try_from(m.version).unwrap_or(i32::MAX),
                &m.name,
                &jiff::Timestamp::now().as_millisecond(),
            ],
        )
        .await?;
        t.commit().await?;
        ran += 1;
        reached = m.version;
    }
    client
        .execute("SELECT pg_advisory_unlock($1)", &[&LOCK])
        .await?;
    Ok((reached, ran))
}
