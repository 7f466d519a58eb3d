//! Cards: a hash of what other pages show of each entity (a post's
//! summary, a member's directory entry, a thread's index entry) and of
//! each entity's own page, so a job's signature hashes a card, not the
//! entity.

use rayon::prelude::*;
use serde_json::Value;

use super::earlier::Earlier;
use super::Sig;
use crate::model::*;

/// Hashes of what other pages show of each entity, and of each entity's
/// own page content.
#[derive(Debug, Clone, Default)]
pub struct Cards {
    /// Hash of each post's summary view.
    pub post: Vec<u64>,
    /// Hash of each post's line in an index (the archive): its summary
    /// view but for what its body gives ([`post_line`]).
    pub post_line: Vec<u64>,
    /// Each post's content, toc, extra data and backlinks.
    pub post_content: Vec<u64>,
    /// Each post's visible comments, as its page and the feeds show them.
    pub post_comments: Vec<u64>,
    /// Each comment of each post, by post: hashed once, for its post, its
    /// author's page and feed alike.
    pub comment: Vec<Vec<u64>>,
    /// Each member's directory entry.
    pub member: Vec<u64>,
    /// What every page of each member's profile shows: bio, links,
    /// backlinks, who they talk with (each page's slice of their posts,
    /// comments and thread messages is hashed with the page).
    pub member_page: Vec<u64>,
    /// Each member's feed (Atom and JSON Feed alike): computed once, as it
    /// reads everything they wrote.
    pub member_feed: Vec<u64>,
    /// Each thread's index entry.
    pub thread: Vec<u64>,
    /// What every page of each thread shows: all of it but the cards of
    /// its related posts and the text of its messages after the first
    /// (the first gives every page its description).
    pub thread_page: Vec<u64>,
    /// The text of each thread's messages, a hash for each page: an edited
    /// message re-renders its own page, not the 200 pages of a long
    /// thread.
    pub thread_texts: Vec<Vec<u64>>,
    /// The home page's overview of tags, members and threads.
    pub home: u64,
}

/// Name, URL and avatar of a member as shown beside what they wrote.
fn member_ref(h: &mut Sig, site: &Site, m: MemberIdx) {
    let m = &site.members[m];
    h.str(&m.handle)
        .str(&m.name)
        .str(&m.path)
        .opt(m.avatar.as_deref());
}

/// Title, URL, kind and date of a page that links here.
fn doc_ref(h: &mut Sig, site: &Site, d: Doc) {
    match d {
        Doc::Post(i) => h
            .n(1)
            .str(&site.posts[i].title)
            .str(&site.posts[i].path)
            .date(Some(&site.posts[i].date)),
        Doc::Thread(i) => h
            .n(2)
            .str(&site.threads[i].title)
            .str(&site.threads[i].path)
            .date(Some(&site.threads[i].date)),
        Doc::Page(i) => h
            .n(3)
            .str(&site.pages[i].title)
            .str(&site.pages[i].path)
            .date(site.pages[i].date.as_ref()),
        Doc::Member(i) => h.n(4).str(&site.members[i].name).str(&site.members[i].path),
    };
}

/// The card of post `i`: what listings show of it.
pub fn post_card(summary: &Value) -> u64 {
    Sig::new().json(summary).done()
}

/// What a post's summary view gives that its line in an index does not:
/// the fields a body edit changes.
const NOT_IN_LINE: [&str; 4] = ["summary", "has_more", "word_count", "reading_time"];

/// A post's line in an index (the archive pages): its summary view
/// without its excerpt and length, so a body edit leaves it alone. Takes
/// the view: every caller has just made it, and a copy would be waste.
pub fn post_line(summary: Value) -> Value {
    let mut line = summary;
    if let Some(fields) = line.as_object_mut() {
        for key in NOT_IN_LINE {
            fields.remove(key);
        }
    }
    line
}

/// The card of a post's summary view and of its [`post_line`], from one
/// view.
fn summary_cards(summary: &crate::render::PostSummary) -> (u64, u64) {
    let view = summary.view();
    (post_card(&view), post_card(&post_line(view)))
}

/// A hash of everything [`crate::render::PostSummary::new`] reads of post `i`
/// (keep the two in step): equal keys give equal summaries, so watch mode
/// keeps a post's summary and card across a relink when its key stays.
pub fn summary_key(site: &Site, i: PostIdx) -> u64 {
    let p = &site.posts[i];
    let mut h = Sig::new();
    h.str(&p.title)
        .str(&p.slug)
        .str(&p.path)
        .date(Some(&p.date))
        .date(p.updated.as_ref())
        .str(&p.body.summary)
        .n(p.body.has_more.into())
        .n(p.body.word_count as u64)
        .n(p.body.cjk_chars as u64)
        .n(p.visible_comments().len() as u64)
        .n(p.comment_mode as u64)
        .n(p.draft.into())
        .opt(p.lang.as_deref());
    for &a in &p.authors {
        let m = &site.members[a];
        h.str(&m.handle).str(&m.name).str(&m.path);
    }
    for (tax, terms) in [(&site.tags, &p.tags), (&site.categories, &p.categories)] {
        h.n(terms.len() as u64);
        for &t in terms {
            let t = &tax.terms[t];
            h.str(&t.name).str(&t.slug).str(&t.path);
        }
    }
    h.done()
}

/// The content card of post `i`: what only its own page shows.
pub fn post_content(site: &Site, i: PostIdx) -> u64 {
    let p = &site.posts[i];
    let mut h = Sig::new();
    h.n(p.body.digest).json(&p.extra).opt(p.lang.as_deref());
    h.n(p.syndication.len() as u64);
    for url in &p.syndication {
        h.str(url);
    }
    for t in &p.body.toc {
        h.n(t.level.into()).str(&t.id).str(&t.title);
    }
    h.n(p.backlinks.len() as u64);
    for &d in &p.backlinks {
        doc_ref(&mut h, site, d);
    }
    h.done()
}

/// The card of each comment of post `i`, in order.
fn comment_cards(site: &Site, i: PostIdx) -> Vec<u64> {
    site.posts[i]
        .comments
        .iter()
        .map(|c| {
            let mut h = Sig::new();
            comment(&mut h, site, c);
            h.done()
        })
        .collect()
}

/// The comments card of post `i`, from the cards of its comments.
fn post_comments(site: &Site, i: PostIdx, comments: &[u64]) -> u64 {
    let mut h = Sig::new();
    // Visible are all of a post's comments or none of them.
    for &c in &comments[..site.posts[i].visible_comments().len()] {
        h.n(c);
    }
    let reactions = site.posts[i].visible_reactions();
    h.n(reactions.len() as u64);
    for r in reactions {
        h.str(&r.id)
            .str(r.kind.key())
            .str(&r.author)
            .opt(r.url.as_deref())
            .opt(r.source_url.as_deref())
            .date(Some(&r.date));
        match r.member {
            Some(m) => member_ref(h.n(1), site, m),
            None => {
                h.n(0);
            }
        }
    }
    h.done()
}

/// A comment as a post page, a feed or a quoting thread shows it.
fn comment(h: &mut Sig, site: &Site, c: &Comment) {
    h.str(&c.id)
        .n(c.parent.map_or(0, |p| p as u64 + 1))
        .str(&c.author)
        .opt(c.url.as_deref())
        .date(Some(&c.date))
        .n(c.body.digest())
        .opt(c.source.map(|s| s.key()))
        .opt(c.source_url.as_deref());
    match c.member {
        Some(m) => member_ref(h.n(1), site, m),
        None => {
            h.n(0);
        }
    }
}

impl Cards {
    /// Computes every card of `site`, in parallel; `known` gives post
    /// and line cards already computed (from an earlier link), by post, and
    /// `known_comments` the cards of its comments. `earlier`, the same
    /// site linked before an edit, lends the content, comments and profile
    /// cards whose inputs stayed as they were.
    pub fn new(
        site: &Site,
        summaries: &[crate::render::PostSummary],
        known: &[Option<(u64, u64)>],
        known_comments: &[Option<&[u64]>],
        earlier: Option<Earlier<'_>>,
    ) -> Self {
        let members_same = earlier.is_some_and(|e| e.same_member_refs(site));
        let comments: Vec<Vec<u64>> = (0..site.posts.len())
            .into_par_iter()
            .map(|i| match known_comments.get(i).copied().flatten() {
                Some(cards) => cards.to_vec(),
                None => comment_cards(site, i),
            })
            .collect();
        let posts: Vec<(u64, u64, u64, u64)> = (0..site.posts.len())
            .into_par_iter()
            .map(|i| {
                let (card, line) = known
                    .get(i)
                    .copied()
                    .flatten()
                    .unwrap_or_else(|| summary_cards(&summaries[i]));
                let before = earlier.and_then(|e| Some((e, e.post(site, i)?)));
                let content = match before {
                    Some((e, j)) if e.same_content(j, site, i) => e.cards.post_content[j],
                    _ => post_content(site, i),
                };
                let comments = match before {
                    Some((e, j)) if e.same_comments(j, site, i, &comments[i], members_same) => {
                        e.cards.post_comments[j]
                    }
                    _ => post_comments(site, i, &comments[i]),
                };
                (card, line, content, comments)
            })
            .collect();
        let post_cards: Vec<u64> = posts.iter().map(|c| c.0).collect();
        Cards {
            post_line: posts.iter().map(|c| c.1).collect(),
            member_feed: (0..site.members.len())
                .into_par_iter()
                .map(|i| member_feed(site, &post_cards, &comments, i))
                .collect(),
            post: post_cards,
            post_content: posts.iter().map(|c| c.2).collect(),
            post_comments: posts.iter().map(|c| c.3).collect(),
            member: site.members.par_iter().map(|m| member(site, m)).collect(),
            member_page: (0..site.members.len())
                .into_par_iter()
                .map(|i| {
                    let before = earlier.and_then(|e| Some((e, e.member(site, i)?)));
                    match before {
                        Some((e, j)) if e.same_member_page(j, site, i, members_same) => {
                            e.cards.member_page[j]
                        }
                        _ => member_page(site, i),
                    }
                })
                .collect(),
            thread: site
                .threads
                .par_iter()
                .map(|t| {
                    Sig::new()
                        .json(&crate::render::views::thread_summary(site, t))
                        .done()
                })
                .collect(),
            thread_page: (0..site.threads.len())
                .into_par_iter()
                .map(|i| thread_page(site, i))
                .collect(),
            thread_texts: site.threads.par_iter().map(thread_texts).collect(),
            home: Sig::new()
                .json(&crate::render::views::home_overview(site))
                .done(),
            comment: comments,
        }
    }

    /// Recomputes the cards of post `i` after its body changed.
    pub fn update_post(&mut self, site: &Site, i: PostIdx, summary: &crate::render::PostSummary) {
        (self.post[i], self.post_line[i]) = summary_cards(summary);
        self.post_content[i] = post_content(site, i);
        // A body edit leaves the comments as they were: only the authors'
        // feeds, which list the post by its card, change.
        for &m in &site.posts[i].authors {
            self.member_feed[m] = member_feed(site, &self.post, &self.comment, m);
        }
    }

    /// Recomputes the cards of thread `i` after the text of its entries
    /// `changed` (by index) changed, and nothing else of it: its page, and
    /// the feeds of the members who wrote those entries, which carry each
    /// message's text (a long thread's other writers' feeds stay). A
    /// thread's index entry, the home page and members' directory
    /// entries show no message text; members' pages hash their slice of
    /// messages themselves ([`member_entries`]).
    pub fn update_thread(&mut self, site: &Site, i: ThreadIdx, changed: &[usize]) {
        self.thread_page[i] = thread_page(site, i);
        self.thread_texts[i] = thread_texts(&site.threads[i]);
        let mut writers: Vec<MemberIdx> = changed
            .iter()
            .filter_map(|&e| site.threads[i].entries[e].by.member)
            .collect();
        writers.sort_unstable();
        writers.dedup();
        for m in writers {
            self.member_feed[m] = member_feed(site, &self.post, &self.comment, m);
        }
    }
}

/// A member's directory entry: a hash of everything
/// [`crate::render::views::member_summary`] reads (keep the two in step),
/// taken from the fields rather than from the built view.
fn member(site: &Site, m: &Member) -> u64 {
    let mut h = Sig::new();
    h.str(&m.handle)
        .str(&m.name)
        .opt(m.role.as_deref())
        .opt(m.location.as_deref())
        .str(&m.path)
        .opt(m.avatar.as_deref())
        .n(m.posts.len() as u64)
        .n(m.comments.len() as u64)
        .n(m.entries.len() as u64)
        .n(m.bio.digest);
    for t in crate::render::people::top_tags(site, m, crate::render::people::TOPICS) {
        let t = &site.tags.terms[t];
        h.str(&t.name).str(&t.slug).str(&t.path);
    }
    h.done()
}

/// What every page of a member's profile shows: bio, links, backlinks,
/// who they talk with. (Counts of what they wrote are in [`member`].)
fn member_page(site: &Site, i: MemberIdx) -> u64 {
    let m = &site.members[i];
    let mut sig = Sig::new();
    let h = &mut sig;
    h.n(m.bio.digest)
        .opt(m.lang.as_deref())
        .json(&m.extra)
        .json(&serde_json::to_value(&m.links).expect("links"));
    for a in &m.aka {
        h.str(a);
    }
    for &d in &m.backlinks {
        doc_ref(h, site, d);
    }
    for &(o, n) in &m.talks_with {
        member_ref(h, site, o);
        h.n(n as u64);
    }
    sig.done()
}

/// Comments of a member as a page of their profile lists them: each with
/// its post's title and URL. `comments` holds the cards of each post's
/// comments.
pub(super) fn member_comments(
    h: &mut Sig,
    site: &Site,
    comments: &[Vec<u64>],
    listed: &[(PostIdx, usize)],
) {
    h.n(listed.len() as u64);
    for &(p, c) in listed {
        let post = &site.posts[p];
        h.str(&post.title).str(&post.path).n(comments[p][c]);
    }
}

/// Thread messages of a member as a page of their profile lists them.
pub(super) fn member_entries(h: &mut Sig, site: &Site, listed: &[(ThreadIdx, usize)]) {
    h.n(listed.len() as u64);
    for &(t, e) in listed {
        let thread = &site.threads[t];
        let page = thread.entry_pages.get(e).copied().unwrap_or(1);
        let e = &thread.entries[e];
        h.str(&thread.title)
            .str(&thread.path)
            .n(page.into())
            .str(&e.id)
            .date(e.date.as_ref())
            .str(&e.text);
    }
}

fn participant(h: &mut Sig, site: &Site, p: &Participant) {
    h.str(&p.name);
    match p.member {
        Some(m) => member_ref(h.n(1), site, m),
        None => {
            h.n(0);
        }
    }
}

/// A thread's page but for its related posts.
fn thread_page(site: &Site, i: ThreadIdx) -> u64 {
    let t = &site.threads[i];
    let mut sig = Sig::new();
    let h = &mut sig;
    h.n(t.intro.digest).opt(t.lang.as_deref());
    match &t.origin {
        Some(o) => h.n(1).str(&o.name).opt(o.url.as_deref()),
        None => h.n(0),
    };
    match &t.started_by {
        Some(p) => participant(h.n(1), site, p),
        None => {
            h.n(0);
        }
    }
    for &d in &t.backlinks {
        doc_ref(h, site, d);
    }
    // Every page's description and structured data show the first.
    h.opt(t.entries.first().map(|e| e.text.as_str()));
    for e in &t.entries {
        h.str(&e.id)
            .n(e.parent.map_or(0, |p| p as u64 + 1))
            .date(e.date.as_ref())
            .opt(e.url.as_deref());
        participant(h, site, &e.by);
        if let Some((p, c)) = e.quote {
            let post = &site.posts[p];
            let c = &post.comments[c];
            h.n(1).str(&post.title).str(&post.path);
            comment(h, site, c);
        }
    }
    sig.done()
}

/// The text of the messages on each page of thread `t`, by page.
fn thread_texts(t: &Thread) -> Vec<u64> {
    let mut pages: Vec<Sig> = (0..t.page_count()).map(|_| Sig::new()).collect();
    for (i, e) in t.entries.iter().enumerate() {
        let page = t.entry_pages.get(i).copied().unwrap_or(1) as usize;
        pages[page - 1].n(i as u64).str(&e.text);
    }
    pages.iter().map(Sig::done).collect()
}

/// Everything member `i` wrote, as their feed lists it: the newest are
/// chosen among all of it, so all of it counts.
/// `post_cards` holds each post's summary card, `comments` the cards of
/// each post's comments.
fn member_feed(site: &Site, post_cards: &[u64], comments: &[Vec<u64>], i: MemberIdx) -> u64 {
    let mut sig = Sig::new();
    let h = &mut sig;
    let m = &site.members[i];
    h.str(&m.name).str(&m.path).n(m.posts.len() as u64);
    for &p in &m.posts {
        h.n(post_cards[p]).opt(site.posts[p].lang.as_deref());
    }
    h.n(m.comments.len() as u64);
    for &(p, c) in &m.comments {
        let post = &site.posts[p];
        h.str(&post.title).str(&post.path).n(comments[p][c]);
    }
    h.n(m.entries.len() as u64);
    for &(t, e) in &m.entries {
        let thread = &site.threads[t];
        let e = &thread.entries[e];
        h.str(&thread.title)
            .str(&thread.path)
            .date(Some(&thread.date))
            .opt(thread.lang.as_deref())
            .str(&e.id)
            .date(e.date.as_ref())
            .str(&e.text);
        participant(h, site, &e.by);
    }
    sig.done()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_line_card_changes_with_what_an_index_shows_not_with_the_body() {
        let summary = json!({"title": "A", "url": "/a/", "summary": "<p>x</p>",
            "has_more": false, "word_count": 1, "reading_time": 1, "comment_count": 0});
        let mut longer = summary.clone();
        longer["summary"] = json!("<p>x y</p>");
        longer["word_count"] = json!(2);
        longer["has_more"] = json!(true);
        let post_line_card = |v: &Value| post_card(&post_line(v.clone()));
        assert_eq!(post_line_card(&summary), post_line_card(&longer));
        assert_ne!(post_card(&summary), post_card(&longer));
        let mut renamed = summary.clone();
        renamed["title"] = json!("B");
        assert_ne!(post_line_card(&summary), post_line_card(&renamed));
        let mut commented = summary.clone();
        commented["comment_count"] = json!(1);
        assert_ne!(post_line_card(&summary), post_line_card(&commented));
        assert_eq!(post_line(longer.clone()).get("word_count"), None);
        assert_eq!(post_line(longer)["title"], "A");
    }
}
