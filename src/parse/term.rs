//! Term descriptions (`content/tags/<tag>.md`): front matter and a
//! markdown text that the tag's page shows above its posts.

use std::path::PathBuf;

use serde::Deserialize;

use super::{file_stem, front_matter, SourceFile};
use crate::error::Diagnostic;
use crate::markdown::{self, Rendered};
use crate::slug::slugify;

#[derive(Debug, Deserialize)]
struct RawTermPage {
    /// One line about the tag, for link previews and the tags index.
    #[serde(default)]
    description: Option<String>,
}

/// A term's description read from its file.
#[derive(Debug)]
pub struct ParsedTermPage {
    /// The source file.
    pub source: PathBuf,
    /// The slug of the term it describes: the file's name.
    pub slug: String,
    /// The front matter's one-line description, if any.
    pub summary: Option<String>,
    /// The rendered text.
    pub body: std::sync::Arc<Rendered>,
}

/// Parses one term description file.
pub fn parse_term_page(
    file: &SourceFile,
    ctx: &markdown::Context,
) -> Result<ParsedTermPage, Vec<Diagnostic>> {
    let (raw, _fm, body, errors): (RawTermPage, _, _, _) = front_matter(file)?;
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(ParsedTermPage {
        source: file.path.clone(),
        slug: slugify(&file_stem(&file.path)),
        summary: raw
            .description
            .map(|d| d.trim().to_owned())
            .filter(|d| !d.is_empty()),
        body: std::sync::Arc::new(body.render(ctx)),
    })
}
