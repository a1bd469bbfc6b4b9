//! The browser probe's User-Agent parsing: the fixture list of real User-Agent strings
//! (`fixtures/user_agents.txt`, with their sources and expected readings), the judgement of
//! what it reads, and hostile input (never panics, bounded).

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use jiff::civil::date;
use proptest::prelude::*;
use readiness::lifecycle::{self, OsSupportPolicy, SupportStatus};
use readiness::measurements::OsFamily;
use readiness::useragent::{
    Brand, ClientHints, DeviceInfo, MAX_BRANDS, MAX_HINT_BYTES, MAX_USER_AGENT_BYTES, parse,
};

const FIXTURES: &str = include_str!("fixtures/user_agents.txt");

fn snake<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .unwrap()
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

fn dash(s: Option<&str>) -> &str {
    s.unwrap_or("-")
}

/// "Android;14.0.0;0;Google Chrome=131.0.6778.81,Chromium=131.0.6778.81".
fn hints(column: &str) -> Option<ClientHints> {
    if column == "-" {
        return None;
    }
    let mut parts = column.split(';');
    let platform = parts.next().map(str::to_owned);
    let platform_version = parts.next().map(str::to_owned);
    let mobile = parts.next().map(|m| m == "1");
    let full_version_list = parts
        .next()
        .unwrap_or("")
        .split(',')
        .filter_map(|b| b.split_once('='))
        .map(|(brand, version)| Brand {
            brand: brand.to_owned(),
            version: version.to_owned(),
        })
        .collect();
    Some(ClientHints {
        platform,
        platform_version,
        full_version_list,
        mobile,
        model: None,
    })
}

#[test]
fn fixtures_read_as_expected() {
    let mut count = 0;
    let mut families = std::collections::BTreeSet::new();
    for (n, line) in FIXTURES.lines().enumerate() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let f: Vec<&str> = line.splitn(9, '|').map(str::trim).collect();
        assert_eq!(f.len(), 9, "line {}: {line}", n + 1);
        let touch = f[6].parse().ok();
        let hints = hints(f[7]);
        let d = parse(f[8], hints.as_ref(), touch);
        let judged = d
            .browser_info()
            .map(|b| format!("{}/{}", b.name, b.version.as_deref().unwrap_or("-")));
        let got = [
            snake(&d.os.family),
            d.os.name.clone(),
            dash(d.os.version.as_deref()).to_owned(),
            snake(&d.form_factor),
            d.browser.as_ref().map_or("-".to_owned(), |b| snake(&b.app)),
            judged.unwrap_or_else(|| "-".to_owned()),
        ];
        assert_eq!(
            got.iter().map(String::as_str).collect::<Vec<_>>(),
            f[..6],
            "line {}: {}",
            n + 1,
            f[8]
        );
        // What the browser hides is said, never left silent.
        if d.os.version.is_none() && d.os.family != OsFamily::Windows {
            assert!(
                d.unknown.contains_key("os.version"),
                "line {}: {d:?}",
                n + 1
            );
        }
        if d.browser.is_none() {
            assert!(d.unknown.contains_key("browser"), "line {}", n + 1);
        }
        families.insert(snake(&d.os.family));
        count += 1;
    }
    assert!(count >= 30, "{count} fixtures");
    for family in [
        "ios", "ipados", "android", "chromeos", "windows", "macos", "linux",
    ] {
        assert!(families.contains(family), "no fixture for {family}");
    }
}

fn assess(d: &DeviceInfo) -> lifecycle::SupportAssessment {
    // Today for this project: 2026-12-01.
    lifecycle::assess(&d.os, date(2026, 12, 1), &OsSupportPolicy::default())
}

#[test]
fn what_the_browser_tells_is_judged() {
    // An old iPad on iPadOS 12: unsupported.
    let old_ipad = "Mozilla/5.0 (iPad; CPU OS 12_5_7 like Mac OS X) AppleWebKit/605.1.15 \
                    (KHTML, like Gecko) Version/12.1.2 Mobile/15E148 Safari/604.1";
    let a = assess(&parse(old_ipad, None, Some(5)));
    assert_eq!(a.status, SupportStatus::Unsupported, "{a:?}");
    assert_eq!(a.product, "iPadOS 12");
    // An iPad on iPadOS 26 in desktop mode (2026-12: the previous major, a warning).
    let ipad_26 = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 \
                   (KHTML, like Gecko) Version/26.1 Safari/605.1.15";
    let d = parse(ipad_26, None, Some(5));
    assert_eq!(assess(&d).status, SupportStatus::EndingSoon);
    // The same string from a Mac: macOS, version unknown.
    assert_eq!(
        assess(&parse(ipad_26, None, Some(0))).status,
        SupportStatus::Unknown
    );
    // Android: unknown from the reduced string alone, judged with the hints.
    let tablet = "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) \
                  Chrome/131.0.0.0 Safari/537.36";
    assert_eq!(
        assess(&parse(tablet, None, None)).status,
        SupportStatus::Unknown
    );
    let h = ClientHints::from_headers(
        Some("\"Android\""),
        Some("\"13.0.0\""),
        Some("\"Chromium\";v=\"131.0.6778.81\", \"Google Chrome\";v=\"131.0.6778.81\""),
        Some("?0"),
        Some("\"SM-X200\""),
    );
    let d = parse(tablet, Some(&h), Some(10));
    assert_eq!(d.os.version.as_deref(), Some("13"));
    assert_eq!(d.model.as_deref(), Some("SM-X200"));
    let a = assess(&d);
    assert_eq!(
        (a.status, a.product.as_str()),
        (SupportStatus::Unsupported, "Android 13")
    );
    // Windows 10 through the hints: its best case, 22H2, ended in October 2025.
    let win = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) \
               Chrome/131.0.0.0 Safari/537.36";
    let h10 = ClientHints {
        platform: Some("Windows".into()),
        platform_version: Some("10.0.0".into()),
        ..ClientHints::default()
    };
    let a = assess(&parse(win, Some(&h10), None));
    assert_eq!(a.status, SupportStatus::Unsupported, "{a:?}");
    assert_eq!(a.end_of_support, Some(date(2025, 10, 14)));
    // Windows 11, or 10 or 11: the release (build) is not visible.
    let h11 = ClientHints {
        platform_version: Some("19.0.0".into()),
        ..h10.clone()
    };
    let d = parse(win, Some(&h11), None);
    assert_eq!(d.os.name, "Windows 11");
    assert!(d.unknown.contains_key("os.build"));
    assert_eq!(assess(&d).status, SupportStatus::Unknown);
    // A current Chromebook; one that stopped updating.
    let cros = |m: u32| {
        format!(
            "Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) \
             Chrome/{m}.0.0.0 Safari/537.36"
        )
    };
    assert_eq!(
        assess(&parse(&cros(158), None, None)).status,
        SupportStatus::Supported
    );
    assert_eq!(
        assess(&parse(&cros(131), None, None)).status,
        SupportStatus::Unsupported
    );
}

#[test]
fn the_browser_is_judged_by_its_engine() {
    let crios = "Mozilla/5.0 (iPhone; CPU iPhone OS 15_8 like Mac OS X) AppleWebKit/605.1.15 \
                 (KHTML, like Gecko) CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1";
    let b = parse(crios, None, Some(5)).browser_info().unwrap();
    // Chrome 131 on iOS 15 is WebKit 15: below Safari's minimum, whatever Chrome's number.
    assert_eq!(
        (b.name.as_str(), b.version.as_deref()),
        ("safari", Some("15.8"))
    );
    assert_eq!(b.source, "browser");
    assert_eq!(
        b.location.as_deref(),
        Some("Chrome for iOS 131.0.6778.73 (WebKit of iOS 15.8)")
    );
    // Brave says Chrome in its User-Agent, Brave in its hints: judged by its Chromium.
    let brave = ClientHints {
        full_version_list: vec![
            Brand {
                brand: "Brave".into(),
                version: "131.1.73.97".into(),
            },
            Brand {
                brand: "Chromium".into(),
                version: "131.0.6778.86".into(),
            },
        ],
        ..ClientHints::default()
    };
    let ua = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) \
              Chrome/131.0.0.0 Safari/537.36";
    let b = parse(ua, Some(&brave), None).browser_info().unwrap();
    assert_eq!(
        (b.name.as_str(), b.version.as_deref()),
        ("chromium", Some("131.0.6778.86"))
    );
}

#[test]
fn long_input_is_cut() {
    // A real string padded past the bound still parses; what lies past it is ignored.
    let ua = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0";
    let padded = format!("{ua} {}", "x".repeat(MAX_USER_AGENT_BYTES));
    assert_eq!(
        parse(&padded, None, None).browser,
        parse(ua, None, None).browser
    );
    let hidden = format!("{} Firefox/133.0", "x".repeat(MAX_USER_AGENT_BYTES));
    assert!(parse(&hidden, None, None).browser.is_none());
    // Hints: a long value is cut, brands past the bound are not read.
    let h = ClientHints {
        platform: Some(format!("Windows{}", " ".repeat(MAX_HINT_BYTES))),
        full_version_list: (0..100)
            .map(|i| Brand {
                brand: if i == MAX_BRANDS {
                    "Google Chrome".into()
                } else {
                    format!("B{i}")
                },
                version: "131.0".into(),
            })
            .collect(),
        ..ClientHints::default()
    };
    let d = parse("Mozilla/5.0 (Windows NT 10.0)", Some(&h), None);
    assert_eq!(d.os.family, OsFamily::Windows);
    assert!(d.browser.is_none(), "{d:?}");
}

/// Every text the output carries, to bound its size.
fn output_len(d: &DeviceInfo) -> usize {
    let os = &d.os;
    let b = d.browser.as_ref();
    os.name.len()
        + os.version.as_ref().map_or(0, String::len)
        + os.build.as_ref().map_or(0, String::len)
        + os.kernel.as_ref().map_or(0, String::len)
        + b.and_then(|b| b.version.as_ref()).map_or(0, String::len)
        + b.and_then(|b| b.engine_version.as_ref())
            .map_or(0, String::len)
        + d.model.as_ref().map_or(0, String::len)
        + d.unknown
            .iter()
            .map(|(k, v)| k.len() + v.len())
            .sum::<usize>()
}

/// Pieces of real User-Agents, so that the generated strings reach the parser's branches.
fn ua_piece() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("Mozilla/5.0 (".to_owned()),
        Just("iPhone; CPU iPhone OS 18_6 like Mac OS X".to_owned()),
        Just("iPad; CPU OS ".to_owned()),
        Just("Macintosh; Intel Mac OS X 10_15_7".to_owned()),
        Just("Linux; Android ".to_owned()),
        Just("; K)".to_owned()),
        Just("X11; CrOS x86_64 14541.0.0".to_owned()),
        Just("Windows NT ".to_owned()),
        Just(") AppleWebKit/605.1.15 (KHTML, like Gecko) ".to_owned()),
        Just("Version/".to_owned()),
        Just("CriOS/".to_owned()),
        Just("FxiOS/".to_owned()),
        Just("Chrome/".to_owned()),
        Just("Edg/".to_owned()),
        Just("SamsungBrowser/".to_owned()),
        Just("Firefox/".to_owned()),
        Just("Trident/7.0; rv:".to_owned()),
        Just(" Mobile Safari/537.36".to_owned()),
        "[0-9._]{0,12}",
        "[ -~]{0,20}",
        "\\PC{0,8}",
    ]
}

proptest! {
    #[test]
    fn arbitrary_input_never_panics_and_stays_bounded(
        pieces in prop::collection::vec(ua_piece(), 0..40),
        noise in "\\PC{0,64}",
        touch in prop::option::of(any::<u32>()),
        platform in prop::option::of("\\PC{0,300}"),
        platform_version in prop::option::of("[0-9.]{0,300}"),
        brands in prop::collection::vec(("\\PC{0,40}", "[0-9.]{0,40}"), 0..20),
        mobile in prop::option::of(any::<bool>()),
        model in prop::option::of("\\PC{0,300}"),
    ) {
        let ua = pieces.concat() + &noise;
        let hints = ClientHints {
            platform,
            platform_version,
            full_version_list: brands
                .into_iter()
                .map(|(brand, version)| Brand { brand, version })
                .collect(),
            mobile,
            model,
        };
        for h in [None, Some(&hints)] {
            let d = parse(&ua, h, touch);
            prop_assert!(output_len(&d) <= 1024, "{d:?}");
            if let Some(b) = d.browser_info() {
                prop_assert!(b.location.map_or(0, |l| l.len()) <= 200);
            }
        }
        // And through the headers' form.
        let h = ClientHints::from_headers(
            Some(&ua), Some(&noise), Some(&ua), Some(&noise), Some(&ua),
        );
        prop_assert!(h.full_version_list.len() <= MAX_BRANDS);
        let _ = parse(&noise, Some(&h), touch);
    }
}
