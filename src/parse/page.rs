//! Standalone pages (`/about/`).

use std::path::PathBuf;

use serde::Deserialize;

use super::{check_segment, date_field, file_stem, front_matter, to_json, Scalar, SourceFile};
use crate::date::Date;
use crate::error::Diagnostic;
use crate::frontmatter::OneOrMany;
use crate::markdown::{self, Rendered};
use crate::slug::slugify;

#[derive(Debug, Deserialize)]
struct RawPage {
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    slug: Option<String>,
    #[serde(default)]
    date: Option<Scalar>,
    #[serde(default)]
    draft: bool,
    #[serde(default)]
    aliases: OneOrMany,
    #[serde(default)]
    lang: Option<String>,
    #[serde(default)]
    extra: serde_yaml::Value,
}

/// A page read from its file.
#[derive(Debug)]
pub struct ParsedPage {
    /// The source file.
    pub source: PathBuf,
    /// URL name.
    pub slug: String,
    /// Title.
    pub title: String,
    /// Optional date.
    pub date: Option<Date>,
    /// Draft?
    pub draft: bool,
    /// Rendered body.
    pub body: std::sync::Arc<Rendered>,
    /// Old URL paths.
    pub aliases: Vec<String>,
    /// Its language tag, when it sets its own (`lang:`).
    pub lang: Option<String>,
    /// Free-form data.
    pub extra: serde_json::Value,
}

/// Parses one page file.
pub fn parse_page(
    file: &SourceFile,
    ctx: &markdown::Context,
) -> Result<ParsedPage, Vec<Diagnostic>> {
    let (raw, fm, body, mut errors): (RawPage, _, _, _) = front_matter(file)?;
    let title = super::required(
        raw.title.clone(),
        "title",
        "page",
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
            if let Err(msg) = super::check_not_reserved("slug", &s) {
                errors.push(fm.error(path, "slug", Some(&s), msg));
            }
            s
        }
        None => slugify(&file_stem(path)),
    };
    let date = raw
        .date
        .as_ref()
        .and_then(|d| date_field(&fm, path, "date", d, &mut errors));
    for alias in &raw.aliases.0 {
        if let Err(msg) = super::check_not_reserved("alias", alias) {
            errors.push(fm.error(path, "aliases", Some(alias), msg));
        }
    }
    let lang = super::lang_field(&fm, path, raw.lang, &mut errors);
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(ParsedPage {
        source: path.clone(),
        slug,
        title,
        date,
        draft: raw.draft,
        body: std::sync::Arc::new(body.render(ctx)),
        aliases: raw.aliases.0,
        lang,
        extra: to_json(raw.extra),
    })
}
