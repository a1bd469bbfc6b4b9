//! The agent's French texts.

use super::Msg;

/// The French template of `id`.
pub(super) const fn text(id: Msg) -> &'static str {
    match id {
        // `run`.
        Msg::RunProfile => "Profil : {name} ({source}).",
        Msg::RunBacklogSent => "Rapports en attente envoyés: {count}.",
        Msg::RunBacklogBusy => "Un autre ent-agent envoie déjà les rapports en attente.",
        Msg::RunBacklogConflicts => {
            "Rapports en attente conservés, le collecteur a déjà un autre rapport sous leur identifiant: {count} ({reason})."
        }
        Msg::RunBacklogRejected => {
            "Rapports en attente refusés ou illisibles, mis de côté: {count} ({dir})."
        }
        Msg::RunNotDue => "Pas d'audit à faire (--if-due) : dernier audit {last}.",
        Msg::RunCollectorVerdict => "verdict du collecteur : {verdict}, score {score}",
        Msg::RunSent => "Envoi : rapport transmis au collecteur {collector}{verdict}.",
        Msg::RunSentDuplicate => "Envoi : déjà reçu par le collecteur {collector}{verdict}.",
        Msg::RunKept => {
            "Envoi : non transmis ({why}); conservé pour le prochain passage, rapports en attente: {pending}."
        }
        Msg::RunBlocked => {
            "Envoi : le collecteur refuse l'enrôlement de ce poste ({reason}): refaire `ent-agent enroll`; rapports en attente: {pending}."
        }
        Msg::RunConflict => {
            "Envoi : non transmis, le collecteur a déjà un autre rapport sous cet identifiant ({reason}); conservé, rapports en attente: {pending}."
        }
        Msg::RunRejected => {
            "Envoi : le collecteur a refusé ce rapport ({reason}); conservé dans {dir}."
        }
        Msg::RunLost => "Envoi ÉCHOUÉ : non transmis ({send}) et non conservé ({spool_error}).",
        Msg::RunPending => "Rapports en attente: {count}.",
        Msg::RunDropped => {
            "ATTENTION : rapports anciens supprimés depuis le dernier passage, file pleine: {count} (au plus {max_reports}, {max_mib} MiB)."
        }
        Msg::RunRejectedKept => {
            "Rapports refusés par le collecteur, gardés pour examen: {count} ({dir}; au plus {max_reports} rapports, {max_mib} MiB, les plus anciens supprimés d'abord)."
        }
        // `send`: the labels make a column.
        Msg::SendStored => "enregistré      ",
        Msg::SendAlreadyStored => "déjà enregistré ",
        Msg::SendRefused => "REFUSÉ          ",
        Msg::SendNotSent => "non envoyé      ",
        Msg::SendSkipped => "ignoré          ",
        Msg::SendLeftInPlace => "{label} {name} : {why} (laissé en place)",
        Msg::SendTotals => {
            "{total} rapport(s) : {stored} enregistré(s), {already} déjà reçu(s), {refused} refusé(s), {not_sent} non envoyé(s) ; {skipped} fichier(s) ignoré(s). Les fichiers restent en place."
        }
        Msg::SendNothingNew => {
            "Rien de nouveau : le collecteur avait déjà ces {already} rapport(s), aucun n'a été enregistré deux fois."
        }
        // `kit summary`.
        Msg::KitNoReport => "Aucun rapport trouvé : pas de page écrite.",
        Msg::KitSummaryPage => "Page de synthèse : {path}",
        Msg::KitPcCount => "{count} poste(s) ({verdicts})",
        Msg::KitSchool => "École {school}",
        Msg::KitNoSchool => "Sans école (pas de --school)",
        Msg::KitNoLabel => "(sans libellé)",
        Msg::KitConsoleTitle => "Synthèse de {dir} : {pcs} poste(s), {schools} école(s).",
        Msg::KitAudits => "{count} audits, le dernier",
        Msg::KitScore => "score",
        Msg::KitBlocking => "bloquant",
        Msg::KitMore => "{count} autre(s), voir la page",
        Msg::KitFilesSkipped => "Fichiers ignorés",
        Msg::KitPageTitle => "Synthèse de l'audit de préparation à l'ENT",
        Msg::KitWrittenOn => "Écrite le {date} · ent-agent {version} · {pcs} poste(s)",
        Msg::KitColumnPc => "Poste",
        Msg::KitColumnHost => "Nom de la machine",
        Msg::KitColumnId => "Identifiant",
        Msg::KitColumnAudit => "Audit",
        Msg::KitColumnVerdict => "Verdict",
        Msg::KitColumnScore => "Score",
        Msg::KitColumnFix => "À corriger",
        Msg::KitFilesSkippedPage => "Fichiers ignorés (illisibles ou qui ne sont pas des rapports)",
    }
}
