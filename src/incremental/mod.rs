//! Incremental rebuilds for watch mode: the parsed and linked site stays in
//! memory, and a change costs what it touches.
//!
//! After a change, only the changed files are parsed again. A post edit
//! that leaves its front matter and links alone is patched into the linked
//! site in place, and so is a thread edit that changes only the text of
//! its messages; anything else links the site again from the parsed files
//! in memory. Then every job gets a signature ([`render::deps`]) and only
//! jobs whose signature changed are rendered; of those, only files whose
//! bytes changed are written. The result is byte for byte what a clean
//! build of the same files gives, which `tests/integration/incremental.rs`
//! checks over long random sequences of edits.
//!
//! What did not change is reused rather than recomputed: post summaries
//! and cards whose inputs stayed, related posts when no post moved or
//! changed tags, and the search index, updated in place for the documents
//! whose source changed ([`crate::search::Index::update`]).
//!
//! A change to `salon.yaml`, or a member file added or removed (handles
//! are known before parsing, for `@mentions`), starts over with a full
//! build.
//!
//! Here: what is kept and how a change is taken in; `sources.rs`: the
//! parsed files; `patch.rs`: an edit patched into the linked site in
//! place; `relink.rs`: linking again with what can be reused;
//! `publish.rs`: rendering and writing what changed.

mod patch;
mod publish;
mod relink;
mod sources;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use tera::Tera;

use crate::build::{read_inputs, BuildOptions, BuildReport, Inputs};
use crate::config::CONFIG_FILE;
use crate::error::Error;
use crate::render::{self, deps};
use crate::serve::Rebuild;
use crate::timings::Timings;
use crate::write::Published;
use relink::Linked;
use sources::{same_links, same_thread_links, Sources};

/// A [`Rebuild`] that keeps the site in memory between rebuilds.
#[derive(Default)]
pub struct Incremental {
    state: Option<State>,
}

impl Incremental {
    /// A rebuilder with nothing in memory yet: its first rebuild is full.
    pub fn new() -> Self {
        Self::default()
    }

    /// Waits for the bookkeeping a rebuild leaves running (the manifest
    /// written in the background), so another process sees it.
    pub fn flush(&mut self) -> Result<(), Error> {
        match &mut self.state {
            Some(state) => state.published.flush(),
            None => Ok(()),
        }
    }
}

impl Rebuild for Incremental {
    fn rebuild(&mut self, opts: &BuildOptions, changed: &[PathBuf]) -> Result<BuildReport, Error> {
        self.rebuild_in_steps(opts, changed, &mut |_| {})
    }

    /// Tells `published` the files of each commit of a change; a full
    /// build (the first, or after a configuration change) tells nothing.
    fn rebuild_in_steps(
        &mut self,
        opts: &BuildOptions,
        changed: &[PathBuf],
        published: &mut dyn FnMut(&[String]),
    ) -> Result<BuildReport, Error> {
        // Changed paths are compared with the site root: both canonical.
        let opts = &opts.resolve()?;
        let reusable = self
            .state
            .as_ref()
            .is_some_and(|s| same_options(&s.opts, opts));
        if reusable && !changed.is_empty() {
            let state = self.state.as_mut().expect("checked above");
            // The moment moves on between rebuilds (tests set it).
            state.opts.now = opts.now;
            // `None`: the change needs a full build.
            if let Some(report) = state.apply(changed, published)? {
                return Ok(report);
            }
        }
        // Whatever was kept is stale now, even if starting over fails.
        self.state = None;
        let (state, result) = State::start(opts)?;
        self.state = Some(state);
        result
    }
}

fn same_options(a: &BuildOptions, b: &BuildOptions) -> bool {
    a.source == b.source
        && a.output_dir() == b.output_dir()
        && a.base_url == b.base_url
        && a.drafts == b.drafts
        && a.future == b.future
}

/// Everything kept between rebuilds.
struct State {
    opts: BuildOptions,
    inputs: Inputs,
    ctx: crate::markdown::Context,
    sources: Sources,
    tera: Tera,
    templates: HashMap<String, u64>,
    /// The post cards and partials rendered so far: true until the theme
    /// or the configuration changes (see [`render::Fragments`]).
    fragments: Arc<render::Fragments>,
    config_hash: u64,
    /// The last site linked. After a failed build only its signatures are
    /// still true (of the output on disk).
    linked: Option<Linked>,
    /// Whether the last build succeeded; if not, the next one reloads the
    /// theme and links everything again.
    healthy: bool,
    published: Published,
    /// [`crate::build::files_digest`] of `inputs.files`, kept up to date
    /// file by file for the fingerprint each rebuild records.
    files_digest: u128,
}

/// What a change touches.
#[derive(Default)]
struct Touched {
    config: bool,
    theme: bool,
    content: Vec<PathBuf>,
}

fn classify(root: &Path, theme: &str, changed: &[PathBuf]) -> Touched {
    let mut t = Touched::default();
    for p in changed {
        let abs = if p.is_absolute() {
            p.clone()
        } else {
            root.join(p)
        };
        let Ok(rel) = abs.strip_prefix(root) else {
            continue;
        };
        // Translations are configuration: every page's words may change.
        if rel == Path::new(CONFIG_FILE) || rel.starts_with(crate::i18n::I18N_DIR) {
            t.config = true;
        } else if rel.starts_with("content") {
            t.content.push(abs);
        } else if rel.starts_with("templates")
            || rel.starts_with("static")
            || rel.starts_with(Path::new("themes").join(theme))
            || rel == Path::new("themes")
        {
            t.theme = true;
        }
    }
    t
}

impl State {
    /// Builds everything, keeping what later rebuilds reuse. A build that
    /// fails still keeps the parsed files, so fixing one recovers without
    /// starting over.
    fn start(opts: &BuildOptions) -> Result<(State, Result<BuildReport, Error>), Error> {
        let start = Instant::now();
        let mut inputs = read_inputs(opts)?;
        let mut timings = Timings::default();
        timings.stage("load", "files listed", inputs.count(), start);
        let ctx = inputs.markdown_context();
        let t = Instant::now();
        let sources = Sources::parse_all(&opts.source, &mut inputs.files, &ctx)?;
        timings.stage("parse", "files (read and parsed)", inputs.count(), t);
        let tera = render::templates(&inputs.theme.templates)?;
        let mut state = State {
            opts: opts.clone(),
            templates: deps::template_signatures(&inputs.theme.templates),
            config_hash: xxhash_rust::xxh3::xxh3_64(
                format!(
                    "{} {:?} {:?} {:?}",
                    inputs.config_file.text,
                    opts.base_url,
                    opts.drafts,
                    inputs
                        .translations
                        .iter()
                        .map(|f| &f.text)
                        .collect::<Vec<_>>()
                )
                .as_bytes(),
            ),
            published: Published::read(&opts.output_dir()),
            files_digest: crate::build::files_digest(inputs.files.all()),
            fragments: Arc::new(render::Fragments::new(&inputs.config)),
            inputs,
            ctx,
            sources,
            tera,
            linked: None,
            healthy: false,
        };
        let result = state.full_render(timings);
        state.healthy = result.is_ok();
        Ok((state, result))
    }

    /// Takes in `changed` and brings the output up to date. `None` when the
    /// change needs a full build (the configuration, the set of members).
    fn apply(
        &mut self,
        changed: &[PathBuf],
        published: &mut dyn FnMut(&[String]),
    ) -> Result<Option<BuildReport>, Error> {
        let result = self.try_apply(changed, published);
        self.healthy = matches!(result, Ok(Some(_)));
        result
    }

    fn try_apply(
        &mut self,
        changed: &[PathBuf],
        published: &mut dyn FnMut(&[String]),
    ) -> Result<Option<BuildReport>, Error> {
        let root = self.opts.source.clone();
        let touched = classify(&root, &self.inputs.config.theme, changed);
        if touched.config {
            return Ok(None);
        }
        let mut timings = Timings::default();
        let t = Instant::now();
        let reload_theme = touched.theme || !self.healthy;
        if reload_theme {
            self.inputs.theme = crate::theme::load(&root, &self.inputs.config.theme)?;
            self.templates = deps::template_signatures(&self.inputs.theme.templates);
            // A broken template fails this rebuild; the next one reloads.
            self.tera = render::templates(&self.inputs.theme.templates)?;
        }
        if reload_theme || self.fragments.is_full() {
            self.fragments = Arc::new(render::Fragments::new(&self.inputs.config));
        }
        let members_before: Vec<PathBuf> = self
            .inputs
            .files
            .members
            .iter()
            .map(|f| f.abs.clone())
            .collect();
        // The changed files' part of the digest, before and after.
        let mut paths: Vec<&PathBuf> = touched.content.iter().collect();
        paths.sort();
        paths.dedup();
        let digest_of = |files: &crate::load::ContentFiles| {
            paths
                .iter()
                .filter_map(|p| files.find(p))
                .map(crate::build::file_digest)
                .fold(0u128, u128::wrapping_add)
        };
        let digest_before = digest_of(&self.inputs.files);
        let update =
            self.sources
                .update(&root, &self.ctx, &mut self.inputs.files, &touched.content);
        self.files_digest = match &update {
            Ok(r) if !r.relisted => self
                .files_digest
                .wrapping_sub(digest_before)
                .wrapping_add(digest_of(&self.inputs.files)),
            _ => crate::build::files_digest(self.inputs.files.all()),
        };
        let mut refresh = update?;
        let members_now = self.inputs.files.members.iter().map(|f| &f.abs);
        if !members_now.eq(members_before.iter()) {
            return Ok(None);
        }
        timings.stage("parse", "files (read and parsed)", refresh.posts.len(), t);

        // A post whose front matter and links stayed as they were: patch
        // its body into the linked site instead of linking again.
        // A post whose date came since the last link is published now:
        // every listing changes.
        let now = self.opts.visibility().now;
        let patchable = !reload_theme
            && !refresh.added_or_removed
            && self
                .linked
                .as_ref()
                .is_some_and(|l| l.site.next_scheduled().is_none_or(|due| due > now))
            && refresh
                .kinds
                .iter()
                .all(|&k| k == crate::load::POSTS || k == crate::load::THREADS)
            && self.linked.is_some()
            && refresh
                .posts
                .iter()
                .all(|c| match (&c.before, &self.sources.posts[c.now]) {
                    (Some(Ok(a)), Ok(b)) => same_links(a, b),
                    _ => false,
                })
            && refresh
                .threads
                .iter()
                .all(|c| match (&c.before, &self.sources.threads[c.now]) {
                    (Some(Ok(a)), Ok(b)) => {
                        same_thread_links(a, b)
                            && self
                                .linked
                                .as_ref()
                                .is_some_and(|l| same_warnings(&l.warnings, a, b))
                    }
                    _ => false,
                });
        // What a patch of thread text alone can change, when it is no
        // more: `None` signs every job.
        let mut scope = None;
        let mut linked = match self.linked.take() {
            Some(mut linked) if patchable => {
                scope = self.patch(&mut linked, &mut refresh, &mut timings)?;
                linked
            }
            mut previous => match self.link(&mut timings, previous.as_mut()) {
                Ok(mut fresh) => {
                    match previous {
                        // The same files in the same order (a title or a
                        // tag of a post changed, no page came or went):
                        // compare signatures by position, without a map
                        // of every path.
                        Some(mut p)
                            if p.on_disk.is_none()
                                && p.replaced.is_none()
                                && same_paths(&p.plan.files, &fresh.plan.files) =>
                        {
                            fresh.signatures = std::mem::take(&mut p.signatures);
                            drop_in_background(p);
                        }
                        Some(mut p) => {
                            fresh.on_disk = Some(p.take_signatures_by_path());
                            drop_in_background(p);
                        }
                        None => {}
                    }
                    fresh
                }
                Err(e) => {
                    self.linked = previous;
                    return Err(e);
                }
            },
        };
        // Kept even on failure: its signatures still describe the output.
        // The edited files, as the site's model names its sources.
        let edited: Vec<PathBuf> = touched
            .content
            .iter()
            .filter_map(|p| p.strip_prefix(&root).ok().map(Path::to_path_buf))
            .collect();
        let result = self.render_changes(&mut linked, scope.as_ref(), &edited, published, timings);
        self.linked = Some(linked);
        result.map(Some)
    }
}

/// Whether the warnings of the last link still read true after a thread
/// went from `a` to `b` (text only): they point at entries by line, so
/// when an entry moved, a warning about the thread's file asks for a
/// relink.
fn same_warnings(
    warnings: &[crate::error::Diagnostic],
    a: &crate::parse::ParsedThread,
    b: &crate::parse::ParsedThread,
) -> bool {
    a.entries
        .iter()
        .zip(&b.entries)
        .all(|(x, y)| x.line == y.line)
        || !warnings.iter().any(|w| w.path == b.source)
}

/// Frees `value` on a thread of its own: the site linked before an edit
/// is hundreds of thousands of allocations, which the rebuild need not
/// wait for.
fn drop_in_background<T: Send + 'static>(value: T) {
    let spawned = std::thread::Builder::new()
        .name("salon-drop".into())
        .spawn(move || drop(value));
    // When the system refuses a thread, `spawn` drops the closure, and
    // `value` with it, on this thread: the same, only slower.
    drop(spawned);
}

/// Whether two plans write the same files in the same order.
pub(super) fn same_paths(
    a: &[(render::Job, crate::url::OutputPath)],
    b: &[(render::Job, crate::url::OutputPath)],
) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|((_, x), (_, y))| x == y)
}
