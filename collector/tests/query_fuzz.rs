//! The query strings of the speed-test routes and of the read lists (paging and filters)
//! under hostile input, through the whole router: any query is answered, never with a 5xx,
//! and every refusal is the API's JSON `{code, message}`.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use std::sync::{Arc, OnceLock};

use axum::body::Body;
use axum::http::{Request, header};
use ent_collector::store::{self, TokenScope};
use ent_collector::{ApiConfig, AppState};
use proptest::prelude::*;
use tower::ServiceExt;

struct Fixture {
    runtime: tokio::runtime::Runtime,
    app: axum::Router,
    session: String,
    _dir: tempfile::TempDir,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let store = store::open(dir.path().join("q.db").to_str().unwrap()).unwrap();
        let school = TokenScope::School("0690101K".parse().unwrap());
        store
            .create_token("t1", &ent_collector::tokens::hash("secret"), &school)
            .unwrap();
        store
            .create_token(
                "r1",
                &ent_collector::tokens::hash("reader"),
                &TokenScope::Read(store::ReadScope::All),
            )
            .unwrap();
        let schools: Vec<store::School> = ["0690101K", "0690102L", "0750001U"]
            .iter()
            .enumerate()
            .map(|(i, uai)| store::School {
                uai: uai.parse().unwrap(),
                name: format!("École {i}"),
                commune: "Commune".into(),
                circonscription_code: format!("C{i}"),
                circonscription_name: format!("Circ {i}"),
                departement: uai[..3].to_owned(),
                academie: store::Area {
                    code: format!("A{}", i % 2),
                    name: "Académie".into(),
                },
                region: store::Area {
                    code: "84".into(),
                    name: "Région".into(),
                },
            })
            .collect();
        store.upsert_schools(&schools).unwrap();
        let state = AppState::new(
            Arc::from(store),
            ent_collector::load_profile(None).unwrap(),
            ApiConfig::default(),
        );
        let app = ent_collector::api::router(state);
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let resp = runtime.block_on(
            app.clone().oneshot(
                Request::post("/api/v1/speedtest/sessions")
                    .header(header::AUTHORIZATION, "Bearer secret")
                    .body(Body::empty())
                    .unwrap(),
            ),
        );
        let resp = resp.unwrap();
        assert_eq!(resp.status(), 201);
        let body = runtime
            .block_on(axum::body::to_bytes(resp.into_body(), 4096))
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
        Fixture {
            runtime,
            app,
            session: v["session"].as_str().unwrap().to_owned(),
            _dir: dir,
        }
    })
}

/// Send `method path?query`; fail on a 5xx, or on a refusal that is not `{code, message}`.
fn check(method: &str, path: &str, query: &str) -> Result<(), TestCaseError> {
    check_as(method, path, query, None).map(|_| ())
}

/// [`check`] with a bearer token; the answer's status.
fn check_as(
    method: &str,
    path: &str,
    query: &str,
    token: Option<&str>,
) -> Result<u16, TestCaseError> {
    let f = fixture();
    let mut req = Request::builder()
        .method(method)
        .uri(format!("{path}?{query}"));
    if let Some(t) = token {
        req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    let Ok(req) = req.body(Body::from("x")) else {
        // Not a URI at all: hyper refuses it before the router.
        return Ok(0);
    };
    let resp = f.runtime.block_on(f.app.clone().oneshot(req)).unwrap();
    let status = resp.status();
    prop_assert!(
        !status.is_server_error(),
        "{method} {path}?{query}: {status}"
    );
    if status.is_client_error() {
        let ct = resp
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        prop_assert!(ct.starts_with("application/json"), "{status} {ct}");
        let body = f
            .runtime
            .block_on(axum::body::to_bytes(resp.into_body(), 65536))
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
        prop_assert!(v["code"].is_string() && v["message"].is_string(), "{v}");
    }
    Ok(status.as_u16())
}

/// The read lists, which page and filter, and the CSV, which filters.
const LISTS: [&str; 6] = [
    "/api/v1/export.csv",
    "/api/v1/schools",
    "/api/v1/circonscriptions",
    "/api/v1/departements",
    "/api/v1/academies",
    "/api/v1/regions",
];

/// Query strings of a list: its parameters with odd values (numbers out of range, signs,
/// percent escapes, hex that may or may not be a cursor), repeated or unknown ones.
fn list_query() -> impl Strategy<Value = String> {
    let name = "(departement|circonscription|academie|region|verdict|limit|cursor|offset)";
    let value = prop_oneof![
        "[0-9a-f]{0,80}",
        "[0-9a-zA-Z%+.;:_-]{0,24}",
        Just("all".to_owned()),
        Just("not_ready".to_owned()),
        (0u64..20_000).prop_map(|n| n.to_string()),
        any::<String>().prop_map(|s| hex::encode(format!("schools:{s}"))),
    ];
    proptest::collection::vec((name, value), 0..5).prop_map(|pairs| {
        pairs
            .into_iter()
            .map(|(n, v)| format!("{n}={v}"))
            .collect::<Vec<_>>()
            .join("&")
    })
}

fn query() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z_=&%0-9A-Fa-f+;.~-]{0,60}",
        "(session|bytes|bins_from)=[0-9a-f%+-]{0,24}(&(session|bytes|bins_from)=[0-9a-zA-Z%+-]{0,24}){0,3}",
        any::<String>(),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// With the read token, a list answers 200 or a 400 `{code, message}`: nothing else.
    #[test]
    fn any_list_query_is_answered_or_refused_cleanly(q in prop_oneof![list_query(), query()]) {
        for path in LISTS {
            let status = check_as("GET", path, &q, Some("reader"))?;
            prop_assert!(matches!(status, 0 | 200 | 400), "GET {path}?{q}: {status}");
        }
    }

    #[test]
    fn any_query_is_answered_without_a_server_error(q in query()) {
        let session = &fixture().session;
        check("GET", "/api/v1/speedtest/download", &q)?;
        check("GET", "/api/v1/speedtest/ping", &q)?;
        check("POST", "/api/v1/speedtest/upload", &q)?;
        check("GET", &format!("/api/v1/speedtest/sessions/{session}"), &q)?;
    }

    #[test]
    fn any_size_or_bin_is_answered_without_a_server_error(
        bytes in "[0-9a-zA-Z%+-]{0,30}",
        bins in "[0-9a-zA-Z%+-]{0,30}",
    ) {
        let session = &fixture().session;
        check("GET", "/api/v1/speedtest/download", &format!("session={session}&bytes={bytes}"))?;
        check(
            "GET",
            &format!("/api/v1/speedtest/sessions/{session}"),
            &format!("bins_from={bins}"),
        )?;
    }
}
