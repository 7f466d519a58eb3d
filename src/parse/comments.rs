//! Comment files: `content/comments/<post-slug>.yaml`.

use std::collections::HashMap;
use std::path::PathBuf;

use serde::Deserialize;

use super::{file_stem, flat_yaml, SourceFile};
use crate::date::{parse_date, Date, DATE_HELP};
use crate::error::{Diagnostic, Position};
use crate::frontmatter::{self, Id};
use crate::model::{Channel, ReactionKind};
use crate::moderation::{Held, Status};
use crate::sanitize::sanitize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawComment {
    id: Id,
    #[serde(default)]
    parent: Option<Id>,
    author: String,
    #[serde(default)]
    member: Option<String>,
    #[serde(default)]
    url: Option<String>,
    date: super::Scalar,
    #[serde(default)]
    body: String,
    #[serde(default)]
    status: Status,
    /// Why it waits; for `salon moderate`, never shown.
    #[serde(default)]
    #[allow(dead_code)]
    moderation_reason: Option<String>,
    kind: Option<ReactionKind>,
    #[serde(default)]
    source: Option<Channel>,
    #[serde(default)]
    source_url: Option<String>,
}

/// The comments of one post.
#[derive(Debug)]
pub struct ParsedComments {
    /// The source file.
    pub source: PathBuf,
    /// The post they belong to (the file stem).
    pub post_slug: String,
    /// Sorted by date; parents resolved to indices.
    pub comments: Vec<ParsedComment>,
    /// Likes, reposts, bookmarks and mentions (entries with a `kind:`),
    /// in date order.
    pub reactions: Vec<ParsedReaction>,
    /// Orphans and other things worth a warning.
    pub warnings: Vec<Diagnostic>,
    /// Comments kept out of the site by their `status`: their ids, for
    /// thread entries that quote them, and how many wait.
    pub held_ids: Vec<String>,
    /// How many of them wait for a moderator.
    pub held: Held,
    /// A hash of the file's text: equal digests, equal comments.
    pub digest: u64,
}

/// A reaction entry of a comment file.
#[derive(Debug)]
pub struct ParsedReaction {
    /// Unique in the file.
    pub id: String,
    /// Like, repost, bookmark or mention.
    pub kind: ReactionKind,
    /// Display name.
    pub author: String,
    /// Member handle, when given.
    pub member: Option<String>,
    /// Where `member:` is written, for an unknown-handle error.
    pub position: Option<Position>,
    /// The person's site or profile.
    pub url: Option<String>,
    /// When.
    pub date: Date,
    /// The channel it arrived by.
    pub source: Option<Channel>,
    /// The like, repost or page itself.
    pub source_url: Option<String>,
}

/// One comment, its body sanitized.
#[derive(Debug)]
pub struct ParsedComment {
    /// Unique in the file.
    pub id: String,
    /// Index of the parent (after sorting).
    pub parent: Option<usize>,
    /// Display name.
    pub author: String,
    /// Member handle, when given.
    pub member: Option<String>,
    /// Where `member:` is written, for an unknown-handle error.
    pub position: Option<Position>,
    /// The commenter's site.
    pub url: Option<String>,
    /// When.
    pub date: Date,
    /// Sanitized HTML.
    pub body: crate::model::Html,
    /// The channel it arrived by.
    pub source: Option<Channel>,
    /// The original.
    pub source_url: Option<String>,
}

/// Parses a comment file: a YAML list of comments.
pub fn parse_comments(
    file: &SourceFile,
    ctx: &crate::markdown::Context,
) -> Result<ParsedComments, Vec<Diagnostic>> {
    parse_with(file, ctx, Reader::FastPath)
}

/// How a comment file's YAML is read.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Reader {
    /// [`flat_yaml`] when the file is in its subset, else serde_yaml.
    FastPath,
    /// serde_yaml only: what the fast path must agree with.
    #[cfg(test)]
    SerdeYaml,
}

/// [`parse_comments`], its YAML read by `reader`.
fn parse_with(
    file: &SourceFile,
    ctx: &crate::markdown::Context,
    reader: Reader,
) -> Result<ParsedComments, Vec<Diagnostic>> {
    let path = &file.path;
    if let Some(at) = frontmatter::too_deep(&file.text) {
        return Err(vec![frontmatter::nesting_error(path, &file.text, at, 1)]);
    }
    let raw: Vec<RawComment> = if file.text.trim().is_empty() {
        Vec::new()
    } else {
        read_raw(&file.text, reader)
            .map_err(|e| vec![frontmatter::yaml_error(path, &file.text, &e, 1)])?
    };
    let items = item_positions(&file.text);
    let at = |i: usize| items.get(i).copied();
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    let mut seen = HashMap::new();
    let mut dated = Vec::with_capacity(raw.len());
    for (i, c) in raw.into_iter().enumerate() {
        if seen.insert(c.id.0.clone(), i).is_some() {
            errors.push(
                Diagnostic::error(path, at(i), format!("duplicate comment id `{}`", c.id.0))
                    .with_source(&file.text),
            );
        }
        match parse_date(&c.date.0) {
            Some(d) => dated.push((d, i, c)),
            None => errors.push(
                Diagnostic::error(
                    path,
                    at(i),
                    format!("comment `{}` has a bad date `{}`", c.id.0, c.date.0),
                )
                .with_help(DATE_HELP)
                .with_source(&file.text),
            ),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    // Date order, file order on ties, so replies follow what they answer.
    dated.sort_by_key(|(d, i, _)| (*d, *i));
    // Reactions answer the post, not a comment: they stay out of the tree.
    let (reacting, dated): (Vec<_>, Vec<_>) =
        dated.into_iter().partition(|(_, _, c)| c.kind.is_some());
    // A held reaction is as invisible as a held comment, and waits as one.
    let mut held_reactions = Held::default();
    let reactions = reacting
        .into_iter()
        .filter(|(_, _, c)| {
            held_reactions.count(c.status);
            c.status == Status::Approved
        })
        .map(|(date, i, c)| ParsedReaction {
            id: c.id.0,
            kind: c.kind.expect("partitioned on kind"),
            author: c.author,
            member: c.member,
            position: at(i),
            url: c.url.filter(|u| crate::url::is_web_url(u)),
            date,
            source: c.source,
            source_url: c.source_url.filter(|u| crate::url::is_web_url(u)),
        })
        .collect();
    let index: HashMap<String, usize> = dated
        .iter()
        .enumerate()
        .map(|(n, (_, _, c))| (c.id.0.clone(), n))
        .collect();
    let statuses: Vec<Status> = dated.iter().map(|(_, _, c)| c.status).collect();
    let mut comments: Vec<ParsedComment> = dated
        .into_iter()
        .map(|(date, i, c)| {
            let parent = c.parent.as_ref().and_then(|p| {
                let found = index.get(&p.0).copied();
                if found.is_none() {
                    warnings.push(
                        Diagnostic::warning(path, at(i), format!("comment `{}` replies to `{}`, which is not in this file; it is shown at top level", c.id.0, p.0))
                            .with_source(&file.text),
                    );
                }
                found
            });
            ParsedComment {
                id: c.id.0,
                parent,
                author: c.author,
                member: c.member,
                position: at(i),
                url: c.url.filter(|u| crate::url::is_web_url(u)),
                date,
                body: crate::model::Html::new(
                    crate::markdown::link_mentions_in_html(&sanitize(&c.body), ctx).0,
                ),
                source: c.source,
                source_url: c.source_url.filter(|u| crate::url::is_web_url(u)),
            }
        })
        .collect();
    // A parent cycle would hide every comment in it: break it at its
    // earliest comment and say so, once per cycle.
    let parents: Vec<Option<usize>> = comments.iter().map(|c| c.parent).collect();
    for cycle in crate::tree::cycles(&parents) {
        let first = cycle[0];
        warnings.push(Diagnostic::warning(
            path,
            comments[first].position,
            format!(
                "comments {} form a reply cycle; `{}` is shown at top level",
                id_list(cycle.iter().map(|&i| comments[i].id.as_str())),
                comments[first].id
            ),
        ));
        comments[first].parent = None;
    }
    let (comments, held_ids, mut held) = keep_approved(comments, &statuses);
    held.pending += held_reactions.pending;
    held.spam += held_reactions.spam;
    Ok(ParsedComments {
        source: path.clone(),
        post_slug: file_stem(path),
        comments,
        reactions,
        warnings,
        held_ids,
        held,
        digest: crate::digest::of(&file.text),
    })
}

/// The entries of a comment file. Importers write a subset of YAML that
/// [`flat_yaml`] reads for a fraction of libyaml's cost; anything else,
/// and every error, is serde_yaml's.
fn read_raw(text: &str, reader: Reader) -> Result<Vec<RawComment>, serde_yaml::Error> {
    if reader == Reader::FastPath {
        if let Some(raw) = flat_yaml::read(text) {
            return Ok(raw);
        }
    }
    Ok(serde_yaml::from_str::<Option<Vec<RawComment>>>(text)?.unwrap_or_default())
}

/// The approved comments only, parents re-pointed at their nearest
/// approved ancestor, so nothing of a held comment reaches the site; with
/// the ids of those left out and how many of them wait. `statuses` is in
/// the order of `comments`.
fn keep_approved(
    comments: Vec<ParsedComment>,
    statuses: &[Status],
) -> (Vec<ParsedComment>, Vec<String>, Held) {
    if statuses.iter().all(|s| *s == Status::Approved) {
        return (comments, Vec::new(), Held::default());
    }
    let mut held = Held::default();
    let mut new_index: Vec<Option<usize>> = Vec::with_capacity(comments.len());
    let mut kept = 0;
    for s in statuses {
        held.count(*s);
        new_index.push((*s == Status::Approved).then(|| {
            kept += 1;
            kept - 1
        }));
    }
    let parents: Vec<Option<usize>> = comments.iter().map(|c| c.parent).collect();
    // Cycles are broken already, so every walk up ends.
    let visible_ancestor = |mut p: Option<usize>| {
        while let Some(i) = p {
            if new_index[i].is_some() {
                return new_index[i];
            }
            p = parents[i];
        }
        None
    };
    let mut out = Vec::with_capacity(kept);
    let mut held_ids = Vec::new();
    for (i, mut c) in comments.into_iter().enumerate() {
        if new_index[i].is_none() {
            held_ids.push(c.id);
            continue;
        }
        c.parent = visible_ancestor(c.parent);
        out.push(c);
    }
    (out, held_ids, held)
}

/// `a`, `b` and `c`, or the first few and how many more: a cycle can
/// hold every comment of a file.
pub(crate) fn id_list<'a>(ids: impl ExactSizeIterator<Item = &'a str>) -> String {
    const SHOWN: usize = 5;
    let total = ids.len();
    let mut names: Vec<String> = ids.take(SHOWN).map(|id| format!("`{id}`")).collect();
    if total > SHOWN {
        return format!("{} and {} more", names.join(", "), total - SHOWN);
    }
    match names.pop() {
        Some(last) if !names.is_empty() => format!("{} and {last}", names.join(", ")),
        Some(last) => last,
        None => String::new(),
    }
}

/// Where each top-level list item (`- ...` at column 1) starts.
fn item_positions(text: &str) -> Vec<Position> {
    // Counted as it goes: finding each item's line from the start of the
    // file would be quadratic in a file of thousands of comments.
    text.split_inclusive('\n')
        .enumerate()
        .filter(|(_, line)| line.starts_with("- ") || line.trim_end() == "-")
        .map(|(n, _)| Position::new(n + 1, 1))
        .collect()
}

#[cfg(test)]
mod fast_path_tests;

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<ParsedComments, Vec<Diagnostic>> {
        parse_comments(
            &SourceFile {
                path: PathBuf::from("content/comments/post.yaml"),
                text: text.into(),
            },
            &Default::default(),
        )
    }

    #[test]
    fn replies_resolve_and_sort_by_date() {
        let c = parse("- id: 2\n  parent: 1\n  author: B\n  date: 2010-01-02\n  body: <p>b</p>\n- id: 1\n  author: A\n  date: 2010-01-01\n  body: <p>a</p>\n").unwrap();
        assert_eq!(c.post_slug, "post");
        assert_eq!(c.comments[0].id, "1");
        assert_eq!(c.comments[1].parent, Some(0));
    }

    #[test]
    fn orphans_stay_with_a_warning() {
        let c = parse("- id: 1\n  parent: 9\n  author: A\n  date: 2010-01-01\n").unwrap();
        assert_eq!(c.comments.len(), 1);
        assert_eq!(c.comments[0].parent, None);
        assert_eq!(c.warnings.len(), 1);
    }

    #[test]
    fn a_cycle_is_reported_once_and_broken_at_its_first_comment() {
        let c = parse("- id: a\n  parent: c\n  author: A\n  date: 2010-01-01\n- id: b\n  parent: a\n  author: B\n  date: 2010-01-02\n- id: c\n  parent: b\n  author: C\n  date: 2010-01-03\n- id: d\n  parent: b\n  author: D\n  date: 2010-01-04\n").unwrap();
        assert_eq!(c.warnings.len(), 1, "{:?}", c.warnings);
        assert!(c.warnings[0]
            .message
            .contains("`a`, `c` and `b` form a reply cycle"));
        assert_eq!(c.warnings[0].position.unwrap().line, 1);
        let parents: Vec<_> = c.comments.iter().map(|c| c.parent).collect();
        assert_eq!(parents, [None, Some(0), Some(1), Some(1)]);
    }

    #[test]
    fn bad_dates_point_at_their_item() {
        let errs = parse(
            "- id: 1\n  author: A\n  date: 2010-01-01\n- id: 2\n  author: B\n  date: yesterday\n",
        )
        .unwrap_err();
        assert_eq!(errs[0].position.unwrap().line, 4);
    }

    #[test]
    fn held_comments_are_left_out_and_their_replies_move_up() {
        let c = parse("- id: a\n  author: A\n  date: 2010-01-01\n- id: b\n  parent: a\n  author: B\n  date: 2010-01-02\n  status: pending\n  moderation_reason: first time\n- id: c\n  parent: b\n  author: C\n  date: 2010-01-03\n- id: d\n  author: D\n  date: 2010-01-04\n  status: spam\n- id: e\n  author: E\n  date: 2010-01-05\n  status: rejected\n").unwrap();
        let ids: Vec<&str> = c.comments.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["a", "c"]);
        assert_eq!(c.comments[1].parent, Some(0));
        assert_eq!(c.held_ids, ["b", "d", "e"]);
        assert_eq!((c.held.pending, c.held.spam), (1, 1));
        let errs =
            parse("- id: a\n  author: A\n  date: 2010-01-01\n  status: aproved\n").unwrap_err();
        assert_eq!(errs[0].position.unwrap().line, 4, "{errs:?}");
    }

    #[test]
    fn reactions_stay_out_of_the_comment_tree() {
        let c = parse("- id: wm-1\n  kind: like\n  author: A\n  date: 2010-01-01\n  source: webmention\n  source_url: https://a.example/likes/1\n- id: 2\n  author: B\n  date: 2010-01-02\n  source: mastodon\n  source_url: https://social.example/@b/2\n").unwrap();
        assert_eq!(c.comments.len(), 1);
        assert_eq!(c.comments[0].source, Some(Channel::Mastodon));
        assert_eq!(c.reactions.len(), 1);
        assert_eq!(c.reactions[0].kind, ReactionKind::Like);
        assert_eq!(
            c.reactions[0].source_url.as_deref(),
            Some("https://a.example/likes/1")
        );
    }

    #[test]
    fn bodies_are_sanitized() {
        let c = parse("- id: 1\n  author: A\n  date: 2010-01-01\n  body: '<p>x<script>alert(1)</script></p>'\n").unwrap();
        assert_eq!(&*c.comments[0].body, "<p>x</p>");
    }
}
