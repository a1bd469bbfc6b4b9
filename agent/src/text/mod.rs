//! The agent's own texts for the technician (the console lines of `run`, `send` and `kit`, and
//! the kit's summary page), one table per language (`fr.rs`, `en.rs`), keyed by [`Msg`].
//!
//! The texts reports carry (checks, reasons, the audit table) are in [`readiness::text`]; these
//! are the ones only the agent prints. Templates name their placeholders (`{count}`), filled
//! by [`readiness::text::fill`]; both languages of an id take the same ones (a unit test checks
//! it). Each table is an exhaustive `match`, so an id missing from one language does not
//! compile.

use std::fmt::Display;

use readiness::Lang;

mod en;
mod fr;

/// Declares [`Msg`] and the list of all its ids (for the catalogue's tests).
macro_rules! messages {
    ($($(#[$doc:meta])* $id:ident,)*) => {
        /// A text of the agent's catalogue, by stable id.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Msg {
            $($(#[$doc])* $id,)*
        }

        impl Msg {
            /// Every id, in declaration order.
            pub const ALL: &[Msg] = &[$(Msg::$id,)*];
        }
    };
}

messages! {
    // `run`: the lines after the report.
    RunProfile,
    RunBacklogSent,
    RunBacklogBusy,
    RunBacklogConflicts,
    RunBacklogRejected,
    RunNotDue,
    RunCollectorVerdict,
    RunSent,
    RunSentDuplicate,
    RunKept,
    RunBlocked,
    RunConflict,
    RunRejected,
    RunLost,
    RunPending,
    RunDropped,
    RunRejectedKept,
    // `send`: one line per file, then the totals.
    SendStored,
    SendAlreadyStored,
    SendRefused,
    SendNotSent,
    SendSkipped,
    SendLeftInPlace,
    SendTotals,
    SendNothingNew,
    // `kit summary`: the console and the page.
    KitNoReport,
    KitSummaryPage,
    KitPcCount,
    KitSchool,
    KitNoSchool,
    KitNoLabel,
    KitConsoleTitle,
    KitAudits,
    KitScore,
    KitBlocking,
    KitMore,
    KitFilesSkipped,
    KitPageTitle,
    KitWrittenOn,
    KitColumnPc,
    KitColumnHost,
    KitColumnId,
    KitColumnAudit,
    KitColumnVerdict,
    KitColumnScore,
    KitColumnFix,
    KitFilesSkippedPage,
}

/// The template of `id` in `lang`, placeholders unfilled.
pub fn text(lang: Lang, id: Msg) -> &'static str {
    match lang {
        Lang::Fr => fr::text(id),
        Lang::En => en::text(id),
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
    use std::collections::BTreeSet;

    use super::*;

    #[test]
    fn every_id_has_both_languages_with_the_same_placeholders() {
        for &id in Msg::ALL {
            let (fr, en) = (text(Lang::Fr, id), text(Lang::En, id));
            assert!(!fr.trim().is_empty() && !en.trim().is_empty(), "{id:?}");
            let names = |t| {
                readiness::text::placeholders(t)
                    .into_iter()
                    .collect::<BTreeSet<_>>()
            };
            assert_eq!(names(fr), names(en), "{id:?}: {fr:?} / {en:?}");
        }
    }

    #[test]
    fn ids_are_unique_and_render_fills_them() {
        let ids: BTreeSet<String> = Msg::ALL.iter().map(|id| format!("{id:?}")).collect();
        assert_eq!(ids.len(), Msg::ALL.len());
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
