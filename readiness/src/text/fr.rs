//! The French catalogue.

use super::Msg;

/// The French template of `id`.
pub(crate) const fn text(id: Msg) -> &'static str {
    match id {
        Msg::NotMeasuredByAgent => "non mesuré par cet agent",
        Msg::CouldNotMeasure => "Mesure impossible : {reason}",
        Msg::RunAuditAgain => {
            "Relancer l'audit (en administrateur si possible) ; si le problème persiste, signaler ce message."
        }
        Msg::ThresholdMoreIsBetter => "réussi ≥ {pass} {unit}, alerte ≥ {warn} {unit}",
        Msg::ThresholdMoreIsBetterNoUnit => "réussi ≥ {pass}, alerte ≥ {warn}",
        Msg::ThresholdLessIsBetter => "réussi ≤ {pass} {unit}, échec > {fail} {unit}",
        Msg::ReasonNoNetwork => "sondes réseau non lancées (--no-network)",
        Msg::ReasonNoBandwidth => "test de débit non lancé (--no-bandwidth)",
        Msg::ReasonNoCollector => {
            "pas de collecteur pour mesurer le débit : inscrire ce poste (ent-agent enroll) ou passer --collector URL et --token JETON"
        }
        Msg::ReasonTimedOut => "délai dépassé après {seconds} s",
        Msg::ReasonBandwidthTimedOut => "le test de débit n'a pas fini en {seconds} s",
    }
}
