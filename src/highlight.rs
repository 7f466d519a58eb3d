//! Build-time syntax highlighting of code blocks, as CSS classes.
//!
//! syntect's scope names become classes prefixed `hl-` (`hl-keyword`,
//! `hl-string`, ...), which the theme colours; no JavaScript runs in the
//! reader's browser. An unknown language is escaped, not highlighted.

use std::sync::OnceLock;

use syntect::html::{ClassStyle, ClassedHTMLGenerator};
use syntect::parsing::SyntaxSet;
use syntect::util::LinesWithEndings;

use crate::entities::escape;

/// The syntax definitions, loaded once per process: they are immutable and
/// cost tens of milliseconds to load.
fn syntaxes() -> &'static SyntaxSet {
    static SET: OnceLock<SyntaxSet> = OnceLock::new();
    SET.get_or_init(SyntaxSet::load_defaults_newlines)
}

/// A `<pre>` block for `code` in language `lang` (may be empty).
pub fn code_block(code: &str, lang: &str) -> String {
    let lang = lang.trim();
    let syntax = if lang.is_empty() {
        None
    } else {
        syntaxes().find_syntax_by_token(lang)
    };
    let body = syntax
        .and_then(|syntax| {
            let mut gen = ClassedHTMLGenerator::new_with_class_style(
                syntax,
                syntaxes(),
                ClassStyle::SpacedPrefixed { prefix: "hl-" },
            );
            for line in LinesWithEndings::from(code) {
                gen.parse_html_for_line_which_includes_newline(line).ok()?;
            }
            Some(gen.finalize())
        })
        .unwrap_or_else(|| escape(code));
    if lang.is_empty() {
        format!("<pre class=\"code\" tabindex=\"0\"><code>{body}</code></pre>\n")
    } else {
        let lang = escape(lang);
        format!("<pre class=\"code\" data-lang=\"{lang}\" tabindex=\"0\"><code class=\"language-{lang}\">{body}</code></pre>\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_language_is_escaped() {
        let html = code_block("<b>&</b>\n", "nosuchlang");
        assert!(html.contains("&lt;b&gt;&amp;&lt;/b&gt;"));
        assert!(!html.contains("hl-"));
    }

    #[test]
    fn known_languages_get_classes() {
        for lang in ["rust", "python", "js", "yaml", "bash"] {
            assert!(code_block("x = 1\n", lang).contains("hl-"), "{lang}");
        }
    }
}
