//! Facts about the host that need OS-specific calls: the OS installation id and the
//! permanent MAC addresses (for the workstation fingerprint, hashed before storage), and the
//! size of a volume when the disk list does not include it.

/// The OS installation id: Linux `/etc/machine-id`, Windows `MachineGuid`, macOS
/// `IOPlatformUUID`. `None` when unreadable.
pub fn machine_id() -> Option<String> {
    #[cfg(target_os = "linux")]
    {
        ["/etc/machine-id", "/var/lib/dbus/machine-id"]
            .iter()
            .filter_map(|p| std::fs::read_to_string(p).ok())
            .map(|s| s.trim().to_owned())
            .find(|s| !s.is_empty())
    }
    #[cfg(windows)]
    {
        use winreg::RegKey;
        use winreg::enums::HKEY_LOCAL_MACHINE;
        RegKey::predef(HKEY_LOCAL_MACHINE)
            .open_subkey("SOFTWARE\\Microsoft\\Cryptography")
            .and_then(|k| k.get_value::<String, _>("MachineGuid"))
            .ok()
    }
    #[cfg(target_os = "macos")]
    {
        let out = std::process::Command::new("/usr/sbin/ioreg")
            .args(["-rd1", "-c", "IOPlatformExpertDevice"])
            .output()
            .ok()?;
        let text = String::from_utf8_lossy(&out.stdout);
        text.lines()
            .find(|l| l.contains("\"IOPlatformUUID\""))
            .and_then(|l| l.split('"').nth(3))
            .map(str::to_owned)
    }
    #[cfg(not(any(target_os = "linux", windows, target_os = "macos")))]
    {
        None
    }
}

/// Permanent (factory) MAC addresses of physical network adapters. Linux only for now:
/// adapters with a `device` link whose `addr_assign_type` is 0 (not random, not set by
/// software). Elsewhere empty, and the fingerprint relies on the machine id alone.
pub fn permanent_macs() -> Vec<String> {
    #[cfg(target_os = "linux")]
    {
        linux_permanent_macs(std::path::Path::new("/sys/class/net"))
    }
    #[cfg(not(target_os = "linux"))]
    {
        Vec::new()
    }
}

#[cfg(target_os = "linux")]
fn linux_permanent_macs(net: &std::path::Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(net) else {
        return Vec::new();
    };
    let mut macs: Vec<String> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|dir| dir.join("device").exists())
        .filter(|dir| {
            std::fs::read_to_string(dir.join("addr_assign_type")).is_ok_and(|t| t.trim() == "0")
        })
        .filter_map(|dir| std::fs::read_to_string(dir.join("address")).ok())
        .map(|a| a.trim().to_ascii_lowercase())
        .filter(|a| a.len() == 17 && a != "00:00:00:00:00:00")
        .collect();
    macs.sort();
    macs
}

/// Total and available bytes of the volume holding `path`, from the file system itself
/// (`statvfs`, Windows' `GetDiskFreeSpaceExW`).
pub fn volume_space(path: &str) -> Option<(u64, u64)> {
    #[cfg(unix)]
    {
        let st = rustix::fs::statvfs(path).ok()?;
        let frsize = st.f_frsize;
        Some((
            st.f_blocks.saturating_mul(frsize),
            st.f_bavail.saturating_mul(frsize),
        ))
    }
    #[cfg(windows)]
    {
        super::win32::disk_space(path)
    }
    #[cfg(not(any(unix, windows)))]
    {
        let _ = path;
        None
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    #[test]
    fn permanent_macs_from_a_sysfs_tree() {
        let root = tempfile::tempdir().unwrap();
        let iface = |name: &str, device: bool, assign: &str, addr: &str| {
            let d = root.path().join(name);
            std::fs::create_dir_all(&d).unwrap();
            if device {
                std::fs::create_dir_all(d.join("device")).unwrap();
            }
            std::fs::write(d.join("addr_assign_type"), format!("{assign}\n")).unwrap();
            std::fs::write(d.join("address"), format!("{addr}\n")).unwrap();
        };
        iface("enp3s0", true, "0", "AA:BB:CC:DD:EE:01");
        iface("wlp2s0", true, "3", "02:11:22:33:44:55"); // randomised by software
        iface("veth1", false, "0", "aa:bb:cc:dd:ee:02"); // virtual
        iface("lo", false, "0", "00:00:00:00:00:00");
        assert_eq!(linux_permanent_macs(root.path()), vec!["aa:bb:cc:dd:ee:01"]);
    }

    #[test]
    fn root_volume_has_a_size() {
        let (total, avail) = volume_space("/").unwrap();
        assert!(total > 0 && avail <= total);
    }
}
