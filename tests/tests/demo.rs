//! The README's main command, `./demo.sh`, end to end (with the debug build the tests
//! already made): a collector, this PC enrolled, audited and its report delivered, then the
//! school's aggregated JSON. Everything on loopback.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use std::process::Command;

use ent_tests::workspace_root;

#[test]
fn demo_script_shows_the_whole_flow() {
    let out = Command::new("bash")
        .arg(workspace_root().join("demo.sh"))
        .env("DEMO_BUILD", "debug")
        .env("DEMO_LANG", "en")
        .env_remove("ENT_AGENT_STATE_DIR")
        .env_remove("ENT_COLLECTOR_DATABASE")
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "demo failed:\n{stdout}\n{stderr}");
    assert!(stdout.contains("imported 8 schools"), "{stdout}");
    assert!(
        stdout.contains("Verdict:"),
        "the agent printed its verdict:\n{stdout}"
    );
    // The report reached the collector: the school's JSON shows one workstation.
    let json_start = stdout.find("GET /api/v1/schools/0690101K").unwrap();
    let json_text = &stdout[json_start..];
    let json_text = &json_text[json_text.find('{').unwrap()..json_text.rfind('}').unwrap() + 1];
    let school: serde_json::Value = serde_json::from_str(json_text).unwrap();
    assert_eq!(school["school"]["uai"], "0690101K");
    assert_eq!(school["school"]["name"], "École élémentaire Jean Moulin");
    assert_eq!(
        school["workstations"].as_array().unwrap().len(),
        1,
        "{school}"
    );
    // The demo profile aims the network checks at the collector: the endpoint check ran.
    let problems = school["workstations"][0]["problems"].as_array().unwrap();
    assert!(
        !problems
            .iter()
            .any(|p| p["check"] == "endpoint.collecteur" && p["status"] == "unknown"),
        "{problems:?}"
    );
}
