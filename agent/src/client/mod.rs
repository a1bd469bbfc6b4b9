//! The collector's HTTP client: one [`Collector`] per enrolled collector, every request
//! bounded by its own timeouts and every answer read with a size cap. It speaks the messages
//! of [`readiness::api`] and depends on nothing else of the agent, so that the commands and
//! the probes share one client and one idea of what an answer means.
//!
//! Nothing from the collector is trusted raw:
//! - every answer body is read through [`read_bounded`] (streamed, refused as soon as it
//!   passes its cap, never read whole first);
//! - redirects are followed only when they keep the method and body (307, 308) and stay on
//!   the collector's origin ([`redirect_policy`]); any other is an answer like any other,
//!   never a success;
//! - every text of the collector kept or shown (refusal messages and codes, header values)
//!   goes through [`printable`]: no terminal control characters, bounded length.
//!
//! - [`reports`]: submitting a report and fetching the profile, and what each answer means;
//! - [`retry`]: the backoff and budget around them.

pub mod enrol;
pub mod reports;
pub mod retry;

use std::time::Duration;

use reqwest::Url;

pub use reports::{Delivery, FetchError, Rejection, classify, deliver};
pub use retry::{BACKOFF_BASE, BACKOFF_CAP, Backoff, Budget, MAX_RETRY_AFTER, parse_retry_after};

/// Connection timeout of every request.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Longest any single request may take.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(20);
/// Largest answer body read (answers are small JSON documents; a profile is a few KiB).
pub const MAX_ANSWER: usize = 1024 * 1024;
/// Largest error body read where a smaller cap than [`MAX_ANSWER`] fits (the speed test's
/// refusals).
pub const MAX_ERROR_BODY: usize = 64 * 1024;
/// Longest message of the collector kept or shown, in characters.
pub const MAX_MESSAGE: usize = 500;
/// Most redirects followed (307/308 on the same origin only).
const MAX_REDIRECTS: usize = 3;

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
            .redirect(redirect_policy())
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

/// The collector's redirects that are followed: 307 and 308 (which keep the method and the
/// body), to the same origin (scheme, host, port), at most [`MAX_REDIRECTS`]. Any other
/// (a captive portal's 302, a proxy sending elsewhere) stops there, and its answer is judged
/// as it is: never an acknowledgement.
pub fn redirect_policy() -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(|attempt| {
        let same_origin = attempt
            .previous()
            .first()
            .is_some_and(|first| first.origin() == attempt.url().origin());
        let keeps_method = matches!(attempt.status().as_u16(), 307 | 308);
        if same_origin && keeps_method && attempt.previous().len() <= MAX_REDIRECTS {
            attempt.follow()
        } else {
            attempt.stop()
        }
    })
}

/// Read an answer's body, at most `limit` bytes: refused at once when its declared length is
/// larger, and as soon as what arrived passes the limit (the body is streamed, never read
/// whole first). The one reader of every answer from the collector.
pub async fn read_bounded(mut resp: reqwest::Response, limit: usize) -> Result<Vec<u8>, String> {
    let too_big = || format!("answer larger than {limit} bytes");
    if resp.content_length().is_some_and(|n| n > limit as u64) {
        return Err(too_big());
    }
    let mut out = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(|e| error_chain(&e))? {
        if out.len() + chunk.len() > limit {
            return Err(too_big());
        }
        out.extend_from_slice(&chunk);
    }
    Ok(out)
}

/// A JSON answer of type `T`, read with [`read_bounded`].
pub async fn read_json<T: serde::de::DeserializeOwned>(
    resp: reqwest::Response,
    limit: usize,
) -> Result<T, String> {
    let body = read_bounded(resp, limit).await?;
    serde_json::from_slice(&body).map_err(|e| printable(&e.to_string(), MAX_MESSAGE))
}

/// A text from the collector (or anything outside) made safe to print and keep: control
/// characters (C0, DEL, C1: ESC, CR, BEL, backspace...) and the bidirectional overrides
/// become spaces, runs of spaces one, and the text is cut at `max_chars` characters (with
/// "…" and how long it was).
pub fn printable(s: &str, max_chars: usize) -> String {
    let mut out = String::with_capacity(s.len().min(max_chars * 2));
    let mut chars = 0;
    let mut last_space = false;
    for c in s.chars() {
        let c = if c.is_control() || is_bidi_control(c) {
            ' '
        } else {
            c
        };
        if c == ' ' && last_space {
            continue;
        }
        if chars == max_chars {
            out.push_str(&format!("… ({} bytes)", s.len()));
            break;
        }
        last_space = c == ' ';
        out.push(c);
        chars += 1;
    }
    out.trim().to_owned()
}

/// [`printable`], keeping the line breaks (a multi-line message such as a TOML error).
pub fn printable_lines(s: &str, max_chars: usize) -> String {
    let mut left = max_chars;
    let mut lines = Vec::new();
    for line in s.lines() {
        if left == 0 {
            lines.push(format!("… ({} bytes)", s.len()));
            break;
        }
        let l = printable(line, left);
        left = left.saturating_sub(l.chars().count().max(1));
        lines.push(l);
    }
    lines.join("\n")
}

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
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
    fn collector_texts_are_made_printable_and_bounded() {
        assert_eq!(
            printable("\x1b[2J\x07\rbad\u{202e}txt\n\tok", 100),
            "[2J bad txt ok"
        );
        assert_eq!(printable("a\u{9b}31m", 100), "a 31m");
        let long = "é".repeat(10_000);
        let p = printable(&long, 50);
        assert!(p.starts_with(&"é".repeat(50)), "{p}");
        assert!(p.ends_with("… (20000 bytes)"), "{p}");
        assert!(p.chars().count() < 80);
        assert_eq!(
            printable_lines("line 1\n\x1b[31mline 2\r\n", 100),
            "line 1\n[31mline 2"
        );
    }

    #[test]
    fn ca_file_must_hold_a_certificate() {
        assert!(parse_ca(b"not a pem").is_err());
    }
}
