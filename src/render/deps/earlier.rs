//! Cards an earlier link of the same site computed, and whether a card's
//! inputs are still what they were: a relink after a title or a tag edit
//! keeps the cards of every post and member the edit could not reach
//! instead of hashing each of them again.
//!
//! Each check compares exactly the fields its card function reads (keep
//! them in step with `cards.rs`): equal inputs give the equal hash, so a
//! card kept is the card a clean build computes.

use std::sync::Arc;

use super::Cards;
use crate::date::Date;
use crate::model::*;

/// A site linked before an edit, and the cards computed for it.
#[derive(Clone, Copy)]
pub struct Earlier<'a> {
    /// The site as linked before.
    pub site: &'a Site,
    /// Its cards.
    pub cards: &'a Cards,
}

impl Earlier<'_> {
    /// The index post `i` of `site` had before, when it had the same one:
    /// a title or a tag edit moves no post.
    pub(super) fn post(&self, site: &Site, i: PostIdx) -> Option<PostIdx> {
        let before = self.site.posts.get(i)?;
        (before.source == site.posts[i].source && i < self.cards.post_content.len()).then_some(i)
    }

    /// The index member `i` of `site` had before, when it had the same one.
    pub(super) fn member(&self, site: &Site, i: MemberIdx) -> Option<MemberIdx> {
        let before = self.site.members.get(i)?;
        (before.source == site.members[i].source && i < self.cards.member_page.len()).then_some(i)
    }

    /// Whether every member is shown beside what they wrote as before
    /// (what [`super::cards`]' `member_ref` reads).
    pub(super) fn same_member_refs(&self, site: &Site) -> bool {
        self.site.members.len() == site.members.len()
            && self.site.members.iter().zip(&site.members).all(|(a, b)| {
                a.handle == b.handle && a.name == b.name && a.path == b.path && a.avatar == b.avatar
            })
    }

    /// Whether `post_content` reads for post `i` of `site` what it read
    /// for post `j` before.
    pub(super) fn same_content(&self, j: PostIdx, site: &Site, i: PostIdx) -> bool {
        let (a, b) = (&self.site.posts[j], &site.posts[i]);
        (Arc::ptr_eq(&a.body, &b.body)
            || (a.body.digest == b.body.digest && a.body.toc == b.body.toc))
            && a.extra == b.extra
            && a.lang == b.lang
            && a.syndication == b.syndication
            && self.same_backlinks(&a.backlinks, site, &b.backlinks)
    }

    /// Whether `post_comments` reads for post `i` of `site`, whose
    /// comments' cards are `comments`, what it read for post `j` before;
    /// `members` tells whether [`Self::same_member_refs`] holds.
    pub(super) fn same_comments(
        &self,
        j: PostIdx,
        site: &Site,
        i: PostIdx,
        comments: &[u64],
        members: bool,
    ) -> bool {
        let (a, b) = (&self.site.posts[j], &site.posts[i]);
        members
            && a.comment_mode == b.comment_mode
            && same_list(&a.comments, &b.comments)
            && same_list(&a.reactions, &b.reactions)
            && self.cards.comment.get(j).is_some_and(|c| c == comments)
    }

    /// Whether `member_page` reads for member `i` of `site` what it read
    /// for member `j` before; `members` tells whether
    /// [`Self::same_member_refs`] holds.
    pub(super) fn same_member_page(
        &self,
        j: MemberIdx,
        site: &Site,
        i: MemberIdx,
        members: bool,
    ) -> bool {
        let (a, b) = (&self.site.members[j], &site.members[i]);
        members
            && a.bio.digest == b.bio.digest
            && a.lang == b.lang
            && a.extra == b.extra
            && a.links == b.links
            && a.aka == b.aka
            && a.talks_with == b.talks_with
            && self.same_backlinks(&a.backlinks, site, &b.backlinks)
    }

    /// Whether two lists of backlinks hash alike: the same documents,
    /// each with the title, URL and date it had (what `doc_ref` reads).
    fn same_backlinks(&self, a: &[Doc], site: &Site, b: &[Doc]) -> bool {
        a == b && b.iter().all(|&d| self.same_doc_ref(site, d))
    }

    fn same_doc_ref(&self, site: &Site, d: Doc) -> bool {
        let old = self.site;
        match d {
            Doc::Post(k) => match (old.posts.get(k), site.posts.get(k)) {
                (Some(x), Some(y)) => {
                    x.title == y.title && x.path == y.path && same_date(&x.date, &y.date)
                }
                _ => false,
            },
            Doc::Thread(k) => match (old.threads.get(k), site.threads.get(k)) {
                (Some(x), Some(y)) => {
                    x.title == y.title && x.path == y.path && same_date(&x.date, &y.date)
                }
                _ => false,
            },
            Doc::Page(k) => match (old.pages.get(k), site.pages.get(k)) {
                (Some(x), Some(y)) => {
                    x.title == y.title
                        && x.path == y.path
                        && match (&x.date, &y.date) {
                            (Some(p), Some(q)) => same_date(p, q),
                            (None, None) => true,
                            _ => false,
                        }
                }
                _ => false,
            },
            Doc::Member(k) => match (old.members.get(k), site.members.get(k)) {
                (Some(x), Some(y)) => x.name == y.name && x.path == y.path,
                _ => false,
            },
        }
    }
}

/// The same instant written with the same offset: what a card hashes of
/// a date (`==` on dates compares instants alone).
fn same_date(a: &Date, b: &Date) -> bool {
    a == b && a.offset() == b.offset()
}

/// Two lists linked alike: shared from one link to the next, or both
/// empty.
fn same_list<T>(a: &Arc<[T]>, b: &Arc<[T]>) -> bool {
    Arc::ptr_eq(a, b) || (a.is_empty() && b.is_empty())
}
