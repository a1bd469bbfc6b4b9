//! The English catalogue.

use super::Msg;

/// The English template of `id`.
pub(crate) const fn text(id: Msg) -> &'static str {
    match id {
        // Shared by every check.
        Msg::NotMeasuredByAgent => "not measured by this agent",
        Msg::NotVisibleToBrowser => {
            "a browser does not show this (TLS version, certificate chain, interception); it is measured by the agent on a computer"
        }
        Msg::NotVisibleToBrowserFix => {
            "run the agent (ent-agent) on a computer of the school to check it"
        }
        Msg::CouldNotMeasure => "Could not measure: {reason}",
        Msg::RunAuditAgain => {
            "Run the audit again (as administrator if possible); if it persists, report this message."
        }
        Msg::ThresholdMoreIsBetter => "pass ≥ {pass} {unit}, warn ≥ {warn} {unit}",
        Msg::ThresholdMoreIsBetterNoUnit => "pass ≥ {pass}, warn ≥ {warn}",
        Msg::ThresholdLessIsBetter => "pass ≤ {pass} {unit}, fail > {fail} {unit}",
        Msg::GibUnit => "GiB",
        // The agent's own reasons (see `measurements::reasons`).
        Msg::ReasonNoNetwork => "network probes skipped (--no-network)",
        Msg::ReasonNoBandwidth => "bandwidth test skipped (--no-bandwidth)",
        Msg::ReasonNoCollector => {
            "no collector to measure against: enrol this PC (ent-agent enroll) or pass --collector URL and --token TOKEN"
        }
        Msg::ReasonTimedOut => "timed out after {seconds} s",
        Msg::ReasonBandwidthTimedOut => "the bandwidth test did not finish within {seconds} s",
        // `system.os_support`.
        Msg::OsThreshold => {
            "supported by its vendor; warn within {ending_soon_months} months of the end"
        }
        Msg::OsSupportEnds => "{product}: support ends on {end}",
        Msg::OsMainstreamSupportOver => {
            "{product}: mainstream support over, extended security updates (ESU) until {end}"
        }
        Msg::OsNotRecognised => "operating system not recognised ({product})",
        Msg::OsSupportedUntil => "{product}: supported until {end}",
        Msg::OsSupported => "{product}: supported",
        Msg::OsNoSecurityUpdatesSince => "{product}: no security updates since {end}",
        Msg::OsNoSecurityUpdates => "{product}: no longer gets security updates",
        Msg::OsWindows10Fix => {
            "Upgrade to Windows 11 if the hardware allows it (PC Health Check), otherwise subscribe to Extended Security Updates (ESU, education offer), or install a supported Linux (PrimTux, Debian) on older PCs."
        }
        Msg::OsWindowsFix => {
            "Install the latest Windows feature update (Settings > Windows Update) or move to a supported version."
        }
        Msg::OsLinuxFix => {
            "Upgrade the distribution to a supported release (for example PrimTux on Debian 12 or later)."
        }
        Msg::OsMacosFix => {
            "Update macOS (Settings > General > Software Update); a Mac that can no longer be updated should be replaced or moved to Linux."
        }
        Msg::OsOtherFix => "Install an operating system supported by its vendor.",
        // `system.os_support` of the devices without the agent (the browser probe).
        Msg::OsIpadosFix => {
            "Update the iPad to the latest iPadOS (Settings > General > Software Update; on managed iPads, check that device management does not hold the update back); an iPad that is no longer offered the latest version no longer gets every security fix and should be replaced."
        }
        Msg::OsIosFix => {
            "Update the iPhone to the latest iOS (Settings > General > Software Update); a device that is no longer offered the latest version no longer gets every security fix and should be replaced."
        }
        Msg::OsAndroidFix => {
            "Install the system updates (Settings > System > Software update); a tablet that cannot move to an Android version still covered by Google's security bulletins no longer gets fixes and should be replaced."
        }
        Msg::OsChromeosFix => {
            "Restart the Chromebook and run the update (Settings > About ChromeOS > Check for updates); if none comes, check in the Google Admin console that the version is not pinned, and the device's Auto Update Expiration (AUE) date: past that date, replace it."
        }
        // `system.ram`.
        Msg::RamAddMemoryAtFix => {
            "Add memory (at least 4 GB; a module is cheap) or keep this PC for light use."
        }
        Msg::RamMemoryInstalledVisible => {
            "Memory: {installed} {unit} installed ({seen} {unit} visible to the OS)"
        }
        // `system.cpu_cores`.
        Msg::CpuSlowModernBrowserFix => {
            "Slow for a modern browser: keep it for light use or plan its replacement."
        }
        Msg::CpuCoresPhysicalModel => "CPU: {logical} logical cores ({physical} physical), {model}",
        Msg::CpuCoresModel => "CPU: {logical} logical cores, {model}",
        // `system.disk_free`.
        Msg::DiskFreeSomeSpaceFix => {
            "Free some space (Disk Cleanup / apt clean, empty Downloads) or replace the disk (an SSD also speeds the PC up)."
        }
        Msg::DiskSystemDiskFree => {
            "System disk {mount_point}: {free} {unit} free of {total} {unit}"
        }
        // `system.architecture`.
        Msg::ArchInstall64BitFix => {
            "Install a 64-bit system if the processor allows it; otherwise plan to replace the PC."
        }
        Msg::ArchThresholdPass => "pass: {pass}",
        Msg::ArchThresholdWarn => "; warn: {warn}",
        Msg::ArchSystemArchitecture => "System architecture: {arch}",
        // `browser.*`.
        Msg::BrowserNotSupportedEnts => "not supported by ENTs",
        Msg::BrowserUseUpDateFix => {
            "Use an up-to-date Edge, Firefox or Chrome; turn Internet Explorer off (Windows features)."
        }
        Msg::BrowserInstallUpdateFirefoxFix => "Install or update Firefox, Chrome or Edge.",
        Msg::BrowserOnlyInternetExplorer => {
            "Only Internet Explorer is installed: no browser works with the ENT"
        }
        Msg::BrowserNoBrowserFound => "No browser found",
        Msg::BrowserNoBrowserKnown => "No browser of a known, compatible version",
        Msg::BrowserInstallUpDateFix => "Install an up-to-date Firefox, Chrome or Edge.",
        Msg::BrowserInternetExplorerDiscontinued => {
            "Internet Explorer {version_text}: discontinued, ENTs do not support it"
        }
        Msg::BrowserNoMinimumVersion => "{label} {version_text}: no minimum version in the profile",
        Msg::BrowserThreshold => "pass ≥ {pass}, warn ≥ {warn}",
        Msg::BrowserInstalledVersionUnreadable => {
            "{label} installed ({sources}), version unreadable"
        }
        Msg::BrowserVersionAndSources => "{label} {version_text} ({sources})",
        Msg::BrowserUpdateVersionLaterFix => "Update {label} (version {pass} or later).",
        Msg::BrowserCompatible => "Compatible browser: {best}",
        Msg::BrowserBestOutdated => "Best browser: {best}, outdated",
        // `bandwidth.download`, `bandwidth.upload`.
        Msg::BandwidthNotEnoughBandwidthFix => {
            "Not enough bandwidth for a class on the ENT: compare with the school's other PCs (Wi-Fi or cable?), check the router and the filter, and if the whole school is slow, ask the collectivité for a faster line (fibre)."
        }
        Msg::BandwidthLowUploadSendingFix => {
            "Low upload: sending photos and videos to the ENT will be slow; check the Wi-Fi or cable, and the line's offer (ADSL uploads are very limited)."
        }
        Msg::BandwidthTransferDetail => {
            " ({streams} streams, p10 {p10_mbps} / p90 {p90_mbps} Mbit/s over {window_s} s stable, {confidence})"
        }
        Msg::BandwidthDownload => "Download: {mbps} Mbit/s{extra}",
        Msg::BandwidthUpload => "Upload (counted by the collector): {mbps} Mbit/s{extra}",
        Msg::BandwidthConfidenceHigh => "high confidence",
        Msg::BandwidthConfidenceMedium => "medium confidence",
        Msg::BandwidthConfidenceLow => "low confidence: throughput unstable",
        // `bandwidth.loaded_latency`.
        Msg::LoadedLatencyMedianUnderLoad => " (median under load)",
        Msg::LoadedLatencyLatencySoarsWhenFix => {
            "Latency soars when the line is full (oversized queues in the router or firewall): enable smart queue management (SQM, fq_codel) or keep large transfers out of class time."
        }
        Msg::LoadedLatencyIdleMs => ", idle {median} ms",
        Msg::LoadedLatencyLatencyUnderLoad => {
            "Latency under load: median {median} ms, p90 {p90} ms{idle}{rpm}"
        }
        // `dns.*`.
        Msg::DnsOutcomeAnswered => "answered",
        Msg::DnsOutcomeNxdomain => "the name does not exist (NXDOMAIN)",
        Msg::DnsOutcomeNoAddressName => "no address for this name",
        Msg::DnsOutcomeResolverFailedServfail => "the resolver failed (SERVFAIL)",
        Msg::DnsOutcomeResolverRefusedAnswer => "the resolver refused to answer (REFUSED)",
        Msg::DnsSystemResolver => "system resolver",
        Msg::DnsNameBlockedDns => "name blocked by a DNS filter (answer 0.0.0.0)",
        Msg::DnsSlowDnsResolverFix => {
            "Slow DNS resolver: check the school's router or resolver, or use the collectivité's resolver."
        }
        Msg::DnsCheckNameProfileFix => {
            "Check the name in the profile; if it is right, the school's DNS filter blocks it: ask for it to be allowed."
        }
        Msg::DnsDnsFilterBlocksFix => {
            "The DNS filter blocks this ENT service: ask the filter's administrator to allow it."
        }
        Msg::DnsCheckPcDnsFix => {
            "Check the PC's DNS server (DHCP) and that the school's router or resolver works."
        }
        Msg::DnsOutcomeTimeout => "no answer from the resolver within {elapsed_ms} ms",
        Msg::DnsOutcomeResolutionError => "resolution error: {detail}",
        Msg::DnsResolver => "resolver {resolver}",
        Msg::DnsTimeAndAddresses => "{time} ms ({addresses})",
        Msg::DnsOtherQueryStuck => "; {which} query: {outcome}",
        // `endpoint.*`: how an attempt stopped.
        Msg::EndpointErrorDns => "the name does not resolve ({detail})",
        Msg::EndpointErrorSeeNameDnsFix => {
            "See this name's dns.* check: the PC's DNS settings or a DNS filter."
        }
        Msg::EndpointErrorConnectionRefused => "connection refused ({detail})",
        Msg::EndpointErrorServerRefusesConnectionFix => {
            "The server refuses the connection: check the address and port, or a firewall rejecting this traffic."
        }
        Msg::EndpointErrorNoAnswerConnection => {
            "no answer to the connection (address unreachable or dropped by a firewall) ({detail})"
        }
        Msg::EndpointErrorFirewallSchoolFilterFix => {
            "A firewall or the school's filter probably drops this traffic: ask for port 443 to this server to be opened."
        }
        Msg::EndpointErrorNetworkHostUnreachable => "network or host unreachable ({detail})",
        Msg::EndpointErrorUnreachableFix => {
            "Check the cable or Wi-Fi, the default gateway and the school's Internet connection."
        }
        Msg::EndpointErrorConnectionResetServer => {
            "connection reset by the server or a middlebox ({detail})"
        }
        Msg::EndpointErrorFilterFirewallCutsFix => {
            "A filter or firewall cuts the connection: check the filtering rules for this site."
        }
        Msg::EndpointErrorTlsHandshakeFailed => "TLS handshake failed ({detail})",
        Msg::EndpointErrorSeeServiceTlsFix => {
            "See this service's .tls check; a filtering proxy may be the cause."
        }
        Msg::EndpointErrorServerOnlyOffers => {
            "the server only offers TLS 1.1 or older, which browsers refuse"
        }
        Msg::EndpointErrorServerProxyBetweenFix => {
            "The server (or the proxy in between) must be updated to TLS 1.2 or 1.3: report it to its operator."
        }
        Msg::EndpointErrorTlsTimeout => "connection accepted but no TLS answer ({detail})",
        Msg::EndpointErrorServerMiddleboxDoesFix => {
            "The server or a middlebox does not answer: try again later, else report the incident."
        }
        Msg::EndpointErrorConnectedButNo => "connected, but no HTTP answer ({detail})",
        Msg::EndpointErrorHttpTimeoutFix => {
            "The server does not answer: try again later; if it lasts, report it to the ENT's operator."
        }
        Msg::EndpointErrorHttpExchangeFailed => "HTTP exchange failed ({detail})",
        Msg::EndpointErrorTryAgainLastsFix => {
            "Try again; if it lasts, a proxy or filter disturbs the exchange."
        }
        Msg::EndpointErrorRedirectLoop => "redirect loop ({detail})",
        Msg::EndpointErrorSiteRedirectsLoopFix => {
            "The site redirects in a loop: often a filter or an authenticating proxy; else report it to the operator."
        }
        Msg::EndpointErrorTooManyRedirects => "too many redirects ({detail})",
        Msg::EndpointErrorSiteRedirectsEndlesslyFix => {
            "The site redirects endlessly: report it to the ENT's operator."
        }
        Msg::EndpointErrorOpenBrowserGetFix => {
            "Open a browser to get past the captive portal (guest Wi-Fi?), or ask the filter's administrator to allow the ENT."
        }
        Msg::EndpointErrorProxyAsksAuthentication => "the proxy asks for authentication (HTTP 407)",
        Msg::EndpointErrorHaveEntAddressesFix => {
            "Have the ENT's addresses exempted from the proxy's authentication, or configure the proxy credentials on the PC."
        }
        Msg::EndpointErrorProxyCannotReached => {
            "the proxy cannot be reached or refuses the connection ({detail})"
        }
        Msg::EndpointErrorCheckProxyAddressFix => {
            "Check the proxy address in the PC's settings, or remove it if the proxy is gone."
        }
        Msg::EndpointErrorProxyUnsupported => "proxy type not tested by the agent ({detail})",
        Msg::EndpointErrorTestEntBrowserFix => "Test the ENT in a browser on this PC.",
        Msg::EndpointErrorInvalidUrl => "invalid URL ({detail})",
        Msg::EndpointErrorFixServiceUrlFix => "Fix this service's URL in the profile.",
        Msg::EndpointErrorCutAuditDeadline => "cut by the audit's deadline ({detail})",
        Msg::EndpointErrorRunAuditAgainFix => {
            "Run the audit again with a longer deadline (--deadline)."
        }
        Msg::EndpointErrorRedirectedInsteadEnt => {
            "redirected to {detail} instead of the ENT: a captive portal or a filter's block page"
        }
        // `endpoint.*`.
        Msg::EndpointDirectlyWithoutProxy => "; directly (without the proxy) the service answers",
        Msg::EndpointServiceDownOverloadedFix => {
            "The service is down or overloaded: try again later; if it lasts, report it to the ENT's operator."
        }
        Msg::EndpointSeeServiceTlsFix => "See this service's .tls check.",
        Msg::EndpointOpenAddressBrowserFix => {
            "Open the address in a browser: if a block page shows, ask the filter's administrator to allow the ENT."
        }
        Msg::EndpointCheckUrlProfileFix => {
            "Check the URL in the profile; a 403 often comes from a filter."
        }
        Msg::EndpointSlowAnswerSeeFix => {
            "Slow answer: see the time per phase (DNS, connect, TLS, first byte) and the latency.* checks; a saturated link or a slow proxy is often the cause."
        }
        Msg::EndpointThroughProxy => " through the proxy {proxy}",
        Msg::EndpointStopped => "{url}{via}: {what}",
        Msg::EndpointAnsweredNoStatus => {
            "{url}{via}: answered {timing}{phases} (a browser does not show the HTTP status)"
        }
        Msg::EndpointHttpStatus => "{url}{via}: HTTP {status_code} {timing}{phases}",
        Msg::EndpointServerError => "{head}: server error",
        Msg::EndpointCertificateRefusedBrowsers => {
            "{head}: certificate refused, browsers will block this site (see endpoint.{name}.tls)"
        }
        Msg::EndpointPageLacksFilter => {
            "{head}: the page lacks \"{expected}\": a filter's block page or a portal instead of the ENT"
        }
        Msg::EndpointClientError => {
            "{head}: the service answers but refuses this page (a filter, or a URL to fix)"
        }
        Msg::EndpointPhaseConnect => "connect",
        Msg::EndpointPhaseFirstByte => "first byte",
        Msg::EndpointTiming => "in {total} ms",
        Msg::EndpointTimingRedirects => "in {total} ms, {redirects} redirect(s)",
        Msg::EndpointSlow => "{head}: slow",
        // `endpoint.*.tls`.
        Msg::TlsNoTlsSession => "no TLS session established",
        Msg::TlsNotYetValid => "certificate not valid yet (is this PC's clock behind?)",
        Msg::TlsSelfSignedCertificate => "self-signed certificate: no authority vouches for it",
        Msg::TlsInvalidCertificateSignature => "invalid certificate signature",
        Msg::TlsCertificateRevoked => "certificate revoked",
        Msg::TlsSetPcClockFix => {
            "Set this PC's clock right (NTP synchronisation), then run the audit again."
        }
        Msg::TlsSchoolFiltersHttpsFix => {
            "If the school filters HTTPS, install the proxy's root certificate on the PC; otherwise report the certificate to the service's operator."
        }
        Msg::TlsReportCertificateServiceFix => {
            "Report the certificate to the service's operator (or the filter in between): browsers will refuse this site."
        }
        Msg::TlsTrafficEntDecryptedFix => {
            "Traffic to the ENT is decrypted by a filtering proxy: ask for the ENT and identity services to be exempted from HTTPS inspection."
        }
        Msg::TlsTellServiceOperatorFix => {
            "Tell the service's operator: its certificate must be renewed before it expires."
        }
        Msg::TlsPrivateAuthorityGiven => " (private authority given with --ca-file)",
        Msg::TlsThreshold => {
            "TLS ≥ 1.2, valid chain; warn if intercepted or expiring within {expiry_warn_days} days"
        }
        Msg::TlsNotNegotiated => "{url}: {what}",
        Msg::TlsReachServerFirstFix => {
            "Solve the access to this service first (the \"ENT access: {name}\" check): its TLS is measured once the server is reached."
        }
        Msg::TlsServerNotReached => "server not reached over TLS: {what}",
        Msg::TlsCertificateExpired => "certificate expired on {date}",
        Msg::TlsNameMismatch => {
            "certificate is for {names}, not for {server_name} (wrong server, or a filter in between?)"
        }
        Msg::TlsCertificateIssuedAuthority => {
            "certificate issued by \"{issuer}\", an authority this PC does not know (a filtering proxy whose root is not installed?)"
        }
        Msg::TlsCertificateRefused => "certificate refused ({detail})",
        Msg::TlsCertificateFromValid => {
            "{head}, certificate from \"{issuer}\" valid until {expiry_text}"
        }
        Msg::TlsExpiresInDays => "{base}: expires in {days} day(s)",
        // `network.tls_interception`.
        Msg::InterceptionChainsFromPublic => "chains from public authorities (or the profile's)",
        Msg::InterceptionNoTlsSession => "no TLS session established with the services",
        Msg::InterceptionNoValidCertificate => "no valid certificate chain to examine",
        Msg::InterceptionFilteringProxyDecryptsFix => {
            "A filtering proxy decrypts HTTPS: ask for the ENT and identity services (EduConnect, GAR) to be exempted from HTTPS inspection."
        }
        Msg::InterceptionCertificateReSigned => {
            "certificate re-signed by \"{issuer}\", an authority installed on this PC that is not a public one (filtering proxy)"
        }
        Msg::InterceptionNoTlsInterception => "No TLS interception ({names})",
        Msg::InterceptionUnexpectedIssuer => {
            "certificate issued by \"{issuer}\", while the profile expects {expected}"
        }
        Msg::InterceptionIssuersOr => " or ",
        // `network.proxy`.
        Msg::ProxyNoProxyServices => "no proxy, or the services work through it",
        Msg::ProxyNoProxyConfigured => "No proxy configured: direct connections",
        Msg::ProxyButServiceAnswers => " (but the service answers directly)",
        Msg::ProxyProxyBlocksBreaksFix => {
            "The proxy blocks or breaks access to the ENT: add the ENT's addresses to its exceptions (or the PC's)."
        }
        Msg::ProxyConfigurationScriptPac => {
            "a configuration script (PAC) picks the proxy ({pac}); the agent does not run PAC scripts and tested the services directly"
        }
        Msg::ProxyProxyEntServices => {
            "Proxy {proxy} ({source}); the ENT's services bypass it (exceptions)"
        }
        Msg::ProxyProxyReachableThrough => "Proxy {proxy} ({source}): {names} reachable through it",
        Msg::ProxySourceEnvironment => "environment variables",
        Msg::ProxySourceWindows => "Windows settings",
        Msg::ProxySourceMacos => "macOS settings",
        Msg::ProxyProblems => "Proxy {proxy} ({source}): {problems}",
        Msg::ProxyProblemsSeparator => "; ",
        // `latency.*`.
        Msg::LatencyUnreachableFix => {
            "The server does not answer from this PC: check the school's Internet connection and filtering (see endpoint.*)."
        }
        Msg::LatencyHighLatencyLossFix => {
            "High latency or loss: check the Wi-Fi or cable, the load on the school's line (downloads, videos) and the router."
        }
        Msg::LatencyThreshold => {
            "pass ≤ {pass_ms} ms, fail > {fail_ms} ms or loss ≥ {loss_fail_pct} %"
        }
        Msg::LatencyNoAnswerProbes => {
            "{host}: no answer to {probes} probes ({method}): host unreachable"
        }
        Msg::LatencyMedianMsMin => {
            "{host}: median {median} ms (min {min}, p90 {p90}, jitter {jitter} ms, loss {loss_pct} %) by {method}"
        }
        Msg::LatencyMethodTcpConnect => "TCP connect",
        // `system.clock_skew`.
        Msg::ClockNoDateHeader => "no server gave its time (HTTP Date header)",
        Msg::ClockTurnTimeSynchronisationFix => {
            "Turn on time synchronisation (Windows: Settings > Time > Sync now; Linux: timedatectl set-ntp true) and check that port 123 (NTP) is open; beyond 3 minutes, EduConnect logins fail."
        }
        Msg::ClockBehind => "This PC's clock is {amount} s behind the ENT's ({sources})",
        Msg::ClockAhead => "This PC's clock is {amount} s ahead of the ENT's ({sources})",
        // `network.interface`.
        Msg::InterfaceWeakWiFiFix => {
            "Weak Wi-Fi signal: move the PC closer to the access point, add one, or plug in a cable."
        }
        Msg::InterfaceSlowLinkCheckFix => {
            "Slow link: check the cable (category 5e or better) and the switch port."
        }
        Msg::InterfaceWiFiDbm => {
            "Wi-Fi ≥ {wifi_signal_pass_dbm} dBm (warn ≥ {wifi_signal_warn_dbm}), link ≥ {speed_pass_mbps} Mbit/s (warn ≥ {speed_warn_mbps})"
        }
        Msg::InterfaceKindNameDetails => "{kind} interface ({name}) {details}",
        Msg::InterfaceKindWired => "wired",
        Msg::InterfaceKindVirtual => "virtual",
        Msg::InterfaceKindOther => "other",
        // Unknown checks: what to do, by the cause (see `measurements::reasons`).
        Msg::UnknownNoNetworkFix => "Run the audit again without --no-network.",
        Msg::UnknownNoBandwidthFix => "Run the audit again without --no-bandwidth.",
        Msg::UnknownNoCollectorFix => {
            "Run the audit again on an enrolled PC, or with --collector URL."
        }
        Msg::UnknownTimedOutFix => {
            "Run the audit again; if it times out again, the PC or the network may be overloaded: report this message."
        }
        // Check titles, from the check id (see `scoring::check_title`).
        Msg::TitleOsSupport => "Operating system support",
        Msg::TitleRam => "Memory (RAM)",
        Msg::TitleCpuCores => "Processor",
        Msg::TitleDiskFree => "Free disk space",
        Msg::TitleArchitecture => "Architecture",
        Msg::TitleBrowserAny => "Compatible browser",
        Msg::TitleBrowser => "Browser: {browser}",
        Msg::TitleDns => "DNS resolution: {host}",
        Msg::TitleEndpoint => "ENT access: {name}",
        Msg::TitleEndpointTls => "TLS and certificate: {name}",
        Msg::TitleTlsInterception => "TLS interception",
        Msg::TitleProxy => "Proxy",
        Msg::TitleLatency => "Latency: {target}",
        Msg::TitleClockSkew => "Clock",
        Msg::TitleInterface => "Network interface",
        Msg::TitleDownload => "Download speed",
        Msg::TitleUpload => "Upload speed",
        Msg::TitleLoadedLatency => "Latency under load",
        // The technician's verdict screen (the agent's `output`).
        Msg::ScreenHeader => "ENT audit: school {school}, workstation {label}, profile {profile}",
        Msg::ScreenStatus => "Status",
        Msg::ScreenCheck => "Check",
        Msg::ScreenResult => "Result",
        Msg::ScreenThreshold => "Threshold",
        Msg::ScreenBlockingLegend => "* blocking check",
        Msg::ScreenTodo => "What to do:",
        Msg::ScreenTodoItem => "[{status}] {check}: {fix}",
        Msg::ScreenTodoUnknown => "[{status}] {checks}: {reason}. {fix}",
        Msg::ScreenUnknownChecks => "{count} checks not measured",
        Msg::ScreenVerdict => "Verdict: {verdict} (score {score}/100)",
        // Statuses and verdicts.
        Msg::StatusPass => "PASS",
        Msg::StatusWarn => "WARN",
        Msg::StatusFail => "FAIL",
        Msg::StatusUnknown => "UNKNOWN",
        Msg::VerdictReady => "READY",
        Msg::VerdictReadyWithWarnings => "READY WITH WARNINGS",
        Msg::VerdictNotReady => "NOT READY",
        Msg::VerdictIncomplete => "INCOMPLETE",
    }
}
