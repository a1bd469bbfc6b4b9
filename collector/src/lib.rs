//! ENT readiness collector: receives workstation reports (per-school tokens), stores them,
//! re-scores them with its own profile, and serves aggregated readiness per school,
//! circonscription and département.

pub mod aggregate;
pub mod api;
pub mod connections;
pub mod directory;
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
    let limits = state.config.connections.clone();
    connections::serve(listener, api::router(state), limits, shutdown).await
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
