//! Related posts: those sharing the most tags, rarer tags weighing more.

use rayon::prelude::*;

use crate::model::*;

/// How many posts on either side (in time) of a post each of its tags
/// offers as candidates. A tag on a third of the site would otherwise make
/// this quadratic; close-in-time posts are the ones worth showing anyway.
const WINDOW: usize = 50;

/// A hash of everything [`related`] reads: the posts in order, and each
/// one's tags. Two sites with the same key have the same related posts.
pub fn inputs_key(site: &Site) -> u64 {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    for p in &site.posts {
        h.update(p.source.to_string_lossy().as_bytes());
        h.update(&(p.tags.len() as u64).to_le_bytes());
        for &t in &p.tags {
            let slug = &site.tags.terms[t].slug;
            h.update(&(slug.len() as u64).to_le_bytes());
            h.update(slug.as_bytes());
        }
    }
    h.digest()
}

/// For every post, up to `count` related posts, best first: scored by the
/// sum of ln(1 + posts / posts-with-tag) over shared tags; ties go to the
/// newer post.
pub fn related(site: &Site, count: usize) -> Vec<Vec<PostIdx>> {
    let total = site.posts.len() as f64;
    let weight: Vec<f64> = site
        .tags
        .terms
        .iter()
        .map(|t| (1.0 + total / t.posts.len().max(1) as f64).ln())
        .collect();
    (0..site.posts.len())
        .into_par_iter()
        .map(|p| {
            // (post, weight) pairs, merged after sorting: a few hundred
            // at most, cheaper than a hash map per post.
            let mut scores: Vec<(PostIdx, f64)> = Vec::new();
            for &t in &site.posts[p].tags {
                let posts = &site.tags.terms[t].posts;
                // Term posts are in site order (newest first), i.e. sorted.
                let at = posts.binary_search(&p).unwrap_or_else(|i| i);
                let from = at.saturating_sub(WINDOW);
                let to = (at + WINDOW + 1).min(posts.len());
                scores.extend(
                    posts[from..to]
                        .iter()
                        .filter(|&&q| q != p)
                        .map(|&q| (q, weight[t])),
                );
            }
            scores.sort_unstable_by_key(|s| s.0);
            let mut ranked: Vec<(PostIdx, f64)> = Vec::with_capacity(scores.len());
            for (q, w) in scores {
                match ranked.last_mut() {
                    Some(last) if last.0 == q => last.1 += w,
                    _ => ranked.push((q, w)),
                }
            }
            ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            ranked.into_iter().take(count).map(|(q, _)| q).collect()
        })
        .collect()
}
