//! [`Importer`]: the one place that touches the site folder.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::contribution::{attribute, new_contribution, reply_keys, Placement};
use super::html_to_markdown;
use super::matcher::{name_key, Matcher};
use super::names;
use super::text::{self, alias_of, autop, format_date, url_path_key, yaml_str};
use super::{AuthorRecord, CommentRecord, ImportReport, Item, PostRecord, Target};
use crate::date::{parse_date, split_date_prefix, Date};
use crate::email::{self, redact, redact_name};
use crate::error::Error;
use crate::frontmatter::OneOrMany;
use crate::slug::{slugify, term_key};

mod comments;
mod posts;

/// How many notes a report keeps; the rest are counted.
const MAX_NOTES: usize = 10;

#[derive(Deserialize)]
struct PostHead {
    #[serde(default)]
    title: String,
    #[serde(default)]
    slug: Option<String>,
    #[serde(default)]
    date: Option<serde_yaml::Value>,
    #[serde(default)]
    aliases: OneOrMany,
    #[serde(default)]
    comments: Option<serde_yaml::Value>,
    #[serde(default)]
    syndication: OneOrMany,
}

/// The front matter of a markdown file, as YAML text.
pub(crate) fn head_of(text: &str) -> Option<&str> {
    let rest = text.strip_prefix("---")?;
    let rest = rest
        .strip_prefix('\n')
        .or_else(|| rest.strip_prefix("\r\n"))?;
    let end = rest.find("\n---")?;
    Some(&rest[..end])
}

/// The `.md` files of a folder, sorted (none when it is missing).
pub(crate) fn markdown_files(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    out.sort();
    out
}

/// Where existing posts can be found by link, identifier or title.
#[derive(Debug, Default)]
struct PostIndex {
    slugs: HashSet<String>,
    by_path: HashMap<String, String>,
    by_title: HashMap<String, String>,
}

impl PostIndex {
    fn add(&mut self, slug: &str, title: &str, paths: &[String]) {
        self.slugs.insert(slug.to_owned());
        for p in paths {
            self.by_path
                .entry(url_path_key(p))
                .or_insert_with(|| slug.to_owned());
        }
        if !title.is_empty() {
            self.by_title
                .entry(term_key(title))
                .or_insert_with(|| slug.to_owned());
        }
    }

    /// By link path (then its last segment as a slug), identifier, title.
    fn find(&self, link: &str, identifier: &str, title: &str, base_path: &str) -> Option<String> {
        let mut key = url_path_key(link);
        if base_path.len() > 1 {
            if let Some(rest) = key.strip_prefix(base_path.trim_end_matches('/')) {
                key = if rest.is_empty() {
                    "/".into()
                } else {
                    rest.to_owned()
                };
            }
        }
        if !link.trim().is_empty() && key != "/" {
            if let Some(s) = self.by_path.get(&key) {
                return Some(s.clone());
            }
            let last = key.rsplit('/').next().unwrap_or("");
            if self.slugs.contains(last) {
                return Some(last.to_owned());
            }
        }
        let id = identifier.trim();
        if !id.is_empty() {
            if self.slugs.contains(id) {
                return Some(id.to_owned());
            }
            for part in id.split_whitespace() {
                if let Some(s) = self.by_path.get(&url_path_key(part)) {
                    return Some(s.clone());
                }
            }
        }
        self.by_title.get(&term_key(title)).cloned()
    }
}

/// The one place that writes: posts, pages, members and comments.
pub struct Importer {
    root: PathBuf,
    dry_run: bool,
    permalink: String,
    base_path: String,
    matcher: Matcher,
    /// E-mails of authors imported in this run: matching only.
    posts: PostIndex,
    pages: HashSet<String>,
    /// Ids already in each comment file touched, loaded on first touch.
    comment_ids: HashMap<String, HashSet<String>>,
    /// The [`reply_keys`] of the originals in each comment file touched.
    reply_keys: HashMap<String, HashSet<String>>,
    /// Each post's `syndication:` URLs.
    syndication: HashMap<String, Vec<String>>,
    unmatched: HashMap<String, (String, usize)>,
    report: ImportReport,
    /// Posts whose comments are `closed` or `hidden`, with which.
    closed: HashMap<String, String>,
    /// Set for new contributions: who they are and what status they get.
    moderation: Option<super::moderated::Moderation>,
}

impl Importer {
    /// Reads the site's members and posts so imports can match them.
    pub fn new(root: &Path, dry_run: bool) -> Result<Self, Error> {
        if !crate::build::is_site(root) {
            return Err(Error::Refused(format!(
                "{} holds no site (salon.yaml); run `salon init` first or pass --source",
                root.display()
            )));
        }
        let config_path = root.join("salon.yaml");
        let config: serde_yaml::Value = fs::read_to_string(&config_path)
            .map_err(|e| Error::io(&config_path, e))
            .map(|t| serde_yaml::from_str(&t).unwrap_or(serde_yaml::Value::Null))?;
        let permalink = config["permalinks"]["post"]
            .as_str()
            .unwrap_or("/posts/:slug/")
            .to_owned();
        let base_path = config["base_url"]
            .as_str()
            .map(url_path_key)
            .unwrap_or_else(|| "/".into());
        let mut me = Importer {
            root: root.to_path_buf(),
            dry_run,
            permalink,
            base_path,
            matcher: Matcher::load(root)?,
            posts: PostIndex::default(),
            pages: HashSet::new(),
            comment_ids: HashMap::new(),
            reply_keys: HashMap::new(),
            syndication: HashMap::new(),
            unmatched: HashMap::new(),
            report: ImportReport {
                dry_run,
                ..Default::default()
            },
            closed: HashMap::new(),
            moderation: None,
        };
        for path in markdown_files(&root.join("content/posts")) {
            let stem = crate::parse::file_stem(&path);
            let (prefix_date, rest) = split_date_prefix(&stem);
            let text = fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
            let head = head_of(&text).and_then(|h| serde_yaml::from_str::<PostHead>(h).ok());
            let slug = head
                .as_ref()
                .and_then(|h| h.slug.clone())
                .unwrap_or_else(|| rest.to_owned());
            let mode = head.as_ref().and_then(|h| h.comments.as_ref()?.as_str());
            if let Some(mode @ ("closed" | "hidden")) = mode {
                me.closed.insert(slug.clone(), mode.to_owned());
            }
            let (title, mut paths, date) = match head {
                Some(h) => {
                    let date = h.date.as_ref().and_then(|d| match d {
                        serde_yaml::Value::String(s) => parse_date(s),
                        _ => None,
                    });
                    me.syndication.insert(slug.clone(), h.syndication.0);
                    (h.title, h.aliases.0, date)
                }
                None => (String::new(), Vec::new(), None),
            };
            if let Some(d) = date.or(prefix_date) {
                paths.push(me.post_path(&slug, &d));
            }
            me.posts.slugs.insert(stem.clone());
            me.posts.add(&slug, &title, &paths);
        }
        for path in markdown_files(&root.join("content/pages")) {
            me.pages.insert(crate::parse::file_stem(&path));
        }
        Ok(me)
    }

    fn post_path(&self, slug: &str, d: &Date) -> String {
        self.permalink
            .replace(":slug", slug)
            .replace(":year", &d.format("%Y").to_string())
            .replace(":month", &d.format("%m").to_string())
            .replace(":day", &d.format("%d").to_string())
    }

    /// Counts `n` things left out for `why`.
    pub fn skip(&mut self, why: &str, n: usize) {
        if n > 0 {
            *self.report.skipped.entry(why.to_owned()).or_default() += n;
        }
    }

    /// Treats what follows as new contributions (e-mailed replies,
    /// webmentions): members are credited only as far as each comment's
    /// [`Sender`](super::Sender) proves, statuses follow `policy`, and
    /// replies to posts whose comments are closed or hidden are refused.
    pub fn moderate(&mut self, policy: crate::moderation::Policy) {
        self.moderation = Some(super::moderated::Moderation::new(&self.root, policy));
    }

    /// `closed` or `hidden` when the post with this slug takes no new
    /// comments.
    pub fn comments_closed(&self, slug: &str) -> Option<&str> {
        self.closed.get(slug).map(String::as_str)
    }

    /// Lists a new contribution that was refused, with why.
    pub fn refuse(&mut self, what: String) {
        self.report.refused.push(what);
    }

    /// Whether the site has a post with this slug.
    pub fn has_post(&self, slug: &str) -> bool {
        self.posts.slugs.contains(slug)
    }

    /// The slug of the post at `url` (scheme, host, `base_url`'s path, query
    /// and trailing slash ignored; aliases included).
    pub fn post_at(&self, url: &str) -> Option<String> {
        let found = self.posts.find(url, "", "", &self.base_path)?;
        // `find` also tries the last segment as a slug; a URL is a post's
        // only when its whole path is one of the post's addresses.
        let key = url_path_key(url);
        let key = match self.base_path.len() > 1 {
            true => key
                .strip_prefix(self.base_path.trim_end_matches('/'))
                .map_or(key.clone(), |r| {
                    if r.is_empty() {
                        "/".into()
                    } else {
                        r.to_owned()
                    }
                }),
            false => key,
        };
        (self.posts.by_path.get(&key) == Some(&found)).then_some(found)
    }

    /// The post's `syndication:` URLs.
    pub fn syndication_of(&self, slug: &str) -> &[String] {
        self.syndication.get(slug).map_or(&[], Vec::as_slice)
    }

    /// The id of the comment of post `slug` whose anchor is `anchor`
    /// (`comment-wp-1`), among those in its file and this import.
    pub fn comment_at(&mut self, slug: &str, anchor: &str) -> Result<Option<String>, Error> {
        self.load_comment_file(slug)?;
        let ids = &self.comment_ids[slug];
        Ok(ids
            .iter()
            .find(|id| crate::model::comment_anchor(id) == anchor)
            .cloned())
    }

    /// Reports comments whose post was not found, with where they are.
    pub fn unmatched_target(&mut self, what: String, comments: usize) {
        self.report.unmatched_threads.push(what);
        self.skip("comments on no known post", comments);
    }

    /// Adds a note for the curator (the first few are kept).
    pub fn note(&mut self, text: String) {
        if self.report.notes.len() < MAX_NOTES {
            self.report.notes.push(text);
        }
    }

    /// Takes one parsed item.
    pub fn take(&mut self, item: Item) -> Result<(), Error> {
        match item {
            Item::Author(a) => self.author(a),
            Item::Post(p, comments) => self.post(p, comments),
            Item::Comments(target, comments) => {
                let slug = match &target {
                    Target::Slug(s) => Some(slugify(s)).filter(|s| self.posts.slugs.contains(s)),
                    Target::Thread {
                        link,
                        identifier,
                        title,
                    } => self.posts.find(link, identifier, title, &self.base_path),
                };
                match slug {
                    Some(slug) => self.comments(&slug, comments),
                    None => {
                        let what = match &target {
                            Target::Slug(s) => format!("`{s}` (no post has this slug)"),
                            Target::Thread {
                                link,
                                identifier,
                                title,
                            } => format!(
                                "\"{title}\" {link}{}",
                                if identifier.is_empty() {
                                    String::new()
                                } else {
                                    format!(" (identifier {identifier})")
                                }
                            ),
                        };
                        self.report
                            .unmatched_threads
                            .push(format!("{what}: {} comment(s)", comments.len()));
                        self.skip("comments on no known post", comments.len());
                        Ok(())
                    }
                }
            }
            Item::Skipped(why) => {
                self.skip(&why, 1);
                Ok(())
            }
        }
    }

    /// Creates `path` with `text` unless it exists (reported). `Ok(false)`
    /// when it was left alone.
    fn create(&mut self, path: &Path, text: &str) -> Result<bool, Error> {
        let rel = path
            .strip_prefix(&self.root)
            .unwrap_or(path)
            .display()
            .to_string();
        if self.dry_run {
            if path.exists() {
                return Ok(false);
            }
            self.report.files.push(rel);
            return Ok(true);
        }
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
        }
        match fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(path)
        {
            Ok(mut f) => {
                f.write_all(text.as_bytes())
                    .map_err(|e| Error::io(path, e))?;
                self.report.files.push(rel);
                Ok(true)
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                self.report.existing.push(rel);
                Ok(false)
            }
            Err(e) => Err(Error::io(path, e)),
        }
    }

    /// The report, with the unmatched names ranked.
    pub fn finish(mut self) -> ImportReport {
        let mut unmatched: Vec<(String, usize)> = self.unmatched.into_values().collect();
        unmatched.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        self.report.unmatched = unmatched;
        self.report.skipped.retain(|_, n| *n > 0);
        self.report
    }
}
