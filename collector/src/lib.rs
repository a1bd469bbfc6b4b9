//! ENT readiness collector: receives workstation reports (per-school tokens), stores them,
//! re-scores them with its own profile, and serves aggregated readiness per school,
//! circonscription and département.

pub mod aggregate;
pub mod api;
pub mod connections;
pub mod directory;
pub mod probe_links;
pub mod store;
pub mod tokens;
pub mod workstations;

use std::future::Future;

pub use api::{ApiConfig, AppState, LoadedProfile};

/// Serve the API on `listener` until `shutdown` completes, then finish the requests in
/// flight, within the connection limits of `state.config.connections`. Tests bind port 0
/// and pass their own shutdown future.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    // Compute the school summaries now rather than on the first read.
    let warm = state.clone();
    tokio::spawn(async move {
        if let Err(e) = warm.summaries.get(&warm).await {
            tracing::warn!("initial summaries: {}", e.message);
        }
    });
    tokio::spawn(follow_other_nodes(state.clone()));
    let limits = state.config.connections.clone();
    connections::serve(listener, api::router(state), limits, shutdown).await
}

/// How often a node asks the database what the other nodes wrote.
const FOLLOW_EVERY: std::time::Duration = std::time::Duration::from_secs(1);
/// How far back each question reaches before the previous one: a write is stamped when its
/// request arrives and may commit up to the store's call deadline (60 s) later, or come from
/// a node whose clock is behind: it is still seen. (The schools already refreshed for a
/// given write time are not refreshed again.)
const FOLLOW_OVERLAP: jiff::SignedDuration = jiff::SignedDuration::from_secs(90);
/// How long after a write its school is refreshed at every question all the same.
const FOLLOW_SETTLE: jiff::SignedDuration = jiff::SignedDuration::from_secs(2);

/// Several collectors on one database: every second, mark dirty in this node's summaries the
/// schools any node wrote lately, and those another node's full pass changed (published by
/// `ClusterSummaries`), so that each node serves another's write within about a second (a version polled, rather than notifications, so that nothing is missed while a
/// connection is down). Returns at once on a backend with one serving collector.
async fn follow_other_nodes(state: AppState) {
    let mut since = jiff::Timestamp::now() - FOLLOW_OVERLAP;
    // The latest write seen of each school within the overlap: a school is refreshed again
    // only for a later one.
    let mut seen: std::collections::HashMap<readiness::Uai, jiff::Timestamp> =
        std::collections::HashMap::new();
    // The same for the schools other nodes' full passes changed.
    let mut seen_published = seen.clone();
    let mut tick = tokio::time::interval(FOLLOW_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        tick.tick().await;
        let asked_at = jiff::Timestamp::now();
        let store = std::sync::Arc::clone(&state.store);
        match tokio::task::spawn_blocking(move || store.schools_written_since(since)).await {
            Ok(Ok(None)) => return,
            Ok(Ok(Some(schools))) => {
                // What another node's full pass changed (stale workstations, imports).
                let published = {
                    let store = std::sync::Arc::clone(&state.store);
                    tokio::task::spawn_blocking(move || {
                        store
                            .cluster()
                            .map_or(Ok(Vec::new()), |c| c.summary_changes_since(since))
                    })
                    .await
                };
                match published {
                    Ok(Ok(changes)) => {
                        for (school, at) in changes {
                            if seen_published.get(&school).is_none_or(|&last| at > last) {
                                state.summaries.mark_changed_elsewhere(&school);
                                seen_published.insert(school, at);
                            }
                        }
                    }
                    Ok(Err(e)) => {
                        tracing::warn!("other nodes' summary changes: {e}");
                        continue;
                    }
                    Err(e) => {
                        tracing::warn!("other nodes' summary changes: {e}");
                        continue;
                    }
                }
                for (school, at) in schools {
                    // Refreshed again while its latest write is recent: another write of the
                    // same millisecond may commit a little later.
                    let recent = asked_at.duration_since(at) < FOLLOW_SETTLE;
                    if recent || seen.get(&school).is_none_or(|&last| at > last) {
                        state.summaries.mark_dirty(&school);
                        seen.insert(school, at);
                    }
                }
                since = asked_at - FOLLOW_OVERLAP;
                seen.retain(|_, at| *at >= since);
                seen_published.retain(|_, at| *at >= since);
            }
            Ok(Err(e)) => tracing::warn!("other nodes' writes: {e}"),
            Err(e) => tracing::warn!("other nodes' writes: {e}"),
        }
    }
}

/// Load a profile file, or the built-in one.
pub fn load_profile(path: Option<&std::path::Path>) -> anyhow::Result<LoadedProfile> {
    use anyhow::Context;
    let (toml, origin) = match path {
        None => (
            readiness::profile::DEFAULT_PROFILE_TOML.to_owned(),
            "built-in profile".to_owned(),
        ),
        Some(p) => (
            std::fs::read_to_string(p)
                .with_context(|| format!("cannot read profile {}", p.display()))?,
            p.display().to_string(),
        ),
    };
    let profile = readiness::Profile::from_toml_str(&toml, &origin)?;
    Ok(LoadedProfile { profile, toml })
}
