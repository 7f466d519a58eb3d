//! Patching an edit into the linked site in place, where linking again
//! is not needed: a post whose front matter and links stayed gets its new
//! body, a thread whose messages changed only their text gets the new
//! text. The search index, summaries and cards of what changed follow;
//! everything else of the site is left as it is.

use std::time::{Duration, Instant};

use super::publish::Scope;
use super::relink::{search_files, Linked};
use super::sources::Refresh;
use super::State;
use crate::error::Error;
use crate::link;
use crate::render::{self, deps};
use crate::timings::Timings;

impl State {
    /// Patches the posts and threads `refresh` names (checked patchable)
    /// into `linked`. Returns what a patch of thread text alone can
    /// change, the jobs to sign; `None` when every job may read it.
    pub(super) fn patch(
        &self,
        linked: &mut Linked,
        refresh: &mut Refresh,
        timings: &mut Timings,
    ) -> Result<Option<Scope>, Error> {
        let t = Instant::now();
        let mut index_updated = true;
        let mut threads_patched = Scope::default();
        let threads_only = refresh.posts.is_empty();
        let files_before = search_files(&linked.index);
        // The parts of the patch that read a whole thread, timed
        // apart for the watch benchmark.
        let (mut analyzed, mut replacing) = (Duration::ZERO, Duration::ZERO);
        let patched = refresh.posts.len() + refresh.threads.len();
        for c in std::mem::take(&mut refresh.posts) {
            let Ok(post) = &self.sources.posts[c.now] else {
                unreachable!("checked above")
            };
            // A draft left out of this build has no page to patch.
            let Some(&i) = linked.post_at.get(&post.source) else {
                continue;
            };
            let body = link::resolve_post_body(&linked.site, i, &post.body);
            // Same links, maybe on other lines: check them again
            // at the next relink.
            if body.refs != linked.site.posts[i].body.refs {
                linked.link_warnings = None;
            }
            let before = crate::search::analyze_post(&linked.site, i);
            linked.site.posts[i].body = body;
            let after = crate::search::analyze_post(&linked.site, i);
            index_updated &= linked.index.replace_post(before, after);
            linked.summaries[i] = render::PostSummary::new(&linked.site, i);
            linked.summary_keys[i] = deps::summary_key(&linked.site, i);
            linked
                .cards
                .update_post(&linked.site, i, &linked.summaries[i]);
        }
        for c in std::mem::take(&mut refresh.threads) {
            let Ok(thread) = &self.sources.threads[c.now] else {
                unreachable!("checked above")
            };
            // A draft left out of this build has no page to patch.
            let Some(&i) = linked.thread_at.get(&thread.source) else {
                continue;
            };
            let texts = link::resolve_thread_entries(&linked.site, i, &thread.entries);
            // The thread as it becomes, beside the site's: the two are
            // read as search documents at once, as a long thread is
            // megabytes of text.
            let mut now = linked.site.threads[i].clone();
            // The entries whose text changed: only their writers'
            // feeds and pages can show it.
            let mut changed = Vec::new();
            for (e, ((entry, parsed), text)) in now
                .entries
                .iter_mut()
                .zip(&thread.entries)
                .zip(texts)
                .enumerate()
            {
                // Same links, maybe on other lines: check them
                // again at the next relink.
                if entry.refs != parsed.refs {
                    entry.refs = parsed.refs.clone();
                    linked.link_warnings = None;
                }
                if entry.text != text {
                    changed.push(e);
                    entry.text = text;
                }
            }
            let tp = Instant::now();
            let (before, after) = rayon::join(
                || crate::search::analyze_thread(&linked.site, &linked.site.threads[i]),
                || crate::search::analyze_thread(&linked.site, &now),
            );
            analyzed += tp.elapsed();
            linked.site.threads[i] = now;
            let tp = Instant::now();
            index_updated &= linked.index.replace_post(before, after);
            replacing += tp.elapsed();
            linked.cards.update_thread(&linked.site, i, &changed);
            threads_patched.add_thread(&linked.site, i, &changed);
        }
        timings.took("  analyze", "threads", patched, analyzed);
        timings.took("  replace", "documents", patched, replacing);
        timings.stage("link", "posts and threads patched", patched, t);
        let t = Instant::now();
        if !index_updated {
            linked.index = crate::search::build_for_updates(&linked.site);
        }
        if search_files(&linked.index) != files_before {
            // The index has other shards now: its files are
            // replaced in the plan, the others stay where they are
            // (so do their signatures); failing that, plan again.
            let replaced = (linked.on_disk.is_none()
                && linked.replaced.is_none()
                && linked.signatures.len() == linked.plan.files.len())
            .then(|| render::plan_search_again(&mut linked.plan, &linked.index))
            .flatten();
            match replaced {
                Some(r) => {
                    let run = r.start..r.start + r.old_len;
                    let old: Vec<u64> = linked.signatures[run.clone()].to_vec();
                    // A new file was never written: no signature
                    // (0 stands for none) matches its own.
                    let now = r.was.iter().map(|w| w.map_or(0, |k| old[k]));
                    linked.signatures.splice(run, now);
                    linked.replaced = Some((r.dropped, r.added));
                }
                None => {
                    let plan = render::plan_again(
                        &linked.site,
                        &self.inputs.theme.assets,
                        &linked.index,
                        Some(&linked.plan),
                    )
                    .map_err(|d| Error::Content(d.into_sorted()))?;
                    linked.on_disk = Some(linked.take_signatures_by_path());
                    linked.plan = plan;
                }
            }
        }
        timings.stage("index", "documents", linked.index.doc_count(), t);
        Ok((threads_only && linked.on_disk.is_none()).then_some(threads_patched))
    }
}
