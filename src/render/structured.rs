//! Structured data: the JSON-LD (schema.org) each page carries, with the
//! properties Google documents as required and recommended for its type:
//! `BlogPosting` for posts (comments as nested `Comment`s),
//! `DiscussionForumPosting` for threads, `ProfilePage` for members,
//! `WebSite` with a `SearchAction` on the front page, `BreadcrumbList`
//! wherever a page sits below another. Written straight to text by
//! [`super::ld_json`], escaped for a `<script>` element; each object
//! states its keys in ascending order, the order of the text.

use crate::config::Config;
use crate::model::*;
use crate::search::text::html_text;
use crate::tree;

pub use super::ld_json::Graph;
use super::ld_json::{Array, Object};
use super::views::{comment_anchor, entry_anchor};

/// The whole readable text of an HTML fragment, whitespace collapsed.
pub fn plain_text(html: &str) -> String {
    let mut out = String::new();
    html_text(html, |piece| {
        crate::search::text::push_collapsed(piece, &mut out, usize::MAX / 2)
    });
    out.trim().to_owned()
}

/// A `BreadcrumbList` of `(name, root path)` steps, the home page first.
pub fn breadcrumbs(g: &mut Graph, config: &Config, steps: &[(&str, &str)]) {
    g.node(|o| {
        o.str("@type", "BreadcrumbList")
            .array("itemListElement", |a| {
                let all =
                    std::iter::once((config.title.as_str(), "/")).chain(steps.iter().copied());
                for (i, (name, path)) in all.enumerate() {
                    a.object(|o| {
                        o.str("@type", "ListItem")
                            .str("item", &config.permalink(path))
                            .str("name", name)
                            .num("position", i as u64 + 1);
                    });
                }
            });
    });
}

/// `isPartOf`: the site as the `WebSite` a page belongs to.
fn is_part_of(o: &mut Object, c: &Config) {
    o.object("isPartOf", |o| {
        o.str_parts("@id", &[&c.base_url, "#website"])
            .str("@type", "WebSite")
            .str("name", &c.title)
            .str("url", &c.base_url);
    });
}

/// The site as a `WebSite`, with the search it answers.
pub fn website(g: &mut Graph, config: &Config) {
    g.node(|o| {
        o.str_parts("@id", &[&config.base_url, "#website"])
            .str("@type", "WebSite")
            .str_or_null("description", non_empty(&config.description))
            .str("inLanguage", &config.language)
            .str("name", &config.title)
            .object("potentialAction", |o| {
                o.str("@type", "SearchAction")
                    .str("query-input", "required name=search_term_string")
                    .object("target", |o| {
                        let search = config.permalink(crate::search::PAGE_PATH);
                        o.str("@type", "EntryPoint")
                            .str_parts("urlTemplate", &[&search, "?q={search_term_string}"]);
                    });
            })
            .str("url", &config.base_url);
    });
}

/// A page of the site that is none of the richer kinds: a listing
/// (`CollectionPage`), a standalone page (`WebPage`), the search page.
pub fn web_page(
    g: &mut Graph,
    config: &Config,
    kind: &str,
    name: &str,
    path: &str,
    description: &str,
) {
    g.node(|o| {
        o.str("@type", kind)
            .str_or_null("description", non_empty(description));
        is_part_of(o, config);
        o.str("name", name).str("url", &config.permalink(path));
    });
}

/// `Some(text)` unless it is empty: an empty property is left out.
fn non_empty(text: &str) -> Option<&str> {
    (!text.is_empty()).then_some(text)
}

/// An absolute URL for an address written on a page at `page_path`: a
/// web URL as it is, a root path under the base URL, a relative one
/// against the page. Anything else (`data:`, `javascript:`) is none.
pub fn absolute(config: &Config, address: &str, page_path: &str) -> Option<String> {
    let address = address.trim();
    if address.starts_with("https://") || address.starts_with("http://") {
        return Some(address.to_owned());
    }
    if let Some(rest) = address.strip_prefix("//") {
        let scheme = config.base_url.split("://").next().unwrap_or("https");
        return Some(format!("{scheme}://{rest}"));
    }
    if address.is_empty() || address.split(['/', '?', '#']).next()?.contains(':') {
        return None;
    }
    if address.starts_with('/') {
        return Some(config.permalink(address));
    }
    let page = url::Url::parse(&config.permalink(page_path)).ok()?;
    page.join(address).ok().map(String::from)
}

/// An avatar's absolute URL: a path of the site is below the base URL
/// (`avatars/x.png` is `/avatars/x.png`), a web URL stays.
pub fn avatar(config: &Config, avatar: &str) -> Option<String> {
    if avatar.contains("://") || avatar.starts_with("//") {
        absolute(config, avatar, "/")
    } else {
        absolute(config, &format!("/{}", avatar.trim_start_matches('/')), "/")
    }
}

/// A member as a `Person`: name and the URL of their page.
fn member_person(o: &mut Object, site: &Site, m: MemberIdx) {
    let m = &site.members[m];
    o.str("@type", "Person");
    if let Some(image) = m.avatar.as_deref().and_then(|a| avatar(&site.config, a)) {
        o.str("image", &image);
    }
    o.str("name", &m.name)
        .str("url", &site.config.permalink(&m.path));
}

/// Someone who is not (known as) a member: a name, and their own site
/// when they gave one.
fn named_person(o: &mut Object, name: &str, url: Option<&str>) {
    o.str("@type", "Person").str("name", name);
    if let Some(url) = url.filter(|u| crate::url::is_web_url(u)) {
        o.str("url", url);
    }
}

/// The site as the `Organization` that publishes it.
fn publisher(o: &mut Object, config: &Config) {
    o.str("@type", "Organization")
        .str("name", &config.title)
        .str("url", &config.base_url);
}

/// A post as a `BlogPosting`, with its comments nested by reply.
pub fn blog_posting(
    g: &mut Graph,
    site: &Site,
    i: PostIdx,
    image: Option<&str>,
    description: &str,
) {
    let c = &site.config;
    let p = &site.posts[i];
    let url = c.permalink(&p.path);
    let comments = p.visible_comments();
    g.node(|o| {
        o.str_parts("@id", &[&url, "#article"])
            .str("@type", "BlogPosting");
        if !p.categories.is_empty() {
            let sections = p
                .categories
                .iter()
                .map(|&t| site.categories.terms[t].name.as_str());
            o.strs("articleSection", sections);
        }
        o.array("author", |a| {
            if p.authors.is_empty() {
                a.object(|o| publisher(o, c));
            }
            for &m in &p.authors {
                a.object(|o| member_person(o, site, m));
            }
        });
        if !comments.is_empty() {
            o.array("comment", |a| comment_nodes(a, site, p, &url));
        }
        if !comments.is_empty() || p.comment_mode != CommentMode::Hidden {
            o.num("commentCount", comments.len() as u64);
        }
        o.str("dateModified", &p.updated.unwrap_or(p.date).to_rfc3339())
            .str("datePublished", &p.date.to_rfc3339())
            .str_or_null("description", non_empty(description))
            .str("headline", &p.title);
        if let Some(image) = image {
            o.strs("image", [image]);
        }
        o.str("inLanguage", p.lang.as_deref().unwrap_or(&c.language));
        is_part_of(o, c);
        keywords(o, site, &p.tags);
        main_entity_of_page(o, &url)
            .str("name", &p.title)
            .object("publisher", |o| publisher(o, c))
            .str("url", &url)
            .num("wordCount", p.body.word_count as u64);
    });
}

/// `keywords`: the names of `tags`, when there are any.
fn keywords(o: &mut Object, site: &Site, tags: &[TermIdx]) {
    if !tags.is_empty() {
        o.strs(
            "keywords",
            tags.iter().map(|&t| site.tags.terms[t].name.as_str()),
        );
    }
}

/// `mainEntityOfPage`: the page at `url` is about this node.
fn main_entity_of_page<'o, 'a>(o: &'o mut Object<'a>, url: &str) -> &'o mut Object<'a> {
    o.object("mainEntityOfPage", |o| {
        o.str("@id", url).str("@type", "WebPage");
    })
}

/// A post's comments as `Comment`s, replies nested under what they
/// answer as the page shows them: at most [`tree::MAX_DEPTH`] deep,
/// deeper replies listed at the last level.
fn comment_nodes(a: &mut Array, site: &Site, p: &Post, page: &str) {
    let comments = p.visible_comments();
    let parents: Vec<Option<usize>> = comments.iter().map(|c| c.parent).collect();
    let (roots, shown) = tree::layout(&parents, tree::MAX_DEPTH);
    // Recursion bounded by the layout: at most MAX_DEPTH levels.
    fn node(o: &mut Object, site: &Site, p: &Post, page: &str, i: usize, shown: &[tree::Shown]) {
        let c = &p.comments[i];
        let anchor = comment_anchor(&c.id);
        o.str_parts("@id", &[page, "#", &anchor])
            .str("@type", "Comment")
            .object("author", |o| match c.member {
                Some(m) => member_person(o, site, m),
                None => named_person(o, &c.author, c.url.as_deref()),
            });
        let replies = &shown[i].replies;
        if !replies.is_empty() {
            o.array("comment", |a| {
                for &k in replies {
                    a.object(|o| node(o, site, p, page, k, shown));
                }
            });
        }
        o.str("datePublished", &c.date.to_rfc3339())
            .str("text", &plain_text(&c.body))
            .str_parts("url", &[page, "#", &anchor]);
    }
    for &i in &roots {
        a.object(|o| node(o, site, p, page, i, &shown));
    }
}

/// The `Person` (or, for no one known, the site) behind a thread entry.
fn participant_person(o: &mut Object, site: &Site, p: &Participant) {
    match p.member {
        Some(m) => member_person(o, site, m),
        None => named_person(o, &p.name, None),
    }
}

/// A thread as a `DiscussionForumPosting`, its entries as `Comment`s.
/// Page `page` of a paged thread holds that page's entries only.
pub fn discussion(
    g: &mut Graph,
    site: &Site,
    i: ThreadIdx,
    (layout, page): (&ThreadLayout, usize),
    description: &str,
) {
    let c = &site.config;
    let t = &site.threads[i];
    let url = c.permalink(&t.path);
    let modified = t.entries.iter().filter_map(|e| e.date).max();
    let intro = plain_text(&t.intro.html);
    let text = if intro.is_empty() {
        t.entries
            .first()
            .map(|e| plain_text(&e.text))
            .unwrap_or_default()
    } else {
        intro
    };
    g.node(|o| {
        o.str_parts("@id", &[&url, "#discussion"])
            .str("@type", "DiscussionForumPosting")
            .object("author", |o| {
                let starter = t
                    .started_by
                    .as_ref()
                    .or_else(|| t.entries.first().map(|e| &e.by));
                match starter {
                    Some(p) => participant_person(o, site, p),
                    None => publisher(o, c),
                }
            });
        if !t.entries.is_empty() {
            o.array("comment", |a| entry_nodes(a, site, t, layout, page));
        }
        let count = t.entries.len() as u64;
        o.num("commentCount", count)
            .str(
                "dateModified",
                &modified.map_or(t.date, |m| m.max(t.date)).to_rfc3339(),
            )
            .str("datePublished", &t.date.to_rfc3339())
            .str_or_null("description", non_empty(description))
            .str("headline", &t.title)
            .str("inLanguage", t.lang.as_deref().unwrap_or(&c.language))
            .object("interactionStatistic", |o| {
                o.str("@type", "InteractionCounter")
                    .str("interactionType", "https://schema.org/CommentAction")
                    .num("userInteractionCount", count);
            });
        is_part_of(o, c);
        keywords(o, site, &t.tags);
        main_entity_of_page(o, &url);
        if let Some(origin) = t.origin.as_ref().and_then(|o| o.url.as_deref()) {
            // Where the conversation happened first.
            o.object("sharedContent", |o| {
                o.str("@type", "WebPage").str("url", origin);
            });
        }
        o.str("text", non_empty(&text).unwrap_or(&t.title))
            .str("url", &url);
    });
}

/// The entries on page `page_no` of a thread as `Comment`s, nested like
/// [`comment_nodes`] and like the page shows them.
fn entry_nodes(a: &mut Array, site: &Site, t: &Thread, layout: &ThreadLayout, page_no: usize) {
    let shown = &layout.shown;
    let page = site
        .config
        .permalink(&super::jobs::page_path(&t.path, page_no));
    // Recursion bounded by the layout: at most MAX_DEPTH levels.
    fn node(
        o: &mut Object,
        site: &Site,
        t: &Thread,
        page: (&str, usize),
        i: usize,
        shown: &[tree::Shown],
    ) {
        let (url_of_page, page_no) = page;
        let e = &t.entries[i];
        let mut text = plain_text(&e.text);
        if text.is_empty() {
            if let Some((p, c)) = e.quote {
                text = plain_text(&site.posts[p].comments[c].body);
            }
        }
        let anchor = entry_anchor(&e.id);
        o.str_parts("@id", &[url_of_page, "#", &anchor])
            .str("@type", "Comment")
            .object("author", |o| participant_person(o, site, &e.by));
        let replies = &shown[i].replies;
        if !replies.is_empty() {
            o.array("comment", |a| {
                for &k in replies.iter().filter(|&&k| t.on_page(k, page_no)) {
                    a.object(|o| node(o, site, t, page, k, shown));
                }
            });
        }
        // An entry imported with no date says none rather than a guess.
        if let Some(d) = e.date {
            o.str("datePublished", &d.to_rfc3339());
        }
        if let Some(original) = e.url.as_deref() {
            o.str("sameAs", original);
        }
        o.str("text", &text)
            .str_parts("url", &[url_of_page, "#", &anchor]);
    }
    for &i in layout.tops(page_no) {
        a.object(|o| node(o, site, t, (&page, page_no), i, shown));
    }
}

/// A member's page as a `ProfilePage` whose `mainEntity` is the
/// `Person`: their links as `sameAs`, what they wrote as counts.
pub fn profile(g: &mut Graph, site: &Site, i: MemberIdx, description: &str) {
    let c = &site.config;
    let m = &site.members[i];
    let url = c.permalink(&m.path);
    // What the person did (Google's `agentInteractionStatistic`): posts
    // written, comments and thread messages written.
    let counter = |a: &mut Array, action: &str, n: usize| {
        a.object(|o| {
            o.str("@type", "InteractionCounter")
                .str_parts("interactionType", &["https://schema.org/", action])
                .num("userInteractionCount", n as u64);
        })
    };
    g.node(|o| {
        o.str("@id", &url)
            .str("@type", "ProfilePage")
            .str("inLanguage", m.lang.as_deref().unwrap_or(&c.language));
        is_part_of(o, c);
        o.object("mainEntity", |o| {
            o.str_parts("@id", &[&url, "#person"])
                .str("@type", "Person")
                .array("agentInteractionStatistic", |a| {
                    counter(a, "WriteAction", m.posts.len());
                    counter(a, "CommentAction", m.comments.len() + m.entries.len());
                })
                .str("alternateName", &m.handle);
            if !description.is_empty() {
                o.str("description", description);
            }
            if let Some(place) = &m.location {
                o.object("homeLocation", |o| {
                    o.str("@type", "Place").str("name", place);
                });
            }
            o.str("identifier", &m.handle);
            if let Some(image) = m.avatar.as_deref().and_then(|a| avatar(c, a)) {
                o.str("image", &image);
            }
            if let Some(role) = &m.role {
                o.str("jobTitle", role);
            }
            o.str("name", &m.name);
            let same_as: Vec<&str> = m
                .links
                .iter()
                .filter_map(|l| l.url.as_deref())
                .filter(|u| crate::url::is_web_url(u))
                .collect();
            if !same_as.is_empty() {
                o.strs("sameAs", same_as);
            }
            o.str("url", &url);
        })
        .str("name", &m.name)
        .str("url", &url);
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_become_absolute_under_the_base() {
        let c = Config::parse(
            std::path::Path::new("salon.yaml"),
            "title: T\nbase_url: https://e.org/sub/\n",
        )
        .unwrap();
        let at = |a: &str| absolute(&c, a, "/posts/x/");
        assert_eq!(
            at("/img/a.png").as_deref(),
            Some("https://e.org/sub/img/a.png")
        );
        assert_eq!(
            at("a.png").as_deref(),
            Some("https://e.org/sub/posts/x/a.png")
        );
        assert_eq!(
            at("https://cdn.org/a.png").as_deref(),
            Some("https://cdn.org/a.png")
        );
        assert_eq!(
            at("//cdn.org/a.png").as_deref(),
            Some("https://cdn.org/a.png")
        );
        assert_eq!(at("javascript:alert(1)"), None);
        assert_eq!(at("data:image/png;base64,xx"), None);
        assert_eq!(
            avatar(&c, "avatars/a.png").as_deref(),
            Some("https://e.org/sub/avatars/a.png")
        );
    }
}
