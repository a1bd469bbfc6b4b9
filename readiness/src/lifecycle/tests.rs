//! The lifecycle table's tests, through [`assess`].

use jiff::civil::date;

use super::*;

const TODAY: Date = date(2026, 11, 28);

fn os(family: OsFamily, id: &str) -> OsInfo {
    OsInfo::new(family, id, "")
}

fn win(build: &str, edition: &str, version: &str) -> OsInfo {
    OsInfo {
        name: format!("Windows 10 {edition}"),
        version: Some(version.to_owned()),
        build: Some(build.to_owned()),
        edition: Some(edition.to_owned()),
        ..os(OsFamily::Windows, "windows")
    }
}

fn linux(id: &str, version: Option<&str>) -> OsInfo {
    OsInfo {
        version: version.map(str::to_owned),
        ..os(OsFamily::Linux, id)
    }
}

fn mac(version: &str) -> OsInfo {
    OsInfo {
        version: Some(version.to_owned()),
        ..os(OsFamily::Macos, "macos")
    }
}

fn check(os: &OsInfo, today: Date) -> SupportAssessment {
    assess(os, today, &OsSupportPolicy::default())
}

/// Each `(os, day, status)`: `os` assessed on that day has that status.
fn status_table(cases: &[(OsInfo, Date, SupportStatus)]) {
    for (os, day, status) in cases {
        let a = check(os, *day);
        assert_eq!(a.status, *status, "{os:?} on {day}: {a:?}");
    }
}

/// The basis of `a` (how its date was found) mentions `text`.
fn assert_basis(a: &SupportAssessment, text: &str) {
    assert!(
        a.basis.as_deref().is_some_and(|b| b.contains(text)),
        "{text}: {a:?}"
    );
}

/// `os` assessed on [`TODAY`], asserted to have `status`, `product` and `end`.
fn expect(
    os: &OsInfo,
    status: SupportStatus,
    product: &str,
    end: Option<Date>,
) -> SupportAssessment {
    let a = check(os, TODAY);
    assert_eq!((a.status, a.product.as_str()), (status, product), "{a:?}");
    assert_eq!(a.end_of_support, end, "{a:?}");
    a
}

#[test]
fn windows10_22h2_ended_unless_esu() {
    let pro = win("19045", "Professional", "22H2");
    expect(
        &pro,
        SupportStatus::Unsupported,
        "Windows 10 22H2 (Pro)",
        Some(date(2025, 10, 14)),
    );

    let esu = OsSupportPolicy {
        windows10_esu_until: Some(date(2027, 10, 12)),
        ..OsSupportPolicy::default()
    };
    let a = assess(&pro, TODAY, &esu);
    assert_eq!(a.status, SupportStatus::ExtendedSupport);
    assert_eq!(a.end_of_support, Some(date(2027, 10, 12)));
    let a = assess(&pro, date(2027, 10, 13), &esu);
    assert_eq!(a.status, SupportStatus::Unsupported);
    // ESU covers 22H2 only.
    let a = assess(&win("19044", "Education", "21H2"), TODAY, &esu);
    assert_eq!(a.status, SupportStatus::Unsupported);
    assert_eq!(a.end_of_support, Some(date(2024, 6, 11)));
    // Before the normal end, the normal rule applies.
    let a = assess(&pro, date(2025, 9, 1), &esu);
    assert_eq!(a.status, SupportStatus::EndingSoon);
}

#[test]
fn windows10_ltsc() {
    use SupportStatus::Unsupported;

    expect(
        &win("19044", "EnterpriseS", "21H2"),
        SupportStatus::EndingSoon,
        "Windows 10 Enterprise LTSC 2021",
        Some(date(2027, 1, 12)),
    );
    let a = check(&win("19044", "IoTEnterpriseS", "21H2"), TODAY);
    assert_eq!(a.status, SupportStatus::Supported);
    assert_eq!(a.end_of_support, Some(date(2032, 1, 13)));
    let a = check(&win("17763", "EnterpriseS", "1809"), TODAY);
    assert_eq!(a.status, SupportStatus::Supported);
    status_table(&[
        (win("14393", "EnterpriseS", "1607"), TODAY, Unsupported),
        // A non-22H2 feature update is out of support.
        (win("18363", "Education", "1909"), TODAY, Unsupported),
    ]);
}

#[test]
fn windows11_editions_and_dates() {
    let edu = win("22631", "Education", "23H2");
    assert_eq!(check(&edu, TODAY).status, SupportStatus::Unsupported);
    assert_eq!(check(&edu, TODAY).end_of_support, Some(date(2026, 11, 10)));
    status_table(&[
        (edu.clone(), date(2026, 6, 1), SupportStatus::EndingSoon),
        (edu.clone(), date(2025, 1, 1), SupportStatus::Supported),
        // Last day of support is still supported.
        (edu.clone(), date(2026, 11, 10), SupportStatus::EndingSoon),
    ]);

    let pro = check(&win("26100", "Professional", "24H2"), TODAY);
    assert_eq!(pro.status, SupportStatus::Unsupported);
    assert_eq!(pro.end_of_support, Some(date(2026, 10, 13)));
    let edu = check(&win("26100", "Education", "24H2"), TODAY);
    assert_eq!(edu.status, SupportStatus::Supported); // 2027-10-12 > 2027-05-28
    assert_eq!(edu.product, "Windows 11 24H2 (Education)");

    let a = check(&win("26200", "Professional", "25H2"), TODAY);
    assert_eq!(a.status, SupportStatus::Supported);
    assert_eq!(a.end_of_support, Some(date(2027, 10, 12)));

    let ltsc = check(&win("26100", "EnterpriseS", "24H2"), TODAY);
    assert_eq!(ltsc.product, "Windows 11 Enterprise LTSC 2024");
    assert_eq!(ltsc.end_of_support, Some(date(2029, 10, 9)));
}

#[test]
fn windows11_identified_by_build_not_name() {
    let mut w = win("26100", "Professional", "24H2");
    w.name = "Windows 10 Pro".to_owned();
    let a = check(&w, date(2026, 1, 15));
    assert!(a.product.starts_with("Windows 11 24H2"), "{}", a.product);
    assert_basis(&a, "build 26100");
    assert_eq!(a.status, SupportStatus::Supported);

    expect(
        &win("28000", "Professional", "26H1"),
        SupportStatus::Supported,
        "Windows 11 (build 28000)",
        None,
    );
}

#[test]
fn older_windows_and_unknown_builds() {
    let a = check(&win("7601", "Professional", ""), TODAY);
    assert_eq!(a.status, SupportStatus::Unsupported);
    assert_eq!(a.product, "Windows 7");
    assert_eq!(
        check(&win("9600", "Core", ""), TODAY).product,
        "Windows 8.1"
    );
    assert_eq!(
        check(&win("2600", "Professional", ""), TODAY).status,
        SupportStatus::Unsupported
    );
    assert_eq!(
        check(&win("20348", "ServerStandard", ""), TODAY).product,
        "Windows Server 2022"
    );
    assert_eq!(
        check(&win("21000", "Professional", ""), TODAY).status,
        SupportStatus::Unknown
    );
    let mut no_build = win("", "Professional", "22H2");
    no_build.build = None;
    assert_eq!(check(&no_build, TODAY).status, SupportStatus::Unknown);
}

#[test]
fn debian_releases() {
    let mut d12 = linux("debian", Some("12"));
    d12.debian_version = Some("12.5".to_owned());
    let a = expect(
        &d12,
        SupportStatus::Supported,
        "Debian 12 (bookworm)",
        Some(date(2028, 6, 30)),
    );
    assert_eq!(a.basis, None);

    let a = check(&linux("debian", Some("11")), TODAY);
    assert_eq!(a.status, SupportStatus::Unsupported);
    assert_eq!(a.end_of_support, Some(date(2026, 8, 31)));

    let mut from_file = linux("debian", None);
    from_file.debian_version = Some("13.2".to_owned());
    assert_eq!(check(&from_file, TODAY).product, "Debian 13 (trixie)");

    let mut testing = linux("debian", None);
    testing.codename = Some("forky".to_owned());
    testing.debian_version = Some("forky/sid".to_owned());
    let a = check(&testing, TODAY);
    assert_eq!(a.status, SupportStatus::Supported);
    assert_eq!(a.product, "Debian testing/unstable");
    assert_eq!(
        check(&linux("debian", Some("7")), TODAY).status,
        SupportStatus::Unsupported
    );
}

#[test]
fn primtux_via_debian_version() {
    let mut p = linux("primtux", Some("8"));
    p.id_like = vec!["debian".to_owned()];
    p.debian_version = Some("12.7".to_owned());
    let a = expect(
        &p,
        SupportStatus::Supported,
        "PrimTux 8 (Debian 12 based)",
        Some(date(2028, 6, 30)),
    );
    assert_eq!(
        a.basis.as_deref(),
        Some("derivative of Debian (ID_LIKE), /etc/debian_version 12.7")
    );
    p.debian_version = Some("11.9".to_owned());
    assert_eq!(check(&p, TODAY).status, SupportStatus::Unsupported);
}

#[test]
fn ubuntu_and_derivatives() {
    use SupportStatus::{EndingSoon, Supported, Unsupported};

    let a = check(&linux("ubuntu", Some("24.04")), TODAY);
    assert_eq!(a.status, SupportStatus::Supported);
    assert_eq!(a.product, "Ubuntu 24.04 LTS");
    status_table(&[
        (linux("ubuntu", Some("20.04")), TODAY, Unsupported),
        (linux("ubuntu", Some("22.04")), TODAY, EndingSoon),
        (linux("ubuntu", Some("19.10")), TODAY, Unsupported),
        (linux("ubuntu", Some("26.10")), TODAY, Supported),
    ]);

    let mut zorin = linux("zorin", Some("18"));
    zorin.id_like = vec!["ubuntu".to_owned(), "debian".to_owned()];
    zorin.ubuntu_codename = Some("noble".to_owned());
    zorin.debian_version = Some("trixie/sid".to_owned());
    let a = expect(
        &zorin,
        SupportStatus::Supported,
        "Zorin OS 18 (Ubuntu 24.04 LTS based)",
        Some(date(2029, 4, 30)),
    );
    assert!(a.basis.is_some());
}

#[test]
fn linux_mint() {
    let mut m = linux("linuxmint", Some("21.3"));
    m.ubuntu_codename = Some("jammy".to_owned());
    expect(
        &m,
        SupportStatus::EndingSoon,
        "Linux Mint 21.3",
        Some(date(2027, 4, 30)),
    );

    let mut m23 = linux("linuxmint", Some("23"));
    m23.ubuntu_codename = Some("resolute".to_owned());
    let a = check(&m23, TODAY);
    assert_eq!(a.status, SupportStatus::Supported);
    assert_eq!(a.end_of_support, Some(date(2031, 4, 30)));

    let mut lmde = linux("linuxmint", Some("6"));
    lmde.name = "LMDE".to_owned();
    lmde.codename = Some("faye".to_owned());
    lmde.id_like = vec!["debian".to_owned()];
    let a = check(&lmde, TODAY);
    assert_eq!(a.product, "LMDE 6 (Debian 12 based)");
    assert_eq!(a.status, SupportStatus::Supported);
}

#[test]
fn macos_three_latest() {
    status_table(&[
        (mac("14.6.1"), TODAY, SupportStatus::Unsupported),
        (mac("15.7"), TODAY, SupportStatus::Supported),
    ]);
    expect(&mac("26.1"), SupportStatus::Supported, "macOS 26", None);
    assert_eq!(check(&mac("10.15.7"), TODAY).product, "macOS 10.15");
    status_table(&[
        (mac("10.15.7"), TODAY, SupportStatus::Unsupported),
        (mac("12.7"), TODAY, SupportStatus::Unsupported),
        // Before macOS 27, Sonoma was among the three latest.
        (mac("14.6.1"), date(2026, 6, 1), SupportStatus::Supported),
        (mac("28.0"), TODAY, SupportStatus::Supported),
        (mac("beta"), TODAY, SupportStatus::Unknown),
    ]);
}

#[test]
fn unknown_products() {
    expect(
        &linux("foo", Some("3.1")),
        SupportStatus::Unknown,
        "unknown Linux distribution 'foo' 3.1",
        None,
    );
    let mut other = os(OsFamily::Other, "freebsd");
    other.name = "FreeBSD".to_owned();
    assert_eq!(check(&other, TODAY).status, SupportStatus::Unknown);
}

#[test]
fn ending_soon_horizon_is_exclusive_of_supported() {
    let end = date(2027, 5, 28);
    assert_eq!(dated_status(end, TODAY, 6), SupportStatus::EndingSoon);
    assert_eq!(
        dated_status(date(2027, 5, 29), TODAY, 6),
        SupportStatus::Supported
    );
    assert_eq!(dated_status(TODAY, TODAY, 0), SupportStatus::EndingSoon);
    assert_eq!(
        dated_status(date(2026, 11, 27), TODAY, 6),
        SupportStatus::Unsupported
    );
    assert_eq!(
        dated_status(date(9000, 1, 1), TODAY, u32::MAX),
        SupportStatus::EndingSoon
    );
}

/// A device known through its browser: family and version only.
fn device(family: OsFamily, version: Option<&str>) -> OsInfo {
    OsInfo {
        version: version.map(str::to_owned),
        ..os(family, "")
    }
}

/// Each `(version, day, status)`: a device of `family` at that version, assessed on that day,
/// has that status.
fn statuses(family: OsFamily, cases: &[(Option<&str>, Date, SupportStatus)]) {
    let cases: Vec<_> = cases
        .iter()
        .map(|&(version, day, status)| (device(family, version), day, status))
        .collect();
    status_table(&cases);
}

#[test]
fn ipados_latest_supported_previous_partly_older_unsupported() {
    // TODAY is after iPadOS 27 (assumed 2026-09-14).
    expect(
        &device(OsFamily::Ipados, Some("27.1")),
        SupportStatus::Supported,
        "iPadOS 27",
        None,
    );
    let a = expect(
        &device(OsFamily::Ipados, Some("26.7.2")),
        SupportStatus::EndingSoon,
        "iPadOS 26",
        Some(date(2027, 9, 14)),
    );
    assert_basis(&a, "only on devices that cannot run iPadOS 27");
    // An iPad stuck on an old iPadOS: unsupported, no date.
    for old in ["18.7.9", "17.7.11", "16.7", "12.5.7"] {
        let a = check(&device(OsFamily::Ipados, Some(old)), TODAY);
        assert_eq!(a.status, SupportStatus::Unsupported, "{old}: {a:?}");
        assert_eq!(a.end_of_support, None, "{old}");
    }
    // Before iPadOS 27: 26 was the latest, 18 the previous one, 17 old.
    let june = date(2026, 6, 1);
    statuses(
        OsFamily::Ipados,
        &[(Some("26.5"), june, SupportStatus::Supported)],
    );
    let a = check(&device(OsFamily::Ipados, Some("18.7")), june);
    assert_eq!(a.status, SupportStatus::EndingSoon);
    assert_eq!(a.end_of_support, Some(date(2026, 9, 15)));
    statuses(
        OsFamily::Ipados,
        &[
            (Some("17.7"), june, SupportStatus::Unsupported),
            // Past the expected next major, the previous one is over.
            (Some("26.9"), date(2027, 9, 15), SupportStatus::Unsupported),
            // Newer than the table, a beta, versions that do not exist, an unreadable version.
            (Some("28.0"), TODAY, SupportStatus::Supported),
            (Some("27.0"), date(2026, 7, 1), SupportStatus::Supported),
            (Some("21"), TODAY, SupportStatus::Unknown),
        ],
    );
    expect(
        &device(OsFamily::Ipados, None),
        SupportStatus::Unknown,
        "iPadOS (version not visible from this browser)",
        None,
    );
}

#[test]
fn ios_follows_the_same_table() {
    expect(
        &device(OsFamily::Ios, Some("27.0")),
        SupportStatus::Supported,
        "iOS 27",
        None,
    );
    statuses(
        OsFamily::Ios,
        &[
            (Some("26.1"), TODAY, SupportStatus::EndingSoon),
            (Some("15.8.8"), TODAY, SupportStatus::Unsupported),
            (Some("11.4"), TODAY, SupportStatus::Unsupported),
        ],
    );
}

#[test]
fn android_versions_around_their_end() {
    let a = expect(
        &device(OsFamily::Android, Some("12")),
        SupportStatus::Unsupported,
        "Android 12",
        Some(date(2025, 3, 31)),
    );
    assert_basis(&a, "patch level");
    // The last day of the March 2025 bulletin is still covered, the next is not.
    statuses(
        OsFamily::Android,
        &[
            (Some("12"), date(2025, 3, 31), SupportStatus::EndingSoon),
            (Some("12"), date(2025, 4, 1), SupportStatus::Unsupported),
        ],
    );
    #[rustfmt::skip]
    let products = [
        ("13", SupportStatus::Unsupported, "Android 13", Some(date(2026, 2, 28))),
        // 14 ends within six months of TODAY (estimate: March 2027).
        ("14.0.0", SupportStatus::EndingSoon, "Android 14", Some(date(2027, 3, 31))),
        ("15", SupportStatus::Supported, "Android 15", Some(date(2028, 3, 31))),
        ("17", SupportStatus::Supported, "Android 17", None),
        ("10", SupportStatus::Unsupported, "Android 10", None),
    ];
    for (version, status, product, end) in products {
        expect(
            &device(OsFamily::Android, Some(version)),
            status,
            product,
            end,
        );
    }
    statuses(
        OsFamily::Android,
        &[
            (Some("13"), date(2025, 6, 1), SupportStatus::Supported),
            (Some("16"), TODAY, SupportStatus::Supported),
            (None, TODAY, SupportStatus::Unknown),
        ],
    );
}

#[test]
fn chromeos_milestones_by_age() {
    assert_eq!(chromeos::stable_date(153), Some(date(2026, 9, 8)));
    assert_eq!(chromeos::stable_date(144), Some(date(2026, 1, 13)));
    assert_eq!(chromeos::stable_date(154), Some(date(2026, 9, 22)));
    assert_eq!(chromeos::stable_date(119), Some(date(2023, 11, 7)));
    // Between anchors: interpolated (144 -> 153 over 238 days).
    assert_eq!(chromeos::stable_date(150), Some(date(2026, 6, 20)));
    // A hostile milestone (a report's version, a User-Agent's Chrome/N): no date, no panic,
    // and the check is a judgement, not a crash.
    assert_eq!(chromeos::stable_date(u32::MAX), None);
    assert_eq!(chromeos::stable_date(600_000), None);
    let _ = check(&device(OsFamily::Chromeos, Some("4294967295")), TODAY);

    // Current milestones (about 159 on TODAY), the edge of the 12 weeks, and past it.
    let a = expect(
        &device(OsFamily::Chromeos, Some("159")),
        SupportStatus::Supported,
        "ChromeOS 159",
        None,
    );
    assert_basis(&a, "Auto Update Expiration");
    statuses(
        OsFamily::Chromeos,
        &[
            (Some("153"), date(2026, 12, 1), SupportStatus::Supported),
            (Some("153"), date(2026, 12, 2), SupportStatus::Unsupported),
        ],
    );
    // An LTS milestone stays supported for a year, an ordinary one does not.
    let lts = check(&device(OsFamily::Chromeos, Some("150")), TODAY);
    assert_eq!(lts.status, SupportStatus::Supported);
    assert_basis(&lts, "LTS");
    let a = check(&device(OsFamily::Chromeos, Some("149")), TODAY);
    assert_eq!(a.status, SupportStatus::Unsupported);
    assert_basis(&a, "no longer updates");
    statuses(
        OsFamily::Chromeos,
        &[
            (Some("138"), TODAY, SupportStatus::Unsupported),
            (Some("96"), TODAY, SupportStatus::Unsupported),
            // A milestone not yet released (beta channel) is current.
            (Some("170"), TODAY, SupportStatus::Supported),
            (None, TODAY, SupportStatus::Unknown),
        ],
    );
}

#[test]
fn windows10_from_a_browser_is_judged_as_its_best_case() {
    let w10 = OsInfo::new(OsFamily::Windows, "windows", WINDOWS10_FROM_BROWSER);
    let a = expect(
        &w10,
        SupportStatus::Unsupported,
        "Windows 10 22H2",
        Some(date(2025, 10, 14)),
    );
    assert_basis(&a, "best case");
    let esu = OsSupportPolicy {
        windows10_esu_until: Some(date(2027, 10, 12)),
        ..OsSupportPolicy::default()
    };
    assert_eq!(
        assess(&w10, TODAY, &esu).status,
        SupportStatus::ExtendedSupport
    );
    // "Windows 10 or 11" (no client hints) says nothing of the build.
    let either = OsInfo::new(OsFamily::Windows, "windows", "Windows 10 or 11");
    assert_eq!(check(&either, TODAY).status, SupportStatus::Unknown);
}
