//! Rendering what a change touched and writing what it changed.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use rayon::prelude::*;
use rustc_hash::FxHashSet;

use super::{Linked, State};
use crate::build::{BuildReport, InputStamp, Inputs};
use crate::error::Error;
use crate::model::{MemberIdx, Site, ThreadIdx};
use crate::render::{deps, FeedKind, Fragments, Job, Renderer};
use crate::timings::Timings;
use crate::url::OutputPath;
use crate::write::{Output, Planned, Published, WriteReport};

/// The jobs whose signature a patch of thread text can change: every
/// other job signs as it did, so only these are signed again. Keep in
/// step with what [`deps::signature`] reads of entry text and of the
/// cards [`deps::Cards::update_thread`] recomputes.
#[derive(Default)]
pub(super) struct Scope {
    /// Threads whose messages' text changed.
    threads: Vec<ThreadIdx>,
    /// The member pages listing a message whose text changed, as
    /// (member, page), sorted: a prolific writer's other pages (hundreds,
    /// on a big list) list other messages.
    member_pages: Vec<(MemberIdx, usize)>,
    /// The writers of those messages, sorted: their feeds may carry them.
    writers: Vec<MemberIdx>,
}

impl Scope {
    /// Adds thread `i` of `site`, whose entries `changed` (by index) have
    /// new text.
    pub(super) fn add_thread(&mut self, site: &Site, i: ThreadIdx, changed: &[usize]) {
        self.threads.push(i);
        let per = site.config.paginate_entries.max(1);
        for &e in changed {
            let Some(m) = site.threads[i].entries[e].by.member else {
                continue;
            };
            self.writers.push(m);
            // A member's pages list their messages `per` a page, in the
            // order of `entries` (see `deps::signature`).
            if let Some(at) = site.members[m].entries.iter().position(|&x| x == (i, e)) {
                self.member_pages.push((m, at / per + 1));
            }
        }
        self.writers.sort_unstable();
        self.writers.dedup();
        self.member_pages.sort_unstable();
        self.member_pages.dedup();
    }

    /// Whether `job` can read what changed.
    fn holds(&self, job: &Job) -> bool {
        match job {
            Job::Thread { thread, .. }
            | Job::Feed(FeedKind::Thread(thread))
            | Job::JsonFeed(FeedKind::Thread(thread)) => self.threads.contains(thread),
            Job::Member { member, page } => {
                self.member_pages.binary_search(&(*member, *page)).is_ok()
            }
            Job::Feed(FeedKind::Member(member)) | Job::JsonFeed(FeedKind::Member(member)) => {
                self.writers.binary_search(member).is_ok()
            }
            // The thread's document in the search index.
            Job::Search | Job::SearchIndex(_) => true,
            _ => false,
        }
    }
}

impl State {
    /// The first build: everything rendered and brought into the output
    /// folder as `salon build` does (foreign files kept, stale ones gone).
    pub(super) fn full_render(&mut self, mut timings: Timings) -> Result<BuildReport, Error> {
        let mut linked = self.link(&mut timings, None)?;
        let out_dir = self.opts.output_dir();
        // The last rebuild's commit ends in the background: let it end
        // before the folder is opened (and checked for interrupted ones).
        let _ = self.published.flush();
        let output = Output::open(&out_dir)?;
        // Opening finished whatever an interrupted build left.
        self.published = Published::read(&out_dir);
        let t = Instant::now();
        let renderer = self.renderer(&linked);
        renderer.render_all(&linked.plan.files, |path, bytes| output.stage(path, bytes))?;
        timings.stage("render", "files", linked.plan.files.len(), t);
        let t = Instant::now();
        let written = output.commit(self.stamp(&linked))?;
        timings.stage("write", "files written", written.written, t);
        self.published = Published::read(&out_dir);
        linked.signatures = self.sign(&linked);
        let report = BuildReport {
            output: out_dir,
            files: linked.plan.files.len(),
            rendered: linked.plan.files.len(),
            written: written.written,
            unchanged: written.unchanged,
            removed: written.removed,
            foreign: written.foreign,
            notices: written.notices,
            up_to_date: false,
            posts: linked.site.posts.len(),
            scheduled: linked.site.scheduled.len(),
            next_scheduled: linked.site.next_scheduled(),
            held: linked.site.held,
            warnings: linked.warnings.clone(),
            timings,
        };
        self.linked = Some(linked);
        Ok(report)
    }

    /// What the manifest records of this build's inputs.
    fn stamp(&self, linked: &Linked) -> u128 {
        let fingerprint = self.inputs.fingerprint_with(&self.opts, self.files_digest);
        debug_assert_eq!(
            fingerprint,
            self.inputs.fingerprint(&self.opts),
            "the content files' digest was not kept up to date"
        );
        InputStamp::new(fingerprint, linked.site.next_scheduled()).0
    }

    /// A renderer of `linked` with the current templates and assets.
    pub(super) fn renderer<'a>(&'a self, linked: &'a Linked) -> Renderer<'a> {
        renderer(&self.tera, &self.inputs, &self.fragments, linked)
    }

    fn deps_inputs<'a>(&'a self, linked: &'a Linked) -> deps::Inputs<'a> {
        deps::Inputs {
            site: &linked.site,
            cards: &linked.cards,
            templates: &self.templates,
            assets: &self.inputs.theme.assets,
            config: self.config_hash,
            index: &linked.index,
        }
    }

    pub(super) fn sign(&self, linked: &Linked) -> Vec<u64> {
        deps::signatures(&self.deps_inputs(linked), &linked.plan.files)
    }

    /// The signature of every job of `linked`: within `scope` signed
    /// again, the others as last written.
    fn sign_scope(&self, linked: &Linked, scope: &Scope) -> Vec<u64> {
        let inputs = self.deps_inputs(linked);
        let jobs = &linked.plan.files;
        let mut signatures = linked.signatures.clone();
        let again: Vec<(usize, u64)> = jobs
            .par_iter()
            .enumerate()
            .filter(|(_, (job, _))| scope.holds(job))
            .map(|(i, (job, path))| (i, deps::signature(&inputs, job, path)))
            .collect();
        for (i, s) in again {
            signatures[i] = s;
        }
        // Tests check the scope against signing everything.
        debug_assert_eq!(
            signatures,
            self.sign(linked),
            "a job outside the scope of a thread text patch signs differently"
        );
        signatures
    }

    /// Renders the jobs of `linked` whose signature changed and writes the
    /// files whose bytes changed. On success the new signatures are kept.
    /// With a `scope` (a patch of thread text; `linked` holds the
    /// signatures of its plan's files as written), only the jobs it holds
    /// are signed again.
    ///
    /// When the change rewrites many other pages (a tag taken off a post
    /// moves every later post of that tag's listing), the pages of the
    /// `edited` files themselves (paths relative to the site folder) are
    /// published first, in a commit of their own, and the rest after: the
    /// tab showing the edited post does not wait for the listings.
    /// `published` is told the files of each commit. Should the rest fail,
    /// the first commit is undone: a failed rebuild leaves the output as
    /// it was.
    pub(super) fn render_changes(
        &mut self,
        linked: &mut Linked,
        scope: Option<&Scope>,
        edited: &[PathBuf],
        published: &mut dyn FnMut(&[String]),
        mut timings: Timings,
    ) -> Result<BuildReport, Error> {
        let t = Instant::now();
        let signatures = match scope {
            Some(scope)
                if linked.on_disk.is_none()
                    && linked.signatures.len() == linked.plan.files.len() =>
            {
                self.sign_scope(linked, scope)
            }
            _ => self.sign(linked),
        };
        let dirty: Vec<&(Job, OutputPath)> = linked
            .plan
            .files
            .iter()
            .enumerate()
            .filter(|(i, (_, path))| {
                let was = match &linked.on_disk {
                    Some(by_path) => by_path.get(path.as_str()),
                    None => linked.signatures.get(*i),
                };
                was != Some(&signatures[*i])
            })
            .map(|(_, job)| job)
            .collect();
        timings.stage("sign", "files to render", dirty.len(), t);
        let rendered_count = dirty.len();
        let (first, rest) = first_step(&linked.site, dirty, edited);

        // No path map kept (`on_disk`): the plan is the one whose files
        // the folder holds, so none is stale. Equal counts are a cheap
        // second check of that. Worked out before a first step writes.
        let same_files = linked.on_disk.is_none()
            && linked.replaced.is_none()
            && self.published.len() == linked.plan.files.len();
        // Search files replaced in the plan: the others are the folder's.
        let without = match (&linked.on_disk, &linked.replaced) {
            (None, Some((gone, came))) => {
                let gone_known = gone.iter().filter(|p| self.published.has(p)).count();
                let came_new = came.iter().filter(|p| !self.published.has(p)).count();
                (self.published.len() + came_new == linked.plan.files.len() + gone_known)
                    .then_some(gone.as_slice())
            }
            _ => None,
        };
        // `None`: the plan's paths are looked up, after the first step.
        let known = if same_files {
            Some(Planned::Same)
        } else {
            without.map(Planned::Without)
        };
        let ts = Instant::now();
        let stamp = self.stamp(linked);
        timings.took("  stamp", "", 0, ts.elapsed());

        // Borrowed apart: the folder is written between two renders.
        let State {
            tera,
            inputs,
            fragments,
            published: folder,
            ..
        } = self;
        let renderer = renderer(tera, inputs, fragments, linked);
        let mut written = WriteReport::default();
        let mut undo = None;
        let t = Instant::now();
        let files = if first.is_empty() {
            Vec::new()
        } else {
            render(&renderer, &first, folder)?
        };
        if !files.is_empty() {
            undo = Some(Undo::read(folder, &files)?);
            let paths = paths_of(&files);
            let step = folder.update(files, Planned::Same, InputStamp::PARTIAL.0)?;
            published(&paths);
            timings.stage("first", "edited pages published", step.written, t);
            written = step;
        }
        let now: FxHashSet<&str>;
        let planned = match known {
            Some(planned) => planned,
            None => {
                now = linked.plan.files.iter().map(|(_, p)| p.as_str()).collect();
                Planned::Files(&now)
            }
        };
        let t = Instant::now();
        let rest_result = render(&renderer, &rest, folder);
        timings.stage("render", "files", rest.len(), t);
        let t = Instant::now();
        let step = rest_result.and_then(|files| {
            let paths = paths_of(&files);
            Ok((folder.update(files, planned, stamp)?, paths))
        });
        let (step, mut paths) = match (step, undo) {
            (Ok(step), _) => step,
            (Err(e), Some(undo)) => {
                // Best effort: the error that matters is the first.
                if let Ok(back) = undo.apply(folder) {
                    published(&back);
                }
                return Err(e);
            }
            (Err(e), None) => return Err(e),
        };
        paths.extend(step.stale.iter().cloned());
        if !paths.is_empty() {
            published(&paths);
        }
        timings.stage("write", "files written", step.written, t);
        // The first step's files count as unchanged by the second.
        written.unchanged = step.unchanged.saturating_sub(written.written);
        written.written += step.written;
        written.removed = step.removed;
        written.notices.extend(step.notices);

        linked.signatures = signatures;
        linked.on_disk = None;
        linked.replaced = None;
        let report = BuildReport {
            output: self.opts.output_dir(),
            files: linked.plan.files.len(),
            rendered: rendered_count,
            written: written.written,
            unchanged: written.unchanged,
            removed: written.removed,
            foreign: Vec::new(),
            notices: written.notices,
            up_to_date: false,
            posts: linked.site.posts.len(),
            scheduled: linked.site.scheduled.len(),
            next_scheduled: linked.site.next_scheduled(),
            held: linked.site.held,
            warnings: linked.warnings.clone(),
            timings,
        };
        Ok(report)
    }
}

/// A renderer of `linked` with these templates and assets.
fn renderer<'a>(
    tera: &'a tera::Tera,
    inputs: &'a Inputs,
    fragments: &Arc<Fragments>,
    linked: &'a Linked,
) -> Renderer<'a> {
    Renderer::new(
        &linked.site,
        tera,
        &inputs.theme.assets,
        &linked.summaries,
        &linked.index,
        Arc::clone(fragments),
    )
}

/// Past how many other pages to render a change publishes the edited
/// pages first: about 30 ms of rendering on two cores, against a few
/// milliseconds for a commit of their own.
const FIRST_STEP_ABOVE: usize = 64;

/// A job to render and the file it writes.
type Dirty<'a> = &'a (Job, OutputPath);

/// The dirty jobs split into those published first (the pages of the
/// `edited` files) and the rest; nothing first when the rest is short.
fn first_step<'a>(
    site: &Site,
    dirty: Vec<Dirty<'a>>,
    edited: &[PathBuf],
) -> (Vec<Dirty<'a>>, Vec<Dirty<'a>>) {
    if dirty.len() <= FIRST_STEP_ABOVE || edited.is_empty() {
        return (Vec::new(), dirty);
    }
    let (first, rest): (Vec<_>, Vec<_>) = dirty
        .into_iter()
        .partition(|(job, _)| shows_edited(site, job, edited));
    if rest.len() <= FIRST_STEP_ABOVE {
        let mut all = first;
        all.extend(rest);
        return (Vec::new(), all);
    }
    (first, rest)
}

/// Whether `job` is the page (or a page) of one of the `edited` files.
fn shows_edited(site: &Site, job: &Job, edited: &[PathBuf]) -> bool {
    let source = match job {
        Job::Post(p) => &site.posts[*p].source,
        Job::Page(p) => &site.pages[*p].source,
        Job::Thread { thread, .. } => &site.threads[*thread].source,
        Job::Member { member, .. } => &site.members[*member].source,
        _ => return false,
    };
    edited.iter().any(|e| e == source)
}

/// Renders `jobs` in parallel: the files whose bytes differ from the
/// folder's.
fn render(
    renderer: &Renderer<'_>,
    jobs: &[&(Job, OutputPath)],
    folder: &Published,
) -> Result<Vec<(OutputPath, Vec<u8>)>, Error> {
    let rendered: Vec<(OutputPath, Vec<u8>)> = jobs
        .par_iter()
        .map(|(job, path)| Ok((path.clone(), renderer.render(job, path)?)))
        .collect::<Result<_, Error>>()?;
    Ok(rendered
        .into_iter()
        .filter(|(p, b)| !folder.holds(p, b))
        .collect())
}

/// The paths of `files`, for open tabs.
fn paths_of(files: &[(OutputPath, Vec<u8>)]) -> Vec<String> {
    files.iter().map(|(p, _)| p.as_str().to_owned()).collect()
}

/// The files a first step replaces, as they were: put back when the rest
/// of the change fails.
struct Undo {
    /// Files the folder held, with their bytes.
    held: Vec<(OutputPath, Vec<u8>)>,
    /// Files the step makes that were not there.
    made: Vec<OutputPath>,
    /// The stamp of the folder's inputs.
    inputs: u128,
}

impl Undo {
    /// What `folder` holds of `files`, read before they are written.
    fn read(folder: &Published, files: &[(OutputPath, Vec<u8>)]) -> Result<Undo, Error> {
        let mut undo = Undo {
            held: Vec::new(),
            made: Vec::new(),
            inputs: folder.inputs().unwrap_or(InputStamp::PARTIAL.0),
        };
        for (path, _) in files {
            if folder.has(path) {
                let abs = folder.dir().join(path.as_str());
                let bytes = std::fs::read(&abs).map_err(|e| Error::io(&abs, e))?;
                undo.held.push((path.clone(), bytes));
            } else {
                undo.made.push(path.clone());
            }
        }
        Ok(undo)
    }

    /// Puts the files back; the files it changed.
    fn apply(self, folder: &mut Published) -> Result<Vec<String>, Error> {
        let mut files = paths_of(&self.held);
        files.extend(self.made.iter().map(|p| p.as_str().to_owned()));
        folder.update(self.held, Planned::Without(&self.made), self.inputs)?;
        Ok(files)
    }
}
