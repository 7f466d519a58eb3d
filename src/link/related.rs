//! Related posts: those sharing the most tags, rarer tags weighing more.

use std::collections::HashSet;

use rayon::prelude::*;

use crate::model::*;

/// How many posts on either side (in time) of a post each of its tags
/// offers as candidates. A tag on a third of the site would otherwise make
/// this quadratic; close-in-time posts are the ones worth showing anyway.
const WINDOW: usize = 50;

/// How many related posts each post gets.
const COUNT: usize = 5;

/// Fills every post's `related`. With `previous`, the same site linked
/// before an edit, only the posts whose ranking can have changed are ranked
/// again: those carrying a tag that some post gained or lost. A post's
/// ranking reads only its own tags' weights (which change with their post
/// counts) and its own tags' post lists, so no other post can be affected.
pub fn fill(site: &mut Site, previous: Option<&Site>) {
    let stale = previous.and_then(|old| stale_posts(site, old));
    let Some((old, stale)) = previous.zip(stale) else {
        let ranked = rank(site, 0..site.posts.len());
        for (post, related) in site.posts.iter_mut().zip(ranked) {
            post.related = related;
        }
        return;
    };
    for (post, o) in site.posts.iter_mut().zip(&old.posts) {
        post.related.clone_from(&o.related);
    }
    let ranked = rank(site, stale.par_iter().copied());
    for (&p, related) in stale.iter().zip(ranked) {
        site.posts[p].related = related;
    }
}

/// The posts of `site` to rank again after `old`, or `None` when posts
/// came, went or moved, so that every index changed and all must be ranked.
fn stale_posts(site: &Site, old: &Site) -> Option<Vec<PostIdx>> {
    if site.posts.len() != old.posts.len()
        || site
            .posts
            .iter()
            .zip(&old.posts)
            .any(|(p, o)| p.source != o.source)
    {
        return None;
    }
    fn slugs<'s>(site: &'s Site, p: &Post) -> Vec<&'s str> {
        p.tags
            .iter()
            .map(|&t| site.tags.terms[t].slug.as_str())
            .collect()
    }
    // Posts whose tags changed, and the tags they gained or lost. Order
    // counts for the post itself: its scores are summed in its tag order.
    let mut stale: Vec<PostIdx> = Vec::new();
    let mut changed: HashSet<&str> = HashSet::new();
    for (i, (p, o)) in site.posts.iter().zip(&old.posts).enumerate() {
        let (now, before) = (slugs(site, p), slugs(old, o));
        if now != before {
            stale.push(i);
            changed.extend(now.iter().filter(|t| !before.contains(t)));
            changed.extend(before.iter().filter(|t| !now.contains(t)));
        }
    }
    stale.extend(
        site.tags
            .terms
            .iter()
            .filter(|t| changed.contains(t.slug.as_str()))
            .flat_map(|t| t.posts.iter().copied()),
    );
    stale.sort_unstable();
    stale.dedup();
    Some(stale)
}

/// The related posts of each of `posts`, in the same order: up to [`COUNT`],
/// best first, scored by the sum of ln(1 + posts / posts-with-tag) over
/// shared tags; ties go to the newer post.
fn rank(site: &Site, posts: impl IntoParallelIterator<Item = PostIdx>) -> Vec<Vec<PostIdx>> {
    let total = site.posts.len() as f64;
    let weight: Vec<f64> = site
        .tags
        .terms
        .iter()
        .map(|t| (1.0 + total / t.posts.len().max(1) as f64).ln())
        .collect();
    posts
        .into_par_iter()
        .map_init(
            // Per worker: a score per post, and which ones are non-zero,
            // so that each post costs only its candidates, not the site.
            || (vec![0.0f64; site.posts.len()], Vec::<PostIdx>::new()),
            |(scores, touched), p| {
                for &t in &site.posts[p].tags {
                    let posts = &site.tags.terms[t].posts;
                    // Term posts are in site order (newest first), i.e. sorted.
                    let at = posts.binary_search(&p).unwrap_or_else(|i| i);
                    let from = at.saturating_sub(WINDOW);
                    let to = (at + WINDOW + 1).min(posts.len());
                    for &q in &posts[from..to] {
                        if q != p {
                            if scores[q] == 0.0 {
                                touched.push(q);
                            }
                            scores[q] += weight[t];
                        }
                    }
                }
                let mut best: Vec<(PostIdx, f64)> = Vec::with_capacity(COUNT + 1);
                for q in touched.drain(..) {
                    let score = std::mem::take(&mut scores[q]);
                    // Higher score first, then the newer (lower) index.
                    let at = best.partition_point(|&(b, s)| s > score || (s == score && b < q));
                    if at < COUNT {
                        best.insert(at, (q, score));
                        best.truncate(COUNT);
                    }
                }
                best.into_iter().map(|(q, _)| q).collect()
            },
        )
        .collect()
}
