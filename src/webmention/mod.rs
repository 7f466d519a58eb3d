//! `salon webmentions send`: tells the sites a post links to that it does
//! (W3C Webmention, §3.1).
//!
//! For each published post and each absolute link in its body to another
//! host, the target page is fetched (redirects followed, at most
//! [`MAX_REDIRECTS`]), its endpoint discovered ([`discover`]) and
//! `source=<post URL>&target=<link>` posted to it, form-encoded. What was
//! done is remembered in [`STATE_FILE`] in the site folder, so a second run
//! sends nothing twice: a pair is written there once it was sent (a 2xx
//! answer) or its target has no endpoint. Failures (timeouts, error
//! statuses, unreachable hosts) are reported per link and not remembered,
//! so the next run tries them again. The build never sends anything: this
//! is a command of its own, run after deploying.

pub mod discover;

use std::fmt;
use std::io::Read;
use std::path::Path;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use ureq::ResponseExt;
use url::Url;

use crate::error::Error;
use crate::BuildOptions;

/// The file in the site folder that remembers what was sent.
pub const STATE_FILE: &str = ".salon-webmentions.json";
/// Redirects followed when fetching a target.
pub const MAX_REDIRECTS: u32 = 5;
/// The longest a request may take, from connecting to the last byte.
pub const TIMEOUT: Duration = Duration::from_secs(20);
/// How much of a target page is read to find its endpoint.
const MAX_PAGE: u64 = 2 << 20;

/// What happened to one link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Sent; the endpoint answered with this 2xx status.
    Sent {
        /// Where it went.
        endpoint: String,
        /// 200, 201 or 202.
        status: u16,
    },
    /// A dry run found this endpoint and sent nothing.
    WouldSend {
        /// Where it would go.
        endpoint: String,
    },
    /// The target declares no endpoint (remembered: not asked again).
    NoEndpoint,
    /// Why it failed (tried again next run).
    Failed(String),
}

/// One (source, target) pair and what came of it.
#[derive(Debug, Clone)]
pub struct LinkOutcome {
    /// The post's URL.
    pub source: String,
    /// The page it links to.
    pub target: String,
    /// What happened.
    pub outcome: Outcome,
}

/// What a run did.
#[derive(Debug, Default, Clone)]
pub struct SendReport {
    /// Posts looked at.
    pub posts: usize,
    /// External links found in them.
    pub links: usize,
    /// Links done by an earlier run, left alone.
    pub remembered: usize,
    /// Webmentions sent (or that would be, on a dry run).
    pub sent: usize,
    /// Targets with no endpoint.
    pub no_endpoint: usize,
    /// Links that failed.
    pub failed: usize,
    /// Nothing was sent or remembered.
    pub dry_run: bool,
}

impl fmt::Display for SendReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verb = if self.dry_run { "Would send" } else { "Sent" };
        writeln!(
            f,
            "{verb} {} webmention(s) for {} external link(s) in {} post(s); {} without an endpoint, {} failed, {} done by an earlier run ({STATE_FILE}).",
            self.sent, self.links, self.posts, self.no_endpoint, self.failed, self.remembered
        )
    }
}

/// One remembered pair, as [`STATE_FILE`] lists it.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Remembered {
    source: String,
    target: String,
    /// `sent` or `no endpoint`.
    result: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    endpoint: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    status: Option<u16>,
    date: String,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct State {
    #[serde(default)]
    sent: Vec<Remembered>,
}

impl State {
    fn load(path: &Path) -> Result<Self, Error> {
        match std::fs::read_to_string(path) {
            Ok(text) => serde_json::from_str(&text).map_err(|e| {
                Error::Refused(format!(
                    "{} cannot be read ({e}); fix or remove it (removing it sends every webmention again)",
                    path.display()
                ))
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(State::default()),
            Err(e) => Err(Error::io(path, e)),
        }
    }

    fn knows(&self, source: &str, target: &str) -> bool {
        self.sent
            .iter()
            .any(|r| r.source == source && r.target == target)
    }

    /// Writes the state beside the old one, then renames it over it, so an
    /// interrupted run never leaves half a file.
    fn save(&self, path: &Path) -> Result<(), Error> {
        let text = serde_json::to_string_pretty(self).expect("state serializes") + "\n";
        let tmp = path.with_extension("json.tmp");
        std::fs::write(&tmp, text).map_err(|e| Error::io(&tmp, e))?;
        std::fs::rename(&tmp, path).map_err(|e| Error::io(path, e))
    }
}

/// The (source, target) pairs of the site at `root`: each published
/// post's URL with every absolute link in its body to another host.
fn pairs(root: &Path) -> Result<(usize, Vec<(String, String)>), Error> {
    let opts = BuildOptions {
        source: root.to_path_buf(),
        ..Default::default()
    };
    let mut loaded = crate::build::load_site(&opts)?;
    if loaded.diags.has_errors() {
        return Err(Error::Content(
            std::mem::take(&mut loaded.diags).into_sorted(),
        ));
    }
    let config = &loaded.site.config;
    let own_host = Url::parse(&config.base_url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned));
    let mut out = Vec::new();
    // Oldest first: the order a reader would have seen them published.
    for p in loaded.site.posts.iter().rev() {
        let source = config.permalink(&p.path);
        for target in discover::links_in(&p.body.document()) {
            let host = Url::parse(&target)
                .ok()
                .and_then(|u| u.host_str().map(str::to_owned));
            if host.is_some() && host != own_host {
                out.push((source.clone(), target));
            }
        }
    }
    Ok((loaded.site.posts.len(), out))
}

/// How `salon webmentions send` runs.
#[derive(Debug, Clone)]
pub struct SendOptions {
    /// Discover endpoints; send and remember nothing.
    pub dry_run: bool,
    /// The longest one request may take ([`TIMEOUT`] by default).
    pub timeout: Duration,
}

impl Default for SendOptions {
    fn default() -> Self {
        SendOptions {
            dry_run: false,
            timeout: TIMEOUT,
        }
    }
}

/// Sends what has not been sent yet; `on_link` hears of each link as it
/// is done. With `dry_run`, endpoints are discovered but nothing is sent
/// or remembered.
pub fn send(
    root: &Path,
    opts: &SendOptions,
    on_link: &mut dyn FnMut(&LinkOutcome),
) -> Result<SendReport, Error> {
    let dry_run = opts.dry_run;
    let state_path = root.join(STATE_FILE);
    let mut state = State::load(&state_path)?;
    let (posts, pairs) = pairs(root)?;
    let client = Client::new(opts.timeout);
    let mut report = SendReport {
        posts,
        links: pairs.len(),
        dry_run,
        ..Default::default()
    };
    for (source, target) in pairs {
        if state.knows(&source, &target) {
            report.remembered += 1;
            continue;
        }
        let outcome = match client.discover(&target) {
            Err(why) => Outcome::Failed(why),
            Ok(None) => Outcome::NoEndpoint,
            Ok(Some(endpoint)) if dry_run => Outcome::WouldSend {
                endpoint: endpoint.to_string(),
            },
            Ok(Some(endpoint)) => match client.notify(&endpoint, &source, &target) {
                Ok(status) => Outcome::Sent {
                    endpoint: endpoint.to_string(),
                    status,
                },
                Err(why) => Outcome::Failed(why),
            },
        };
        let remembered = match &outcome {
            Outcome::Sent { endpoint, status } => {
                report.sent += 1;
                Some(("sent", Some(endpoint.clone()), Some(*status)))
            }
            Outcome::WouldSend { .. } => {
                report.sent += 1;
                None
            }
            Outcome::NoEndpoint => {
                report.no_endpoint += 1;
                Some(("no endpoint", None, None))
            }
            Outcome::Failed(_) => {
                report.failed += 1;
                None
            }
        };
        if let (Some((result, endpoint, status)), false) = (remembered, dry_run) {
            state.sent.push(Remembered {
                source: source.clone(),
                target: target.clone(),
                result: result.into(),
                endpoint,
                status,
                date: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            });
            // Saved after each pair: an interrupted run resends nothing.
            state.save(&state_path)?;
        }
        on_link(&LinkOutcome {
            source,
            target,
            outcome,
        });
    }
    Ok(report)
}

/// The two HTTP agents: one that follows redirects (discovery), one that
/// does not (the notification itself: a redirect is reported, not
/// followed with the form).
struct Client {
    fetch: ureq::Agent,
    post: ureq::Agent,
    timeout: Duration,
}

impl Client {
    fn new(timeout: Duration) -> Self {
        let agent = |redirects: u32| {
            ureq::Agent::config_builder()
                .timeout_global(Some(timeout))
                .max_redirects(redirects)
                .http_status_as_error(false)
                .user_agent(concat!(
                    "Salon/",
                    env!("CARGO_PKG_VERSION"),
                    " (webmention)"
                ))
                .build()
                .new_agent()
        };
        Client {
            fetch: agent(MAX_REDIRECTS),
            post: agent(0),
            timeout,
        }
    }

    /// The endpoint of `target`: its `Link` header, else its HTML.
    fn discover(&self, target: &str) -> Result<Option<Url>, String> {
        let mut response = self
            .fetch
            .get(target)
            .header("Accept", "text/html, */*;q=0.5")
            .call()
            .map_err(|e| why(&e, self.timeout))?;
        let status = response.status();
        if status.is_redirection() {
            return Err(format!("more than {MAX_REDIRECTS} redirects"));
        }
        if !status.is_success() {
            return Err(format!("the target answered {}", status.as_u16()));
        }
        let page = Url::parse(&response.get_uri().to_string()).map_err(|e| e.to_string())?;
        let from_header = response
            .headers()
            .get_all("link")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(discover::endpoint_in_link_header);
        if let Some(e) = from_header {
            return page
                .join(&e)
                .map(Some)
                .map_err(|e| format!("its Link header names a bad endpoint: {e}"));
        }
        let html_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_none_or(|t| t.to_ascii_lowercase().contains("html"));
        if !html_type {
            return Ok(None);
        }
        let mut bytes = Vec::new();
        response
            .body_mut()
            .as_reader()
            .take(MAX_PAGE)
            .read_to_end(&mut bytes)
            .map_err(|e| format!("reading the target: {e}"))?;
        Ok(discover::endpoint_in_html(
            &String::from_utf8_lossy(&bytes),
            &page,
        ))
    }

    /// Posts the notification; the status when it is a success.
    fn notify(&self, endpoint: &Url, source: &str, target: &str) -> Result<u16, String> {
        if !matches!(endpoint.scheme(), "http" | "https") {
            return Err(format!("the endpoint {endpoint} is not an http(s) URL"));
        }
        let response = self
            .post
            .post(endpoint.as_str())
            .send_form([("source", source), ("target", target)])
            .map_err(|e| why(&e, self.timeout))?;
        let status = response.status().as_u16();
        match status {
            200..=299 => Ok(status),
            _ => Err(format!("the endpoint {endpoint} answered {status}")),
        }
    }
}

/// A transport error as a reader would say it.
fn why(e: &ureq::Error, timeout: Duration) -> String {
    match e {
        ureq::Error::Timeout(_) => format!("timed out after {:.1} s", timeout.as_secs_f64()),
        ureq::Error::TooManyRedirects => format!("more than {MAX_REDIRECTS} redirects"),
        other => other.to_string(),
    }
}
