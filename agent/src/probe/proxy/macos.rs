//! The macOS proxy settings: running `scutil --proxy` (on macOS only) and reading its
//! output (everywhere, so that the parsing is tested on Linux).

use readiness::measurements::network::ProxySource;

use super::{ProxyConfig, config, parse_proxy};

/// The proxy settings of this Mac, as `scutil --proxy` prints them.
#[cfg(target_os = "macos")]
pub(super) async fn scutil_proxy() -> Result<Option<ProxyConfig>, String> {
    let out = tokio::process::Command::new("scutil")
        .arg("--proxy")
        .output()
        .await
        .map_err(|e| format!("cannot run scutil --proxy: {e}"))?;
    Ok(from_scutil(&String::from_utf8_lossy(&out.stdout)))
}

/// From the output of macOS's `scutil --proxy`.
#[cfg_attr(not(target_os = "macos"), allow(dead_code))]
pub fn from_scutil(text: &str) -> Option<ProxyConfig> {
    let mut values = std::collections::BTreeMap::new();
    let mut exceptions = Vec::new();
    let mut in_exceptions = false;
    for line in text.lines().map(str::trim) {
        if line.starts_with("ExceptionsList") {
            in_exceptions = true;
            continue;
        }
        if in_exceptions {
            if line.starts_with('}') {
                in_exceptions = false;
            } else if let Some((_, v)) = line.split_once(':') {
                exceptions.push(v.trim().to_owned());
            }
            continue;
        }
        if let Some((k, v)) = line.split_once(" : ") {
            values.insert(k.trim().to_owned(), v.trim().to_owned());
        }
    }
    let get = |k: &str| values.get(k).map(String::as_str);
    let proxy = |enable: &str, host: &str, port: &str| {
        (get(enable) == Some("1"))
            .then(|| get(host).map(|h| format!("{h}:{}", get(port).unwrap_or("80"))))
            .flatten()
            .as_deref()
            .and_then(parse_proxy)
    };
    let https = proxy("HTTPSEnable", "HTTPSProxy", "HTTPSPort");
    let http = proxy("HTTPEnable", "HTTPProxy", "HTTPPort");
    let pac = (get("ProxyAutoConfigEnable") == Some("1"))
        .then(|| get("ProxyAutoConfigURLString").map(str::to_owned))
        .flatten();
    if https.is_none() && http.is_none() && pac.is_none() {
        return None;
    }
    Some(config(ProxySource::Macos, https, http, exceptions, pac))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn macos_scutil() {
        let text = "<dictionary> {\n  ExceptionsList : <array> {\n    0 : *.local\n    1 : 169.254/16\n  }\n  FTPPassive : 1\n  HTTPSEnable : 1\n  HTTPSPort : 3128\n  HTTPSProxy : proxy.ecole\n  HTTPEnable : 0\n}\n";
        let c = from_scutil(text).unwrap();
        assert_eq!(
            c.settings.https_proxy.as_deref(),
            Some("http://proxy.ecole:3128")
        );
        assert_eq!(c.settings.http_proxy, None);
        assert_eq!(c.settings.no_proxy, vec!["*.local", "169.254/16"]);
        assert!(from_scutil("<dictionary> {\n  HTTPEnable : 0\n}\n").is_none());
    }
}
