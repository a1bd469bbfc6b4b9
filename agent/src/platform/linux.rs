//! Linux specifics: whose home directory to search for per-user installations.

use std::env;
use std::fs;
use std::path::PathBuf;

/// The home directory of the user the audit is for.
///
/// Under `sudo`, `$HOME` is root's, while the browsers of interest are those of the user who
/// ran `sudo`: their home is looked up in `/etc/passwd` by `$SUDO_USER`.
pub fn user_home() -> Option<PathBuf> {
    if let Some(user) = env::var("SUDO_USER")
        .ok()
        .filter(|u| !u.is_empty() && u != "root")
        && let Ok(passwd) = fs::read_to_string("/etc/passwd")
        && let Some(home) = passwd_home(&passwd, &user)
    {
        return Some(home);
    }
    env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(PathBuf::from)
}

/// The home directory of `user` in `/etc/passwd` text (`name:pw:uid:gid:gecos:home:shell`).
fn passwd_home(passwd: &str, user: &str) -> Option<PathBuf> {
    passwd.lines().find_map(|line| {
        let mut fields = line.split(':');
        if fields.next()? != user {
            return None;
        }
        let home = fields.nth(4)?;
        (!home.is_empty()).then(|| PathBuf::from(home))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwd_home_finds_the_user() {
        let passwd = "root:x:0:0:root:/root:/bin/bash\n\
                      # comment\n\
                      prof:x:1000:1000:Prof,,,:/home/prof:/bin/bash\n\
                      nohome:x:1001:1001:::/bin/sh\n";
        assert_eq!(
            passwd_home(passwd, "prof"),
            Some(PathBuf::from("/home/prof"))
        );
        assert_eq!(passwd_home(passwd, "nohome"), None);
        assert_eq!(passwd_home(passwd, "eleve"), None);
    }
}
