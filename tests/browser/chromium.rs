//! A headless Chromium driven over the DevTools protocol, and the page helpers the browser
//! tests share. Every wait is bounded by `WAIT`; the browser is killed when dropped.
// Each browser test binary includes this file and uses a different part of it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::time::Duration;

use chromiumoxide::Page;
use chromiumoxide::browser::{Browser, BrowserConfig};
use chromiumoxide::cdp::browser_protocol::browser::{
    PermissionDescriptor, PermissionSetting, SetPermissionParams,
};
use chromiumoxide::cdp::browser_protocol::page::CaptureScreenshotFormat;
use chromiumoxide::cdp::browser_protocol::service_worker::{
    EnableParams, EventWorkerVersionUpdated, RegistrationId, ServiceWorkerVersionStatus,
};
use chromiumoxide::cdp::browser_protocol::target::SetAutoAttachParams;
use chromiumoxide::handler::viewport::Viewport;
use chromiumoxide::page::ScreenshotParams;
use futures::StreamExt;
use serde_json::Value;

/// Upper bound for every wait; a healthy run needs a fraction of it.
const WAIT: Duration = Duration::from_secs(20);

/// Runs in the page before its own scripts: replaces `PushManager.subscribe`, lets
/// `getSubscription` see the result (kept for the tab's life, so it survives a reload like a
/// real one) and records what the page asked for.
const PUSH_STANDIN: &str = r#"(() => {
  if (!("PushManager" in self)) return;
  const prefix = location.origin + "/push-standin/";
  const b64url = (bytes) => btoa(String.fromCharCode(...new Uint8Array(bytes)))
    .replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  const bytes = (text) => Uint8Array.from(
    atob(text.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0)).buffer;
  const stored = () => JSON.parse(sessionStorage.getItem("push-standin"));
  const wrap = (json) => ({
    endpoint: json.endpoint,
    expirationTime: null,
    getKey: (name) => (json.keys[name] ? bytes(json.keys[name]) : null),
    toJSON: () => JSON.parse(JSON.stringify(json)),
    unsubscribe: async () => { sessionStorage.removeItem("push-standin"); return true; },
  });
  const getSubscription = PushManager.prototype.getSubscription;
  PushManager.prototype.subscribe = async function (options) {
    window.subscribeOptions = {
      userVisibleOnly: options.userVisibleOnly,
      applicationServerKey: b64url(options.applicationServerKey),
    };
    const curve = { name: "ECDH", namedCurve: "P-256" };
    const pair = await crypto.subtle.generateKey(curve, true, ["deriveBits"]);
    const p256dh = await crypto.subtle.exportKey("raw", pair.publicKey);
    const auth = crypto.getRandomValues(new Uint8Array(16));
    const json = {
      endpoint: prefix + b64url(crypto.getRandomValues(new Uint8Array(16))),
      expirationTime: null,
      keys: { p256dh: b64url(p256dh), auth: b64url(auth) },
    };
    sessionStorage.setItem("push-standin", JSON.stringify(json));
    return wrap(json);
  };
  PushManager.prototype.getSubscription = function () {
    return stored() ? Promise.resolve(wrap(stored())) : getSubscription.call(this);
  };
})();"#;

/// A headless Chromium with a throwaway profile; the process is killed when this is dropped.
pub struct Chromium {
    browser: Browser,
    handler: tokio::task::JoinHandle<()>,
    _profile: tempfile::TempDir,
}

/// The reader page, loaded, and its service worker's registration.
pub struct Reader {
    pub page: Page,
    pub registration: RegistrationId,
}

impl Chromium {
    pub async fn launch(binary: &Path) -> Self {
        let profile = tempfile::tempdir().expect("browser profile dir");
        let viewport = Viewport {
            width: 420,
            height: 860,
            ..Viewport::default()
        };
        // No network here: the flags keep Chromium from calling its own services.
        let flags = [
            "disable-gpu",
            "disable-quic",
            "no-first-run",
            "disable-background-networking",
            "disable-component-update",
            "disable-sync",
        ];
        let config = BrowserConfig::builder()
            .chrome_executable(binary)
            .user_data_dir(profile.path())
            .disable_default_args()
            .no_sandbox()
            .args(flags)
            .window_size(viewport.width, viewport.height)
            .viewport(viewport)
            .launch_timeout(WAIT)
            .request_timeout(WAIT)
            .build()
            .expect("browser config");
        let (browser, mut events) = Browser::launch(config).await.expect("launch chromium");
        let handler = tokio::spawn(async move { while events.next().await.is_some() {} });
        Self {
            browser,
            handler,
            _profile: profile,
        }
    }

    /// A blank page with the notification permission set for `origin` and the push stand-in
    /// installed, ready to be sent to one of the server's pages.
    pub async fn prepare_page(&self, origin: &str, permission: PermissionSetting) -> Page {
        let set = SetPermissionParams::builder()
            .permission(PermissionDescriptor::new("notifications"))
            .setting(permission)
            .origin(origin)
            .build()
            .expect("permission params");
        self.browser
            .execute(set)
            .await
            .expect("set notification permission");

        let page = self
            .browser
            .new_page("about:blank")
            .await
            .expect("new page");
        page.evaluate_on_new_document(PUSH_STANDIN)
            .await
            .expect("install push stand-in");
        // chromiumoxide attaches to new workers paused and resumes them racily, which can leave
        // the service worker stuck "starting"; these tests need no worker sessions.
        let no_attach = SetAutoAttachParams {
            flatten: Some(true),
            ..SetAutoAttachParams::new(false, false)
        };
        page.execute(no_attach).await.expect("turn off auto-attach");
        page
    }

    /// Opens `/` with the notification permission set and the push stand-in installed, and
    /// waits until its service worker is active.
    pub async fn open_reader(&self, origin: &str, permission: PermissionSetting) -> Reader {
        let page = self.prepare_page(origin, permission).await;
        let mut versions = page
            .event_listener::<EventWorkerVersionUpdated>()
            .await
            .expect("listen");
        page.execute(EnableParams::default())
            .await
            .expect("enable the ServiceWorker domain");
        page.goto(format!("{origin}/"))
            .await
            .expect("open the reader page");

        let activated = async {
            while let Some(event) = versions.next().await {
                let active = event.versions.iter().find(|v| {
                    v.script_url.ends_with("/sw.js")
                        && v.status == ServiceWorkerVersionStatus::Activated
                });
                if let Some(version) = active {
                    return version.registration_id.clone();
                }
            }
            panic!("service worker events ended before /sw.js was activated");
        };
        let registration = tokio::time::timeout(WAIT, activated)
            .await
            .expect("/sw.js activated in time");
        Reader { page, registration }
    }

    pub async fn close(mut self) {
        // Best effort: a browser that does not close in time is killed on drop.
        let _ = tokio::time::timeout(WAIT, async {
            let _ = self.browser.close().await;
            let _ = self.browser.wait().await;
        })
        .await;
    }
}

impl Drop for Chromium {
    fn drop(&mut self) {
        self.handler.abort();
    }
}

pub async fn eval(page: &Page, expression: &str) -> Value {
    let result = page.evaluate_expression(expression).await;
    let result = result.unwrap_or_else(|e| panic!("evaluating {expression}: {e}"));
    result.value().cloned().unwrap_or(Value::Null)
}

/// Evaluates `expression` until `done` accepts its value; fails after `WAIT`.
pub async fn poll(
    page: &Page,
    what: &str,
    expression: &str,
    done: impl Fn(&Value) -> bool,
) -> Value {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let value = eval(page, expression).await;
        if done(&value) {
            return value;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}; last: {value}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Waits for `#state[data-state=<state>]`; returns `[state, detail text]`.
pub async fn wait_for_state(page: &Page, state: &str) -> Value {
    let read = "[document.getElementById('state').dataset.state,
        document.getElementById('state-detail').textContent]";
    poll(page, &format!("#state[data-state={state}]"), read, |v| {
        v[0] == state
    })
    .await
}

pub async fn click(page: &Page, selector: &str) {
    let element = page.find_element(selector).await.expect("find element");
    element
        .click()
        .await
        .unwrap_or_else(|e| panic!("clicking {selector}: {e}"));
}

/// Documents the page as `docs/screenshots/subscribe.png`, with `HERALD_SCREENSHOTS=1`.
pub async fn screenshot(page: &Page) {
    if std::env::var("HERALD_SCREENSHOTS").is_ok_and(|v| v == "1") {
        save_screenshot(page, "subscribe").await;
    }
}

/// The whole page as `docs/screenshots/<name>.png`.
pub async fn save_screenshot(page: &Page, name: &str) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/screenshots");
    std::fs::create_dir_all(&dir).expect("create docs/screenshots");
    let params = ScreenshotParams::builder()
        .format(CaptureScreenshotFormat::Png)
        .full_page(true)
        .build();
    page.save_screenshot(params, dir.join(format!("{name}.png")))
        .await
        .expect("screenshot");
}

/// `$CHROME` or `/usr/bin/chromium`; `None` (skip) when absent and a browser is not required.
pub fn chromium_binary() -> Option<PathBuf> {
    let path = std::env::var_os("CHROME").map_or_else(|| "/usr/bin/chromium".into(), PathBuf::from);
    if path.is_file() {
        return Some(path);
    }
    let required = std::env::var("HERALD_REQUIRE_BROWSER").is_ok_and(|v| v == "1");
    assert!(
        !required,
        "HERALD_REQUIRE_BROWSER=1 but there is no browser at {}",
        path.display()
    );
    eprintln!(
        "skipping the browser test: no Chromium at {} (set CHROME to one)",
        path.display()
    );
    None
}
