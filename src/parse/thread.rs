//! Curated discussion threads.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Deserialize;

use super::{
    check_segment, date_field, file_stem, flat_yaml, front_matter, Body, FrontMatter, Scalar,
    SourceFile,
};
use crate::date::Date;
use crate::error::{Diagnostic, Position};
use crate::frontmatter::{self, Id, OneOrMany};
use crate::markdown;
use crate::model::Origin;
use crate::slug::slugify;

#[derive(Debug, Deserialize)]
struct RawThread {
    #[serde(default)]
    title: Option<String>,
    date: Scalar,
    #[serde(default)]
    slug: Option<String>,
    #[serde(default)]
    tags: OneOrMany,
    #[serde(default)]
    started_by: Option<String>,
    #[serde(default)]
    source: Option<Origin>,
    #[serde(default)]
    related: OneOrMany,
    #[serde(default)]
    entries: Vec<RawEntry>,
    #[serde(default)]
    skip: Vec<Id>,
    #[serde(default)]
    draft: bool,
    #[serde(default)]
    lang: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    id: Id,
    #[serde(default)]
    by: Option<String>,
    /// `post-slug#comment-id`: the entry quotes an imported comment.
    #[serde(default)]
    comment: Option<String>,
    #[serde(default)]
    date: Option<Scalar>,
    #[serde(default)]
    reply_to: Option<Id>,
    #[serde(default)]
    text: String,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    quoted: Option<String>,
}

/// A thread read from its file.
#[derive(Debug)]
pub struct ParsedThread {
    /// The source file.
    pub source: PathBuf,
    /// For errors found while linking.
    pub front_matter: FrontMatter,
    /// URL name.
    pub slug: String,
    /// Title.
    pub title: String,
    /// When it started.
    pub date: Date,
    /// Tag names.
    pub tags: Vec<String>,
    /// A handle or a plain name.
    pub started_by: Option<String>,
    /// Where it happened.
    pub origin: Option<Origin>,
    /// Related post slugs.
    pub related: Vec<String>,
    /// Rendered introduction.
    pub intro: std::sync::Arc<markdown::Rendered>,
    /// Entries in file order, minus skipped ones.
    pub entries: Vec<ParsedEntry>,
    /// Draft?
    pub draft: bool,
    /// Its language tag, when it sets its own (`lang:`).
    pub lang: Option<String>,
}

/// One entry, its reply resolved to an index.
#[derive(Debug)]
pub struct ParsedEntry {
    /// Unique in the thread.
    pub id: String,
    /// Index of the entry replied to.
    pub parent: Option<usize>,
    /// A handle or a plain name (absent when quoting a comment).
    pub by: Option<String>,
    /// `post-slug#comment-id` of a quoted comment.
    pub comment: Option<String>,
    /// 1-based file line of the entry, for errors found when linking.
    pub line: usize,
    /// When.
    pub date: Option<Date>,
    /// Rendered text, with any folded quote after it.
    pub text: String,
    /// Wikilinks, mentions and links in the text.
    pub refs: Vec<markdown::Reference>,
    /// The original message.
    pub url: Option<String>,
    /// The hash of its text and quoted text, as written: an entry whose
    /// text stayed is taken from the file's last parse ([`parse_thread_again`]).
    pub digest: u64,
}

/// Parses one thread file and checks its reply structure.
pub fn parse_thread(
    file: &SourceFile,
    ctx: &markdown::Context,
) -> Result<ParsedThread, Vec<Diagnostic>> {
    parse_thread_again(file, ctx, None)
}

/// [`parse_thread`], given the file's last parse with the same markdown
/// context: an entry whose text and quoted text are as they were there is
/// taken from it instead of rendered again, so an edit of one message of a
/// thread of thousands renders that one.
pub fn parse_thread_again(
    file: &SourceFile,
    ctx: &markdown::Context,
    previous: Option<&ParsedThread>,
) -> Result<ParsedThread, Vec<Diagnostic>> {
    let (raw, fm, body, mut errors) = read_front_matter(file)?;
    let title = super::required(
        raw.title.clone(),
        "title",
        "thread",
        &fm,
        &file.path,
        &mut errors,
    );
    let path = &file.path;
    let slug = match raw.slug {
        Some(s) => {
            if let Err(msg) = check_segment("slug", &s) {
                errors.push(fm.error(path, "slug", Some(&s), msg));
            }
            s
        }
        None => slugify(&file_stem(path)),
    };
    let date = date_field(&fm, path, "date", &raw.date, &mut errors);
    if let Some(url) = raw
        .source
        .as_ref()
        .and_then(|o| o.url.as_deref())
        .filter(|u| !u.is_empty() && !crate::url::is_web_url(u))
    {
        errors.push(
            fm.error(
                path,
                "source",
                Some(url),
                format!(
                    "`source.url` `{}` is not an http(s) link",
                    url.escape_debug()
                ),
            )
            .with_help("expected the address where the conversation took place: https://..."),
        );
    }
    super::check_term_count(&raw.tags.0, "tags", &fm, path, &mut errors);
    let skip: std::collections::HashSet<&str> = raw.skip.iter().map(|i| i.0.as_str()).collect();
    let kept: Vec<&RawEntry> = raw
        .entries
        .iter()
        .filter(|e| !skip.contains(&e.id.0.as_str()))
        .collect();

    // Each entry's line, found in one pass: a mailing-list thread can hold
    // thousands of entries.
    let lines = entry_lines(&fm.yaml);
    let mut index: HashMap<&str, usize> = HashMap::new();
    for (i, e) in kept.iter().enumerate() {
        if index.insert(&e.id.0, i).is_some() {
            errors.push(entry_error(
                &fm,
                &lines,
                path,
                &e.id.0,
                format!("duplicate entry id `{}`", e.id.0),
            ));
        }
    }
    let entry_lines: Vec<usize> = kept
        .iter()
        .map(|e| {
            lines.get(e.id.0.as_str()).map_or(fm.first_line, |&p| {
                frontmatter::shift(p, fm.first_line).line
            })
        })
        .collect();
    // Rendering is most of a long thread's parse, and a thread edited in
    // `salon serve` is parsed alone: its entries render in parallel, and
    // those whose text stayed are taken as they were.
    let before: HashMap<&str, &ParsedEntry> = previous
        .map(|p| p.entries.iter().map(|e| (e.id.as_str(), e)).collect())
        .unwrap_or_default();
    let rendered: Vec<(String, Vec<markdown::Reference>, u64)> = kept
        .par_iter()
        .zip(&entry_lines)
        .with_min_len(32)
        .map(|(e, &line)| {
            let digest = entry_digest(e);
            match before.get(e.id.0.as_str()).filter(|b| b.digest == digest) {
                Some(b) => {
                    let mut refs = b.refs.clone();
                    // Placed on the entry's line, which may have moved.
                    refs.iter_mut().for_each(|r| r.place_on(line));
                    (b.text.clone(), refs, digest)
                }
                None => {
                    let (text, refs) = render_entry(e, line, ctx);
                    (text, refs, digest)
                }
            }
        })
        .collect();
    let mut entries = Vec::with_capacity(kept.len());
    for ((e, &line), (text, refs, digest)) in kept.iter().zip(&entry_lines).zip(rendered) {
        let parent = match &e.reply_to {
            None => None,
            Some(p) if skip.contains(&p.0.as_str()) => None,
            Some(p) => {
                match index.get(p.0.as_str()) {
                    Some(&i) => Some(i),
                    None => {
                        errors.push(
                        entry_error(&fm, &lines, path, &e.id.0, format!("entry `{}` replies to `{}`, which is not an entry of this thread", e.id.0, p.0))
                            .with_help("expected `reply_to:` to name the `id` of another entry"),
                    );
                        None
                    }
                }
            }
        };
        let date = e
            .date
            .as_ref()
            .and_then(|d| date_field(&fm, path, "entries", d, &mut errors));
        if e.by.is_none() && e.comment.is_none() {
            errors.push(
                entry_error(
                    &fm,
                    &lines,
                    path,
                    &e.id.0,
                    format!(
                        "entry `{}` says neither who wrote it nor which comment it quotes",
                        e.id.0
                    ),
                )
                .with_help(
                    "expected `by: <handle or name>` or `comment: <post-slug>#<comment-id>`",
                ),
            );
        }
        if let Some(url) = e
            .url
            .as_deref()
            .filter(|u| !u.is_empty() && !crate::url::is_web_url(u))
        {
            errors.push(
                entry_error(
                    &fm,
                    &lines,
                    path,
                    &e.id.0,
                    format!(
                        "entry `{}` has the url `{}`, which is not an http(s) link",
                        e.id.0,
                        url.escape_debug()
                    ),
                )
                .with_help("expected `url: https://...`, the address of the original message"),
            );
        }
        entries.push(ParsedEntry {
            id: e.id.0.clone(),
            parent,
            by: e.by.clone(),
            comment: e.comment.clone(),
            line,
            date,
            text,
            refs,
            url: e.url.clone(),
            digest,
        });
    }
    let parents: Vec<Option<usize>> = entries.iter().map(|e| e.parent).collect();
    for cycle in crate::tree::cycles(&parents) {
        // Reported at the member written first in the file, once.
        let id = &entries[cycle[0]].id;
        let ids = super::comments::id_list(cycle.iter().map(|&i| entries[i].id.as_str()));
        errors.push(
            entry_error(
                &fm,
                &lines,
                path,
                id,
                format!("entries {ids} form a reply cycle"),
            )
            .with_help("a chain of `reply_to:` must end at an entry that replies to nothing"),
        );
    }
    let lang = super::lang_field(&fm, path, raw.lang, &mut errors);
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(ParsedThread {
        source: path.clone(),
        front_matter: fm,
        slug,
        title,
        date: date.expect("checked above"),
        tags: raw.tags.0,
        started_by: raw.started_by,
        origin: raw.source,
        related: raw.related.0,
        intro: std::sync::Arc::new(body.render(ctx)),
        entries,
        draft: raw.draft,
        lang,
    })
}

/// An entry's text as HTML, any folded quote after it, and the
/// references in both, placed from file line `line`.
/// What an entry's rendering depends on in the file: its text and quoted
/// text (its line only places its references).
fn entry_digest(e: &RawEntry) -> u64 {
    let mut h = crate::digest::Digest::new();
    h.str(&e.text).n(u64::from(e.quoted.is_some()));
    if let Some(q) = &e.quoted {
        h.str(q);
    }
    h.done()
}

fn render_entry(
    e: &RawEntry,
    line: usize,
    ctx: &markdown::Context,
) -> (String, Vec<markdown::Reference>) {
    let mut rendered = markdown::render(&e.text, ctx);
    rendered.locate_refs(&e.text, line, true);
    let mut text = rendered.html;
    if let Some(q) = &e.quoted {
        // Quoted e-mail is someone else's text: sanitized like a
        // comment, its wikilinks numbered after the entry's own.
        let mut quoted = markdown::render(q, ctx);
        quoted.locate_refs(q, line, true);
        let html = markdown::renumber_placeholders(&quoted.html, rendered.refs.len());
        rendered.refs.extend(quoted.refs);
        text.push_str("<details class=\"quoted\"><summary>Quoted text</summary>");
        text.push_str(&crate::sanitize::sanitize(&html));
        text.push_str("</details>");
    }
    (text, rendered.refs)
}

/// A thread file's front matter as [`front_matter`] reads it. Importers
/// write `entries:` last, as a list [`flat_yaml`] reads for a fraction of
/// libyaml's cost (a mailing list's longest thread is megabytes of
/// entries): serde_yaml then reads only the lines before it. Any other
/// file, and every error, is serde_yaml's alone.
fn read_front_matter(
    file: &SourceFile,
) -> Result<(RawThread, FrontMatter, Body<'_>, Vec<Diagnostic>), Vec<Diagnostic>> {
    fast_front_matter(file).map_or_else(|| front_matter(file), Ok)
}

/// [`read_front_matter`]'s fast path: `None` when the file is not laid
/// out as importers write it or anything in it is wrong.
fn fast_front_matter(
    file: &SourceFile,
) -> Option<(RawThread, FrontMatter, Body<'_>, Vec<Diagnostic>)> {
    const KEY: &str = "entries:\n";
    let split = frontmatter::split(&file.path, &file.text).ok()?;
    let yaml = split.yaml;
    let cut = match yaml.starts_with(KEY) {
        true => 0,
        false => yaml.find("\nentries:\n")? + 1,
    };
    let header = &yaml[..cut];
    // The lines before are a block mapping of their own: keys at the
    // margin (`entries` not again), lines indented under them, comments.
    let own_mapping = header.lines().all(|l| match l.as_bytes().first() {
        None | Some(b' ' | b'#') => true,
        Some(b) => (b.is_ascii_lowercase() || *b == b'_') && !l.starts_with("entries"),
    });
    if !own_mapping {
        return None;
    }
    let entries = flat_yaml::read_list::<RawEntry>(&yaml[cut + KEY.len()..], 2)?;
    let (mut raw, problems) =
        frontmatter::parse::<RawThread>(&file.path, &file.text, header, split.yaml_line).ok()?;
    raw.entries = entries;
    let fm = FrontMatter {
        yaml: yaml.to_owned(),
        first_line: split.yaml_line,
    };
    let body = Body {
        text: split.body,
        line: split.body_line,
    };
    Some((raw, fm, body, problems))
}

fn entry_error(
    fm: &FrontMatter,
    lines: &HashMap<&str, Position>,
    path: &Path,
    id: &str,
    message: String,
) -> Diagnostic {
    let pos = lines.get(id).copied();
    let mut d = match pos {
        Some(p) => Diagnostic::error(path, Some(frontmatter::shift(p, fm.first_line)), message),
        None => fm.error(path, "entries", None, message),
    };
    if let Some(p) = pos {
        d.line_text = fm.yaml.lines().nth(p.line - 1).map(str::to_owned);
    }
    d
}

/// Where each `id: <id>` of the front matter is written (the first time),
/// by id.
fn entry_lines(yaml: &str) -> HashMap<&str, Position> {
    let mut found = HashMap::new();
    let mut offset = 0;
    for (line_no, line) in (1..).zip(yaml.split_inclusive('\n')) {
        let t = line.trim_start().trim_start_matches("- ").trim();
        if let Some(v) = t.strip_prefix("id:") {
            let indent = line.len() - line.trim_start().len();
            found
                .entry(v.trim().trim_matches(['"', '\'']))
                .or_insert_with(|| Position::new(line_no, column_of(yaml, offset, indent)));
        }
        offset += line.len();
    }
    found
}

/// The 1-based column of byte `indent` of the line starting at `offset`.
fn column_of(yaml: &str, offset: usize, indent: usize) -> usize {
    yaml[offset..offset + indent].chars().count() + 1
}

#[cfg(test)]
mod fast_path_tests;

#[cfg(test)]
mod tests {
    use super::*;

    fn thread(entries: &str) -> Result<ParsedThread, Vec<Diagnostic>> {
        parse_thread(
            &SourceFile {
                path: PathBuf::from("content/threads/t.md"),
                text: format!("---\ntitle: T\ndate: 2010-07-14\nentries:\n{entries}---\nIntro\n"),
            },
            &Default::default(),
        )
    }

    #[test]
    fn a_parse_again_takes_the_entries_that_stayed_and_renders_the_rest() {
        let file = |entries: &str| SourceFile {
            path: PathBuf::from("content/threads/t.md"),
            text: format!("---\ntitle: T\ndate: 2010-07-14\nentries:\n{entries}---\n"),
        };
        let entry = |id: &str, text: &str, quoted: &str| {
            format!(
                "  - id: {id}\n    by: ann\n    text: |-\n      {}\n    quoted: |-\n      {quoted}\n",
                text.replace('\n', "\n      ")
            )
        };
        let ctx = markdown::Context::default();
        let before = file(
            &[
                entry("a", "First, see [[posts/x]].", "> old"),
                entry("b", "Second *one*.", "> b said"),
                entry("c", "Third, with [[posts/y]].", "> c said"),
            ]
            .concat(),
        );
        // `a` grows by two lines (so `c` moves down), `b` changes only
        // its quoted text, `c` stays.
        let after = file(
            &[
                entry("a", "First, see [[posts/x]].\n\nMore.", "> old"),
                entry("b", "Second *one*.", "> b said more"),
                entry("c", "Third, with [[posts/y]].", "> c said"),
            ]
            .concat(),
        );
        let previous = parse_thread(&before, &ctx).unwrap();
        let fresh = parse_thread(&after, &ctx).unwrap();
        let again = parse_thread_again(&after, &ctx, Some(&previous)).unwrap();
        assert_eq!(format!("{again:?}"), format!("{fresh:?}"));
        assert!(fresh.entries[2].line > previous.entries[2].line);
        assert_eq!(again.entries[2].refs[0].line, fresh.entries[2].line);

        // Only `c` is taken from the last parse: marked there, the mark
        // shows in `c` alone.
        let mut marked = parse_thread(&before, &ctx).unwrap();
        for e in &mut marked.entries {
            e.text = format!("taken:{}", e.id);
        }
        let again = parse_thread_again(&after, &ctx, Some(&marked)).unwrap();
        let taken: Vec<&str> = again
            .entries
            .iter()
            .filter(|e| e.text.starts_with("taken:"))
            .map(|e| e.id.as_str())
            .collect();
        assert_eq!(taken, ["c"]);
    }

    #[test]
    fn nested_replies_resolve_to_indices() {
        let t = thread(
            "  - id: 1\n    by: ann\n    text: hi\n  - id: 2\n    by: bob\n    reply_to: 1\n",
        )
        .unwrap();
        assert_eq!(t.entries[1].parent, Some(0));
    }

    #[test]
    fn unknown_reply_and_duplicate_ids_are_errors_at_their_line() {
        let errs = thread(
            "  - id: 1\n    by: a\n  - id: 1\n    by: b\n  - id: 3\n    by: c\n    reply_to: 9\n",
        )
        .unwrap_err();
        assert_eq!(errs.len(), 2, "{errs:?}");
        assert!(errs[0].message.contains("duplicate"));
        assert!(errs[1].message.contains("`9`"));
        assert_eq!(errs[1].position.unwrap().line, 9);
    }

    #[test]
    fn cycles_are_errors() {
        let errs = thread(
            "  - id: a\n    by: x\n    reply_to: b\n  - id: b\n    by: y\n    reply_to: a\n",
        )
        .unwrap_err();
        assert_eq!(errs.len(), 1, "one cycle, reported once: {errs:?}");
        assert!(errs[0]
            .message
            .contains("entries `a` and `b` form a reply cycle"));
        assert_eq!(errs[0].position.unwrap().line, 5);
    }

    #[test]
    fn skipped_entries_are_left_out() {
        let t = parse_thread(&SourceFile {
            path: PathBuf::from("content/threads/t.md"),
            text: "---\ntitle: T\ndate: 2010-07-14\nskip: [2]\nentries:\n  - id: 1\n    by: a\n  - id: 2\n    by: b\n    reply_to: 1\n---\n".into(),
        }, &Default::default())
        .unwrap();
        assert_eq!(t.entries.len(), 1);
    }
}
