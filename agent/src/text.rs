//! The agent's own texts for the technician (the console lines of `run`, `send` and `kit`, and
//! the kit's summary page), keyed by [`Msg`], each id with its French and English template
//! side by side.
//!
//! The texts reports carry (checks, reasons, the audit table) are in [`readiness::text`]; these
//! are the ones only the agent prints. Templates name their placeholders (`{count}`), filled
//! by [`readiness::text::fill`]; both languages of an id take the same ones (a unit test checks
//! it). An id is declared with both its templates, so none can lack a language.

use std::fmt::Display;

use readiness::Lang;

/// Declares [`Msg`], the list of all its ids (for the catalogue's tests) and each id's two
/// templates, side by side: an id cannot lack a language.
macro_rules! catalogue {
    ($($(#[$doc:meta])* $id:ident { fr: $fr:expr, en: $en:expr $(,)? })*) => {
        /// A text of the agent's catalogue, by stable id.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Msg {
            $($(#[$doc])* $id,)*
        }

        impl Msg {
            /// Every id, in declaration order.
            pub const ALL: &[Msg] = &[$(Msg::$id,)*];

            /// The French and the English template.
            const fn templates(self) -> (&'static str, &'static str) {
                match self {
                    $(Msg::$id => ($fr, $en),)*
                }
            }
        }
    };
}

catalogue! {
    // `run`.
    RunProfile {
        fr: "Profil : {name} ({source}).",
        en: "Profile: {name} ({source}).",
    }
    RunBacklogSent {
        fr: "Rapports en attente envoyés: {count}.",
        en: "Earlier reports sent: {count}.",
    }
    RunBacklogBusy {
        fr: "Un autre ent-agent envoie déjà les rapports en attente.",
        en: "Another ent-agent is sending the spool; earlier reports are left to it.",
    }
    RunBacklogConflicts {
        fr: "Rapports en attente conservés, le collecteur a déjà un autre rapport sous leur identifiant: {count} ({reason}).",
        en: "Earlier reports kept, the collector holds another report under their id: {count} ({reason}).",
    }
    RunBacklogRejected {
        fr: "Rapports en attente refusés ou illisibles, mis de côté: {count} ({dir}).",
        en: "Earlier reports refused or unreadable, moved aside: {count} ({dir}).",
    }
    RunNotDue {
        fr: "Pas d'audit à faire (--if-due) : dernier audit {last}.",
        en: "No audit due yet (--if-due): last audit {last}.",
    }
    RunCollectorVerdict {
        fr: "verdict du collecteur : {verdict}, score {score}",
        en: "collector's verdict: {verdict}, score {score}",
    }
    RunSent {
        fr: "Envoi : rapport transmis au collecteur {collector}{verdict}.",
        en: "Delivery: report sent to the collector {collector}{verdict}.",
    }
    RunSentDuplicate {
        fr: "Envoi : déjà reçu par le collecteur {collector}{verdict}.",
        en: "Delivery: already received by the collector {collector}{verdict}.",
    }
    RunKept {
        fr: "Envoi : non transmis ({why}); conservé pour le prochain passage, rapports en attente: {pending}.",
        en: "Delivery: not sent ({why}); kept in the spool for the next run, reports waiting: {pending}.",
    }
    RunBlocked {
        fr: "Envoi : le collecteur refuse l'enrôlement de ce poste ({reason}): refaire `ent-agent enroll`; rapports en attente: {pending}.",
        en: "Delivery: the collector refuses this workstation's enrolment ({reason}): enrol again with `ent-agent enroll`; reports waiting: {pending}.",
    }
    RunConflict {
        fr: "Envoi : non transmis, le collecteur a déjà un autre rapport sous cet identifiant ({reason}); conservé, rapports en attente: {pending}.",
        en: "Delivery: not delivered, the collector holds another report under this id ({reason}); kept in the spool, reports waiting: {pending}.",
    }
    RunRejected {
        fr: "Envoi : le collecteur a refusé ce rapport ({reason}); conservé dans {dir}.",
        en: "Delivery: the collector refused this report ({reason}); kept in {dir}.",
    }
    RunLost {
        fr: "Envoi ÉCHOUÉ : non transmis ({send}) et non conservé ({spool_error}).",
        en: "Delivery FAILED: not sent ({send}) and not kept ({spool_error}).",
    }
    RunPending {
        fr: "Rapports en attente: {count}.",
        en: "Reports waiting in the spool: {count}.",
    }
    RunDropped {
        fr: "ATTENTION : rapports anciens supprimés depuis le dernier passage, file pleine: {count} (au plus {max_reports}, {max_mib} MiB).",
        en: "WARNING: older reports dropped since the last run, the spool was full: {count} (at most {max_reports}, {max_mib} MiB).",
    }
    RunRejectedKept {
        fr: "Rapports refusés par le collecteur, gardés pour examen: {count} ({dir}; au plus {max_reports} rapports, {max_mib} MiB, les plus anciens supprimés d'abord).",
        en: "Reports refused by the collector, kept for inspection: {count} ({dir}; at most {max_reports} reports, {max_mib} MiB, the oldest deleted first).",
    }
    // `send`: the labels make a column.
    SendStored {
        fr: "enregistré      ",
        en: "stored          ",
    }
    SendAlreadyStored {
        fr: "déjà enregistré ",
        en: "already stored  ",
    }
    SendRefused {
        fr: "REFUSÉ          ",
        en: "REFUSED         ",
    }
    SendNotSent {
        fr: "non envoyé      ",
        en: "not sent        ",
    }
    SendSkipped {
        fr: "ignoré          ",
        en: "skipped         ",
    }
    SendLeftInPlace {
        fr: "{label} {name} : {why} (laissé en place)",
        en: "{label} {name} : {why} (left in place)",
    }
    SendTotals {
        fr: "{total} rapport(s) : {stored} enregistré(s), {already} déjà reçu(s), {refused} refusé(s), {not_sent} non envoyé(s) ; {skipped} fichier(s) ignoré(s). Les fichiers restent en place.",
        en: "{total} report(s): {stored} stored, {already} already there, {refused} refused, {not_sent} not sent; {skipped} file(s) skipped. The files stay where they are.",
    }
    SendNothingNew {
        fr: "Rien de nouveau : le collecteur avait déjà ces {already} rapport(s), aucun n'a été enregistré deux fois.",
        en: "Nothing new: the collector already held these {already} report(s); none was stored twice.",
    }
    // `kit summary`.
    KitNoReport {
        fr: "Aucun rapport trouvé : pas de page écrite.",
        en: "No report found: no page written.",
    }
    KitSummaryPage {
        fr: "Page de synthèse : {path}",
        en: "Summary page: {path}",
    }
    KitPcCount {
        fr: "{count} poste(s) ({verdicts})",
        en: "{count} PC(s) ({verdicts})",
    }
    KitSchool {
        fr: "École {school}",
        en: "School {school}",
    }
    KitNoSchool {
        fr: "Sans école (pas de --school)",
        en: "No school (no --school)",
    }
    KitNoLabel {
        fr: "(sans libellé)",
        en: "(no label)",
    }
    KitConsoleTitle {
        fr: "Synthèse de {dir} : {pcs} poste(s), {schools} école(s).",
        en: "Summary of {dir} : {pcs} PC(s), {schools} school(s).",
    }
    KitAudits {
        fr: "{count} audits, le dernier",
        en: "{count} audits, the latest",
    }
    KitScore {
        fr: "score",
        en: "score",
    }
    KitBlocking {
        fr: "bloquant",
        en: "blocking",
    }
    KitMore {
        fr: "{count} autre(s), voir la page",
        en: "{count} more, see the page",
    }
    KitFilesSkipped {
        fr: "Fichiers ignorés",
        en: "Files skipped",
    }
    KitPageTitle {
        fr: "Synthèse de l'audit de préparation à l'ENT",
        en: "ENT readiness audit summary",
    }
    KitWrittenOn {
        fr: "Écrite le {date} · ent-agent {version} · {pcs} poste(s)",
        en: "Written on {date} · ent-agent {version} · {pcs} PC(s)",
    }
    KitColumnPc {
        fr: "Poste",
        en: "PC",
    }
    KitColumnHost {
        fr: "Nom de la machine",
        en: "Host name",
    }
    KitColumnId {
        fr: "Identifiant",
        en: "Id",
    }
    KitColumnAudit {
        fr: "Audit",
        en: "Audit",
    }
    KitColumnVerdict {
        fr: "Verdict",
        en: "Verdict",
    }
    KitColumnScore {
        fr: "Score",
        en: "Score",
    }
    KitColumnFix {
        fr: "À corriger",
        en: "To fix",
    }
    KitFilesSkippedPage {
        fr: "Fichiers ignorés (illisibles ou qui ne sont pas des rapports)",
        en: "Files skipped (unreadable, or not reports)",
    }
}

/// The template of `id` in `lang`, placeholders unfilled.
pub fn text(lang: Lang, id: Msg) -> &'static str {
    let (fr, en) = id.templates();
    match lang {
        Lang::Fr => fr,
        Lang::En => en,
    }
}

/// The text of `id` in `lang`, owned: for an id without placeholders.
pub fn msg(lang: Lang, id: Msg) -> String {
    text(lang, id).to_owned()
}

/// The text of `id` in `lang` with its placeholders filled from `args` (name, value).
pub fn render(lang: Lang, id: Msg, args: &[(&str, &dyn Display)]) -> String {
    let template = text(lang, id);
    debug_assert!(
        readiness::text::placeholders(template)
            .iter()
            .all(|name| args.iter().any(|(n, _)| n == name)),
        "no value for a placeholder of {template:?}"
    );
    readiness::text::fill(template, args)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Both templates of an id take the same placeholders (a translation cannot drop or
    /// invent a value), and neither is blank.
    #[test]
    fn both_templates_of_an_id_take_the_same_placeholders() {
        for id in Msg::ALL {
            let (fr, en) = id.templates();
            let [mut in_fr, mut in_en] = [fr, en].map(readiness::text::placeholders);
            for names in [&mut in_fr, &mut in_en] {
                names.sort_unstable();
                names.dedup();
            }
            assert_eq!(in_fr, in_en, "{id:?}: {fr:?} / {en:?}");
            assert!(!fr.trim().is_empty() && !en.trim().is_empty(), "{id:?}");
        }
    }

    #[test]
    fn render_fills_the_template_of_the_language() {
        assert_eq!(
            render(Lang::En, Msg::RunPending, &[("count", &3)]),
            "Reports waiting in the spool: 3."
        );
        assert_eq!(
            render(Lang::Fr, Msg::KitSchool, &[("school", &"0750001A")]),
            "École 0750001A"
        );
    }
}
