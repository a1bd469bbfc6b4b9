//! Helpers for the end-to-end tests in `tests/tests/`: build and locate the real binaries,
//! run them with a private state directory.

pub mod browser_probe;
pub mod chromium;
pub mod collector;
pub mod fault_matrix;
pub mod hostile;
pub mod hostile_collector;
pub mod netlab;
pub mod nginx;
pub mod postgres;
pub mod shaped;
pub mod webdriver;
pub mod wine;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

/// Build a binary of the workspace (no-op when up to date) and return its path. Built with
/// the same cargo as the tests, so the binary is never stale. Benchmarks set
/// `ENT_TESTS_RELEASE=1` to get optimised binaries.
pub fn binary(package: &str, bin: &str) -> PathBuf {
    build_binary(package, bin, None).unwrap_or_else(|e| panic!("{e}"))
}

/// [`binary`] for a target other than the host's (`--target`) when given.
pub fn build_binary(package: &str, bin: &str, target: Option<&str>) -> Result<PathBuf, String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let release = std::env::var_os("ENT_TESTS_RELEASE").is_some();
    let out = checked_output(
        Command::new(cargo)
            .args(["build", "--quiet", "--message-format=json"])
            .args(target.map(|t| ["--target", t]).into_iter().flatten())
            .args(["-p", package, "--bin", bin])
            .args(release.then_some("--release"))
            .current_dir(workspace_root()),
        &format!("cargo build -p {package} failed"),
    )?;
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|m| m["reason"] == "compiler-artifact" && m["target"]["name"] == bin)
        .find_map(|m| m["executable"].as_str().map(PathBuf::from))
        .ok_or_else(|| format!("cargo did not report the {bin} executable"))
}

/// Run `cmd` to the end: its output when it exits with 0; else `what` and what the command
/// said on stderr, or why it could not start.
pub fn checked_output(cmd: &mut Command, what: &str) -> Result<Output, String> {
    let out = cmd
        .output()
        .map_err(|e| format!("cannot run {}: {e}", cmd.get_program().to_string_lossy()))?;
    if out.status.success() {
        Ok(out)
    } else {
        Err(format!(
            "{what}: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

/// The stdout of `cmd`, which must exit with 0: else the test fails with `what` and the
/// command's stderr.
pub fn stdout_of(cmd: &mut Command, what: &str) -> String {
    let out = checked_output(cmd, what).unwrap_or_else(|e| panic!("{e}"));
    String::from_utf8(out.stdout).unwrap_or_else(|e| panic!("{what}: stdout is not UTF-8: {e}"))
}

/// The element of the JSON array `list` whose `key` is `value`; the test fails, naming the
/// values there are, when there is none.
pub fn find_in<'a>(list: &'a serde_json::Value, key: &str, value: &str) -> &'a serde_json::Value {
    let items = list.as_array().map(Vec::as_slice).unwrap_or_default();
    items.iter().find(|e| e[key] == value).unwrap_or_else(|| {
        let present: Vec<&serde_json::Value> = items.iter().map(|e| &e[key]).collect();
        panic!("no {key} {value:?} among {present:?}")
    })
}

/// The check `id` of a JSON report (`checks[]`); the test fails, naming the checks there
/// are, when there is none.
pub fn check<'a>(report: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    find_in(&report["checks"], "id", id)
}

/// The workspace's root directory (the parent of `tests/`).
pub fn workspace_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ is inside the workspace")
}

/// The `ent-agent` binary.
pub fn agent_bin() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| binary("ent-agent", "ent-agent"))
}

/// The system checks every report has, whatever the machine, in the order the agent
/// reports them (the browser checks follow: `browser.<name>` per installed browser, then
/// `browser.any`).
pub const SYSTEM_CHECKS: &[&str] = &[
    "system.os_support",
    "system.ram",
    "system.cpu_cores",
    "system.disk_free",
    "system.architecture",
];

/// Proxy variables the agent reads, cleared in every test command.
pub const PROXY_VARS: &[&str] = &[
    "HTTPS_PROXY",
    "https_proxy",
    "HTTP_PROXY",
    "http_proxy",
    "ALL_PROXY",
    "all_proxy",
    "NO_PROXY",
    "no_proxy",
];

/// A command for `ent-agent` with a private state directory and a neutral environment
/// (no locale, no colour, no inherited state directory).
pub fn agent(state_dir: &Path) -> Command {
    let mut cmd = Command::new(agent_bin());
    cmd.env("ENT_AGENT_STATE_DIR", state_dir);
    neutral_env(&mut cmd);
    cmd
}

/// No locale, no colour, no proxy from the environment (it must not leak into tests, nor
/// send probes elsewhere).
pub fn neutral_env(cmd: &mut Command) -> &mut Command {
    cmd.env_remove("LANG")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("NO_COLOR", "1");
    for var in PROXY_VARS {
        cmd.env_remove(var);
    }
    cmd
}

/// The JSON report an `ent-agent audit --json` printed, after the checks every run must
/// pass: exit 0 or 1, no panic, one JSON document valid against the schema.
pub fn audit_report(out: &Output) -> serde_json::Value {
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "exit {:?}\n{stderr}\n{stdout}",
        out.status.code()
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    let report: serde_json::Value = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON: {e}\n{stdout}\n{stderr}"));
    let errors = schema_errors(&report);
    assert!(errors.is_empty(), "schema: {errors:#?}");
    report
}

/// stdout, stderr and exit code of a finished command, for assertions.
#[derive(Debug)]
pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl From<Output> for Run {
    fn from(o: Output) -> Run {
        Run {
            code: o.status.code(),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }
}

/// Run `cmd` to the end (it must start) and return what it printed and its exit code.
pub fn run(cmd: &mut Command) -> Run {
    cmd.output().expect("spawn the binary").into()
}

/// Validate a JSON document against the committed report schema; returns the errors.
pub fn schema_errors(report: &serde_json::Value) -> Vec<String> {
    let schema: serde_json::Value =
        serde_json::from_str(readiness::report::REPORT_SCHEMA_V1).expect("schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    validator
        .iter_errors(report)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}
