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
        if url_path.contains('\\') || url_path.chars().any(char::is_control) {
            return Err(format!(
                "`{}` contains a backslash or a control character",
                url_path.escape_debug()
            ));
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
