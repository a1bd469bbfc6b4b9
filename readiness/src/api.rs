//! The contract between the agent and the collector: every message of the HTTP API besides
//! the report itself ([`crate::Report`]), as one typed struct that both ends use (and the
//! read API's roll-ups and paging, for its readers). The
//! collector serialises them, the agent (and its test doubles) deserialise them; nothing on
//! either side builds or reads these documents by hand.
//!
//! The messages are versioned with the API's path (`/api/v1/...`): a field may be added
//! (readers ignore what they do not know, and optional fields have defaults), never renamed
//! or given another meaning. Their JSON Schema is committed at `readiness/schema/api.v1.schema.json`
//! and checked against these types by a test, like the report's.

use std::time::Duration;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::report::Verdict;

/// Paths of the API, relative to the collector's base URL (which ends with `/`).
pub mod path {
    /// `POST`: submit a report; answers [`super::Ack`] or [`super::ErrorBody`].
    pub const REPORTS: &str = "api/v1/reports";
    /// `GET`: the profile to apply; answers [`super::RemoteProfile`].
    pub const PROFILE: &str = "api/v1/profile";
    /// `POST` [`super::EnrolmentRequest`] with the school's token: a workstation credential;
    /// answers `201` [`super::Enrolment`].
    pub const ENROLMENTS: &str = "api/v1/enrolments";
    /// `POST`: open a speed-test session; answers [`super::SpeedtestSession`].
    pub const SPEEDTEST_SESSIONS: &str = "api/v1/speedtest/sessions";
    /// `GET ?session=ID&bytes=N`: N bytes of incompressible data.
    pub const SPEEDTEST_DOWNLOAD: &str = "api/v1/speedtest/download";
    /// `POST ?session=ID`: a sink that counts what it receives; answers [`super::UploadReceipt`].
    pub const SPEEDTEST_UPLOAD: &str = "api/v1/speedtest/upload";
    /// `GET ?session=ID`: a tiny object, for latency.
    pub const SPEEDTEST_PING: &str = "api/v1/speedtest/ping";
    /// `GET` with a probe link (`entp_`): what the browser probe measures,
    /// [`super::BrowserProbeConfig`].
    pub const PROBE_CONFIG: &str = "api/v1/probe/config";
    /// `POST` [`super::BrowserProbeSubmission`] with a probe link: the collector builds,
    /// scores and stores the browser report; answers `201` [`super::BrowserProbeResult`].
    pub const PROBE_REPORTS: &str = "api/v1/probe/reports";

    /// `GET` (counters, [`super::SessionCounters`]) or `DELETE` one speed-test session.
    pub fn speedtest_session(id: &str) -> String {
        format!("{SPEEDTEST_SESSIONS}/{id}")
    }
}

/// Width of the collector's upload bins: the bytes received in each `BIN_MS` milliseconds of
/// a speed-test session's clock.
pub const BIN_MS: u64 = 100;

/// [`BIN_MS`] as a duration.
pub const BIN: Duration = Duration::from_millis(BIN_MS);

/// Every 4xx and 5xx answer: a stable machine code (`invalid_report`, `wrong_school`...) and
/// a sentence for a person.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
pub struct ErrorBody {
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub message: String,
}

/// What became of a submitted report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AckStatus {
    /// Stored now (`201`).
    #[default]
    Stored,
    /// Stored earlier: nothing changed (`200`).
    Duplicate,
}

/// The collector's acknowledgement of a report (`201 stored` or `200 duplicate`), with the
/// verdict and score of its own scoring.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
pub struct Ack {
    #[serde(default)]
    pub status: AckStatus,
    /// The report's id, as submitted.
    #[serde(default)]
    pub report_id: String,
    #[serde(default)]
    pub verdict: Option<Verdict>,
    #[serde(default)]
    pub score: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

impl Ack {
    pub fn duplicate(&self) -> bool {
        self.status == AckStatus::Duplicate
    }
}

/// `POST /api/v1/enrolments` (with the school's token): the workstation to enrol.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EnrolmentRequest {
    /// The agent's workstation id (the `workstation.id` of its reports).
    #[schemars(with = "String", extend("format" = "uuid"))]
    pub workstation_id: uuid::Uuid,
    /// The workstation's label, as in its reports (plain text, at most 100 characters).
    pub label: Option<String>,
}

/// `201` answer of `POST /api/v1/enrolments`: the workstation's credential, shown once (the
/// collector keeps only its hash), and the deployment's secret salt for hashed host names.
/// The credential replaces the school token for everything the agent does: reports (for this
/// workstation only), the profile, speed tests.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Enrolment {
    pub credential: String,
    pub hostname_salt: String,
    /// The school (UAI) the credential reports for: the token's.
    #[serde(default)]
    pub school: String,
}

impl std::fmt::Debug for Enrolment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Enrolment")
            .field("credential", &"<redacted>")
            .field("hostname_salt", &"<redacted>")
            .field("school", &self.school)
            .finish()
    }
}

/// How often the agent re-audits, as the collector's profile says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct RemoteSchedule {
    pub interval_hours: u32,
    pub jitter_minutes: u32,
}

/// `GET /api/v1/profile`: the profile the agent should apply. The TOML is the single source
/// of truth; `name` and `schedule` are copies for readers that do not parse it.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct RemoteProfile {
    #[serde(default)]
    pub name: String,
    pub toml: String,
    pub schedule: Option<RemoteSchedule>,
}

/// `POST /api/v1/speedtest/sessions` (`201`): the session id, the capability for the data
/// routes, and how long it lives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SpeedtestSession {
    pub session: String,
    pub expires_in_s: u64,
    /// The base URL of the collector node that holds the session, when the collector
    /// advertises one (`--public-url`): behind a load balancer, every later request of the
    /// session (transfers, pings, counters, close) goes there, so that its transfers and
    /// counters are on one node. Absent: the URL the session was opened on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node: Option<String>,
}

/// Longest node URL a session answer may name.
pub const MAX_NODE_URL: usize = 512;

/// The rule for a node's base URL ([`SpeedtestSession::node`], the collector's
/// `--public-url`), the same at both ends: `http://` or `https://`, a host, a path ending
/// in `/` (the API paths are relative to it), no user, query or fragment, at most
/// [`MAX_NODE_URL`] printable ASCII characters.
pub fn check_node_url(url: &str) -> Result<(), &'static str> {
    if url.len() > MAX_NODE_URL || !url.bytes().all(|b| b.is_ascii_graphic()) {
        return Err("at most 512 printable ASCII characters, no space");
    }
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or("it must start with http:// or https://")?;
    let host = rest.split('/').next().unwrap_or_default();
    if host.is_empty() {
        return Err("it must name a host");
    }
    if host.contains('@') {
        return Err("it must not carry a user name or password");
    }
    // A port, when given, is a number a URL can hold (`[::1]:8080`, `host:8080`).
    let port = match host.rsplit_once(']') {
        Some((_, after)) => after.strip_prefix(':'),
        None => host.split_once(':').map(|(_, p)| p),
    };
    if let Some(port) = port
        && !port.parse::<u16>().is_ok_and(|p| p > 0)
    {
        return Err("its port must be a number from 1 to 65535");
    }
    if url.contains(['?', '#']) {
        return Err("it must not carry a query or a fragment");
    }
    if !rest.contains('/') || !url.ends_with('/') {
        return Err("its path must end with '/' (e.g. https://collecteur.example/noeud/a/)");
    }
    Ok(())
}

/// `GET /api/v1/speedtest/sessions/{id}[?bins_from=K]`: the bytes the collector has received
/// and sent in the session so far, on its own clock. Upload is counted here, at the receiver.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
pub struct SessionCounters {
    /// The collector's clock: microseconds since the session opened, read before the
    /// counters (which may only be ahead of it).
    pub elapsed_us: u64,
    pub uploaded_bytes: u64,
    pub downloaded_bytes: u64,
    /// With `bins_from`: the upload bins from bin K on.
    #[serde(default, flatten, skip_serializing_if = "Option::is_none")]
    pub bins: Option<UploadBins>,
}

/// Bytes received in each bin of the session's clock, complete bins only.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
pub struct UploadBins {
    /// Width of a bin; [`BIN_MS`] for this version of the API.
    pub bin_ms: u64,
    /// Index of the first bin in `upload_bins`.
    pub bins_from: usize,
    pub upload_bins: Vec<u64>,
}

/// Query of the session counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
pub struct CountersQuery {
    #[serde(default)]
    pub bins_from: Option<usize>,
}

/// Query of the data routes (download, upload, ping).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct TransferQuery {
    pub session: String,
    /// Download size; the collector's default when absent.
    pub bytes: Option<u64>,
}

/// `POST /api/v1/speedtest/upload`: what the sink received, and in how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct UploadReceipt {
    pub received_bytes: u64,
    pub duration_us: u64,
}

/// A failing check of a school or a roll-up, and how many (fresh) workstations fail it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Blocker {
    pub check: String,
    pub blocking: bool,
    pub workstations: u32,
}

/// Schools per verdict, in a roll-up.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SchoolCounts {
    pub ready: u32,
    pub ready_with_warnings: u32,
    pub not_ready: u32,
    pub insufficient_data: u32,
}

/// One roll-up of schools: a circonscription, a département, an académie or a région, as
/// listed by `GET /api/v1/{circonscriptions,departements,academies,regions}` under the
/// route's name (`{"academies": [RollUp...], "page": ListPage}`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RollUp {
    pub code: String,
    pub name: String,
    /// The département of a circonscription (absent on the other roll-ups).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub departement: Option<String>,
    /// The région of an académie (absent on the other roll-ups).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    pub schools: u32,
    pub school_verdicts: SchoolCounts,
    /// Share of schools with enough data that are ready (warnings allowed).
    #[serde(default)]
    pub ready_share: Option<f64>,
    pub workstations: u32,
    pub stale_workstations: u32,
    /// Mean of the schools' scores.
    #[serde(default)]
    pub score: Option<f64>,
    pub top_blockers: Vec<Blocker>,
}

/// Where a page of a read list (`/api/v1/schools`, the roll-ups) stands: in the answer as
/// `page`. The items are in a stable order (schools by UAI, roll-ups by code); pass
/// `next_cursor` back as `?cursor=` (with the same filters) for the next page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ListPage {
    /// Items per page; null when the whole list was asked for (`limit=all`).
    pub limit: Option<u32>,
    /// Items matching the filters, on every page together.
    pub total: u64,
    /// Null on the last page.
    pub next_cursor: Option<String>,
}

/// `GET /api/v1/probe/config`: what the browser probe page measures for its link's school.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct BrowserProbeConfig {
    pub school: String,
    /// The profile's ENT and identity endpoints, timed by a `no-cors` fetch.
    pub endpoints: Vec<ProbeEndpoint>,
    /// Longest each direction of the bandwidth test may run, in seconds.
    pub max_direction_s: f64,
    /// The width of the collector's upload bins (= [`BIN_MS`]).
    pub bin_ms: u64,
}

/// One endpoint the page fetches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ProbeEndpoint {
    pub name: String,
    pub url: String,
}

/// `POST /api/v1/probe/reports`: what the browser probe measured. The collector, not the
/// page, turns it into a report (`readiness::report::Probe::Browser`): it parses the
/// User-Agent and the hints itself, takes its own clock, and scores with its profile.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BrowserProbeSubmission {
    /// A random id the page keeps in the browser's storage (8 to 64 characters of
    /// `[A-Za-z0-9-]`): the same device on a second run. The collector derives the
    /// workstation id from it and the link's school, so that it can name no other device.
    pub device_id: String,
    /// The language the page was shown in: the checks' texts of the answer.
    pub lang: Option<crate::report::Lang>,
    pub user_agent: String,
    /// `navigator.userAgentData.getHighEntropyValues(...)`, where the browser has it.
    pub client_hints: Option<crate::useragent::ClientHints>,
    pub max_touch_points: Option<u32>,
    pub screen_width: Option<u32>,
    pub screen_height: Option<u32>,
    pub pixel_ratio: Option<f64>,
    pub hardware_concurrency: Option<u32>,
    pub device_memory_gib: Option<f64>,
    /// How long the test took, in seconds.
    pub duration_s: f64,
    /// The speed-test session the transfers ran in (required with `download` or
    /// `upload`): the collector checks the figures against what it counted in it, and a
    /// session backs one report only.
    #[serde(default)]
    pub session: Option<String>,
    pub download: Option<BrowserTransfer>,
    /// Upload, as the collector counted it (its bins, read by the page); the collector
    /// stores its own figure over the window.
    pub upload: Option<BrowserTransfer>,
    /// Round trips of `speedtest/ping` on the idle link, then during the transfers, in ms.
    #[serde(default)]
    pub idle_latency_ms: Vec<f64>,
    #[serde(default)]
    pub loaded_latency_ms: Vec<f64>,
    #[serde(default)]
    pub endpoints: Vec<BrowserEndpoint>,
    /// Why a part could not be measured (key: `download`, `upload`, `idle_latency`...).
    #[serde(default)]
    pub unavailable: std::collections::BTreeMap<String, String>,
}

/// One direction, as the page measured it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BrowserTransfer {
    /// Mean rate over the window, in Mbit/s.
    pub mbps: f64,
    pub streams: u32,
    pub bytes: u64,
    pub duration_s: f64,
    /// Where the direction's time 0 falls on the session's clock (`elapsed_us` of its
    /// counters when it started), in seconds: `window_start_s` is counted from there.
    pub session_offset_s: f64,
    pub window_start_s: f64,
    pub window_s: f64,
    /// Whether the agent's stable-window rule was met (else the time cap ended it).
    pub stable: bool,
    /// The window's 100 ms bins, in Mbit/s (at most 600).
    #[serde(default)]
    pub bins_mbps: Vec<f64>,
}

/// One endpoint's timed `no-cors` fetch: it answered (any HTTP answer: the browser hides
/// the status), failed (DNS, connection, TLS: a browser does not say which), or timed out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BrowserEndpoint {
    pub name: String,
    pub answered: bool,
    pub timed_out: bool,
    pub elapsed_ms: f64,
}

/// The answer to a browser probe report: the collector's verdict and its checks, for the
/// page to show like the agent's table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct BrowserProbeResult {
    pub report_id: String,
    pub verdict: Verdict,
    /// The verdict's name in the page's language.
    pub verdict_label: String,
    pub score: u8,
    /// The device as the collector read it ("iPadOS 17.7, Safari 17.6, tablette").
    pub device: String,
    pub checks: Vec<BrowserCheckLine>,
}

/// One line of the table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct BrowserCheckLine {
    pub id: String,
    pub title: String,
    pub status: crate::report::CheckStatus,
    pub status_label: String,
    pub message: String,
    pub remediation: Option<String>,
}

/// The JSON Schema of every API message, one definition each under `$defs`.
pub fn api_schema() -> serde_json::Value {
    let mut generator = schemars::generate::SchemaSettings::draft2020_12().into_generator();
    // Each call adds the message (and what it refers to) to the definitions.
    generator.subschema_for::<ErrorBody>();
    generator.subschema_for::<Ack>();
    generator.subschema_for::<RemoteProfile>();
    generator.subschema_for::<EnrolmentRequest>();
    generator.subschema_for::<Enrolment>();
    generator.subschema_for::<SpeedtestSession>();
    generator.subschema_for::<SessionCounters>();
    generator.subschema_for::<UploadReceipt>();
    generator.subschema_for::<RollUp>();
    generator.subschema_for::<ListPage>();
    generator.subschema_for::<BrowserProbeConfig>();
    generator.subschema_for::<BrowserProbeSubmission>();
    generator.subschema_for::<BrowserProbeResult>();
    serde_json::json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "ENT readiness API v1: the messages besides the report",
        "$defs": generator.take_definitions(true),
    })
}

/// The committed JSON Schema of the API messages.
pub const API_SCHEMA_V1: &str = include_str!("../schema/api.v1.schema.json");

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn counters_without_bins_have_no_bin_fields() {
        let c = SessionCounters {
            elapsed_us: 5,
            uploaded_bytes: 1,
            downloaded_bytes: 2,
            bins: None,
        };
        let v = serde_json::to_value(&c).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"elapsed_us": 5, "uploaded_bytes": 1, "downloaded_bytes": 2})
        );
        let with: SessionCounters = serde_json::from_value(serde_json::json!({
            "elapsed_us": 5, "uploaded_bytes": 1, "downloaded_bytes": 2,
            "bin_ms": 100, "bins_from": 3, "upload_bins": [7, 8]
        }))
        .unwrap();
        assert_eq!(with.bins.unwrap().upload_bins, [7, 8]);
    }

    #[test]
    fn acks_read_what_older_collectors_wrote() {
        let a: Ack =
            serde_json::from_str(r#"{"status":"duplicate","verdict":"ready","score":87}"#).unwrap();
        assert!(a.duplicate());
        assert_eq!(a.verdict, Some(Verdict::Ready));
        assert_eq!(a.score, Some(87));
    }

    #[test]
    fn node_urls_follow_one_rule() {
        for good in [
            "http://127.0.0.1:8080/",
            "https://collecteur.example/noeud/a/",
            "https://[::1]:9/x/",
        ] {
            assert_eq!(check_node_url(good), Ok(()), "{good}");
        }
        for bad in [
            "",
            "ftp://x/",
            "https://",
            "https:///a/",
            "https://user:pw@x/",
            "https://x",
            "https://x/a",
            "https://x/?a=1/",
            "https://x/#/",
            "https://x /",
            "https://x/\u{e9}/",
            "https://x:99999/",
            "https://x:0/",
            "https://[::1]:x/",
            "https://x:/",
        ] {
            assert!(check_node_url(bad).is_err(), "{bad:?} accepted");
        }
        let long = format!("https://x/{}/", "a".repeat(MAX_NODE_URL));
        assert!(check_node_url(&long).is_err());
    }
}
