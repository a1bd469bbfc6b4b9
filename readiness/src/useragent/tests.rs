//! Unit tests of the scanning and the client hints; the fixture list of real User-Agents is
//! in `readiness/tests/useragent.rs`.

use super::ClientHints;
use super::scan::{cut, major, product_version, trim_zeros, version_at};

#[test]
fn cut_keeps_char_boundaries() {
    assert_eq!(cut("ééé", 3), "é");
    assert_eq!(cut("abc", 10), "abc");
    assert_eq!(cut("é", 1), "");
}

#[test]
fn versions() {
    assert_eq!(version_at("18_6 like"), Some("18.6".to_owned()));
    assert_eq!(
        version_at("131.0.6778.86;"),
        Some("131.0.6778.86".to_owned())
    );
    assert_eq!(version_at("x1"), None);
    assert_eq!(product_version("HeadlessChrome/120.0 x", "Chrome/"), None);
    assert_eq!(trim_zeros("14.0.0"), "14");
    assert_eq!(trim_zeros("12.1.0"), "12.1");
    assert_eq!(major("999999999999.1"), None);
}

#[test]
fn headers_parse_like_the_js_object() {
    let h = ClientHints::from_headers(
        Some("\"Windows\""),
        Some("\"15.0.0\""),
        Some(
            "\"Google Chrome\";v=\"131.0.6778.86\", \"Chromium\";v=\"131.0.6778.86\", \
             \"Not_A Brand\";v=\"24.0.0.0\"",
        ),
        Some("?0"),
        Some("\"\""),
    );
    assert_eq!(h.platform.as_deref(), Some("Windows"));
    assert_eq!(h.platform_version.as_deref(), Some("15.0.0"));
    assert_eq!(h.full_version_list.len(), 3);
    assert_eq!(h.full_version_list[0].brand, "Google Chrome");
    assert_eq!(h.full_version_list[0].version, "131.0.6778.86");
    assert_eq!(h.mobile, Some(false));
    let js: ClientHints = serde_json::from_str(
        r#"{"architecture":"x86","platform":"Windows","platformVersion":"15.0.0",
            "fullVersionList":[{"brand":"Google Chrome","version":"131.0.6778.86"},
            {"brand":"Chromium","version":"131.0.6778.86"},
            {"brand":"Not_A Brand","version":"24.0.0.0"}],"mobile":false,"model":""}"#,
    )
    .unwrap_or_default();
    assert_eq!(js, h);
    // Unquoted or broken values are left out.
    let h = ClientHints::from_headers(Some("Windows"), None, Some("garbage"), Some("1"), None);
    assert_eq!(h, ClientHints::default());
}
