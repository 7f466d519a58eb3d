//! Finding and removing e-mail addresses, so that none is ever written
//! into content: imported text is scrubbed before it reaches a file.
//!
//! A fediverse account (`@user@host`, also inside a profile URL
//! `https://host/@user@other`) is not an address: what comes right before
//! the local part decides.

/// Byte ranges of the e-mail addresses in `text`.
pub fn find(text: &str) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let local = |b: u8| b.is_ascii_alphanumeric() || b"._%+-'".contains(&b);
    let domain = |b: u8| b.is_ascii_alphanumeric() || b == b'.' || b == b'-';
    let mut out = Vec::new();
    let mut from = 0;
    for (at, _) in text.match_indices('@') {
        if at < from {
            continue;
        }
        let mut start = at;
        while start > from && local(bytes[start - 1]) {
            start -= 1;
        }
        // Dots and quotes may not begin a local part.
        while start < at && matches!(bytes[start], b'.' | b'\'') {
            start += 1;
        }
        if start == at || (start > 0 && matches!(bytes[start - 1], b'@' | b'/')) {
            continue;
        }
        let mut end = at + 1;
        while end < bytes.len() && domain(bytes[end]) {
            end += 1;
        }
        // A sentence's full stop is not part of the domain.
        while end > at + 1 && matches!(bytes[end - 1], b'.' | b'-') {
            end -= 1;
        }
        let host = &text[at + 1..end];
        let tld = host.rsplit('.').next().unwrap_or("");
        if host.contains('.')
            && !host.starts_with(['.', '-'])
            && !host.contains("..")
            && tld.len() >= 2
            && tld.bytes().all(|b| b.is_ascii_alphabetic())
        {
            out.push((start, end));
            from = end;
        }
    }
    out
}

/// Whether `text` holds an e-mail address.
pub fn contains(text: &str) -> bool {
    !find(text).is_empty()
}

/// `text` with every address cut to its local part: `ann@example.org`
/// becomes `ann@…`, still readable, no longer an address.
pub fn scrub(text: &str) -> String {
    let found = find(text);
    if found.is_empty() {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for (start, end) in found {
        let at = start + text[start..end].find('@').expect("an address has an @");
        out.push_str(&text[last..=at]);
        out.push('…');
        last = end;
    }
    out.push_str(&text[last..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_found_and_scrubbed() {
        assert_eq!(
            scrub("Write to ann.b@mail.example.org. Or <bob@x.io>!"),
            "Write to ann.b@…. Or <bob@…>!"
        );
        assert_eq!(scrub("[x](mailto:c+d@e.fr)"), "[x](mailto:c+d@…)");
        assert!(contains("ann@example.org"));
    }

    #[test]
    fn accounts_handles_and_prose_are_not_addresses() {
        for text in [
            "@hana@social.example",
            "see https://social.example/@hana@other.example",
            "https://social.example/@hana",
            "meet @ 5pm at the café",
            "a@b",
            "x@localhost",
            "x@1.2.3.4",
            "a@.org",
            "ann.bsky.social",
        ] {
            assert!(!contains(text), "{text}");
            assert_eq!(scrub(text), text);
        }
    }
}
