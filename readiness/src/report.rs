//! The report document (schema v1): what the agent prints with `--json`, submits to the
//! collector, and keeps in its spool.
//!
//! The JSON Schema committed at `readiness/schema/report.v1.schema.json` is generated from
//! these types ([`report_schema`]); a test fails when the two disagree.

use jiff::Timestamp;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::measurements::Measurements;
pub use crate::text::Lang;
use crate::text::{Msg, text};
use crate::uai::Uai;

/// The report format version this crate reads and writes.
pub const SCHEMA_VERSION: u32 = 1;

/// The browser probe's measurement method version ([`BrowserProbe::probe_version`]).
pub const BROWSER_PROBE_VERSION: u32 = 1;

/// One audit of one workstation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "ENT readiness report", extend("$id" = "https://ent-readiness.invalid/schema/report.v1.schema.json"))]
pub struct Report {
    /// Format version; this document describes version 1.
    #[schemars(range(min = 1, max = 1))]
    pub schema_version: u32,
    /// Unique id of this report (UUID v7: time-ordered). The collector deduplicates on it.
    #[schemars(with = "String", extend("format" = "uuid"))]
    pub report_id: Uuid,
    /// Version of the agent that produced it.
    pub agent_version: String,
    /// Name of the profile the checks were scored against.
    pub profile: String,
    /// Language of `message` and `remediation` texts (`fr` or `en`).
    pub lang: Lang,
    /// The school (UAI code), when known.
    pub school: Option<Uai>,
    pub workstation: Workstation,
    #[schemars(with = "String", extend("format" = "date-time"))]
    pub started_at: Timestamp,
    #[schemars(with = "String", extend("format" = "date-time"))]
    pub finished_at: Timestamp,
    pub verdict: Verdict,
    /// Weighted score, 0-100, over the checks that could be measured.
    #[schemars(range(min = 0, max = 100))]
    pub score: u8,
    pub checks: Vec<CheckResult>,
    pub measurements: Measurements,
    /// What measured, when it is not the agent: `{"kind": "browser", ...}` for the browser
    /// probe served by the collector (`/sonde/{code}`). Absent: the agent. Added within
    /// schema version 1 (optional; the collector writes browser reports itself, so no older
    /// reader receives one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probe: Option<Probe>,
}

/// A report not made by the agent, and what made it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Probe {
    /// The browser probe: a page of the collector, run in a tablet's, a phone's or a
    /// computer's browser. Its report carries what a browser can measure (the OS and the
    /// browser from the User-Agent and client hints, logical cores, bandwidth, latency, the
    /// ENT endpoints by a timed fetch); the checks a browser cannot see (TLS details, DNS,
    /// proxy, disk...) are either left out or `unknown` with weight 0.
    Browser(BrowserProbe),
}

/// What the browser probe read of the device: nothing personal (no name, no address).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BrowserProbe {
    /// Version of the probe page's measurement method (1 for this collector).
    pub probe_version: u32,
    /// `computer`, `tablet`, `phone` or `unknown` (`readiness::useragent::FormFactor`).
    pub form_factor: String,
    /// `navigator.maxTouchPoints` (tells an iPad from a Mac).
    pub max_touch_points: Option<u32>,
    /// Screen size in CSS pixels and the device pixel ratio.
    pub screen_width: Option<u32>,
    pub screen_height: Option<u32>,
    pub pixel_ratio: Option<f64>,
    /// `navigator.deviceMemory` in GiB (Chromium only; rounded, capped at 8 by browsers).
    pub device_memory_gib: Option<f64>,
}

/// Which workstation the report is about. No user names, no IP addresses.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Workstation {
    /// Random id generated once by the agent and kept in its state directory (renewed when
    /// the machine fingerprint changes, e.g. on a PC cloned from a master image).
    #[schemars(with = "String", extend("format" = "uuid"))]
    pub id: Uuid,
    /// Free label set by the technician ("salle 2, poste 5").
    pub label: Option<String>,
    /// Host name per the profile's privacy mode: plain, `sha256:<hex>` when hashed, or null
    /// when omitted.
    pub hostname: Option<String>,
}

/// Overall verdict for a workstation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Every check passed.
    Ready,
    /// No blocking failure; some checks warn or fail without blocking.
    ReadyWithWarnings,
    /// A blocking check failed, or the score is below the profile's floor.
    NotReady,
    /// Too many checks could not be measured to decide.
    Incomplete,
}

impl Verdict {
    /// The verdict's name for a person (`PRÊT`, `PAS PRÊT`; `READY`, `NOT READY`).
    pub fn label(self, lang: Lang) -> &'static str {
        text(
            lang,
            match self {
                Verdict::Ready => Msg::VerdictReady,
                Verdict::ReadyWithWarnings => Msg::VerdictReadyWithWarnings,
                Verdict::NotReady => Msg::VerdictNotReady,
                Verdict::Incomplete => Msg::VerdictIncomplete,
            },
        )
    }

    /// Whether the workstation can be used with the ENT (exit code 0 of the agent).
    pub fn is_ready(self) -> bool {
        matches!(self, Verdict::Ready | Verdict::ReadyWithWarnings)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Ready => "ready",
            Verdict::ReadyWithWarnings => "ready_with_warnings",
            Verdict::NotReady => "not_ready",
            Verdict::Incomplete => "incomplete",
        }
    }
}

/// Result of one check.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum CheckStatus {
    Pass,
    Warn,
    Fail,
    /// Could not be measured (not the same as failed); `message` says why.
    Unknown,
}

impl CheckStatus {
    /// The status's short name for a person (`OK`, `ÉCHEC`; `PASS`, `FAIL`).
    pub fn label(self, lang: Lang) -> &'static str {
        text(
            lang,
            match self {
                CheckStatus::Pass => Msg::StatusPass,
                CheckStatus::Warn => Msg::StatusWarn,
                CheckStatus::Fail => Msg::StatusFail,
                CheckStatus::Unknown => Msg::StatusUnknown,
            },
        )
    }

    pub fn as_str(self) -> &'static str {
        match self {
            CheckStatus::Pass => "pass",
            CheckStatus::Warn => "warn",
            CheckStatus::Fail => "fail",
            CheckStatus::Unknown => "unknown",
        }
    }
}

/// A measured value as shown to people and machines: a number with its unit, or a text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum CheckValue {
    Number(f64),
    Text(String),
}

/// One scored check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckResult {
    /// Stable id, part of the public format: `system.ram`, `browser.firefox`, `browser.any`...
    pub id: String,
    pub status: CheckStatus,
    /// The measured value, null when unknown.
    pub value: Option<CheckValue>,
    /// Unit of a numeric value (`GiB`, `cores`, `version`...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// The thresholds it was scored against, as text ("pass >= 4, warn >= 2").
    pub threshold: Option<String>,
    /// What was found, in the report's language.
    pub message: String,
    /// What to do about it; null when the check passed.
    pub remediation: Option<String>,
    /// Weight of the check in the score.
    pub weight: f64,
    /// A failure of a blocking check makes the workstation not ready.
    pub blocking: bool,
}

/// The JSON Schema of [`Report`], as committed in `readiness/schema/report.v1.schema.json`.
pub fn report_schema() -> serde_json::Value {
    let schema = schemars::schema_for!(Report);
    serde_json::to_value(schema).unwrap_or(serde_json::Value::Null)
}

/// The committed schema file, for validators that do not link this crate's types.
pub const REPORT_SCHEMA_V1: &str = include_str!("../schema/report.v1.schema.json");
