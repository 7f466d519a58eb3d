//! Claiming output paths: each file of a plan gets a path that stays in
//! the output folder and that no other file of the plan has, on any file
//! system (`Hello/` and `hello/` are one folder on macOS and Windows).

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use rustc_hash::FxHashMap;
use xxhash_rust::xxh3::xxh3_64;

use super::jobs::Job;
use super::plan::Plan;
use crate::error::{Diagnostic, Diagnostics};
use crate::load::AssetFile;
use crate::url::{folded, OutputPath};

/// What a plan's paths claim, as hashes of their folded forms: each file,
/// and each folder with how many files are in it (at any depth). A later
/// plan checks only its new paths against it, after taking out the paths
/// it no longer has. A hash that matches by chance only sends that plan
/// through the full check.
#[derive(Debug, Clone, Default)]
pub struct Claimed {
    files: rustc_hash::FxHashSet<u64>,
    folders: FxHashMap<u64, u32>,
}

impl Claimed {
    /// Claims the folded path `key`.
    fn add(&mut self, key: &str) {
        self.files.insert(xxh3_64(key.as_bytes()));
        for folder in folders_of(key) {
            *self.folders.entry(xxh3_64(folder.as_bytes())).or_default() += 1;
        }
    }

    /// Gives the folded path `key` up.
    fn remove(&mut self, key: &str) {
        self.files.remove(&xxh3_64(key.as_bytes()));
        for folder in folders_of(key) {
            let h = xxh3_64(folder.as_bytes());
            if let Some(n) = self.folders.get_mut(&h) {
                *n -= 1;
                if *n == 0 {
                    self.folders.remove(&h);
                }
            }
        }
    }

    /// Whether the folded path `key` can be claimed: no file has it, no
    /// file is inside a folder of its name, and none of its folders is a
    /// file.
    fn admits(&self, key: &str) -> bool {
        let h = xxh3_64(key.as_bytes());
        !self.files.contains(&h)
            && !self.folders.contains_key(&h)
            && folders_of(key).all(|f| !self.files.contains(&xxh3_64(f.as_bytes())))
    }
}

/// The folders `key` is in, innermost first: `a/b/c.html` is in `a/b` and
/// `a`.
fn folders_of(key: &str) -> impl Iterator<Item = &str> {
    let mut end = key.len();
    std::iter::from_fn(move || {
        let i = key[..end].rfind('/')?;
        end = i;
        Some(&key[..i])
    })
}

/// What [`replace_run`] changed of a plan.
#[derive(Debug)]
pub struct Replaced {
    /// Where the replaced run starts in the plan's files.
    pub start: usize,
    /// How many files the run had before.
    pub old_len: usize,
    /// For each file of the new run, its place in the old run when it has
    /// the same URL (and so the same path).
    pub was: Vec<Option<usize>>,
    /// The paths of the old run that the new one no longer has.
    pub dropped: Vec<OutputPath>,
    /// The paths of the new run that the old one did not have.
    pub added: Vec<OutputPath>,
}

/// Replaces the files `run` of `plan` (generated files: no source of the
/// user's asks for them) by `now`, as (job, URL): a URL the run had keeps
/// its path, and only new paths are checked, against what the plan
/// claims less what the run drops. Costs what the run holds, not what the
/// plan does. `None`, and `plan` as it was, when a new path is bad or
/// clashes, or a URL comes twice: plan again in full then.
pub(super) fn replace_run(
    plan: &mut Plan,
    run: std::ops::Range<usize>,
    now: Vec<(Job, String)>,
) -> Option<Replaced> {
    let at: FxHashMap<&str, usize> = plan.urls[run.clone()]
        .iter()
        .enumerate()
        .map(|(k, u)| (u.as_str(), k))
        .collect();
    let mut kept = vec![false; run.len()];
    let mut was = Vec::with_capacity(now.len());
    let mut files = Vec::with_capacity(now.len());
    let mut added = Vec::new();
    for (job, url) in &now {
        let path = match at.get(url.as_str()) {
            Some(&k) => {
                if std::mem::replace(&mut kept[k], true) {
                    return None;
                }
                was.push(Some(k));
                plan.files[run.start + k].1.clone()
            }
            None => {
                let path = OutputPath::from_url(url).ok()?;
                if crate::write::is_reserved_path(path.as_str()) {
                    return None;
                }
                was.push(None);
                added.push(path.clone());
                path
            }
        };
        files.push((job.clone(), path));
    }
    let dropped: Vec<OutputPath> = kept
        .iter()
        .enumerate()
        .filter(|(_, k)| !**k)
        .map(|(k, _)| plan.files[run.start + k].1.clone())
        .collect();
    // Claims change in place: a clash puts back what was taken out.
    for p in &dropped {
        plan.claimed.remove(&folded(p.as_str()));
    }
    for (n, p) in added.iter().enumerate() {
        let key = folded(p.as_str());
        if !plan.claimed.admits(&key) {
            for p in &added[..n] {
                plan.claimed.remove(&folded(p.as_str()));
            }
            for p in &dropped {
                plan.claimed.add(&folded(p.as_str()));
            }
            return None;
        }
        plan.claimed.add(&key);
    }
    let urls: Vec<String> = now.into_iter().map(|(_, u)| u).collect();
    plan.files.splice(run.clone(), files);
    plan.urls.splice(run.clone(), urls);
    plan.dropped = Some(dropped.len());
    Some(Replaced {
        start: run.start,
        old_len: run.len(),
        was,
        dropped,
        added,
    })
}

/// [`claim_paths`] for a plan that differs from `last` in some files: a
/// file at a URL `last` had keeps the path checked then, and only the
/// paths of new files are checked, against what `last` claims less what
/// this plan no longer has. `None` when a new path is bad or clashes, or a
/// URL is planned twice: [`claim_paths`] then says what is wrong.
pub(super) fn claim_changes(
    planned: &[(Job, String, &Path)],
    assets: &[AssetFile],
    last: &Plan,
) -> Option<Plan> {
    // A static file's relative path never starts with `/`, a page's URL
    // always does: one map holds both.
    let at: FxHashMap<&str, usize> = last
        .urls
        .iter()
        .enumerate()
        .map(|(i, u)| (u.as_str(), i))
        .collect();
    let mut kept = vec![false; last.files.len()];
    let total = planned.len() + assets.len();
    let mut files: Vec<(Job, OutputPath)> = Vec::with_capacity(total);
    let mut urls: Vec<String> = Vec::with_capacity(total);
    let mut new_paths: Vec<usize> = Vec::new();
    let entries = planned
        .iter()
        .map(|(job, url, _)| (job.clone(), url.as_str(), false))
        .chain(
            assets
                .iter()
                .enumerate()
                .map(|(i, a)| (Job::Asset(i), a.rel.as_str(), true)),
        );
    for (job, url, is_asset) in entries {
        let path = match at.get(url) {
            Some(&i) if matches!(last.files[i].0, Job::Asset(_)) == is_asset => {
                if std::mem::replace(&mut kept[i], true) {
                    return None;
                }
                last.files[i].1.clone()
            }
            _ => {
                let path = if is_asset {
                    OutputPath::from_relative(url)
                } else {
                    OutputPath::from_url(url)
                };
                let path = path.ok()?;
                if crate::write::is_reserved_path(path.as_str()) {
                    return None;
                }
                new_paths.push(files.len());
                path
            }
        };
        files.push((job, path));
        urls.push(url.to_owned());
    }
    let mut claimed = last.claimed.clone();
    let mut dropped = 0;
    for (i, _) in kept.iter().enumerate().filter(|(_, k)| !**k) {
        claimed.remove(&folded(last.files[i].1.as_str()));
        dropped += 1;
    }
    for &i in &new_paths {
        let key = folded(files[i].1.as_str());
        if !claimed.admits(&key) {
            return None;
        }
        claimed.add(&key);
    }
    Some(Plan {
        files,
        urls,
        claimed,
        dropped: Some(dropped),
    })
}

/// Turns each planned URL and static file into its output path, checking
/// that every path stays in the output folder and that no two outputs
/// claim one path.
pub(super) fn claim_paths<'a>(
    planned: Vec<(Job, String, &'a Path)>,
    assets: &[AssetFile],
) -> Result<Plan, Diagnostics> {
    let mut diags = Diagnostics::new();
    let mut urls: Vec<String> = Vec::with_capacity(planned.len() + assets.len());
    let mut out: Vec<(Job, OutputPath)> = Vec::with_capacity(planned.len() + assets.len());
    // The source of each output in `out`.
    let mut sources: Vec<Cow<'a, Path>> = Vec::with_capacity(out.capacity());
    // Keyed by the folded path: `Hello/` and `hello/` are one folder on
    // macOS and Windows, and a site must deploy anywhere. The value is the
    // output's place in `out`.
    let mut owner: FxHashMap<String, usize> =
        FxHashMap::with_capacity_and_hasher(out.capacity(), Default::default());
    // Two sources that clash clash on every file they both write (a
    // member's page and feeds): one error per pair.
    let mut clashing: std::collections::HashSet<(PathBuf, PathBuf)> = Default::default();
    let mut claimed = Claimed::default();
    let mut claim = |job: Job,
                     path: Result<OutputPath, String>,
                     source: Cow<'a, Path>,
                     diags: &mut Diagnostics| {
        match path {
            Err(msg) => diags.push(
                Diagnostic::error(&source, None, format!("cannot write {msg}")).with_help(
                    "paths must stay inside the output folder: no `..`, `\\` or drive letters",
                ),
            ),
            Ok(p) if crate::write::is_reserved_path(p.as_str()) => diags.push(
                Diagnostic::error(
                    &source,
                    None,
                    format!("`{p}` is a name Salon keeps for itself in the output folder"),
                )
                .with_help("names starting with `.salon` are the build's own bookkeeping: rename the file, slug or alias"),
            ),
            Ok(p) => match owner.entry(folded(p.as_str()).into_owned()) {
                std::collections::hash_map::Entry::Occupied(first) => {
                    let first = *first.get();
                    let (first_path, first_source) = (&out[first].1, &sources[first]);
                    if !clashing.insert((source.to_path_buf(), first_source.to_path_buf())) {
                        return;
                    }
                    let how = if *first_path == p {
                        String::new()
                    } else {
                        format!(
                            " as `{first_path}`, which differs only in case or Unicode form (one file on macOS and Windows)"
                        )
                    };
                    diags.push(
                        Diagnostic::error(
                            &source,
                            None,
                            format!(
                                "`{p}` would be written twice: {} also produces it{how}",
                                first_source.display()
                            ),
                        )
                        .with_help("change a slug, an alias or the permalink pattern"),
                    );
                }
                std::collections::hash_map::Entry::Vacant(slot) => {
                    claimed.add(slot.key());
                    slot.insert(out.len());
                    out.push((job, p));
                    sources.push(source);
                }
            },
        }
    };
    for (job, url, source) in planned {
        claim(
            job,
            OutputPath::from_url(&url),
            Cow::Borrowed(source),
            &mut diags,
        );
        urls.push(url);
    }
    for (i, a) in assets.iter().enumerate() {
        claim(
            Job::Asset(i),
            OutputPath::from_relative(&a.rel),
            Cow::Owned(Path::new("static").join(&a.rel)),
            &mut diags,
        );
        urls.push(a.rel.clone());
    }
    for (file, folder, inside) in files_named_as_folders(&owner) {
        let ((_, path), source) = (&out[folder], &sources[folder]);
        let ((_, folder_path), folder_source) = (&out[inside], &sources[inside]);
        diags.push(
            Diagnostic::error(
                folder_source,
                None,
                format!(
                    "`{folder_path}` needs a folder named `{file}`, but {} writes a file of that name (`{path}`)",
                    source.display()
                ),
            )
            .with_help("change the slug, alias or permalink: it names a file the site already writes"),
        );
    }
    if diags.has_errors() {
        Err(diags)
    } else {
        Ok(Plan {
            files: out,
            urls,
            claimed,
            dropped: None,
        })
    }
}

/// Outputs whose path is a folder of another output (a page with slug
/// `feed.xml` needs `feed.xml/index.html` beside the feed `feed.xml`):
/// `(folded folder, the file's place, the place of an output inside it)`,
/// places in `owner`'s values.
fn files_named_as_folders(owner: &FxHashMap<String, usize>) -> Vec<(&str, usize, usize)> {
    let mut clashes = Vec::new();
    for (key, &inside) in owner {
        for folder in folders_of(key) {
            if let Some(&file) = owner.get(folder) {
                clashes.push((folder, file, inside, key.as_str()));
            }
        }
    }
    // One error per folder, naming the first path inside it.
    clashes.sort_by(|a, b| (a.0, a.3).cmp(&(b.0, b.3)));
    clashes.dedup_by(|a, b| a.0 == b.0);
    clashes
        .into_iter()
        .map(|(f, file, inside, _)| (f, file, inside))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A page at each URL, as the plan lists them.
    fn pages(urls: &[String]) -> Vec<(Job, String, &'static Path)> {
        urls.iter()
            .map(|u| {
                let job = Job::Redirect { to: u.clone() };
                (job, u.clone(), Path::new("content/x.md"))
            })
            .collect()
    }

    fn assets(rels: &[&str]) -> Vec<AssetFile> {
        rels.iter()
            .map(|r| AssetFile {
                rel: (*r).to_owned(),
                bytes: Vec::new(),
            })
            .collect()
    }

    fn urls(list: &[&str]) -> Vec<String> {
        list.iter().map(|u| (*u).to_owned()).collect()
    }

    /// The files of `plan` as `(job, path)` strings, to compare plans.
    fn files(plan: &Plan) -> Vec<(Job, String)> {
        plan.files
            .iter()
            .map(|(j, p)| (j.clone(), p.as_str().to_owned()))
            .collect()
    }

    #[test]
    fn new_files_are_checked_against_the_kept_ones() {
        let statics = assets(&["style.css"]);
        let last = claim_paths(pages(&urls(&["/a/", "/b/", "/feed.xml"])), &statics).unwrap();
        // A new page, a removed one: only the new path is claimed.
        let next = urls(&["/a/", "/c/", "/feed.xml"]);
        let plan = claim_changes(&pages(&next), &statics, &last).expect("no clash");
        assert_eq!(
            files(&plan),
            files(&claim_paths(pages(&next), &statics).unwrap())
        );
        // `/B/` is `/b/` on macOS, but `/b/` is gone now.
        let renamed = urls(&["/a/", "/c/", "/B/"]);
        assert!(claim_changes(&pages(&renamed), &statics, &plan).is_some());
        // Each of these clashes with a file kept, and falls back to the
        // full check, which names both sources.
        for clash in ["/A/", "/feed.xml/", "/style.css/x/", "/a/index.html"] {
            let next = urls(&["/a/", "/c/", "/feed.xml", clash]);
            assert!(
                claim_changes(&pages(&next), &statics, &plan).is_none(),
                "{clash}"
            );
            assert!(claim_paths(pages(&next), &statics).is_err(), "{clash}");
        }
        // A URL planned twice, a path out of the folder, a reserved name.
        for bad in [&["/a/", "/a/"][..], &["/../x/"], &["/.salon-manifest/"]] {
            assert!(claim_changes(&pages(&urls(bad)), &statics, &plan).is_none());
        }
    }

    proptest! {
        /// Whatever came and went since the last plan, the changes alone
        /// decide as the full check does: the same files when it passes,
        /// and a fall back to it when it fails.
        #[test]
        fn claiming_changes_agrees_with_claiming_all(
            before in proptest::collection::vec("/(a|A|b|é|é)(/(x|X|index\\.html|feed\\.xml))?/?", 0..8),
            after in proptest::collection::vec("/(a|A|b|é|é)(/(x|X|index\\.html|feed\\.xml))?/?", 0..8),
        ) {
            let statics = assets(&["a/x", "robots.txt"]);
            if let Ok(last) = claim_paths(pages(&before), &statics) {
                let full = claim_paths(pages(&after), &statics);
                match claim_changes(&pages(&after), &statics, &last) {
                    Some(plan) => {
                        let full = full.expect("the full check passes too");
                        prop_assert_eq!(files(&plan), files(&full));
                        prop_assert_eq!(&plan.urls, &full.urls);
                        // What the plan claims is what claiming it all claims.
                        prop_assert_eq!(&plan.claimed.files, &full.claimed.files);
                        prop_assert_eq!(&plan.claimed.folders, &full.claimed.folders);
                    }
                    None => prop_assert!(full.is_err(), "the full check passes: {:?}", after),
                }
            }
        }
    }
}
