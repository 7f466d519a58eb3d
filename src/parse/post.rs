//! Posts: front matter and markdown body.

use std::path::PathBuf;

use serde::Deserialize;

use super::{
    check_segment, date_field, file_stem, front_matter, to_json, FrontMatter, Scalar, SourceFile,
};
use crate::date::{split_date_prefix, Date, DATE_HELP};
use crate::error::Diagnostic;
use crate::frontmatter::OneOrMany;
use crate::markdown::{self, Rendered};
use crate::model::CommentMode;
use crate::slug::slugify;

#[derive(Debug, Deserialize)]
struct RawPost {
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    date: Option<Scalar>,
    #[serde(default)]
    updated: Option<Scalar>,
    #[serde(default)]
    authors: OneOrMany,
    #[serde(default)]
    tags: OneOrMany,
    #[serde(default)]
    categories: OneOrMany,
    #[serde(default)]
    summary: Option<String>,
    #[serde(default)]
    slug: Option<String>,
    #[serde(default)]
    draft: bool,
    #[serde(default)]
    comments: CommentMode,
    #[serde(default)]
    aliases: OneOrMany,
    #[serde(default)]
    lang: Option<String>,
    #[serde(default)]
    syndication: OneOrMany,
    #[serde(default)]
    extra: serde_yaml::Value,
}

/// A post read from its file; names are not yet resolved.
#[derive(Debug)]
pub struct ParsedPost {
    /// The source file.
    pub source: PathBuf,
    /// For errors found while linking.
    pub front_matter: FrontMatter,
    /// Title.
    pub title: String,
    /// URL name.
    pub slug: String,
    /// Publication date.
    pub date: Date,
    /// Last update.
    pub updated: Option<Date>,
    /// Member handles.
    pub authors: Vec<String>,
    /// Tag names as written.
    pub tags: Vec<String>,
    /// Category names as written.
    pub categories: Vec<String>,
    /// Rendered body.
    pub body: std::sync::Arc<Rendered>,
    /// Draft?
    pub draft: bool,
    /// How comments show.
    pub comment_mode: CommentMode,
    /// Old URL paths.
    pub aliases: Vec<String>,
    /// Its language tag, when it sets its own (`lang:`).
    pub lang: Option<String>,
    /// Where else it was published: http(s) URLs.
    pub syndication: Vec<String>,
    /// Free-form data.
    pub extra: serde_json::Value,
}

/// Parses one post file.
pub fn parse_post(
    file: &SourceFile,
    ctx: &markdown::Context,
) -> Result<ParsedPost, Vec<Diagnostic>> {
    let (raw, fm, body, mut errors): (RawPost, _, _, _) = front_matter(file)?;
    let path = &file.path;
    let stem = file_stem(path);
    let (stem_date, stem_rest) = split_date_prefix(&stem);
    let slug = match &raw.slug {
        Some(s) => {
            if let Err(msg) = check_segment("slug", s) {
                errors.push(fm.error(path, "slug", Some(s), msg));
            }
            if let Err(msg) = super::check_not_reserved("slug", s) {
                errors.push(fm.error(path, "slug", Some(s), msg));
            }
            s.clone()
        }
        None => slugify(stem_rest),
    };
    if slug.is_empty() && raw.slug.is_none() {
        errors.push(
            Diagnostic::error(path, None, "the file name gives an empty slug")
                .with_help("rename the file or set `slug:`"),
        );
    }
    let date = match &raw.date {
        Some(d) => date_field(&fm, path, "date", d, &mut errors),
        None => {
            if stem_date.is_none() {
                errors.push(
                    fm.error(path, "title", None, "missing field `date`".into())
                        .with_help(format!(
                            "{DATE_HELP}, or a file name starting with YYYY-MM-DD-"
                        )),
                );
            }
            stem_date
        }
    };
    let updated = raw
        .updated
        .as_ref()
        .and_then(|u| date_field(&fm, path, "updated", u, &mut errors));
    let title = super::required(raw.title, "title", "post", &fm, path, &mut errors);
    super::check_term_count(&raw.tags.0, "tags", &fm, path, &mut errors);
    super::check_term_count(&raw.categories.0, "categories", &fm, path, &mut errors);
    for alias in &raw.aliases.0 {
        if let Err(msg) = super::check_not_reserved("alias", alias) {
            errors.push(fm.error(path, "aliases", Some(alias), msg));
        }
    }
    for url in &raw.syndication.0 {
        if !crate::url::is_web_url(url) {
            errors.push(fm.error(
                path,
                "syndication",
                Some(url),
                format!("syndication URL `{url}` is not an http(s) URL"),
            ));
        }
    }
    let lang = super::lang_field(&fm, path, raw.lang, &mut errors);
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut rendered = body.render(ctx);
    if let Some(summary) = &raw.summary {
        // Rendered apart, so its wikilinks are numbered after the body's.
        let given = markdown::render(summary, ctx);
        rendered.summary = markdown::renumber_placeholders(&given.html, rendered.refs.len());
        let line = crate::frontmatter::locate_key(&fm.yaml, "summary").map_or(fm.first_line, |p| {
            crate::frontmatter::shift(p, fm.first_line).line
        });
        rendered.refs.extend(given.refs.into_iter().map(|mut r| {
            r.place_on(line);
            r
        }));
        rendered.has_more = true;
    }
    Ok(ParsedPost {
        source: path.clone(),
        front_matter: fm,
        title,
        slug,
        date: date.expect("checked above"),
        updated,
        authors: raw.authors.0,
        tags: raw.tags.0,
        categories: raw.categories.0,
        body: std::sync::Arc::new(rendered),
        draft: raw.draft,
        comment_mode: raw.comments,
        aliases: raw.aliases.0,
        lang,
        syndication: raw.syndication.0,
        extra: to_json(raw.extra),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(name: &str, text: &str) -> SourceFile {
        SourceFile {
            path: PathBuf::from(format!("content/posts/{name}")),
            text: text.into(),
        }
    }

    #[test]
    fn date_and_slug_come_from_the_file_name() {
        let p = parse_post(
            &file("2010-09-25-building-bridges.md", "---\ntitle: B\n---\nHi\n"),
            &Default::default(),
        )
        .unwrap();
        assert_eq!(p.slug, "building-bridges");
        assert_eq!(p.date.format("%Y-%m-%d").to_string(), "2010-09-25");
    }

    #[test]
    fn every_problem_of_a_file_is_reported() {
        let errs = parse_post(
            &file(
                "x.md",
                "---\ntitle: X\ndate: 2010-13-45\nupdated: soon\nslug: ../../etc\n---\n",
            ),
            &Default::default(),
        )
        .unwrap_err();
        let lines: Vec<_> = errs.iter().map(|e| e.position.unwrap().line).collect();
        assert_eq!(errs.len(), 3, "{errs:?}");
        assert!(
            lines.contains(&3) && lines.contains(&4) && lines.contains(&5),
            "{lines:?}"
        );
    }

    #[test]
    fn missing_date_without_prefix_is_an_error() {
        let errs =
            parse_post(&file("x.md", "---\ntitle: X\n---\n"), &Default::default()).unwrap_err();
        assert!(errs[0].message.contains("date"));
    }

    #[test]
    fn syndication_urls_must_be_web_urls() {
        let p = parse_post(
            &file("x.md", "---\ntitle: X\ndate: 2020-01-01\nsyndication: [https://social.example/@a/1]\n---\n"),
            &Default::default(),
        )
        .unwrap();
        assert_eq!(p.syndication, vec!["https://social.example/@a/1"]);
        let errs = parse_post(
            &file(
                "x.md",
                "---\ntitle: X\ndate: 2020-01-01\nsyndication: [\"javascript:alert(1)\"]\n---\n",
            ),
            &Default::default(),
        )
        .unwrap_err();
        assert_eq!(errs[0].position.unwrap().line, 4, "{errs:?}");
    }

    #[test]
    fn one_tag_may_be_a_string() {
        let p = parse_post(
            &file("x.md", "---\ntitle: X\ndate: 2020-01-01\ntags: CRM\n---\n"),
            &Default::default(),
        )
        .unwrap();
        assert_eq!(p.tags, vec!["CRM"]);
    }
}
