//! What of a workstation's identity may leave it: the host name per the profile's privacy
//! mode. User names, IP addresses and browsing data are never collected at all.

use sha2::{Digest, Sha256};

use crate::profile::{HostnameMode, Privacy};

/// The host name as it goes into a report: as is, `sha256:<hex>` of salt + lower-case name,
/// or nothing.
pub fn report_hostname(hostname: Option<&str>, privacy: &Privacy) -> Option<String> {
    let name = hostname?.trim();
    if name.is_empty() {
        return None;
    }
    match privacy.hostname {
        HostnameMode::Plain => Some(name.to_owned()),
        HostnameMode::Omitted => None,
        HostnameMode::Hashed => {
            let mut h = Sha256::new();
            h.update(privacy.hostname_salt.as_bytes());
            h.update(b"\0");
            h.update(name.to_lowercase().as_bytes());
            Some(format!("sha256:{}", hex::encode(h.finalize())))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(mode: HostnameMode) -> Privacy {
        Privacy {
            hostname: mode,
            hostname_salt: "salt".into(),
        }
    }

    #[test]
    fn modes() {
        assert_eq!(
            report_hostname(Some("ECOLE-PC01"), &p(HostnameMode::Plain)).as_deref(),
            Some("ECOLE-PC01")
        );
        assert_eq!(
            report_hostname(Some("ECOLE-PC01"), &p(HostnameMode::Omitted)),
            None
        );
        let hashed = report_hostname(Some("ECOLE-PC01"), &p(HostnameMode::Hashed)).unwrap();
        assert!(
            hashed.starts_with("sha256:") && hashed.len() == 7 + 64,
            "{hashed}"
        );
        assert!(!hashed.to_lowercase().contains("ecole"));
        // Case does not matter, the salt does.
        assert_eq!(
            report_hostname(Some("ecole-pc01"), &p(HostnameMode::Hashed)).unwrap(),
            hashed
        );
        let other = Privacy {
            hostname: HostnameMode::Hashed,
            hostname_salt: "other".into(),
        };
        assert_ne!(report_hostname(Some("ECOLE-PC01"), &other).unwrap(), hashed);
        assert_eq!(report_hostname(None, &p(HostnameMode::Plain)), None);
    }
}
