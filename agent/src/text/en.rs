//! The agent's English texts.

use super::Msg;

/// The English template of `id`.
pub(super) const fn text(id: Msg) -> &'static str {
    match id {
        // `run`.
        Msg::RunProfile => "Profile: {name} ({source}).",
        Msg::RunBacklogSent => "Earlier reports sent: {count}.",
        Msg::RunBacklogBusy => {
            "Another ent-agent is sending the spool; earlier reports are left to it."
        }
        Msg::RunBacklogConflicts => {
            "Earlier reports kept, the collector holds another report under their id: {count} ({reason})."
        }
        Msg::RunBacklogRejected => {
            "Earlier reports refused or unreadable, moved aside: {count} ({dir})."
        }
        Msg::RunNotDue => "No audit due yet (--if-due): last audit {last}.",
        Msg::RunCollectorVerdict => "collector's verdict: {verdict}, score {score}",
        Msg::RunSent => "Delivery: report sent to the collector {collector}{verdict}.",
        Msg::RunSentDuplicate => {
            "Delivery: already received by the collector {collector}{verdict}."
        }
        Msg::RunKept => {
            "Delivery: not sent ({why}); kept in the spool for the next run, reports waiting: {pending}."
        }
        Msg::RunBlocked => {
            "Delivery: the collector refuses this workstation's enrolment ({reason}): enrol again with `ent-agent enroll`; reports waiting: {pending}."
        }
        Msg::RunConflict => {
            "Delivery: not delivered, the collector holds another report under this id ({reason}); kept in the spool, reports waiting: {pending}."
        }
        Msg::RunRejected => {
            "Delivery: the collector refused this report ({reason}); kept in {dir}."
        }
        Msg::RunLost => "Delivery FAILED: not sent ({send}) and not kept ({spool_error}).",
        Msg::RunPending => "Reports waiting in the spool: {count}.",
        Msg::RunDropped => {
            "WARNING: older reports dropped since the last run, the spool was full: {count} (at most {max_reports}, {max_mib} MiB)."
        }
        Msg::RunRejectedKept => {
            "Reports refused by the collector, kept for inspection: {count} ({dir}; at most {max_reports} reports, {max_mib} MiB, the oldest deleted first)."
        }
        // `send`: the labels make a column.
        Msg::SendStored => "stored          ",
        Msg::SendAlreadyStored => "already stored  ",
        Msg::SendRefused => "REFUSED         ",
        Msg::SendNotSent => "not sent        ",
        Msg::SendSkipped => "skipped         ",
        Msg::SendLeftInPlace => "{label} {name} : {why} (left in place)",
        Msg::SendTotals => {
            "{total} report(s): {stored} stored, {already} already there, {refused} refused, {not_sent} not sent; {skipped} file(s) skipped. The files stay where they are."
        }
        Msg::SendNothingNew => {
            "Nothing new: the collector already held these {already} report(s); none was stored twice."
        }
        // `kit summary`.
        Msg::KitNoReport => "No report found: no page written.",
        Msg::KitSummaryPage => "Summary page: {path}",
        Msg::KitPcCount => "{count} PC(s) ({verdicts})",
        Msg::KitSchool => "School {school}",
        Msg::KitNoSchool => "No school (no --school)",
        Msg::KitNoLabel => "(no label)",
        Msg::KitConsoleTitle => "Summary of {dir} : {pcs} PC(s), {schools} school(s).",
        Msg::KitAudits => "{count} audits, the latest",
        Msg::KitScore => "score",
        Msg::KitBlocking => "blocking",
        Msg::KitMore => "{count} more, see the page",
        Msg::KitFilesSkipped => "Files skipped",
        Msg::KitPageTitle => "ENT readiness audit summary",
        Msg::KitWrittenOn => "Written on {date} · ent-agent {version} · {pcs} PC(s)",
        Msg::KitColumnPc => "PC",
        Msg::KitColumnHost => "Host name",
        Msg::KitColumnId => "Id",
        Msg::KitColumnAudit => "Audit",
        Msg::KitColumnVerdict => "Verdict",
        Msg::KitColumnScore => "Score",
        Msg::KitColumnFix => "To fix",
        Msg::KitFilesSkippedPage => "Files skipped (unreadable, or not reports)",
    }
}
