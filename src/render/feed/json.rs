//! JSON Feed 1.1 (<https://jsonfeed.org/version/1.1>), serialized with
//! serde_json so any text is escaped.

use serde::Serialize;

use super::{json_path, Feed, Item};
use crate::model::Site;

/// The version URL every JSON Feed 1.1 starts with.
pub const VERSION: &str = "https://jsonfeed.org/version/1.1";

#[derive(Serialize)]
struct JsonFeed<'a> {
    version: &'static str,
    title: &'a str,
    home_page_url: String,
    feed_url: String,
    #[serde(skip_serializing_if = "str::is_empty")]
    description: &'a str,
    language: &'a str,
    authors: [Author<'a>; 1],
    items: Vec<JsonItem<'a>>,
}

#[derive(Serialize)]
struct Author<'a> {
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonItem<'a> {
    id: &'a str,
    url: &'a str,
    title: &'a str,
    content_html: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    summary: Option<String>,
    date_published: String,
    date_modified: String,
    authors: Vec<Author<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tags: Vec<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    language: Option<&'a str>,
}

/// The JSON Feed text of `feed`.
pub fn write(site: &Site, feed: &Feed<'_>) -> String {
    let c = &site.config;
    let doc = JsonFeed {
        version: VERSION,
        title: &feed.title,
        home_page_url: c.permalink(feed.page_path),
        feed_url: c.permalink(&json_path(site, feed.kind)),
        description: &c.description,
        language: &c.language,
        authors: [match &feed.author {
            Some((name, url)) => Author {
                name,
                url: Some(url),
            },
            None => Author {
                name: &c.title,
                url: Some(&c.base_url),
            },
        }],
        items: feed.items.iter().map(|i| item(site, i)).collect(),
    };
    let mut text = serde_json::to_string_pretty(&doc).expect("a feed serializes");
    text.push('\n');
    text
}

fn item<'a>(site: &'a Site, i: &'a Item<'a>) -> JsonItem<'a> {
    let authors = if i.authors.is_empty() {
        vec![Author {
            name: &site.config.title,
            url: Some(&site.config.base_url),
        }]
    } else {
        i.authors
            .iter()
            .map(|(name, url)| Author {
                name,
                url: url.as_deref(),
            })
            .collect()
    };
    JsonItem {
        id: &i.link,
        url: &i.link,
        title: &i.title,
        // Every item needs a content: a summary-only feed shows the summary.
        content_html: i.content.as_deref().or(i.summary).unwrap_or(""),
        // JSON Feed's summary is plain text.
        summary: i
            .summary
            .map(|s| crate::search::text::plain_excerpt(s, 300))
            .filter(|s| !s.is_empty()),
        date_published: i.published.to_rfc3339(),
        date_modified: i.updated.to_rfc3339(),
        authors,
        tags: i.tags.iter().map(|t| t.name.as_str()).collect(),
        language: i.lang,
    }
}
