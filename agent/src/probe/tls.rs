//! TLS for the endpoint probe: the trust stores (public web PKI, the OS store, `--ca-file`),
//! a handshake that records the server's chain whatever it is, and the verification of that
//! chain against each store separately.
//!
//! Recording first and judging after is what lets the report say *why* a site would be
//! refused (expired, other name, unknown issuer) and spot interception (valid only through
//! a root the OS trusts but the public PKI does not). Handshake signatures are still
//! verified. The HTTP request that follows carries no cookie or credential, so completing it
//! over an untrusted chain exposes nothing.

use std::sync::{Arc, Mutex, PoisonError};

use readiness::measurements::network::{CertErrorKind, CertInfo, TlsInfo, Verification};
use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{
    CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme,
};

/// The crypto provider of every TLS connection the agent makes: aws-lc-rs, as reqwest uses.
pub fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::aws_lc_rs::default_provider())
}

/// A `--ca-file` that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum CaFileError {
    #[error("cannot read the CA file {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("the CA file {path} holds no PEM certificate (-----BEGIN CERTIFICATE-----)")]
    Empty { path: String },
    #[error("the CA file {path} has an unreadable certificate: {detail}")]
    Invalid { path: String, detail: String },
}

/// Read the PEM certificates of a `--ca-file`.
pub fn read_ca_file(path: &std::path::Path) -> Result<Vec<CertificateDer<'static>>, CaFileError> {
    let shown = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|source| CaFileError::Read {
        path: shown.clone(),
        source,
    })?;
    let certs = CertificateDer::pem_slice_iter(&bytes)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| CaFileError::Invalid {
            path: shown.clone(),
            detail: e.to_string(),
        })?;
    if certs.is_empty() {
        return Err(CaFileError::Empty { path: shown });
    }
    let mut store = RootCertStore::empty();
    for cert in &certs {
        store.add(cert.clone()).map_err(|e| CaFileError::Invalid {
            path: shown.clone(),
            detail: e.to_string(),
        })?;
    }
    Ok(certs)
}

/// The roots a chain is checked against.
#[derive(Debug)]
pub struct TrustStores {
    public: Arc<RootCertStore>,
    /// The OS store, or why it could not be read.
    os: Result<Arc<RootCertStore>, String>,
    extra: Option<Arc<RootCertStore>>,
    provider: Arc<CryptoProvider>,
}

impl TrustStores {
    /// Load the stores. Reading the OS store parses files (Linux) or calls the OS: run this
    /// on a blocking thread. On Linux the OS store honours `SSL_CERT_FILE` / `SSL_CERT_DIR`.
    pub fn load(extra: &[CertificateDer<'static>]) -> TrustStores {
        let public = RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        };
        let native = rustls_native_certs::load_native_certs();
        let os = if native.certs.is_empty() {
            Err(match native.errors.first() {
                Some(e) => format!("cannot read the OS trust store: {e}"),
                None => "the OS trust store is empty".to_owned(),
            })
        } else {
            let mut store = RootCertStore::empty();
            store.add_parsable_certificates(native.certs);
            Ok(Arc::new(store))
        };
        let extra = (!extra.is_empty()).then(|| {
            let mut store = RootCertStore::empty();
            store.add_parsable_certificates(extra.iter().cloned());
            Arc::new(store)
        });
        TrustStores {
            public: Arc::new(public),
            os,
            extra,
            provider: provider(),
        }
    }

    /// A client configuration whose verifier records the chain into `recorder`.
    pub fn client_config(&self, recorder: Arc<ChainRecorder>) -> Result<ClientConfig, String> {
        let mut config = ClientConfig::builder_with_provider(self.provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(|e| format!("TLS configuration: {e}"))?
            .dangerous()
            .with_custom_certificate_verifier(recorder)
            .with_no_client_auth();
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(config)
    }

    pub fn recorder(&self) -> Arc<ChainRecorder> {
        Arc::new(ChainRecorder {
            chain: Mutex::new(Vec::new()),
            provider: self.provider.clone(),
        })
    }

    /// Verify a chain against each store (chain, dates, name), and describe it.
    pub fn inspect(
        &self,
        chain: &[CertificateDer<'static>],
        server_name: &ServerName<'_>,
        version: String,
        cipher: String,
    ) -> TlsInfo {
        let verify =
            |store: &Arc<RootCertStore>| verify_chain(store, &self.provider, chain, server_name);
        TlsInfo {
            server_name: server_name.to_str().into_owned(),
            version,
            cipher,
            chain: chain.iter().map(|c| describe(c)).collect(),
            public_roots: verify(&self.public),
            os_roots: self.os.as_ref().ok().map(verify),
            extra_roots: self.extra.as_ref().map(verify),
        }
    }

    /// Why the OS store is missing from [`TlsInfo::os_roots`], if it is.
    pub fn os_store_error(&self) -> Option<&str> {
        self.os.as_ref().err().map(String::as_str)
    }
}

fn verify_chain(
    store: &Arc<RootCertStore>,
    provider: &Arc<CryptoProvider>,
    chain: &[CertificateDer<'static>],
    server_name: &ServerName<'_>,
) -> Verification {
    let Some((leaf, intermediates)) = chain.split_first() else {
        return Verification {
            valid: false,
            error: Some(CertErrorKind::Other),
            detail: Some("the server sent no certificate".into()),
        };
    };
    if store.is_empty() {
        return Verification {
            valid: false,
            error: Some(CertErrorKind::UnknownIssuer),
            detail: Some("no root in this store".into()),
        };
    }
    let verifier = match WebPkiServerVerifier::builder_with_provider(
        store.clone(),
        provider.clone(),
    )
    .build()
    {
        Ok(v) => v,
        Err(e) => {
            return Verification {
                valid: false,
                error: Some(CertErrorKind::Other),
                detail: Some(format!("verifier: {e}")),
            };
        }
    };
    match verifier.verify_server_cert(leaf, intermediates, server_name, &[], UnixTime::now()) {
        Ok(_) => Verification {
            valid: true,
            error: None,
            detail: None,
        },
        Err(e) => Verification {
            valid: false,
            error: Some(cert_error_kind(&e)),
            detail: Some(e.to_string()),
        },
    }
}

fn cert_error_kind(e: &rustls::Error) -> CertErrorKind {
    match e {
        rustls::Error::InvalidCertificate(c) => match c {
            CertificateError::Expired | CertificateError::ExpiredContext { .. } => {
                CertErrorKind::Expired
            }
            CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
                CertErrorKind::NotYetValid
            }
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
                CertErrorKind::NameMismatch
            }
            CertificateError::UnknownIssuer => CertErrorKind::UnknownIssuer,
            CertificateError::BadSignature => CertErrorKind::BadSignature,
            CertificateError::Revoked => CertErrorKind::Revoked,
            _ => CertErrorKind::Other,
        },
        _ => CertErrorKind::Other,
    }
}

/// Subject, issuer, validity and names of a certificate (what could be parsed).
fn describe(der: &CertificateDer<'_>) -> CertInfo {
    let ts = |t: x509_parser::time::ASN1Time| {
        jiff::Timestamp::from_second(t.timestamp()).unwrap_or(jiff::Timestamp::UNIX_EPOCH)
    };
    match x509_parser::parse_x509_certificate(der.as_ref()) {
        Ok((_, cert)) => {
            let mut names = Vec::new();
            if let Ok(Some(san)) = cert.subject_alternative_name() {
                for name in &san.value.general_names {
                    match name {
                        x509_parser::extensions::GeneralName::DNSName(n) => {
                            names.push((*n).to_owned());
                        }
                        x509_parser::extensions::GeneralName::IPAddress(b) => {
                            if let Ok(a) = <[u8; 4]>::try_from(*b) {
                                names.push(std::net::IpAddr::from(a).to_string());
                            } else if let Ok(a) = <[u8; 16]>::try_from(*b) {
                                names.push(std::net::IpAddr::from(a).to_string());
                            }
                        }
                        _ => {}
                    }
                }
            }
            CertInfo {
                subject: cert.subject().to_string(),
                issuer: cert.issuer().to_string(),
                not_before: ts(cert.validity().not_before),
                not_after: ts(cert.validity().not_after),
                names,
            }
        }
        Err(e) => CertInfo {
            subject: format!("(unparsable certificate: {e})"),
            issuer: String::new(),
            not_before: jiff::Timestamp::UNIX_EPOCH,
            not_after: jiff::Timestamp::UNIX_EPOCH,
            names: Vec::new(),
        },
    }
}

/// A certificate verifier that accepts any chain and keeps it for [`TrustStores::inspect`];
/// handshake signatures are verified as usual.
#[derive(Debug)]
pub struct ChainRecorder {
    chain: Mutex<Vec<CertificateDer<'static>>>,
    provider: Arc<CryptoProvider>,
}

impl ChainRecorder {
    /// The algorithms handshake signatures are verified with.
    fn algorithms(&self) -> &WebPkiSupportedAlgorithms {
        &self.provider.signature_verification_algorithms
    }

    /// The chain the server sent, leaf first.
    pub fn chain(&self) -> Vec<CertificateDer<'static>> {
        self.chain
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

impl ServerCertVerifier for ChainRecorder {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let mut chain = vec![end_entity.clone().into_owned()];
        chain.extend(intermediates.iter().map(|c| c.clone().into_owned()));
        *self.chain.lock().unwrap_or_else(PoisonError::into_inner) = chain;
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, self.algorithms())
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, self.algorithms())
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms().supported_schemes()
    }
}

/// `TLSv1_3` -> `TLSv1.3`.
pub fn version_name(v: rustls::ProtocolVersion) -> String {
    format!("{v:?}").replace('_', ".")
}

/// Whether a handshake error means the server only speaks TLS older than 1.2.
pub fn is_version_error(e: &rustls::Error) -> bool {
    matches!(
        e,
        rustls::Error::AlertReceived(rustls::AlertDescription::ProtocolVersion)
            | rustls::Error::PeerIncompatible(
                rustls::PeerIncompatible::ServerDoesNotSupportTls12Or13
                    | rustls::PeerIncompatible::ServerTlsVersionIsDisabledByOurConfig
            )
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_names() {
        assert_eq!(version_name(rustls::ProtocolVersion::TLSv1_3), "TLSv1.3");
        assert_eq!(version_name(rustls::ProtocolVersion::TLSv1_2), "TLSv1.2");
    }

    #[test]
    fn ca_file_errors_name_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let empty = dir.path().join("empty.pem");
        std::fs::write(&empty, "not a certificate").unwrap();
        let err = read_ca_file(&empty).unwrap_err().to_string();
        assert!(err.contains("empty.pem") && err.contains("no PEM"), "{err}");
        let missing = dir.path().join("missing.pem");
        let err = read_ca_file(&missing).unwrap_err().to_string();
        assert!(err.contains("missing.pem"), "{err}");
    }

    #[test]
    fn error_kinds() {
        use rustls::Error::InvalidCertificate;
        assert_eq!(
            cert_error_kind(&InvalidCertificate(CertificateError::Expired)),
            CertErrorKind::Expired
        );
        assert_eq!(
            cert_error_kind(&InvalidCertificate(CertificateError::UnknownIssuer)),
            CertErrorKind::UnknownIssuer
        );
        assert_eq!(
            cert_error_kind(&InvalidCertificate(CertificateError::NotValidForName)),
            CertErrorKind::NameMismatch
        );
        assert!(is_version_error(&rustls::Error::AlertReceived(
            rustls::AlertDescription::ProtocolVersion
        )));
    }
}
