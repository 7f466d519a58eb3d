//! URL paths of pages and the output files they become.
//!
//! Every path that comes from content (a slug, an alias, a permalink) goes
//! through [`OutputPath::from_url`], which refuses anything that could land
//! outside the output folder.

use std::fmt;

/// The longest name of one file or folder that common file systems take
/// (ext4, APFS, NTFS: 255 bytes or UTF-16 units).
pub const MAX_NAME_BYTES: usize = 255;

/// Characters that show nothing or reorder the text around them: in a URL
/// they make one address look like another (a bidi override turns
/// `txt.exe` around; a zero-width space splits a slug invisibly).
pub fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}'
        | '\u{180B}'..='\u{180F}'
        | '\u{200B}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{206F}'
        | '\u{3164}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}' | '\u{FFA0}' | '\u{FFF0}'..='\u{FFF8}'
        | '\u{1D173}'..='\u{1D17A}' | '\u{E0000}'..='\u{E0FFF}')
}

/// Whether Windows refuses `name` as a file name (`CON`, `nul.txt`, a
/// trailing dot or space), so a site holding it cannot be copied there.
pub fn is_reserved_on_windows(name: &str) -> bool {
    if name.ends_with(['.', ' ']) {
        return true;
    }
    let stem = name.split('.').next().unwrap_or(name).to_ascii_lowercase();
    matches!(stem.as_str(), "con" | "prn" | "aux" | "nul")
        || ((stem.starts_with("com") || stem.starts_with("lpt"))
            && stem.len() == 4
            && stem.as_bytes()[3].is_ascii_digit()
            && stem.as_bytes()[3] != b'0')
}

/// The form of a path under which two paths are one file on a file system
/// that ignores case and Unicode normalization (macOS, Windows): lower
/// case, NFC.
pub fn folded(path: &str) -> std::borrow::Cow<'_, str> {
    if path.is_ascii() {
        if path.bytes().any(|b| b.is_ascii_uppercase()) {
            return path.to_ascii_lowercase().into();
        }
        return path.into();
    }
    let nfc = icu_normalizer::ComposingNormalizerBorrowed::new_nfc();
    nfc.normalize(&nfc.normalize(path).to_lowercase())
        .into_owned()
        .into()
}

/// Whether `url` is an absolute http(s) URL a reader may be sent to: no
/// `javascript:` or `data:`, nothing a browser would read as another
/// scheme or host.
pub fn is_web_url(url: &str) -> bool {
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    let rest = if lower.starts_with("https://") {
        &url[8..]
    } else if lower.starts_with("http://") {
        &url[7..]
    } else {
        return false;
    };
    !rest.is_empty()
        && !rest.starts_with('/')
        && !url.contains('\\')
        && !url
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '"' | '<' | '>'))
}

/// A file's path below the output folder, `/`-separated, never empty, never
/// absolute, never containing `..`, `.`, `\`, or a drive prefix.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OutputPath(String);

impl OutputPath {
    /// The file a site URL path is served from: `/posts/x/` →
    /// `posts/x/index.html`, `/feed.xml` → `feed.xml`.
    pub fn from_url(url_path: &str) -> Result<Self, String> {
        // Every file of every plan comes through here, on each relink in
        // watch mode: most paths are ASCII, checked in one pass over
        // their bytes (no invisible character is ASCII).
        let ascii = url_path.is_ascii();
        let bad = if ascii {
            url_path.bytes().any(|b| b.is_ascii_control() || b == b'\\')
        } else {
            url_path.contains('\\') || url_path.chars().any(char::is_control)
        };
        if bad {
            return Err(format!(
                "`{}` contains a backslash or a control character",
                url_path.escape_debug()
            ));
        }
        if !url_path.starts_with('/') {
            return Err(format!("`{url_path}` must start with `/`"));
        }
        let mut out = String::with_capacity(url_path.len() + 11);
        for segment in url_path.split('/').filter(|s| !s.is_empty()) {
            if segment == ".." || segment == "." {
                return Err(format!("`{url_path}` would leave the output folder"));
            }
            if segment.as_bytes().contains(&b':') {
                return Err(format!("`{url_path}` contains `:`"));
            }
            if !ascii {
                if let Some(c) = segment.chars().find(|&c| is_invisible(c)) {
                    return Err(format!(
                        "`{}` holds the invisible character U+{:04X}",
                        url_path.escape_debug(),
                        c as u32
                    ));
                }
            }
            if segment.len() > MAX_NAME_BYTES {
                return Err(format!(
                    "`{url_path}` has a name of {} bytes; a file system takes at most {MAX_NAME_BYTES}",
                    segment.len()
                ));
            }
            if !out.is_empty() {
                out.push('/');
            }
            out.push_str(segment);
        }
        let is_file = !url_path.ends_with('/')
            && url_path
                .rsplit('/')
                .next()
                .is_some_and(|last| last.contains('.'));
        if !is_file {
            if !out.is_empty() {
                out.push('/');
            }
            out.push_str("index.html");
        }
        Ok(OutputPath(out))
    }

    /// A file path below the output folder given as is (static files, the
    /// manifest's entries): `CNAME` is a file, not a folder.
    pub fn from_relative(rel: &str) -> Result<Self, String> {
        if rel.is_empty() || rel.ends_with('/') {
            return Err(format!("`{rel}` is not a file name"));
        }
        let folder = Self::from_url(&format!("/{rel}/"))?;
        let file = folder
            .0
            .trim_end_matches("index.html")
            .trim_end_matches('/');
        Ok(OutputPath(file.to_owned()))
    }

    /// The `/`-separated relative path.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The `/`-separated relative path, owned.
    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Display for OutputPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Joins the site's base path (`/` or `/community/`) and a root path
/// (`/posts/x/`) into the URL a browser follows.
pub fn with_base(base_path: &str, root_path: &str) -> String {
    let mut s = String::with_capacity(base_path.len() + root_path.len());
    s.push_str(base_path.trim_end_matches('/'));
    s.push_str(root_path);
    s
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_http_urls_a_reader_may_follow_are_web_urls() {
        for good in [
            "https://example.org/a",
            "HTTP://example.org",
            "https://例え.jp/x?y#z",
        ] {
            assert!(is_web_url(good), "{good}");
        }
        for bad in [
            "javascript:alert(1)",
            "data:text/html,<script>",
            "https:///evil",
            "https://a\\b",
            "https://a b",
            "https://a\"onmouseover=x",
            "//example.org/",
            "",
        ] {
            assert!(!is_web_url(bad), "{bad}");
        }
    }

    #[test]
    fn folded_paths_ignore_case_and_unicode_form() {
        assert_eq!(folded("posts/Hello/index.html"), "posts/hello/index.html");
        assert_eq!(folded("caf\u{e9}"), folded("cafe\u{301}"));
        assert_eq!(folded("CAF\u{c9}"), folded("cafe\u{301}"));
        assert_ne!(folded("cafe"), folded("caf\u{e9}"));
    }

    #[test]
    fn windows_reserved_names_are_known() {
        for name in [
            "con",
            "NUL",
            "com1",
            "lpt9.txt",
            "aux.html",
            "trailing.",
            "space ",
        ] {
            assert!(is_reserved_on_windows(name), "{name}");
        }
        for name in ["console", "com0", "comma", "lpt", "nullable", "a.b"] {
            assert!(!is_reserved_on_windows(name), "{name}");
        }
    }

    use super::*;

    #[test]
    fn folders_get_an_index() {
        assert_eq!(OutputPath::from_url("/").unwrap().as_str(), "index.html");
        assert_eq!(
            OutputPath::from_url("/posts/x/").unwrap().as_str(),
            "posts/x/index.html"
        );
        assert_eq!(
            OutputPath::from_url("/posts/x").unwrap().as_str(),
            "posts/x/index.html"
        );
        assert_eq!(
            OutputPath::from_url("/feed.xml").unwrap().as_str(),
            "feed.xml"
        );
        assert_eq!(
            OutputPath::from_url("//a//b.html").unwrap().as_str(),
            "a/b.html"
        );
    }

    #[test]
    fn escapes_are_refused() {
        for bad in [
            "/../x/",
            "/a/../../x",
            "../x",
            "/a\\..\\b",
            "/./x",
            "/C:/x",
            "x/",
            "/a\0b",
        ] {
            assert!(OutputPath::from_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn control_characters_are_refused() {
        // A newline once forged a manifest line naming a file outside.
        assert!(OutputPath::from_url("/x\n0 8 0 /tmp/victim/keep.html").is_err());
        assert!(OutputPath::from_url("/x\ty/").is_err());
    }

    #[test]
    fn relative_paths_are_files() {
        assert_eq!(
            OutputPath::from_relative("CNAME").unwrap().as_str(),
            "CNAME"
        );
        assert_eq!(
            OutputPath::from_relative(".well-known/security.txt")
                .unwrap()
                .as_str(),
            ".well-known/security.txt"
        );
        assert!(OutputPath::from_relative("../x").is_err());
        assert!(OutputPath::from_relative("/etc/passwd").unwrap().as_str() == "etc/passwd");
    }

    #[test]
    fn base_path_is_prefixed_once() {
        assert_eq!(with_base("/", "/posts/x/"), "/posts/x/");
        assert_eq!(with_base("/community/", "/posts/x/"), "/community/posts/x/");
    }
}
