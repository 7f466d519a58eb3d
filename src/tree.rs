//! Reply trees (comments under a post, entries of a thread) held as flat
//! lists with a parent index per item.
//!
//! Conversations can be thousands of replies deep (two people answering
//! each other for years, a list gateway that chains every message), so
//! nothing here recurses: every walk keeps its own stack on the heap and
//! costs time linear in the number of items.

/// How many levels of replies a page nests. Deeper replies are shown flat
/// at this level, each naming the message it answers; the default theme
/// keeps eight levels readable on a phone.
pub const MAX_DEPTH: usize = 8;

/// The roots (items without a parent, in order) and the children of each
/// item (in order).
pub fn children_of(parents: &[Option<usize>]) -> (Vec<usize>, Vec<Vec<usize>>) {
    let mut roots = Vec::new();
    let mut children = vec![Vec::new(); parents.len()];
    for (i, parent) in parents.iter().enumerate() {
        match *parent {
            Some(p) if p < parents.len() => children[p].push(i),
            _ => roots.push(i),
        }
    }
    (roots, children)
}

/// The reply cycles among `parents`: each cycle once, as its members in
/// chain order (child, its parent, ...), starting at the member with the
/// smallest index. Items that merely lead into a cycle are not part of it.
/// One pass over the items: each is visited at most twice.
pub fn cycles(parents: &[Option<usize>]) -> Vec<Vec<usize>> {
    const UNSEEN: usize = usize::MAX;
    const DONE: usize = usize::MAX - 1;
    // Which walk first reached an item: UNSEEN, DONE, or the start index
    // of the walk in progress.
    let mut mark = vec![UNSEEN; parents.len()];
    let mut found = Vec::new();
    for start in 0..parents.len() {
        if mark[start] != UNSEEN {
            continue;
        }
        let mut cur = start;
        let mut path = Vec::new();
        loop {
            mark[cur] = start;
            path.push(cur);
            match parents[cur] {
                Some(p) if p < parents.len() => match mark[p] {
                    UNSEEN => cur = p,
                    m if m == start => {
                        // Back at an item of this walk: from there on, a cycle.
                        let from = path.iter().position(|&i| i == p).expect("on the path");
                        let mut cycle = path[from..].to_vec();
                        let low = (0..cycle.len())
                            .min_by_key(|&k| cycle[k])
                            .expect("a cycle has members");
                        cycle.rotate_left(low);
                        found.push(cycle);
                        break;
                    }
                    _ => break,
                },
                _ => break,
            }
        }
        for i in path {
            mark[i] = DONE;
        }
    }
    found
}

/// One item as a page shows it: nested `level` deep (1 at top level), with
/// the items listed under it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shown {
    /// 1 to [`MAX_DEPTH`].
    pub level: usize,
    /// The items shown nested under this one, in reading order.
    pub replies: Vec<usize>,
}

/// How a page lays out a reply tree: the top-level items, then each item's
/// level and replies. Replies nest up to `max_depth` levels; the whole
/// subtree under an item at the last level is listed flat at that level,
/// right after the item, in reading order (each reply after the one it
/// answers). Items caught in a cycle (which parsing breaks, so none should
/// reach here) are shown at top level rather than lost.
pub fn layout(parents: &[Option<usize>], max_depth: usize) -> (Vec<usize>, Vec<Shown>) {
    let max_depth = max_depth.max(2);
    let (mut roots, children) = children_of(parents);
    let mut shown: Vec<Shown> = (0..parents.len())
        .map(|_| Shown {
            level: 0,
            replies: Vec::new(),
        })
        .collect();
    let mut placed = vec![false; parents.len()];
    let mut top = 0;
    let mut next_unplaced = 0;
    loop {
        while top < roots.len() {
            let root = roots[top];
            top += 1;
            if placed[root] {
                continue;
            }
            place(root, 1, max_depth, &children, &mut shown, &mut placed);
        }
        // Whatever no root reaches is in a cycle: its first item becomes
        // a root.
        while next_unplaced < parents.len() && placed[next_unplaced] {
            next_unplaced += 1;
        }
        if next_unplaced == parents.len() {
            break;
        }
        roots.push(next_unplaced);
    }
    roots.retain(|&r| shown[r].level == 1);
    (roots, shown)
}

/// Places `root` at `level` and everything under it: a stack of
/// (item, level) instead of recursion.
fn place(
    root: usize,
    level: usize,
    max_depth: usize,
    children: &[Vec<usize>],
    shown: &mut [Shown],
    placed: &mut [bool],
) {
    let mut stack = vec![(root, level)];
    while let Some((item, level)) = stack.pop() {
        placed[item] = true;
        shown[item].level = level;
        if level + 1 < max_depth {
            for &c in &children[item] {
                if !placed[c] {
                    shown[item].replies.push(c);
                    stack.push((c, level + 1));
                }
            }
        } else if level + 1 == max_depth {
            // The children sit at the last level, each followed by its own
            // subtree in reading order.
            let mut flat = Vec::new();
            let mut walk: Vec<usize> = children[item].iter().rev().copied().collect();
            while let Some(c) = walk.pop() {
                if placed[c] {
                    continue;
                }
                placed[c] = true;
                shown[c].level = max_depth;
                flat.push(c);
                walk.extend(children[c].iter().rev());
            }
            shown[item].replies = flat;
        }
    }
}

/// Items in the order a page shows them (each before what is shown
/// under it), from a [`layout`]; a stack of its own, no recursion.
pub fn reading_order(roots: &[usize], shown: &[Shown]) -> Vec<usize> {
    let mut order = Vec::with_capacity(shown.len());
    let mut stack: Vec<usize> = roots.iter().rev().copied().collect();
    while let Some(i) = stack.pop() {
        order.push(i);
        stack.extend(shown[i].replies.iter().rev().copied());
    }
    order
}

/// The page (1-based) each item falls on when a reply tree is shown
/// `per` items a page in reading order (see [`layout`] with
/// [`MAX_DEPTH`]), by item.
pub fn pages(parents: &[Option<usize>], per: usize) -> Vec<u32> {
    let (roots, shown) = layout(parents, MAX_DEPTH);
    let mut page = vec![1; parents.len()];
    for (n, &i) in reading_order(&roots, &shown).iter().enumerate() {
        page[i] = u32::try_from(n / per.max(1) + 1).unwrap_or(u32::MAX);
    }
    page
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: usize) -> Vec<Option<usize>> {
        (0..n).map(|i| i.checked_sub(1)).collect()
    }

    #[test]
    fn shallow_trees_nest_as_written() {
        // 0 ← 1 ← 2, 0 ← 3, 4
        let parents = [None, Some(0), Some(1), Some(0), None];
        let (roots, shown) = layout(&parents, MAX_DEPTH);
        assert_eq!(roots, [0, 4]);
        assert_eq!(shown[0].replies, [1, 3]);
        assert_eq!(shown[1].replies, [2]);
        assert_eq!(shown[2].level, 3);
    }

    #[test]
    fn deep_chains_flatten_at_the_last_level_in_reading_order() {
        let mut parents = chain(12);
        // A second branch under item 8, answered once more.
        parents.push(Some(8));
        parents.push(Some(12));
        let (roots, shown) = layout(&parents, 8);
        assert_eq!(roots, [0]);
        assert_eq!(shown[6].replies, [7, 8, 9, 10, 11, 12, 13]);
        assert!(shown[7..]
            .iter()
            .all(|s| s.level == 8 && s.replies.is_empty()));
        assert_eq!(shown.iter().map(|s| s.level).max(), Some(8));
    }

    #[test]
    fn a_chain_of_a_hundred_thousand_needs_no_stack() {
        let parents = chain(100_000);
        let (_, shown) = layout(&parents, MAX_DEPTH);
        assert_eq!(shown[MAX_DEPTH - 2].replies.len(), 100_000 - MAX_DEPTH + 1);
        assert!(cycles(&parents).is_empty());
    }

    #[test]
    fn each_cycle_is_found_once_and_tails_are_not_in_it() {
        // 0 → 1 → 2 → 0 is a cycle; 3 → 1 leads into it; 4 → 4 answers itself.
        let parents = [Some(1), Some(2), Some(0), Some(1), Some(4), None];
        assert_eq!(cycles(&parents), vec![vec![0, 1, 2], vec![4]]);
        let (roots, shown) = layout(&parents, MAX_DEPTH);
        assert!(shown.iter().all(|s| s.level >= 1), "nothing is lost");
        assert_eq!(roots, [5, 0, 4]);
    }

    #[test]
    fn a_long_cycle_is_linear() {
        let n = 200_000;
        let parents: Vec<Option<usize>> = (0..n).map(|i| Some((i + 1) % n)).collect();
        let found = cycles(&parents);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].len(), n);
        assert_eq!(found[0][0], 0);
    }

    #[test]
    fn pages_cut_the_reading_order() {
        // 0 <- 1 <- 2, 0 <- 3; 4 alone: reading order 0 1 2 3 4.
        let parents = [None, Some(0), Some(1), Some(0), None];
        let (roots, shown) = layout(&parents, MAX_DEPTH);
        assert_eq!(reading_order(&roots, &shown), vec![0, 1, 2, 3, 4]);
        assert_eq!(pages(&parents, 2), vec![1, 1, 2, 2, 3]);
        assert_eq!(pages(&parents, 10), vec![1; 5]);
        // A chain far deeper than the nesting still pages in order.
        let chain: Vec<Option<usize>> = (0..10_000usize).map(|i| i.checked_sub(1)).collect();
        let p = pages(&chain, 50);
        assert!(p.windows(2).all(|w| w[0] <= w[1]));
        assert_eq!(p[9_999], 200);
    }
}
