//! The reasons the agent gives for what it did not measure. Measurements keep them in
//! English (raw data, the same whatever the technician's language); the check messages show
//! them in the report's language. The agent's own sentences are here, with their French;
//! anything else (an operating system's or a library's error text) is shown as it is.

use crate::Lang;

/// `--no-network`.
pub const NO_NETWORK: &str = "network probes skipped (--no-network)";
/// `--no-bandwidth`.
pub const NO_BANDWIDTH: &str = "bandwidth test skipped (--no-bandwidth)";
/// Neither enrolled nor `--collector`.
pub const NO_COLLECTOR: &str = "no collector to measure against: enrol this PC (ent-agent enroll) or pass --collector URL and --token TOKEN";

/// Fixed reasons and their French.
const FIXED: &[(&str, &str)] = &[
    (NO_NETWORK, "sondes réseau non lancées (--no-network)"),
    (NO_BANDWIDTH, "test de débit non lancé (--no-bandwidth)"),
    (
        NO_COLLECTOR,
        "pas de collecteur pour mesurer le débit : inscrire ce poste (ent-agent enroll) ou passer --collector URL et --token JETON",
    ),
];

/// A probe cut by its deadline: `timed out after 2.5 s`.
pub fn timed_out(seconds: f64) -> String {
    format!("timed out after {seconds:.1} s")
}

/// The bandwidth test cut by its deadline.
pub fn bandwidth_timed_out(seconds: f64) -> String {
    format!("the bandwidth test did not finish within {seconds:.0} s")
}

/// Templates with one number: (English before, after; French before, after).
const WITH_NUMBER: &[(&str, &str, &str, &str)] = &[
    ("timed out after ", " s", "délai dépassé après ", " s"),
    (
        "the bandwidth test did not finish within ",
        " s",
        "le test de débit n'a pas fini en ",
        " s",
    ),
];

/// `reason` in `lang`: the agent's own sentences translated, any other text as it is.
pub fn localize(reason: &str, lang: Lang) -> String {
    if lang == Lang::En {
        return reason.to_owned();
    }
    if let Some((_, fr)) = FIXED.iter().find(|(en, _)| *en == reason) {
        return (*fr).to_owned();
    }
    for (before, after, fr_before, fr_after) in WITH_NUMBER {
        if let Some(n) = reason
            .strip_prefix(before)
            .and_then(|r| r.strip_suffix(after))
            .filter(|n| !n.is_empty() && n.parse::<f64>().is_ok())
        {
            return format!("{fr_before}{}{fr_after}", n.replace('.', ","));
        }
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
    fn every_fixed_reason_has_its_own_french() {
        for (en, fr) in FIXED {
            assert_ne!(en, fr);
            assert_eq!(localize(en, Lang::Fr), *fr);
        }
    }
}
