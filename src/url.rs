//! URL paths of pages and the output files they become.
//!
//! Every path that comes from content (a slug, an alias, a permalink) goes
//! through [`OutputPath::from_url`], which refuses anything that could land
//! outside the output folder.

use std::fmt;

/// A file's path below the output folder, `/`-separated, never empty, never
/// absolute, never containing `..`, `.`, `\`, or a drive prefix.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OutputPath(String);

impl OutputPath {
    /// The file a site URL path is served from: `/posts/x/` →
    /// `posts/x/index.html`, `/feed.xml` → `feed.xml`.
    pub fn from_url(url_path: &str) -> Result<Self, String> {
        let mut out = String::with_capacity(url_path.len() + 11);
        if url_path.contains('\\') || url_path.contains('\0') {
            return Err(format!("`{url_path}` contains a backslash or NUL"));
        }
        if !url_path.starts_with('/') {
            return Err(format!("`{url_path}` must start with `/`"));
        }
        for segment in url_path.split('/').filter(|s| !s.is_empty()) {
            if segment == ".." || segment == "." {
                return Err(format!("`{url_path}` would leave the output folder"));
            }
            if segment.contains(':') {
                return Err(format!("`{url_path}` contains `:`"));
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

    /// A path below the output folder given as is (static files).
    pub fn from_relative(rel: &str) -> Result<Self, String> {
        let p = Self::from_url(&format!("/{rel}"))?;
        if p.0.ends_with("index.html") && !rel.ends_with("index.html") {
            return Err(format!("`{rel}` is not a file name"));
        }
        Ok(p)
    }

    /// The `/`-separated relative path.
    pub fn as_str(&self) -> &str {
        &self.0
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
    fn base_path_is_prefixed_once() {
        assert_eq!(with_base("/", "/posts/x/"), "/posts/x/");
        assert_eq!(with_base("/community/", "/posts/x/"), "/community/posts/x/");
    }
}
