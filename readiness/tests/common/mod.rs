//! Measurements shared by the scoring tests: a healthy school network for the default
//! profile's hosts and endpoints; and how the tests assess and look up checks.

#![allow(dead_code)] // each test file uses a different part

use jiff::civil::{Date, date};
use readiness::measurements::Measurements;
use readiness::measurements::network::*;
use readiness::{Assessment, CheckResult, CheckStatus, Lang, Profile, assess, samples};

/// The day every scoring test audits on.
pub fn audit_day() -> Date {
    date(2026, 11, 28)
}

/// `m` assessed against the default profile on [`audit_day`], texts in `lang`.
pub fn assess_default(m: &Measurements, lang: Lang) -> Assessment {
    assess(m, &Profile::default_profile(), audit_day(), lang)
}

/// The check `id` (a missing one fails the test, naming the ids there are).
pub fn find<'a>(checks: &'a [CheckResult], id: &str) -> &'a CheckResult {
    checks.iter().find(|c| c.id == id).unwrap_or_else(|| {
        panic!(
            "no {id} in {:#?}",
            checks.iter().map(|c| &c.id).collect::<Vec<_>>()
        )
    })
}

/// The check `id`, asserted to have `status` and a message containing each of `texts`.
pub fn expect<'a>(
    checks: &'a [CheckResult],
    id: &str,
    status: CheckStatus,
    texts: &[&str],
) -> &'a CheckResult {
    let c = find(checks, id);
    assert_eq!(c.status, status, "{c:#?}");
    for text in texts {
        assert!(c.message.contains(text), "{}", c.message);
    }
    c
}

pub fn ts(s: &str) -> jiff::Timestamp {
    s.parse().unwrap()
}

/// The sample report (`readiness::samples`) of a good PC of school 0751234J at
/// [`audit_time`], scored with the default profile.
pub fn sample_report() -> readiness::Report {
    let profile = Profile::default_profile();
    let m = samples::good_pc(&profile, audit_time());
    let school = "0751234J".parse().ok();
    samples::report(&profile, school, uuid::Uuid::nil(), m, audit_time())
}

/// The moment every scoring test audits at (on [`audit_day`]).
pub fn audit_time() -> jiff::Timestamp {
    ts("2026-11-28T09:00:02Z")
}

pub fn invalid(kind: CertErrorKind) -> Verification {
    Verification {
        valid: false,
        error: Some(kind),
        detail: Some(format!("{kind:?}")),
    }
}

/// TLS 1.3 with a Sectigo chain (leaf and intermediate) valid for `host` on [`audit_day`].
pub fn public_tls(host: &str) -> TlsInfo {
    let sectigo_dv = "CN=Sectigo Public Server Authentication CA DV R36, O=Sectigo Limited";
    samples::tls(
        host,
        vec![
            CertInfo {
                subject: format!("CN={host}"),
                issuer: sectigo_dv.into(),
                not_before: ts("2026-06-01T00:00:00Z"),
                not_after: ts("2027-06-01T00:00:00Z"),
                names: vec![host.into()],
            },
            CertInfo {
                subject: sectigo_dv.into(),
                issuer: "CN=Sectigo Public Server Authentication Root R46, O=Sectigo Limited"
                    .into(),
                not_before: ts("2021-03-22T00:00:00Z"),
                not_after: ts("2036-03-21T23:59:59Z"),
                names: vec![],
            },
        ],
    )
}

/// The default profile's hosts and endpoints, all healthy (`readiness::samples`), with
/// Sectigo chains, 5 round trips per target and the clock 1.6 s behind.
pub fn good_network() -> NetworkMeasurements {
    let mut net = samples::healthy_network(&Profile::default_profile(), audit_time());
    for e in &mut net.endpoints {
        e.attempt.tls = Some(public_tls(&readiness::profile::url_host(&e.url)));
    }
    for l in &mut net.latency {
        l.samples_ms = vec![Some(11.0), Some(12.0), Some(10.5), Some(11.2), Some(13.0)];
    }
    net.clock[0].local_time = ts("2026-11-28T09:00:00.400Z");
    net
}
