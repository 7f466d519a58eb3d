//! The listings linking builds: a taxonomy's terms with their posts and
//! threads, and the date archive.

use super::*;

/// Builds a taxonomy while posts are linked.
pub(super) struct TermBuilder {
    kind: TaxonomyKind,
    by_key: FxHashMap<String, usize>,
    terms: Vec<Term>,
}

impl TermBuilder {
    pub(super) fn new(kind: TaxonomyKind) -> Self {
        TermBuilder {
            kind,
            by_key: FxHashMap::default(),
            terms: Vec::new(),
        }
    }

    /// The index of the term `name` (whose [`term_key`] is `key`),
    /// added when new.
    pub(super) fn term(&mut self, name: &str, key: String) -> usize {
        if let Some(&i) = self.by_key.get(&key) {
            return i;
        }
        let i = self.terms.len();
        self.by_key.insert(key, i);
        self.terms.push(Term {
            name: name.split_whitespace().collect::<Vec<_>>().join(" "),
            slug: String::new(),
            posts: Vec::new(),
            threads: Vec::new(),
            path: String::new(),
            description: None,
        });
        i
    }

    /// Files `post` under `name`, whose [`term_key`] is `key` (taken
    /// beforehand, in parallel).
    pub(super) fn add_post(&mut self, name: &str, key: String, post: PostIdx) -> usize {
        let i = self.term(name, key);
        if self.terms[i].posts.last() != Some(&post) {
            self.terms[i].posts.push(post);
        }
        i
    }

    pub(super) fn add_thread(&mut self, name: &str, thread: ThreadIdx) -> usize {
        let i = self.term(name, term_key(name));
        if self.terms[i].threads.last() != Some(&thread) {
            self.terms[i].threads.push(thread);
        }
        i
    }

    /// Sorts terms by slug, makes slugs unique, and returns the map from
    /// the building index to the final one.
    pub(super) fn finish(self) -> (Taxonomy, Vec<TermIdx>) {
        let mut order: Vec<(String, String, usize)> = self
            .terms
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let s = slugify(&t.name);
                (
                    if s.is_empty() { "term".into() } else { s },
                    term_key(&t.name),
                    i,
                )
            })
            .collect();
        order.sort();
        let mut remap = vec![0; self.terms.len()];
        let mut taken: HashMap<String, usize> = HashMap::new();
        let mut slots: Vec<Option<Term>> = self.terms.into_iter().map(Some).collect();
        let mut terms = Vec::with_capacity(slots.len());
        for (new, (base, _, old)) in order.into_iter().enumerate() {
            let n = taken.entry(base.clone()).or_insert(0);
            *n += 1;
            let slug = if *n == 1 { base } else { format!("{base}-{n}") };
            let mut term = slots[old].take().expect("each term once");
            term.path = format!("/{}/{}/", self.kind.key(), slug);
            term.slug = slug;
            remap[old] = new;
            terms.push(term);
        }
        (
            Taxonomy {
                kind: self.kind,
                terms,
            },
            remap,
        )
    }
}

/// Years and months with their posts, newest first.
pub(super) fn archive(posts: &[Post]) -> Vec<Year> {
    // A post is filed under the date written in its own time zone, so
    // posts in instant order can cross New Year back and forth (00:30 at
    // +02:00 is older than 23:00 the evening before in UTC): grouped by
    // key, not by runs.
    let mut months: BTreeMap<(i32, u32), Vec<PostIdx>> = BTreeMap::new();
    for (idx, p) in posts.iter().enumerate() {
        let key = (
            chrono::Datelike::year(&p.date),
            chrono::Datelike::month(&p.date),
        );
        months.entry(key).or_default().push(idx);
    }
    let mut years: Vec<Year> = Vec::new();
    for ((year, month), posts) in months.into_iter().rev() {
        if years.last().is_none_or(|last| last.year != year) {
            years.push(Year {
                year,
                months: Vec::new(),
            });
        }
        let last = years.last_mut().expect("pushed above");
        last.months.push(Month { month, posts });
    }
    years
}

/// Gives each term the description its file holds; a file naming no term
/// of the site is a warning at its first line.
pub(super) fn describe_terms(
    tax: &mut Taxonomy,
    files: &[&ParsedTermPage],
    diags: &mut Diagnostics,
) {
    for f in files {
        match tax.terms.iter_mut().find(|t| t.slug == f.slug) {
            Some(t) => {
                t.description = Some(TermDescription {
                    source: f.source.clone(),
                    summary: f.summary.clone(),
                    body: f.body.clone(),
                })
            }
            None => diags.push(
                Diagnostic::warning(
                    &f.source,
                    Some(crate::error::Position::new(1, 1)),
                    format!("no post or thread is tagged `{}`", f.slug),
                )
                .with_help("the file's name is the tag's URL name, as in /tags/<name>/"),
            ),
        }
    }
}
