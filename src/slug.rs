//! Slugs: the URL-safe names of posts, terms and members.
//!
//! Kept by hand over deunicode rather than taken from a slug crate: the
//! rules are part of every URL a site has published ("Café Society" is
//! `cafe-society`, no `_`, no leading or trailing `-`), so they must not
//! move with a dependency's release, and they are twenty lines.

/// Lowercase ASCII words joined by `-`: "Social CRM" → "social-crm",
/// "Café Society" → "cafe-society". Never contains `/`, `.` or `\`.
pub fn slugify(text: &str) -> String {
    let ascii = deunicode::deunicode(text);
    let mut out = String::with_capacity(ascii.len());
    let mut pending_dash = false;
    for c in ascii.chars() {
        if c.is_ascii_alphanumeric() {
            if pending_dash && !out.is_empty() {
                out.push('-');
            }
            pending_dash = false;
            out.push(c.to_ascii_lowercase());
        } else if c == '+' {
            // "C++" and "C" must not share a slug.
            if pending_dash && !out.is_empty() {
                out.push('-');
            }
            pending_dash = false;
            out.push_str("plus");
        } else if c == '#' {
            out.push_str("sharp");
        } else {
            pending_dash = true;
        }
    }
    out
}

/// The key under which term names that differ only in case or spacing
/// are one term: "Social  CRM" and "social crm" share a key.
pub fn term_key(name: &str) -> String {
    // Built in one buffer: every tag of every post goes through here on
    // each relink of watch mode.
    let mut key = String::with_capacity(name.len());
    for word in name.split_whitespace() {
        if !key.is_empty() {
            key.push(' ');
        }
        if word.is_ascii() {
            key.extend(word.chars().map(|c| c.to_ascii_lowercase()));
        } else {
            key.push_str(&word.to_lowercase());
        }
    }
    key
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_ascii_words() {
        assert_eq!(slugify("Social CRM"), "social-crm");
        assert_eq!(slugify("  What is Twitter for?  "), "what-is-twitter-for");
        assert_eq!(slugify("Café Society"), "cafe-society");
        assert_eq!(slugify("../etc/passwd"), "etc-passwd");
        assert_eq!(slugify("C++"), "cplusplus");
        assert_eq!(slugify("C#"), "csharp");
    }

    #[test]
    fn term_keys_ignore_case_and_spacing() {
        assert_eq!(term_key("Social  CRM"), term_key("social crm"));
        assert_ne!(term_key("Social CRM"), term_key("SocialCRM"));
        assert_eq!(term_key("  Social \t CRM "), "social crm");
        assert_eq!(term_key("ÉCOLE Café"), "école café");
        assert_eq!(term_key("ΣΟΦΙΑ"), "σοφια");
    }
}
