//! A small W3C WebDriver client over blocking reqwest, driving headless Chromium through
//! Debian's `chromedriver` (package chromium-driver) on loopback: navigate, run a script,
//! find, click and type. Enough for the pages' tests and their benchmark; a crate such as
//! fantoccini would bring an async runtime and a far larger surface for these few calls.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// The W3C key of a web element in a JSON answer.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// `chromedriver` on the PATH or at Debian's location.
pub fn chromedriver_bin() -> Option<PathBuf> {
    crate::wine::on_path("chromedriver")
        .or_else(|| Some(PathBuf::from("/usr/bin/chromedriver")).filter(|p| p.is_file()))
}

/// A running chromedriver and one browser session; both end on drop.
#[derive(Debug)]
pub struct Browser {
    driver: Child,
    base: String,
    session: String,
    http: reqwest::blocking::Client,
    _profile: tempfile::TempDir,
}

/// A found element.
#[derive(Debug, Clone)]
pub struct Element(String);

impl Browser {
    /// Start chromedriver on a free loopback port and open a headless session of `chromium`
    /// (with [`crate::chromium::HEADLESS_FLAGS`] and a fresh profile). `None` when
    /// chromedriver is not installed.
    pub fn start(chromium: &Path) -> Option<Browser> {
        let driver_bin = chromedriver_bin()?;
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free port");
        let mut cmd = Command::new(driver_bin);
        cmd.arg(format!("--port={port}"))
            .arg("--allowed-ips=127.0.0.1")
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        crate::neutral_env(&mut cmd);
        let driver = cmd.spawn().expect("start chromedriver");
        let base = format!("http://127.0.0.1:{port}");
        let http = reqwest::blocking::Client::builder()
            .timeout(Duration::from_secs(60))
            .no_proxy()
            .build()
            .expect("http client");
        let deadline = Instant::now() + Duration::from_secs(20);
        while http.get(format!("{base}/status")).send().is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        let profile = tempfile::tempdir().expect("profile directory");
        let mut args: Vec<String> = crate::chromium::HEADLESS_FLAGS
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        args.push(format!("--user-data-dir={}", profile.path().display()));
        args.push("--window-size=1280,900".into());
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": chromium.to_string_lossy(), "args": args},
        }}});
        let mut b = Browser {
            driver,
            base,
            session: String::new(),
            http,
            _profile: profile,
        };
        let answer = b.call("POST", "/session", &caps);
        b.session = answer["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {answer}"))
            .to_owned();
        Some(b)
    }

    fn call(&self, method: &str, path: &str, body: &Value) -> Value {
        let url = format!("{}{path}", self.base);
        let req = match method {
            "GET" => self.http.get(url),
            "DELETE" => self.http.delete(url),
            _ => self.http.post(url).json(body),
        };
        let resp = req
            .send()
            .unwrap_or_else(|e| panic!("webdriver {path}: {e}"));
        let status = resp.status();
        let v: Value = resp.json().unwrap_or(Value::Null);
        assert!(
            status.is_success(),
            "webdriver {method} {path}: {status} {v}"
        );
        v["value"].clone()
    }

    fn s(&self, rest: &str) -> String {
        format!("/session/{}{rest}", self.session)
    }

    /// Load `url` (returns once the page loaded).
    pub fn goto(&self, url: &str) {
        self.call("POST", &self.s("/url"), &json!({ "url": url }));
    }

    pub fn current_url(&self) -> String {
        self.call("GET", &self.s("/url"), &Value::Null)
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// Run `script` (a function body; `arguments` are `args`) and return its value.
    pub fn eval(&self, script: &str, args: Value) -> Value {
        self.call(
            "POST",
            &self.s("/execute/sync"),
            &json!({ "script": script, "args": args }),
        )
    }

    /// Run `script`, a function body that calls its last argument with the result (W3C
    /// `execute/async`), and return that result.
    pub fn eval_async(&self, script: &str, args: Value) -> Value {
        self.call(
            "POST",
            &self.s("/execute/async"),
            &json!({ "script": script, "args": args }),
        )
    }

    /// Wait (at most `within`) until `condition` (a JS expression) is truthy.
    pub fn wait_for(&self, condition: &str, within: Duration) {
        let deadline = Instant::now() + within;
        let script = format!("return !!({condition});");
        while self.eval(&script, json!([])) != Value::Bool(true) {
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {condition}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The first element matching a CSS selector.
    pub fn find(&self, css: &str) -> Element {
        let v = self.call(
            "POST",
            &self.s("/element"),
            &json!({"using": "css selector", "value": css}),
        );
        Element(
            v[ELEMENT]
                .as_str()
                .unwrap_or_else(|| panic!("no element {css}: {v}"))
                .to_owned(),
        )
    }

    pub fn click(&self, e: &Element) {
        self.call(
            "POST",
            &self.s(&format!("/element/{}/click", e.0)),
            &json!({}),
        );
    }

    /// Type `text` into an element (keys, as a person would).
    pub fn type_into(&self, e: &Element, text: &str) {
        self.call(
            "POST",
            &self.s(&format!("/element/{}/value", e.0)),
            &json!({ "text": text }),
        );
    }

    /// Press keys on whatever has the focus (W3C key actions; `\u{E004}` is Tab,
    /// `\u{E007}` Enter).
    pub fn keys(&self, keys: &str) {
        let mut actions = Vec::new();
        for k in keys.chars() {
            actions.push(json!({"type": "keyDown", "value": k.to_string()}));
            actions.push(json!({"type": "keyUp", "value": k.to_string()}));
        }
        self.call(
            "POST",
            &self.s("/actions"),
            &json!({"actions": [{"type": "key", "id": "keyboard", "actions": actions}]}),
        );
    }

    /// Run `source` in every document loaded from now on, before its own scripts (Chromium's
    /// DevTools `Page.addScriptToEvaluateOnNewDocument`, through chromedriver): to stand in
    /// for a failing network in a test.
    pub fn on_new_document(&self, source: &str) {
        self.call(
            "POST",
            &self.s("/goog/cdp/execute"),
            &json!({"cmd": "Page.addScriptToEvaluateOnNewDocument", "params": {"source": source}}),
        );
    }

    /// The page's text as a person sees it.
    pub fn text(&self, css: &str) -> String {
        self.eval(
            "const e = document.querySelector(arguments[0]); return e ? e.innerText : null;",
            json!([css]),
        )
        .as_str()
        .unwrap_or_default()
        .to_owned()
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            let _ = self
                .http
                .delete(format!("{}/session/{}", self.base, self.session))
                .send();
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}
