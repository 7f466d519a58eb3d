//! Atom 1.0 feeds, written in code so escaping is never a theme's job.

use std::fmt::Write;

use super::jobs::FeedKind;
use super::views::comment_anchor;
use crate::date::Date;
use crate::markdown::escape;
use crate::model::*;

/// Renders one feed.
pub fn render(site: &Site, kind: &FeedKind) -> String {
    let c = &site.config;
    match *kind {
        FeedKind::Site => {
            let posts: Vec<PostIdx> = (0..site.posts.len().min(c.feed_limit)).collect();
            posts_feed(site, &c.title, "/feed.xml", "/", &posts, true)
        }
        FeedKind::Term(k, t) => {
            let term = &site.taxonomy(k).terms[t];
            let title = match k {
                TaxonomyKind::Tags => format!("{} – posts tagged ‘{}’", c.title, term.name),
                TaxonomyKind::Categories => {
                    format!("{} – posts in category ‘{}’", c.title, term.name)
                }
            };
            let posts = &term.posts[..term.posts.len().min(c.feed_limit)];
            // Term feeds carry summaries: with hundreds of tags, full
            // content in each would repeat the whole site many times over.
            posts_feed(
                site,
                &title,
                &format!("{}feed.xml", term.path),
                &term.path,
                posts,
                false,
            )
        }
        FeedKind::Comments => {
            let mut all: Vec<(PostIdx, usize)> = site
                .posts
                .iter()
                .enumerate()
                .flat_map(|(p, post)| (0..post.visible_comments().len()).map(move |c| (p, c)))
                .collect();
            let date_of = |&(p, c): &(PostIdx, usize)| site.posts[p].comments[c].date;
            let limit = c.feed_limit.min(all.len());
            if limit < all.len() {
                all.select_nth_unstable_by(limit, |a, b| date_of(b).cmp(&date_of(a)));
                all.truncate(limit);
            }
            all.sort_by(|a, b| date_of(b).cmp(&date_of(a)).then(a.cmp(b)));
            let title = format!("{} – comments", c.title);
            comments_feed(site, &title, "/comments/feed.xml", "/", &all)
        }
        FeedKind::PostComments(p) => {
            let post = &site.posts[p];
            let mut all: Vec<(PostIdx, usize)> =
                (0..post.visible_comments().len()).map(|c| (p, c)).collect();
            all.reverse();
            let title = format!("Comments on ‘{}’", post.title);
            comments_feed(
                site,
                &title,
                &format!("{}comments.xml", post.path),
                &post.path,
                &all,
            )
        }
    }
}

/// The feed element up to its entries.
fn head(site: &Site, title: &str, path: &str, page_path: &str, updated: Option<Date>) -> String {
    let c = &site.config;
    let updated = updated.map_or_else(
        || "1970-01-01T00:00:00+00:00".to_owned(),
        |d| d.to_rfc3339(),
    );
    let mut x = String::with_capacity(16 * 1024);
    x.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    let _ = writeln!(
        x,
        "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{}\">",
        escape(&c.language)
    );
    let _ = writeln!(x, "  <title>{}</title>", escape(title));
    if !c.description.is_empty() {
        let _ = writeln!(x, "  <subtitle>{}</subtitle>", escape(&c.description));
    }
    let _ = writeln!(
        x,
        "  <link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>",
        escape(&c.permalink(path))
    );
    let _ = writeln!(
        x,
        "  <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>",
        escape(&c.permalink(page_path))
    );
    let _ = writeln!(x, "  <id>{}</id>", escape(&c.permalink(path)));
    let _ = writeln!(x, "  <updated>{updated}</updated>");
    let _ = writeln!(
        x,
        "  <generator version=\"{}\">Salon</generator>",
        env!("CARGO_PKG_VERSION")
    );
    x
}

fn posts_feed(
    site: &Site,
    title: &str,
    path: &str,
    page_path: &str,
    posts: &[PostIdx],
    full: bool,
) -> String {
    let updated = posts
        .iter()
        .map(|&i| site.posts[i].updated.unwrap_or(site.posts[i].date))
        .max();
    let mut x = head(site, title, path, page_path, updated);
    for &i in posts {
        post_entry(&mut x, site, &site.posts[i], full);
    }
    x.push_str("</feed>\n");
    x
}

fn post_entry(x: &mut String, site: &Site, p: &Post, full: bool) {
    let c = &site.config;
    let link = c.permalink(&p.path);
    // The feed says the site's language; a post in another says its own.
    match &p.lang {
        Some(lang) => {
            let _ = writeln!(x, "  <entry xml:lang=\"{}\">", escape(lang));
        }
        None => x.push_str("  <entry>\n"),
    }
    let _ = writeln!(x, "    <title>{}</title>", escape(&p.title));
    let _ = writeln!(
        x,
        "    <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>",
        escape(&link)
    );
    let _ = writeln!(x, "    <id>{}</id>", escape(&link));
    let _ = writeln!(x, "    <published>{}</published>", p.date.to_rfc3339());
    let _ = writeln!(
        x,
        "    <updated>{}</updated>",
        p.updated.unwrap_or(p.date).to_rfc3339()
    );
    if p.authors.is_empty() {
        let _ = writeln!(x, "    <author><name>{}</name></author>", escape(&c.title));
    }
    for &a in &p.authors {
        let m = &site.members[a];
        let _ = writeln!(
            x,
            "    <author><name>{}</name><uri>{}</uri></author>",
            escape(&m.name),
            escape(&c.permalink(&m.path))
        );
    }
    for &t in &p.tags {
        let t = &site.tags.terms[t];
        let _ = writeln!(
            x,
            "    <category term=\"{}\" label=\"{}\"/>",
            escape(&t.slug),
            escape(&t.name)
        );
    }
    let _ = writeln!(
        x,
        "    <summary type=\"html\">{}</summary>",
        escape(&p.body.summary)
    );
    if full {
        let _ = writeln!(
            x,
            "    <content type=\"html\" xml:base=\"{}\">{}</content>",
            escape(&link),
            escape(&p.body.html)
        );
    }
    x.push_str("  </entry>\n");
}

/// A feed of comments, each entry linking to the comment's anchor.
fn comments_feed(
    site: &Site,
    title: &str,
    path: &str,
    page_path: &str,
    comments: &[(PostIdx, usize)],
) -> String {
    let c = &site.config;
    let updated = comments
        .iter()
        .map(|&(p, i)| site.posts[p].comments[i].date)
        .max();
    let mut x = head(site, title, path, page_path, updated);
    for &(p, i) in comments {
        let post = &site.posts[p];
        let comment = &post.comments[i];
        let link = format!(
            "{}#{}",
            c.permalink(&post.path),
            comment_anchor(&comment.id)
        );
        x.push_str("  <entry>\n");
        let _ = writeln!(
            x,
            "    <title>{} on ‘{}’</title>",
            escape(&comment.author),
            escape(&post.title)
        );
        let _ = writeln!(
            x,
            "    <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>",
            escape(&link)
        );
        let _ = writeln!(x, "    <id>{}</id>", escape(&link));
        let _ = writeln!(
            x,
            "    <published>{}</published>",
            comment.date.to_rfc3339()
        );
        let _ = writeln!(x, "    <updated>{}</updated>", comment.date.to_rfc3339());
        match comment.member {
            Some(m) => {
                let _ = writeln!(
                    x,
                    "    <author><name>{}</name><uri>{}</uri></author>",
                    escape(&comment.author),
                    escape(&c.permalink(&site.members[m].path))
                );
            }
            None => {
                let _ = writeln!(
                    x,
                    "    <author><name>{}</name></author>",
                    escape(&comment.author)
                );
            }
        }
        let _ = writeln!(
            x,
            "    <content type=\"html\" xml:base=\"{}\">{}</content>",
            escape(&link),
            escape(&comment.body)
        );
        x.push_str("  </entry>\n");
    }
    x.push_str("</feed>\n");
    x
}
