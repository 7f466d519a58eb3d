//! Rendering what a change touched and writing what it changed.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Instant;

use rayon::prelude::*;

use super::{Linked, State};
use crate::build::{BuildReport, InputStamp};
use crate::error::Error;
use crate::model::{MemberIdx, Site, ThreadIdx};
use crate::render::{deps, FeedKind, Job, Renderer};
use crate::timings::Timings;
use crate::url::OutputPath;
use crate::write::{Output, Planned, Published};

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
        Renderer::new(
            &linked.site,
            &self.tera,
            &self.inputs.theme.assets,
            &linked.summaries,
            &linked.index,
            Arc::clone(&self.fragments),
        )
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
    pub(super) fn render_changes(
        &mut self,
        linked: &mut Linked,
        scope: Option<&Scope>,
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

        let t = Instant::now();
        let renderer = self.renderer(linked);
        let rendered: Vec<(OutputPath, Vec<u8>)> = dirty
            .par_iter()
            .map(|(job, path)| Ok((path.clone(), renderer.render(job, path)?)))
            .collect::<Result<_, Error>>()?;
        let rendered_count = rendered.len();
        let changed_files: Vec<(OutputPath, Vec<u8>)> = rendered
            .into_iter()
            .filter(|(p, b)| !self.published.holds(p, b))
            .collect();
        timings.stage("render", "files", rendered_count, t);

        let t = Instant::now();
        // No path map kept (`on_disk`): the plan is the one whose files
        // the folder holds, so none is stale. Equal counts are a cheap
        // second check of that.
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
        let now: HashSet<&str>;
        let planned = if same_files {
            Planned::Same
        } else if let Some(gone) = without {
            Planned::Without(gone)
        } else {
            now = linked.plan.files.iter().map(|(_, p)| p.as_str()).collect();
            Planned::Files(&now)
        };
        let ts = Instant::now();
        let stamp = self.stamp(linked);
        timings.took("  stamp", "", 0, ts.elapsed());
        let written = self.published.update(changed_files, planned, stamp)?;
        timings.stage("write", "files written", written.written, t);
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
