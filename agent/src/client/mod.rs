//! The collector's HTTP client: one [`Collector`] per enrolled collector, every request
//! bounded by its own timeouts and every answer read with a size cap. It speaks the messages
//! of [`readiness::api`] and depends on nothing else of the agent, so that the commands and
//! the probes share one client and one idea of what an answer means.
//!
//! - [`reports`]: submitting a report and fetching the profile, and what each answer means;
//! - [`retry`]: the backoff and budget around them.

pub mod enrol;
pub mod reports;
pub mod retry;

use std::time::Duration;

use reqwest::Url;

pub use reports::{Delivery, FetchError, Rejection, classify, deliver};
pub use retry::{BACKOFF_BASE, BACKOFF_CAP, Backoff, Budget, parse_retry_after};

/// Connection timeout of every request.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Longest any single request may take.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(20);
/// Largest answer body read (answers are small JSON documents; a profile is a few KiB).
const MAX_ANSWER: usize = 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("collector URL {url}: {message}")]
    Url { url: String, message: String },
    #[error("collector CA certificates: {0}")]
    Ca(String),
    #[error("cannot set up the HTTP client: {0}")]
    Build(String),
}

/// A client for one collector.
#[derive(Debug, Clone)]
pub struct Collector {
    http: reqwest::Client,
    base: Url,
    auth: String,
}

/// A collector base URL: http or https, a host, no credentials, query or fragment; its path
/// ends with `/` so that API paths join under it.
pub fn parse_base_url(s: &str) -> Result<Url, ClientError> {
    let err = |message: &str| ClientError::Url {
        url: s.to_owned(),
        message: message.to_owned(),
    };
    let mut url = Url::parse(s.trim()).map_err(|e| err(&e.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(err("must start with https:// (or http://)"));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(err("has no host"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(err(
            "must not contain a user name or password (the token is separate)",
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(err("must not contain a query (?) or fragment (#)"));
    }
    if !url.path().ends_with('/') {
        let p = format!("{}/", url.path());
        url.set_path(&p);
    }
    Ok(url)
}

impl Collector {
    /// A client for the collector at `base_url`, authenticated with `token`; `ca_pem`: extra
    /// trusted roots (a private CA).
    pub fn new(
        base_url: &str,
        token: &str,
        ca_pem: Option<&[u8]>,
    ) -> Result<Collector, ClientError> {
        let base = parse_base_url(base_url)?;
        let mut builder = reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(REQUEST_TIMEOUT)
            .user_agent(concat!("ent-agent/", env!("CARGO_PKG_VERSION")));
        if let Some(pem) = ca_pem {
            builder = builder.tls_certs_merge(parse_ca(pem)?);
        }
        Ok(Collector {
            http: builder
                .build()
                .map_err(|e| ClientError::Build(error_chain(&e)))?,
            base,
            auth: format!("Bearer {token}"),
        })
    }

    pub(crate) fn endpoint(&self, path: &str) -> Url {
        // `path` is one of our constants and the base ends with '/': join cannot fail.
        self.base.join(path).unwrap_or_else(|_| self.base.clone())
    }
}

pub(crate) async fn read_capped(mut resp: reqwest::Response) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(|e| error_chain(&e))? {
        if out.len() + chunk.len() > MAX_ANSWER {
            return Err(format!("answer larger than {MAX_ANSWER} bytes"));
        }
        out.extend_from_slice(&chunk);
    }
    Ok(out)
}

/// PEM certificates of a private collector CA.
pub fn parse_ca(pem: &[u8]) -> Result<Vec<reqwest::Certificate>, ClientError> {
    let certs =
        reqwest::Certificate::from_pem_bundle(pem).map_err(|e| ClientError::Ca(error_chain(&e)))?;
    if certs.is_empty() {
        return Err(ClientError::Ca("no PEM certificate found".into()));
    }
    Ok(certs)
}

/// An error with its causes ("error sending request: connection refused").
pub fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut src = e.source();
    while let Some(cause) = src {
        let c = cause.to_string();
        if !s.contains(&c) {
            s.push_str(": ");
            s.push_str(&c);
        }
        src = cause.source();
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls() {
        assert_eq!(
            parse_base_url("https://c.example.fr").unwrap().as_str(),
            "https://c.example.fr/"
        );
        assert_eq!(
            parse_base_url("http://127.0.0.1:8080/ent")
                .unwrap()
                .join("api/v1/reports")
                .unwrap()
                .as_str(),
            "http://127.0.0.1:8080/ent/api/v1/reports"
        );
        for bad in [
            "ftp://c.example.fr",
            "c.example.fr",
            "https://user:pw@c.example.fr",
            "https://c.example.fr/?token=x",
            "",
        ] {
            assert!(parse_base_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn ca_file_must_hold_a_certificate() {
        assert!(parse_ca(b"not a pem").is_err());
    }
}
