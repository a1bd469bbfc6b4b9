//! The committed JSON Schema must be exactly what the code generates.
//! Regenerate with: UPDATE_SCHEMA=1 cargo test -p readiness --test schema

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use readiness::api::{API_SCHEMA_V1, api_schema};
use readiness::report::{REPORT_SCHEMA_V1, report_schema};
use serde_json::Value;

/// Asserts that `committed`, the text of `readiness/schema/<file>`, is the `generated`
/// schema of `what`, and returns it parsed; with `UPDATE_SCHEMA` set, writes the file
/// instead and returns `None`.
fn assert_committed(generated: &Value, committed: &str, file: &str, what: &str) -> Option<Value> {
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        let path = format!("{}/schema/{file}", env!("CARGO_MANIFEST_DIR"));
        std::fs::write(
            path,
            serde_json::to_string_pretty(generated).unwrap() + "\n",
        )
        .unwrap();
        return None;
    }
    let committed: Value = serde_json::from_str(committed).unwrap();
    assert!(
        &committed == generated,
        "readiness/schema/{file} is out of date with {what}: \
         run `UPDATE_SCHEMA=1 cargo test -p readiness --test schema` and review the diff"
    );
    Some(committed)
}

#[test]
fn committed_schema_matches_the_code() {
    let file = "report.v1.schema.json";
    assert_committed(&report_schema(), REPORT_SCHEMA_V1, file, "the Report type");
}

#[test]
fn schema_is_a_valid_json_schema() {
    let schema: Value = serde_json::from_str(REPORT_SCHEMA_V1).unwrap();
    jsonschema::validator_for(&schema).expect("the committed schema compiles");
}

#[test]
fn committed_api_schema_matches_the_code() {
    let file = "api.v1.schema.json";
    if let Some(committed) = assert_committed(&api_schema(), API_SCHEMA_V1, file, "readiness::api")
    {
        jsonschema::validator_for(&committed).expect("the committed API schema compiles");
    }
}
