//! Atom 1.0, through [`XmlWriter`] so the file is always well-formed.

use super::{atom_path, Feed, Item};
use crate::model::Site;
use crate::render::xml::XmlWriter;

/// The Atom text of `feed`.
pub fn write(site: &Site, feed: &Feed<'_>) -> String {
    let c = &site.config;
    let updated = feed.items.iter().map(|i| i.updated).max().map_or_else(
        || "1970-01-01T00:00:00+00:00".to_owned(),
        |d| d.to_rfc3339(),
    );
    let mut x = XmlWriter::new("utf-8", 16 * 1024);
    let self_link = c.permalink(&atom_path(site, feed.kind));
    x.open(
        "feed",
        &[
            ("xmlns", "http://www.w3.org/2005/Atom"),
            ("xml:lang", &c.language),
        ],
    );
    x.layout("\n  ").element("title", &[], &feed.title);
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
            ("href", &c.permalink(feed.page_path)),
        ],
    );
    x.layout("\n  ").element("id", &[], &self_link);
    if let Some((name, uri)) = &feed.author {
        // A person's feed is theirs.
        x.layout("\n  ")
            .open("author", &[])
            .element("name", &[], name)
            .element("uri", &[], uri)
            .close();
    }
    x.layout("\n  ").element("updated", &[], &updated);
    x.layout("\n  ").element(
        "generator",
        &[("version", env!("CARGO_PKG_VERSION"))],
        "Salon",
    );
    x.layout("\n");
    for item in &feed.items {
        entry(&mut x, site, item);
    }
    x.close().layout("\n");
    x.finish()
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

fn entry(x: &mut XmlWriter, site: &Site, item: &Item<'_>) {
    // The feed says the site's language; an entry in another says its own.
    let lang: Vec<(&str, &str)> = item.lang.map(|l| ("xml:lang", l)).into_iter().collect();
    x.layout("  ").open("entry", &lang).layout("\n    ");
    x.element("title", &[], &item.title).layout("\n    ");
    x.empty(
        "link",
        &[
            ("rel", "alternate"),
            ("type", "text/html"),
            ("href", &item.link),
        ],
    )
    .layout("\n    ");
    x.element("id", &[], &item.link).layout("\n    ");
    x.element("published", &[], &item.published.to_rfc3339())
        .layout("\n    ");
    x.element("updated", &[], &item.updated.to_rfc3339())
        .layout("\n");
    if item.authors.is_empty() {
        author(x, &site.config.title, None);
    }
    for (name, uri) in &item.authors {
        author(x, name, uri.as_deref());
    }
    for t in &item.tags {
        x.layout("    ")
            .empty("category", &[("term", &t.slug), ("label", &t.name)])
            .layout("\n");
    }
    if let Some(summary) = item.summary {
        x.layout("    ")
            .element("summary", &[("type", "html")], summary)
            .layout("\n");
    }
    if let Some(content) = &item.content {
        x.layout("    ")
            .element(
                "content",
                &[("type", "html"), ("xml:base", &item.link)],
                content,
            )
            .layout("\n");
    }
    x.layout("  ").close().layout("\n");
}
