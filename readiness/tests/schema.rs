//! The committed JSON Schema must be exactly what the code generates.
//! Regenerate with: UPDATE_SCHEMA=1 cargo test -p readiness --test schema

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use readiness::api::{API_SCHEMA_V1, api_schema};
use readiness::report::{REPORT_SCHEMA_V1, report_schema};

#[test]
fn committed_schema_matches_the_code() {
    let generated = serde_json::to_string_pretty(&report_schema()).unwrap() + "\n";
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/schema/report.v1.schema.json");
        std::fs::write(path, &generated).unwrap();
        return;
    }
    let committed: serde_json::Value = serde_json::from_str(REPORT_SCHEMA_V1).unwrap();
    assert!(
        committed == report_schema(),
        "readiness/schema/report.v1.schema.json is out of date with the Report type: \
         run `UPDATE_SCHEMA=1 cargo test -p readiness --test schema` and review the diff"
    );
}

#[test]
fn schema_is_a_valid_json_schema() {
    let schema: serde_json::Value = serde_json::from_str(REPORT_SCHEMA_V1).unwrap();
    jsonschema::validator_for(&schema).expect("the committed schema compiles");
}

#[test]
fn committed_api_schema_matches_the_code() {
    let generated = serde_json::to_string_pretty(&api_schema()).unwrap() + "\n";
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/schema/api.v1.schema.json");
        std::fs::write(path, &generated).unwrap();
        return;
    }
    let committed: serde_json::Value = serde_json::from_str(API_SCHEMA_V1).unwrap();
    assert!(
        committed == api_schema(),
        "readiness/schema/api.v1.schema.json is out of date with readiness::api: \
         run `UPDATE_SCHEMA=1 cargo test -p readiness --test schema` and review the diff"
    );
    jsonschema::validator_for(&committed).expect("the committed API schema compiles");
}
