//! The plain scanning the parsing is made of: bounded cuts, versions, product tokens. No
//! regular expression, no allocation beyond the bounded output, never panics.

/// The longest version kept ("131.0.6778.86"), in characters.
const MAX_VERSION_CHARS: usize = 24;

/// `s` cut to at most `max` bytes, on a character boundary.
pub(super) fn cut(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while end > 0 && !s.is_char_boundary(end) {
        end -= 1;
    }
    s.get(..end).unwrap_or("")
}

/// A version at the start of `s`: digits, then digits, dots or underscores (read as dots),
/// at most [`MAX_VERSION_CHARS`]; `None` unless it starts with a digit.
pub(super) fn version_at(s: &str) -> Option<String> {
    if !s.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let v: String = s
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.' || *c == '_')
        .take(MAX_VERSION_CHARS)
        .map(|c| if c == '_' { '.' } else { c })
        .collect();
    Some(v.trim_end_matches('.').to_owned())
}

/// The version after the product token `key` ("Chrome/"), where `key` starts a word.
pub(super) fn product_version(ua: &str, key: &str) -> Option<String> {
    ua.match_indices(key).find_map(|(at, _)| {
        let before = ua[..at].chars().next_back();
        if before.is_some_and(|c| c.is_ascii_alphanumeric()) {
            return None;
        }
        version_at(&ua[at + key.len()..])
    })
}

pub(super) fn has_product(ua: &str, key: &str) -> bool {
    ua.match_indices(key)
        .any(|(at, _)| !ua[..at].ends_with(|c: char| c.is_ascii_alphanumeric()))
}

/// The major number of a version ("131.0.6778.86" -> 131).
pub(super) fn major(v: &str) -> Option<u32> {
    let digits = v.split('.').next()?;
    if digits.is_empty() || digits.len() > 6 {
        return None;
    }
    digits.parse().ok()
}

/// Printable ASCII only (a model name), else `None`.
pub(super) fn printable(s: &str) -> Option<String> {
    (s.chars().all(|c| c.is_ascii_graphic() || c == ' ')).then(|| s.to_owned())
}

/// "14.0.0" -> "14", "12.1.0" -> "12.1".
pub(super) fn trim_zeros(v: &str) -> String {
    let mut parts: Vec<&str> = v.split('.').collect();
    while parts.len() > 1 && parts.last() == Some(&"0") {
        parts.pop();
    }
    parts.join(".")
}
