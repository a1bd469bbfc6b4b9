//! `network.interface`: the active interface's kind, link speed and Wi-Fi signal.

use super::Ctx;
use crate::measurements::network::InterfaceKind;
use crate::report::{CheckResult, CheckStatus, CheckValue};
use crate::scoring::{Better, grade};
use crate::text::{Msg, num, render, text};

pub(super) fn interface_check(ctx: &Ctx<'_>) -> CheckResult {
    let cfg = &ctx.profile.checks.interface;
    let lang = ctx.lang;
    let check = ctx.check("network.interface", cfg.meta).threshold_text(
        Msg::InterfaceWiFiDbm,
        &[
            ("wifi_signal_pass_dbm", &num(lang, cfg.wifi_signal_pass_dbm)),
            ("wifi_signal_warn_dbm", &num(lang, cfg.wifi_signal_warn_dbm)),
            ("speed_pass_mbps", &num(lang, cfg.speed_pass_mbps)),
            ("speed_warn_mbps", &num(lang, cfg.speed_warn_mbps)),
        ],
    );
    let Some(i) = ctx.net.and_then(|n| n.interface.as_ref()) else {
        return check.unknown(ctx.missing("interface"));
    };
    let kind = match i.kind {
        InterfaceKind::Wired => text(lang, Msg::InterfaceKindWired),
        InterfaceKind::Wifi => "Wi-Fi",
        InterfaceKind::Virtual => text(lang, Msg::InterfaceKindVirtual),
        InterfaceKind::Tunnel => "tunnel (VPN)",
        InterfaceKind::Other => text(lang, Msg::InterfaceKindOther),
    };

    let mut status = CheckStatus::Pass;
    let mut details = Vec::new();
    if let Some(speed) = i.speed_mbps {
        details.push(format!("{speed} Mbit/s"));
        if i.kind != InterfaceKind::Wifi {
            status = status.max(grade(
                f64::from(speed),
                Better::Higher,
                cfg.speed_pass_mbps,
                cfg.speed_warn_mbps,
            ));
        }
    }
    if let Some(dbm) = i.wifi_signal_dbm {
        details.push(format!("{dbm} dBm"));
        status = status.max(grade(
            f64::from(dbm),
            Better::Higher,
            cfg.wifi_signal_pass_dbm,
            cfg.wifi_signal_warn_dbm,
        ));
    }
    let message = render(
        lang,
        Msg::InterfaceKindNameDetails,
        &[
            ("kind", &kind),
            ("name", &i.name),
            ("details", &details.join(", ")),
        ],
    );
    let remediation = if i.kind == InterfaceKind::Wifi {
        ctx.msg(Msg::InterfaceWeakWiFiFix)
    } else {
        ctx.msg(Msg::InterfaceSlowLinkCheckFix)
    };
    check.value(CheckValue::Text(kind.to_owned())).result(
        status,
        message.trim_end().to_owned(),
        Some(remediation),
    )
}
