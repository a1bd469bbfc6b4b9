//! An endpoint of the profile (`[[network.endpoints]]`, or `NAME=URL` on the command line),
//! and the host of a URL.

use serde::Deserialize;

use super::validate::{check_chars, check_texts};
use crate::limits::{MAX_ENDPOINT_NAME, MAX_HOST, MAX_PROFILE_ENDPOINT_HOSTS};

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, try_from = "RawEndpoint")]
pub struct Endpoint {
    /// Short name, used in check ids (`endpoint.<name>`): lowercase letters, digits, `_`, `-`.
    pub name: String,
    pub url: String,
    /// A text the real page contains ("EduConnect"): when the final page lacks it, the ENT
    /// was replaced by something else (a filter's block page, a portal).
    pub expect_text: Option<String>,
    /// Hosts a redirect may lead to besides the endpoint's own and the profile's (an
    /// identity provider); `*.example.fr` matches every subdomain. A redirect elsewhere is
    /// reported as a captive portal or filter and not followed.
    pub redirect_hosts: Vec<String>,
    /// Expected certificate issuers (text found in the issuer name, e.g. "Sectigo"). When
    /// set, a chain from another issuer is reported as intercepted even if the OS trusts it.
    pub expected_issuers: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEndpoint {
    name: String,
    url: String,
    #[serde(default)]
    expect_text: Option<String>,
    #[serde(default)]
    redirect_hosts: Vec<String>,
    #[serde(default)]
    expected_issuers: Vec<String>,
}

impl Endpoint {
    /// An endpoint given on the command line (`NAME=URL`), validated like the profile's.
    pub fn new(name: &str, url: &str) -> Result<Endpoint, String> {
        Endpoint::try_from(RawEndpoint {
            name: name.to_owned(),
            url: url.to_owned(),
            expect_text: None,
            redirect_hosts: Vec::new(),
            expected_issuers: Vec::new(),
        })
    }

    /// The host part of the URL (no port, IPv6 without brackets), lower-cased.
    pub fn host(&self) -> String {
        url_host(&self.url)
    }
}

/// The host of an `http(s)://` URL, lower-cased, without port, user info or IPv6 brackets.
pub fn url_host(url: &str) -> String {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .unwrap_or(url);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let authority = authority.rsplit('@').next().unwrap_or(authority);
    let host = if let Some(v6) = authority.strip_prefix('[') {
        v6.split(']').next().unwrap_or(v6)
    } else {
        authority.split(':').next().unwrap_or(authority)
    };
    host.to_ascii_lowercase()
}

impl TryFrom<RawEndpoint> for Endpoint {
    type Error = String;
    fn try_from(r: RawEndpoint) -> Result<Self, String> {
        let name_ok = !r.name.is_empty()
            && r.name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
        if !name_ok {
            return Err(format!(
                "endpoint name {:?}: use lowercase letters, digits, '_' or '-'",
                r.name
            ));
        }
        check_chars("name", &r.name, MAX_ENDPOINT_NAME)?;
        let named = |e: String| format!("endpoint {:?}: {e}", r.name);
        check_chars("url", &r.url, 2048).map_err(named)?;
        if let Some(text) = &r.expect_text {
            check_chars("expect_text", text, 256).map_err(named)?;
        }
        check_texts(
            "redirect_hosts",
            &r.redirect_hosts,
            MAX_PROFILE_ENDPOINT_HOSTS,
            MAX_HOST,
        )
        .map_err(named)?;
        check_texts(
            "expected_issuers",
            &r.expected_issuers,
            MAX_PROFILE_ENDPOINT_HOSTS,
            256,
        )
        .map_err(named)?;
        let rest = r
            .url
            .strip_prefix("https://")
            .or_else(|| r.url.strip_prefix("http://"));
        match rest {
            Some(host) if !host.is_empty() && !host.starts_with('/') => {}
            _ => {
                return Err(format!(
                    "endpoint {:?}: url {:?} must start with https:// or http:// and name a host",
                    r.name, r.url
                ));
            }
        }
        if r.expect_text.as_deref().is_some_and(str::is_empty) {
            return Err(format!(
                "endpoint {:?}: expect_text must not be empty",
                r.name
            ));
        }
        Ok(Endpoint {
            name: r.name,
            url: r.url,
            expect_text: r.expect_text,
            redirect_hosts: r
                .redirect_hosts
                .iter()
                .map(|h| h.to_ascii_lowercase())
                .collect(),
            expected_issuers: r.expected_issuers,
        })
    }
}
