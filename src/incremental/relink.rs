//! Linking the parsed files again after a change, lending the previous
//! link what it cannot have changed: summaries, cards, the search index.

use std::collections::HashMap;

use rustc_hash::FxHashMap;
use std::path::PathBuf;
use std::time::Instant;

use rayon::prelude::*;

use super::State;
use crate::error::{Diagnostic, Diagnostics, Error};
use crate::link;
use crate::model::{PostIdx, Site, ThreadIdx};
use crate::render::{self, deps};
use crate::timings::Timings;
use crate::url::OutputPath;

/// The linked site and what was rendered from it.
pub(super) struct Linked {
    pub(super) site: Site,
    pub(super) summaries: Vec<render::PostSummary>,
    /// [`deps::summary_key`] of each post.
    pub(super) summary_keys: Vec<u64>,
    /// The search index.
    pub(super) index: crate::search::Index,
    pub(super) cards: deps::Cards,
    /// Every file of the site, checked.
    pub(super) plan: render::Plan,
    /// Signature of each file as last written, in the order of the plan.
    pub(super) signatures: Vec<u64>,
    /// After linking again, until the output is written: the signatures
    /// of the files on disk, by path (jobs moved).
    pub(super) on_disk: Option<FxHashMap<String, u64>>,
    /// Until the output is written, when `on_disk` is `None`: the files
    /// the plan no longer has and those it has anew, since the plan the
    /// output folder holds (search files replaced in place).
    pub(super) replaced: Option<(Vec<OutputPath>, Vec<OutputPath>)>,
    /// Posts by source file.
    pub(super) post_at: HashMap<PathBuf, PostIdx>,
    /// Threads by source file: a patched thread is found without a pass
    /// over the 150,000 threads of a million-message list.
    pub(super) thread_at: HashMap<PathBuf, ThreadIdx>,
    pub(super) warnings: Vec<Diagnostic>,
    /// What checking the links of `site` against `jobs` found (warnings
    /// only: the site linked); `None` once a patched body moved its
    /// references, so the positions would be stale.
    pub(super) link_warnings: Option<Vec<Diagnostic>>,
}

impl Linked {
    /// The signatures of the files on disk, by path, taken as its plan is
    /// replaced or the site dropped: the plan's paths are moved into the
    /// map, not copied (24,000 of them on the 10,000-post site, before the
    /// edited page is out).
    pub(super) fn take_signatures_by_path(&mut self) -> FxHashMap<String, u64> {
        match self.on_disk.take() {
            Some(by_path) => by_path,
            None => std::mem::take(&mut self.plan.files)
                .into_iter()
                .map(|(_, path)| path.into_string())
                .zip(self.signatures.iter().copied())
                .collect(),
        }
    }
}

/// The files an index is written as: its term shard keys, its number of
/// document shards, and whether it has a fold table.
pub(super) fn search_files(index: &crate::search::Index) -> (Vec<String>, usize, bool) {
    (
        index.term_shards().iter().map(|s| s.key.clone()).collect(),
        index.doc_shards(),
        index.has_fold(),
    )
}

impl State {
    /// Links the parsed files and checks them: the linked site, or every
    /// error found.
    /// `previous` lends the summaries and cards of posts whose summary
    /// inputs did not change.
    pub(super) fn link(
        &self,
        timings: &mut Timings,
        mut previous: Option<&mut Linked>,
    ) -> Result<Linked, Error> {
        let t = Instant::now();
        let mut diags = Diagnostics::new();
        let parsed = self.sources.parsed(&mut diags);
        let site = link::link(
            &self.inputs.config,
            parsed,
            &self.opts.visibility(),
            previous.as_deref().map(|p| &p.site),
            &mut diags,
        );
        timings.stage("link", "posts", site.posts.len(), t);
        // Planning and checking run beside the summaries of posts whose
        // summary inputs changed (the others are moved out of `previous`
        // once the site is known to be good).
        let t = Instant::now();
        let previous_at: HashMap<u64, usize> = previous
            .as_ref()
            .map(|p| {
                p.summary_keys
                    .iter()
                    .enumerate()
                    .map(|(i, &k)| (k, i))
                    .collect()
            })
            .unwrap_or_default();
        // The previous index, brought up to date by reading only the
        // documents that changed (a placeholder stays behind, so a failed
        // link leaves nothing half updated).
        let index = previous
            .as_deref_mut()
            .map(|p| std::mem::replace(&mut p.index, crate::search::Index::placeholder()));
        let old_cards = previous.as_deref().map(|p| &p.cards);
        let earlier = previous.as_deref().map(|p| deps::Earlier {
            site: &p.site,
            cards: &p.cards,
        });
        // Posts linked to the same comments as before: by comment key.
        let comments_at = previous
            .as_deref()
            .map(|p| p.site.posts_by_comments_key())
            .unwrap_or_default();
        let old_links = previous
            .as_deref()
            .and_then(|p| Some((&p.plan.files, &p.site, p.link_warnings.as_ref()?)));
        let last_plan = previous.as_deref().map(|p| &p.plan);
        // Each side's parts are timed apart, for the watch benchmark.
        let (planned, (keys, summaries, cards)) = rayon::join(
            || {
                let t = Instant::now();
                let mut index = index;
                let updated = index.as_mut().is_some_and(|index| index.update(&site));
                let index = match (updated, index) {
                    (true, Some(index)) => index,
                    _ => crate::search::build_for_updates(&site),
                };
                let index_took = t.elapsed();
                let t = Instant::now();
                let plan = render::plan_again(&site, &self.inputs.theme.assets, &index, last_plan)?;
                let plan_took = t.elapsed();
                let t = Instant::now();
                // A title or a tag changed, and no file went (the same
                // files, or more with nothing found before): the links
                // check as they did.
                let broken = match old_links {
                    Some((old_jobs, old_site, found))
                        if (super::same_paths(old_jobs, &plan.files)
                            || (plan.drops_nothing() && found.is_empty()))
                            && same_refs(old_site, &site) =>
                    {
                        let mut kept = Diagnostics::new();
                        kept.extend(found.iter().cloned());
                        kept
                    }
                    _ => render::check_links(&site, &plan.files),
                };
                let took = [index_took, plan_took, t.elapsed()];
                Ok::<_, Diagnostics>((plan, broken, index, took))
            },
            || {
                let t = Instant::now();
                let keys: Vec<u64> = (0..site.posts.len())
                    .into_par_iter()
                    .map(|i| deps::summary_key(&site, i))
                    .collect();
                let fresh = render::summaries_where(&site, |i| !previous_at.contains_key(&keys[i]));
                // A kept summary's card is kept too: `fresh` is only read
                // for the others.
                let known: Vec<Option<(u64, u64)>> = keys
                    .iter()
                    .map(|k| {
                        let (cards, j) = (old_cards?, *previous_at.get(k)?);
                        Some((cards.post[j], cards.post_line[j]))
                    })
                    .collect();
                // Comments linked as before hash as before.
                let known_comments: Vec<Option<&[u64]>> = site
                    .posts
                    .iter()
                    .map(|p| {
                        let j = *comments_at.get(&p.comments_key)?;
                        Some(old_cards?.comment[j].as_slice())
                    })
                    .collect();
                let summaries_took = t.elapsed();
                let t = Instant::now();
                let cards = deps::Cards::new(&site, &fresh, &known, &known_comments, earlier);
                let took = [summaries_took, t.elapsed()];
                (keys, (fresh, took), cards)
            },
        );
        let (mut summaries, [summaries_took, cards_took]) = summaries;
        let link_warnings;
        let (plan, index) = match planned {
            Ok((plan, broken, index, [index_took, plan_took, links_took])) => {
                link_warnings = Some(broken.warnings());
                diags.extend(broken);
                timings.took("  index", "documents", index.doc_count(), index_took);
                timings.took("  plan", "files", plan.len(), plan_took);
                timings.took("  links", "files", plan.len(), links_took);
                timings.took("  summaries", "posts", site.posts.len(), summaries_took);
                timings.took("  cards", "posts", site.posts.len(), cards_took);
                (plan, index)
            }
            Err(d) => {
                diags.extend(d);
                return Err(Error::Content(diags.into_sorted()));
            }
        };
        if diags.has_errors() {
            return Err(Error::Content(diags.into_sorted()));
        }
        if let Some(prev) = previous {
            for (i, k) in keys.iter().enumerate() {
                if let Some(&j) = previous_at.get(k) {
                    summaries[i] = std::mem::take(&mut prev.summaries[j]);
                }
            }
        }
        timings.stage(
            "index, plan, summaries, cards",
            "files planned",
            plan.len(),
            t,
        );
        Ok(Linked {
            post_at: site
                .posts
                .iter()
                .enumerate()
                .map(|(i, p)| (p.source.clone(), i))
                .collect(),
            thread_at: site
                .threads
                .iter()
                .enumerate()
                .map(|(i, t)| (t.source.clone(), i))
                .collect(),
            site,
            summaries,
            summary_keys: keys,
            index,
            cards,
            plan,
            signatures: Vec::new(),
            on_disk: None,
            replaced: None,
            warnings: diags.warnings(),
            link_warnings,
        })
    }
}

/// Whether every document of `a` and `b` comes from the same file and
/// holds the same references in the same places, and the same posts wait
/// for their date: then, against the same files, links check the same.
fn same_refs(a: &Site, b: &Site) -> bool {
    use crate::markdown::Rendered;
    use std::sync::Arc;
    // Bodies not parsed again are shared: most compare by address.
    fn same(x: &Arc<Rendered>, y: &Arc<Rendered>) -> bool {
        Arc::ptr_eq(x, y) || x.refs == y.refs
    }
    a.posts.len() == b.posts.len()
        && a.posts
            .iter()
            .zip(&b.posts)
            .all(|(x, y)| x.source == y.source && same(&x.body, &y.body))
        && a.pages.len() == b.pages.len()
        && a.pages
            .iter()
            .zip(&b.pages)
            .all(|(x, y)| x.source == y.source && same(&x.body, &y.body))
        && a.members.len() == b.members.len()
        && a.members
            .iter()
            .zip(&b.members)
            .all(|(x, y)| x.source == y.source && same(&x.bio, &y.bio))
        && a.threads.len() == b.threads.len()
        && a.threads.iter().zip(&b.threads).all(|(x, y)| {
            x.source == y.source
                && same(&x.intro, &y.intro)
                && x.entries.len() == y.entries.len()
                && x.entries
                    .iter()
                    .zip(&y.entries)
                    .all(|(e, f)| e.refs == f.refs)
        })
        && a.scheduled.len() == b.scheduled.len()
        && a.scheduled
            .iter()
            .zip(&b.scheduled)
            .all(|(x, y)| x.slug == y.slug && x.path == y.path && x.date == y.date)
}
