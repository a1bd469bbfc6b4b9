//! Operating-system identity: which OS, distribution, version, build and edition the
//! workstation runs.
//!
//! Each OS has its own source: `/etc/os-release` on Linux, the `CurrentVersion` registry key
//! on Windows, `SystemVersion.plist` on macOS. Each is turned into an [`OsInfo`] by a pure
//! function compiled on every platform, so that the mapping is tested on Linux with fixture
//! files; only the reading itself differs per platform. This module also owns the reading of
//! property lists (with the `plist` crate), which the browser probe reuses for `Info.plist`.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use readiness::measurements::{OsFamily, OsInfo};

use super::non_blank;
use crate::platform::{Hive, Registry};

/// Identify the running OS. Never panics; errors are returned as a reason string for the report.
pub fn detect() -> Result<OsInfo, String> {
    #[cfg(target_os = "linux")]
    {
        detect_linux_in(Path::new("/"))
    }
    #[cfg(windows)]
    {
        windows_from_registry(&crate::platform::windows::WindowsRegistry)
    }
    #[cfg(target_os = "macos")]
    {
        detect_macos_in(
            Path::new("/"),
            crate::platform::macos::kernel_release().as_deref(),
        )
    }
    #[cfg(not(any(target_os = "linux", windows, target_os = "macos")))]
    {
        let os = std::env::consts::OS;
        Ok(OsInfo::new(OsFamily::Other, os, os.to_owned()))
    }
}

// ---------------------------------------------------------------------------------------------
// Linux

/// Identify a Linux system from the files under `root`: `/` on the live system, a fixture tree
/// in tests. Reads `etc/os-release` (else `usr/lib/os-release`), `etc/debian_version` and
/// `proc/sys/kernel/osrelease`.
#[cfg_attr(
    not(target_os = "linux"),
    allow(dead_code, reason = "used on Linux; compiled everywhere for its tests")
)]
pub fn detect_linux_in(root: &Path) -> Result<OsInfo, String> {
    let mut failures = Vec::new();
    let mut os_release = None;
    for file in ["etc/os-release", "usr/lib/os-release"] {
        match fs::read(root.join(file)) {
            Ok(bytes) => {
                os_release = Some(String::from_utf8_lossy(&bytes).into_owned());
                break;
            }
            Err(e) => failures.push(format!("/{file}: {e}")),
        }
    }
    let Some(os_release) = os_release else {
        return Err(format!(
            "the Linux distribution cannot be identified: no readable os-release file ({})",
            failures.join("; ")
        ));
    };
    let read_trimmed = |file: &str| {
        fs::read(root.join(file))
            .ok()
            .and_then(|bytes| non_blank(Some(&String::from_utf8_lossy(&bytes))))
    };
    Ok(linux_from_files(
        &os_release,
        read_trimmed("etc/debian_version").as_deref(),
        read_trimmed("proc/sys/kernel/osrelease").as_deref(),
    ))
}

/// Map the content of `os-release`, `/etc/debian_version` and the kernel release to an
/// [`OsInfo`]. The name is `PRETTY_NAME`, else `NAME VERSION`; missing `ID` means `linux`, as
/// os-release(5) says.
pub fn linux_from_files(
    os_release: &str,
    debian_version: Option<&str>,
    kernel: Option<&str>,
) -> OsInfo {
    let fields = parse_os_release(os_release);
    let field = |key: &str| non_blank(fields.get(key).map(String::as_str));
    let name = field("PRETTY_NAME")
        .or_else(|| match (field("NAME"), field("VERSION")) {
            (Some(name), Some(version)) => Some(format!("{name} {version}")),
            (name, _) => name,
        })
        .unwrap_or_else(|| "Linux".to_owned());
    let id = field("ID").unwrap_or_else(|| "linux".to_owned());
    OsInfo {
        id_like: field("ID_LIKE")
            .map(|like| like.split_whitespace().map(str::to_owned).collect())
            .unwrap_or_default(),
        version: field("VERSION_ID"),
        codename: field("VERSION_CODENAME"),
        ubuntu_codename: field("UBUNTU_CODENAME"),
        debian_version: non_blank(debian_version),
        kernel: non_blank(kernel),
        ..OsInfo::new(OsFamily::Linux, &id, name)
    }
}

/// The assignments of an os-release(5) file: `KEY=value` lines whose values follow shell
/// quoting (double quotes with `\"`, `\\`, `\$`, `` \` `` escapes; single quotes literal;
/// backslash escapes outside quotes). Comments and malformed lines are skipped.
pub fn parse_os_release(text: &str) -> BTreeMap<String, String> {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .filter_map(|line| {
            let (key, value) = line.split_once('=')?;
            let valid_key =
                !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            valid_key.then(|| (key.to_owned(), shell_unquote(value)))
        })
        .collect()
}

/// The value of a shell assignment's right-hand side, up to the first unquoted blank.
fn shell_unquote(raw: &str) -> String {
    let mut out = String::new();
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                while let Some(c) = chars.next() {
                    match c {
                        '"' => break,
                        '\\' => match chars.next() {
                            Some(escaped @ ('"' | '\\' | '$' | '`')) => out.push(escaped),
                            Some(other) => {
                                out.push('\\');
                                out.push(other);
                            }
                            None => out.push('\\'),
                        },
                        c => out.push(c),
                    }
                }
            }
            '\'' => out.extend(chars.by_ref().take_while(|&c| c != '\'')),
            '\\' => out.extend(chars.next()),
            c if c.is_whitespace() => break,
            c => out.push(c),
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Windows

/// Where Windows records its identity, under `HKLM`.
pub const WINDOWS_CURRENT_VERSION_KEY: &str = r"SOFTWARE\Microsoft\Windows NT\CurrentVersion";

/// Identify Windows from the `CurrentVersion` key of `registry`.
#[cfg_attr(
    not(windows),
    allow(
        dead_code,
        reason = "used on Windows; compiled everywhere for its tests"
    )
)]
pub fn windows_from_registry(registry: &dyn Registry) -> Result<OsInfo, String> {
    let key = WINDOWS_CURRENT_VERSION_KEY;
    let unreadable = |e: String| format!("cannot read HKLM\\{key}: {e}");
    let read = |name: &str| registry.value(Hive::LocalMachine, key, name);
    // The first read tells whether the key can be read at all; later failures leave the
    // field empty rather than losing what was read.
    let product_name = read("ProductName").map_err(unreadable)?;
    let read = |name: &str| read(name).ok().flatten();
    let build = read("CurrentBuildNumber").or_else(|| read("CurrentBuild"));
    if product_name.is_none() && build.is_none() {
        return Err(format!(
            "HKLM\\{key} has neither ProductName nor CurrentBuildNumber: the Windows version cannot be identified"
        ));
    }
    Ok(windows_from_values(
        product_name.as_deref(),
        read("DisplayVersion").as_deref(),
        read("ReleaseId").as_deref(),
        build.as_deref(),
        read("UBR").and_then(|ubr| ubr.trim().parse().ok()),
        read("EditionID").as_deref(),
    ))
}

/// Map the raw `CurrentVersion` values to an [`OsInfo`].
///
/// `ProductName` still says "Windows 10" on Windows 11, which is told apart by its build
/// (22000 and later), so the name is corrected. The name also carries the version and the
/// full build with its update revision (`UBR`), e.g. "Windows 11 Education 23H2 (build
/// 22631.4602)"; `version` is `DisplayVersion` (before 20H2: `ReleaseId`) and `build` is
/// `CurrentBuildNumber` alone.
pub fn windows_from_values(
    product_name: Option<&str>,
    display_version: Option<&str>,
    release_id: Option<&str>,
    build: Option<&str>,
    ubr: Option<u32>,
    edition: Option<&str>,
) -> OsInfo {
    let build = non_blank(build);
    let version = non_blank(display_version).or_else(|| non_blank(release_id));
    let mut product = non_blank(product_name).unwrap_or_else(|| "Windows".to_owned());
    let is_windows_11 = build
        .as_deref()
        .and_then(|b| b.parse::<u32>().ok())
        .is_some_and(|b| b >= 22000);
    if is_windows_11
        && let Some(rest) = product.strip_prefix("Windows 10")
        && (rest.is_empty() || rest.starts_with(' '))
    {
        product = format!("Windows 11{rest}");
    }
    let mut name = product;
    if let Some(version) = &version {
        name = format!("{name} {version}");
    }
    match (&build, ubr) {
        (Some(build), Some(ubr)) => name = format!("{name} (build {build}.{ubr})"),
        (Some(build), None) => name = format!("{name} (build {build})"),
        (None, _) => {}
    }
    OsInfo {
        version,
        build,
        edition: non_blank(edition),
        ..OsInfo::new(OsFamily::Windows, "windows", name)
    }
}

// ---------------------------------------------------------------------------------------------
// macOS

/// Where macOS records its version, relative to the root.
pub const MACOS_SYSTEM_VERSION: &str = "System/Library/CoreServices/SystemVersion.plist";

/// Identify macOS from `SystemVersion.plist` under `root` (`/` on the live system).
#[cfg_attr(
    not(target_os = "macos"),
    allow(dead_code, reason = "used on macOS; compiled everywhere for its tests")
)]
pub fn detect_macos_in(root: &Path, kernel: Option<&str>) -> Result<OsInfo, String> {
    let shown = format!("/{MACOS_SYSTEM_VERSION}");
    let bytes = fs::read(root.join(MACOS_SYSTEM_VERSION))
        .map_err(|e| format!("cannot read {shown}: {e}"))?;
    let values = plist_strings(&bytes).map_err(|e| format!("{shown}: {e}"))?;
    let value = |key: &str| values.get(key).map(String::as_str);
    Ok(macos_from_values(
        value("ProductName"),
        value("ProductVersion"),
        value("ProductBuildVersion"),
        kernel,
    ))
}

/// Map `SystemVersion.plist` values to an [`OsInfo`], e.g. "macOS Sequoia 15.1".
pub fn macos_from_values(
    product_name: Option<&str>,
    product_version: Option<&str>,
    build: Option<&str>,
    kernel: Option<&str>,
) -> OsInfo {
    let version = non_blank(product_version);
    let codename = version.as_deref().and_then(macos_codename);
    let name = [
        Some(non_blank(product_name).unwrap_or_else(|| "macOS".to_owned())),
        codename.map(str::to_owned),
        version.clone(),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" ");
    OsInfo {
        version,
        codename: codename.map(str::to_owned),
        build: non_blank(build),
        kernel: non_blank(kernel),
        ..OsInfo::new(OsFamily::Macos, "macos", name)
    }
}

/// Apple's marketing name of a macOS version.
fn macos_codename(version: &str) -> Option<&'static str> {
    let mut parts = version.split('.');
    let major = parts.next()?.parse::<u32>().ok()?;
    let minor = parts
        .next()
        .and_then(|m| m.parse::<u32>().ok())
        .unwrap_or(0);
    Some(match (major, minor) {
        (26, _) => "Tahoe",
        (15, _) => "Sequoia",
        (14, _) => "Sonoma",
        (13, _) => "Ventura",
        (12, _) => "Monterey",
        (11, _) => "Big Sur",
        (10, 15) => "Catalina",
        (10, 14) => "Mojave",
        (10, 13) => "High Sierra",
        (10, 12) => "Sierra",
        _ => return None,
    })
}

/// What is reported of an XML property list that cannot be read, whatever the parser's
/// complaint: the text the reports have always carried.
const NOT_XML_PLIST: &str = "not an XML property list with a dictionary at its root";

/// The top-level string entries of a property list file's bytes, read with the `plist`
/// crate; nested dictionaries and arrays, and non-string values, are skipped. Binary lists
/// (`bplist00`) are decoded on macOS only, the one place the agent meets them; elsewhere
/// (the tests' fixture trees) they give a reason, as they always have.
pub fn plist_strings(bytes: &[u8]) -> Result<BTreeMap<String, String>, String> {
    let binary = bytes.starts_with(b"bplist");
    let value = if binary {
        if !cfg!(target_os = "macos") {
            return Err("binary property list, only readable on macOS".to_owned());
        }
        plist::Value::from_reader(std::io::Cursor::new(bytes))
            .map_err(|e| format!("unreadable binary property list: {e}"))?
    } else {
        plist::Value::from_reader_xml(bytes).map_err(|_| NOT_XML_PLIST.to_owned())?
    };
    let dict = value.as_dictionary().ok_or(if binary {
        "the property list is not a dictionary"
    } else {
        NOT_XML_PLIST
    })?;
    Ok(dict
        .iter()
        .filter_map(|(key, value)| Some((key.clone(), value.as_string()?.to_owned())))
        .collect())
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::platform::FakeRegistry;

    fn fixtures() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/os")
    }

    #[test]
    fn os_release_quoting_follows_the_spec() {
        let fields = parse_os_release(
            "# a comment\n\
             \n\
             NAME=\"Debian GNU/Linux\"\n\
             ID=debian\n\
             PRETTY_NAME='Single \"quoted\"'\n\
             ESCAPED=\"a \\\"b\\\" \\$c \\\\d \\e\"\n\
             BARE=with\\ space\n\
             TRAILING=\"x\" # comment\n\
             lower_case=ok\n\
             NOT A LINE\n\
             =novalue\n\
             EMPTY=\n",
        );
        assert_eq!(fields["NAME"], "Debian GNU/Linux");
        assert_eq!(fields["ID"], "debian");
        assert_eq!(fields["PRETTY_NAME"], "Single \"quoted\"");
        assert_eq!(fields["ESCAPED"], "a \"b\" $c \\d \\e");
        assert_eq!(fields["BARE"], "with space");
        assert_eq!(fields["TRAILING"], "x");
        assert_eq!(fields["lower_case"], "ok");
        assert_eq!(fields["EMPTY"], "");
        assert_eq!(fields.len(), 8);
    }

    #[test]
    fn debian_12() {
        let os = detect_linux_in(&fixtures().join("debian-12")).unwrap();
        assert_eq!(os.family, OsFamily::Linux);
        assert_eq!(os.name, "Debian GNU/Linux 12 (bookworm)");
        assert_eq!(os.id, "debian");
        assert!(os.id_like.is_empty());
        assert_eq!(os.version.as_deref(), Some("12"));
        assert_eq!(os.codename.as_deref(), Some("bookworm"));
        assert_eq!(os.ubuntu_codename, None);
        assert_eq!(os.debian_version.as_deref(), Some("12.8"));
        assert_eq!(os.kernel.as_deref(), Some("6.1.0-28-amd64"));
        assert_eq!(os.build, None);
        assert_eq!(os.edition, None);
    }

    #[test]
    fn ubuntu_24_04_falls_back_to_usr_lib_os_release() {
        let root = fixtures().join("ubuntu-24.04");
        assert!(!root.join("etc/os-release").exists());
        let os = detect_linux_in(&root).unwrap();
        assert_eq!(os.name, "Ubuntu 24.04.1 LTS");
        assert_eq!(os.id, "ubuntu");
        assert_eq!(os.id_like, ["debian"]);
        assert_eq!(os.version.as_deref(), Some("24.04"));
        assert_eq!(os.codename.as_deref(), Some("noble"));
        assert_eq!(os.ubuntu_codename.as_deref(), Some("noble"));
        assert_eq!(os.debian_version.as_deref(), Some("trixie/sid"));
        assert_eq!(os.kernel.as_deref(), Some("6.8.0-49-generic"));
    }

    #[test]
    fn linux_mint_21_3() {
        let os = detect_linux_in(&fixtures().join("linuxmint-21.3")).unwrap();
        assert_eq!(os.name, "Linux Mint 21.3");
        assert_eq!(os.id, "linuxmint");
        assert_eq!(os.id_like, ["ubuntu", "debian"]);
        assert_eq!(os.version.as_deref(), Some("21.3"));
        assert_eq!(os.codename.as_deref(), Some("virginia"));
        assert_eq!(os.ubuntu_codename.as_deref(), Some("jammy"));
        assert_eq!(os.debian_version.as_deref(), Some("bookworm/sid"));
        // No kernel file in this fixture: the field is simply absent.
        assert_eq!(os.kernel, None);
    }

    #[test]
    fn primtux_8() {
        let os = detect_linux_in(&fixtures().join("primtux-8")).unwrap();
        assert_eq!(os.name, "PrimTux 8 (bookworm)");
        assert_eq!(os.id, "primtux");
        assert_eq!(os.id_like, ["debian"]);
        assert_eq!(os.version.as_deref(), Some("8"));
        assert_eq!(os.codename.as_deref(), Some("bookworm"));
        assert_eq!(os.debian_version.as_deref(), Some("12.7"));
    }

    #[test]
    fn linux_name_and_id_fallbacks() {
        let os = linux_from_files("NAME=Foo\nVERSION=\"3 (bar)\"\n", Some("  \n"), None);
        assert_eq!(os.name, "Foo 3 (bar)");
        assert_eq!(os.id, "linux");
        assert_eq!(os.debian_version, None);
        let os = linux_from_files("", None, Some("6.1.0\n"));
        assert_eq!(os.name, "Linux");
        assert_eq!(os.kernel.as_deref(), Some("6.1.0"));
    }

    #[test]
    fn missing_os_release_is_an_error_naming_both_files() {
        let empty = tempfile::tempdir().unwrap();
        let err = detect_linux_in(empty.path()).unwrap_err();
        assert!(err.contains("/etc/os-release"), "{err}");
        assert!(err.contains("/usr/lib/os-release"), "{err}");
    }

    #[test]
    fn windows_11_is_named_from_its_build() {
        let os = windows_from_values(
            Some("Windows 10 Education"),
            Some("23H2"),
            Some("2009"),
            Some("22631"),
            Some(4602),
            Some("Education"),
        );
        assert_eq!(os.family, OsFamily::Windows);
        assert_eq!(os.id, "windows");
        assert_eq!(os.name, "Windows 11 Education 23H2 (build 22631.4602)");
        assert_eq!(os.version.as_deref(), Some("23H2"));
        assert_eq!(os.build.as_deref(), Some("22631"));
        assert_eq!(os.edition.as_deref(), Some("Education"));
        assert_eq!(os.kernel, None);
    }

    #[test]
    fn windows_10_and_older_values() {
        let os = windows_from_values(
            Some("Windows 10 Pro"),
            Some("22H2"),
            None,
            Some("19045"),
            None,
            Some("Professional"),
        );
        assert_eq!(os.name, "Windows 10 Pro 22H2 (build 19045)");
        // Before 20H2 there is no DisplayVersion: ReleaseId stands in.
        let os = windows_from_values(
            Some("Windows 10 Enterprise LTSC 2019"),
            None,
            Some("1809"),
            Some("17763"),
            Some(6659),
            Some("EnterpriseS"),
        );
        assert_eq!(os.version.as_deref(), Some("1809"));
        assert_eq!(os.edition.as_deref(), Some("EnterpriseS"));
        // Only a "Windows 10" prefix is corrected.
        let os = windows_from_values(
            Some("Windows Server 2025 Standard"),
            Some("24H2"),
            None,
            Some("26100"),
            None,
            None,
        );
        assert_eq!(os.name, "Windows Server 2025 Standard 24H2 (build 26100)");
        let os = windows_from_values(None, None, None, None, None, Some(" "));
        assert_eq!(os.name, "Windows");
        assert_eq!(os.edition, None);
    }

    #[test]
    fn windows_from_a_registry_export() {
        let text = fs::read_to_string(fixtures().join("windows-11-education.reg")).unwrap();
        let os = windows_from_registry(&FakeRegistry::from_reg_export(&text)).unwrap();
        assert_eq!(os.name, "Windows 11 Education 24H2 (build 26100.2605)");
        assert_eq!(os.version.as_deref(), Some("24H2"));
        assert_eq!(os.build.as_deref(), Some("26100"));
        assert_eq!(os.edition.as_deref(), Some("Education"));

        let text = fs::read_to_string(fixtures().join("windows-10-pro-22h2.reg")).unwrap();
        let os = windows_from_registry(&FakeRegistry::from_reg_export(&text)).unwrap();
        assert_eq!(os.name, "Windows 10 Pro 22H2 (build 19045.5247)");
        assert_eq!(os.edition.as_deref(), Some("Professional"));
    }

    /// From the registry export to the check the technician reads, with the built-in profile:
    /// the version, build and edition read here decide the end of support in the readiness
    /// crate's table.
    #[test]
    fn windows_support_from_registry_exports() {
        use readiness::report::{CheckStatus, Lang};
        use readiness::{Profile, assess};
        let support = |file: &str, today: jiff::civil::Date, lang: Lang| {
            let text = fs::read_to_string(fixtures().join(file)).unwrap();
            let os = windows_from_registry(&FakeRegistry::from_reg_export(&text)).unwrap();
            let measurements = readiness::measurements::Measurements {
                system: Some(readiness::measurements::SystemMeasurements {
                    os: Some(os),
                    ..Default::default()
                }),
                ..Default::default()
            };
            assess(&measurements, &Profile::default_profile(), today, lang)
                .checks
                .into_iter()
                .find(|c| c.id == "system.os_support")
                .unwrap()
        };
        let date = |y, m, d| jiff::civil::date(y, m, d);

        // Windows 10 Pro 22H2: supported until 2025-10-14 (warned in the last 6 months),
        // then out (no ESU in the profile).
        let early = support("windows-10-pro-22h2.reg", date(2025, 3, 1), Lang::En);
        assert_eq!(early.status, CheckStatus::Pass, "{early:?}");
        let soon = support("windows-10-pro-22h2.reg", date(2025, 6, 1), Lang::En);
        assert_eq!(soon.status, CheckStatus::Warn, "{soon:?}");
        let last_day = support("windows-10-pro-22h2.reg", date(2025, 10, 14), Lang::En);
        assert_eq!(last_day.status, CheckStatus::Warn, "{last_day:?}");
        let after = support("windows-10-pro-22h2.reg", date(2025, 10, 15), Lang::En);
        assert_eq!(after.status, CheckStatus::Fail, "{after:?}");
        let fix = after.remediation.clone().unwrap_or_default();
        for option in ["Windows 11", "hardware", "ESU", "education", "PrimTux"] {
            assert!(fix.contains(option), "{option} not in: {fix}");
        }
        let fr = support("windows-10-pro-22h2.reg", date(2025, 10, 15), Lang::Fr);
        let fix = fr.remediation.unwrap_or_default();
        for option in ["Windows 11", "ESU", "PrimTux"] {
            assert!(fix.contains(option), "{option} not in: {fix}");
        }

        // Windows 11 Education 24H2: supported until 2027-10-12 (Enterprise/Education dates).
        let edu = support("windows-11-education.reg", date(2026, 1, 15), Lang::En);
        assert_eq!(edu.status, CheckStatus::Pass, "{edu:?}");
        let edu = support("windows-11-education.reg", date(2027, 10, 13), Lang::En);
        assert_eq!(edu.status, CheckStatus::Fail, "{edu:?}");
    }

    #[test]
    fn windows_registry_failures_are_reasons() {
        let denied = FakeRegistry::default().deny(Hive::LocalMachine, WINDOWS_CURRENT_VERSION_KEY);
        let err = windows_from_registry(&denied).unwrap_err();
        assert!(err.contains("Access is denied"), "{err}");
        let err = windows_from_registry(&FakeRegistry::default()).unwrap_err();
        assert!(err.contains("neither ProductName"), "{err}");
    }

    #[test]
    fn macos_15() {
        let os = detect_macos_in(&fixtures().join("macos-15"), Some("24.1.0")).unwrap();
        assert_eq!(os.family, OsFamily::Macos);
        assert_eq!(os.id, "macos");
        assert_eq!(os.name, "macOS Sequoia 15.1");
        assert_eq!(os.version.as_deref(), Some("15.1"));
        assert_eq!(os.codename.as_deref(), Some("Sequoia"));
        assert_eq!(os.build.as_deref(), Some("24B83"));
        assert_eq!(os.kernel.as_deref(), Some("24.1.0"));
    }

    #[test]
    fn macos_names() {
        let os = macos_from_values(Some("Mac OS X"), Some("10.13.6"), None, None);
        assert_eq!(os.name, "Mac OS X High Sierra 10.13.6");
        let os = macos_from_values(None, Some("99.0"), None, None);
        assert_eq!(os.name, "macOS 99.0");
        assert_eq!(os.codename, None);
        let err = detect_macos_in(&fixtures().join("debian-12"), None).unwrap_err();
        assert!(err.contains("SystemVersion.plist"), "{err}");
    }

    #[test]
    fn plist_reader_keeps_top_level_strings_only() {
        let xml = r#"<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
	<!-- <key>Commented</key><string>out</string> -->
	<key>CFBundleURLTypes</key>
	<array>
		<dict>
			<key>CFBundleShortVersionString</key>
			<string>nested, not this one</string>
		</dict>
	</array>
	<key>LSMinimumSystemVersion</key>
	<integer>11</integer>
	<key>NSSupportsAutomaticTermination</key>
	<true/>
	<key>CFBundleName</key>
	<string>Tom &amp; Jerry &#233;&#x20AC;</string>
	<key>Empty</key>
	<string/>
	<key>CFBundleShortVersionString</key>
	<string>131.0.6778.86</string>
</dict>
</plist>"#;
        let strings = plist_strings(xml.as_bytes()).unwrap();
        assert_eq!(strings["CFBundleShortVersionString"], "131.0.6778.86");
        assert_eq!(strings["CFBundleName"], "Tom & Jerry é€");
        assert_eq!(strings["Empty"], "");
        assert!(!strings.contains_key("Commented"));
        assert!(!strings.contains_key("LSMinimumSystemVersion"));
        assert_eq!(strings.len(), 3);
        assert!(plist_strings(b"not xml").is_err());
        assert!(plist_strings(b"bplist00\x01").is_err());
    }
}
