//! A shaped link for the bandwidth accuracy testbed (root): two network namespaces joined by
//! a veth pair in 198.18.0.0/15, the real collector on the server side (198.18.0.2), the
//! agent and the iperf3 client on the client side (198.18.0.1), each direction shaped on
//! its sender's egress with `tc ... tbf`, so that download and upload differ.
//!
//! tbf parameters, chosen for accuracy:
//! - `burst` (the bucket): 2 ms at the rate, at least two full frames. A bucket much larger
//!   than that lets a burst through at line rate at every idle moment and inflates short
//!   windows; smaller than a frame, tbf drops everything.
//! - No GSO on a shaped interface (`gso_max_segs 1`): the bottleneck of a real line is a
//!   box that receives wire-size frames. On a veth, the sender's TCP hands tbf 64 KiB
//!   super-packets, which tbf cuts into segments and, its queue being short, drops most of
//!   at once: bursts of tens of losses per packet that no router makes, after which the
//!   receiver gets its data in stalls and bursts (-40 % then +35 % from one second to the
//!   next on 1 Mbit/s, for iperf3 as for the agent). Seen side by side with iperf3 -R: with
//!   GSO its 0.5 s figures ran from 348 to 1608 kbit/s on a 1 Mbit/s link, without it from
//!   950 to 973.
//! - `limit` (the queue): 50 ms at the rate, at least 32 full frames, so that 16 streams
//!   each keep a packet or two in flight on a 1 Mbit/s line (a tail-drop queue any smaller
//!   makes them time out in turn, and the link idles), while the delay stays that of a
//!   common DSL or fibre box.
//!
//! The payload capacity of a shaped link is what TCP can carry through it: tbf counts each
//! frame's Ethernet header (14 bytes, no preamble or FCS on a veth), IP (20) and TCP (20,
//! plus 12 with timestamps) headers are not payload. At MTU 1500 with timestamps:
//! 1448 / 1514 = 95.6 %, 4.4 % of overhead.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use crate::netlab::ip_cmd as ip;

/// The server side's address (collector, iperf3 server).
pub const SERVER: &str = "198.18.0.2";
const CLIENT_CIDR: &str = "198.18.0.1/30";
const SERVER_CIDR: &str = "198.18.0.2/30";
const ETHERNET_HEADER: f64 = 14.0;

/// Rates in Mbit/s (10^6 bit/s); `None`: unshaped.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Shape {
    pub down_mbit: Option<f64>,
    pub up_mbit: Option<f64>,
}

/// The two namespaces and the veth pair; removed on drop.
#[derive(Debug)]
pub struct Link {
    pub client_ns: String,
    pub server_ns: String,
    pub shape: Shape,
    /// MTU of the veth pair.
    pub mtu: u32,
}

impl Link {
    pub fn create(shape: Shape) -> Result<Link, String> {
        static N: AtomicU32 = AtomicU32::new(0);
        let id = format!(
            "{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        );
        let mut link = Link {
            client_ns: format!("entbw-c-{id}"),
            server_ns: format!("entbw-s-{id}"),
            shape,
            mtu: 1500,
        };
        let (c, s) = (link.client_ns.clone(), link.server_ns.clone());
        let (c, s) = (c.as_str(), s.as_str());
        ip(&["netns", "add", c])?;
        ip(&["netns", "add", s])?;
        ip(&[
            "-n", c, "link", "add", "vc", "type", "veth", "peer", "name", "vs", "netns", s,
        ])?;
        ip(&["-n", c, "addr", "add", CLIENT_CIDR, "dev", "vc"])?;
        ip(&["-n", s, "addr", "add", SERVER_CIDR, "dev", "vs"])?;
        for (ns, dev) in [(c, "vc"), (s, "vs"), (c, "lo"), (s, "lo")] {
            ip(&["-n", ns, "link", "set", dev, "up"])?;
        }
        let mtu = link.read_mtu()?;
        link.mtu = mtu;
        // Download leaves the server side, upload the client side.
        if let Some(rate) = shape.down_mbit {
            tbf(s, "vs", rate, mtu)?;
        }
        if let Some(rate) = shape.up_mbit {
            tbf(c, "vc", rate, mtu)?;
        }
        Ok(link)
    }

    fn read_mtu(&self) -> Result<u32, String> {
        let out = Command::new("ip")
            .args(["-n", &self.client_ns, "-j", "link", "show", "vc"])
            .output()
            .map_err(|e| e.to_string())?;
        let v: serde_json::Value =
            serde_json::from_slice(&out.stdout).map_err(|e| format!("ip -j link: {e}"))?;
        v[0]["mtu"]
            .as_u64()
            .and_then(|m| u32::try_from(m).ok())
            .ok_or_else(|| format!("no MTU in {v}"))
    }

    /// TCP payload a rate of `mbit` carries on this link, in Mbit/s.
    pub fn payload_capacity(&self, mbit: f64) -> f64 {
        mbit * payload_share(self.mtu, tcp_timestamps())
    }

    /// `cmd` run inside the client namespace.
    pub fn client(&self, program: &Path) -> Command {
        let mut c = Command::new("ip");
        c.args(["netns", "exec", &self.client_ns]).arg(program);
        c
    }

    /// A prepared command (program, arguments, environment) run inside the client
    /// namespace.
    pub fn in_client(&self, cmd: &Command) -> Command {
        let mut wrapped = self.client(Path::new(cmd.get_program()));
        wrapped.args(cmd.get_args());
        for (k, v) in cmd.get_envs() {
            match v {
                Some(v) => wrapped.env(k, v),
                None => wrapped.env_remove(k),
            };
        }
        wrapped
    }

    /// `cmd` run inside the server namespace.
    pub fn server(&self, program: &Path) -> Command {
        let mut c = Command::new("ip");
        c.args(["netns", "exec", &self.server_ns]).arg(program);
        c
    }
}

impl Drop for Link {
    fn drop(&mut self) {
        let _ = ip(&["netns", "del", &self.client_ns]);
        let _ = ip(&["netns", "del", &self.server_ns]);
    }
}

/// The lenient test profile (no host, no endpoint, no system resolver: nothing but the
/// bandwidth test touches the network) with the bandwidth test's byte cap per direction
/// sized for `mbit` (the time cap's worth and half as much again; at least 1 MiB).
pub fn profile(mbit: Option<f64>) -> String {
    let max_seconds = 10.0;
    let max_mib = match mbit {
        Some(m) => (m * 1e6 / 8.0 * max_seconds * 1.5 / 1_048_576.0)
            .ceil()
            .max(1.0),
        None => 1024.0,
    };
    bandwidth_profile(max_seconds, max_mib)
}

/// The lenient test profile with these caps per direction.
pub fn bandwidth_profile(max_seconds: f64, max_mib: f64) -> String {
    let lenient =
        std::fs::read_to_string(crate::workspace_root().join("tests/tests/fixtures/lenient.toml"))
            .expect("read the lenient profile");
    format!(
        "{lenient}\n[bandwidth]\nmax_seconds = {max_seconds}\nmax_mib = {max_mib}\nmin_streams = 4\nmax_streams = 16\nsimultaneous_users = 25\nper_user_pass_mbps = 1.0\nper_user_warn_mbps = 0.5\nrecent_days = 30\n"
    )
}

/// Whether TCP timestamps are on (12 bytes of options in every segment).
pub fn tcp_timestamps() -> bool {
    std::fs::read_to_string("/proc/sys/net/ipv4/tcp_timestamps")
        .map(|s| s.trim() != "0")
        .unwrap_or(true)
}

/// Share of a tbf-shaped rate that is TCP payload: full-size segments, the Ethernet header
/// counted by tbf.
pub fn payload_share(mtu: u32, timestamps: bool) -> f64 {
    let headers = 20.0 + 20.0 + if timestamps { 12.0 } else { 0.0 };
    let mtu = f64::from(mtu);
    (mtu - headers) / (mtu + ETHERNET_HEADER)
}

/// The tbf bucket and queue for `mbit` (see the module header), in bytes.
pub fn tbf_params(mbit: f64, mtu: u32) -> (u64, u64) {
    let bytes_per_s = mbit * 1e6 / 8.0;
    let frame = f64::from(mtu) + ETHERNET_HEADER;
    let burst = (bytes_per_s * 0.002).max(2.0 * frame);
    let limit = (bytes_per_s * 0.050).max(32.0 * frame);
    (burst.ceil() as u64, limit.ceil() as u64)
}

fn tbf(ns: &str, dev: &str, mbit: f64, mtu: u32) -> Result<(), String> {
    // Wire-size frames into tbf (see the module header); an unshaped link keeps its GSO.
    ip(&["-n", ns, "link", "set", "dev", dev, "gso_max_segs", "1"])?;
    let (burst, limit) = tbf_params(mbit, mtu);
    let rate = format!("{}bit", (mbit * 1e6).round() as u64);
    crate::checked_output(
        Command::new("ip")
            .args([
                "netns", "exec", ns, "tc", "qdisc", "add", "dev", dev, "root", "tbf",
            ])
            .args(["rate", &rate, "burst", &burst.to_string()])
            .args(["limit", &limit.to_string()]),
        &format!("tc tbf on {dev}"),
    )
    .map(drop)
}

/// A process in a namespace, killed on drop.
#[derive(Debug)]
pub struct Daemon {
    pub child: Child,
}

impl Daemon {
    /// CPU time (user + system) the process used so far, from /proc.
    pub fn cpu_time(&self) -> Duration {
        cpu_time_of(self.child.id())
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// User + system CPU time of a process (and of its waited-for children), from
/// `/proc/PID/stat`; zero if unreadable.
pub fn cpu_time_of(pid: u32) -> Duration {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return Duration::ZERO;
    };
    // Fields after the command name (which may hold spaces) start after ')'.
    let rest = stat.rsplit_once(')').map_or("", |r| r.1);
    let f: Vec<u64> = rest
        .split_whitespace()
        .map(|x| x.parse().unwrap_or(0))
        .collect();
    // utime, stime are fields 14 and 15 (1-based), 12 and 13 after the state.
    let ticks = f.get(11).copied().unwrap_or(0) + f.get(12).copied().unwrap_or(0);
    Duration::from_secs_f64(ticks as f64 / clock_ticks())
}

fn clock_ticks() -> f64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok())
        .unwrap_or(100.0)
}

/// Start the real collector in the server namespace on `SERVER:8080`; its pid is the one
/// of `ent-collector` itself (`ip netns exec` replaces itself with the program).
pub fn collector(link: &Link, db: &Path) -> (Daemon, String) {
    let mut child = link
        .server(crate::collector::collector_bin())
        .arg("--database")
        .arg(db)
        .args(["serve", "--listen", &format!("{SERVER}:8080")])
        .env("ENT_COLLECTOR_LOG", "warn")
        .env_remove("ENT_COLLECTOR_DATABASE")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start ent-collector in the server namespace");
    let url = crate::collector::listening_url(&mut child);
    (Daemon { child }, url)
}

/// `iperf3 -s` in the server namespace.
pub fn iperf3_server(link: &Link) -> Daemon {
    let child = link
        .server(Path::new("iperf3"))
        .args(["-s", "-B", SERVER, "-p", "5201"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start iperf3 -s (is iperf3 installed? .ci/run installs it)");
    // Wait until it listens (a test connection would take the server's one test slot).
    for _ in 0..50 {
        let out = link
            .server(Path::new("ss"))
            .args(["-Hltn", "sport = :5201"])
            .output();
        if out.is_ok_and(|o| !o.stdout.is_empty()) {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Daemon { child }
}

/// iperf3 from the client: `-P 4 -O 2 -J`, `seconds` measured after the 2 omitted; the
/// receiver's figure in Mbit/s. `download`: the server sends (`-R`).
pub fn iperf3(link: &Link, download: bool, seconds: u32) -> f64 {
    // `timeout`: a stuck iperf3 must not hang the test.
    let out = link
        .client(Path::new("timeout"))
        .args(["-k", "5", &(seconds + 30).to_string(), "iperf3"])
        .args(["-c", SERVER, "-p", "5201", "-P", "4", "-O", "2", "-J"])
        .args(["--connect-timeout", "3000", "-t", &seconds.to_string()])
        .args(download.then_some("-R"))
        .output()
        .expect("run iperf3");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "iperf3 output is not JSON ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    });
    v["end"]["sum_received"]["bits_per_second"]
        .as_f64()
        .unwrap_or_else(|| panic!("no receiver figure in iperf3's answer: {v}"))
        / 1e6
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overhead_at_mtu_1500_is_about_4_4_percent() {
        let share = payload_share(1500, true);
        assert!((share - 1448.0 / 1514.0).abs() < 1e-12);
        assert!(((1.0 - share) * 100.0 - 4.36).abs() < 0.01, "{share}");
        assert!(payload_share(1500, false) > share);
    }

    #[test]
    fn tbf_bucket_and_queue() {
        // 1 Mbit/s: two frames of bucket, 32 frames of queue.
        assert_eq!(tbf_params(1.0, 1500), (3028, 48448));
        // 100 Mbit/s: 2 ms and 50 ms at the rate.
        assert_eq!(tbf_params(100.0, 1500), (25000, 625000));
    }
}
