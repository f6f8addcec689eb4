//! Headless Chromium driven through WebDriver (Debian's `chromium` and `chromium-driver`;
//! `scripts/test` installs them), for tests that do what a person does in a browser.

use fantoccini::{Client, ClientBuilder, Locator};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A chromedriver and one browser session on it; both end when dropped (call `close` first
/// to end the session cleanly).
pub struct Browser {
    pub client: Client,
    driver: Child,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

impl Browser {
    /// Starts chromedriver and a headless Chromium whose window is `width` x `height`.
    pub async fn start(width: u32, height: u32) -> Browser {
        Self::launch(serde_json::json!({
            "args": Self::args(&[format!("--window-size={width},{height}")]),
        }))
        .await
    }

    /// A phone's screen, `width` CSS pixels wide: Chromium's device emulation (a headless
    /// window cannot be narrower than 500 px).
    pub async fn phone(width: u32, height: u32) -> Browser {
        Self::launch(serde_json::json!({
            "args": Self::args(&[]),
            "mobileEmulation": {
                "deviceMetrics": { "width": width, "height": height, "pixelRatio": 1.0, "touch": true }
            },
        }))
        .await
    }

    fn args(more: &[String]) -> Vec<String> {
        let mut args: Vec<String> = [
            "--headless=new",
            // Tests run as root in containers, where Chromium's sandbox cannot start.
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--hide-scrollbars",
        ]
        .map(String::from)
        .to_vec();
        args.extend_from_slice(more);
        args
    }

    async fn launch(chrome_options: serde_json::Value) -> Browser {
        let port = free_port();
        let driver = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver runs (apt-get install chromium chromium-driver)");
        let deadline = Instant::now() + Duration::from_secs(30);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not listen");
            std::thread::sleep(Duration::from_millis(50));
        }
        let mut capabilities = serde_json::Map::new();
        capabilities.insert("goog:chromeOptions".into(), chrome_options);
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let client = ClientBuilder::new(connector)
            .capabilities(capabilities)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .expect("a browser session");
        Browser { client, driver }
    }

    /// Clicks the element `css` and waits (at most 10 s) until the page it leads to has
    /// loaded: the old page's root is gone and the new one is complete. A click alone does
    /// not wait for the navigation it starts.
    pub async fn click_to_next_page(&self, css: &str) {
        let old = self
            .client
            .find(Locator::Css("html"))
            .await
            .expect("a page");
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"))
            .click()
            .await
            .expect("clicked");
        self.next_page(old, &format!("clicking {css}")).await;
    }

    /// Presses `key` on the focused element (Enter on a form's field or button, say) and
    /// waits as `click_to_next_page` does for the page it leads to.
    pub async fn press_to_next_page(&self, key: fantoccini::key::Key) {
        let old = self
            .client
            .find(Locator::Css("html"))
            .await
            .expect("a page");
        self.press(key).await;
        self.next_page(old, &format!("pressing {key:?}")).await;
    }

    /// Waits (at most 10 s) until `old`, the root of the page before `what`, is gone and the
    /// new page is complete.
    async fn next_page(&self, old: fantoccini::elements::Element, what: &str) {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let gone = old.tag_name().await.is_err();
            let complete = self
                .client
                .execute("return document.readyState", vec![])
                .await
                .is_ok_and(|state| state == "complete");
            if gone && complete {
                return;
            }
            assert!(Instant::now() < deadline, "no new page after {what}");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// The element `css`, found now (a page that redraws part of itself replaces elements).
    pub async fn element(&self, css: &str) -> fantoccini::elements::Element {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"))
    }

    /// Types `text` into the field `css`, emptied first.
    pub async fn type_into(&self, css: &str, text: &str) {
        let field = self.element(css).await;
        field.clear().await.expect("cleared");
        field.send_keys(text).await.expect("typed");
    }

    /// Runs `script` (which returns a boolean) until it is true, at most `within`.
    pub async fn until(&self, script: &str, within: Duration, what: &str) {
        let deadline = Instant::now() + within;
        loop {
            let done = self
                .client
                .execute(script, vec![])
                .await
                .is_ok_and(|v| v == serde_json::Value::Bool(true));
            if done {
                return;
            }
            assert!(Instant::now() < deadline, "{what}: not within {within:?}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Presses `key` on the focused element.
    pub async fn press(&self, key: fantoccini::key::Key) {
        self.client
            .active_element()
            .await
            .expect("the focus")
            .send_keys(&char::from(key).to_string())
            .await
            .expect("a key");
    }

    /// Presses Tab until the focus is on the element `css` (at most `at_most` times, or
    /// fails): the number of presses it took.
    pub async fn tab_to(&self, css: &str, at_most: u32) -> u32 {
        for presses in 1..=at_most {
            self.press(fantoccini::key::Key::Tab).await;
            let there = self
                .client
                .execute(
                    "return document.activeElement.matches(arguments[0])",
                    vec![css.into()],
                )
                .await
                .expect("the focus");
            if there == serde_json::Value::Bool(true) {
                return presses;
            }
        }
        panic!("{css} not reached within {at_most} Tabs");
    }

    /// What the script `js`, an expression, answers on the page.
    pub async fn read(&self, js: &str) -> serde_json::Value {
        self.client
            .execute(&format!("return {js}"), vec![])
            .await
            .unwrap_or_else(|e| panic!("{js}: {e}"))
    }

    /// What the script `js`, an expression, answers: a list of strings.
    pub async fn strings(&self, js: &str) -> Vec<String> {
        serde_json::from_value(self.read(js).await).expect("a list of strings")
    }

    /// What the script `js`, an expression, answers: rows of strings (a table's cells, say).
    pub async fn rows(&self, js: &str) -> Vec<Vec<String>> {
        serde_json::from_value(self.read(js).await).expect("lists of strings")
    }

    /// The text of the element `css`.
    pub async fn text_of(&self, css: &str) -> String {
        self.element(css).await.text().await.expect("text")
    }

    /// The page's path and query.
    pub async fn path(&self) -> String {
        let url = self.client.current_url().await.expect("a URL");
        match url.query() {
            Some(query) => format!("{}?{query}", url.path()),
            None => url.path().to_string(),
        }
    }

    pub async fn close(self) {
        let _ = self.client.clone().close().await;
    }

    /// What axe-core (installed by `scripts/ensure-axe`) finds serious or critical on the page
    /// shown: each violation's rule, impact, help and the elements it names. The script is
    /// put in through WebDriver, which the page's CSP does not govern.
    pub async fn accessibility_violations(&self) -> Vec<String> {
        let dir = std::env::var("MARQUEE_AXE_DIR").unwrap_or_else(|_| {
            format!(
                "{}/.cache/marquee-axe",
                std::env::var("HOME").unwrap_or_default()
            )
        });
        let path = format!("{dir}/node_modules/axe-core/axe.min.js");
        let axe = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("{path}: {e} (run scripts/ensure-axe)"));
        self.client
            .execute(&format!("{axe}; return true;"), vec![])
            .await
            .expect("axe-core loads");
        let found = self
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document, { resultTypes: ['violations'] }).then((r) => done(
                   r.violations
                     .filter((v) => v.impact === 'serious' || v.impact === 'critical')
                     .map((v) => `${v.id} (${v.impact}): ${v.help}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)
                 ), (e) => done([`axe failed: ${e}`]));",
                vec![],
            )
            .await
            .expect("axe-core runs");
        found
            .as_array()
            .map(|all| {
                all.iter()
                    .map(|v| v.as_str().unwrap_or_default().to_string())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Fails, naming `page`, when axe-core finds anything serious or critical on the page.
    pub async fn assert_accessible(&self, page: &str) {
        let found = self.accessibility_violations().await;
        assert!(found.is_empty(), "{page}: {found:#?}");
    }
}
