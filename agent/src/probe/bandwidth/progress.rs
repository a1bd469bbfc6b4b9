//! The progress bar of the bandwidth test.

use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::{Dir, Settings};

/// The progress bar: on a terminal only, on stderr, never with `--json`.
pub(super) struct Bar(Option<ProgressBar>);

impl Bar {
    pub(super) fn new(enabled: bool, settings: Settings) -> Bar {
        if !enabled {
            return Bar(None);
        }
        let total = (settings.max_time.as_millis() * 2) as u64;
        let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
        let style = ProgressStyle::with_template("{spinner} bandwidth [{bar:30}] {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
        bar.set_style(style);
        bar.enable_steady_tick(Duration::from_millis(120));
        Bar(Some(bar))
    }

    pub(super) fn phase(&self, what: &str) {
        if let Some(b) = &self.0 {
            b.set_message(what.to_owned());
        }
    }

    pub(super) fn progress(
        &self,
        dir: Dir,
        elapsed: Duration,
        s: Settings,
        mbps: f64,
        streams: u32,
    ) {
        if let Some(b) = &self.0 {
            let base = match dir {
                Dir::Download => 0,
                Dir::Upload => s.max_time.as_millis() as u64,
            };
            b.set_position(base + (elapsed.as_millis() as u64).min(s.max_time.as_millis() as u64));
            b.set_message(format!(
                "{} {mbps:.1} Mbit/s, {streams} streams",
                dir.name()
            ));
        }
    }

    pub(super) fn finish(&self) {
        if let Some(b) = &self.0 {
            b.finish_and_clear();
        }
    }
}
