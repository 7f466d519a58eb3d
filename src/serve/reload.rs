//! Live reload: a hub that tells every open tab what happened, over
//! server-sent events, and the small script injected into HTML responses
//! (at serve time only: the built files never contain it).

use std::sync::{Arc, Mutex};

use tokio::sync::mpsc::{self, error::TrySendError, Receiver, Sender};

/// The reserved URL prefix of the live-reload endpoints.
pub const PREFIX: &str = "/__salon/";
/// The event stream.
pub const EVENTS_PATH: &str = "/__salon/events";
/// The injected script.
pub const SCRIPT_PATH: &str = "/__salon/live.js";

/// Messages a tab may have waiting before it counts as stuck. Builds are
/// seconds apart and a live tab reads each message at once.
const BACKLOG: usize = 16;

/// The most files a reload message lists; past it every tab reloads. A
/// tag taken off a post rewrites a few hundred listing pages; a template
/// edit rewrites them all, and naming 25,000 files to each tab would be
/// slower than reloading.
pub const MOST_LISTED: usize = 4096;

/// What a tab is told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    /// Files changed: reload if the page, or anything it loaded, is among
    /// these (root paths such as `/posts/a/index.html`); `None`: every
    /// tab reloads.
    Reload(Option<Arc<[String]>>),
    /// Only stylesheets changed: swap them in place.
    Css,
    /// The build failed: show this text over the page.
    Failed(String),
    /// The build works again but no byte changed: hide the error.
    Ok,
}

impl Message {
    /// The message as one server-sent event.
    pub fn to_event(&self) -> String {
        let (name, data) = match self {
            Message::Reload(None) => ("reload", String::new()),
            Message::Reload(Some(files)) => (
                "reload",
                serde_json::json!({ "files": &files[..] }).to_string(),
            ),
            Message::Css => ("css", String::new()),
            Message::Failed(text) => ("failed", serde_json::json!({ "message": text }).to_string()),
            Message::Ok => ("ok", String::new()),
        };
        // serde_json never emits a raw newline, so `data` is one line.
        format!("event: {name}\ndata: {data}\n\n")
    }
}

#[derive(Default)]
struct State {
    clients: Vec<Sender<Message>>,
    error: Option<String>,
    closed: bool,
}

/// Fans messages out to every connected tab and remembers whether the last
/// build failed, so a tab opened meanwhile shows the error too.
#[derive(Default)]
pub struct Hub {
    state: Mutex<State>,
}

impl Hub {
    /// A hub with no tab.
    pub fn new() -> Self {
        Hub::default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A new tab; it first gets the current error, if any. `None` once the
    /// hub is closed.
    pub fn subscribe(&self) -> Option<Receiver<Message>> {
        let mut state = self.lock();
        if state.closed {
            return None;
        }
        // Tabs that left since the last message are forgotten now, so
        // tabs coming and going between builds take no memory.
        state.clients.retain(|c| !c.is_closed());
        let (tx, rx) = mpsc::channel(BACKLOG);
        if let Some(e) = &state.error {
            let _ = tx.try_send(Message::Failed(e.clone()));
        }
        state.clients.push(tx);
        Some(rx)
    }

    /// How many tabs are subscribed.
    pub fn clients(&self) -> usize {
        let mut state = self.lock();
        state.clients.retain(|c| !c.is_closed());
        state.clients.len()
    }

    /// Sends `m` to every tab. A tab gone, or one that has let `BACKLOG`
    /// messages pile up (its connection is stuck), is dropped: its stream
    /// ends and a live browser reconnects.
    fn broadcast(state: &mut State, m: &Message) {
        state.clients.retain(|c| match c.try_send(m.clone()) {
            Ok(()) => true,
            Err(TrySendError::Full(_) | TrySendError::Closed(_)) => false,
        });
    }

    /// A build succeeded and wrote files: reload (or swap stylesheets).
    pub fn changed(&self, css_only: bool) {
        let mut state = self.lock();
        state.error = None;
        let m = if css_only {
            Message::Css
        } else {
            Message::Reload(None)
        };
        Self::broadcast(&mut state, &m);
    }

    /// A build wrote or removed `files` (paths below the output folder):
    /// the tabs showing one of them, or having loaded one, reload. A build
    /// may publish in steps and call this once for each.
    pub fn published(&self, files: &[String]) {
        let mut state = self.lock();
        // A tab that does not reload must still hide the error it shows.
        if state.error.take().is_some() {
            Self::broadcast(&mut state, &Message::Ok);
        }
        let listed = (files.len() <= MOST_LISTED).then(|| {
            files
                .iter()
                .map(|f| format!("/{f}"))
                .collect::<Arc<[String]>>()
        });
        Self::broadcast(&mut state, &Message::Reload(listed));
    }

    /// A build succeeded without changing a byte: clear a shown error.
    pub fn unchanged(&self) {
        let mut state = self.lock();
        if state.error.take().is_some() {
            Self::broadcast(&mut state, &Message::Ok);
        }
    }

    /// A build failed with `text`.
    pub fn failed(&self, text: String) {
        let mut state = self.lock();
        state.error = Some(text.clone());
        Self::broadcast(&mut state, &Message::Failed(text));
    }

    /// Ends every stream.
    pub fn close(&self) {
        let mut state = self.lock();
        state.closed = true;
        state.clients.clear();
    }
}

/// The injected `<script>` tag.
pub const SCRIPT_TAG: &str = "<script src=\"/__salon/live.js\"></script>";

/// `html` with the live-reload script added before its last `</body>`
/// (or at the end when there is none).
pub fn inject(html: &[u8]) -> Vec<u8> {
    let needle = b"</body";
    let at = html
        .windows(needle.len())
        .rposition(|w| w.eq_ignore_ascii_case(needle))
        .unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + SCRIPT_TAG.len());
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(SCRIPT_TAG.as_bytes());
    out.extend_from_slice(&html[at..]);
    out
}

/// The live-reload script. Error text is shown with `textContent`, never
/// parsed as HTML.
pub const SCRIPT: &str = r##"(() => {
  "use strict";
  let overlay = null;
  const hide = () => { if (overlay) { overlay.remove(); overlay = null; } };
  const show = (text) => {
    hide();
    overlay = document.createElement("div");
    overlay.id = "salon-error";
    overlay.setAttribute("role", "alert");
    overlay.style.cssText = "position:fixed;inset:0;z-index:2147483647;overflow:auto;" +
      "margin:0;padding:2em;background:rgba(24,4,4,.94);color:#fdd;" +
      "font:14px/1.5 ui-monospace,SFMono-Regular,Menlo,monospace;white-space:pre-wrap";
    const title = document.createElement("strong");
    title.style.color = "#fff";
    title.textContent = "Salon: the build failed. The last good site is shown; fix the file and it reloads.\n\n";
    overlay.append(title, document.createTextNode(text));
    overlay.addEventListener("click", hide);
    document.body.append(overlay);
  };
  const swapCss = () => {
    for (const link of document.querySelectorAll('link[rel~="stylesheet"]')) {
      const url = new URL(link.href, location.href);
      if (url.origin !== location.origin) continue;
      url.searchParams.set("salon-reload", Date.now());
      const fresh = link.cloneNode();
      fresh.href = url.href;
      fresh.addEventListener("load", () => link.remove());
      fresh.addEventListener("error", () => fresh.remove());
      link.after(fresh);
    }
  };
  const listen = () => {
    const events = new EventSource("/__salon/events");
    // A reload names the files it changed: this tab reloads if its page,
    // or a file the page loaded (a script, a picture, a search shard),
    // is one of them.
    const fileOf = (url) => {
      const u = new URL(url, location.href);
      if (u.origin !== location.origin) return null;
      try {
        const path = decodeURIComponent(u.pathname);
        return path.endsWith("/") ? path + "index.html" : path;
      } catch (_) {
        return null;
      }
    };
    const touches = (files) => {
      const shown = fileOf(location.href);
      if (files.has(shown) || files.has(shown + "/index.html")) return true;
      // The browser keeps 250 resource timings by default: a page with
      // more pictures is checked by its images too.
      const loaded = performance.getEntriesByType("resource").map((r) => r.name);
      for (const img of document.images) loaded.push(img.currentSrc || img.src);
      return loaded.some((u) => u && files.has(fileOf(u)));
    };
    events.addEventListener("reload", (e) => {
      if (!e.data || touches(new Set(JSON.parse(e.data).files))) location.reload();
    });
    events.addEventListener("css", () => { hide(); swapCss(); });
    events.addEventListener("failed", (e) => show(JSON.parse(e.data).message));
    events.addEventListener("ok", hide);
    // A refused stream (503: too many tabs open) is not retried by the
    // browser itself.
    events.addEventListener("error", () => {
      if (events.readyState === EventSource.CLOSED) setTimeout(listen, 5000);
    });
  };
  listen();
})();
"##;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_script_goes_before_the_last_body_end() {
        let html = b"<html><body><p>x</p></BODY></html>";
        let out = String::from_utf8(inject(html)).unwrap();
        assert_eq!(
            out,
            format!("<html><body><p>x</p>{SCRIPT_TAG}</BODY></html>")
        );
        let bare = String::from_utf8(inject(b"<p>no body")).unwrap();
        assert_eq!(bare, format!("<p>no body{SCRIPT_TAG}"));
    }

    #[test]
    fn events_are_single_lines_of_data() {
        let e = Message::Failed("a.md:2:1: bad\n  line".into()).to_event();
        assert!(e.starts_with("event: failed\ndata: {"));
        assert_eq!(e.matches('\n').count(), 3, "{e}");
        assert_eq!(
            Message::Reload(None).to_event(),
            "event: reload\ndata: \n\n"
        );
        let files: Arc<[String]> = vec!["/a b/index.html".to_owned(), "/\"q\"\n".to_owned()].into();
        let e = Message::Reload(Some(files)).to_event();
        assert_eq!(e.matches('\n').count(), 3, "{e}");
        let data: serde_json::Value =
            serde_json::from_str(e.strip_prefix("event: reload\ndata: ").unwrap().trim_end())
                .unwrap();
        assert_eq!(data["files"][0], "/a b/index.html");
        assert_eq!(data["files"][1], "/\"q\"\n");
    }

    #[test]
    fn a_new_tab_sees_the_current_error_until_a_build_works() {
        let hub = Hub::new();
        hub.failed("broken".into());
        let mut rx = hub.subscribe().unwrap();
        assert_eq!(rx.try_recv(), Ok(Message::Failed("broken".into())));
        hub.unchanged();
        assert_eq!(rx.try_recv(), Ok(Message::Ok));
        hub.unchanged();
        assert!(rx.try_recv().is_err(), "no error to clear");
        hub.changed(true);
        assert_eq!(rx.try_recv(), Ok(Message::Css));
        let mut later = hub.subscribe().unwrap();
        assert!(later.try_recv().is_err());
        hub.close();
        assert!(hub.subscribe().is_none());
    }

    #[test]
    fn a_published_step_names_its_files_unless_they_are_too_many() {
        let hub = Hub::new();
        hub.failed("broken".into());
        let mut rx = hub.subscribe().unwrap();
        assert!(matches!(rx.try_recv(), Ok(Message::Failed(_))));
        hub.published(&["posts/a/index.html".into(), "feed.xml".into()]);
        assert_eq!(rx.try_recv(), Ok(Message::Ok), "the error is hidden first");
        let Ok(Message::Reload(Some(files))) = rx.try_recv() else {
            panic!("a reload naming the files");
        };
        assert_eq!(&*files, ["/posts/a/index.html", "/feed.xml"]);
        assert!(
            hub.subscribe().unwrap().try_recv().is_err(),
            "the error is cleared"
        );
        let many: Vec<String> = (0..=MOST_LISTED).map(|i| format!("p/{i}.html")).collect();
        hub.published(&many);
        assert_eq!(rx.try_recv(), Ok(Message::Reload(None)));
    }

    #[test]
    fn tabs_that_left_or_stopped_reading_are_forgotten() {
        let hub = Hub::new();
        let mut live = hub.subscribe().unwrap();
        let gone = hub.subscribe().unwrap();
        let _stuck = hub.subscribe().unwrap();
        drop(gone);
        assert_eq!(hub.clients(), 2);
        for _ in 0..BACKLOG {
            hub.changed(false);
            assert_eq!(live.try_recv(), Ok(Message::Reload(None)));
        }
        assert_eq!(hub.clients(), 2);
        hub.changed(false);
        assert_eq!(hub.clients(), 1, "the tab that never read is dropped");
    }
}
