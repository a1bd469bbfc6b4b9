//! The lab's certificates (rcgen): a test CA, leaves it signs, self-signed leaves.

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use std::path::Path;

use std::sync::Arc;

/// The rustls crypto provider of the lab's servers (aws-lc-rs).
fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::aws_lc_rs::default_provider())
}

/// A test certificate authority.
#[derive(Debug)]
pub struct TestCa {
    issuer: Issuer<'static, KeyPair>,
    pem: String,
}

/// A server certificate and its key.
#[derive(Debug, Clone)]
pub struct Leaf {
    pub chain: Vec<CertificateDer<'static>>,
    key: Vec<u8>,
    pub pem: String,
    pub key_pem: String,
}

/// The current time, for certificate validity.
fn now() -> time::OffsetDateTime {
    time::OffsetDateTime::now_utc()
}

impl TestCa {
    /// A root CA named `cn`.
    pub fn new(cn: &str) -> TestCa {
        let mut params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
        params.distinguished_name.push(DnType::CommonName, cn);
        params
            .distinguished_name
            .push(DnType::OrganizationName, "ENT Readiness tests");
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        params.not_before = now() - time::Duration::days(1);
        params.not_after = now() + time::Duration::days(3650);
        let key = KeyPair::generate().expect("CA key");
        let cert = params.self_signed(&key).expect("CA certificate");
        TestCa {
            pem: cert.pem(),
            issuer: Issuer::new(params, key),
        }
    }

    /// The CA certificate, PEM.
    pub fn pem(&self) -> &str {
        &self.pem
    }

    /// Write the CA certificate to `path` and return the path.
    pub fn write_pem(&self, path: &Path) -> std::path::PathBuf {
        std::fs::write(path, &self.pem).expect("write the CA file");
        path.to_owned()
    }

    /// A certificate for `names` (DNS names or IP addresses), valid from yesterday for 90 days.
    pub fn leaf(&self, names: &[&str]) -> Leaf {
        self.leaf_valid(
            names,
            now() - time::Duration::days(1),
            now() + time::Duration::days(90),
        )
    }

    /// A certificate for `names` valid between the two dates.
    pub fn leaf_valid(
        &self,
        names: &[&str],
        not_before: time::OffsetDateTime,
        not_after: time::OffsetDateTime,
    ) -> Leaf {
        let (params, key) = leaf_params(names, not_before, not_after);
        let cert = params.signed_by(&key, &self.issuer).expect("sign the leaf");
        Leaf::new(cert, &key)
    }
}

/// The parameters of a leaf for `names` (the first one as common name) and its new key.
fn leaf_params(
    names: &[&str],
    not_before: time::OffsetDateTime,
    not_after: time::OffsetDateTime,
) -> (CertificateParams, KeyPair) {
    let mut params =
        CertificateParams::new(names.iter().map(|n| (*n).to_owned()).collect::<Vec<_>>())
            .expect("leaf params");
    params
        .distinguished_name
        .push(DnType::CommonName, names.first().copied().unwrap_or("test"));
    params.not_before = not_before;
    params.not_after = not_after;
    (params, KeyPair::generate().expect("leaf key"))
}

/// A self-signed certificate for `names` (no CA).
pub fn self_signed(names: &[&str]) -> Leaf {
    let (params, key) = leaf_params(
        names,
        now() - time::Duration::days(1),
        now() + time::Duration::days(90),
    );
    let cert = params.self_signed(&key).expect("self-signed certificate");
    Leaf::new(cert, &key)
}

impl Leaf {
    fn new(cert: rcgen::Certificate, key: &KeyPair) -> Leaf {
        Leaf {
            chain: vec![cert.der().clone()],
            pem: cert.pem(),
            key: key.serialize_der(),
            key_pem: key.serialize_pem(),
        }
    }

    /// A rustls server configuration presenting this certificate (HTTP/1.1 by ALPN).
    pub(super) fn server_config(&self) -> rustls::ServerConfig {
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(self.key.clone()));
        let mut config = rustls::ServerConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .expect("TLS versions")
            .with_no_client_auth()
            .with_single_cert(self.chain.clone(), key)
            .expect("server certificate");
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        config
    }
}
