//! Tests only: a collector on 127.0.0.1 that follows the contract (`POST /api/v1/reports`
//! idempotent on `report_id`, `GET /api/v1/profile`) and can be scripted to answer 429 with
//! `Retry-After`, 5xx, 4xx, or not at all.

use std::collections::{HashSet, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use crate::enroll::{Enrollment, Token};
use crate::spool::SpoolLimits;

pub const TOKEN: &str = "school-token-0751234J";

/// One scripted answer.
#[derive(Debug, Clone)]
pub enum Reply {
    /// What a healthy collector does: 201 stored, or 200 duplicate.
    Store,
    Status {
        status: u16,
        retry_after: Option<&'static str>,
        body: &'static str,
    },
    /// Never answer.
    Hang,
}

impl Reply {
    pub fn status(status: u16) -> Reply {
        Reply::Status {
            status,
            retry_after: None,
            body: r#"{"code":"scripted","message":"scripted answer"}"#,
        }
    }
}

#[derive(Debug, Default)]
pub struct Inner {
    /// Answers to the next submissions, in order; then `Store`.
    pub script: VecDeque<Reply>,
    /// Report ids refused with 400 whenever they come.
    pub poison: HashSet<String>,
    /// Every submission received: its report id (or "?").
    pub received: Vec<String>,
    pub stored: Vec<String>,
    /// Answer to `GET /api/v1/profile`: status and body.
    pub profile: Option<(u16, String)>,
}

#[derive(Debug, Clone)]
pub struct FakeCollector {
    pub url: String,
    pub inner: Arc<Mutex<Inner>>,
}

impl FakeCollector {
    pub async fn start() -> FakeCollector {
        let inner = Arc::new(Mutex::new(Inner::default()));
        let app = Router::new()
            .route("/api/v1/reports", post(reports))
            .route("/api/v1/profile", get(profile))
            .with_state(inner.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await });
        FakeCollector {
            url: format!("http://{addr}/"),
            inner,
        }
    }

    pub fn enrollment(&self) -> Enrollment {
        Enrollment {
            version: 1,
            collector: self.url.clone(),
            school: "0751234J".parse().unwrap(),
            label: None,
            token: Token::parse(TOKEN).unwrap(),
            enrolled_at: jiff::Timestamp::now(),
            spool: SpoolLimits::default(),
        }
    }

    pub fn script(&self, replies: impl IntoIterator<Item = Reply>) {
        self.inner.lock().unwrap().script.extend(replies);
    }

    pub fn received(&self) -> Vec<String> {
        self.inner.lock().unwrap().received.clone()
    }

    pub fn stored(&self) -> Vec<String> {
        self.inner.lock().unwrap().stored.clone()
    }
}

fn json(status: StatusCode, body: String) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

fn authorised(headers: &HeaderMap) -> bool {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        == Some(&format!("Bearer {TOKEN}"))
}

async fn reports(
    State(inner): State<Arc<Mutex<Inner>>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let id = serde_json::from_slice::<serde_json::Value>(&body)
        .ok()
        .and_then(|v| v["report_id"].as_str().map(str::to_owned))
        .unwrap_or_else(|| "?".into());
    let reply = {
        let mut g = inner.lock().unwrap();
        g.received.push(id.clone());
        if !authorised(&headers) {
            Reply::Status {
                status: 401,
                retry_after: None,
                body: r#"{"code":"invalid_token","message":"unknown or revoked token"}"#,
            }
        } else if g.poison.contains(&id) {
            Reply::Status {
                status: 400,
                retry_after: None,
                body: r#"{"code":"invalid_report","message":"poisoned"}"#,
            }
        } else {
            g.script.pop_front().unwrap_or(Reply::Store)
        }
    };
    match reply {
        Reply::Store => {
            let mut g = inner.lock().unwrap();
            let dup = g.stored.contains(&id);
            if !dup {
                g.stored.push(id.clone());
            }
            let (status, word) = if dup {
                (StatusCode::OK, "duplicate")
            } else {
                (StatusCode::CREATED, "stored")
            };
            json(
                status,
                format!(r#"{{"status":"{word}","report_id":"{id}","verdict":"ready","score":87}}"#),
            )
        }
        Reply::Status {
            status,
            retry_after,
            body,
        } => {
            let mut r = json(StatusCode::from_u16(status).unwrap(), body.to_owned());
            if let Some(ra) = retry_after {
                r.headers_mut()
                    .insert(header::RETRY_AFTER, ra.parse().unwrap());
            }
            r
        }
        Reply::Hang => {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            StatusCode::GATEWAY_TIMEOUT.into_response()
        }
    }
}

async fn profile(State(inner): State<Arc<Mutex<Inner>>>, headers: HeaderMap) -> Response {
    if !authorised(&headers) {
        return json(
            StatusCode::UNAUTHORIZED,
            r#"{"code":"invalid_token","message":"unknown or revoked token"}"#.into(),
        );
    }
    let answer = inner.lock().unwrap().profile.clone();
    match answer {
        Some((status, body)) => json(StatusCode::from_u16(status).unwrap(), body),
        None => json(
            StatusCode::OK,
            serde_json::json!({
                "name": "fr-primaire",
                "toml": readiness::profile::DEFAULT_PROFILE_TOML,
                "schedule": {"interval_hours": 168, "jitter_minutes": 240},
            })
            .to_string(),
        ),
    }
}
