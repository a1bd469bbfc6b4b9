//! API tokens: random, shown once, stored as a SHA-256 hash (they are 256-bit random
//! values, so a slow password hash adds nothing). School tokens start with `ents_`, read
//! tokens with `entr_`, workstation credentials with `entw_`, so that a leaked secret is
//! recognisable in logs and scanners (and the collector knows where to look it up).

use rand::RngExt;
use sha2::{Digest, Sha256};

#[cfg(test)]
use crate::store::ReadScope;
use crate::store::TokenScope;

/// A new token: its public id (for listing and revoking) and its secret value.
#[derive(Clone)]
pub struct NewToken {
    pub id: String,
    pub secret: String,
}

impl std::fmt::Debug for NewToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewToken")
            .field("id", &self.id)
            .field("secret", &"<redacted>")
            .finish()
    }
}

/// `bytes` random bytes, in hex.
pub fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rng().fill(&mut buf[..]);
    hex::encode(buf)
}

pub fn generate(scope: &TokenScope) -> NewToken {
    let prefix = match scope {
        TokenScope::School(_) => "ents_",
        TokenScope::Read(_) => "entr_",
    };
    NewToken {
        id: random_hex(6),
        secret: format!("{prefix}{}", random_hex(32)),
    }
}

/// Prefix of browser probe link codes (`ent-collector probe-link`): 128 random bits.
pub const PROBE_PREFIX: &str = "entp_";

/// A new probe link: its id and its code (the capability in the URL `/sonde/{code}`).
pub fn generate_probe_link() -> NewToken {
    NewToken {
        id: random_hex(6),
        secret: format!("{PROBE_PREFIX}{}", random_hex(16)),
    }
}

/// Prefix of workstation credentials.
pub const CREDENTIAL_PREFIX: &str = "entw_";

/// A new workstation credential (256 random bits), stored hashed like tokens.
pub fn generate_credential() -> String {
    format!("{CREDENTIAL_PREFIX}{}", random_hex(32))
}

/// The stored form of a secret.
pub fn hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.trim().as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_prefixed_and_hashed() {
        let a = generate(&TokenScope::Read(ReadScope::All));
        let b = generate(&TokenScope::School("0751234J".parse().unwrap()));
        assert!(a.secret.starts_with("entr_") && b.secret.starts_with("ents_"));
        assert_eq!(a.secret.len(), 5 + 64);
        assert_ne!(a.secret, generate(&TokenScope::Read(ReadScope::All)).secret);
        assert_eq!(hash(&a.secret), hash(&format!(" {}\n", a.secret)));
        assert_ne!(hash(&a.secret), a.secret);
        assert!(!format!("{a:?}").contains(&a.secret));
        let w = generate_credential();
        assert!(w.starts_with(CREDENTIAL_PREFIX) && w.len() == 5 + 64);
        assert_ne!(w, generate_credential());
    }
}
