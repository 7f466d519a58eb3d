//! The linked site: plain data, no IO.
//!
//! Entities refer to each other by index into the [`Site`]'s vectors
//! (`PostIdx`, `MemberIdx`, ...) so a listing or archive is a list of
//! numbers, never a copy of the posts it shows.

use std::ops::Deref;
use std::path::PathBuf;
use std::sync::Arc;

use crate::config::Config;
use crate::date::Date;
use crate::markdown::Rendered;

mod comment;
pub use comment::*;

/// Sanitized HTML, shared (not copied) by a parsed file and every site
/// linked from it, with a hash of its text taken once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Html {
    text: Arc<str>,
    digest: u64,
}

impl Html {
    /// Wraps `text`, hashing it.
    pub fn new(text: String) -> Self {
        Html {
            digest: crate::digest::of(&text),
            text: text.into(),
        }
    }
    /// A hash of the text.
    pub fn digest(&self) -> u64 {
        self.digest
    }
}

impl Deref for Html {
    type Target = str;
    fn deref(&self) -> &str {
        &self.text
    }
}

impl serde::Serialize for Html {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}

/// Index into [`Site::posts`] (newest first).
pub type PostIdx = usize;
/// Index into [`Site::members`].
pub type MemberIdx = usize;
/// Index into [`Site::threads`].
pub type ThreadIdx = usize;
/// Index into a [`Taxonomy`]'s terms.
pub type TermIdx = usize;
/// Index into [`Site::pages`].
pub type PageIdx = usize;

/// A page of the site that can link to others: the source of a backlink.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Doc {
    /// A post.
    Post(PostIdx),
    /// A thread (its introduction or an entry).
    Thread(ThreadIdx),
    /// A standalone page.
    Page(PageIdx),
    /// A member's bio.
    Member(MemberIdx),
}

/// Everything a build renders.
#[derive(Debug)]
pub struct Site {
    /// The checked configuration.
    pub config: Config,
    /// Published posts (and drafts with `--drafts`), newest first.
    pub posts: Vec<Post>,
    /// Members, sorted by handle.
    pub members: Vec<Member>,
    /// Threads, newest first.
    pub threads: Vec<Thread>,
    /// Standalone pages, sorted by slug.
    pub pages: Vec<Page>,
    /// The `tags` taxonomy.
    pub tags: Taxonomy,
    /// The `categories` taxonomy.
    pub categories: Taxonomy,
    /// Posts by year and month.
    pub archive: Vec<Year>,
    /// Members by handle.
    pub member_by_handle: rustc_hash::FxHashMap<String, MemberIdx>,
    /// Posts held back because they are dated after the build's moment,
    /// in date order: on no page until a build after their date.
    pub scheduled: Vec<Scheduled>,
    /// Comments kept off the site by their status, by why.
    pub held: crate::moderation::Held,
}

/// A post left out of the build until its date.
#[derive(Debug, Clone)]
pub struct Scheduled {
    /// The source file, relative to the site folder.
    pub source: PathBuf,
    /// URL name.
    pub slug: String,
    /// Title.
    pub title: String,
    /// When it is due.
    pub date: Date,
    /// The root URL path it will have.
    pub path: String,
}

/// How a post's comments show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, serde::Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum CommentMode {
    /// Shown, and the post invites more.
    #[default]
    Open,
    /// Shown, with a note that comments are closed.
    Closed,
    /// Not shown; the files are kept.
    Hidden,
}

/// A blog post.
#[derive(Debug)]
pub struct Post {
    /// The source file, relative to the site folder.
    pub source: PathBuf,
    /// URL name.
    pub slug: String,
    /// Title.
    pub title: String,
    /// Publication date.
    pub date: Date,
    /// Last update, when given.
    pub updated: Option<Date>,
    /// Authors, in the order written.
    pub authors: Vec<MemberIdx>,
    /// Tags, in the order written.
    pub tags: Vec<TermIdx>,
    /// Categories, in the order written.
    pub categories: Vec<TermIdx>,
    /// The rendered body, summary and toc.
    pub body: std::sync::Arc<Rendered>,
    /// Whether this is a draft (only built with `--drafts`).
    pub draft: bool,
    /// How comments show.
    pub comment_mode: CommentMode,
    /// Old URL paths that redirect here.
    pub aliases: Vec<String>,
    /// Root URL path, like `/posts/building-bridges/`.
    pub path: String,
    /// Comments in date order; replies point at their parent by index.
    /// Shared: watch mode keeps the list of an unchanged comment file.
    pub comments: Arc<[Comment]>,
    /// Likes, reposts, bookmarks and mentions from elsewhere, in date order.
    pub reactions: Arc<[Reaction]>,
    /// A hash of the comment file and of the members its names were looked
    /// up among (0: no file): equal keys, equal comments and reactions.
    pub comments_key: u64,
    /// Where else the post was published (`syndication:`), http(s) URLs.
    pub syndication: Vec<String>,
    /// Pages that link to or mention this post, newest first.
    pub backlinks: Vec<Doc>,
    /// Posts sharing its tags, best first.
    pub related: Vec<PostIdx>,
    /// Its own language tag (`lang:`); the site's `language` otherwise.
    pub lang: Option<String>,
    /// Free-form front matter data.
    pub extra: serde_json::Value,
}

/// A member profile.
#[derive(Debug)]
pub struct Member {
    /// The source file.
    pub source: PathBuf,
    /// The file stem, used in URLs and `authors:`.
    pub handle: String,
    /// Display name.
    pub name: String,
    /// What they do.
    pub role: Option<String>,
    /// Where they are.
    pub location: Option<String>,
    /// Their links, in the order written.
    pub links: Vec<Link>,
    /// Other names they write under.
    pub aka: Vec<String>,
    /// Avatar path or URL.
    pub avatar: Option<String>,
    /// Rendered bio.
    pub bio: std::sync::Arc<Rendered>,
    /// Root URL path.
    pub path: String,
    /// Posts they wrote or co-wrote, newest first.
    pub posts: Vec<PostIdx>,
    /// Their comments as (post, comment index), newest first.
    pub comments: Vec<(PostIdx, usize)>,
    /// Their thread entries as (thread, entry index), newest thread first.
    pub entries: Vec<(ThreadIdx, usize)>,
    /// Pages that link to or mention them, newest first.
    pub backlinks: Vec<Doc>,
    /// The members they talk with most (replies either way, co-authored
    /// posts), with how often, most first.
    pub talks_with: Vec<(MemberIdx, usize)>,
    /// Its own language tag (`lang:`); the site's `language` otherwise.
    pub lang: Option<String>,
    /// Free-form data.
    pub extra: serde_json::Value,
}

/// A labelled link of a member.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Link {
    /// `twitter`, `website`, ...
    pub name: String,
    /// Where it goes, when it is (or expands to) a URL.
    pub url: Option<String>,
}

/// Who wrote a thread entry.
#[derive(Debug, Clone)]
pub struct Participant {
    /// Display name.
    pub name: String,
    /// The member, when the name is a handle or matches one.
    pub member: Option<MemberIdx>,
}

/// How a thread's pages lay out its entries (see [`Thread::layout`]).
#[derive(Debug)]
pub struct ThreadLayout {
    /// Each entry's place in the whole thread's layout: its level and the
    /// entries shown under it.
    pub shown: Vec<crate::tree::Shown>,
    /// Each page's top level in reading order (the thread's roots on it,
    /// and entries shown under one on an earlier page), by page from 1.
    tops: Vec<Vec<usize>>,
}

impl ThreadLayout {
    /// The top level of page `page` (1-based) in reading order.
    pub fn tops(&self, page: usize) -> &[usize] {
        page.checked_sub(1)
            .and_then(|p| self.tops.get(p))
            .map_or(&[], Vec::as_slice)
    }
}

/// A curated discussion.
#[derive(Debug, Clone)]
pub struct Thread {
    /// The source file.
    pub source: PathBuf,
    /// URL name.
    pub slug: String,
    /// Title.
    pub title: String,
    /// When it started.
    pub date: Date,
    /// Tags.
    pub tags: Vec<TermIdx>,
    /// Who started it.
    pub started_by: Option<Participant>,
    /// Where it happened.
    pub origin: Option<Origin>,
    /// Related posts.
    pub related: Vec<PostIdx>,
    /// The curator's introduction, rendered.
    pub intro: std::sync::Arc<Rendered>,
    /// Entries in file order; replies point at their parent by index.
    pub entries: Vec<Entry>,
    /// The page of the thread (1-based) each entry is shown on, by entry:
    /// `paginate_entries` a page, in reading order.
    pub entry_pages: Vec<u32>,
    /// Pages that link to it, newest first.
    pub backlinks: Vec<Doc>,
    /// Root URL path.
    pub path: String,
    /// Its own language tag (`lang:`); the site's `language` otherwise.
    pub lang: Option<String>,
}

impl Thread {
    /// How many pages its entries take (at least one).
    pub fn page_count(&self) -> usize {
        self.entry_pages.iter().copied().max().unwrap_or(1) as usize
    }

    /// The page (from 1) entry `i` is shown on.
    pub fn page_of(&self, i: usize) -> usize {
        self.entry_pages.get(i).copied().unwrap_or(1) as usize
    }

    /// Whether entry `i` is shown on page `page`.
    pub fn on_page(&self, i: usize, page: usize) -> bool {
        self.page_of(i) == page
    }

    /// How its pages lay out the entries, made in one pass over the
    /// thread (each page of a long thread would otherwise lay out the
    /// whole thread again).
    pub fn layout(&self) -> ThreadLayout {
        let parents: Vec<Option<usize>> = self.entries.iter().map(|e| e.parent).collect();
        let (roots, shown) = crate::tree::layout(&parents, crate::tree::MAX_DEPTH);
        let mut shown_under: Vec<Option<usize>> = vec![None; self.entries.len()];
        for (i, s) in shown.iter().enumerate() {
            for &r in &s.replies {
                shown_under[r] = Some(i);
            }
        }
        let mut tops = vec![Vec::new(); self.page_count()];
        for i in crate::tree::reading_order(&roots, &shown) {
            let page = self.page_of(i);
            // At the top of its page unless shown under an entry there.
            if shown_under[i].is_none_or(|p| !self.on_page(p, page)) {
                if let Some(top) = tops.get_mut(page.wrapping_sub(1)) {
                    top.push(i);
                }
            }
        }
        ThreadLayout { shown, tops }
    }
}

/// Where a thread happened.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Origin {
    /// Twitter, a mailing list...
    pub name: String,
    /// A link to the original.
    #[serde(default)]
    pub url: Option<String>,
}

/// One message of a thread.
#[derive(Debug, Clone)]
pub struct Entry {
    /// Unique within the thread.
    pub id: String,
    /// Index of the entry replied to.
    pub parent: Option<usize>,
    /// Who wrote it.
    pub by: Participant,
    /// When, if known.
    pub date: Option<Date>,
    /// Rendered text.
    pub text: String,
    /// Wikilinks, mentions and links in the text.
    pub refs: Vec<crate::markdown::Reference>,
    /// The comment it quotes, as (post, comment index).
    pub quote: Option<(PostIdx, usize)>,
    /// The original message.
    pub url: Option<String>,
}

/// A standalone page.
#[derive(Debug)]
pub struct Page {
    /// The source file.
    pub source: PathBuf,
    /// URL name: the page is at `/<slug>/`.
    pub slug: String,
    /// Title.
    pub title: String,
    /// Optional date.
    pub date: Option<Date>,
    /// Rendered body.
    pub body: std::sync::Arc<Rendered>,
    /// Old URL paths that redirect here.
    pub aliases: Vec<String>,
    /// Root URL path.
    pub path: String,
    /// Its own language tag (`lang:`); the site's `language` otherwise.
    pub lang: Option<String>,
    /// Free-form data.
    pub extra: serde_json::Value,
}

/// Which taxonomy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TaxonomyKind {
    /// `tags:`
    Tags,
    /// `categories:`
    Categories,
}

impl TaxonomyKind {
    /// The URL segment and front matter key: `tags`, `categories`.
    pub fn key(self) -> &'static str {
        match self {
            TaxonomyKind::Tags => "tags",
            TaxonomyKind::Categories => "categories",
        }
    }

    /// The heading: `Tags`, `Categories`.
    pub fn title(self) -> &'static str {
        match self {
            TaxonomyKind::Tags => "Tags",
            TaxonomyKind::Categories => "Categories",
        }
    }

    /// One of them: `tag`, `category`.
    pub fn singular(self) -> &'static str {
        match self {
            TaxonomyKind::Tags => "tag",
            TaxonomyKind::Categories => "category",
        }
    }
}

/// Terms of one taxonomy.
#[derive(Debug)]
pub struct Taxonomy {
    /// Which one.
    pub kind: TaxonomyKind,
    /// Terms sorted by slug.
    pub terms: Vec<Term>,
}

impl Taxonomy {
    /// Root URL path of the term index: `/tags/`.
    pub fn path(&self) -> String {
        format!("/{}/", self.kind.key())
    }
}

/// A tag or category.
#[derive(Debug)]
pub struct Term {
    /// Display name: the first spelling met.
    pub name: String,
    /// URL name, unique in the taxonomy.
    pub slug: String,
    /// Posts carrying it, newest first.
    pub posts: Vec<PostIdx>,
    /// Threads carrying it, newest first.
    pub threads: Vec<ThreadIdx>,
    /// Root URL path: `/tags/<slug>/`.
    pub path: String,
    /// What `content/tags/<slug>.md` says about it, if that file exists.
    pub description: Option<TermDescription>,
}

/// A term's description, from its own file.
#[derive(Debug, Clone)]
pub struct TermDescription {
    /// The file.
    pub source: PathBuf,
    /// Its front matter's one-line `description`.
    pub summary: Option<String>,
    /// Its rendered text.
    pub body: std::sync::Arc<crate::markdown::Rendered>,
}

/// Posts of one year.
#[derive(Debug)]
pub struct Year {
    /// The year.
    pub year: i32,
    /// Its months with posts, newest first.
    pub months: Vec<Month>,
}

/// Posts of one month.
#[derive(Debug)]
pub struct Month {
    /// 1 to 12.
    pub month: u32,
    /// Posts, newest first.
    pub posts: Vec<PostIdx>,
}

impl Year {
    /// How many posts the year has.
    pub fn count(&self) -> usize {
        self.months.iter().map(|m| m.posts.len()).sum()
    }
}

/// The English name of month `m` (1-based).
pub fn month_name(m: u32) -> &'static str {
    const NAMES: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    NAMES[(m.clamp(1, 12) - 1) as usize]
}

impl Post {
    /// The comments readers see: none when comments are hidden (the files
    /// are kept, but nothing shows or counts them).
    pub fn visible_comments(&self) -> &[Comment] {
        match self.comment_mode {
            CommentMode::Hidden => &[],
            _ => &self.comments,
        }
    }

    /// The reactions readers see: none when comments are hidden.
    pub fn visible_reactions(&self) -> &[Reaction] {
        match self.comment_mode {
            CommentMode::Hidden => &[],
            _ => &self.reactions,
        }
    }
}

impl Site {
    /// When the earliest held-back post is due.
    pub fn next_scheduled(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        self.scheduled.iter().map(|s| s.date.to_utc()).min()
    }

    /// Posts by [`Post::comments_key`], those without a comment file left
    /// out: what a relink finds its unchanged comments by.
    pub fn posts_by_comments_key(&self) -> rustc_hash::FxHashMap<u64, PostIdx> {
        self.posts
            .iter()
            .enumerate()
            .filter(|(_, p)| p.comments_key != 0)
            .map(|(i, p)| (p.comments_key, i))
            .collect()
    }

    /// The taxonomy of `kind`.
    pub fn taxonomy(&self, kind: TaxonomyKind) -> &Taxonomy {
        match kind {
            TaxonomyKind::Tags => &self.tags,
            TaxonomyKind::Categories => &self.categories,
        }
    }
}
