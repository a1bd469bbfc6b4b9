//! The Windows agent under Wine, for `windows_wine.rs` and `windows_msi.rs`: the tools it
//! needs (Wine, mingw, the Rust target), the Windows build, and a Wine prefix of the test's
//! own, its wineserver stopped on drop.
//!
//! Debian 12's Wine 8 lacks `bcryptprimitives.dll` (`ProcessPrng`), which Rust's standard
//! library imports: a forwarding DLL (`tests/tests/fixtures/wine/bcryptprimitives.c`) is
//! built with mingw into the prefix only; the agent's binary is the one shipped.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Instant;

use crate::{build_binary, checked_output, neutral_env, workspace_root};

/// The Rust target of the Windows agent.
pub const TARGET: &str = "x86_64-pc-windows-gnu";
/// mingw's C compiler, for the `ProcessPrng` forwarder.
pub const MINGW_GCC: &str = "x86_64-w64-mingw32-gcc";

/// `name` found on the PATH.
pub fn on_path(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(name))
            .find(|p| p.is_file())
    })
}

/// A Unix path as Wine's programs see it (Wine maps `/` to drive `Z:`).
pub fn windows_path(path: &Path) -> String {
    format!("Z:{}", path.display()).replace('/', "\\")
}

/// Wine's loader (`wine64` or `wine` on the PATH, else Debian's `wine64` package location)
/// and the Windows agent built for [`TARGET`] by the same cargo as the tests, once every
/// tool is there (`extra`: more programs the test needs, with the package that has each);
/// or what is missing.
pub fn setup(extra: &[(&str, &str)]) -> Result<(PathBuf, PathBuf), String> {
    let loader = on_path("wine64")
        .or_else(|| on_path("wine"))
        .or_else(|| Some(PathBuf::from("/usr/lib/wine/wine64")).filter(|p| p.is_file()))
        .ok_or("Wine is not installed (apt-get install wine64)")?;
    let tools = [(MINGW_GCC, "gcc-mingw-w64-x86-64")];
    for (tool, package) in tools.iter().chain(extra) {
        on_path(tool).ok_or(format!(
            "{tool} is not installed (apt-get install {package})"
        ))?;
    }
    let exe = build_binary("ent-agent", "ent-agent", Some(TARGET))
        .map_err(|e| format!("{e}\n(for {TARGET}: rustup target add {TARGET}?)"))?;
    Ok((loader, exe))
}

/// A Wine prefix of the test's own (a temporary directory), its wineserver stopped on drop.
#[derive(Debug)]
pub struct Wine {
    loader: PathBuf,
    prefix: tempfile::TempDir,
}

impl Wine {
    /// Create the prefix (timed) and put the `ProcessPrng` forwarder in its `system32`.
    pub fn new(loader: PathBuf) -> Result<Wine, String> {
        let wine = Wine {
            loader,
            prefix: tempfile::tempdir().map_err(|e| e.to_string())?,
        };
        let started = Instant::now();
        checked_output(
            wine.command().args(["wineboot", "--init"]),
            "wineboot --init failed",
        )?;
        eprintln!(
            "Wine prefix created in {:.1} s",
            started.elapsed().as_secs_f64()
        );
        checked_output(
            Command::new(MINGW_GCC)
                .args(["-shared", "-O2", "-Wall", "-o"])
                .arg(wine.c("windows/system32/bcryptprimitives.dll"))
                .arg(workspace_root().join("tests/tests/fixtures/wine/bcryptprimitives.c"))
                .arg("-ladvapi32"),
            "building the ProcessPrng forwarder failed",
        )?;
        Ok(wine)
    }

    /// `wine ARGS` in this prefix: quiet, no display, no proxy, none of the agent's
    /// variables (programs it starts, such as an installer's actions, inherit this
    /// environment).
    pub fn command(&self) -> Command {
        let mut cmd = Command::new(&self.loader);
        cmd.env("WINEPREFIX", self.prefix.path())
            .env("WINEDEBUG", "-all")
            // No Mono or Gecko installation prompts.
            .env("WINEDLLOVERRIDES", "mscoree,mshtml=")
            .env_remove("DISPLAY")
            .env_remove("WAYLAND_DISPLAY")
            .env_remove("ENT_AGENT_TOKEN")
            .env_remove("ENT_AGENT_STATE_DIR");
        neutral_env(&mut cmd);
        cmd
    }

    /// `wine ARGS`, its output.
    pub fn run(&self, args: &[&str]) -> Output {
        self.command()
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", self.loader.display()))
    }

    /// `C:\` + `rel` on the Unix side.
    pub fn c(&self, rel: &str) -> PathBuf {
        self.prefix.path().join("drive_c").join(rel)
    }
}

impl Drop for Wine {
    fn drop(&mut self) {
        let server = self.loader.with_file_name("wineserver");
        let server = if server.is_file() {
            server
        } else {
            PathBuf::from("wineserver")
        };
        let _ = Command::new(server)
            .arg("-k")
            .env("WINEPREFIX", self.prefix.path())
            .output();
    }
}
