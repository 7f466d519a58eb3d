//! `salon.yaml`: the raw file, then the checked [`Config`].

use std::path::Path;

use serde::Deserialize;

use crate::error::Diagnostic;
use crate::frontmatter;

/// The file name of a site's configuration.
pub const CONFIG_FILE: &str = "salon.yaml";

/// `salon.yaml` as written.
#[derive(Debug, Deserialize)]
struct RawConfig {
    title: String,
    base_url: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    language: Option<String>,
    #[serde(default)]
    theme: Option<String>,
    #[serde(default)]
    palette: Option<String>,
    #[serde(default)]
    paginate: Option<usize>,
    #[serde(default)]
    paginate_entries: Option<usize>,
    #[serde(default)]
    paginate_threads: Option<usize>,
    #[serde(default)]
    archive_titles: Option<usize>,
    #[serde(default)]
    feed_limit: Option<usize>,
    #[serde(default)]
    permalinks: RawPermalinks,
    #[serde(default)]
    feeds: Feeds,
    #[serde(default)]
    menu: Option<Vec<MenuItem>>,
    #[serde(default)]
    reply_to: Option<String>,
    #[serde(default)]
    moderation: Option<crate::moderation::policy::RawPolicy>,
    image: Option<String>,
    #[serde(default)]
    theme_color: Option<String>,
    #[serde(default)]
    extra: serde_yaml::Mapping,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawPermalinks {
    #[serde(default)]
    post: Option<String>,
}

/// `feeds:`: which of the feeds a reader rarely opens are written too.
///
/// The site's feeds (`/feed.xml`, `/comments/feed.xml`, their JSON Feeds)
/// and the Atom feed of every tag, category, member and thread always
/// are. These add a file per post or per list, thousands on a large site
/// (most of a clean build's time is creating files), for readers that
/// seldom follow them, so they are off unless asked for.
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Feeds {
    /// `<post>/comments.xml`: one post's comments, for every post that has
    /// any.
    #[serde(default)]
    pub post_comments: bool,
    /// Which feeds get a JSON Feed beside the Atom one.
    #[serde(default)]
    pub json: JsonFeeds,
}

/// `feeds.json:` in `salon.yaml`.
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum JsonFeeds {
    /// Only the site's: `/feed.json` and `/comments/feed.json`.
    #[default]
    Site,
    /// Also every tag's, category's, member's and thread's `feed.json`.
    All,
}

/// The default theme's colour palettes, as `(name, label)`; `palette:` in
/// `salon.yaml` must name one.
pub const PALETTES: &[(&str, &str)] = &[
    ("default", "Default"),
    ("life", "Life"),
    ("earth", "Earth"),
    ("wind", "Wind"),
    ("water", "Water"),
    ("fire", "Fire"),
    ("light", "Light"),
];

/// One navigation link.
#[derive(Debug, Clone, Deserialize, serde::Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct MenuItem {
    /// The label.
    pub name: String,
    /// A root path (`/about/`) or an absolute URL.
    pub url: String,
    /// The translation key of the label, for the menu a site gets when it
    /// names none (its labels speak the page's language).
    #[serde(skip_deserializing, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
}

/// The checked site configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// Site title.
    pub title: String,
    /// Absolute URL of the site's root, always ending with `/`.
    pub base_url: String,
    /// The path part of `base_url`: `/` or `/community/`.
    pub base_path: String,
    /// One-line description, for feeds and meta tags.
    pub description: String,
    /// Language code for `<html lang>`.
    pub language: String,
    /// Theme folder name below `themes/` (or the built-in `default`).
    pub theme: String,
    /// The colour palette readers see until they pick another: one of
    /// [`PALETTES`].
    pub palette: String,
    /// Posts per listing page.
    pub paginate: usize,
    /// Messages per page of a thread, and comments and thread messages
    /// per page of a member's profile.
    pub paginate_entries: usize,
    /// Threads per page of `/threads/` and of a tag's threads.
    pub paginate_threads: usize,
    /// How many post titles `/archive/` and each year's page list, newest
    /// first, whole months at a time (0: counts and links only).
    pub archive_titles: usize,
    /// Entries per Atom feed.
    pub feed_limit: usize,
    /// Which optional feeds are written (`feeds:`).
    pub feeds: Feeds,
    /// URL pattern of posts, with `:slug`, `:year`, `:month`, `:day`.
    pub post_permalink: String,
    /// Navigation links.
    pub menu: Vec<MenuItem>,
    /// The address readers reply to by e-mail: posts and comments get a
    /// `mailto:` "Reply" link (see [`crate::reply`]).
    pub reply_to: Option<String>,
    /// Which new comments wait for a moderator (`moderation:`).
    pub moderation: crate::moderation::Policy,
    /// The picture link previews show when a page has none of its own: a
    /// path of the site (`/images/card.png`) or an http(s) URL.
    pub image: Option<String>,
    /// The browser's colour for its own interface around the site
    /// (`<meta name="theme-color">`): `#rgb`, `#rrggbb` or `#rrggbbaa`.
    pub theme_color: String,
    /// Free-form data for templates.
    pub extra: serde_yaml::Mapping,
    /// The interface's translation tables: the built-in ones, with the
    /// site's `i18n/` files applied once the build has read them.
    pub i18n: std::sync::Arc<crate::i18n::Catalog>,
}

impl Config {
    /// Parses and checks `salon.yaml`'s text.
    pub fn parse(path: &Path, text: &str) -> Result<Config, Vec<Diagnostic>> {
        let (raw, mut errors): (RawConfig, _) = frontmatter::parse(path, text, text, 1)?;
        let at = |key: &str| frontmatter::locate_key(text, key);
        let base_url = normalize_base_url(&raw.base_url).unwrap_or_else(|msg| {
            errors.push(
                Diagnostic::error(path, at("base_url"), msg)
                    .with_help("expected an absolute URL like https://example.org/ or https://example.org/community/")
                    .with_source(text),
            );
            "http://localhost/".into()
        });
        let base_path = base_path_of(&base_url);
        let paginate = raw.paginate.unwrap_or(10);
        let paginate_entries = raw.paginate_entries.unwrap_or(50);
        let paginate_threads = raw.paginate_threads.unwrap_or(50);
        for (key, n) in [
            ("paginate", paginate),
            ("paginate_entries", paginate_entries),
            ("paginate_threads", paginate_threads),
        ] {
            if n == 0 {
                errors.push(
                    Diagnostic::error(path, at(key), format!("`{key}` must be at least 1"))
                        .with_source(text),
                );
            }
        }
        let post_permalink = raw
            .permalinks
            .post
            .unwrap_or_else(|| "/posts/:slug/".into());
        if let Err(msg) = check_permalink(&post_permalink) {
            errors.push(
                Diagnostic::error(path, at("permalinks"), msg)
                    .with_help("expected a path like /posts/:slug/ or /:year/:month/:slug/")
                    .with_source(text),
            );
        }
        let reply_to = raw.reply_to.map(|a| a.trim().to_owned());
        if let Some(Err(msg)) = reply_to.as_deref().map(crate::reply::check_address) {
            errors.push(
                Diagnostic::error(path, at("reply_to"), msg)
                    .with_help(
                        "expected the address that takes replies, like community@example.org",
                    )
                    .with_source(text),
            );
        }
        if let Some(Err(msg)) = raw.language.as_deref().map(crate::lang::check_tag) {
            errors.push(Diagnostic::error(path, at("language"), msg).with_source(text));
        }
        let palette = raw.palette.unwrap_or_else(|| "default".into());
        if !PALETTES.iter().any(|(name, _)| *name == palette) {
            let names: Vec<&str> = PALETTES.iter().map(|(n, _)| *n).collect();
            errors.push(
                Diagnostic::error(
                    path,
                    frontmatter::locate_value(text, "palette", &palette),
                    format!("unknown palette `{palette}`"),
                )
                .with_help(format!("expected one of: {}", names.join(", ")))
                .with_source(text),
            );
        }
        let moderation = match raw.moderation {
            None => Default::default(),
            Some(m) => crate::moderation::Policy::check(m, path, text).unwrap_or_else(|e| {
                errors.extend(e);
                Default::default()
            }),
        };
        let image = raw.image.map(|i| i.trim().to_owned());
        if let Some(Err(msg)) = image.as_deref().map(check_image) {
            errors.push(
                Diagnostic::error(path, at("image"), msg)
                    .with_help(
                        "expected a path of the site like /images/card.png, or an http(s) URL",
                    )
                    .with_source(text),
            );
        }
        let theme_color = raw
            .theme_color
            .map_or_else(|| DEFAULT_THEME_COLOR.to_owned(), |c| c.trim().to_owned());
        if !is_hex_color(&theme_color) {
            errors.push(
                Diagnostic::error(
                    path,
                    frontmatter::locate_value(text, "theme_color", &theme_color),
                    format!("theme_color `{theme_color}` is not a colour"),
                )
                .with_help("expected a hex colour like #3d3bb0")
                .with_source(text),
            );
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let menu = raw.menu.unwrap_or_else(default_menu);
        let language = raw.language.unwrap_or_else(|| "en".into());
        Ok(Config {
            i18n: std::sync::Arc::new(crate::i18n::Catalog::builtin(&language)),
            title: raw.title,
            base_url,
            base_path,
            description: raw.description,
            language,
            theme: raw.theme.unwrap_or_else(|| "default".into()),
            palette,
            paginate: paginate.max(1),
            paginate_entries: paginate_entries.max(1),
            paginate_threads: paginate_threads.max(1),
            archive_titles: raw.archive_titles.unwrap_or(500),
            feed_limit: raw.feed_limit.unwrap_or(20),
            feeds: raw.feeds,
            post_permalink,
            menu,
            reply_to,
            moderation,
            image,
            theme_color,
            extra: raw.extra,
        })
    }

    /// Replaces the base URL (`--base-url`).
    pub fn set_base_url(&mut self, url: &str) -> Result<(), String> {
        self.base_url = normalize_base_url(url)?;
        self.base_path = base_path_of(&self.base_url);
        Ok(())
    }

    /// The absolute URL of a root path (`/posts/x/`).
    pub fn permalink(&self, root_path: &str) -> String {
        format!("{}{}", self.base_url, root_path.trim_start_matches('/'))
    }

    /// The browser URL of a root path, with the base path in front.
    pub fn url(&self, root_path: &str) -> String {
        crate::url::with_base(&self.base_path, root_path)
    }
}

/// The `theme_color` of a site that names none: the default palette's
/// accent.
pub const DEFAULT_THEME_COLOR: &str = "#3d3bb0";

/// Whether `c` is `#rgb`, `#rgba`, `#rrggbb` or `#rrggbbaa`.
fn is_hex_color(c: &str) -> bool {
    c.strip_prefix('#').is_some_and(|hex| {
        matches!(hex.len(), 3 | 4 | 6 | 8) && hex.bytes().all(|b| b.is_ascii_hexdigit())
    })
}

/// Checks `image:`: a plain path of the site or an http(s) URL, as an
/// avatar may be.
fn check_image(image: &str) -> Result<(), String> {
    let web = image.starts_with("https://") || image.starts_with("http://");
    if image.is_empty()
        || image.contains(['"', '<', '>', '\\', '`'])
        || image.chars().any(|c| c.is_whitespace() || c.is_control())
        || (!web
            && (image.contains(':')
                || image.starts_with("//")
                || image.split('/').any(|s| s == "..")))
    {
        return Err(format!(
            "image `{}` is neither a path of the site nor an http(s) URL",
            image.escape_debug()
        ));
    }
    Ok(())
}

/// The menu a site gets when `salon.yaml` names none.
fn default_menu() -> Vec<MenuItem> {
    [
        ("Posts", "/", "menu_posts"),
        ("Archive", "/archive/", "menu_archive"),
        ("Tags", "/tags/", "menu_tags"),
        ("Members", "/members/", "menu_members"),
        ("Threads", "/threads/", "menu_threads"),
    ]
    .into_iter()
    .map(|(name, url, key)| MenuItem {
        name: name.into(),
        url: url.into(),
        key: Some(key.into()),
    })
    .collect()
}

fn normalize_base_url(url: &str) -> Result<String, String> {
    let url = url.trim();
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or_else(|| format!("base_url `{url}` is not an http(s) URL"))?;
    if rest.is_empty() || rest.starts_with('/') {
        return Err(format!("base_url `{url}` has no host"));
    }
    if rest.contains(['?', '#']) {
        return Err(format!("base_url `{url}` may not have a query or fragment"));
    }
    // Every page and feed carries it: nothing a browser reads otherwise.
    if let Some(c) = url.chars().find(|&c| {
        c.is_whitespace() || c.is_control() || matches!(c, '"' | '\'' | '<' | '>' | '\\' | '`')
    }) {
        return Err(format!(
            "base_url `{}` contains {}, which a URL may not",
            url.escape_debug(),
            if c == ' ' {
                "a space".to_owned()
            } else {
                format!("`{}`", c.escape_debug())
            }
        ));
    }
    let parsed = url::Url::parse(url).map_err(|e| format!("base_url `{url}` is not a URL: {e}"))?;
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(format!(
            "base_url `{url}` holds a user name or password; every page would publish it"
        ));
    }
    if rest.split('/').skip(1).any(|s| s == ".." || s == ".") {
        return Err(format!("base_url `{url}` has a `.` or `..` folder"));
    }
    let mut url = url.to_owned();
    if !url.ends_with('/') {
        url.push('/');
    }
    Ok(url)
}

fn base_path_of(base_url: &str) -> String {
    let after_scheme = &base_url[base_url.find("://").map_or(0, |i| i + 3)..];
    after_scheme
        .find('/')
        .map_or_else(|| "/".into(), |i| after_scheme[i..].to_owned())
}

fn check_permalink(pattern: &str) -> Result<(), String> {
    if !pattern.starts_with('/') || !pattern.contains(":slug") {
        return Err(format!(
            "permalink `{pattern}` must start with `/` and contain `:slug`"
        ));
    }
    let probe = pattern
        .replace(":slug", "x")
        .replace(":year", "2000")
        .replace(":month", "01")
        .replace(":day", "01");
    crate::url::OutputPath::from_url(&probe).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, Vec<Diagnostic>> {
        Config::parse(Path::new("salon.yaml"), text)
    }

    #[test]
    fn sub_path_base_url_gives_base_path() {
        let c = parse("title: T\nbase_url: https://example.org/community\n").unwrap();
        assert_eq!(c.base_url, "https://example.org/community/");
        assert_eq!(c.base_path, "/community/");
        assert_eq!(c.url("/posts/x/"), "/community/posts/x/");
        assert_eq!(
            c.permalink("/posts/x/"),
            "https://example.org/community/posts/x/"
        );
    }

    #[test]
    fn a_base_url_a_browser_could_misread_is_refused() {
        for bad in [
            "https://example.org/my site/",
            "https://example.org/\"x/",
            "https://example.org/a<b/",
            "https://example.org/../up/",
            "https://user:pass@example.org/",
            "https://user@example.org/",
            "https://exa mple.org/",
            "javascript:alert(1)//",
        ] {
            let text = format!("title: T\nbase_url: '{bad}'\n");
            assert!(parse(&text).is_err(), "{bad} was accepted");
        }
        for good in [
            "https://example.org/",
            "http://127.0.0.1:1111/",
            "https://e.org/caf%C3%A9/",
        ] {
            let text = format!("title: T\nbase_url: '{good}'\n");
            assert!(parse(&text).is_ok(), "{good} was refused");
        }
    }

    #[test]
    fn bad_values_are_reported_together() {
        let errs = parse("title: T\nbase_url: example.org\npaginate: 0\n").unwrap_err();
        assert_eq!(errs.len(), 2, "{errs:?}");
        assert_eq!(errs[0].position.unwrap().line, 2);
        assert_eq!(errs[1].position.unwrap().line, 3);
    }

    #[test]
    fn reply_to_must_be_a_plain_address() {
        let c = parse("title: T\nbase_url: https://e.org/\nreply_to: list@example.org\n").unwrap();
        assert_eq!(c.reply_to.as_deref(), Some("list@example.org"));
        let errs = parse("title: T\nbase_url: https://e.org/\nreply_to: a@b.org?cc=c@d.org\n")
            .unwrap_err();
        assert_eq!(errs[0].position.unwrap().line, 3);
    }

    #[test]
    fn palette_defaults_and_is_checked() {
        let c = parse("title: T\nbase_url: https://e.org/\n").unwrap();
        assert_eq!(c.palette, "default");
        let c = parse("title: T\nbase_url: https://e.org/\npalette: fire\n").unwrap();
        assert_eq!(c.palette, "fire");
        let errs = parse("title: T\nbase_url: https://e.org/\npalette: purple\n").unwrap_err();
        assert_eq!(errs.len(), 1, "{errs:?}");
        let pos = errs[0].position.unwrap();
        assert_eq!((pos.line, pos.column), (3, 10));
        assert!(errs[0].message.contains("`purple`"));
        assert!(errs[0].help.as_deref().unwrap().contains("water"));
    }

    #[test]
    fn moderation_policy_is_checked_with_positions() {
        let c = parse("title: T\nbase_url: https://e.org/\nmoderation:\n  hold: first_time\n  blocked: [spam.example]\n").unwrap();
        assert_eq!(c.moderation.hold, crate::moderation::Hold::FirstTime);
        assert_eq!(c.moderation.blocked, ["spam.example"]);
        let errs = parse("title: T\nbase_url: https://e.org/\nmoderation:\n  hold: sometimes\n")
            .unwrap_err();
        let pos = errs[0].position.unwrap();
        assert_eq!((pos.line, pos.column), (4, 9), "{errs:?}");
        assert!(errs[0].message.contains("first_time"), "{errs:?}");
        let errs = parse("title: T\nbase_url: https://e.org/\nmoderation:\n  blocked:\n    - ok.example\n    - not a domain\n").unwrap_err();
        let pos = errs[0].position.unwrap();
        assert_eq!((pos.line, pos.column), (6, 7), "{errs:?}");
        let errs =
            parse("title: T\nbase_url: https://e.org/\nmoderation:\n  max_link: 3\n").unwrap_err();
        assert_eq!(errs[0].position.unwrap().line, 4, "{errs:?}");
    }

    #[test]
    fn unknown_key_suggests() {
        let errs = parse("title: T\nbase_url: https://e.org/\npaginte: 3\n").unwrap_err();
        assert!(errs[0].help.as_deref().unwrap().contains("`paginate`"));
    }
}
