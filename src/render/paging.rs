//! Pagination: which items a page of a listing shows, and the
//! `paginator` variable templates get. Page 1 of a listing is the
//! listing's own URL, page N is `<url>page/N/`.

use serde_json::{json, Value};

use crate::config::Config;
use crate::model::{Member, Term};

/// How many pages a member's profile takes: posts `paginate` a page,
/// comments and thread messages `paginate_entries` a page.
pub fn member_pages(config: &Config, m: &Member) -> usize {
    let per = config.paginate_entries;
    [
        m.posts.len().div_ceil(config.paginate),
        m.comments.len().div_ceil(per),
        m.entries.len().div_ceil(per),
    ]
    .into_iter()
    .max()
    .unwrap_or(0)
    .max(1)
}

/// How many pages a tag's or category's listing takes: posts `paginate`
/// a page, its threads `paginate_threads` a page, side by side.
pub fn term_pages(config: &Config, t: &Term) -> usize {
    t.posts
        .len()
        .div_ceil(config.paginate)
        .max(t.threads.len().div_ceil(config.paginate_threads))
        .max(1)
}

/// Root path of page `n` of a listing at `base`: page 1 is `base` itself.
pub fn page_path(base: &str, n: usize) -> String {
    if n <= 1 {
        base.to_owned()
    } else {
        format!("{base}page/{n}/")
    }
}

/// One page of a paginated listing.
pub struct Pager {
    total: usize,
    per: usize,
    number: usize,
    base: String,
}

impl Pager {
    /// Page `number` of `total` items, `per` a page, listed at `base`.
    pub fn new(total: usize, per: usize, number: usize, base: &str) -> Self {
        Pager {
            total,
            per,
            number,
            base: base.to_owned(),
        }
    }

    fn pages(&self) -> usize {
        self.total.div_ceil(self.per).max(1)
    }

    /// The items on this page.
    pub fn range(&self) -> std::ops::Range<usize> {
        let start = ((self.number - 1) * self.per).min(self.total);
        start..(start + self.per).min(self.total)
    }

    /// The `paginator` template variable.
    pub fn view(&self, config: &Config) -> Value {
        paginator(
            config,
            &self.base,
            self.number,
            self.pages(),
            self.total,
            self.per,
        )
    }
}

/// The `paginator` template variable of page `number` of `pages` of a
/// listing at `base` showing `total` items, `per` a page.
pub fn paginator(
    config: &Config,
    base: &str,
    number: usize,
    pages: usize,
    total: usize,
    per: usize,
) -> Value {
    let url = |n: usize| config.url(&page_path(base, n));
    json!({
        "number": number,
        "total_pages": pages,
        "total_posts": total,
        "per_page": per,
        "previous_url": (number > 1).then(|| url(number - 1)),
        "next_url": (number < pages).then(|| url(number + 1)),
        "first_url": url(1),
        "last_url": url(pages),
    })
}

/// Items `per` a page: those of page `number` (1-based).
pub fn page_slice<T>(items: &[T], per: usize, number: usize) -> &[T] {
    &items[page_range(items.len(), per, number)]
}

/// The positions page `number` (1-based) holds of `len` items, `per` a page.
pub fn page_range(len: usize, per: usize, number: usize) -> std::ops::Range<usize> {
    let start = ((number - 1) * per).min(len);
    start..(start + per).min(len)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pager_ranges_at_the_boundaries() {
        assert_eq!(Pager::new(0, 10, 1, "/").range(), 0..0);
        assert_eq!(Pager::new(10, 10, 1, "/").range(), 0..10);
        assert_eq!(Pager::new(11, 10, 2, "/").range(), 10..11);
        assert_eq!(Pager::new(11, 10, 2, "/").pages(), 2);
        assert_eq!(Pager::new(0, 10, 1, "/").pages(), 1);
        let items: Vec<usize> = (0..11).collect();
        assert_eq!(page_slice(&items, 5, 3), [10]);
        assert!(page_slice(&items, 5, 4).is_empty());
        assert_eq!(page_path("/threads/x/", 1), "/threads/x/");
        assert_eq!(page_path("/threads/x/", 2), "/threads/x/page/2/");
    }
}
