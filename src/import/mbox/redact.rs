//! Keeping e-mail addresses out of what an import writes.
//!
//! List posts are full of addresses: attribution lines
//! (`Jane <jane@example.org> wrote:`), signatures, list footers, `mailto:`
//! links. None may reach a content file, so every text taken from a
//! message goes through [`redact`]: an address in angle brackets goes
//! with its brackets (the name before it says who), a `mailto:` link keeps
//! its text, and any other address becomes [`REMOVED`]. What counts as an
//! address is [`crate::import::emails`]' call.

use crate::import::emails;

/// What an address in running text is replaced with.
pub const REMOVED: &str = "(address removed)";

/// `text` with every e-mail address taken out.
pub fn redact(text: &str) -> String {
    let text = unlink_mailto(text);
    let spans = emails::find(&text);
    if spans.is_empty() {
        return text;
    }
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for (mut start, mut end) in spans {
        if start < last {
            continue;
        }
        let before = &text[last..start];
        let mailto = before.len() >= 7
            && before.is_char_boundary(before.len() - 7)
            && before[before.len() - 7..].eq_ignore_ascii_case("mailto:");
        if mailto {
            start -= 7;
        }
        let bracketed = text[..start].ends_with('<') && text[end..].starts_with('>');
        if bracketed {
            start -= 1;
            end += 1;
            // The space before `<jane@…>` goes too: `Jane wrote:`.
            let kept = text[last..start].trim_end_matches([' ', '\t']);
            out.push_str(kept);
        } else {
            out.push_str(&text[last..start]);
            out.push_str(REMOVED);
        }
        last = end;
    }
    out.push_str(&text[last..]);
    out
}

/// Whether `text` holds an e-mail address.
pub fn has_address(text: &str) -> bool {
    emails::contains(text)
}

/// Markdown links to `mailto:` become their text: `[Jane](mailto:…)` is
/// `Jane`.
fn unlink_mailto(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(k) = rest.find("](mailto:") {
        let Some(open) = rest[..k].rfind('[') else {
            out.push_str(&rest[..k + 2]);
            rest = &rest[k + 2..];
            continue;
        };
        let Some(close) = rest[k..].find(')') else {
            break;
        };
        out.push_str(&rest[..open]);
        out.push_str(&rest[open + 1..k]);
        rest = &rest[k + close + 1..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_go_names_stay() {
        assert_eq!(
            redact("On Mon, Jane Doe <jane.doe+list@example.org> wrote:"),
            "On Mon, Jane Doe wrote:"
        );
        assert_eq!(
            redact("write to community@lists.example.org."),
            "write to (address removed)."
        );
        assert_eq!(
            redact("see [Jane](mailto:jane@example.org) or <mailto:x@y.example>"),
            "see Jane or"
        );
        assert_eq!(redact("mailto:a@b.example, ok"), "(address removed), ok");
    }

    #[test]
    fn things_that_are_not_addresses_stay() {
        for s in [
            "@handle and @jane@mastodon",
            "follow @jane@mastodon.example",
            "a @ b.com",
            "x@localhost",
            "2@3.4",
            "]( mailto",
            "[a](mailto:",
        ] {
            assert_eq!(redact(s), s);
        }
        assert!(has_address("x jane@example.org"));
        assert!(!has_address("@jane@mastodon"));
    }
}
