//! E-mailed replies as comments (`salon import mbox --comments`).
//!
//! A reply's subject carries the tag of the "Reply" link it came from
//! (`[salon:<slug>#<comment-id>]`, see [`crate::reply`]): the post, and the
//! comment it answers. A reply to another e-mailed reply in the same mbox
//! answers that one, found through `References`, even when its subject
//! lost the tag. A comment has no fold: the quoted message is on the site
//! already, so only the author's own words become the comment; the quote
//! and the signature are left out.

use std::collections::HashMap;

use pulldown_cmark::{html, Parser};

use super::Mailbox;
use crate::import::{CommentRecord, Sender};
use crate::moderation::auth;
use crate::reply::find_tag;

/// The replies to one post.
#[derive(Debug, Clone)]
pub struct PostReplies {
    /// The post's slug, as the tag says.
    pub slug: String,
    /// Each reply with the line of its message in the mbox.
    pub replies: Vec<(usize, CommentRecord)>,
}

/// What the mailbox holds for the site.
#[derive(Debug, Default)]
pub struct Intake {
    /// Replies, by post, in the order the posts were first named.
    pub posts: Vec<PostReplies>,
    /// Messages that answer no post: their line and subject.
    pub untagged: Vec<(usize, String)>,
    /// Replies with no words of their own (all quote): their line.
    pub empty: Vec<usize>,
}

/// Sorts the mailbox's messages into comments per post. `authserv_id`
/// names the site's receiving mail server, whose
/// `Authentication-Results` headers alone can prove a sender.
pub fn collect(mailbox: &Mailbox, authserv_id: Option<&str>) -> Intake {
    let mails = &mailbox.mails;
    // Which post each message answers, and the comment it answers.
    let mut target: Vec<Option<(String, Option<String>)>> = mails
        .iter()
        .map(|m| find_tag(&m.subject).map(|t| (t.slug, t.comment)))
        .collect();
    let by_message_id: HashMap<&str, usize> = mails
        .iter()
        .enumerate()
        .filter_map(|(i, m)| m.message_id.as_deref().map(|id| (id, i)))
        .collect();
    // A reply to a reply answers that one. A message is looked at again
    // only when one it references gains a post, so chains resolve in any
    // order the mbox has them, in time linear in the references.
    let mut referenced_by: Vec<Vec<usize>> = vec![Vec::new(); mails.len()];
    for (i, m) in mails.iter().enumerate() {
        for r in &m.references {
            if let Some(&p) = by_message_id.get(r.as_str()) {
                if p != i {
                    referenced_by[p].push(i);
                }
            }
        }
    }
    let mut parent_mail: Vec<Option<usize>> = vec![None; mails.len()];
    let mut queue: std::collections::VecDeque<usize> = (0..mails.len()).collect();
    let mut queued = vec![true; mails.len()];
    while let Some(i) = queue.pop_front() {
        queued[i] = false;
        let m = &mails[i];
        let found = m
            .references
            .iter()
            .rev()
            .filter_map(|r| by_message_id.get(r.as_str()).copied())
            .find(|&p| p != i && target[p].is_some());
        let Some(p) = found else { continue };
        let slug = target[p].as_ref().map(|t| t.0.clone());
        let same_post = match &target[i] {
            Some((s, _)) => Some(s) == slug.as_ref(),
            None => true,
        };
        if same_post && parent_mail[i] != Some(p) {
            parent_mail[i] = Some(p);
            if target[i].is_none() {
                target[i] = slug.map(|s| (s, None));
                for &k in &referenced_by[i] {
                    if !std::mem::replace(&mut queued[k], true) {
                        queue.push_back(k);
                    }
                }
            }
        }
    }
    let mut intake = Intake::default();
    let mut index: HashMap<String, usize> = HashMap::new();
    for (i, m) in mails.iter().enumerate() {
        let Some((slug, comment)) = &target[i] else {
            intake.untagged.push((m.line, m.subject.clone()));
            continue;
        };
        if m.text.trim().is_empty() {
            intake.empty.push(m.line);
            continue;
        }
        let parent = match parent_mail[i] {
            Some(p) => Some(mails[p].id.clone()),
            None => comment.clone(),
        };
        let record = CommentRecord {
            id: m.id.clone(),
            parent,
            author: m.author.name.clone(),
            email: m.author.email.clone(),
            url: None,
            date: m.date,
            body_html: to_html(&m.text),
            sender: sender(m, authserv_id),
            source: Some(crate::model::Channel::Email),
            ..Default::default()
        };
        let k = *index.entry(slug.clone()).or_insert_with(|| {
            intake.posts.push(PostReplies {
                slug: slug.clone(),
                replies: Vec::new(),
            });
            intake.posts.len() - 1
        });
        intake.posts[k].replies.push((m.line, record));
    }
    for p in &mut intake.posts {
        p.replies
            .sort_by_key(|(line, r)| (r.date.is_none(), r.date, *line));
    }
    intake
}

/// What the message proves about its sender.
fn sender(m: &super::mail::Mail, authserv_id: Option<&str>) -> Sender {
    match auth::verify(&m.auth_results, authserv_id, m.from_address.as_deref()) {
        Ok(_) if m.author.email == m.from_address => Sender::Proven,
        // Google Groups names the sender apart from `From`; the
        // authentication is about `From`, the group.
        Ok(_) => Sender::Unproven(
            "the author is named by X-Original-From, which the authentication does not cover"
                .into(),
        ),
        Err(why) => Sender::Unproven(why),
    }
}

/// The reply's markdown as HTML (sanitized again by the importer).
fn to_html(markdown: &str) -> String {
    let mut out = String::new();
    html::push_html(&mut out, Parser::new(markdown));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::mbox::read;

    const MBOX: &str = "From a Mon Jan  1 00:00:00 2024
Message-ID: <c1@example.org>
From: Ann <ann@example.org>
Subject: Re: Building Bridges [salon:building-bridges#wp-1]
Date: Mon, 1 Jan 2024 10:00:00 +0000

I *agree*.

On Sun, Site wrote:
> the comment

-- 
Ann

From b Mon Jan  1 00:00:00 2024
Message-ID: <c2@example.org>
In-Reply-To: <c1@example.org>
From: Bob <bob@example.org>
Subject: Re: Re: Building Bridges (was: something)
Date: Mon, 1 Jan 2024 11:00:00 +0000

Me too.

From c Mon Jan  1 00:00:00 2024
Message-ID: <c3@example.org>
From: Cy <cy@example.org>
Subject: Unrelated
Date: Mon, 1 Jan 2024 12:00:00 +0000

Hi.

From d Mon Jan  1 00:00:00 2024
Message-ID: <c4@example.org>
From: Di <di@example.org>
Subject: Re: Post [salon:other]
Date: Mon, 1 Jan 2024 12:00:00 +0000

> only a quote
";

    #[test]
    fn replies_land_under_their_post_and_parent() {
        let mb = read(MBOX.as_bytes()).unwrap();
        let intake = collect(&mb, None);
        assert_eq!(intake.posts.len(), 1);
        let p = &intake.posts[0];
        assert_eq!(p.slug, "building-bridges");
        assert_eq!(p.replies.len(), 2);
        let (line, ann) = &p.replies[0];
        assert_eq!(*line, 1);
        assert_eq!(ann.parent.as_deref(), Some("wp-1"));
        assert_eq!(ann.body_html, "<p>I *agree*.</p>\n");
        let bob = &p.replies[1].1;
        assert_eq!(bob.parent.as_deref(), Some(ann.id.as_str()));
        assert_eq!(intake.untagged, vec![(24, "Unrelated".to_owned())]);
        assert_eq!(intake.empty, vec![32]);
    }
}
