//! Network namespaces (root): a black-holed address.

use std::net::Ipv4Addr;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};

/// Whether the tests run as root (network namespaces, nftables, raw ICMP).
pub fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// Two network namespaces joined by a veth pair: the client side (198.18.0.1/30, default
/// route via the server side) and the server side (198.18.0.2/30), where nftables drops
/// TCP SYNs to port 443 and ICMP echo requests: a black-holed address. Removed on drop.
#[derive(Debug)]
pub struct BlackHole {
    pub client_ns: String,
    server_ns: String,
    /// The black-holed address.
    pub address: Ipv4Addr,
}

/// `ip ARGS`: Ok, or what it said on stderr.
pub(crate) fn ip_cmd(args: &[&str]) -> Result<(), String> {
    crate::checked_output(
        Command::new("ip").args(args),
        &format!("ip {}", args.join(" ")),
    )
    .map(drop)
}

impl BlackHole {
    pub fn create() -> Result<BlackHole, String> {
        static N: AtomicU32 = AtomicU32::new(0);
        let id = format!(
            "{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        );
        let hole = BlackHole {
            client_ns: format!("entlab-c-{id}"),
            server_ns: format!("entlab-s-{id}"),
            address: Ipv4Addr::new(198, 18, 0, 2),
        };
        let (c, s) = (hole.client_ns.as_str(), hole.server_ns.as_str());
        ip_cmd(&["netns", "add", c])?;
        ip_cmd(&["netns", "add", s])?;
        ip_cmd(&[
            "-n", c, "link", "add", "vc", "type", "veth", "peer", "name", "vs", "netns", s,
        ])?;
        ip_cmd(&["-n", c, "addr", "add", "198.18.0.1/30", "dev", "vc"])?;
        ip_cmd(&["-n", s, "addr", "add", "198.18.0.2/30", "dev", "vs"])?;
        for (ns, dev) in [(c, "vc"), (s, "vs"), (c, "lo"), (s, "lo")] {
            ip_cmd(&["-n", ns, "link", "set", dev, "up"])?;
        }
        ip_cmd(&["-n", c, "route", "add", "default", "via", "198.18.0.2"])?;
        let rules = "table inet entlab {\n chain input {\n  type filter hook input priority 0; policy accept;\n  tcp dport 443 drop\n  icmp type echo-request drop\n }\n}\n";
        let mut nft = Command::new("ip")
            .args(["netns", "exec", s, "nft", "-f", "-"])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot run nft: {e}"))?;
        if let Some(mut stdin) = nft.stdin.take() {
            use std::io::Write;
            stdin
                .write_all(rules.as_bytes())
                .map_err(|e| format!("nft: {e}"))?;
        }
        let out = nft.wait_with_output().map_err(|e| format!("nft: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "nft (is nftables installed?): {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        Ok(hole)
    }

    /// `cmd` run inside the client namespace.
    pub fn exec(&self, cmd: &Command) -> Command {
        let mut wrapped = Command::new("ip");
        wrapped
            .args(["netns", "exec", &self.client_ns])
            .arg(cmd.get_program())
            .args(cmd.get_args());
        for (k, v) in cmd.get_envs() {
            match v {
                Some(v) => wrapped.env(k, v),
                None => wrapped.env_remove(k),
            };
        }
        wrapped
    }
}

impl Drop for BlackHole {
    fn drop(&mut self) {
        let _ = ip_cmd(&["netns", "del", &self.client_ns]);
        let _ = ip_cmd(&["netns", "del", &self.server_ns]);
    }
}
