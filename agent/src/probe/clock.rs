//! Clock probe: the server's time read from the HTTP `Date` header of an endpoint's answer,
//! paired with the workstation's time halfway through the request. Scoring computes the skew
//! (`system.clock_skew`); SAML and CAS single sign-on fail beyond a few minutes.

use readiness::measurements::network::ClockSample;

/// Parse an HTTP date (`Sun, 06 Nov 1994 08:49:37 GMT`, RFC 9110 IMF-fixdate).
pub fn parse_http_date(value: &str) -> Option<jiff::Timestamp> {
    jiff::fmt::rfc2822::parse(value.trim())
        .ok()
        .map(|z| z.timestamp())
}

/// The server's clock from its `Date` header: the header truncates to the second, so the
/// middle of that second is the best estimate (otherwise every reading is 0.5 s early).
fn server_time(date_header: &str) -> Option<jiff::Timestamp> {
    parse_http_date(date_header)?
        .checked_add(jiff::SignedDuration::from_millis(500))
        .ok()
}

/// A sample from a `Date` header received for a request sent at `sent` and answered at
/// `received` (local clock).
pub fn sample(
    source: &str,
    date_header: &str,
    sent: jiff::Timestamp,
    received: jiff::Timestamp,
) -> Option<ClockSample> {
    let server_time = server_time(date_header)?;
    let half = received.duration_since(sent) / 2;
    let local_time = sent.checked_add(half).ok()?;
    Some(ClockSample {
        source: source.to_owned(),
        server_time,
        local_time,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_dates_parse() {
        let t = parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT").unwrap();
        assert_eq!(t.to_string(), "1994-11-06T08:49:37Z");
        assert!(parse_http_date("yesterday").is_none());
    }

    #[test]
    fn local_time_is_the_middle_of_the_request() {
        let sent: jiff::Timestamp = "2026-11-28T10:00:00Z".parse().unwrap();
        let received: jiff::Timestamp = "2026-11-28T10:00:01Z".parse().unwrap();
        let s = sample("ent", "Sat, 28 Nov 2026 10:05:00 GMT", sent, received).unwrap();
        assert_eq!(s.local_time.to_string(), "2026-11-28T10:00:00.5Z");
        assert_eq!(s.server_time.to_string(), "2026-11-28T10:05:00.5Z");
    }
}
