//! `@handle` mentions of members: found in text, and linked in the text
//! of sanitized HTML (comment bodies).

use std::collections::HashSet;

use super::Context;
use crate::entities::escape;

/// Byte ranges of `@handle` mentions of known members in `text`. A
/// handle must not follow a letter, digit, `.`, `/`, `-` or `@` (so e-mail
/// addresses and URLs stay as they are); a trailing `.` or `-` is not part
/// of it. Works the same on plain and on HTML-escaped text.
pub fn find_mentions(text: &str, handles: &HashSet<String>) -> Vec<(usize, usize)> {
    let mut found = Vec::new();
    if handles.is_empty() {
        return found;
    }
    let bytes = text.as_bytes();
    let handle_byte = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.');
    for (i, _) in text.match_indices('@') {
        let prev_ok = i == 0
            || !(bytes[i - 1].is_ascii_alphanumeric()
                || matches!(bytes[i - 1], b'_' | b'.' | b'@' | b'/' | b'-'));
        if !prev_ok || found.last().is_some_and(|&(_, end)| end > i) {
            continue;
        }
        let mut end = i + 1;
        while end < bytes.len() && handle_byte(bytes[end]) {
            end += 1;
        }
        while end > i + 1 && matches!(bytes[end - 1], b'.' | b'-') {
            end -= 1;
        }
        if end > i + 1 && handles.contains(&text[i + 1..end]) {
            found.push((i, end));
        }
    }
    found
}

/// The anchor for a mention of `handle`.
pub(super) fn mention_anchor(ctx: &Context, handle: &str) -> String {
    format!(
        "<a class=\"mention\" href=\"{}\">@{}</a>",
        escape(&ctx.member_url(handle)),
        escape(handle)
    )
}

/// Links mentions in the text of sanitized HTML (a comment body), never
/// inside `<a>`, `<code>` or `<pre>`. Returns the HTML and the handles.
pub fn link_mentions_in_html(html: &str, ctx: &Context) -> (String, Vec<String>) {
    let mut handles = Vec::new();
    if ctx.handles.is_empty() || !html.contains('@') {
        return (html.to_owned(), handles);
    }
    let out = crate::sanitize::rewrite_text(html, &["a", "code", "pre"], |text, out| {
        let mut copied = 0;
        for (start, end) in find_mentions(text, &ctx.handles) {
            let handle = &text[start + 1..end];
            out.text(&text[copied..start]);
            out.html(&mention_anchor(ctx, handle));
            handles.push(handle.to_owned());
            copied = end;
        }
        out.text(&text[copied..]);
    });
    (out, handles)
}
