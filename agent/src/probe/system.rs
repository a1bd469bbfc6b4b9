//! Hardware and OS facts: OS identity (see `os`), CPU, memory, free space on the system
//! volume, architecture, uptime. Blocking calls: the runner puts this on a blocking thread
//! under a deadline.

use readiness::measurements::{CpuInfo, DiskInfo, SystemMeasurements};
use sysinfo::{CpuRefreshKind, Disks, MemoryRefreshKind, RefreshKind, System};

/// Collect everything; each field that fails is recorded in `unavailable`.
pub fn collect() -> SystemMeasurements {
    let mut m = SystemMeasurements::default();
    match super::os::detect() {
        Ok(os) => m.os = Some(os),
        Err(reason) => {
            m.unavailable.insert("os".into(), reason);
        }
    }

    match System::new_with_specifics(
        RefreshKind::nothing()
            .with_memory(MemoryRefreshKind::nothing().with_ram())
            .with_cpu(CpuRefreshKind::nothing()),
    ) {
        Ok(sys) => {
            let total = sys.total_memory();
            if total > 0 {
                m.memory_total_bytes = Some(total);
            } else {
                m.unavailable.insert(
                    "memory_total_bytes".into(),
                    "the OS reported no memory size".into(),
                );
            }
            let cpus = sys.cpus();
            if cpus.is_empty() {
                m.unavailable
                    .insert("cpu".into(), "the OS listed no processor".into());
            } else {
                let model = cpus
                    .iter()
                    .map(|c| c.brand().trim())
                    .find(|b| !b.is_empty())
                    .map(str::to_owned);
                m.cpu = Some(CpuInfo {
                    model,
                    logical_cores: u32::try_from(cpus.len()).unwrap_or(u32::MAX),
                    physical_cores: System::physical_core_count()
                        .ok()
                        .and_then(|n| u32::try_from(n).ok())
                        .filter(|&n| n > 0),
                });
            }
        }
        Err(e) => {
            let reason = format!("system information unavailable: {e}");
            m.unavailable
                .insert("memory_total_bytes".into(), reason.clone());
            m.unavailable.insert("cpu".into(), reason);
        }
    }

    match system_disk() {
        Ok(d) => m.system_disk = Some(d),
        Err(reason) => {
            m.unavailable.insert("system_disk".into(), reason);
        }
    }

    let arch = normalise_arch(&System::cpu_arch());
    if arch.is_empty() || arch == "unknown" {
        m.unavailable.insert(
            "architecture".into(),
            "the OS did not name its architecture".into(),
        );
    } else {
        m.architecture = Some(arch);
    }
    match System::uptime() {
        Ok(s) if s > 0 => m.uptime_s = Some(s),
        Ok(_) => {}
        Err(e) => {
            m.unavailable.insert("uptime_s".into(), e.to_string());
        }
    }
    m
}

/// The mount point of the volume the OS runs from.
fn system_root() -> String {
    if cfg!(windows) {
        let drive = std::env::var("SystemDrive").unwrap_or_else(|_| "C:".into());
        format!("{}\\", drive.trim_end_matches('\\'))
    } else {
        "/".into()
    }
}

fn system_disk() -> Result<DiskInfo, String> {
    let root = system_root();
    let listed = match Disks::new_with_refreshed_list() {
        Ok(disks) => disks
            .iter()
            .find(|d| {
                let mp = d.mount_point().to_string_lossy();
                mp.eq_ignore_ascii_case(&root)
                    || mp
                        .trim_end_matches('\\')
                        .eq_ignore_ascii_case(root.trim_end_matches('\\'))
            })
            .map(|d| (d.total_space(), d.available_space()))
            .ok_or_else(|| format!("no disk listed for the system volume {root}")),
        Err(e) => Err(format!("cannot list disks: {e}")),
    };
    // Containers and some VMs list no disk for "/" (overlay root), and Wine lists none at
    // all: then ask the file system (statvfs, GetDiskFreeSpaceExW).
    let (total_bytes, available_bytes) = match listed {
        Ok(sizes) if sizes.0 > 0 => sizes,
        Ok(_) => crate::platform::volume_space(&root)
            .ok_or_else(|| format!("the system volume {root} reports a size of 0"))?,
        Err(reason) => crate::platform::volume_space(&root).ok_or(reason)?,
    };
    Ok(DiskInfo {
        mount_point: root,
        total_bytes,
        available_bytes,
    })
}

/// Normalise the many spellings of CPU architectures.
pub fn normalise_arch(raw: &str) -> String {
    let a = raw.trim().to_ascii_lowercase();
    match a.as_str() {
        "x86_64" | "amd64" | "x64" | "x86-64" => "x86_64".into(),
        "i386" | "i486" | "i586" | "i686" | "x86" => "x86".into(),
        "aarch64" | "arm64" | "armv8l" => "aarch64".into(),
        s if s.starts_with("armv") || s == "arm" => "arm".into(),
        _ => a,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arch_spellings() {
        assert_eq!(normalise_arch("AMD64"), "x86_64");
        assert_eq!(normalise_arch("x86_64"), "x86_64");
        assert_eq!(normalise_arch("i686"), "x86");
        assert_eq!(normalise_arch("arm64"), "aarch64");
        assert_eq!(normalise_arch("armv7l"), "arm");
        assert_eq!(normalise_arch("riscv64"), "riscv64");
    }

    #[test]
    fn collects_this_machine() {
        let m = collect();
        // Every field is either measured or explained.
        let explained = |field: &str, present: bool| {
            assert!(
                present || m.unavailable.contains_key(field),
                "{field} neither measured nor explained: {m:?}"
            );
        };
        explained("os", m.os.is_some());
        explained("cpu", m.cpu.is_some());
        explained("memory_total_bytes", m.memory_total_bytes.is_some());
        explained("system_disk", m.system_disk.is_some());
        explained("architecture", m.architecture.is_some());
        if cfg!(target_os = "linux") {
            assert!(m.memory_total_bytes.unwrap_or(0) > 64 << 20);
            assert!(m.cpu.as_ref().is_some_and(|c| c.logical_cores >= 1));
            let disk = m.system_disk.as_ref().expect("/ has a size on Linux");
            assert!(disk.available_bytes <= disk.total_bytes);
        }
    }
}
