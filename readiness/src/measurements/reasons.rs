//! The reasons the agent gives for what it did not measure. Measurements keep them in
//! English (raw data, the same whatever the technician's language); the check messages show
//! them in the report's language. The agent's own reasons are [`Reason`]s, whose sentences
//! are ids of the text catalogue (`crate::text`); anything else (an operating system's or a
//! library's error text) is shown as it is.
//!
//! Reports carry the English sentence only (the wire format predates the codes), so a
//! reason read from a report is recognised by the catalogue's own English template, the
//! one it was rendered from: no second table of English strings to keep in step.

use crate::text::Lang;
use crate::text::{self, Msg, en_text};

/// `--no-network`.
pub const NO_NETWORK: &str = en_text(Msg::ReasonNoNetwork);
/// `--no-bandwidth`.
pub const NO_BANDWIDTH: &str = en_text(Msg::ReasonNoBandwidth);
/// Neither enrolled nor `--collector`.
pub const NO_COLLECTOR: &str = en_text(Msg::ReasonNoCollector);

/// A reason of the agent's own, with its parameters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Reason {
    /// `--no-network`.
    NoNetwork,
    /// `--no-bandwidth`.
    NoBandwidth,
    /// Neither enrolled nor `--collector`.
    NoCollector,
    /// A probe cut by its deadline.
    TimedOut { seconds: f64 },
    /// The bandwidth test cut by its deadline.
    BandwidthTimedOut { seconds: f64 },
}

/// The catalogue ids of every [`Reason`]: the sentences [`localize`] recognises. Their
/// placeholders are numbers.
const IDS: &[Msg] = &[
    Msg::ReasonNoNetwork,
    Msg::ReasonNoBandwidth,
    Msg::ReasonNoCollector,
    Msg::ReasonTimedOut,
    Msg::ReasonBandwidthTimedOut,
];

impl Reason {
    /// The sentence in `lang`, numbers with the language's decimal mark.
    pub fn render(&self, lang: Lang) -> String {
        let number = |s: String| text::decimal_mark(lang, s);
        match *self {
            Reason::NoNetwork => text::msg(lang, Msg::ReasonNoNetwork),
            Reason::NoBandwidth => text::msg(lang, Msg::ReasonNoBandwidth),
            Reason::NoCollector => text::msg(lang, Msg::ReasonNoCollector),
            Reason::TimedOut { seconds } => text::render(
                lang,
                Msg::ReasonTimedOut,
                &[("seconds", &number(format!("{seconds:.1}")))],
            ),
            Reason::BandwidthTimedOut { seconds } => text::render(
                lang,
                Msg::ReasonBandwidthTimedOut,
                &[("seconds", &number(format!("{seconds:.0}")))],
            ),
        }
    }
}

/// The English sentence, as measurements keep it.
impl std::fmt::Display for Reason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.render(Lang::En))
    }
}

/// A probe cut by its deadline: `timed out after 2.5 s`.
pub fn timed_out(seconds: f64) -> String {
    Reason::TimedOut { seconds }.to_string()
}

/// The bandwidth test cut by its deadline.
pub fn bandwidth_timed_out(seconds: f64) -> String {
    Reason::BandwidthTimedOut { seconds }.to_string()
}

/// The catalogue id of the agent's own English `reason`, and the values of its
/// placeholders (numbers); `None` for any other text.
fn matching(reason: &str) -> Option<(Msg, Vec<(String, &str)>)> {
    IDS.iter().find_map(|&id| {
        let values = text::captures(text::text(Lang::En, id), reason)?;
        // A template with something other than a number in its place is not this reason.
        values
            .iter()
            .all(|(_, v)| !v.is_empty() && v.parse::<f64>().is_ok())
            .then_some((id, values))
    })
}

/// Which of the agent's own reasons `reason` (English, as measurements keep it) is;
/// `None` for any other text (an operating system's error, a probe's own words).
pub fn recognise(reason: &str) -> Option<Reason> {
    let (id, values) = matching(reason)?;
    let seconds = || {
        values
            .iter()
            .find(|(name, _)| name == "seconds")
            .and_then(|(_, v)| v.parse().ok())
            .unwrap_or(0.0)
    };
    Some(match id {
        Msg::ReasonNoNetwork => Reason::NoNetwork,
        Msg::ReasonNoBandwidth => Reason::NoBandwidth,
        Msg::ReasonNoCollector => Reason::NoCollector,
        Msg::ReasonTimedOut => Reason::TimedOut { seconds: seconds() },
        Msg::ReasonBandwidthTimedOut => Reason::BandwidthTimedOut { seconds: seconds() },
        _ => return None,
    })
}

/// `reason` in `lang`: the agent's own sentences translated, any other text as it is.
pub fn localize(reason: &str, lang: Lang) -> String {
    if lang == Lang::En {
        return reason.to_owned();
    }
    if let Some((id, values)) = matching(reason) {
        let shown: Vec<(&str, String)> = values
            .iter()
            .map(|(name, v)| (name.as_str(), text::decimal_mark(lang, (*v).to_owned())))
            .collect();
        let args: Vec<(&str, &dyn std::fmt::Display)> = shown
            .iter()
            .map(|(name, v)| (*name, v as &dyn std::fmt::Display))
            .collect();
        return text::render(lang, id, &args);
    }
    reason.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_agents_sentences_are_translated_others_kept() {
        assert_eq!(
            localize(NO_NETWORK, Lang::Fr),
            "sondes réseau non lancées (--no-network)"
        );
        assert_eq!(localize(NO_NETWORK, Lang::En), NO_NETWORK);
        assert_eq!(
            localize(&timed_out(2.5), Lang::Fr),
            "délai dépassé après 2,5 s"
        );
        assert_eq!(
            localize(&bandwidth_timed_out(40.0), Lang::Fr),
            "le test de débit n'a pas fini en 40 s"
        );
        // An operating system's text is not guessed at.
        assert_eq!(
            localize("Connection refused (os error 111)", Lang::Fr),
            "Connection refused (os error 111)"
        );
        // A template with something other than a number is not a template.
        assert_eq!(
            localize("timed out after lunch s", Lang::Fr),
            "timed out after lunch s"
        );
    }

    #[test]
    fn every_reason_has_its_own_french() {
        let all = [
            Reason::NoNetwork,
            Reason::NoBandwidth,
            Reason::NoCollector,
            Reason::TimedOut { seconds: 2.5 },
            Reason::BandwidthTimedOut { seconds: 40.0 },
        ];
        assert_eq!(all.len(), IDS.len());
        for r in all {
            let (en, fr) = (r.to_string(), r.render(Lang::Fr));
            assert_ne!(en, fr);
            assert_eq!(localize(&en, Lang::Fr), fr, "{r:?}");
            assert_eq!(recognise(&en), Some(r), "{r:?}");
        }
        assert_eq!(recognise("Connection refused (os error 111)"), None);
        assert_eq!(recognise("timed out after lunch s"), None);
        assert_eq!(
            NO_COLLECTOR,
            "no collector to measure against: enrol this PC (ent-agent enroll) or pass --collector URL and --token TOKEN"
        );
    }
}
