//! Atom 1.0 feeds, written in code so escaping is never a theme's job.

use std::fmt::Write;

use super::jobs::FeedKind;
use crate::markdown::escape;
use crate::model::*;

/// Renders a feed of the newest posts of the site or of one term.
pub fn render(site: &Site, kind: &FeedKind) -> String {
    let c = &site.config;
    let (title, posts, path, page_path): (String, &[PostIdx], String, String) = match kind {
        FeedKind::Site => (c.title.clone(), &[], "/feed.xml".into(), "/".into()),
        FeedKind::Term(k, t) => {
            let term = &site.taxonomy(*k).terms[*t];
            let title = match k {
                TaxonomyKind::Tags => format!("{} – posts tagged ‘{}’", c.title, term.name),
                TaxonomyKind::Categories => {
                    format!("{} – posts in category ‘{}’", c.title, term.name)
                }
            };
            (
                title,
                &term.posts,
                format!("{}feed.xml", term.path),
                term.path.clone(),
            )
        }
    };
    let all: Vec<PostIdx>;
    let posts: &[PostIdx] = if matches!(kind, FeedKind::Site) {
        all = (0..site.posts.len()).collect();
        &all
    } else {
        posts
    };
    let posts = &posts[..posts.len().min(c.feed_limit)];
    let updated = posts
        .iter()
        .map(|&i| site.posts[i].updated.unwrap_or(site.posts[i].date))
        .max()
        .map_or_else(
            || "1970-01-01T00:00:00+00:00".to_owned(),
            |d| d.to_rfc3339(),
        );

    let mut x = String::with_capacity(2048 + posts.len() * 4096);
    x.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    let _ = writeln!(
        x,
        "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{}\">",
        escape(&c.language)
    );
    let _ = writeln!(x, "  <title>{}</title>", escape(&title));
    if !c.description.is_empty() {
        let _ = writeln!(x, "  <subtitle>{}</subtitle>", escape(&c.description));
    }
    let _ = writeln!(
        x,
        "  <link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>",
        escape(&c.permalink(&path))
    );
    let _ = writeln!(
        x,
        "  <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>",
        escape(&c.permalink(&page_path))
    );
    let _ = writeln!(x, "  <id>{}</id>", escape(&c.permalink(&path)));
    let _ = writeln!(x, "  <updated>{updated}</updated>");
    let _ = writeln!(
        x,
        "  <generator version=\"{}\">Salon</generator>",
        env!("CARGO_PKG_VERSION")
    );
    // Term feeds carry summaries: with hundreds of tags, full content in
    // each would repeat the whole site many times over.
    let full = matches!(kind, FeedKind::Site);
    for &i in posts {
        entry(&mut x, site, &site.posts[i], full);
    }
    x.push_str("</feed>\n");
    x
}

fn entry(x: &mut String, site: &Site, p: &Post, full: bool) {
    let c = &site.config;
    let link = c.permalink(&p.path);
    x.push_str("  <entry>\n");
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
