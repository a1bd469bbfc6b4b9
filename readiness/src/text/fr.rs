//! The French catalogue.

use super::Msg;

/// The French template of `id`.
pub(crate) const fn text(id: Msg) -> &'static str {
    match id {
        // Shared by every check.
        Msg::NotMeasuredByAgent => "non mesuré par cet agent",
        Msg::NotVisibleToBrowser => {
            "un navigateur ne le montre pas (version TLS, chaîne de certificats, interception) ; l’agent le mesure sur un ordinateur"
        }
        Msg::NotVisibleToBrowserFix => {
            "lancer l’agent (ent-agent) sur un ordinateur de l’école pour le vérifier"
        }
        Msg::CouldNotMeasure => "Mesure impossible : {reason}",
        Msg::RunAuditAgain => {
            "Relancer l'audit (en administrateur si possible) ; si le problème persiste, signaler ce message."
        }
        Msg::ThresholdMoreIsBetter => "réussi ≥ {pass} {unit}, alerte ≥ {warn} {unit}",
        Msg::ThresholdMoreIsBetterNoUnit => "réussi ≥ {pass}, alerte ≥ {warn}",
        Msg::ThresholdLessIsBetter => "réussi ≤ {pass} {unit}, échec > {fail} {unit}",
        Msg::GibUnit => "Gio",
        // The agent's own reasons (see `measurements::reasons`).
        Msg::ReasonNoNetwork => "sondes réseau non lancées (--no-network)",
        Msg::ReasonNoBandwidth => "test de débit non lancé (--no-bandwidth)",
        Msg::ReasonNoCollector => {
            "pas de collecteur pour mesurer le débit : inscrire ce poste (ent-agent enroll) ou passer --collector URL et --token JETON"
        }
        Msg::ReasonTimedOut => "délai dépassé après {seconds} s",
        Msg::ReasonBandwidthTimedOut => "le test de débit n'a pas fini en {seconds} s",
        // `system.os_support`.
        Msg::OsThreshold => {
            "supporté par l'éditeur ; alerte à moins de {ending_soon_months} mois de la fin"
        }
        Msg::OsSupportEnds => "{product} : fin du support le {end}",
        Msg::OsMainstreamSupportOver => {
            "{product} : support standard terminé, mises à jour étendues (ESU) jusqu'au {end}"
        }
        Msg::OsNotRecognised => "système non reconnu ({product})",
        Msg::OsSupportedUntil => "{product} : supporté jusqu'au {end}",
        Msg::OsSupported => "{product} : supporté",
        Msg::OsNoSecurityUpdatesSince => {
            "{product} : plus de mises à jour de sécurité depuis le {end}"
        }
        Msg::OsNoSecurityUpdates => "{product} : plus de mises à jour de sécurité",
        Msg::OsWindows10Fix => {
            "Passer à Windows 11 si le matériel le permet (contrôle d'intégrité du PC), sinon souscrire les mises à jour de sécurité étendues (ESU, offre éducation), ou installer un Linux supporté (PrimTux, Debian) sur les PC trop anciens."
        }
        Msg::OsWindowsFix => {
            "Installer la dernière mise à jour de fonctionnalités de Windows (Paramètres > Windows Update) ou passer à une version supportée."
        }
        Msg::OsLinuxFix => {
            "Mettre à niveau la distribution vers une version supportée (par exemple PrimTux sur Debian 12 ou plus récent)."
        }
        Msg::OsMacosFix => {
            "Mettre à jour macOS (Réglages > Général > Mise à jour de logiciels) ; un Mac qui ne peut plus être mis à jour doit être remplacé ou passé sous Linux."
        }
        Msg::OsOtherFix => "Installer un système supporté par son éditeur.",
        // `system.os_support` of the devices without the agent (the browser probe).
        Msg::OsIpadosFix => {
            "Mettre à jour l'iPad vers la dernière version d'iPadOS (Réglages > Général > Mise à jour logicielle ; sur des iPad gérés, vérifier que la gestion des appareils ne bloque pas la mise à jour) ; un iPad auquel la dernière version n'est plus proposée ne reçoit plus tous les correctifs de sécurité et doit être remplacé."
        }
        Msg::OsIosFix => {
            "Mettre à jour l'iPhone vers la dernière version d'iOS (Réglages > Général > Mise à jour logicielle) ; un appareil auquel la dernière version n'est plus proposée ne reçoit plus tous les correctifs de sécurité et doit être remplacé."
        }
        Msg::OsAndroidFix => {
            "Installer les mises à jour du système (Paramètres > Système > Mise à jour logicielle) ; une tablette qui ne peut pas passer à une version d'Android encore couverte par les bulletins de sécurité de Google ne reçoit plus de correctifs et doit être remplacée."
        }
        Msg::OsChromeosFix => {
            "Redémarrer le Chromebook et lancer la mise à jour (Paramètres > À propos de ChromeOS > Rechercher des mises à jour) ; si aucune ne vient, vérifier dans la console d'administration Google que la version n'est pas bloquée et la date de fin des mises à jour automatiques (AUE) de l'appareil : passé cette date, le remplacer."
        }
        // `system.ram`.
        Msg::RamAddMemoryAtFix => {
            "Ajouter de la mémoire (4 Go au moins ; une barrette coûte peu) ou réserver ce poste à des usages légers."
        }
        Msg::RamMemoryInstalledVisible => {
            "Mémoire : {installed} {unit} installés ({seen} {unit} visibles par le système)"
        }
        // `system.cpu_cores`.
        Msg::CpuSlowModernBrowserFix => {
            "Poste lent pour un navigateur moderne : le réserver à des usages légers ou prévoir son remplacement."
        }
        Msg::CpuCoresPhysicalModel => {
            "Processeur : {logical} cœurs logiques ({physical} physiques), {model}"
        }
        Msg::CpuCoresModel => "Processeur : {logical} cœurs logiques, {model}",
        // `system.disk_free`.
        Msg::DiskFreeSomeSpaceFix => {
            "Libérer de l'espace (Nettoyage de disque / apt clean, vider les téléchargements) ou remplacer le disque (un SSD accélère aussi le poste)."
        }
        Msg::DiskSystemDiskFree => {
            "Disque système {mount_point} : {free} {unit} libres sur {total} {unit}"
        }
        // `system.architecture`.
        Msg::ArchInstall64BitFix => {
            "Installer un système 64 bits si le processeur le permet ; sinon prévoir le remplacement du poste."
        }
        Msg::ArchThresholdPass => "réussi : {pass}",
        Msg::ArchThresholdWarn => " ; alerte : {warn}",
        Msg::ArchSystemArchitecture => "Architecture du système : {arch}",
        // `browser.*`.
        Msg::BrowserNotSupportedEnts => "non pris en charge par les ENT",
        Msg::BrowserUseUpDateFix => {
            "Utiliser Edge, Firefox ou Chrome à jour ; désactiver Internet Explorer (Fonctionnalités Windows)."
        }
        Msg::BrowserInstallUpdateFirefoxFix => {
            "Installer ou mettre à jour Firefox, Chrome ou Edge."
        }
        Msg::BrowserOnlyInternetExplorer => {
            "Seul Internet Explorer est installé : aucun navigateur compatible avec l'ENT"
        }
        Msg::BrowserNoBrowserFound => "Aucun navigateur trouvé",
        Msg::BrowserNoBrowserKnown => "Aucun navigateur de version connue et compatible",
        Msg::BrowserInstallUpDateFix => "Installer Firefox, Chrome ou Edge à jour.",
        Msg::BrowserInternetExplorerDiscontinued => {
            "Internet Explorer {version_text} : abandonné, les ENT ne le prennent pas en charge"
        }
        Msg::BrowserNoMinimumVersion => {
            "{label} {version_text} : pas de version minimale dans le profil"
        }
        Msg::BrowserThreshold => "réussi ≥ {pass}, alerte ≥ {warn}",
        Msg::BrowserInstalledVersionUnreadable => "{label} installé ({sources}), version illisible",
        Msg::BrowserVersionAndSources => "{label} {version_text} ({sources})",
        Msg::BrowserUpdateVersionLaterFix => {
            "Mettre à jour {label} (version {pass} ou plus récente)."
        }
        Msg::BrowserCompatible => "Navigateur compatible : {best}",
        Msg::BrowserBestOutdated => "Meilleur navigateur : {best}, ancien",
        // `bandwidth.download`, `bandwidth.upload`.
        Msg::BandwidthNotEnoughBandwidthFix => {
            "Débit insuffisant pour une classe sur l'ENT : comparer avec les autres postes de l'école (Wi-Fi ou câble ?), vérifier la box et le filtrage, et si toute l'école est lente, demander à la collectivité une offre plus rapide (fibre)."
        }
        Msg::BandwidthLowUploadSendingFix => {
            "Débit montant faible : l'envoi de photos et de vidéos vers l'ENT sera lent ; vérifier le Wi-Fi ou le câble, et l'offre de la ligne (ADSL : montant très limité)."
        }
        Msg::BandwidthTransferDetail => {
            " ({streams} flux, p10 {p10_mbps} / p90 {p90_mbps} Mbit/s sur {window_s} s stables, {confidence})"
        }
        Msg::BandwidthDownload => "Débit descendant : {mbps} Mbit/s{extra}",
        Msg::BandwidthUpload => "Débit montant (compté par le collecteur) : {mbps} Mbit/s{extra}",
        Msg::BandwidthConfidenceHigh => "confiance élevée",
        Msg::BandwidthConfidenceMedium => "confiance moyenne",
        Msg::BandwidthConfidenceLow => "confiance faible : débit instable",
        // `bandwidth.loaded_latency`.
        Msg::LoadedLatencyMedianUnderLoad => " (médiane sous charge)",
        Msg::LoadedLatencyLatencySoarsWhenFix => {
            "La latence explose quand la ligne est pleine (files d'attente trop longues dans la box ou le pare-feu) : activer la gestion de file intelligente (SQM, fq_codel) ou limiter les gros transferts pendant la classe."
        }
        Msg::LoadedLatencyIdleMs => ", au repos {median} ms",
        Msg::LoadedLatencyLatencyUnderLoad => {
            "Latence sous charge : médiane {median} ms, p90 {p90} ms{idle}{rpm}"
        }
        // `dns.*`.
        Msg::DnsOutcomeAnswered => "réponse",
        Msg::DnsOutcomeNxdomain => "le nom n'existe pas (NXDOMAIN)",
        Msg::DnsOutcomeNoAddressName => "aucune adresse pour ce nom",
        Msg::DnsOutcomeResolverFailedServfail => "le résolveur a échoué (SERVFAIL)",
        Msg::DnsOutcomeResolverRefusedAnswer => "le résolveur refuse de répondre (REFUSED)",
        Msg::DnsSystemResolver => "résolveur du système",
        Msg::DnsNameBlockedDns => "nom bloqué par un filtre DNS (réponse 0.0.0.0)",
        Msg::DnsSlowDnsResolverFix => {
            "Résolveur DNS lent : vérifier la box ou le résolveur de l'école, ou utiliser celui de la collectivité."
        }
        Msg::DnsCheckNameProfileFix => {
            "Vérifier le nom dans le profil ; s'il est juste, le filtre DNS de l'école le bloque : demander son autorisation."
        }
        Msg::DnsDnsFilterBlocksFix => {
            "Le filtre DNS bloque ce service de l'ENT : demander à l'administrateur du filtrage de l'autoriser."
        }
        Msg::DnsCheckPcDnsFix => {
            "Vérifier le serveur DNS du poste (DHCP) et que la box ou le résolveur de l'école fonctionne."
        }
        Msg::DnsOutcomeTimeout => "pas de réponse du résolveur en {elapsed_ms} ms",
        Msg::DnsOutcomeResolutionError => "erreur de résolution : {detail}",
        Msg::DnsResolver => "résolveur {resolver}",
        Msg::DnsTimeAndAddresses => "{time} ms ({addresses})",
        Msg::DnsOtherQueryStuck => " ; requête {which} : {outcome}",
        // `endpoint.*`: how an attempt stopped.
        Msg::EndpointErrorDns => "nom introuvable ({detail})",
        Msg::EndpointErrorSeeNameDnsFix => {
            "Voir le contrôle dns.* de ce nom : réglages DNS du poste ou filtre DNS."
        }
        Msg::EndpointErrorConnectionRefused => "connexion refusée ({detail})",
        Msg::EndpointErrorServerRefusesConnectionFix => {
            "Le serveur refuse la connexion : vérifier l'adresse et le port, ou un pare-feu qui rejette ce trafic."
        }
        Msg::EndpointErrorNoAnswerConnection => {
            "pas de réponse à la connexion (adresse injoignable ou filtrée) ({detail})"
        }
        Msg::EndpointErrorFirewallSchoolFilterFix => {
            "Un pare-feu ou le filtrage de l'école bloque sans doute ce site : demander l'ouverture du port 443 vers ce serveur."
        }
        Msg::EndpointErrorNetworkHostUnreachable => "réseau ou serveur injoignable ({detail})",
        Msg::EndpointErrorUnreachableFix => {
            "Vérifier le câble ou le Wi-Fi, la passerelle par défaut et la connexion Internet de l'école."
        }
        Msg::EndpointErrorConnectionResetServer => {
            "connexion coupée par le serveur ou un équipement intermédiaire ({detail})"
        }
        Msg::EndpointErrorFilterFirewallCutsFix => {
            "Un filtre ou un pare-feu coupe la connexion : vérifier les règles de filtrage pour ce site."
        }
        Msg::EndpointErrorTlsHandshakeFailed => "échec de la négociation TLS ({detail})",
        Msg::EndpointErrorSeeServiceTlsFix => {
            "Voir le contrôle .tls de ce service ; un proxy filtrant peut en être la cause."
        }
        Msg::EndpointErrorServerOnlyOffers => {
            "le serveur ne propose que TLS 1.1 ou plus ancien, refusé par les navigateurs"
        }
        Msg::EndpointErrorServerProxyBetweenFix => {
            "Le serveur (ou le proxy qui s'interpose) doit être mis à jour pour TLS 1.2 ou 1.3 : le signaler à son exploitant."
        }
        Msg::EndpointErrorTlsTimeout => "connexion acceptée mais pas de réponse TLS ({detail})",
        Msg::EndpointErrorServerMiddleboxDoesFix => {
            "Le serveur ou un équipement intermédiaire ne répond pas : réessayer plus tard, sinon signaler l'incident."
        }
        Msg::EndpointErrorConnectedButNo => "connecté, mais aucune réponse HTTP ({detail})",
        Msg::EndpointErrorHttpTimeoutFix => {
            "Le serveur ne répond pas : réessayer plus tard ; si cela dure, signaler l'incident à l'exploitant de l'ENT."
        }
        Msg::EndpointErrorHttpExchangeFailed => "échange HTTP interrompu ({detail})",
        Msg::EndpointErrorTryAgainLastsFix => {
            "Réessayer ; si cela dure, un proxy ou un filtre perturbe l'échange."
        }
        Msg::EndpointErrorRedirectLoop => "boucle de redirections ({detail})",
        Msg::EndpointErrorSiteRedirectsLoopFix => {
            "Le site redirige en boucle : souvent un filtre ou un proxy d'authentification ; sinon le signaler à l'exploitant."
        }
        Msg::EndpointErrorTooManyRedirects => "trop de redirections ({detail})",
        Msg::EndpointErrorSiteRedirectsEndlesslyFix => {
            "Le site redirige sans fin : le signaler à l'exploitant de l'ENT."
        }
        Msg::EndpointErrorOpenBrowserGetFix => {
            "Ouvrir un navigateur pour passer le portail captif (Wi-Fi invité ?), ou demander au responsable du filtrage d'autoriser l'ENT."
        }
        Msg::EndpointErrorProxyAsksAuthentication => {
            "le proxy demande une authentification (HTTP 407)"
        }
        Msg::EndpointErrorHaveEntAddressesFix => {
            "Faire exempter les adresses de l'ENT de l'authentification du proxy, ou configurer les identifiants du proxy sur le poste."
        }
        Msg::EndpointErrorProxyCannotReached => {
            "le proxy est injoignable ou refuse la connexion ({detail})"
        }
        Msg::EndpointErrorCheckProxyAddressFix => {
            "Vérifier l'adresse du proxy dans les paramètres du poste, ou le retirer s'il n'existe plus."
        }
        Msg::EndpointErrorProxyUnsupported => "type de proxy non testé par l'agent ({detail})",
        Msg::EndpointErrorTestEntBrowserFix => "Tester l'ENT dans un navigateur de ce poste.",
        Msg::EndpointErrorInvalidUrl => "adresse invalide ({detail})",
        Msg::EndpointErrorFixServiceUrlFix => "Corriger l'adresse de ce service dans le profil.",
        Msg::EndpointErrorCutAuditDeadline => {
            "interrompu par la limite de temps de l'audit ({detail})"
        }
        Msg::EndpointErrorRunAuditAgainFix => {
            "Relancer l'audit avec une limite plus longue (--deadline)."
        }
        Msg::EndpointErrorRedirectedInsteadEnt => {
            "redirigé vers {detail} au lieu de l'ENT : portail captif ou page de blocage d'un filtre"
        }
        // `endpoint.*`.
        Msg::EndpointDirectlyWithoutProxy => " ; en direct (sans proxy), le service répond",
        Msg::EndpointServiceDownOverloadedFix => {
            "Le service est en panne ou surchargé : réessayer plus tard ; si cela dure, le signaler à l'exploitant de l'ENT."
        }
        Msg::EndpointSeeServiceTlsFix => "Voir le contrôle .tls de ce service.",
        Msg::EndpointOpenAddressBrowserFix => {
            "Ouvrir l'adresse dans un navigateur : si une page de blocage s'affiche, demander au responsable du filtrage d'autoriser l'ENT."
        }
        Msg::EndpointCheckUrlProfileFix => {
            "Vérifier l'adresse dans le profil ; un code 403 vient souvent d'un filtre."
        }
        Msg::EndpointSlowAnswerSeeFix => {
            "Réponse lente : voir les temps par étape (DNS, connexion, TLS, premier octet) et les contrôles latency.* ; un lien saturé ou un proxy lent en sont souvent la cause."
        }
        Msg::EndpointThroughProxy => " via le proxy {proxy}",
        Msg::EndpointStopped => "{url}{via} : {what}",
        Msg::EndpointAnsweredNoStatus => {
            "{url}{via} : a répondu {timing}{phases} (un navigateur ne montre pas le statut HTTP)"
        }
        Msg::EndpointHttpStatus => "{url}{via} : HTTP {status_code} {timing}{phases}",
        Msg::EndpointServerError => "{head} : erreur du serveur",
        Msg::EndpointCertificateRefusedBrowsers => {
            "{head} : certificat refusé, les navigateurs bloqueront ce site (voir endpoint.{name}.tls)"
        }
        Msg::EndpointPageLacksFilter => {
            "{head} : la page ne contient pas « {expected} » : page de blocage d'un filtre ou portail à la place de l'ENT"
        }
        Msg::EndpointClientError => {
            "{head} : le service répond mais refuse cette page (filtre, ou adresse à corriger)"
        }
        Msg::EndpointPhaseConnect => "connexion",
        Msg::EndpointPhaseFirstByte => "1er octet",
        Msg::EndpointTiming => "en {total} ms",
        Msg::EndpointTimingRedirects => "en {total} ms, {redirects} redirection(s)",
        Msg::EndpointSlow => "{head} : lent",
        // `endpoint.*.tls`.
        Msg::TlsNoTlsSession => "pas de session TLS établie",
        Msg::TlsNotYetValid => "certificat pas encore valide (horloge du poste en retard ?)",
        Msg::TlsSelfSignedCertificate => "certificat auto-signé : aucune autorité ne le garantit",
        Msg::TlsInvalidCertificateSignature => "signature du certificat invalide",
        Msg::TlsCertificateRevoked => "certificat révoqué",
        Msg::TlsSetPcClockFix => {
            "Mettre le poste à l'heure (synchronisation NTP), puis relancer l'audit."
        }
        Msg::TlsSchoolFiltersHttpsFix => {
            "Si l'école filtre le HTTPS, installer le certificat racine du proxy sur le poste ; sinon signaler le certificat à l'exploitant du service."
        }
        Msg::TlsReportCertificateServiceFix => {
            "Signaler le certificat à l'exploitant du service (ou du filtre qui s'interpose) : les navigateurs refuseront ce site."
        }
        Msg::TlsTrafficEntDecryptedFix => {
            "Le trafic vers l'ENT est déchiffré par un proxy filtrant : demander d'exempter l'ENT et les services d'identité de l'inspection HTTPS."
        }
        Msg::TlsTellServiceOperatorFix => {
            "Prévenir l'exploitant du service : son certificat doit être renouvelé avant l'expiration."
        }
        Msg::TlsPrivateAuthorityGiven => " (autorité privée fournie par --ca-file)",
        Msg::TlsThreshold => {
            "TLS ≥ 1.2, chaîne valide ; alerte si interceptée ou expiration dans moins de {expiry_warn_days} jours"
        }
        Msg::TlsNotNegotiated => "{url} : {what}",
        Msg::TlsReachServerFirstFix => {
            "Régler d'abord l'accès à ce service (contrôle « Accès ENT : {name} ») : son TLS se mesure une fois le serveur joint."
        }
        Msg::TlsServerNotReached => "serveur non atteint en TLS : {what}",
        Msg::TlsCertificateExpired => "certificat expiré depuis le {date}",
        Msg::TlsNameMismatch => {
            "certificat établi pour {names}, pas pour {server_name} (serveur ou filtre qui s'interpose ?)"
        }
        Msg::TlsCertificateIssuedAuthority => {
            "certificat émis par « {issuer} », autorité inconnue du poste (proxy filtrant dont le certificat racine n'est pas installé ?)"
        }
        Msg::TlsCertificateRefused => "certificat refusé ({detail})",
        Msg::TlsCertificateFromValid => {
            "{head}, certificat de « {issuer} » valide jusqu'au {expiry_text}"
        }
        Msg::TlsExpiresInDays => "{base} : expire dans {days} jour(s)",
        // `network.tls_interception`.
        Msg::InterceptionChainsFromPublic => {
            "chaînes émises par des autorités publiques (ou celles du profil)"
        }
        Msg::InterceptionNoTlsSession => "aucune session TLS établie avec les services",
        Msg::InterceptionNoValidCertificate => "aucune chaîne de certificats valide à examiner",
        Msg::InterceptionFilteringProxyDecryptsFix => {
            "Un proxy filtrant déchiffre le HTTPS : demander d'exempter l'ENT et les services d'identité (EduConnect, GAR) de l'inspection HTTPS."
        }
        Msg::InterceptionCertificateReSigned => {
            "certificat ré-signé par « {issuer} », une autorité installée sur le poste mais non publique (proxy filtrant)"
        }
        Msg::InterceptionNoTlsInterception => "Pas d'interception TLS ({names})",
        Msg::InterceptionUnexpectedIssuer => {
            "certificat émis par « {issuer} », alors que le profil attend {expected}"
        }
        Msg::InterceptionIssuersOr => " ou ",
        // `network.proxy`.
        Msg::ProxyNoProxyServices => "pas de proxy, ou les services fonctionnent à travers lui",
        Msg::ProxyNoProxyConfigured => "Aucun proxy configuré : connexions directes",
        Msg::ProxyButServiceAnswers => " (mais le service répond en direct)",
        Msg::ProxyProxyBlocksBreaksFix => {
            "Le proxy bloque ou casse l'accès à l'ENT : ajouter les adresses de l'ENT à ses exceptions (ou à celles du poste)."
        }
        Msg::ProxyConfigurationScriptPac => {
            "un script de configuration (PAC) choisit le proxy ({pac}) ; l'agent n'exécute pas les scripts PAC et a testé les services en direct"
        }
        Msg::ProxyProxyEntServices => {
            "Proxy {proxy} ({source}) ; les services de l'ENT n'y passent pas (exceptions)"
        }
        Msg::ProxyProxyReachableThrough => {
            "Proxy {proxy} ({source}) : {names} accessible(s) à travers lui"
        }
        Msg::ProxySourceEnvironment => "variables d'environnement",
        Msg::ProxySourceWindows => "paramètres Windows",
        Msg::ProxySourceMacos => "réglages macOS",
        Msg::ProxyProblems => "Proxy {proxy} ({source}) : {problems}",
        Msg::ProxyProblemsSeparator => " ; ",
        // `latency.*`.
        Msg::LatencyUnreachableFix => {
            "Le serveur ne répond pas depuis ce poste : vérifier la connexion Internet de l'école et le filtrage (voir endpoint.*)."
        }
        Msg::LatencyHighLatencyLossFix => {
            "Latence élevée ou pertes : vérifier le Wi-Fi ou le câble, la saturation de la ligne de l'école (téléchargements, vidéos) et la box."
        }
        Msg::LatencyThreshold => {
            "réussi ≤ {pass_ms} ms, échec > {fail_ms} ms ou perte ≥ {loss_fail_pct} %"
        }
        Msg::LatencyNoAnswerProbes => {
            "{host} : aucune réponse à {probes} sondes ({method}) : serveur injoignable"
        }
        Msg::LatencyMedianMsMin => {
            "{host} : médiane {median} ms (min {min}, p90 {p90}, gigue {jitter} ms, perte {loss_pct} %) par {method}"
        }
        Msg::LatencyMethodTcpConnect => "connexion TCP",
        // `system.clock_skew`.
        Msg::ClockNoDateHeader => "aucun serveur n'a donné son heure (en-tête HTTP Date)",
        Msg::ClockTurnTimeSynchronisationFix => {
            "Activer la synchronisation de l'heure (Windows : Paramètres > Heure > Synchroniser ; Linux : timedatectl set-ntp true) et vérifier que le port 123 (NTP) est ouvert ; au-delà de 3 minutes, la connexion EduConnect échoue."
        }
        Msg::ClockBehind => {
            "Horloge du poste en retard de {amount} s sur celle de l'ENT ({sources})"
        }
        Msg::ClockAhead => {
            "Horloge du poste en avance de {amount} s sur celle de l'ENT ({sources})"
        }
        // `network.interface`.
        Msg::InterfaceWeakWiFiFix => {
            "Signal Wi-Fi faible : rapprocher le poste de la borne, ajouter une borne, ou brancher un câble."
        }
        Msg::InterfaceSlowLinkCheckFix => {
            "Lien lent : vérifier le câble (catégorie 5e ou mieux) et le port du switch."
        }
        Msg::InterfaceWiFiDbm => {
            "Wi-Fi ≥ {wifi_signal_pass_dbm} dBm (alerte ≥ {wifi_signal_warn_dbm}), lien ≥ {speed_pass_mbps} Mbit/s (alerte ≥ {speed_warn_mbps})"
        }
        Msg::InterfaceKindNameDetails => "Interface {kind} ({name}) {details}",
        Msg::InterfaceKindWired => "filaire",
        Msg::InterfaceKindVirtual => "virtuelle",
        Msg::InterfaceKindOther => "autre",
        // Unknown checks: what to do, by the cause (see `measurements::reasons`).
        Msg::UnknownNoNetworkFix => "Relancer l'audit sans --no-network.",
        Msg::UnknownNoBandwidthFix => "Relancer l'audit sans --no-bandwidth.",
        Msg::UnknownNoCollectorFix => {
            "Relancer l'audit sur un poste inscrit, ou avec --collector URL."
        }
        Msg::UnknownTimedOutFix => {
            "Relancer l'audit ; si le délai est encore dépassé, le poste ou le réseau est peut-être saturé : signaler ce message."
        }
        // Check titles, from the check id (see `scoring::check_title`).
        Msg::TitleOsSupport => "Support du système",
        Msg::TitleRam => "Mémoire vive",
        Msg::TitleCpuCores => "Processeur",
        Msg::TitleDiskFree => "Espace disque libre",
        Msg::TitleArchitecture => "Architecture",
        Msg::TitleBrowserAny => "Navigateur compatible",
        Msg::TitleBrowser => "Navigateur : {browser}",
        Msg::TitleDns => "Résolution DNS : {host}",
        Msg::TitleEndpoint => "Accès ENT : {name}",
        Msg::TitleEndpointTls => "TLS et certificat : {name}",
        Msg::TitleTlsInterception => "Interception TLS",
        Msg::TitleProxy => "Proxy",
        Msg::TitleLatency => "Latence : {target}",
        Msg::TitleClockSkew => "Heure du poste",
        Msg::TitleInterface => "Interface réseau",
        Msg::TitleDownload => "Débit descendant",
        Msg::TitleUpload => "Débit montant",
        Msg::TitleLoadedLatency => "Latence sous charge",
        // The technician's verdict screen (the agent's `output`).
        Msg::ScreenHeader => "Audit ENT : école {school}, poste {label}, profil {profile}",
        Msg::ScreenStatus => "Statut",
        Msg::ScreenCheck => "Contrôle",
        Msg::ScreenResult => "Résultat",
        Msg::ScreenThreshold => "Seuil",
        Msg::ScreenBlockingLegend => "* contrôle bloquant",
        Msg::ScreenTodo => "À faire :",
        Msg::ScreenTodoItem => "[{status}] {check} : {fix}",
        Msg::ScreenTodoUnknown => "[{status}] {checks} : {reason}. {fix}",
        Msg::ScreenUnknownChecks => "{count} contrôles non mesurés",
        Msg::ScreenVerdict => "Verdict : {verdict} (score {score}/100)",
        // Statuses and verdicts.
        Msg::StatusPass => "OK",
        Msg::StatusWarn => "ALERTE",
        Msg::StatusFail => "ÉCHEC",
        Msg::StatusUnknown => "INCONNU",
        Msg::VerdictReady => "PRÊT",
        Msg::VerdictReadyWithWarnings => "PRÊT AVEC RÉSERVES",
        Msg::VerdictNotReady => "PAS PRÊT",
        Msg::VerdictIncomplete => "INCOMPLET",
    }
}
