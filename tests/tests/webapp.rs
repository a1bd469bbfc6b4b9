//! The département's web app in headless Chromium against a real collector seeded with real
//! reports (three audit rounds of one school, a label and a school name holding HTML): the
//! pages' figures equal the API's, the school page shows the fixes, the history chart has a
//! point per round, data stays text, every page sends the content security policy, an
//! unknown school says so. Screenshots of each page in French and English are written to
//! `$ENT_WEBAPP_SCREENSHOTS` (default: `target/webapp-screenshots/`).

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use std::path::PathBuf;
use std::time::Duration;

use ent_tests::chromium::{chromium_or_skip, dump_dom, screenshot_sized};
use ent_tests::collector::{Collector, admin};
use ent_tests::webdriver::Browser;
use jiff::{SignedDuration, Timestamp};
use readiness::measurements::BrowserInfo;
use readiness::{Profile, Report, Uai};
use serde_json::{Value, json};
use uuid::Uuid;

const MOULIN: &str = "0690101K";
const TILLEULS: &str = "0690102L";
const CIRC: &str = "0690900D";
const IMG: &str = "<img src=x onerror=\"document.body.dataset.pwned=1\">";
const SCRIPT: &str = "<script>document.body.dataset.pwned=2</script>";
const BUDGET: Duration = Duration::from_secs(20);

/// The UAI of the school whose name holds HTML.
fn evil_uai() -> String {
    format!("0690109{}", Uai::check_letter("0690109").unwrap())
}
fn evil_name() -> String {
    format!("École {IMG} {SCRIPT}")
}

/// What is wrong with a seeded PC.
#[derive(Clone, Copy)]
enum Pc {
    Good,
    /// Only Firefox 60: `browser.any` fails (blocking).
    OldBrowser,
    /// 1 GiB of RAM: `system.ram` fails (not blocking).
    LowRam,
    /// Good, with a speed test of this many Mbit/s down.
    Link(f64),
    /// Failing many checks at once: old browser, 1 GiB of RAM, one core, 1 GiB free, a
    /// 32-bit system, Debian 9, a 1 Mbit/s link.
    Many,
}

fn report(school: &str, ws: Uuid, label: &str, days_ago: i64, pc: Pc) -> Report {
    let profile = Profile::default_profile();
    let at =
        Timestamp::now() - SignedDuration::from_hours(24 * days_ago) - SignedDuration::from_mins(5);
    let mut m = readiness::samples::good_pc(&profile, at);
    match pc {
        Pc::Good => {}
        Pc::OldBrowser => {
            m.browsers.as_mut().unwrap().installed = vec![BrowserInfo {
                name: "firefox".into(),
                version: Some("60.0".into()),
                source: "system".into(),
                location: None,
            }];
        }
        Pc::LowRam => m.system.as_mut().unwrap().memory_total_bytes = Some(1 << 30),
        Pc::Link(mbps) => {
            let mut link = readiness::samples::good_link("http://127.0.0.1:1");
            link.download_mbps = Some(mbps);
            m.bandwidth = Some(link);
        }
        Pc::Many => {
            m.browsers.as_mut().unwrap().installed = vec![BrowserInfo {
                name: "firefox".into(),
                version: Some("60.0".into()),
                source: "system".into(),
                location: None,
            }];
            let sys = m.system.as_mut().unwrap();
            sys.memory_total_bytes = Some(1 << 30);
            let cpu = sys.cpu.as_mut().unwrap();
            cpu.logical_cores = 1;
            cpu.physical_cores = Some(1);
            sys.system_disk.as_mut().unwrap().available_bytes = 1 << 30;
            sys.architecture = Some("x86".into());
            let os = sys.os.as_mut().unwrap();
            os.version = Some("9".into());
            os.codename = Some("stretch".into());
            os.debian_version = Some("9.13".into());
            os.name = "Debian GNU/Linux 9 (stretch)".into();
            let mut link = readiness::samples::good_link("http://127.0.0.1:1");
            link.download_mbps = Some(1.0);
            link.upload_mbps = Some(0.2);
            m.bandwidth = Some(link);
        }
    }
    let mut r = readiness::samples::report(&profile, Some(school.parse().unwrap()), ws, m, at);
    r.report_id = Uuid::now_v7();
    r.workstation.label = Some(label.into());
    r
}

/// A collector with the sample directory plus a school whose name holds HTML; reports:
/// Jean Moulin's three PCs over three rounds (14 and 7 days ago, today), two good PCs at
/// Les Tilleuls, the HTML school's two PCs.
struct World {
    _dir: tempfile::TempDir,
    c: Collector,
    read: String,
}

fn world() -> World {
    world_with("")
}

/// The world, with `extra` lines in the directory (schools without reports).
fn world_with(extra: &str) -> World {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("collector.db");
    let mut csv =
        std::fs::read_to_string(ent_tests::workspace_root().join("dist/annuaire-sample.csv"))
            .unwrap();
    csv.push_str(&format!(
        "{};{};Ecole;Public;Villeurbanne;{CIRC};Villeurbanne Nord;069;Rhône;10;Lyon;84;Auvergne-Rhône-Alpes\n",
        evil_uai(),
        evil_name().replace(';', ",")
    ));
    csv.push_str(extra);
    let file = dir.path().join("annuaire.csv");
    std::fs::write(&file, csv).unwrap();
    ent_tests::stdout_of(
        admin(&db).args(["schools", "import"]).arg(&file),
        "schools import",
    );
    let c = Collector::start(&db, &[]);
    let read = c.read_token();
    let post = |school: &str, reports: &[Report]| {
        let token = c.school_token(school);
        for r in reports {
            let (status, body) = c.post_report(Some(&token), serde_json::to_string(r).unwrap());
            assert!(status == 200 || status == 201, "{status} {body}");
        }
    };
    let (a, b, x) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
    post(
        MOULIN,
        &[
            report(MOULIN, a, "Salle 1 poste 1", 14, Pc::Good),
            report(MOULIN, b, "Salle 1 poste 2", 14, Pc::Good),
            report(MOULIN, x, IMG, 14, Pc::Good),
            report(MOULIN, a, "Salle 1 poste 1", 7, Pc::Good),
            report(MOULIN, b, "Salle 1 poste 2", 7, Pc::OldBrowser),
            report(MOULIN, a, "Salle 1 poste 1", 0, Pc::Link(20.0)),
            report(MOULIN, b, "Salle 1 poste 2", 0, Pc::OldBrowser),
            report(MOULIN, x, IMG, 0, Pc::LowRam),
        ],
    );
    post(
        TILLEULS,
        &[
            report(TILLEULS, Uuid::new_v4(), "CM1 poste 1", 0, Pc::Link(80.0)),
            report(TILLEULS, Uuid::new_v4(), "CM1 poste 2", 0, Pc::Good),
        ],
    );
    let evil = evil_uai();
    post(
        &evil,
        &[
            report(&evil, Uuid::new_v4(), SCRIPT, 0, Pc::Good),
            report(&evil, Uuid::new_v4(), "Poste 2", 0, Pc::OldBrowser),
        ],
    );
    World { _dir: dir, c, read }
}

impl World {
    /// A page's URL with the token in the fragment, as a reader would be given it.
    fn page(&self, path: &str) -> String {
        format!("{}{path}#token={}", self.c.url, self.read)
    }
    fn api(&self, path: &str) -> Value {
        let (status, body) = self.c.get(path, Some(&self.read));
        assert_eq!(status, 200, "{path}: {body}");
        body
    }
}

/// Where the screenshots go.
fn shots() -> PathBuf {
    let dir = std::env::var_os("ENT_WEBAPP_SCREENSHOTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| ent_tests::workspace_root().join("target/webapp-screenshots"));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The cells' text of each row of the table of class `class` in a page's DOM.
fn rows(dom: &str, class: &str) -> Vec<Vec<String>> {
    let start = dom
        .find(&format!("<table class=\"{class}\""))
        .unwrap_or_else(|| panic!("no table {class}"));
    let end = start + dom[start..].find("</table>").unwrap();
    let table = &dom[start..end];
    let body = &table[table.find("<tbody>").unwrap()..];
    body.split("<tr>")
        .skip(1)
        .map(|tr| {
            let mut cells = Vec::new();
            let mut rest = tr;
            while let Some(i) = rest.find("<t") {
                let close = if rest[i..].starts_with("<th") {
                    "</th>"
                } else {
                    "</td>"
                };
                let Some(j) = rest[i..].find(close) else {
                    break;
                };
                cells.push(strip(&rest[i..i + j]));
                rest = &rest[i + j + close.len()..];
            }
            cells
        })
        .collect()
}

/// The text of a piece of HTML: tags removed, entities of `<`, `>`, `&` decoded.
fn strip(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for ch in html.chars() {
        match ch {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
        .replace("&nbsp;", " ")
        .trim()
        .to_owned()
}

/// A whole page (a tall window), for a person to look at.
fn shot(chromium: &std::path::Path, url: &str, png: &std::path::Path) {
    screenshot_sized(chromium, url, png, BUDGET, (1280, 2600));
}

/// The habits of accessible pages: a language, a skip link, a caption on every table, a
/// scope on every header cell.
fn assert_accessible(dom: &str) {
    assert!(dom.contains("<html lang=\""));
    assert!(dom.contains("class=\"skip\" href=\"#main\""));
    assert_eq!(
        dom.matches("<table").count(),
        dom.matches("<caption").count(),
        "a table without a caption"
    );
    assert_eq!(
        dom.matches("<th").count() - dom.matches("<thead").count(),
        dom.matches("<th scope=").count(),
        "a header cell without a scope"
    );
}

fn assert_no_script_ran(dom: &str) {
    assert_accessible(dom);
    assert!(!dom.contains("data-pwned"), "a script from the data ran");
    // No element made of the data: the pages make no image, and the labels' <img> and
    // <script> are text.
    let main = &dom[dom.find("<main").unwrap_or(0)..];
    assert!(
        !main.contains("<img") && !main.contains("<script"),
        "an element from the data: {main}"
    );
    assert!(!dom.contains("[object "), "a node shown as text: {dom}");
}

#[test]
fn the_overview_shows_the_apis_figures_in_both_languages() {
    let Some(chromium) = chromium_or_skip() else {
        return;
    };
    let w = world();
    let o = w.api("/api/v1/overview");
    assert_eq!(o["schools"], 9, "{o}");
    let dom = dump_dom(&chromium, &w.page("/"), BUDGET);
    assert!(dom.contains("data-page=\"overview\""), "{dom}");
    assert!(dom.contains("<html lang=\"fr\""));
    // The schools by verdict, as the API counts them.
    let verdicts = rows(&dom, "verdicts");
    assert_eq!(verdicts.len(), 4, "{verdicts:?}");
    for (row, v) in verdicts.iter().zip([
        "ready",
        "ready_with_warnings",
        "not_ready",
        "insufficient_data",
    ]) {
        assert_eq!(row[1], o["school_verdicts"][v].to_string(), "{v}: {row:?}");
    }
    assert_eq!(verdicts[0][0].trim_start_matches('✔').trim(), "Prête");
    // The top blockers, with schools and workstations.
    let blockers = rows(&dom, "blockers");
    let first = &o["top_blockers"][0];
    assert_eq!(first["check"], "browser.any");
    assert_eq!(blockers[0][0], first["title"].as_str().unwrap());
    assert_eq!(blockers[0][2], first["schools"].to_string());
    assert_eq!(blockers[0][3], first["workstations"].to_string());
    // The link grades: Les Tilleuls passes (80 / 25), Jean Moulin warns (20 / 25).
    let grades = rows(&dom, "link-grades");
    assert_eq!(grades.len(), 4, "{grades:?}");
    for (row, g) in grades.iter().zip(["pass", "warn", "fail", "unmeasured"]) {
        assert_eq!(row[1], o["link"][g].to_string(), "{g}: {row:?}");
    }
    assert_eq!(
        (o["link"]["pass"].as_u64(), o["link"]["warn"].as_u64()),
        (Some(1), Some(1)),
        "{o}"
    );
    // Workstations audited and stale.
    assert!(
        dom.contains(&format!(
            "<span class=\"kpi-value\">{}</span><span class=\"kpi-label\">Postes audités",
            o["workstations"]["audited"]
        )),
        "{dom}"
    );
    // The changes since the last round: Jean Moulin's browser failed at its last round.
    assert!(dom.contains("data-changes=\"loaded\""), "{dom}");
    let newly = rows(&dom, "newly-failing");
    assert!(
        newly
            .iter()
            .any(|r| r[0].contains("RAM") || r[0].contains("mémoire") || r[0].contains("Mémoire")),
        "{newly:?}"
    );
    assert_no_script_ran(&dom);

    let en = dump_dom(&chromium, &w.page("/?lang=en"), BUDGET);
    assert!(en.contains("<html lang=\"en\""));
    assert!(
        en.contains("Top blockers") && en.contains("Workstations audited"),
        "{en}"
    );
    let o_en = w.api("/api/v1/overview?lang=en");
    assert!(en.contains(o_en["top_blockers"][0]["title"].as_str().unwrap()));

    let dir = shots();
    shot(&chromium, &w.page("/"), &dir.join("overview-fr.png"));
    shot(
        &chromium,
        &w.page("/?lang=en"),
        &dir.join("overview-en.png"),
    );
}

#[test]
fn the_school_page_shows_fixes_labels_and_one_chart_point_per_round() {
    let Some(chromium) = chromium_or_skip() else {
        return;
    };
    let w = world();
    let detail = w.api(&format!("/api/v1/schools/{MOULIN}"));
    let poste2 = detail["workstations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["label"] == "Salle 1 poste 2")
        .unwrap();
    let browser = poste2["problems"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["check"] == "browser.any")
        .unwrap();
    let fix = browser["fix"].as_str().expect("the fix text in the detail");
    assert!(
        browser["threshold"].is_string() && !browser["title"].as_str().unwrap().is_empty(),
        "{browser}"
    );
    let history = w.api(&format!("/api/v1/schools/{MOULIN}/history"));
    let rounds = history["rounds"].as_array().unwrap().len();
    assert_eq!(rounds, 3, "{history}");

    let dom = dump_dom(&chromium, &w.page(&format!("/ecoles/{MOULIN}")), BUDGET);
    assert!(dom.contains("data-page=\"school\""), "{dom}");
    assert!(dom.contains("Salle 1 poste 2"));
    assert!(
        dom.contains(&html_text(fix)),
        "the fix text {fix:?} is not on the page"
    );
    assert!(dom.contains(&format!("data-points=\"{rounds}\"")));
    assert_eq!(dom.matches("data-series=\"line-ready\"").count(), rounds);
    assert_eq!(dom.matches("data-series=\"line-score\"").count(), rounds);
    // The label holding HTML is text.
    assert!(
        dom.contains(&html_text(IMG)),
        "the label is not shown as text"
    );
    assert!(!dom.contains("<img src=\"x\""));
    assert_no_script_ran(&dom);

    let en = dump_dom(
        &chromium,
        &w.page(&format!("/ecoles/{MOULIN}?lang=en")),
        BUDGET,
    );
    let fix_en = w.api(&format!("/api/v1/schools/{MOULIN}?lang=en"))["workstations"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|x| x["problems"].as_array().unwrap().clone())
        .find(|p| p["check"] == "browser.any")
        .unwrap()["fix"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ne!(fix_en, fix, "the fix is in the page's language");
    assert!(en.contains(&html_text(&fix_en)));

    let sheet = dump_dom(
        &chromium,
        &w.page(&format!("/ecoles/{MOULIN}/fiche")),
        BUDGET,
    );
    assert!(sheet.contains("data-page=\"sheet\""), "{sheet}");
    assert!(sheet.contains(&html_text(fix)) && sheet.contains("Salle 1 poste 2"));
    assert_no_script_ran(&sheet);

    // The sheet prints on one or two A4 pages.
    let dir = shots();
    let pages = ent_tests::chromium::print_to_pdf(
        &chromium,
        &w.page(&format!("/ecoles/{MOULIN}/fiche")),
        &dir.join("sheet-fr.pdf"),
        BUDGET,
    );
    assert!(
        (1..=2).contains(&pages),
        "the sheet prints on {pages} pages"
    );
    for (path, name) in [
        (format!("/ecoles/{MOULIN}"), "school"),
        (format!("/ecoles/{MOULIN}/fiche"), "sheet"),
        (format!("/circonscriptions/{CIRC}"), "circonscription"),
    ] {
        shot(
            &chromium,
            &w.page(&path),
            &dir.join(format!("{name}-fr.png")),
        );
        shot(
            &chromium,
            &w.page(&format!("{path}?lang=en")),
            &dir.join(format!("{name}-en.png")),
        );
    }
}

/// How Chromium serialises a text node holding `s`.
fn html_text(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('\u{a0}', "&nbsp;")
}

#[test]
fn names_and_labels_holding_html_stay_text_everywhere() {
    let Some(chromium) = chromium_or_skip() else {
        return;
    };
    let w = world();
    let evil = evil_uai();
    for path in [
        "/".to_owned(),
        format!("/circonscriptions/{CIRC}"),
        "/ecoles?q=script".to_owned(),
        format!("/ecoles/{evil}"),
        format!("/ecoles/{evil}/fiche"),
    ] {
        let dom = dump_dom(&chromium, &w.page(&path), BUDGET);
        assert!(dom.contains("data-render-ms"), "{path}: {dom}");
        assert_no_script_ran(&dom);
        assert!(
            !dom.contains("<img src=\"x\"") && !dom.contains("<script>document"),
            "{path}"
        );
        if path != "/" {
            assert!(
                dom.contains(&html_text(&evil_name())),
                "{path}: the name is not text"
            );
        }
    }
    let dom = dump_dom(&chromium, &w.page(&format!("/ecoles/{evil}")), BUDGET);
    assert!(dom.contains(&html_text(SCRIPT)));
}

#[test]
fn every_page_sends_the_csp_and_holds_no_data() {
    let w = world();
    let http = Collector::http();
    for path in [
        "/",
        "/ecoles",
        &format!("/ecoles/{MOULIN}"),
        &format!("/ecoles/{MOULIN}/fiche"),
        &format!("/circonscriptions/{CIRC}"),
        "/assets/app.js",
        "/assets/app.css",
        "/assets/icon.svg",
    ] {
        let resp = http.get(format!("{}{path}", w.c.url)).send().unwrap();
        assert_eq!(resp.status().as_u16(), 200, "{path}");
        let csp = resp.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .to_owned();
        for directive in [
            "default-src 'none'",
            "script-src 'self'",
            "style-src 'self'",
            "connect-src 'self'",
            "frame-ancestors 'none'",
            "base-uri 'none'",
        ] {
            assert!(csp.contains(directive), "{path}: {csp}");
        }
        assert!(
            !csp.contains("unsafe-inline") && !csp.contains("http"),
            "{path}: {csp}"
        );
        assert_eq!(resp.headers()["x-content-type-options"], "nosniff");
        let body = resp.text().unwrap();
        assert!(
            !body.contains("Jean Moulin") && !body.contains(MOULIN),
            "{path} holds data"
        );
        if path.starts_with("/ecoles") || path == "/" {
            // No inline script, no inline style: the shell only names its assets.
            assert!(
                !body.contains("<script>") && !body.contains("style="),
                "{path}"
            );
        }
    }
    // The script reads the API with the bearer header and walks the lists' pages.
    let js = http
        .get(format!("{}/assets/app.js", w.c.url))
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(
        js.contains("Authorization") && js.contains("next_cursor") && js.contains("replaceState")
    );
    assert!(
        !js.contains("innerHTML"),
        "data must never go through innerHTML"
    );
}

#[test]
fn an_unknown_school_says_not_found() {
    let Some(chromium) = chromium_or_skip() else {
        return;
    };
    let w = world();
    let unknown = format!("0691234{}", Uai::check_letter("0691234").unwrap());
    let dom = dump_dom(&chromium, &w.page(&format!("/ecoles/{unknown}")), BUDGET);
    assert!(dom.contains("data-page=\"not-found\""), "{dom}");
    assert!(
        dom.contains("École introuvable") && dom.contains(&unknown),
        "{dom}"
    );
    let dom = dump_dom(&chromium, &w.page("/ecoles/nonsense?lang=en"), BUDGET);
    assert!(
        dom.contains("School not found") && dom.contains("not valid"),
        "{dom}"
    );
    let dom = dump_dom(&chromium, &w.page("/circonscriptions/NOPE"), BUDGET);
    assert!(dom.contains("Circonscription introuvable"), "{dom}");
}

#[test]
fn sign_in_filters_sort_and_keyboard_in_a_real_browser() {
    let Some(chromium) = chromium_or_skip() else {
        return;
    };
    let w = world();
    let Some(b) = Browser::start(&chromium) else {
        assert!(
            std::env::var_os("CI").is_none(),
            "chromedriver is not installed"
        );
        eprintln!("skipped: chromedriver is not installed");
        return;
    };
    // Without a token: the sign-in form; a wrong token is refused, the right one opens.
    b.goto(&format!("{}/ecoles", w.c.url));
    b.wait_for("document.documentElement.dataset.page === 'signin'", BUDGET);
    b.type_into(&b.find("#token"), "entr_wrong");
    b.keys("\u{E007}");
    b.wait_for("document.querySelector('.alert[role=alert]')", BUDGET);
    let input = b.find("#token");
    b.type_into(&input, &w.read);
    b.click(&b.find("form.signin button[type=submit]"));
    b.wait_for(
        "document.documentElement.dataset.page === 'schools'",
        BUDGET,
    );
    assert!(
        b.text("main").contains("9 écoles sur 9"),
        "{}",
        b.text("main")
    );
    // The token is in the tab's storage, never in the URL.
    assert!(!b.current_url().contains("entr_"));
    // The fragment form: the page removes it at once. It is read when a page loads only
    // (not on 'hashchange'): leave the page first, or the same-document navigation to
    // /ecoles#token= would not load it.
    b.goto("about:blank");
    b.goto(&w.page("/ecoles"));
    b.wait_for(
        "document.documentElement.dataset.page === 'schools'",
        BUDGET,
    );
    assert!(!b.current_url().contains("token"), "{}", b.current_url());
    // Filter by verdict, then search: the URL says so (shareable).
    b.eval("const s = document.getElementById('f-verdict'); s.value = 'not_ready'; s.dispatchEvent(new Event('change'));", json!([]));
    let not_ready = w.api("/api/v1/schools?verdict=not_ready")["schools"]
        .as_array()
        .unwrap()
        .len();
    assert!(
        b.text(".status")
            .starts_with(&format!("{not_ready} écoles")),
        "{}",
        b.text(".status")
    );
    assert!(b.current_url().contains("verdict=not_ready"));
    // The CSV export holds the rows on screen: the filtered schools, names as plain text.
    b.eval(
        "window.__csv = []; const make = URL.createObjectURL; \
         URL.createObjectURL = (blob) => { window.__csv.push(blob); return make(blob); };",
        json!([]),
    );
    b.click(&b.find(".bar button"));
    let csv = b.eval_async(
        "const done = arguments[arguments.length - 1]; window.__csv[0].text().then(done);",
        json!([]),
    );
    let csv = csv.as_str().unwrap().trim_start_matches('\u{feff}');
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), not_ready + 1, "{csv}");
    // Every cell quoted (a spreadsheet splitting at ',' finds no formula either).
    assert!(lines[0].starts_with("\"uai\";\"nom\";\"commune\""), "{csv}");
    assert!(
        lines[1..].iter().all(|l| l.contains(";\"not_ready\";")),
        "{csv}"
    );
    assert!(
        csv.contains(&evil_uai()) && csv.contains("<script>"),
        "{csv}"
    );
    b.eval("const s = document.getElementById('f-verdict'); s.value = ''; s.dispatchEvent(new Event('change'));", json!([]));
    b.type_into(&b.find("#f-q"), "tilleuls");
    b.wait_for(
        "document.querySelector('.status').textContent.startsWith('1 ')",
        BUDGET,
    );
    assert!(b.text("table.schools tbody").contains("Les Tilleuls"));
    // Sort with the keyboard: focus the UAI header's button, press Enter twice (descending).
    b.eval("document.getElementById('f-q').value=''; document.getElementById('f-q').dispatchEvent(new Event('input'));", json!([]));
    b.wait_for(
        "document.querySelector('.status').textContent.startsWith('9 ')",
        BUDGET,
    );
    b.eval(
        "document.querySelector('th[data-key=uai] button').focus()",
        json!([]),
    );
    b.keys("\u{E007}");
    b.wait_for(
        "document.querySelector('th[data-key=uai]').getAttribute('aria-sort') === 'ascending'",
        BUDGET,
    );
    b.keys("\u{E007}");
    b.wait_for(
        "document.querySelector('th[data-key=uai]').getAttribute('aria-sort') === 'descending'",
        BUDGET,
    );
    let first = b.text("table.schools tbody tr td");
    assert_eq!(first, evil_uai(), "the highest UAI first");
    // The focus stays visible on the header's button.
    let focused = b.eval("return document.activeElement.closest('th') && document.activeElement.closest('th').dataset.key", json!([]));
    assert_eq!(focused, "uai");
    // The skip link is the first thing Tab reaches.
    b.goto(&format!("{}/?lang=en", w.c.url));
    b.wait_for(
        "document.documentElement.dataset.page === 'overview'",
        BUDGET,
    );
    b.eval("document.activeElement.blur(); window.focus();", json!([]));
    b.keys("\u{E004}");
    let active = b.eval("return document.activeElement.className", json!([]));
    assert_eq!(active, "skip");
}

#[test]
fn the_overview_endpoints_need_a_read_token_and_check_their_query() {
    let w = world();
    let school = w.c.school_token(MOULIN);
    for path in ["/api/v1/overview", "/api/v1/overview/changes"] {
        assert_eq!(w.c.get(path, None).0, 401, "{path}");
        assert_eq!(w.c.get(path, Some(&school)).0, 403, "{path}");
        for bad in [
            "?lang=de",
            "?circonscription=",
            "?nope=1",
            "?lang=en&lang=fr",
        ] {
            let (status, body) = w.c.get(&format!("{path}{bad}"), Some(&w.read));
            assert_eq!(status, 400, "{path}{bad}: {body}");
            assert_eq!(body["code"], "invalid_query", "{path}{bad}: {body}");
        }
    }
    let (status, body) =
        w.c.get("/api/v1/overview?circonscription=NOPE", Some(&w.read));
    assert_eq!(
        (status, body["code"].as_str()),
        (404, Some("unknown_circonscription"))
    );
    // One circonscription's overview counts its schools only.
    let circ = w.api(&format!("/api/v1/overview?circonscription={CIRC}"));
    let listed = w.api(&format!("/api/v1/schools?circonscription={CIRC}"));
    assert_eq!(circ["schools"], listed["page"]["total"]);
    assert_eq!(circ["circonscription"]["code"], CIRC);
    // The changes: Jean Moulin's RAM failed at its last round, on one school.
    let changes = w.api(&format!("/api/v1/overview/changes?circonscription={CIRC}"));
    assert_eq!(changes["schools_compared"], 1, "{changes}");
    assert_eq!(
        changes["newly_failing"],
        json!([{"check": "system.ram", "title": readiness::scoring::check_title("system.ram", readiness::Lang::Fr), "schools": 1}]),
        "{changes}"
    );
    // A bad language on the school's detail and history too.
    for path in [
        format!("/api/v1/schools/{MOULIN}?lang=xx"),
        format!("/api/v1/schools/{MOULIN}/history?lang=xx"),
    ] {
        assert_eq!(w.c.get(&path, Some(&w.read)).0, 400, "{path}");
    }
}

/// A circonscription's token (an IEN's) sees its schools only, in the pages and in the
/// API: another circonscription's school is "not found" on its page and `404` in the API,
/// the same as a school nobody knows; the overview counts the circonscription's schools.
#[test]
fn a_circonscription_token_sees_its_schools_only_in_the_pages_and_the_api() {
    let Some(chromium) = chromium_or_skip() else {
        return;
    };
    let w = world();
    // Monts du Lyonnais: three schools of the directory, none of those that reported.
    let ien =
        w.c.token(&["--read", "--scope", "circonscription:0690901E"]);
    let page = |path: &str| format!("{}{path}#token={ien}", w.c.url);

    // The API: Jean Moulin (Villeurbanne Nord) is unknown to this token, as is a UAI that
    // no school has; the overview and the changes are the circonscription's.
    let unknown = format!("0691234{}", Uai::check_letter("0691234").unwrap());
    let (status, outside) = w.c.get(&format!("/api/v1/schools/{MOULIN}"), Some(&ien));
    assert_eq!(status, 404, "{outside}");
    let (_, nobody) = w.c.get(&format!("/api/v1/schools/{unknown}"), Some(&ien));
    assert_eq!(
        outside["code"], nobody["code"],
        "{outside} differs from {nobody}"
    );
    let (status, overview) = w.c.get("/api/v1/overview", Some(&ien));
    assert_eq!(status, 200, "{overview}");
    assert_eq!(overview["schools"], 3, "{overview}");
    let (status, other) = w.c.get(
        &format!("/api/v1/overview?circonscription={CIRC}"),
        Some(&ien),
    );
    assert_eq!(status, 404, "{other}");
    assert_eq!(other["code"], "unknown_circonscription");
    let (status, changes) = w.c.get("/api/v1/overview/changes", Some(&ien));
    assert_eq!(status, 200, "{changes}");
    assert_eq!(changes["schools_compared"], 0, "{changes}");
    let all = w.api("/api/v1/overview");
    assert!(all["schools"].as_u64().unwrap() > 3, "{all}");

    // The pages.
    let dom = dump_dom(&chromium, &page(&format!("/ecoles/{MOULIN}")), BUDGET);
    assert!(dom.contains("data-page=\"not-found\""), "{dom}");
    assert!(!dom.contains("Salle 1 poste"), "{dom}");
    let dom = dump_dom(&chromium, &page("/"), BUDGET);
    assert!(dom.contains("Monts du Lyonnais"), "{dom}");
    assert!(
        !dom.contains("Villeurbanne Nord") && !dom.contains("Jean Moulin"),
        "{dom}"
    );
    let dom = dump_dom(&chromium, &page("/ecoles"), BUDGET);
    assert!(
        dom.contains("Marie Curie") && !dom.contains("Jean Moulin"),
        "{dom}"
    );
}

/// How the page writes a round's date (YYYY-MM-DD) in French: "1 déc. 2026".
fn french_day(date: &str) -> String {
    let d: jiff::civil::Date = date.parse().unwrap();
    let months = [
        "janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.",
        "déc.",
    ];
    format!(
        "{} {} {}",
        d.day(),
        months[usize::try_from(d.month() - 1).unwrap()],
        d.year()
    )
}

const PERGAUD: &str = "0690103M";
const BOURG: &str = "0690104N";
const COLLINES: &str = "0690105P";
const PETIT_PRINCE: &str = "0690107S";
const FERRY: &str = "0690108T";

/// Every failing check is counted, not each school's top five: a school whose PCs fail more
/// than five checks has its sixth in the overview and in the list's blocker filter. The
/// changes between rounds: a school that got better or worse is listed with its round's
/// date; a round of one PC (too few for a verdict) compares with nothing; a late report
/// dated before a school's latest changes its rounds.
#[test]
fn every_failing_check_counts_and_the_changes_name_schools_with_their_round() {
    let Some(chromium) = chromium_or_skip() else {
        return;
    };
    let w = world();
    let post = |school: &str, reports: &[Report]| {
        let token = w.c.school_token(school);
        for r in reports {
            let (status, body) =
                w.c.post_report(Some(&token), serde_json::to_string(r).unwrap());
            assert!(status == 200 || status == 201, "{status} {body}");
        }
    };
    let two = || (Uuid::new_v4(), Uuid::new_v4());
    // Louis Pergaud: two PCs failing many checks.
    let (a, b) = two();
    post(
        PERGAUD,
        &[
            report(PERGAUD, a, "P1", 0, Pc::Many),
            report(PERGAUD, b, "P2", 0, Pc::Many),
        ],
    );
    // Jules Ferry got better; Le Petit Prince worse; du Bourg had one PC run again today.
    let (a, b) = two();
    post(
        FERRY,
        &[
            report(FERRY, a, "F1", 7, Pc::OldBrowser),
            report(FERRY, b, "F2", 7, Pc::OldBrowser),
            report(FERRY, a, "F1", 0, Pc::Good),
            report(FERRY, b, "F2", 0, Pc::Good),
        ],
    );
    let (a, b) = two();
    post(
        PETIT_PRINCE,
        &[
            report(PETIT_PRINCE, a, "PP1", 7, Pc::Good),
            report(PETIT_PRINCE, b, "PP2", 7, Pc::Good),
            report(PETIT_PRINCE, a, "PP1", 0, Pc::OldBrowser),
            report(PETIT_PRINCE, b, "PP2", 0, Pc::OldBrowser),
        ],
    );
    let (a, b) = two();
    post(
        BOURG,
        &[
            report(BOURG, a, "B1", 7, Pc::Good),
            report(BOURG, b, "B2", 7, Pc::Good),
            report(BOURG, a, "B1", 0, Pc::Good),
        ],
    );
    // Les Collines: ready 9 and 2 days ago (no change), until late reports come.
    let (ca, cb) = two();
    post(
        COLLINES,
        &[
            report(COLLINES, ca, "C1", 9, Pc::Good),
            report(COLLINES, cb, "C2", 9, Pc::Good),
            report(COLLINES, ca, "C1", 2, Pc::Good),
            report(COLLINES, cb, "C2", 2, Pc::Good),
        ],
    );

    // 1. Pergaud's checks beyond its top five are counted in the overview.
    let detail = w.api(&format!("/api/v1/schools/{PERGAUD}"));
    let top: Vec<&str> = detail["school"]["top_blockers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["check"].as_str().unwrap())
        .collect();
    assert_eq!(top.len(), 5, "{detail}");
    let mut failing: Vec<String> = detail["workstations"][0]["problems"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["status"] == "fail")
        .map(|p| p["check"].as_str().unwrap().to_owned())
        .collect();
    failing.sort();
    let beyond: Vec<&String> = failing
        .iter()
        .filter(|c| !top.contains(&c.as_str()))
        .collect();
    assert!(
        !beyond.is_empty(),
        "more than five failing checks: {failing:?}"
    );
    let o = w.api("/api/v1/overview");
    let counted: Vec<&str> = o["top_blockers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["check"].as_str().unwrap())
        .collect();
    for c in &beyond {
        assert!(counted.contains(&c.as_str()), "{c} not counted: {o}");
    }
    let sixth = beyond[0];
    let found = o["top_blockers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["check"] == sixth.as_str())
        .unwrap();
    assert_eq!(
        (found["schools"].as_u64(), found["workstations"].as_u64()),
        (Some(1), Some(2))
    );
    // The list's blocker filter finds the school by that check.
    let dom = dump_dom(
        &chromium,
        &w.page(&format!("/ecoles?blocker={sixth}")),
        BUDGET,
    );
    let listed = rows(&dom, "schools");
    assert_eq!(listed.len(), 1, "{sixth}: {listed:?}");
    assert!(listed[0][0].contains("Louis Pergaud"), "{listed:?}");

    // 2. The changes: Ferry improved, Petit Prince worsened, today's round; du Bourg's
    // round of one PC compares with nothing.
    let changes = w.api("/api/v1/overview/changes");
    let uais = |list: &Value| -> Vec<String> {
        list.as_array()
            .unwrap()
            .iter()
            .map(|x| x["uai"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(uais(&changes["improved"]), [FERRY], "{changes}");
    assert_eq!(uais(&changes["worsened"]), [PETIT_PRINCE], "{changes}");
    // Late reports dated 5 days ago (before Collines' latest, 2 days ago): its last two
    // rounds are now 5 days ago (not ready) and 2 days ago (ready).
    post(
        COLLINES,
        &[
            report(COLLINES, ca, "C1", 5, Pc::OldBrowser),
            report(COLLINES, cb, "C2", 5, Pc::OldBrowser),
        ],
    );
    let changes = w.api("/api/v1/overview/changes");
    let mut improved = uais(&changes["improved"]);
    improved.sort();
    assert_eq!(
        improved,
        [COLLINES, FERRY],
        "the late reports were read: {changes}"
    );
    assert_eq!(uais(&changes["worsened"]), [PETIT_PRINCE], "{changes}");
    let date_of = |uai: &str| -> String {
        ["improved", "worsened"]
            .iter()
            .flat_map(|k| changes[*k].as_array().unwrap().clone())
            .find(|x| x["uai"] == uai)
            .unwrap()["date"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let dom = dump_dom(&chromium, &w.page("/"), BUDGET);
    assert!(dom.contains("data-changes=\"loaded\""), "{dom}");
    let improved_rows = rows(&dom, "improved");
    let worsened_rows = rows(&dom, "worsened");
    assert_eq!(
        (improved_rows.len(), worsened_rows.len()),
        (2, 1),
        "{improved_rows:?} {worsened_rows:?}"
    );
    for (rows, uai, name) in [
        (&improved_rows, FERRY, "Jules Ferry"),
        (&improved_rows, COLLINES, "Les Collines"),
        (&worsened_rows, PETIT_PRINCE, "Le Petit Prince"),
    ] {
        let row = rows
            .iter()
            .find(|r| r[0].contains(name))
            .unwrap_or_else(|| panic!("{name}: {rows:?}"));
        assert_eq!(row[1], french_day(&date_of(uai)), "{row:?}");
    }
    assert!(improved_rows.iter().all(|r| !r[0].contains("du Bourg")));
    assert!(worsened_rows.iter().all(|r| !r[0].contains("du Bourg")));
    assert_no_script_ran(&dom);
    shot(
        &chromium,
        &w.page("/"),
        &shots().join("overview-changes-fr.png"),
    );
}

/// The school page shows the browser probe's devices (tablets) apart.
#[test]
fn the_school_page_shows_its_browser_probe_devices_apart() {
    let Some(chromium) = chromium_or_skip() else {
        return;
    };
    let w = world();
    let db = w._dir.path().join("collector.db");
    let link = ent_tests::browser_probe::probe_link(&db, TILLEULS, &format!("{}/", w.c.url), &[]);
    let code = link.rsplit('/').next().unwrap().to_owned();
    let submission = json!({
        "device_id": "tablet-0001",
        "lang": "fr",
        "user_agent": "Mozilla/5.0 (iPad; CPU OS 15_8 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/15.6 Mobile/15E148 Safari/604.1",
        "max_touch_points": 5,
        "screen_width": 1024,
        "screen_height": 768,
        "hardware_concurrency": 4,
        "duration_s": 3.0,
        "idle_latency_ms": [2.0, 2.5, 2.1],
        "endpoints": []
    });
    let resp = ent_tests::collector::Collector::http()
        .post(format!("{}/api/v1/probe/reports", w.c.url))
        .bearer_auth(&code)
        .json(&submission)
        .send()
        .unwrap();
    let status = resp.status().as_u16();
    assert!(
        status == 200 || status == 201,
        "{status} {}",
        resp.text().unwrap()
    );
    let detail = w.api(&format!("/api/v1/schools/{TILLEULS}"));
    assert_eq!(
        detail["school"]["browser_devices"]["devices"], 1,
        "{detail}"
    );
    let dom = dump_dom(&chromium, &w.page(&format!("/ecoles/{TILLEULS}")), BUDGET);
    assert!(dom.contains("data-page=\"school\""), "{dom}");
    assert!(
        dom.contains("Tablettes et autres appareils (sonde navigateur)"),
        "{dom}"
    );
    let devices = rows(&dom, "browser-devices");
    assert_eq!(devices.len(), 4, "{devices:?}");
    let total: u64 = devices.iter().map(|r| r[1].parse::<u64>().unwrap()).sum();
    assert_eq!(total, 1, "{devices:?}");
    // The tablet is listed there, not among the workstations.
    let device = detail["workstations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["browser"] == true)
        .expect("the device in the detail");
    let name = device["label"].as_str().map_or_else(
        || device["workstation_id"].as_str().unwrap()[..8].to_owned(),
        str::to_owned,
    );
    let listed = rows(&dom, "devices-list");
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert!(listed[0][0].contains(&name), "{listed:?}");
    let agents = rows(&dom, "workstations");
    assert_eq!(agents.len(), 2, "{agents:?}");
    assert!(agents.iter().all(|r| !r[0].contains(&name)), "{agents:?}");
    assert_accessible(&dom);
    // A school without such devices has no such section.
    let moulin = dump_dom(&chromium, &w.page(&format!("/ecoles/{MOULIN}")), BUDGET);
    assert!(!moulin.contains("sonde navigateur"), "{moulin}");
    let dir = shots();
    shot(
        &chromium,
        &w.page(&format!("/ecoles/{TILLEULS}")),
        &dir.join("school-devices-fr.png"),
    );
}

/// The keyboard: after signing in the focus is on the page's heading; the pager's button
/// pressed with Enter keeps the focus; the schools table's scrolling box is reachable; the
/// open tab does not take a token from a changed fragment; the changes' section says it is
/// no longer busy when its request fails.
#[test]
fn the_keyboard_keeps_its_place_and_the_tab_its_token() {
    let Some(chromium) = chromium_or_skip() else {
        return;
    };
    // 100 more schools in the directory: three pages of 50.
    let mut extra = String::new();
    for n in 0..100 {
        let code = format!("0693{n:03}");
        extra.push_str(&format!(
            "{code}{};École {n};Ecole;Public;Lyon;{CIRC};Villeurbanne Nord;069;Rhône;10;Lyon;84;Auvergne-Rhône-Alpes\n",
            Uai::check_letter(&code).unwrap()
        ));
    }
    let w = world_with(&extra);
    let Some(b) = Browser::start(&chromium) else {
        assert!(
            std::env::var_os("CI").is_none(),
            "chromedriver is not installed"
        );
        eprintln!("skipped: chromedriver is not installed");
        return;
    };
    b.goto(&format!("{}/ecoles", w.c.url));
    b.wait_for("document.documentElement.dataset.page === 'signin'", BUDGET);
    b.type_into(&b.find("#token"), &w.read);
    b.keys("\u{E007}");
    b.wait_for(
        "document.documentElement.dataset.page === 'schools'",
        BUDGET,
    );
    assert_eq!(
        b.eval("return document.activeElement.tagName", json!([])),
        "H1",
        "the focus after signing in"
    );
    // The table's scrolling box: a named region in the tab order.
    let region = b.eval(
        "const s = document.querySelector('table.schools').parentElement; \
         return [s.className, s.getAttribute('tabindex'), s.getAttribute('role'), s.getAttribute('aria-label') || ''];",
        json!([]),
    );
    assert_eq!(region[0], "scroll", "{region}");
    assert_eq!(
        (region[1].as_str(), region[2].as_str()),
        (Some("0"), Some("region")),
        "{region}"
    );
    assert!(!region[3].as_str().unwrap().is_empty(), "{region}");
    // Next page with the keyboard: the focus stays on the button.
    assert!(
        b.text(".pager").contains("Page 1 sur 3"),
        "{}",
        b.text(".pager")
    );
    b.eval(
        "document.querySelectorAll('.pager button')[1].focus()",
        json!([]),
    );
    b.keys("\u{E007}");
    b.wait_for(
        "document.querySelector('.pager').textContent.includes('Page 2 sur 3')",
        BUDGET,
    );
    let on_next = "const p = document.querySelectorAll('.pager button'); return document.activeElement === p[1];";
    assert_eq!(
        b.eval(on_next, json!([])),
        true,
        "the focus left the button"
    );
    b.keys("\u{E007}");
    b.wait_for(
        "document.querySelector('.pager').textContent.includes('Page 3 sur 3')",
        BUDGET,
    );
    // The last page: "next" is disabled and the focus goes to "previous".
    let on_prev = "const p = document.querySelectorAll('.pager button'); return document.activeElement === p[0] && p[1].disabled;";
    assert_eq!(b.eval(on_prev, json!([])), true);
    assert_eq!(
        b.eval(
            "return document.querySelectorAll('table.schools tbody tr').length",
            json!([])
        ),
        9,
        "109 schools: 9 on the last page"
    );
    // A changed fragment does not sign the open tab in with another token.
    let kept = b.eval_async(
        "const done = arguments[arguments.length - 1]; \
         window.addEventListener('hashchange', () => setTimeout(() => done(sessionStorage.getItem('ent-readiness-read-token')), 300), { once: true }); \
         location.hash = '#token=entr_someone_else';",
        json!([]),
    );
    assert_eq!(kept.as_str(), Some(w.read.as_str()));
    assert_eq!(
        b.eval("return document.documentElement.dataset.page", json!([])),
        "schools"
    );
    // The changes' request fails: its section is no longer busy.
    b.on_new_document(
        "const f = window.fetch; window.fetch = (u, o) => String(u).includes('/overview/changes') \
         ? Promise.resolve(new Response('{\"code\":\"internal\",\"message\":\"boom\"}', { status: 500, headers: { 'content-type': 'application/json' } })) \
         : f(u, o);",
    );
    b.goto(&format!("{}/", w.c.url));
    b.wait_for("document.querySelector('#changes .alert')", BUDGET);
    assert_eq!(
        b.eval(
            "return document.getElementById('changes').getAttribute('aria-busy')",
            json!([])
        ),
        "false"
    );
}
