//! Bandwidth benchmark, loopback ceiling (prints figures, asserts nothing):
//! `cargo bench -p ent-tests --bench bandwidth` (bench/bandwidth.sh sets
//! `ENT_TESTS_RELEASE=1` for release binaries).
//!
//! The agent (`audit --collector`) against a local collector over plain HTTP, then iperf3
//! with a single stream on the same loopback, in the same run: if the agent reaches at least
//! half of iperf3's figure, it is not what limits a measurement on a gigabit school LAN.
//! Also the CPU time the agent and the collector spent. Both share this machine's cores.

#![allow(clippy::unwrap_used)]

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use ent_tests::collector::Collector;
use ent_tests::shaped::{bandwidth_profile, cpu_time_of};

/// CPU time (user + system) of this process's waited-for children, from /proc/self/stat.
fn children_cpu() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap();
    let rest = stat.rsplit_once(')').unwrap().1;
    let f: Vec<f64> = rest
        .split_whitespace()
        .map(|x| x.parse().unwrap_or(0.0))
        .collect();
    // cutime and cstime: fields 16 and 17 (1-based), 14 and 15 after the state.
    let ticks = f[13] + f[14];
    let hz: f64 = String::from_utf8(
        Command::new("getconf")
            .arg("CLK_TCK")
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap()
    .trim()
    .parse()
    .unwrap_or(100.0);
    Duration::from_secs_f64(ticks / hz)
}

fn iperf3_single(port: &str, download: bool) -> f64 {
    let out = Command::new("iperf3")
        .args(["-c", "127.0.0.1", "-p", port, "-t", "5", "-O", "1", "-J"])
        .args(download.then_some("-R"))
        .output()
        .expect("run iperf3 (apt-get install iperf3)");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    v["end"]["sum_received"]["bits_per_second"]
        .as_f64()
        .unwrap()
        / 1e6
}

fn main() {
    if std::env::var_os("ENT_TESTS_RELEASE").is_none() {
        eprintln!(
            "note: set ENT_TESTS_RELEASE=1 to benchmark release binaries (bench/bandwidth.sh does)"
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let collector = Collector::start(&dir.path().join("c.db"), &[]);
    let token = collector.school_token("0751234J");
    let profile = dir.path().join("profile.toml");
    // 10 s per direction, and a byte cap a loopback cannot reach in that time.
    std::fs::write(&profile, bandwidth_profile(10.0, 1_000_000.0)).unwrap();
    let agent = ent_tests::agent_bin();

    let collector_cpu = cpu_time_of(collector.pid());
    let cpu_before = children_cpu();
    let started = Instant::now();
    let out = ent_tests::agent(&dir.path().join("state"))
        .args(["audit", "--json", "--profile"])
        .arg(&profile)
        .args(["--collector", &collector.url])
        .env("ENT_AGENT_TOKEN", &token)
        .stderr(Stdio::inherit())
        .output()
        .unwrap();
    let wall = started.elapsed().as_secs_f64();
    let agent_cpu = (children_cpu() - cpu_before).as_secs_f64();
    let collector_cpu = (cpu_time_of(collector.pid()) - collector_cpu).as_secs_f64();
    drop(collector);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let bw = &report["measurements"]["bandwidth"];
    let down = bw["download_mbps"].as_f64().unwrap_or(f64::NAN);
    let up = bw["upload_mbps"].as_f64().unwrap_or(f64::NAN);

    let mut server = Command::new("iperf3")
        .args(["-s", "-B", "127.0.0.1", "-p", "5299"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start iperf3 -s");
    std::thread::sleep(Duration::from_millis(300));
    let iperf_down = iperf3_single("5299", true);
    let iperf_up = iperf3_single("5299", false);
    let _ = server.kill();
    let _ = server.wait();

    println!("loopback ceiling ({})", agent.display());
    println!(
        "  agent:  download {down:.0} Mbit/s ({} streams, {}), upload {up:.0} Mbit/s ({} streams, {}), wall {wall:.1} s",
        bw["download"]["streams"],
        bw["download"]["stop"],
        bw["upload"]["streams"],
        bw["upload"]["stop"],
    );
    println!(
        "  iperf3 single stream: download {iperf_down:.0} Mbit/s, upload {iperf_up:.0} Mbit/s"
    );
    println!(
        "  agent/iperf3: download {:.2}, upload {:.2} (goal >= 0.5)",
        down / iperf_down,
        up / iperf_up
    );
    println!(
        "  CPU time: agent {agent_cpu:.2} s ({:.0} % of its wall time), collector {collector_cpu:.2} s",
        agent_cpu / wall * 100.0
    );
}
