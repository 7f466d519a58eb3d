//! Sanitizing untrusted HTML (comment bodies, imported posts).
//!
//! An allowlist (ammonia): no scripts, styles, event handlers, iframes,
//! forms, or `javascript:`/`data:` URLs; links get `rel="nofollow ugc"`.

use std::collections::HashSet;
use std::sync::OnceLock;

fn cleaner() -> &'static ammonia::Builder<'static> {
    static CLEANER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    CLEANER.get_or_init(|| {
        let mut b = ammonia::Builder::default();
        b.link_rel(Some("nofollow ugc noopener"))
            .url_schemes(HashSet::from(["http", "https", "mailto"]));
        b
    })
}

/// `html` with everything outside the allowlist removed.
pub fn sanitize(html: &str) -> String {
    cleaner().clean(html).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_handlers_and_bad_urls_go() {
        let dirty = r#"<p onclick="x()">Hi<script>alert(1)</script><img src=x onerror="alert(2)"><a href="javascript:alert(3)">a</a><a href="https://e.org/">b</a><iframe src="https://e.org"></iframe></p>"#;
        let clean = sanitize(dirty);
        for bad in ["script", "onclick", "onerror", "javascript:", "iframe"] {
            assert!(!clean.contains(bad), "{bad} in {clean}");
        }
        assert!(clean.contains(r#"href="https://e.org/""#));
        assert!(clean.contains("nofollow ugc"));
    }
}
