//! Interface probe: the link that carries the default route — wired or Wi-Fi, its speed, the
//! Wi-Fi signal level. Never the Wi-Fi network's name, never an address.
//!
//! Linux reads `/proc/net/route`, `/sys/class/net/<if>/` and `/proc/net/wireless`; the paths
//! are under a root directory parameter so that tests read fixture trees. Other systems are
//! not read by this version: the check is informational and says so.

use std::path::Path;

use readiness::measurements::network::{InterfaceInfo, InterfaceKind};

/// The interface of the default route (IPv4, lowest metric) from `/proc/net/route` text.
pub fn default_route_interface(route_table: &str) -> Option<String> {
    route_table
        .lines()
        .skip(1)
        .filter_map(|line| {
            let f: Vec<&str> = line.split_whitespace().collect();
            // Iface Destination Gateway Flags RefCnt Use Metric Mask ...
            let (iface, dest, flags, metric, mask) =
                (f.first()?, f.get(1)?, f.get(3)?, f.get(6)?, f.get(7)?);
            let up = u32::from_str_radix(flags, 16).ok()? & 0x1 != 0;
            (*dest == "00000000" && *mask == "00000000" && up).then(|| {
                (
                    metric.parse::<u32>().unwrap_or(u32::MAX),
                    (*iface).to_owned(),
                )
            })
        })
        .min()
        .map(|(_, iface)| iface)
}

/// The signal level in dBm of `iface` from `/proc/net/wireless` text.
pub fn wifi_signal(wireless: &str, iface: &str) -> Option<i32> {
    wireless.lines().skip(2).find_map(|line| {
        let (name, rest) = line.split_once(':')?;
        if name.trim() != iface {
            return None;
        }
        // status link level noise ...; level is in dBm, "-56." style.
        let level = rest.split_whitespace().nth(2)?;
        let level: f64 = level.trim_end_matches('.').parse().ok()?;
        // Some drivers report 0-100 (quality-like) rather than dBm.
        (level < 0.0).then_some(level.round() as i32)
    })
}

/// Read the interface of the default route under `root` (`/` on a real system).
pub fn read_linux(root: &Path) -> Result<InterfaceInfo, String> {
    let route_path = root.join("proc/net/route");
    let routes = std::fs::read_to_string(&route_path)
        .map_err(|e| format!("cannot read {}: {e}", route_path.display()))?;
    let name = default_route_interface(&routes)
        .ok_or_else(|| "no default route: this PC is not connected to a network".to_owned())?;
    let dir = root.join("sys/class/net").join(&name);
    let read = |file: &str| {
        std::fs::read_to_string(dir.join(file))
            .ok()
            .map(|s| s.trim().to_owned())
    };
    let wifi = dir.join("wireless").exists() || dir.join("phy80211").exists();
    let arp_type = read("type").and_then(|t| t.parse::<u32>().ok());
    let physical = dir.join("device").exists();
    let kind = if wifi {
        InterfaceKind::Wifi
    } else {
        match arp_type {
            // ARPHRD_ETHER
            Some(1) if physical => InterfaceKind::Wired,
            Some(1) => InterfaceKind::Virtual,
            // ARPHRD_NONE (tun), ARPHRD_PPP, IP-in-IP, GRE, WireGuard
            Some(65534 | 512 | 768 | 778 | 823) => InterfaceKind::Tunnel,
            _ => InterfaceKind::Other,
        }
    };
    let speed_mbps = read("speed")
        .and_then(|s| s.parse::<i64>().ok())
        .filter(|&s| s > 0)
        .and_then(|s| u32::try_from(s).ok());
    let wifi_signal_dbm = if wifi {
        std::fs::read_to_string(root.join("proc/net/wireless"))
            .ok()
            .and_then(|w| wifi_signal(&w, &name))
    } else {
        None
    };
    Ok(InterfaceInfo {
        name,
        kind,
        speed_mbps,
        wifi_signal_dbm,
    })
}

/// The interface of this workstation's default route.
pub fn detect() -> Result<InterfaceInfo, String> {
    if cfg!(target_os = "linux") {
        read_linux(Path::new("/"))
    } else {
        Err("the network interface is read on Linux only by this version of the agent".to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROUTE: &str = "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n\
wlp2s0\t00000000\t0101A8C0\t0003\t0\t0\t600\t00000000\t0\t0\t0\n\
enp3s0\t00000000\t0101A8C0\t0003\t0\t0\t100\t00000000\t0\t0\t0\n\
enp3s0\t0001A8C0\t00000000\t0001\t0\t0\t100\t00FFFFFF\t0\t0\t0\n";

    const WIRELESS: &str = "Inter-| sta-|   Quality        |   Discarded packets               | Missed | WE\n \
face | tus | link level noise |  nwid  crypt   frag  retry   misc | beacon | 22\n\
wlp2s0: 0000   54.  -71.  -256        0      0      0      0     12        0\n";

    #[test]
    fn lowest_metric_default_route_wins() {
        assert_eq!(default_route_interface(ROUTE).as_deref(), Some("enp3s0"));
        assert_eq!(default_route_interface("Iface\tDestination\n"), None);
    }

    #[test]
    fn wifi_signal_in_dbm() {
        assert_eq!(wifi_signal(WIRELESS, "wlp2s0"), Some(-71));
        assert_eq!(wifi_signal(WIRELESS, "enp3s0"), None);
    }

    fn tree(default_iface: &str, files: &[(&str, &str)]) -> tempfile::TempDir {
        let root = tempfile::tempdir().unwrap();
        let write = |rel: &str, text: &str| {
            let p = root.path().join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        };
        write(
            "proc/net/route",
            &format!(
                "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\n{default_iface}\t00000000\t0101A8C0\t0003\t0\t0\t100\t00000000\n"
            ),
        );
        for (rel, text) in files {
            write(rel, text);
        }
        root
    }

    #[test]
    fn wired_and_wifi_from_sysfs() {
        let root = tree(
            "enp3s0",
            &[
                ("sys/class/net/enp3s0/type", "1\n"),
                ("sys/class/net/enp3s0/speed", "100\n"),
                ("sys/class/net/enp3s0/device/vendor", "0x8086\n"),
            ],
        );
        let i = read_linux(root.path()).unwrap();
        assert_eq!(i.kind, InterfaceKind::Wired);
        assert_eq!(i.speed_mbps, Some(100));

        let root = tree(
            "wlp2s0",
            &[
                ("sys/class/net/wlp2s0/type", "1\n"),
                ("sys/class/net/wlp2s0/wireless/x", ""),
                ("sys/class/net/wlp2s0/speed", "-1\n"),
                ("proc/net/wireless", WIRELESS),
            ],
        );
        let i = read_linux(root.path()).unwrap();
        assert_eq!(i.kind, InterfaceKind::Wifi);
        assert_eq!(i.speed_mbps, None);
        assert_eq!(i.wifi_signal_dbm, Some(-71));

        let root = tree("veth0", &[("sys/class/net/veth0/type", "1\n")]);
        assert_eq!(
            read_linux(root.path()).unwrap().kind,
            InterfaceKind::Virtual
        );
    }

    #[test]
    fn no_default_route_is_said() {
        let root = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(root.path().join("proc/net")).unwrap();
        std::fs::write(root.path().join("proc/net/route"), "Iface\tDestination\n").unwrap();
        let err = read_linux(root.path()).unwrap_err();
        assert!(err.contains("no default route"), "{err}");
    }
}
