//! The request logs name the method, the route template and the status, never the path (a
//! UAI), the query (a speed-test session id) or the token. In a process of its own: tracing's
//! callsite cache is global, and a scoped subscriber misses events when other tests of the
//! same binary hit the same callsites at the same time.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use ent_collector::{ApiConfig, AppState, api};
use tower::ServiceExt;
use tracing::Level;

/// A log sink the test reads back.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn request_logs_name_the_route_never_the_path_query_or_token() {
    let logs = Captured::default();
    let sink = logs.clone();
    // The process-wide subscriber, set before any request: every callsite sees it.
    tracing_subscriber::fmt()
        .with_max_level(Level::DEBUG)
        .with_ansi(false)
        .with_writer(move || sink.clone())
        .init();
    let dir = tempfile::tempdir().unwrap();
    let store = ent_collector::store::open(dir.path().join("t.db").to_str().unwrap()).unwrap();
    let profile = ent_collector::load_profile(None).unwrap();
    let app = api::router(AppState::new(
        Arc::from(store),
        profile,
        ApiConfig::default(),
    ));
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let get = |uri: &str| {
        Request::get(uri)
            .header(header::AUTHORIZATION, "Bearer ents_tokensecret")
            .body(Body::empty())
            .unwrap()
    };
    rt.block_on(async {
        let ping = get("/api/v1/speedtest/ping?session=sessionsecret");
        let resp = app.clone().oneshot(ping).await.unwrap();
        assert_eq!(resp.status(), StatusCode::NOT_FOUND);
        let school = get("/api/v1/schools/0751234J");
        let resp = app.oneshot(school).await.unwrap();
        assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    });
    let text = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    assert!(text.contains(r#"route="/api/v1/speedtest/ping""#), "{text}");
    assert!(text.contains(r#"route="/api/v1/schools/{uai}""#), "{text}");
    assert!(
        text.contains("method=GET") && text.contains("status=401"),
        "{text}"
    );
    assert!(
        !text.contains("secret") && !text.contains("0751234J"),
        "{text}"
    );
}
