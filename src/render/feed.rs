//! Atom 1.0 feeds, written in code so escaping is never a theme's job,
//! through [`XmlWriter`] so they are always well-formed.

use super::jobs::FeedKind;
use super::views::comment_anchor;
use super::xml::XmlWriter;
use crate::date::Date;
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
fn head(site: &Site, title: &str, path: &str, page_path: &str, updated: Option<Date>) -> XmlWriter {
    let c = &site.config;
    let updated = updated.map_or_else(
        || "1970-01-01T00:00:00+00:00".to_owned(),
        |d| d.to_rfc3339(),
    );
    let mut x = XmlWriter::new("utf-8", 16 * 1024);
    let self_link = c.permalink(path);
    x.open(
        "feed",
        &[
            ("xmlns", "http://www.w3.org/2005/Atom"),
            ("xml:lang", &c.language),
        ],
    );
    x.layout("\n  ").element("title", &[], title);
    if !c.description.is_empty() {
        x.layout("\n  ").element("subtitle", &[], &c.description);
    }
    x.layout("\n  ").empty(
        "link",
        &[
            ("rel", "self"),
            ("type", "application/atom+xml"),
            ("href", &self_link),
        ],
    );
    x.layout("\n  ").empty(
        "link",
        &[
            ("rel", "alternate"),
            ("type", "text/html"),
            ("href", &c.permalink(page_path)),
        ],
    );
    x.layout("\n  ").element("id", &[], &self_link);
    x.layout("\n  ").element("updated", &[], &updated);
    x.layout("\n  ").element(
        "generator",
        &[("version", env!("CARGO_PKG_VERSION"))],
        "Salon",
    );
    x.layout("\n");
    x
}

/// Closes the feed element and ends the document.
fn end(mut x: XmlWriter) -> String {
    x.close().layout("\n");
    x.finish()
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
    end(x)
}

/// An `<author>` with a name and, for members, their page.
fn author(x: &mut XmlWriter, name: &str, uri: Option<&str>) {
    x.layout("    ")
        .open("author", &[])
        .element("name", &[], name);
    if let Some(uri) = uri {
        x.element("uri", &[], uri);
    }
    x.close().layout("\n");
}

fn post_entry(x: &mut XmlWriter, site: &Site, p: &Post, full: bool) {
    let c = &site.config;
    let link = c.permalink(&p.path);
    // The feed says the site's language; a post in another says its own.
    let lang: Vec<(&str, &str)> = p
        .lang
        .as_deref()
        .map(|l| ("xml:lang", l))
        .into_iter()
        .collect();
    x.layout("  ").open("entry", &lang).layout("\n    ");
    x.element("title", &[], &p.title).layout("\n    ");
    x.empty(
        "link",
        &[("rel", "alternate"), ("type", "text/html"), ("href", &link)],
    )
    .layout("\n    ");
    x.element("id", &[], &link).layout("\n    ");
    x.element("published", &[], &p.date.to_rfc3339())
        .layout("\n    ");
    x.element("updated", &[], &p.updated.unwrap_or(p.date).to_rfc3339())
        .layout("\n");
    if p.authors.is_empty() {
        author(x, &c.title, None);
    }
    for &a in &p.authors {
        let m = &site.members[a];
        author(x, &m.name, Some(&c.permalink(&m.path)));
    }
    for &t in &p.tags {
        let t = &site.tags.terms[t];
        x.layout("    ")
            .empty("category", &[("term", &t.slug), ("label", &t.name)])
            .layout("\n");
    }
    x.layout("    ")
        .element("summary", &[("type", "html")], &p.body.summary)
        .layout("\n");
    if full {
        x.layout("    ")
            .element(
                "content",
                &[("type", "html"), ("xml:base", &link)],
                &p.body.html,
            )
            .layout("\n");
    }
    x.layout("  ").close().layout("\n");
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
        let date = comment.date.to_rfc3339();
        x.layout("  ").open("entry", &[]).layout("\n    ");
        x.element(
            "title",
            &[],
            &format!("{} on ‘{}’", comment.author, post.title),
        )
        .layout("\n    ");
        x.empty(
            "link",
            &[("rel", "alternate"), ("type", "text/html"), ("href", &link)],
        )
        .layout("\n    ");
        x.element("id", &[], &link).layout("\n    ");
        x.element("published", &[], &date).layout("\n    ");
        x.element("updated", &[], &date).layout("\n");
        let member_page = comment.member.map(|m| c.permalink(&site.members[m].path));
        author(&mut x, &comment.author, member_page.as_deref());
        x.layout("    ")
            .element(
                "content",
                &[("type", "html"), ("xml:base", &link)],
                &comment.body,
            )
            .layout("\n");
        x.layout("  ").close().layout("\n");
    }
    end(x)
}
