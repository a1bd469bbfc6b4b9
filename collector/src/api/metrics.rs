//! Prometheus metrics: reports received and rejected (by reason), API latency by route,
//! schools by verdict (computed at scrape time).

use std::sync::Mutex;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

use super::AppState;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct Reason {
    pub reason: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct Route {
    pub method: String,
    pub route: String,
    pub status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct VerdictLabel {
    pub verdict: String,
}

pub struct Metrics {
    registry: Mutex<Registry>,
    pub reports_stored: Counter,
    pub reports_duplicate: Counter,
    pub reports_rejected: Family<Reason, Counter>,
    pub latency: Family<Route, Histogram>,
    pub schools: Family<VerdictLabel, Gauge>,
    /// Full recomputes of the school summaries this node made (its first included).
    pub summary_full_passes: Counter,
    /// Scheduled full recomputes this node left to another node on the same database.
    pub summary_passes_skipped: Counter,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Metrics")
    }
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("ent_collector");
        let reports_stored = Counter::default();
        let reports_duplicate = Counter::default();
        let reports_rejected = Family::<Reason, Counter>::default();
        let latency = Family::<Route, Histogram>::new_with_constructor(|| {
            Histogram::new([
                0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
            ])
        });
        let schools = Family::<VerdictLabel, Gauge>::default();
        registry.register(
            "reports_stored",
            "Reports received and stored",
            reports_stored.clone(),
        );
        registry.register(
            "reports_duplicate",
            "Reports received again (same report id), acknowledged without change",
            reports_duplicate.clone(),
        );
        registry.register(
            "reports_rejected",
            "Reports refused, by reason",
            reports_rejected.clone(),
        );
        registry.register(
            "http_request_duration_seconds",
            "API latency by route",
            latency.clone(),
        );
        registry.register("schools", "Schools by verdict", schools.clone());
        let summary_full_passes = Counter::default();
        let summary_passes_skipped = Counter::default();
        registry.register(
            "summary_full_passes",
            "Full recomputes of the school summaries made by this node",
            summary_full_passes.clone(),
        );
        registry.register(
            "summary_full_passes_skipped",
            "Scheduled full recomputes left to another node on the same database",
            summary_passes_skipped.clone(),
        );
        Metrics {
            registry: Mutex::new(registry),
            reports_stored,
            reports_duplicate,
            reports_rejected,
            latency,
            schools,
            summary_full_passes,
            summary_passes_skipped,
        }
    }
}

impl Metrics {
    pub fn reject(&self, reason: &str) {
        self.reports_rejected
            .get_or_create(&Reason {
                reason: reason.to_owned(),
            })
            .inc();
    }

    pub fn encode(&self) -> String {
        let mut out = String::new();
        if let Ok(reg) = self.registry.lock() {
            let _ = prometheus_client::encoding::text::encode(&mut out, &reg);
        }
        out
    }
}

/// The label of a request's method: one of the standard methods, else `other` (a client
/// may send any token as a method; each one would be a new series, kept for good).
pub fn method_label(method: &Method) -> &'static str {
    [
        Method::GET,
        Method::HEAD,
        Method::POST,
        Method::PUT,
        Method::DELETE,
        Method::OPTIONS,
        Method::PATCH,
        Method::CONNECT,
        Method::TRACE,
    ]
    .iter()
    .find(|m| *m == method)
    .map_or("other", Method::as_str)
}

/// Middleware: time every request by method, route template and status, each from a closed
/// set: [`method_label`], the router's own templates (never the raw path: no UAI or id
/// explosion; `unmatched` for every path no route takes), and the status the collector chose.
pub async fn track(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", MatchedPath::as_str)
        .to_owned();
    let method = method_label(req.method()).to_owned();
    let start = Instant::now();
    let resp = next.run(req).await;
    state
        .metrics
        .latency
        .get_or_create(&Route {
            method,
            route,
            status: resp.status().as_u16(),
        })
        .observe(start.elapsed().as_secs_f64());
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn methods_come_from_a_closed_set() {
        assert_eq!(method_label(&Method::GET), "GET");
        assert_eq!(method_label(&Method::DELETE), "DELETE");
        let odd = Method::from_bytes(b"XYZZYPLUGH").unwrap();
        assert_eq!(method_label(&odd), "other");
    }
}
