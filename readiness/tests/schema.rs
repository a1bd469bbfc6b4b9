//! The committed JSON Schemas must be exactly what the code generates: the report's
//! (`readiness::report`) and the other API messages' (`readiness::api`).
//! Regenerate with: UPDATE_SCHEMA=1 cargo test -p readiness --test schema

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use readiness::api::{API_SCHEMA_V1, api_schema};
use readiness::report::{REPORT_SCHEMA_V1, report_schema};

/// `committed` (the file `schema/<file>`) equals `generated`, and compiles as a JSON Schema;
/// with `UPDATE_SCHEMA` set, the file is rewritten instead.
fn check_committed(file: &str, committed: &str, generated: serde_json::Value) {
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        let path = format!("{}/schema/{file}", env!("CARGO_MANIFEST_DIR"));
        std::fs::write(
            path,
            serde_json::to_string_pretty(&generated).unwrap() + "\n",
        )
        .unwrap();
        return;
    }
    let committed: serde_json::Value = serde_json::from_str(committed).unwrap();
    assert!(
        committed == generated,
        "readiness/schema/{file} is out of date with the code: \
         run `UPDATE_SCHEMA=1 cargo test -p readiness --test schema` and review the diff"
    );
    jsonschema::validator_for(&committed).expect("the committed schema compiles");
}

#[test]
fn committed_schema_matches_the_code() {
    check_committed("report.v1.schema.json", REPORT_SCHEMA_V1, report_schema());
}

#[test]
fn schema_is_a_valid_json_schema() {
    let schema: serde_json::Value = serde_json::from_str(REPORT_SCHEMA_V1).unwrap();
    jsonschema::validator_for(&schema).expect("the committed schema compiles");
}

#[test]
fn committed_api_schema_matches_the_code() {
    check_committed("api.v1.schema.json", API_SCHEMA_V1, api_schema());
}
