//! `{name}` placeholders in translated texts.

use std::collections::BTreeSet;

/// The placeholder names at `{` in `text` (letters, digits and `_`),
/// with the byte range of the whole `{name}`.
fn spans(text: &str) -> impl Iterator<Item = (usize, usize, &str)> {
    text.match_indices('{').filter_map(move |(start, _)| {
        let rest = &text[start + 1..];
        let len = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        (len > 0 && rest[len..].starts_with('}')).then(|| (start, start + len + 2, &rest[..len]))
    })
}

/// The placeholder names `text` uses.
pub fn placeholders(text: &str) -> BTreeSet<String> {
    spans(text).map(|(_, _, name)| name.to_owned()).collect()
}

/// `text` with each `{name}` replaced by `value(name)`; the first name
/// with no value is the error. Braces around anything else stay.
pub fn fill(text: &str, value: &dyn Fn(&str) -> Option<String>) -> Result<String, String> {
    let mut out = String::with_capacity(text.len() + 16);
    let mut last = 0;
    for (start, end, name) in spans(text) {
        out.push_str(&text[last..start]);
        out.push_str(&value(name).ok_or_else(|| name.to_owned())?);
        last = end;
    }
    out.push_str(&text[last..]);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills_names_and_keeps_other_braces() {
        let v = |n: &str| (n == "count").then(|| "3".to_owned());
        assert_eq!(
            fill("{count} posts {x-y} {}", &v).unwrap(),
            "3 posts {x-y} {}"
        );
        assert_eq!(fill("by {who}", &v), Err("who".into()));
        assert_eq!(
            placeholders("{a}{b} {a}").into_iter().collect::<Vec<_>>(),
            ["a", "b"]
        );
    }
}
