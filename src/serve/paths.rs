//! What a request may see: path resolution against the output folder, the
//! `Content-Type` of a file, and the `Host` and `Origin` checks.
//!
//! Kept by hand rather than taken from a crate because the rules are ours:
//! a request path is split on `/` *before* it is percent-decoded, so `%2f`
//! can never make a separator, and any segment that decodes to `..`, `.`,
//! something with `/`, `\` or NUL, or anything other than one plain file
//! name (a Windows drive, say) is refused. What is left is joined onto the
//! output folder and canonicalized, and must still lie inside it, so a
//! symlink pointing outside is refused too.

use std::net::SocketAddr;
use std::path::{Component, Path, PathBuf};

use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, CONTROLS};

/// Why a request path was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Not a path, bad percent-encoding, or not UTF-8: 400.
    Malformed,
    /// Tries to leave the output folder: 403.
    Forbidden,
}

/// A request path, decoded: its segments and whether it ended with `/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodedPath {
    /// The decoded, checked segments (no empty ones).
    pub segments: Vec<String>,
    /// Whether the path ended with `/` (or was `/`).
    pub trailing_slash: bool,
}

/// Decodes the path of a request target (query and fragment dropped) into
/// segments that are each one plain file name.
pub fn decode_path(target: &str) -> Result<DecodedPath, Refusal> {
    let path = target.split(['?', '#']).next().unwrap_or("");
    if !path.starts_with('/') {
        return Err(Refusal::Malformed);
    }
    let mut segments = Vec::new();
    for raw in path.split('/').filter(|s| !s.is_empty()) {
        if raw.contains('%')
            && !raw
                .split('%')
                .skip(1)
                .all(|h| h.len() >= 2 && h.as_bytes()[..2].iter().all(u8::is_ascii_hexdigit))
        {
            return Err(Refusal::Malformed);
        }
        let seg = percent_decode_str(raw)
            .decode_utf8()
            .map_err(|_| Refusal::Malformed)?;
        if seg == "." || seg == ".." || seg.contains(['/', '\\', '\0']) || !is_one_name(&seg) {
            return Err(Refusal::Forbidden);
        }
        segments.push(seg.into_owned());
    }
    Ok(DecodedPath {
        segments,
        trailing_slash: path.ends_with('/'),
    })
}

/// Whether `seg` is exactly one normal path component on this system.
fn is_one_name(seg: &str) -> bool {
    let mut c = Path::new(seg).components();
    matches!((c.next(), c.next()), (Some(Component::Normal(_)), None))
}

/// Characters escaped when a decoded path is written back into a URL.
const SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'/')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'\\')
    .add(b'`')
    .add(b'{')
    .add(b'}');

/// What a request path names in the output folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolved {
    /// A file to send (canonical path, inside the folder).
    File(PathBuf),
    /// A folder asked for without its trailing slash: where to go instead.
    Redirect(String),
    /// Nothing there.
    NotFound,
    /// Refused.
    Refused(Refusal),
}

/// Resolves a request target against the output folder `root`.
pub fn resolve(root: &Path, target: &str) -> Resolved {
    let decoded = match decode_path(target) {
        Ok(d) => d,
        Err(r) => return Resolved::Refused(r),
    };
    let Ok(root) = root.canonicalize() else {
        return Resolved::NotFound;
    };
    // Hidden files (the manifest, a build's temporary files) are not served.
    if decoded
        .segments
        .iter()
        .any(|s| s.starts_with('.') && s != ".well-known")
    {
        return Resolved::NotFound;
    }
    let mut candidate = root.clone();
    candidate.extend(&decoded.segments);
    let real = match inside(&root, &candidate) {
        Ok(Some(real)) => real,
        Ok(None) => return Resolved::NotFound,
        Err(r) => return Resolved::Refused(r),
    };
    if !real.is_dir() {
        return if decoded.trailing_slash {
            Resolved::NotFound
        } else {
            Resolved::File(real)
        };
    }
    if !decoded.trailing_slash && !decoded.segments.is_empty() {
        let mut location = String::new();
        for s in &decoded.segments {
            location.push('/');
            location.extend(utf8_percent_encode(s, SEGMENT));
        }
        location.push('/');
        if let Some((_, query)) = target.split_once('?') {
            location.push('?');
            location.push_str(query.split('#').next().unwrap_or(""));
        }
        return Resolved::Redirect(location);
    }
    match inside(&root, &real.join("index.html")) {
        Ok(Some(index)) if index.is_file() => Resolved::File(index),
        Ok(_) => Resolved::NotFound,
        Err(r) => Resolved::Refused(r),
    }
}

/// The canonical form of `path` if it exists and lies inside `root`.
fn inside(root: &Path, path: &Path) -> Result<Option<PathBuf>, Refusal> {
    match path.canonicalize() {
        Ok(real) if real.starts_with(root) => Ok(Some(real)),
        Ok(_) => Err(Refusal::Forbidden),
        Err(_) => Ok(None),
    }
}

/// The `Content-Type` of a file, by its extension.
pub fn content_type(path: &Path) -> &'static str {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" | "map" => "application/json",
        "xml" => "application/xml; charset=utf-8",
        "atom" => "application/atom+xml",
        "rss" => "application/rss+xml",
        "txt" | "md" => "text/plain; charset=utf-8",
        "csv" => "text/csv; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "ttf" => "font/ttf",
        "otf" => "font/otf",
        "pdf" => "application/pdf",
        "wasm" => "application/wasm",
        "mp4" => "video/mp4",
        "webm" => "video/webm",
        "mp3" => "audio/mpeg",
        "ogg" => "audio/ogg",
        "zip" => "application/zip",
        _ => "application/octet-stream",
    }
}

/// Whether a request with `Origin` header `origin` (and `Host` header
/// `host`) may use the reload channel of a server listening on `local`: no
/// `Origin` (not a cross-site browser request), or the server's own origin.
pub fn origin_allowed(origin: Option<&str>, host: Option<&str>, local: SocketAddr) -> bool {
    let Some(origin) = origin else {
        return true;
    };
    let port = local.port();
    let mut own = vec![format!("http://{local}")];
    if local.ip().is_loopback() {
        own.push(format!("http://localhost:{port}"));
        own.push(format!("http://127.0.0.1:{port}"));
        own.push(format!("http://[::1]:{port}"));
    } else if local.ip().is_unspecified() {
        // Reached by whatever address the network gives it: its own origin
        // is the one the browser used.
        if let Some(host) = host {
            own.push(format!("http://{host}"));
        }
    }
    own.iter().any(|o| o.eq_ignore_ascii_case(origin.trim()))
}

/// Whether a request with `Host` header `host` may be answered by a server
/// listening on `local`. A loopback server answers only to loopback names,
/// so a web page whose domain is made to resolve to 127.0.0.1 (DNS
/// rebinding) cannot read the site from the browser.
pub fn host_allowed(host: Option<&str>, local: SocketAddr) -> bool {
    if !local.ip().is_loopback() {
        return true;
    }
    let Some(host) = host else {
        // HTTP/1.0 without Host: not a browser.
        return true;
    };
    let host = host.trim().to_ascii_lowercase();
    let name = match host.rsplit_once(':') {
        Some((name, port)) if !name.ends_with(':') && port.chars().all(|c| c.is_ascii_digit()) => {
            if port != local.port().to_string() {
                return false;
            }
            name
        }
        _ => host.as_str(),
    };
    matches!(name, "localhost" | "127.0.0.1" | "[::1]")
        || name.ends_with(".localhost")
        || name == local.ip().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segs(p: &str) -> Vec<String> {
        decode_path(p).unwrap().segments
    }

    #[test]
    fn paths_decode_into_plain_segments() {
        assert_eq!(segs("/"), Vec::<String>::new());
        assert_eq!(segs("/posts/a/?x=1#y"), vec!["posts", "a"]);
        assert_eq!(segs("//posts//a"), vec!["posts", "a"]);
        assert_eq!(segs("/tags/caf%C3%A9/"), vec!["tags", "café"]);
        assert_eq!(segs("/a%20b"), vec!["a b"]);
        assert!(decode_path("/posts/").unwrap().trailing_slash);
        assert!(!decode_path("/posts").unwrap().trailing_slash);
    }

    #[test]
    fn escapes_are_refused() {
        for bad in [
            "/..",
            "/../etc/passwd",
            "/posts/../../x",
            "/%2e%2e/x",
            "/%2E%2e/x",
            "/.%2e/x",
            "/a%2f..%2f..%2fx",
            "/a%2Fb",
            "/..%5cx",
            "/a\\..\\x",
            "/%5c",
            "/./x",
            "/a%00b",
        ] {
            assert_eq!(decode_path(bad), Err(Refusal::Forbidden), "{bad}");
        }
        for bad in ["", "x", "http://evil/", "/%zz", "/%c3%28", "/%"] {
            assert_eq!(decode_path(bad), Err(Refusal::Malformed), "{bad}");
        }
    }

    #[test]
    fn content_types_follow_extensions() {
        assert_eq!(
            content_type(Path::new("a/index.html")),
            "text/html; charset=utf-8"
        );
        assert_eq!(
            content_type(Path::new("style.CSS")),
            "text/css; charset=utf-8"
        );
        assert_eq!(
            content_type(Path::new("feed.xml")),
            "application/xml; charset=utf-8"
        );
        assert_eq!(content_type(Path::new("x.woff2")), "font/woff2");
        assert_eq!(content_type(Path::new("blob")), "application/octet-stream");
    }

    #[test]
    fn a_loopback_server_answers_only_to_loopback_names() {
        let local: SocketAddr = "127.0.0.1:1111".parse().unwrap();
        for ok in [
            "127.0.0.1:1111",
            "localhost:1111",
            "LOCALHOST:1111",
            "[::1]:1111",
            "site.localhost:1111",
            "localhost",
        ] {
            assert!(host_allowed(Some(ok), local), "{ok}");
        }
        assert!(host_allowed(None, local));
        for bad in [
            "evil.example:1111",
            "evil.example",
            "localhost:2222",
            "127.0.0.2:1111",
        ] {
            assert!(!host_allowed(Some(bad), local), "{bad}");
        }
        let any: SocketAddr = "0.0.0.0:1111".parse().unwrap();
        assert!(host_allowed(Some("my-laptop.lan:1111"), any));
    }

    #[test]
    fn only_the_own_origin_may_listen() {
        let local: SocketAddr = "127.0.0.1:1111".parse().unwrap();
        assert!(origin_allowed(None, None, local));
        assert!(origin_allowed(Some("http://127.0.0.1:1111"), None, local));
        assert!(origin_allowed(Some("http://localhost:1111"), None, local));
        assert!(!origin_allowed(Some("http://localhost:2222"), None, local));
        assert!(!origin_allowed(Some("https://evil.example"), None, local));
        assert!(!origin_allowed(Some("null"), None, local));
        // A rebinding attack names its own host; loopback servers ignore it.
        assert!(!origin_allowed(
            Some("http://evil.example:1111"),
            Some("evil.example:1111"),
            local
        ));
        let any: SocketAddr = "0.0.0.0:1111".parse().unwrap();
        assert!(origin_allowed(
            Some("http://192.168.1.5:1111"),
            Some("192.168.1.5:1111"),
            any
        ));
        assert!(!origin_allowed(
            Some("http://evil.example"),
            Some("192.168.1.5:1111"),
            any
        ));
    }
}
