//! A plain-text e-mail body as markdown that renders as it was written.
//!
//! Markdown reads meaning into characters a mail writer typed for
//! themselves: `*` and `_` around words, `#` at a line's start, `<tags>`,
//! `[[brackets]]`, a line of dashes under a line. Those are escaped, so the
//! text shows as typed and no HTML gets in. What markdown and mail agree
//! on is kept: blank lines make paragraphs, `>` lines are quotes (nested
//! as deep as they go), `- ` and `1. ` lines are lists, indented blocks are
//! code, and URLs become links.
//!
//! Line breaks: mail is hard-wrapped at 72 or so columns, and a wrapped
//! paragraph should flow on a narrow screen; but short lines (an address,
//! a poem, "Thanks,\nJane") mean their breaks. A break is taken as a wrap
//! when the next line's first word would not have fitted on the line;
//! every other break is kept (a markdown hard break).

/// `text` (plain lines) as markdown.
pub fn to_markdown(text: &str) -> String {
    let lines: Vec<&str> = text.lines().map(str::trim_end).collect();
    let width = lines
        .iter()
        .filter(|l| !l.starts_with('>'))
        .map(|l| l.chars().count())
        .max()
        .unwrap_or(0);
    let mut blocks: Vec<String> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if lines[i].is_empty() {
            i += 1;
            continue;
        }
        let quote = lines[i].starts_with('>');
        let run_end = (i..lines.len())
            .find(|&k| lines[k].is_empty() || lines[k].starts_with('>') != quote)
            .unwrap_or(lines.len());
        let run = &lines[i..run_end];
        blocks.push(if quote {
            quote_block(run)
        } else if run.iter().all(|l| is_code_line(l)) {
            code_block(run)
        } else {
            paragraph(run, width)
        });
        i = run_end;
    }
    blocks.join("\n\n")
}

/// Quote lines, one `>` taken off and the rest converted again.
fn quote_block(run: &[&str]) -> String {
    let inner: Vec<&str> = run
        .iter()
        .map(|l| {
            let l = &l[1..];
            l.strip_prefix(' ').unwrap_or(l)
        })
        .collect();
    let md = to_markdown(&inner.join("\n"));
    md.lines()
        .map(|l| {
            if l.is_empty() {
                ">".to_owned()
            } else {
                format!("> {l}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn is_code_line(line: &str) -> bool {
    line.starts_with('\t') || line.starts_with("    ")
}

/// An indented block as a fenced code block, longer fence than any run
/// of backticks inside, so nothing in it is read as markdown.
fn code_block(run: &[&str]) -> String {
    let indent = |l: &str| l.len() - l.trim_start_matches([' ', '\t']).len();
    let cut = run.iter().map(|l| indent(l)).min().unwrap_or(0);
    let longest = run
        .iter()
        .flat_map(|l| l.split(|c| c != '`'))
        .map(str::len)
        .max()
        .unwrap_or(0);
    let fence = "`".repeat((longest + 1).max(3));
    let mut out = format!("{fence}\n");
    for l in run {
        out.push_str(&l[cut.min(l.len())..]);
        out.push('\n');
    }
    out.push_str(&fence);
    out
}

/// The marker of a list item line (`- `, `* `, `+ `, `12. `, `3) `),
/// with the number for ordered ones.
fn list_marker(line: &str) -> Option<(&str, Option<u64>)> {
    for bullet in ["- ", "* ", "+ "] {
        if line.starts_with(bullet) {
            return Some((&line[..2], None));
        }
    }
    // Two digits at most: `2024. A good year` is not item 2024.
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    if (1..=2).contains(&digits) {
        let rest = &line[digits..];
        if rest.starts_with(". ") || rest.starts_with(") ") {
            return Some((&line[..digits + 2], line[..digits].parse().ok()));
        }
    }
    None
}

/// A paragraph: each line escaped, breaks kept unless they are wraps.
fn paragraph(run: &[&str], width: usize) -> String {
    let lines: Vec<&str> = run.iter().map(|l| l.trim_start()).collect();
    let mut out = String::new();
    let mut in_list = false;
    for (k, line) in lines.iter().enumerate() {
        let marker = list_marker(line).filter(|_| !is_rule_line(line));
        in_list |= marker.is_some();
        match marker {
            Some((m, _)) => {
                out.push_str(m);
                out.push_str(&inline(line[m.len()..].trim_start()));
            }
            None => out.push_str(&line_start(line)),
        }
        let Some(next) = lines.get(k + 1) else {
            break;
        };
        // A list item starts a new block: a hard break before it would
        // show as a stray backslash.
        let starts_item = match list_marker(next).filter(|_| !is_rule_line(next)) {
            Some((_, None)) => true,
            Some((_, Some(n))) => n == 1 || in_list,
            None => false,
        };
        if !starts_item && !is_wrap(line, next, width) {
            out.push('\\');
        }
        out.push('\n');
    }
    out
}

/// Whether the break after `line` was made by wrapping: the next line's
/// first word would not have fitted.
fn is_wrap(line: &str, next: &str, width: usize) -> bool {
    let first_word = next
        .split_whitespace()
        .next()
        .map_or(0, |w| w.chars().count());
    width >= 40 && line.chars().count() + 1 + first_word > width.saturating_sub(2)
}

/// Dashes or equals signs only: a rule, or a heading's underline.
fn is_rule_line(line: &str) -> bool {
    !line.is_empty() && line.chars().all(|c| matches!(c, '-' | '=' | ' '))
}

/// A line with what would start a markdown block at its start escaped.
fn line_start(line: &str) -> String {
    let escaped = inline(line);
    let heading_like = line.starts_with('#') || is_rule_line(line) || line == "+";
    let ordered = line.bytes().take_while(u8::is_ascii_digit).count();
    let number_dot = ordered > 0 && matches!(line.as_bytes().get(ordered), Some(b'.' | b')'));
    if heading_like {
        format!("\\{escaped}")
    } else if number_dot {
        // `2024. A year` would be a list item numbered 2024.
        format!("{}\\{}", &escaped[..ordered], &escaped[ordered..])
    } else {
        escaped
    }
}

/// Characters markdown would read as syntax, escaped; URLs as autolinks.
fn inline(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let mut rest = text;
    while !rest.is_empty() {
        let Some((start, url, end)) = next_url(rest) else {
            escape_into(rest, &mut out);
            break;
        };
        escape_into(&rest[..start], &mut out);
        out.push('<');
        out.push_str(url);
        out.push('>');
        rest = &rest[end..];
    }
    out
}

fn escape_into(text: &str, out: &mut String) {
    for c in text.chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '&' | '~' | '|'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
}

/// The next `http(s)://` URL: where it starts (with a `<` around it, if
/// any), the URL, and where it ends.
fn next_url(text: &str) -> Option<(usize, &str, usize)> {
    let at = ["https://", "http://"]
        .iter()
        .filter_map(|p| {
            text.match_indices(p)
                .map(|(i, _)| i)
                .find(|&i| !text[..i].ends_with(|c: char| c.is_alphanumeric()))
        })
        .min()?;
    let len = text[at..]
        .find(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"' | '`'))
        .unwrap_or(text.len() - at);
    let mut url = &text[at..at + len];
    // Sentence punctuation after a URL is not part of it; a `)` is only
    // when the URL opened one.
    loop {
        let trimmed = url.trim_end_matches(['.', ',', ';', ':', '!', '?', '\'']);
        let trimmed = if trimmed.ends_with(')')
            && trimmed.matches('(').count() < trimmed.matches(')').count()
        {
            &trimmed[..trimmed.len() - 1]
        } else {
            trimmed
        };
        if trimmed.len() == url.len() {
            break;
        }
        url = trimmed;
    }
    if url.len() <= "https://".len() {
        // Not a URL after all: escape past its start.
        let skip = at + 1;
        let (s, u, e) = next_url(&text[skip..])?;
        return Some((s + skip, u, e + skip));
    }
    let bracketed = text[..at].ends_with('<') && text[at + url.len()..].starts_with('>');
    Some(if bracketed {
        (at - 1, url, at + url.len() + 1)
    } else {
        (at, url, at + url.len())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use pulldown_cmark::{html, Options, Parser};

    /// The HTML the site would make of it.
    fn render(md: &str) -> String {
        let mut out = String::new();
        let opts = Options::ENABLE_TABLES
            | Options::ENABLE_STRIKETHROUGH
            | Options::ENABLE_TASKLISTS
            | Options::ENABLE_WIKILINKS
            | Options::ENABLE_FOOTNOTES;
        html::push_html(&mut out, Parser::new_ext(md, opts));
        out
    }

    #[test]
    fn markdown_syntax_shows_as_typed() {
        let text = "# not a heading\n2*3*4 and _x_ <script>alert(1)</script> [[wiki]] &copy; ~~s~~ a|b `c`";
        let html = render(&to_markdown(text));
        assert!(!html.contains("<h1"), "{html}");
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<em"), "{html}");
        assert!(!html.contains("<a "), "{html}");
        assert!(!html.contains("<del"), "{html}");
        assert!(!html.contains("<code"), "{html}");
        assert!(html.contains("# not a heading"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
        assert!(html.contains("&amp;copy;"), "{html}");
    }

    #[test]
    fn underlines_rules_and_years_are_not_markup() {
        let html = render(&to_markdown(
            "Title\n=====\nNext\n---\n\n2024. A year\n\n-\n\n- - -\n\n-     x\n",
        ));
        assert!(!html.contains("<h"), "{html}");
        assert!(!html.contains("<hr"), "{html}");
        assert!(!html.contains("<ol"), "{html}");
        assert!(html.contains("<ul>\n<li>x</li>"), "{html}");
        assert!(!html.contains("<pre"), "{html}");
    }

    #[test]
    fn short_lines_keep_their_breaks_wrapped_ones_flow() {
        let wrapped = "This is a long paragraph of a list post that was wrapped at about\nseventy columns by the mail client, like most plain text mail is,\nand it should flow.\n\nThanks,\nJane";
        let html = render(&to_markdown(wrapped));
        assert_eq!(html.matches("<br />").count(), 1, "{html}");
        assert!(html.contains("Thanks,<br />\nJane"), "{html}");
        assert!(!html.contains('\\'), "{html}");
    }

    #[test]
    fn lists_quotes_code_and_links() {
        let text = "Steps:\n- one\n- two\n1. first\n2. second\n\n> quoted\n> > deeper\n\n    let x = 1;\n    <b>\n\nSee https://example.org/a_b_(c). Or <https://example.org/x>.";
        let html = render(&to_markdown(text));
        assert!(html.contains("<li>one</li>"), "{html}");
        assert!(html.contains("<ol>"), "{html}");
        assert!(html.contains("<li>second</li>"), "{html}");
        assert!(!html.contains('\\'), "{html}");
        assert!(
            html.contains("<blockquote>\n<p>quoted</p>\n<blockquote>"),
            "{html}"
        );
        assert!(
            html.contains("<pre><code>let x = 1;\n&lt;b&gt;\n</code></pre>"),
            "{html}"
        );
        assert!(
            html.contains(r#"<a href="https://example.org/a_b_(c)">"#),
            "{html}"
        );
        assert!(
            html.contains(r#"<a href="https://example.org/x">"#),
            "{html}"
        );
    }

    #[test]
    fn a_quote_does_not_swallow_the_answer_after_it() {
        let html = render(&to_markdown("> question\nanswer"));
        assert!(html.contains("</blockquote>\n<p>answer</p>"), "{html}");
    }

    proptest::proptest! {
        // Few cases: each builds long inputs from a big grammar.
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

        #[test]
        fn typed_text_never_turns_into_html(s in "(<b>|<script>|<!--|-->|&amp;|\\[\\[x\\]\\]|\\*|_|`|~|#|>|-|=|\\|| |\n|    |1\\. |- |https://e\\.example/a_b|[a-z]{1,8}){0,60}") {
            let html = render(&to_markdown(&s));
            proptest::prop_assert!(!html.contains("<b>"), "{}", html);
            proptest::prop_assert!(!html.contains("<script"), "{}", html);
            proptest::prop_assert!(!html.contains("<!--"), "{}", html);
            proptest::prop_assert!(!html.contains("<a href=\"x\""), "{}", html);
        }
    }
}
