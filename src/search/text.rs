//! Plain text for the search index: HTML reduced to the text a reader
//! sees, and the excerpts results show.

/// Elements whose start and end separate words; any other tag (`em`, `a`,
/// `code`...) sits inside a word's flow.
/// Markdown and the sanitizer write tag names in lowercase; another
/// spelling only costs a space.
pub(super) fn is_inline(name: &str) -> bool {
    matches!(
        name,
        "a" | "abbr"
            | "b"
            | "bdi"
            | "bdo"
            | "cite"
            | "code"
            | "data"
            | "dfn"
            | "em"
            | "i"
            | "kbd"
            | "mark"
            | "q"
            | "s"
            | "samp"
            | "small"
            | "span"
            | "strong"
            | "sub"
            | "sup"
            | "time"
            | "u"
            | "var"
            | "del"
            | "ins"
    )
}

/// Calls `piece` with the readable text of an HTML fragment, in order:
/// runs of text with entities decoded, and `" "` where an element that
/// separates words starts or ends. Elements marked `aria-hidden="true"`
/// (heading anchors) are skipped.
pub fn html_text(html: &str, mut piece: impl FnMut(&str)) {
    let mut rest = html;
    let mut hidden: Option<String> = None;
    while !rest.is_empty() {
        let Some(lt) = rest.find('<') else {
            if hidden.is_none() {
                decode(rest, &mut piece);
            }
            break;
        };
        if hidden.is_none() && lt > 0 {
            decode(&rest[..lt], &mut piece);
        }
        let tag_text = &rest[lt + 1..];
        let end = tag_end(tag_text);
        let tag = &tag_text[..end.min(tag_text.len())];
        rest = tag_text.get(end + 1..).unwrap_or("");
        let closing = tag.starts_with('/');
        let name = tag.trim_start_matches('/');
        let name = &name[..name
            .find(|c: char| !c.is_ascii_alphanumeric())
            .unwrap_or(name.len())];
        if let Some(h) = &hidden {
            if closing && h.eq_ignore_ascii_case(name) {
                hidden = None;
            }
            continue;
        }
        if !closing
            && matches!(name, "a" | "span")
            && tag.contains("aria-hidden=\"true\"")
            && !tag.ends_with('/')
        {
            hidden = Some(name.to_owned());
            continue;
        }
        if !is_inline(name) {
            piece(" ");
        }
    }
}

/// The text of `html` with whitespace collapsed, cut at a word before
/// `max` bytes (with an ellipsis): for descriptions and snippets.
pub fn plain_excerpt(html: &str, max: usize) -> String {
    let mut text = String::new();
    html_text(html, |piece| {
        push_collapsed(piece, &mut text, max.saturating_mul(2))
    });
    excerpt(&text, max)
}

/// Appends `piece` to `out` with runs of whitespace made one space, up to
/// about `max` bytes in all.
pub fn push_collapsed(piece: &str, out: &mut String, max: usize) {
    if out.len() > max {
        return;
    }
    let mut end = (max + 1 - out.len()).min(piece.len());
    while !piece.is_char_boundary(end) {
        end += 1;
    }
    // This sees every text a document keeps: runs without whitespace are
    // copied whole, and only bytes beyond ASCII are decoded as characters.
    let piece = &piece[..end];
    let bytes = piece.as_bytes();
    let (mut run, mut i) = (0, 0);
    while i < bytes.len() {
        let (space, width) = if bytes[i].is_ascii() {
            // `char::is_whitespace` in ASCII, which also has the vertical tab.
            (bytes[i].is_ascii_whitespace() || bytes[i] == 0x0b, 1)
        } else {
            let c = piece[i..].chars().next().expect("a char at a boundary");
            (c.is_whitespace(), c.len_utf8())
        };
        if space {
            out.push_str(&piece[run..i]);
            if !out.is_empty() && !out.ends_with(' ') {
                out.push(' ');
            }
            run = i + width;
        }
        i += width;
    }
    out.push_str(&piece[run..]);
}

/// Where a tag's text ends (its `>`), quotes respected.
fn tag_end(tag: &str) -> usize {
    let mut quote = None;
    for (i, b) in tag.bytes().enumerate() {
        match (quote, b) {
            (None, b'"' | b'\'') => quote = Some(b),
            (Some(q), _) if q == b => quote = None,
            (None, b'>') => return i,
            _ => {}
        }
    }
    tag.len()
}

/// Calls `piece` with `text` between tags, entities decoded.
fn decode(text: &str, piece: &mut impl FnMut(&str)) {
    piece(&crate::entities::decode(text));
}

/// The first `max` bytes of `text` or less, cut at a word boundary, with
/// `…` when something was cut.
pub fn excerpt(text: &str, max: usize) -> String {
    let text = text.trim();
    if text.len() <= max {
        return text.to_owned();
    }
    let mut cut = max;
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    let head = &text[..cut];
    let head = match head.rfind(' ') {
        Some(space) if space > max / 2 => &head[..space],
        _ => head,
    };
    format!("{}…", head.trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text_of(html: &str) -> String {
        plain_excerpt(html, usize::MAX / 4)
    }

    #[test]
    fn html_loses_tags_and_heading_anchors_but_keeps_words_whole() {
        let html = "<h2 id=\"x\">Most <em>of</em> it<a class=\"anchor\" href=\"#x\" \
                    aria-hidden=\"true\">#</a></h2>\n<p>A <strong>bold</strong>er word &amp; \
                    &quot;quotes&quot;&#39;s &nbsp;end</p><p>next</p>";
        assert_eq!(
            text_of(html),
            "Most of it A bolder word & \"quotes\"'s end next"
        );
    }

    #[test]
    fn tags_with_a_quoted_gt_and_stray_ampersands_are_read_right() {
        assert_eq!(text_of("<a title=\"a>b\">x</a> & y &zz;"), "x & y &zz;");
        assert_eq!(text_of("<p>unclosed <b"), "unclosed");
    }

    /// The definition: each whitespace character is a space unless the
    /// text is empty or already ends with one.
    fn collapsed_by_chars(pieces: &[String], max: usize) -> String {
        let mut out = String::new();
        for piece in pieces {
            if out.len() > max {
                continue;
            }
            let mut end = (max + 1 - out.len()).min(piece.len());
            while !piece.is_char_boundary(end) {
                end += 1;
            }
            for c in piece[..end].chars() {
                if !c.is_whitespace() {
                    out.push(c);
                } else if !out.is_empty() && !out.ends_with(' ') {
                    out.push(' ');
                }
            }
        }
        out
    }

    proptest::proptest! {
        #[test]
        fn collapsing_copies_runs_and_makes_each_stretch_of_whitespace_one_space(
            pieces in proptest::collection::vec("[a b\\t\\n\\u{b}\\u{a0}\\u{3000}é知 ]{0,12}", 0..6),
            max in 0usize..40,
        ) {
            let mut out = String::new();
            for piece in &pieces {
                push_collapsed(piece, &mut out, max);
            }
            proptest::prop_assert_eq!(out, collapsed_by_chars(&pieces, max));
        }
    }

    #[test]
    fn excerpts_cut_at_a_word() {
        assert_eq!(excerpt("short", 10), "short");
        assert_eq!(excerpt("one two three four", 10), "one two…");
        assert_eq!(excerpt("ééééé", 5), "éé…");
    }
}
