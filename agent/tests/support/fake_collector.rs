//! A test double of the collector: a server on 127.0.0.1 that follows the contract (`POST /api/v1/reports`
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
use readiness::api::path;

use ent_agent::client::Collector;
use ent_agent::state::enrollment::{Enrollment, Token};
use ent_agent::state::spool::SpoolLimits;
use readiness::api::{Ack, AckStatus, ErrorBody, RemoteProfile, RemoteSchedule};

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
            .route(&format!("/{}", path::REPORTS), post(reports))
            .route(&format!("/{}", path::PROFILE), get(profile))
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
            version: 2,
            collector: self.url.clone(),
            school: "0751234J".parse().unwrap(),
            label: None,
            credential: Some(Token::parse(TOKEN).unwrap()),
            hostname_salt: None,
            token: None,
            enrolled_at: jiff::Timestamp::now(),
            spool: SpoolLimits::default(),
        }
    }

    /// A client of this collector for `enrollment` (its URL and token).
    pub fn client(enrollment: &Enrollment) -> Collector {
        Collector::new(&enrollment.collector, enrollment.secret().expose(), None).unwrap()
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

fn refuse(status: StatusCode, code: &str, message: &str) -> Response {
    let body = ErrorBody {
        code: code.into(),
        message: message.into(),
    };
    json(status, serde_json::to_string(&body).unwrap())
}

fn invalid_token() -> Response {
    refuse(
        StatusCode::UNAUTHORIZED,
        "invalid_token",
        "unknown or revoked token",
    )
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
            return invalid_token();
        }
        if g.poison.contains(&id) {
            return refuse(StatusCode::BAD_REQUEST, "invalid_report", "poisoned");
        }
        g.script.pop_front().unwrap_or(Reply::Store)
    };
    match reply {
        Reply::Store => {
            let mut g = inner.lock().unwrap();
            let dup = g.stored.contains(&id);
            if !dup {
                g.stored.push(id.clone());
            }
            let (status, ack) = if dup {
                (StatusCode::OK, AckStatus::Duplicate)
            } else {
                (StatusCode::CREATED, AckStatus::Stored)
            };
            let ack = Ack {
                status: ack,
                report_id: id,
                verdict: Some(readiness::Verdict::Ready),
                score: Some(87),
                message: None,
            };
            json(status, serde_json::to_string(&ack).unwrap())
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
        return invalid_token();
    }
    let answer = inner.lock().unwrap().profile.clone();
    match answer {
        Some((status, body)) => json(StatusCode::from_u16(status).unwrap(), body),
        None => {
            let profile = RemoteProfile {
                name: "fr-primaire".into(),
                toml: readiness::profile::DEFAULT_PROFILE_TOML.into(),
                schedule: Some(RemoteSchedule {
                    interval_hours: 168,
                    jitter_minutes: 240,
                }),
            };
            json(StatusCode::OK, serde_json::to_string(&profile).unwrap())
        }
    }
}
