//! Small text helpers for importers: entities, dates, line breaks, YAML
//! strings and URL paths.

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};

use crate::date::{parse_date, Date};

/// Decodes character references in text taken from HTML (titles, names),
/// once, with the program's one decoder ([`crate::entities`]).
pub fn decode_entities(text: &str) -> String {
    crate::entities::decode(text).into_owned()
}

/// Reads the date formats exports use: RFC 3339, `YYYY-MM-DD HH:MM:SS`
/// (UTC), RFC 2822 (`Sat, 25 Sep 2010 10:00:00 +0000`), Movable Type's
/// `09/25/2010 10:00:00 AM`, and Unix seconds. `0000-00-00` and empty text
/// are no date.
pub fn parse_any_date(text: &str) -> Option<Date> {
    let t = text.trim();
    if t.is_empty() || t.starts_with("0000-00-00") {
        return None;
    }
    if let Some(d) = parse_date(t) {
        return Some(d);
    }
    if let Ok(d) = DateTime::parse_from_rfc2822(t) {
        return Some(d);
    }
    let utc = |n: NaiveDateTime| Utc.from_utc_datetime(&n).fixed_offset();
    for f in [
        "%m/%d/%Y %I:%M:%S %p",
        "%m/%d/%Y %I:%M %p",
        "%m/%d/%Y %H:%M:%S",
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y/%m/%d %H:%M:%S",
    ] {
        if let Ok(n) = NaiveDateTime::parse_from_str(t, f) {
            return Some(utc(n));
        }
    }
    for f in ["%Y-%m-%dT%H:%M:%S%.f%z", "%Y-%m-%d %H:%M:%S %Z"] {
        if let Ok(d) = DateTime::parse_from_str(t, f) {
            return Some(d);
        }
    }
    if let Ok(d) = NaiveDate::parse_from_str(t, "%m/%d/%Y") {
        return d.and_hms_opt(0, 0, 0).map(utc);
    }
    if t.len() >= 9 && t.len() <= 11 && t.bytes().all(|b| b.is_ascii_digit()) {
        return Utc
            .timestamp_opt(t.parse().ok()?, 0)
            .single()
            .map(|d| d.fixed_offset());
    }
    None
}

/// A date as written into files: RFC 3339, `Z` for UTC.
pub fn format_date(d: &Date) -> String {
    if d.offset().local_minus_utc() == 0 {
        d.format("%Y-%m-%dT%H:%M:%SZ").to_string()
    } else {
        d.to_rfc3339()
    }
}

/// WordPress's "autop": text with blank lines and no `<p>` becomes
/// paragraphs, single newlines become `<br>`. Bodies with `<p>` are kept.
pub fn autop(html: &str) -> String {
    let html = html.replace("\r\n", "\n");
    if html.contains("<p>") || html.contains("<p ") || !html.contains('\n') {
        return html;
    }
    const BLOCKS: [&str; 12] = [
        "<h",
        "<ul",
        "<ol",
        "<blockquote",
        "<pre",
        "<table",
        "<div",
        "<p",
        "<hr",
        "<dl",
        "<figure",
        "<!--",
    ];
    let mut out = String::with_capacity(html.len() + 64);
    for chunk in html.split("\n\n") {
        let chunk = chunk.trim();
        if chunk.is_empty() {
            continue;
        }
        if BLOCKS.iter().any(|b| chunk.starts_with(b)) {
            out.push_str(chunk);
        } else {
            out.push_str("<p>");
            out.push_str(&chunk.replace('\n', "<br>\n"));
            out.push_str("</p>");
        }
        out.push('\n');
    }
    out
}

/// Removes characters YAML files must not hold (controls other than tab
/// and newline, byte-order marks, non-characters).
pub fn clean(text: &str) -> String {
    text.chars()
        .filter(|&c| {
            !(c.is_control() && c != '\n' && c != '\t')
                && c != '\u{FEFF}'
                && c != '\u{FFFE}'
                && c != '\u{FFFF}'
                && c != '\u{2028}'
                && c != '\u{2029}'
        })
        .collect()
}

/// A YAML double-quoted string.
pub fn yaml_str(s: &str) -> String {
    serde_json::to_string(&clean(s)).expect("strings serialize")
}

/// The path of a URL, for matching: scheme, host, query and fragment
/// dropped, percent-escapes of unreserved characters kept as written,
/// trailing slashes trimmed, lowercased. `/` for the root.
pub fn url_path_key(url: &str) -> String {
    let mut s = url.trim();
    if let Some(i) = s.find("://") {
        s = &s[i + 3..];
        s = s.find('/').map_or("", |j| &s[j..]);
    } else if let Some(rest) = s.strip_prefix("//") {
        s = rest.find('/').map_or("", |j| &rest[j..]);
    }
    let s = s.split(['?', '#']).next().unwrap_or("");
    let trimmed = s.trim_end_matches('/');
    let with_slash = if trimmed.starts_with('/') {
        trimmed.to_owned()
    } else {
        format!("/{trimmed}")
    };
    with_slash.to_lowercase()
}

/// The path of a URL as an alias (`/2010/09/building-bridges/`), or `None`
/// when it has none worth redirecting (the root, a query-only link) or it
/// could escape the output folder.
pub fn alias_of(url: &str) -> Option<String> {
    let key = url_path_key(url);
    let mut s = url.trim();
    if let Some(i) = s.find("://") {
        s = &s[i + 3..];
        s = s.find('/').map_or("", |j| &s[j..]);
    }
    let path = s.split(['?', '#']).next().unwrap_or("");
    if key == "/" || path.contains("..") || path.contains('\\') || !path.starts_with('/') {
        return None;
    }
    if path.chars().any(|c| c.is_control() || c == ' ' || c == '"') {
        return None;
    }
    Some(path.to_owned())
}

/// Decodes `%XX` escapes (WordPress stores non-ASCII slugs escaped);
/// bytes that are not UTF-8 become U+FFFD.
pub fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_many_shapes() {
        for s in [
            "2010-09-25 10:00:00",
            "Sat, 25 Sep 2010 10:00:00 +0000",
            "09/25/2010 10:00:00 AM",
            "2010-09-25T10:00:00+02:00",
            "2010-09-25T10:00:00.123",
            "1285408800",
        ] {
            assert!(parse_any_date(s).is_some(), "{s}");
        }
        assert!(parse_any_date("0000-00-00 00:00:00").is_none());
        assert!(parse_any_date("yesterday").is_none());
    }

    #[test]
    fn entities_and_paths() {
        assert_eq!(
            decode_entities("a &amp; b &#233; &x; &mdash; &oacute;"),
            "a & b é &x; — ó"
        );
        assert_eq!(url_path_key("https://ex.org/a/b/?p=1#c"), "/a/b");
        assert_eq!(url_path_key("http://EX.org"), "/");
        assert_eq!(
            alias_of("http://ex.org/2010/09/x/").as_deref(),
            Some("/2010/09/x/")
        );
        assert_eq!(alias_of("http://ex.org/?p=12"), None);
        assert_eq!(alias_of("http://ex.org/../etc"), None);
        assert_eq!(percent_decode("caf%C3%A9"), "café");
        assert_eq!(percent_decode("100%"), "100%");
    }
}
