//! macOS specifics: the Darwin kernel release, the user's home.

use std::path::PathBuf;

/// The Darwin kernel release (`uname -r`), e.g. "24.1.0".
pub fn kernel_release() -> Option<String> {
    sysinfo::System::kernel_version().ok()
}

/// The home directory of the user running the agent.
pub fn user_home() -> Option<PathBuf> {
    std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(PathBuf::from)
}
