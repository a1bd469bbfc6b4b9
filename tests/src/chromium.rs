//! Headless Chromium (Debian's `chromium` package) for the tests of the collector's pages:
//! each run gets a fresh profile directory and the flags that keep it from reaching any
//! network on its own (no background updates, no sync, no component downloads).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// The flags of every headless run: no sandbox (CI runs as root), no GPU, and nothing that
/// would make Chromium talk to a server of its own.
pub const HEADLESS_FLAGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--no-first-run",
    "--no-default-browser-check",
    "--metrics-recording-only",
    "--password-store=basic",
];

/// Chromium's binary: `chromium` (Debian) or `chromium-browser` on the PATH, else Debian's
/// location.
pub fn chromium_bin() -> Option<PathBuf> {
    ["chromium", "chromium-browser"]
        .iter()
        .find_map(|name| crate::wine::on_path(name))
        .or_else(|| Some(PathBuf::from("/usr/bin/chromium")).filter(|p| p.is_file()))
}

/// Chromium, or why the test stops: with `CI` or `ENT_TESTS_REQUIRE_CHROMIUM` set a missing
/// Chromium is a failure (`.ci/run` installs it), elsewhere the test says so and returns.
pub fn chromium_or_skip() -> Option<PathBuf> {
    let found = chromium_bin();
    if found.is_none() {
        let why = "chromium is not installed (apt-get install chromium)";
        if std::env::var_os("CI").is_some()
            || std::env::var_os("ENT_TESTS_REQUIRE_CHROMIUM").is_some()
        {
            panic!("{why}");
        }
        eprintln!("skipped: {why}");
    }
    found
}

/// A headless Chromium command with a fresh profile in `user_data_dir` (which the caller
/// keeps until the run ends) and the window size of a laptop.
pub fn command(chromium: &Path, user_data_dir: &Path) -> Command {
    let mut cmd = Command::new(chromium);
    cmd.args(HEADLESS_FLAGS)
        .arg(format!("--user-data-dir={}", user_data_dir.display()))
        .arg("--window-size=1280,900");
    crate::neutral_env(&mut cmd);
    cmd
}

/// The DOM of `url` once its scripts ran for `budget` of virtual time (`--dump-dom`). The
/// test fails when Chromium does not exit with 0.
pub fn dump_dom(chromium: &Path, url: &str, budget: Duration) -> String {
    let profile = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    crate::stdout_of(
        command(chromium, profile.path())
            .arg(format!("--virtual-time-budget={}", budget.as_millis()))
            .arg("--dump-dom")
            .arg(url),
        &format!("chromium --dump-dom {url}"),
    )
}

/// A screenshot of `url` into `png`, after `budget` of virtual time.
pub fn screenshot(chromium: &Path, url: &str, png: &Path, budget: Duration) {
    let profile = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    crate::stdout_of(
        command(chromium, profile.path())
            .arg(format!("--virtual-time-budget={}", budget.as_millis()))
            .arg(format!("--screenshot={}", png.display()))
            .arg(url),
        &format!("chromium --screenshot {url}"),
    );
    assert!(
        png.is_file(),
        "chromium wrote no screenshot at {}",
        png.display()
    );
}

/// [`screenshot`] with a window of `width` x `height` pixels (a tall one shows a whole page).
pub fn screenshot_sized(
    chromium: &Path,
    url: &str,
    png: &Path,
    budget: Duration,
    (width, height): (u32, u32),
) {
    let profile = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    crate::stdout_of(
        command(chromium, profile.path())
            .arg(format!("--window-size={width},{height}"))
            .arg(format!("--virtual-time-budget={}", budget.as_millis()))
            .arg(format!("--screenshot={}", png.display()))
            .arg(url),
        &format!("chromium --screenshot {url}"),
    );
    assert!(
        png.is_file(),
        "chromium wrote no screenshot at {}",
        png.display()
    );
}

/// `url` printed to `pdf` (print media, A4 as the page's CSS asks) after `budget` of virtual
/// time; returns its number of pages.
pub fn print_to_pdf(chromium: &Path, url: &str, pdf: &Path, budget: Duration) -> usize {
    let profile = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    crate::stdout_of(
        command(chromium, profile.path())
            .arg(format!("--virtual-time-budget={}", budget.as_millis()))
            .arg("--no-pdf-header-footer")
            .arg(format!("--print-to-pdf={}", pdf.display()))
            .arg(url),
        &format!("chromium --print-to-pdf {url}"),
    );
    let bytes = std::fs::read(pdf).unwrap_or_else(|e| panic!("{}: {e}", pdf.display()));
    pdf_pages(&bytes)
}

/// The pages of a PDF as Chromium writes it (Skia: page objects in plain dictionaries):
/// `/Type /Page` entries, not `/Type /Pages`.
pub fn pdf_pages(pdf: &[u8]) -> usize {
    let text = String::from_utf8_lossy(pdf);
    text.match_indices("/Type /Page")
        .filter(|(i, m)| !text[i + m.len()..].starts_with('s'))
        .count()
}
