//! Replying by e-mail: the `mailto:` link a post or comment offers when
//! `salon.yaml` has `reply_to`, and the tag in its subject that
//! `salon import mbox --comments` reads back.
//!
//! The subject is `Re: <post title> [salon:<slug>]` for the post and
//! `Re: <post title> [salon:<slug>#<comment-id>]` for a comment. Mail
//! clients keep a subject when replying and lists only add prefixes, so
//! the tag comes back with the reply. Slug and id are percent-encoded
//! inside the tag (anything but letters, digits and `-._~`), so any id
//! survives and `]` or `#` in one cannot end the tag early.

use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

/// What is kept as is inside a tag (RFC 3986's unreserved characters).
const TAG: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// What a reply answers: a post, or a comment under it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tag {
    /// The post's slug.
    pub slug: String,
    /// The comment's id, when replying to a comment.
    pub comment: Option<String>,
}

/// The subject of a reply: `Re: <title> [salon:<slug>#<comment>]`.
pub fn subject(title: &str, slug: &str, comment: Option<&str>) -> String {
    let title = title.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut tag = format!("[salon:{}", utf8_percent_encode(slug, TAG));
    if let Some(c) = comment {
        tag.push('#');
        tag.extend(utf8_percent_encode(c, TAG));
    }
    tag.push(']');
    format!("Re: {title} {tag}")
}

/// The `mailto:` URL of a reply to `address` (RFC 6068: the subject
/// percent-encoded as UTF-8).
pub fn mailto(address: &str, title: &str, slug: &str, comment: Option<&str>) -> String {
    format!(
        "mailto:{address}?subject={}",
        utf8_percent_encode(&subject(title, slug, comment), TAG)
    )
}

/// The tag in a reply's subject; the last one when there are several
/// (the title itself might hold something like one).
pub fn find_tag(subject: &str) -> Option<Tag> {
    let mut rest = subject;
    let mut found = None;
    while let Some(start) = rest.find("[salon:") {
        let after = &rest[start + "[salon:".len()..];
        let Some(end) = after.find(']') else { break };
        let inner = &after[..end];
        let (slug, comment) = match inner.split_once('#') {
            Some((s, c)) => (s, Some(c)),
            None => (inner, None),
        };
        let decode = |s: &str| {
            percent_decode_str(s.trim())
                .decode_utf8()
                .ok()
                .map(|s| s.into_owned())
        };
        if let Some(slug) = decode(slug).filter(|s| !s.is_empty()) {
            let comment = comment.and_then(decode).filter(|c| !c.is_empty());
            found = Some(Tag { slug, comment });
        }
        rest = &after[end..];
    }
    found
}

/// Whether `address` can be a `reply_to`: one plain address, nothing a
/// `mailto:` URL would read as more (`?`, `&`, `,`, spaces).
pub fn check_address(address: &str) -> Result<(), String> {
    let ok = address.split_once('@').is_some_and(|(local, domain)| {
        !local.is_empty()
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && local
                .chars()
                .chain(domain.chars())
                .all(|c| c.is_ascii_alphanumeric() || "._+-".contains(c))
    });
    if ok {
        Ok(())
    } else {
        Err(format!(
            "reply_to `{address}` is not a plain e-mail address like community@example.org"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_round_trip_through_tags() {
        let s = subject("Building  Bridges", "building-bridges", Some("wp-1"));
        assert_eq!(s, "Re: Building Bridges [salon:building-bridges#wp-1]");
        assert_eq!(
            find_tag(&format!("Re: [Community] RE: {s}")),
            Some(Tag {
                slug: "building-bridges".into(),
                comment: Some("wp-1".into())
            })
        );
        let odd = subject("A [salon:fake] title", "x", Some("id with ]#%"));
        assert_eq!(
            find_tag(&odd).unwrap().comment.as_deref(),
            Some("id with ]#%")
        );
        assert_eq!(find_tag("Re: x [salon:post]").unwrap().comment, None);
        assert_eq!(find_tag("Re: nothing here"), None);
        assert_eq!(find_tag("[salon:]"), None);
    }

    #[test]
    fn mailto_encodes_the_subject() {
        let url = mailto("list@example.org", "Café & co?", "cafe", Some("c 1"));
        assert_eq!(
            url,
            "mailto:list@example.org?subject=Re%3A%20Caf%C3%A9%20%26%20co%3F%20%5Bsalon%3Acafe%23c%25201%5D"
        );
        let decoded = percent_decode_str(url.split_once("subject=").unwrap().1)
            .decode_utf8()
            .unwrap();
        assert_eq!(find_tag(&decoded).unwrap().comment.as_deref(), Some("c 1"));
    }

    #[test]
    fn reply_to_must_be_one_plain_address() {
        assert!(check_address("community@example.org").is_ok());
        for bad in [
            "x",
            "a@b",
            "a@b.org?cc=c@d.org",
            "a b@c.org",
            "a@b.org,c@d.org",
            "@b.org",
        ] {
            assert!(check_address(bad).is_err(), "{bad}");
        }
    }
}
