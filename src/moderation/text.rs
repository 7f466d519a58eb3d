//! What the policy reads in a contribution: its words and its links.

use std::collections::HashSet;

/// The first of `words` (lower case, single spaces) that the author's name
/// or the body's text holds as whole words.
pub fn spam_word<'a>(words: &'a [String], author: &str, body_html: &str) -> Option<&'a str> {
    if words.is_empty() {
        return None;
    }
    let mut text = String::new();
    crate::search::text::html_text(body_html, |piece| text.push_str(piece));
    let haystack = format!(" {} {} ", normalize(author), normalize(&text));
    words
        .iter()
        .find(|w| haystack.contains(&format!(" {} ", normalize(w))))
        .map(String::as_str)
}

/// Lower case, every run of characters that are not letters or digits
/// made one space.
fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.ends_with(' ') {
            out.push(' ');
        }
    }
    out.trim().to_owned()
}

/// How many distinct web addresses `html` holds, in links or written out
/// (a link showing its own address counts once).
pub fn count_links(html: &str) -> usize {
    let decoded = crate::entities::decode(html);
    let lower = decoded.to_lowercase();
    let mut seen = HashSet::new();
    let mut from = 0;
    while let Some(at) = lower[from..].find("http").map(|i| from + i) {
        let rest = &lower[at..];
        let scheme = ["https://", "http://"]
            .into_iter()
            .find(|s| rest.starts_with(s));
        let Some(scheme) = scheme else {
            from = at + 4;
            continue;
        };
        let end = rest
            .find(|c: char| c.is_whitespace() || "\"'<>".contains(c))
            .unwrap_or(rest.len());
        let url = rest[..end].trim_end_matches(['.', ',', ')', ';', '/']);
        if url.len() > scheme.len() {
            seen.insert(url.to_owned());
        }
        from = at + end.max(scheme.len());
    }
    seen.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_are_counted_once_each() {
        assert_eq!(count_links("<p>no links, just http talk</p>"), 0);
        assert_eq!(
            count_links("<a href=\"https://a.example/\">https://a.example/</a>"),
            1
        );
        assert_eq!(count_links("HTTPS://A.example/x, and http://b.example."), 2);
    }

    #[test]
    fn words_match_whole() {
        let words = vec!["casino".to_owned(), "cheap pills".to_owned()];
        assert_eq!(
            spam_word(&words, "Bob", "<p>casino-night</p>"),
            Some("casino")
        );
        assert_eq!(spam_word(&words, "Casino Bob", "<p>hi</p>"), Some("casino"));
        assert_eq!(
            spam_word(&words, "Bob", "<p>cheap<br>pills</p>"),
            Some("cheap pills")
        );
        assert_eq!(spam_word(&words, "Bob", "<p>casinos</p>"), None);
    }
}
