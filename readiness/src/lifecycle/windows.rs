//! Windows: feature updates, LTSC editions, older and server releases.

use jiff::civil::{Date, date};

use super::{Found, OsSupportPolicy, Support, leading_number, non_empty};
use crate::measurements::OsInfo;

/// Windows 10/11 feature updates of the general-availability channel, by `CurrentBuildNumber`:
/// (build, Windows major, version, end for Home/Pro/Pro Education/Pro for Workstations/SE,
/// end for Enterprise/Education/IoT Enterprise/Enterprise multi-session).
/// Source: Microsoft Lifecycle pages "Windows 10 Home and Pro", "Windows 10 Enterprise and
/// Education", "Windows 11 Home and Pro", "Windows 11 Enterprise and Education", and the
/// Windows release health "release information" pages.
static WINDOWS_GA: &[(u32, u8, &str, Date, Date)] = &[
    (10240, 10, "1507", date(2017, 5, 9), date(2017, 5, 9)),
    (10586, 10, "1511", date(2017, 10, 10), date(2018, 4, 10)),
    (14393, 10, "1607", date(2018, 4, 10), date(2019, 4, 9)),
    (15063, 10, "1703", date(2018, 10, 9), date(2019, 10, 8)),
    (16299, 10, "1709", date(2019, 4, 9), date(2020, 10, 13)),
    (17134, 10, "1803", date(2019, 11, 12), date(2021, 5, 11)),
    (17763, 10, "1809", date(2020, 11, 10), date(2021, 5, 11)),
    (18362, 10, "1903", date(2020, 12, 8), date(2020, 12, 8)),
    (18363, 10, "1909", date(2021, 5, 11), date(2022, 5, 10)),
    (19041, 10, "2004", date(2021, 12, 14), date(2021, 12, 14)),
    (19042, 10, "20H2", date(2022, 5, 10), date(2023, 5, 9)),
    (19043, 10, "21H1", date(2022, 12, 13), date(2022, 12, 13)),
    (19044, 10, "21H2", date(2023, 6, 13), date(2024, 6, 11)),
    (19045, 10, "22H2", date(2025, 10, 14), date(2025, 10, 14)),
    (22000, 11, "21H2", date(2023, 10, 10), date(2024, 10, 8)),
    (22621, 11, "22H2", date(2024, 10, 8), date(2025, 10, 14)),
    (22631, 11, "23H2", date(2025, 11, 11), date(2026, 11, 10)),
    (26100, 11, "24H2", date(2026, 10, 13), date(2027, 10, 12)),
    (26200, 11, "25H2", date(2027, 10, 12), date(2028, 10, 10)),
];

/// The only Windows 10 build that Windows 10 ESU covers (22H2).
const WINDOWS10_ESU_BUILD: u32 = 19045;

/// Long-Term Servicing editions (`EditionID` EnterpriseS / IoTEnterpriseS), by build:
/// (build, Windows major, channel release, end, IoT Enterprise end). End of extended support for LTSB 2015/2016 and
/// LTSC 2019, of mainstream support for LTSC 2021/2024 (they have no extended phase).
/// Source: Microsoft Lifecycle pages "Windows 10 Enterprise LTSB 2015/2016", "Windows 10
/// Enterprise LTSC 2019/2021", "Windows 10 IoT Enterprise LTSC 2021", "Windows 11 Enterprise
/// LTSC 2024", "Windows 11 IoT Enterprise LTSC 2024".
#[rustfmt::skip] // one product a line
static WINDOWS_LTSC: &[(u32, u8, &str, Date, Date)] = &[
    (10240, 10, "LTSB 2015", date(2025, 10, 14), date(2025, 10, 14)),
    (14393, 10, "LTSB 2016", date(2026, 10, 13), date(2026, 10, 13)),
    (17763, 10, "LTSC 2019", date(2029, 1, 9), date(2029, 1, 9)),
    (19044, 10, "LTSC 2021", date(2027, 1, 12), date(2032, 1, 13)),
    (26100, 11, "LTSC 2024", date(2029, 10, 9), date(2034, 10, 10)),
];

/// Windows before Windows 10 and Windows Server (an `EditionID` starting with "Server"):
/// (first build, last build, server?, product, end of extended support).
/// Source: Microsoft Lifecycle pages of each product (fixed lifecycle policy).
#[rustfmt::skip] // one product a line
static WINDOWS_FIXED: &[(u32, u32, bool, &str, Date)] = &[
    (2600, 2600, false, "Windows XP", date(2014, 4, 8)),
    (6000, 6003, false, "Windows Vista", date(2017, 4, 11)),
    (7600, 7601, false, "Windows 7", date(2020, 1, 14)),
    (9200, 9200, false, "Windows 8", date(2016, 1, 12)),
    (9600, 9600, false, "Windows 8.1", date(2023, 1, 10)),
    (7600, 7601, true, "Windows Server 2008 R2", date(2020, 1, 14)),
    (9200, 9200, true, "Windows Server 2012", date(2023, 10, 10)),
    (9600, 9600, true, "Windows Server 2012 R2", date(2023, 10, 10)),
    (14393, 14393, true, "Windows Server 2016", date(2027, 1, 12)),
    (17763, 17763, true, "Windows Server 2019", date(2029, 1, 9)),
    (20348, 20348, true, "Windows Server 2022", date(2031, 10, 14)),
    (26100, 26100, true, "Windows Server 2025", date(2034, 11, 14)),
];

// --- Windows ---------------------------------------------------------------------------------

/// Servicing channel, from `EditionID`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Channel {
    HomePro,
    EnterpriseEducation,
    Ltsc { iot: bool },
    Server,
}

fn channel(edition: &str) -> Channel {
    let e = edition.to_ascii_lowercase();
    if e.starts_with("iotenterprises") {
        Channel::Ltsc { iot: true }
    } else if e.starts_with("enterprises") {
        Channel::Ltsc { iot: false }
    } else if e == "serverrdsh" {
        // Enterprise multi-session.
        Channel::EnterpriseEducation
    } else if e.starts_with("server") {
        Channel::Server
    } else if ["enterprise", "education", "iotenterprise"]
        .iter()
        .any(|p| e.starts_with(p))
    {
        Channel::EnterpriseEducation
    } else {
        Channel::HomePro
    }
}

/// Marketing name of an `EditionID`, for the product string.
fn edition_label(edition: &str) -> &str {
    match edition {
        "Core" => "Home",
        "CoreN" => "Home N",
        "CoreSingleLanguage" => "Home Single Language",
        "CoreCountrySpecific" => "Home China",
        "Professional" => "Pro",
        "ProfessionalN" => "Pro N",
        "ProfessionalEducation" => "Pro Education",
        "ProfessionalWorkstation" => "Pro for Workstations",
        "ServerRdsh" => "Enterprise multi-session",
        "CloudEdition" => "SE",
        other => other,
    }
}

/// The name the browser probe gives a Windows it knows to be 10 (UA client hints), whose
/// build and edition a browser never shows.
pub const WINDOWS10_FROM_BROWSER: &str = "Windows 10";

pub(super) fn windows(os: &OsInfo, today: Date, policy: &OsSupportPolicy) -> Found {
    let read = non_empty(os.build.as_deref()).and_then(leading_number);
    // Windows 10 seen from a browser (no build, no edition, as the agent never reports it):
    // judged as its best case, 22H2, since every other Windows 10 release ended earlier.
    let from_browser =
        read.is_none() && os.edition.is_none() && os.name.trim() == WINDOWS10_FROM_BROWSER;
    let Some(build) = read.or(from_browser.then_some(WINDOWS10_ESU_BUILD)) else {
        return Found::new(
            format!(
                "unknown Windows '{}' (build number not read)",
                os.name.trim()
            ),
            Support::Unknown,
        );
    };
    let edition = non_empty(os.edition.as_deref());
    let chan = edition.map(channel);

    if chan == Some(Channel::Server) || build < 10240 {
        let server = chan == Some(Channel::Server);
        return match WINDOWS_FIXED
            .iter()
            .find(|w| (w.0..=w.1).contains(&build) && w.2 == server)
        {
            Some(&(.., product, end)) => Found::new(product, Support::Until(end)),
            None if server => Found::new(
                format!("unknown Windows Server build {build}"),
                Support::Unknown,
            ),
            None => Found::new(
                format!("Windows (build {build}, before Windows 10)"),
                Support::Ended,
            ),
        };
    }
    if let Some(Channel::Ltsc { iot }) = chan
        && let Some(&(_, major, release, end, iot_end)) = WINDOWS_LTSC.iter().find(|w| w.0 == build)
    {
        let (iot_prefix, end) = if iot { ("IoT ", iot_end) } else { ("", end) };
        let product = format!("Windows {major} {iot_prefix}Enterprise {release}");
        return Found::new(product, Support::Until(end));
    }

    let mut notes = Vec::new();
    if from_browser {
        notes.push(
            "build not visible from a browser: the best case, 22H2, assumed (every other \
             Windows 10 release ended earlier)"
                .to_owned(),
        );
    }
    let Some(&(_, major, version, home_pro, ent_edu)) = WINDOWS_GA.iter().find(|w| w.0 == build)
    else {
        return if build > WINDOWS_GA.last().map_or(0, |w| w.0) {
            Found::new(format!("Windows 11 (build {build})"), Support::Current)
        } else {
            Found::new(format!("unknown Windows build {build}"), Support::Unknown)
        };
    };
    let end = if chan == Some(Channel::EnterpriseEducation) {
        ent_edu
    } else {
        if chan.is_none() && home_pro != ent_edu {
            notes.push("edition not read: Home/Pro servicing dates assumed".to_owned());
        }
        home_pro
    };
    if major == 11 && os.name.contains("Windows 10") {
        notes.push(format!(
            "identified by build {build} (the registry product name '{}' says Windows 10 on Windows 11)",
            os.name.trim()
        ));
    }
    let product = match edition {
        Some(e) => format!("Windows {major} {version} ({})", edition_label(e)),
        None => format!("Windows {major} {version}"),
    };
    let support = match policy.windows10_esu_until {
        Some(esu) if build == WINDOWS10_ESU_BUILD && today > end && esu > end => Support::Esu(esu),
        _ => Support::Until(end),
    };
    Found::new(product, support).basis((!notes.is_empty()).then(|| notes.join("; ")))
}
