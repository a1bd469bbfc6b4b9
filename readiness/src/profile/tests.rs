//! The profile's loading and error tests.

use super::*;

#[test]
fn default_profile_parses() {
    let p = Profile::default_profile();
    assert_eq!(p.name, "fr-primaire");
    assert_eq!(p.checks.ram.pass, 4.0);
    assert_eq!(p.checks.ram.warn, 2.0);
    assert_eq!(p.checks.browser_any.minimum["firefox"].pass, 104);
    assert!(p.checks.os_support.meta.blocking);
}

fn with(old: &str, new: &str) -> String {
    assert!(DEFAULT_PROFILE_TOML.contains(old), "fixture: {old}");
    DEFAULT_PROFILE_TOML.replacen(old, new, 1)
}

/// `text` parsed as the file `p.toml`.
fn parse(text: &str) -> Result<Profile, ProfileError> {
    Profile::from_toml_str(text, "p.toml")
}

fn line_of(text: &str, needle: &str) -> usize {
    text[..text.find(needle).unwrap()].matches('\n').count() + 1
}

#[test]
fn unknown_key_names_file_line_and_key() {
    let text = with(
        "[checks.\"system.ram\"]\n",
        "[checks.\"system.ram\"]\nram_min = 3\n",
    );
    let err = parse(&text).unwrap_err();
    let msg = err.to_string();
    assert_eq!(err.line, Some(line_of(&text, "ram_min")), "{msg}");
    assert!(
        msg.starts_with(&format!("p.toml:{}:", line_of(&text, "ram_min"))),
        "{msg}"
    );
    assert!(msg.contains("ram_min"), "{msg}");
}

#[test]
fn bad_value_is_located() {
    let text = with("interval_hours = 168", "interval_hours = \"weekly\"");
    let err = parse(&text).unwrap_err();
    assert_eq!(err.line, Some(line_of(&text, "interval_hours")));
    assert!(err.message.contains("interval_hours"), "{}", err.message);
}

#[test]
fn inconsistent_thresholds_are_rejected() {
    let text = DEFAULT_PROFILE_TOML.replacen("warn = 2.0 ", "warn = 8.0 ", 1);
    assert_ne!(
        text, DEFAULT_PROFILE_TOML,
        "fixture must change the RAM warn threshold"
    );
    let err = parse(&text).unwrap_err();
    assert!(err.message.contains("must not be above pass"), "{err}");
    assert!(err.line.is_some(), "{err}");
}

/// The range and "at least 1" messages read as they did when each section wrote its own.
#[test]
fn range_messages() {
    assert_eq!(
        check_between("min_ready_share", 1.5, 0.0..=1.0).unwrap_err(),
        "min_ready_share must be between 0 and 1, got 1.5"
    );
    assert!(check_between("max_unknown_share", f64::NAN, 0.0..=1.0).is_err());
    assert_eq!(
        check_between("dns_timeout_ms", 5_u32, 10..=60_000).unwrap_err(),
        "dns_timeout_ms must be between 10 and 60000, got 5"
    );
    assert!(check_between("not_ready_below", 100_u8, 0..=100).is_ok());
    assert_eq!(
        check_at_least_one(&[("min_workstations", 1), ("stale_after_days", 0)]).unwrap_err(),
        "min_workstations and stale_after_days must be at least 1"
    );
    assert_eq!(
        check_at_least_one(&[("interval_hours", 0)]).unwrap_err(),
        "interval_hours must be at least 1"
    );
}

/// Too large a value is refused with the file, its own line (or its section's, where the
/// parser alone knows the place) and the key.
#[test]
fn upper_bounds_name_file_line_and_key() {
    let many = |n: usize, item: &str| {
        let items: Vec<String> = (0..n).map(|i| format!("\"{item}{i}\"")).collect();
        items.join(", ")
    };
    let long = |c: &str, n: usize| c.repeat(n);
    let endpoints = "\n[[network.endpoints]]";
    // (text replaced, its replacement, the line the error points at, the key it names): the
    // key's own line where the section's check names it, else the section's header
    #[rustfmt::skip]
    let edits: Vec<(&str, String, &str, &str)> = vec![
        ("interval_hours = 168", "interval_hours = 100000".into(), "interval_hours = 100000", "interval_hours"),
        ("jitter_minutes = 240", "jitter_minutes = 20000".into(), "jitter_minutes = 20000", "jitter_minutes"),
        ("dns_timeout_ms = 2000", "dns_timeout_ms = 4000000".into(), "dns_timeout_ms = 4000000", "dns_timeout_ms"),
        ("latency_samples = 5", "latency_samples = 100000".into(), "latency_samples = 100000", "latency_samples"),
        ("max_streams = 16", "max_streams = 1000".into(), "[bandwidth]", "max_streams"),
        ("max_mib = 1024", "max_mib = 1e9".into(), "max_mib = 1e9", "max_mib"),
        ("recent_days = 30", "recent_days = 100000".into(), "recent_days = 100000", "recent_days"),
        ("max_workstations = 200", "max_workstations = 5001".into(), "max_workstations = 5001", "max_workstations"),
        ("stale_after_days = 21", "stale_after_days = 100000".into(), "stale_after_days = 100000", "stale_after_days"),
        ("expiry_warn_days = 14", "expiry_warn_days = 100000".into(), "expiry_warn_days = 100000", "expiry_warn_days"),
        ("fail_s = 180", "fail_s = 1e12".into(), "[checks.\"system.clock_skew\"]", "fail"),
        ("fail_ms = 5000", "fail_ms = 1e12".into(), "[checks.\"endpoint\"]", "fail"),
        ("weight = 25\nblocking = true\n# End", "weight = 1e300\nblocking = true\n# End".into(), "weight = 1e300", "weight"),
        ("ending_soon_months = 6", "ending_soon_months = 100000".into(), "ending_soon_months = 100000", "ending_soon_months"),
        ("firefox = { pass = 104", "firefox = { pass = 4000000".into(), "[checks.\"browser.any\"]", "minimum.firefox"),
        ("pass = 4.0\n", "pass = 1e300\n".into(), "pass = 1e300", "pass"),
        ("speed_pass_mbps = 100", "speed_pass_mbps = 1e300".into(), "speed_pass_mbps = 1e300", "speed_pass_mbps"),
        ("resolvers = []", format!("resolvers = [{}]", many(5, "192.0.2.1")), "resolvers = [\"192.0.2.10\"", "resolvers"),
        ("hosts = [", format!("hosts = [{}, ", many(40, "h")), "hosts = [\"h0", "hosts"),
        ("hosts = [", format!("hosts = [\"{}\", ", long("a", 300)), "hosts = [\"aaa", "hosts"),
        ("name = \"gar\"", format!("name = \"{}\"", long("g", 40)), endpoints, "name"),
        ("url = \"https://idp", format!("url = \"https://{}.idp", long("a", 3000)), endpoints, "\"gar\": url"),
        ("name = \"gar\"", format!("name = \"gar\"\nredirect_hosts = [{}]", many(17, "h")), endpoints, "\"gar\": redirect_hosts"),
        ("name = \"fr-primaire\"", format!("name = \"{}\"", long("n", 65)), "name = \"nnn", "name"),
        ("hostname_salt = \"fr", format!("hostname_salt = \"{}", long("s", 300)), "hostname_salt", "hostname_salt"),
    ];
    let mut cases: Vec<(String, &str, &str)> = edits
        .iter()
        .map(|(old, new, line, key)| (with(old, new), *line, *key))
        .collect();
    let many_endpoints: String = (0..=crate::limits::MAX_PROFILE_ENDPOINTS)
        .map(|i| format!("{endpoints}\nname = \"e{i}\"\nurl = \"https://e{i}.example\"\n"))
        .collect();
    cases.push((
        format!("{DEFAULT_PROFILE_TOML}{many_endpoints}"),
        "[network]",
        "endpoints",
    ));
    for (text, line_needle, key) in &cases {
        let err = parse(text).unwrap_err();
        let msg = err.to_string();
        // An endpoint's error points at the first `[[network.endpoints]]` and names the
        // endpoint.
        let line = line_of(text, line_needle) + usize::from(line_needle.starts_with('\n'));
        assert_eq!(err.line, Some(line), "{key}: {msg}");
        assert!(
            msg.starts_with(&format!("p.toml:{}:", err.line.unwrap())),
            "{msg}"
        );
        assert!(msg.contains(key), "{key}: {msg}");
    }
}

#[test]
fn max_workstations_defaults_and_bounds() {
    assert_eq!(Profile::default_profile().school.max_workstations, 200);
    let text = with("max_workstations = 200\n", "");
    let p = parse(&text).unwrap();
    assert_eq!(p.school.max_workstations, 200);
    let text = with("max_workstations = 200", "max_workstations = 0");
    assert!(parse(&text).is_err());
    let text = with("max_workstations = 200", "max_workstations = 1");
    let err = parse(&text).unwrap_err();
    assert!(err.message.contains("min_workstations"), "{err}");
    let text = with("max_workstations = 200", "max_workstations = 5000");
    assert_eq!(parse(&text).unwrap().school.max_workstations, 5000);
}

#[test]
fn a_name_used_twice_is_located() {
    let text = format!(
        "{DEFAULT_PROFILE_TOML}\n[[network.endpoints]]\nname = \"gar\"\nurl = \"https://x\"\n"
    );
    let err = parse(&text).unwrap_err();
    assert_eq!(err.line, Some(text.lines().count() - 1), "{err}");
    assert!(err.to_string().contains("\"gar\" is used twice"), "{err}");
    // A field missing from the document is not blamed on the first key.
    let err = parse("name = \"x\"\n").unwrap_err();
    assert_eq!(err.message, "missing field `scoring`");
}

#[test]
fn syntax_error_is_located() {
    let err = Profile::from_toml_str("name = \"x\"\n[scoring\n", "p.toml").unwrap_err();
    assert_eq!(err.line, Some(2), "{err}");
}

#[test]
fn missing_section_is_named() {
    let err = Profile::from_toml_str("name = \"x\"\n", "p.toml").unwrap_err();
    assert!(err.message.contains("missing field"), "{err}");
}

#[test]
fn bad_esu_date_and_endpoint() {
    let text = with(
        "ending_soon_months = 6",
        "ending_soon_months = 6\nwindows10_esu_until = \"next year\"",
    );
    let err = parse(&text).unwrap_err();
    assert!(err.message.contains("windows10_esu_until"), "{err}");

    let text = format!(
        "{DEFAULT_PROFILE_TOML}\n[[network.endpoints]]\nname = \"Bad Name\"\nurl = \"https://x\"\n"
    );
    let err = parse(&text).unwrap_err();
    assert!(err.message.contains("Bad Name"), "{err}");
    let text =
        format!("{DEFAULT_PROFILE_TOML}\n[[network.endpoints]]\nname = \"x\"\nurl = \"ftp://x\"\n");
    assert!(parse(&text).is_err());
}
