//! The catalogue of the texts people read in reports: check messages, thresholds,
//! remediations and the agent's own "could not measure" reasons, one table per language
//! (`fr.rs`, `en.rs`), keyed by [`Msg`].
//!
//! Scoring picks an id and the values; [`render`] turns them into the sentence of the
//! report's language. Templates name their placeholders (`{host}`, `{ms}`): both languages of
//! an id take the same ones (a unit test checks it), and every value is already formatted
//! for its language (decimal comma in French) by the caller.
//!
//! Each table is an exhaustive `match`, so an id missing from one language does not compile.

use std::fmt::Display;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

mod en;
mod fr;

/// Language of human texts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Fr,
    En,
}

impl std::str::FromStr for Lang {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "fr" => Ok(Lang::Fr),
            "en" => Ok(Lang::En),
            other => Err(format!("unknown language {other:?}: expected fr or en")),
        }
    }
}

/// Declares [`Msg`] and the list of all its ids (for the catalogue's tests).
macro_rules! messages {
    ($($(#[$doc:meta])* $id:ident,)*) => {
        /// A text of the catalogue, by stable id.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Msg {
            $($(#[$doc])* $id,)*
        }

        impl Msg {
            /// Every id, in declaration order.
            pub const ALL: &[Msg] = &[$(Msg::$id,)*];
        }
    };
}

messages! {
    // Shared by every check.
    NotMeasuredByAgent,
    /// A check a browser cannot see (browser probe).
    NotVisibleToBrowser,
    /// What to do about it.
    NotVisibleToBrowserFix,
    CouldNotMeasure,
    RunAuditAgain,
    ThresholdMoreIsBetter,
    ThresholdMoreIsBetterNoUnit,
    ThresholdLessIsBetter,
    GibUnit,
    // The agent's own reasons (see `measurements::reasons`).
    ReasonNoNetwork,
    ReasonNoBandwidth,
    ReasonNoCollector,
    ReasonTimedOut,
    ReasonBandwidthTimedOut,
    // `system.os_support`.
    OsThreshold,
    OsSupportEnds,
    OsMainstreamSupportOver,
    OsNotRecognised,
    OsSupportedUntil,
    OsSupported,
    OsNoSecurityUpdatesSince,
    OsNoSecurityUpdates,
    OsWindows10Fix,
    OsWindowsFix,
    OsLinuxFix,
    OsMacosFix,
    OsOtherFix,
    // `system.os_support` of the devices without the agent (the browser probe).
    OsIpadosFix,
    OsIosFix,
    OsAndroidFix,
    OsChromeosFix,
    // `system.ram`.
    RamAddMemoryAtFix,
    RamMemoryInstalledVisible,
    // `system.cpu_cores`.
    CpuSlowModernBrowserFix,
    CpuCoresPhysicalModel,
    CpuCoresModel,
    // `system.disk_free`.
    DiskFreeSomeSpaceFix,
    DiskSystemDiskFree,
    // `system.architecture`.
    ArchInstall64BitFix,
    ArchThresholdPass,
    ArchThresholdWarn,
    ArchSystemArchitecture,
    // `browser.*`.
    BrowserNotSupportedEnts,
    BrowserUseUpDateFix,
    BrowserInstallUpdateFirefoxFix,
    BrowserOnlyInternetExplorer,
    BrowserNoBrowserFound,
    BrowserNoBrowserKnown,
    BrowserInstallUpDateFix,
    BrowserInternetExplorerDiscontinued,
    BrowserNoMinimumVersion,
    BrowserThreshold,
    BrowserInstalledVersionUnreadable,
    BrowserVersionAndSources,
    BrowserUpdateVersionLaterFix,
    BrowserCompatible,
    BrowserBestOutdated,
    // `bandwidth.download`, `bandwidth.upload`.
    BandwidthNotEnoughBandwidthFix,
    BandwidthLowUploadSendingFix,
    BandwidthTransferDetail,
    BandwidthDownload,
    BandwidthUpload,
    BandwidthConfidenceHigh,
    BandwidthConfidenceMedium,
    BandwidthConfidenceLow,
    // `bandwidth.loaded_latency`.
    LoadedLatencyMedianUnderLoad,
    LoadedLatencyLatencySoarsWhenFix,
    LoadedLatencyIdleMs,
    LoadedLatencyLatencyUnderLoad,
    // `dns.*`.
    DnsOutcomeAnswered,
    DnsOutcomeNxdomain,
    DnsOutcomeNoAddressName,
    DnsOutcomeResolverFailedServfail,
    DnsOutcomeResolverRefusedAnswer,
    DnsSystemResolver,
    DnsNameBlockedDns,
    DnsSlowDnsResolverFix,
    DnsCheckNameProfileFix,
    DnsDnsFilterBlocksFix,
    DnsCheckPcDnsFix,
    DnsOutcomeTimeout,
    DnsOutcomeResolutionError,
    DnsResolver,
    DnsTimeAndAddresses,
    DnsOtherQueryStuck,
    // `endpoint.*`: how an attempt stopped.
    EndpointErrorDns,
    EndpointErrorSeeNameDnsFix,
    EndpointErrorConnectionRefused,
    EndpointErrorServerRefusesConnectionFix,
    EndpointErrorNoAnswerConnection,
    EndpointErrorFirewallSchoolFilterFix,
    EndpointErrorNetworkHostUnreachable,
    EndpointErrorUnreachableFix,
    EndpointErrorConnectionResetServer,
    EndpointErrorFilterFirewallCutsFix,
    EndpointErrorTlsHandshakeFailed,
    EndpointErrorSeeServiceTlsFix,
    EndpointErrorServerOnlyOffers,
    EndpointErrorServerProxyBetweenFix,
    EndpointErrorTlsTimeout,
    EndpointErrorServerMiddleboxDoesFix,
    EndpointErrorConnectedButNo,
    EndpointErrorHttpTimeoutFix,
    EndpointErrorHttpExchangeFailed,
    EndpointErrorTryAgainLastsFix,
    EndpointErrorRedirectLoop,
    EndpointErrorSiteRedirectsLoopFix,
    EndpointErrorTooManyRedirects,
    EndpointErrorSiteRedirectsEndlesslyFix,
    EndpointErrorOpenBrowserGetFix,
    EndpointErrorProxyAsksAuthentication,
    EndpointErrorHaveEntAddressesFix,
    EndpointErrorProxyCannotReached,
    EndpointErrorCheckProxyAddressFix,
    EndpointErrorProxyUnsupported,
    EndpointErrorTestEntBrowserFix,
    EndpointErrorInvalidUrl,
    EndpointErrorFixServiceUrlFix,
    EndpointErrorCutAuditDeadline,
    EndpointErrorRunAuditAgainFix,
    EndpointErrorRedirectedInsteadEnt,
    // `endpoint.*`.
    EndpointDirectlyWithoutProxy,
    EndpointServiceDownOverloadedFix,
    EndpointSeeServiceTlsFix,
    EndpointOpenAddressBrowserFix,
    EndpointCheckUrlProfileFix,
    EndpointSlowAnswerSeeFix,
    EndpointThroughProxy,
    EndpointStopped,
    /// An endpoint that answered without a status the probe can read (a browser's
    /// `no-cors` fetch).
    EndpointAnsweredNoStatus,
    EndpointHttpStatus,
    EndpointServerError,
    EndpointCertificateRefusedBrowsers,
    EndpointPageLacksFilter,
    EndpointClientError,
    EndpointPhaseConnect,
    EndpointPhaseFirstByte,
    EndpointTiming,
    EndpointTimingRedirects,
    EndpointSlow,
    // `endpoint.*.tls`.
    TlsNoTlsSession,
    TlsNotYetValid,
    TlsSelfSignedCertificate,
    TlsInvalidCertificateSignature,
    TlsCertificateRevoked,
    TlsSetPcClockFix,
    TlsSchoolFiltersHttpsFix,
    TlsReportCertificateServiceFix,
    TlsTrafficEntDecryptedFix,
    TlsTellServiceOperatorFix,
    TlsPrivateAuthorityGiven,
    TlsThreshold,
    TlsNotNegotiated,
    TlsServerNotReached,
    TlsReachServerFirstFix,
    TlsCertificateExpired,
    TlsNameMismatch,
    TlsCertificateIssuedAuthority,
    TlsCertificateRefused,
    TlsCertificateFromValid,
    TlsExpiresInDays,
    // `network.tls_interception`.
    InterceptionChainsFromPublic,
    InterceptionNoTlsSession,
    InterceptionNoValidCertificate,
    InterceptionFilteringProxyDecryptsFix,
    InterceptionCertificateReSigned,
    InterceptionNoTlsInterception,
    InterceptionUnexpectedIssuer,
    InterceptionIssuersOr,
    // `network.proxy`.
    ProxyNoProxyServices,
    ProxyNoProxyConfigured,
    ProxyButServiceAnswers,
    ProxyProxyBlocksBreaksFix,
    ProxyConfigurationScriptPac,
    ProxyProxyEntServices,
    ProxyProxyReachableThrough,
    ProxySourceEnvironment,
    ProxySourceWindows,
    ProxySourceMacos,
    ProxyProblems,
    ProxyProblemsSeparator,
    // `latency.*`.
    LatencyUnreachableFix,
    LatencyHighLatencyLossFix,
    LatencyThreshold,
    LatencyNoAnswerProbes,
    LatencyMedianMsMin,
    LatencyMethodTcpConnect,
    // `system.clock_skew`.
    ClockNoDateHeader,
    ClockTurnTimeSynchronisationFix,
    ClockBehind,
    ClockAhead,
    // `network.interface`.
    InterfaceWeakWiFiFix,
    InterfaceSlowLinkCheckFix,
    InterfaceWiFiDbm,
    InterfaceKindNameDetails,
    InterfaceKindWired,
    InterfaceKindVirtual,
    InterfaceKindOther,
    // Unknown checks: what to do, by the cause (see `measurements::reasons`).
    UnknownNoNetworkFix,
    UnknownNoBandwidthFix,
    UnknownNoCollectorFix,
    UnknownTimedOutFix,
    // Check titles, from the check id (see `scoring::check_title`).
    TitleOsSupport,
    TitleRam,
    TitleCpuCores,
    TitleDiskFree,
    TitleArchitecture,
    TitleBrowserAny,
    TitleBrowser,
    TitleDns,
    TitleEndpoint,
    TitleEndpointTls,
    TitleTlsInterception,
    TitleProxy,
    TitleLatency,
    TitleClockSkew,
    TitleInterface,
    TitleDownload,
    TitleUpload,
    TitleLoadedLatency,
    // The technician's verdict screen (the agent's `output`).
    ScreenHeader,
    ScreenStatus,
    ScreenCheck,
    ScreenResult,
    ScreenThreshold,
    ScreenBlockingLegend,
    ScreenTodo,
    ScreenTodoItem,
    ScreenTodoUnknown,
    ScreenUnknownChecks,
    ScreenVerdict,
    // Statuses and verdicts, as the technician's table and the web pages name them.
    StatusPass,
    StatusWarn,
    StatusFail,
    StatusUnknown,
    VerdictReady,
    VerdictReadyWithWarnings,
    VerdictNotReady,
    VerdictIncomplete,
}

/// The English template of `id`, usable in constants.
pub(crate) const fn en_text(id: Msg) -> &'static str {
    en::text(id)
}

/// The template of `id` in `lang`, placeholders unfilled.
pub fn text(lang: Lang, id: Msg) -> &'static str {
    match lang {
        Lang::Fr => fr::text(id),
        Lang::En => en::text(id),
    }
}

/// The text of `id` in `lang`, owned: for an id without placeholders.
pub fn msg(lang: Lang, id: Msg) -> String {
    text(lang, id).to_owned()
}

/// The text of `id` in `lang` with its placeholders filled from `args` (name, value).
/// A placeholder without a value is left as it is (and trips a debug assertion).
pub fn render(lang: Lang, id: Msg, args: &[(&str, &dyn Display)]) -> String {
    let template = text(lang, id);
    let (out, missing) = fill_counting(template, args);
    debug_assert!(missing == 0, "no value for a placeholder of {template:?}");
    out
}

/// `template` with each `{name}` that `args` names replaced by its value, in one pass: a
/// value is never scanned for names, and a `{` that opens no name of `args` is kept as it
/// is. The catalogue's texts and the agent's unit-file templates are filled with it.
pub fn fill(template: &str, args: &[(&str, &dyn Display)]) -> String {
    fill_counting(template, args).0
}

/// [`fill`], and how many `{` were left without a value.
fn fill_counting(template: &str, args: &[(&str, &dyn Display)]) -> (String, usize) {
    let mut out = String::with_capacity(template.len() + 16);
    let mut missing = 0;
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let value = after
            .find('}')
            .map(|close| (&after[..close], close))
            .and_then(|(name, close)| {
                args.iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, v)| (v, close))
            });
        match value {
            Some((v, close)) => {
                out.push_str(&v.to_string());
                rest = &after[close + 1..];
            }
            None => {
                missing += 1;
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    (out, missing)
}

/// The values a `text` took for the placeholders of `template`, when it was rendered from
/// it; `None` when it does not match. Each placeholder takes the shortest text that lets
/// the rest match.
pub fn captures<'t>(template: &str, text: &'t str) -> Option<Vec<(String, &'t str)>> {
    let mut values = Vec::new();
    let (mut lit, mut rest_t) = split_literal(template);
    let mut rest = text.strip_prefix(lit)?;
    while let Some((name, after)) = rest_t.strip_prefix('{').and_then(|r| r.split_once('}')) {
        (lit, rest_t) = split_literal(after);
        let end = if lit.is_empty() {
            if rest_t.is_empty() {
                rest.len()
            } else {
                return None;
            }
        } else if rest_t.is_empty() {
            // The last literal ends the text.
            rest.strip_suffix(lit).map(str::len)?
        } else {
            rest.find(lit)?
        };
        values.push((name.to_owned(), &rest[..end]));
        rest = &rest[end + lit.len()..];
    }
    rest.is_empty().then_some(values)
}

/// The literal text before the first placeholder, and the rest from it.
fn split_literal(template: &str) -> (&str, &str) {
    let i = template.find('{').unwrap_or(template.len());
    template.split_at(i)
}

/// The placeholder names of a template, in order.
pub fn placeholders(template: &str) -> Vec<&str> {
    let mut names = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else { break };
        names.push(&after[..close]);
        rest = &after[close + 1..];
    }
    names
}

/// A number as the language writes it: decimal comma in French.
pub fn decimal_mark(lang: Lang, number: String) -> String {
    match lang {
        Lang::Fr => number.replace('.', ","),
        Lang::En => number,
    }
}

/// A number for people: one decimal at most, decimal comma in French.
pub fn num(lang: Lang, x: f64) -> String {
    let s = if (x - x.round()).abs() < 0.05 {
        format!("{x:.0}")
    } else {
        format!("{x:.1}")
    };
    decimal_mark(lang, s)
}

/// Milliseconds for people: two decimals below 1 ms, one below 10 ms, none above
/// ("0.42", "2.5", "1250"), decimal comma in French.
pub fn ms(lang: Lang, x: f64) -> String {
    if x < 10.0 {
        let s = if x < 1.0 {
            format!("{x:.2}")
        } else {
            format!("{x:.1}")
        };
        decimal_mark(lang, s)
    } else {
        format!("{x:.0}")
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    #[test]
    fn every_id_has_both_languages_with_the_same_placeholders() {
        for &id in Msg::ALL {
            let (fr, en) = (text(Lang::Fr, id), text(Lang::En, id));
            assert!(!fr.trim().is_empty() && !en.trim().is_empty(), "{id:?}");
            let names = |t| placeholders(t).into_iter().collect::<BTreeSet<_>>();
            assert_eq!(names(fr), names(en), "{id:?}: {fr:?} / {en:?}");
            for name in placeholders(fr).into_iter().chain(placeholders(en)) {
                assert!(
                    !name.is_empty()
                        && name
                            .bytes()
                            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'),
                    "{id:?}: placeholder {{{name}}}"
                );
            }
        }
    }

    #[test]
    fn render_fills_named_placeholders() {
        assert_eq!(
            fill("{a} : {b} ({a})", &[("a", &1), ("b", &"x")]),
            "1 : x (1)"
        );
        assert_eq!(fill("no placeholder", &[]), "no placeholder");
        assert_eq!(placeholders("pass ≥ {pass} {unit}"), ["pass", "unit"]);
        let caps = captures("after {s} s, {t}!", "after 2.5 s, x y!").unwrap();
        assert_eq!(caps, [("s".to_owned(), "2.5"), ("t".to_owned(), "x y")]);
        assert_eq!(captures("after {s} s", "before 2 s"), None);
        assert_eq!(captures("fixed", "fixed"), Some(vec![]));
        assert_eq!(captures("fixed", "fixed!"), None);
    }
}
