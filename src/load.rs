//! Reading the site folder: the only module of a build that reads files.
//!
//! It hands back texts with their paths relative to the site folder; it
//! parses nothing. Editors' temporary and swap files are skipped, so a
//! half-saved file is never read as content.

use std::path::{Path, PathBuf};

use rayon::prelude::*;
use walkdir::WalkDir;

use crate::config::CONFIG_FILE;
use crate::error::{Diagnostic, Error};

/// One text file of the site.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Relative to the site folder.
    pub path: PathBuf,
    /// The whole text.
    pub text: String,
}

/// A file copied to the output as is.
#[derive(Debug, Clone)]
pub struct AssetFile {
    /// Path below the output folder, `/`-separated.
    pub rel: String,
    /// Its bytes.
    pub bytes: Vec<u8>,
}

/// A content file found on disk, not yet read.
#[derive(Debug, Clone)]
pub struct ContentFile {
    /// Where it is.
    pub abs: PathBuf,
    /// Its size in bytes.
    pub len: u64,
    /// Its modification time, in nanoseconds since the epoch.
    pub mtime: u128,
}

/// The content files of a site, by kind.
#[derive(Debug, Default)]
pub struct ContentFiles {
    /// `content/posts/**/*.md`
    pub posts: Vec<ContentFile>,
    /// `content/members/*.md`
    pub members: Vec<ContentFile>,
    /// `content/threads/*.md`
    pub threads: Vec<ContentFile>,
    /// `content/pages/*.md`
    pub pages: Vec<ContentFile>,
    /// `content/comments/*.yaml`
    pub comments: Vec<ContentFile>,
    /// `content/tags/*.md`: tag descriptions.
    pub tags: Vec<ContentFile>,
}

impl ContentFiles {
    /// Each kind's list, in the order of [`KINDS`].
    fn lists(&self) -> [&Vec<ContentFile>; 6] {
        [
            &self.posts,
            &self.members,
            &self.threads,
            &self.pages,
            &self.comments,
            &self.tags,
        ]
    }

    /// Every file, kind by kind.
    pub fn all(&self) -> impl Iterator<Item = &ContentFile> {
        self.lists().into_iter().flatten()
    }

    /// How many files there are.
    pub fn len(&self) -> usize {
        self.all().count()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Whether a file name is an editor's temporary, backup or swap file, or
/// hidden.
pub fn is_ignored_name(name: &str) -> bool {
    name.starts_with('.')
        || name.starts_with('#')
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.ends_with(".tmp")
        || name == "4913"
}

/// Reads `salon.yaml`.
pub fn read_config(root: &Path) -> Result<SourceFile, Error> {
    let path = root.join(CONFIG_FILE);
    let text = std::fs::read_to_string(&path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound && root.is_dir() {
            Error::Refused(format!(
                "{} is not a site folder: it has no {CONFIG_FILE} (run `salon init` to make one there, or name the site folder with --source)",
                root.display()
            ))
        } else {
            Error::io(&path, e)
        }
    })?;
    Ok(SourceFile {
        path: PathBuf::from(CONFIG_FILE),
        text,
    })
}

/// The kinds of content file: the folder below `content/` and the
/// extensions read there, in the order of [`ContentFiles::kind_mut`].
pub const KINDS: [(&str, &[&str]); 6] = [
    ("posts", &["md", "markdown"]),
    ("members", &["md", "markdown"]),
    ("threads", &["md", "markdown"]),
    ("pages", &["md", "markdown"]),
    ("comments", &["yaml", "yml"]),
    ("tags", &["md", "markdown"]),
];

/// Posts' place in [`KINDS`].
pub const POSTS: usize = 0;
/// Threads' place in [`KINDS`].
pub const THREADS: usize = 2;

impl ContentFiles {
    /// The file at `abs`, of whichever kind.
    pub fn find(&self, abs: &Path) -> Option<&ContentFile> {
        self.lists().into_iter().find_map(|list| {
            // Each kind's list is sorted by path.
            let i = list.binary_search_by(|f| f.abs.as_path().cmp(abs)).ok()?;
            Some(&list[i])
        })
    }

    /// The files of kind `k` (an index into [`KINDS`]).
    pub fn kind_mut(&mut self, k: usize) -> &mut Vec<ContentFile> {
        match k {
            POSTS => &mut self.posts,
            1 => &mut self.members,
            THREADS => &mut self.threads,
            3 => &mut self.pages,
            4 => &mut self.comments,
            _ => &mut self.tags,
        }
    }
}

/// Lists every content file with its size and mtime, without reading it:
/// a build with nothing changed never reads the content at all.
pub fn list_content(root: &Path) -> Result<ContentFiles, Error> {
    let mut files = ContentFiles::default();
    let mut refused = Vec::new();
    for k in 0..KINDS.len() {
        if let Some(listed) = Error::gather(list_kind(root, k), &mut refused)? {
            *files.kind_mut(k) = listed;
        }
    }
    Error::unless(files, refused)
}

/// Lists the content files of kind `k`, sorted by path.
pub fn list_kind(root: &Path, k: usize) -> Result<Vec<ContentFile>, Error> {
    let (dir, extensions) = KINDS[k];
    list_files(root, &root.join("content").join(dir), extensions)?
        .into_par_iter()
        .map(|abs| stat(&abs).map_err(|e| Error::io(&abs, e)))
        .collect()
}

/// Size and mtime of one file.
pub fn stat(abs: &Path) -> std::io::Result<ContentFile> {
    let meta = std::fs::metadata(abs)?;
    let mtime = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos());
    Ok(ContentFile {
        abs: abs.to_path_buf(),
        len: meta.len(),
        mtime,
    })
}

/// Where a path below `content/` belongs: the kind (an index into
/// [`KINDS`]), and whether the path itself would be listed as a file of
/// that kind (by name alone; it may not exist).
pub fn content_kind(root: &Path, abs: &Path) -> Option<(usize, bool)> {
    let rel = abs.strip_prefix(root.join("content")).ok()?;
    let mut parts = rel.components().map(|c| c.as_os_str().to_string_lossy());
    let top = parts.next()?;
    let k = KINDS.iter().position(|(d, _)| *d == top)?;
    let rest: Vec<_> = parts.collect();
    let listed = !rest.is_empty()
        && rest.iter().all(|p| !is_ignored_name(p))
        && abs
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| KINDS[k].1.contains(&e));
    Some((k, listed))
}

/// Lists files below `dir` (a folder of the site in `root`) with one of
/// `extensions`, sorted, skipping ignored names. A missing folder has no
/// files.
pub fn list_files(root: &Path, dir: &Path, extensions: &[&str]) -> Result<Vec<PathBuf>, Error> {
    walk(root, dir, extensions, is_ignored_name)
}

/// Lists the files below `dir`. Links are followed only to files inside
/// the site folder `root` (as Jekyll's safe mode does): teams build
/// contributors' pull requests, and a link to `/etc/passwd` in `static/`
/// must not publish it. Every link or special file that is not followed is
/// reported, all of them at once.
fn walk(
    root: &Path,
    dir: &Path,
    extensions: &[&str],
    ignored: fn(&str) -> bool,
) -> Result<Vec<PathBuf>, Error> {
    let Ok(meta) = std::fs::symlink_metadata(dir) else {
        return Ok(Vec::new());
    };
    // Callers outside a build may name the site relatively.
    let canonical = root.canonicalize();
    let root = canonical.as_deref().unwrap_or(root);
    let mut refused = Vec::new();
    if meta.file_type().is_symlink() {
        match followed(root, dir) {
            Ok(real) if real.is_dir() => {}
            Ok(_) => return Ok(Vec::new()),
            Err(d) => return Err(Error::Content(vec![*d])),
        }
    }
    let mut out = Vec::new();
    // Not follow_links: that stats every entry, a real cost at 100,000
    // files; symlinks are resolved one by one below instead.
    let walker = WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(move |e| e.depth() == 0 || !ignored(&e.file_name().to_string_lossy()));
    for entry in walker {
        let entry = entry.map_err(|e| {
            let path = e.path().unwrap_or(dir).to_path_buf();
            Error::io(path, e.into())
        })?;
        let path = entry.path();
        let wanted = extensions.is_empty()
            || path
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| extensions.contains(&e));
        let kind = entry.file_type();
        if kind.is_file() {
            if wanted {
                out.push(path.to_path_buf());
            }
        } else if kind.is_symlink() && entry.depth() > 0 {
            match followed(root, path) {
                Ok(real) if real.is_file() => {
                    if wanted {
                        out.push(path.to_path_buf());
                    }
                }
                Ok(real) if real.is_dir() => refused.push(link_problem(
                    root,
                    path,
                    &real,
                    "a folder, and folder links are not followed",
                    "copy the folder into the site, or link its files one by one",
                )),
                Ok(real) => refused.push(special_file(root, path, &real)),
                Err(d) => refused.push(*d),
            }
        } else if !kind.is_dir() && wanted {
            refused.push(special_file(root, path, path));
        }
    }
    Error::unless(out, refused)
}

/// Where the link `path` leads, if that is inside the site folder `root`.
fn followed(root: &Path, path: &Path) -> Result<PathBuf, Box<Diagnostic>> {
    let target = std::fs::read_link(path).unwrap_or_default();
    match path.canonicalize() {
        Ok(real) if real.starts_with(root) => Ok(real),
        Ok(real) => Err(Box::new(link_problem(
            root,
            path,
            &real,
            "outside the site folder, so it is not followed",
            "copy the file into the site folder, or remove the link",
        ))),
        Err(_) => Err(Box::new(link_problem(
            root,
            path,
            &target,
            "which does not exist (a broken link)",
            "remove the link, or restore what it points at",
        ))),
    }
}

fn link_problem(root: &Path, link: &Path, target: &Path, what: &str, help: &str) -> Diagnostic {
    let rel = link.strip_prefix(root).unwrap_or(link);
    Diagnostic::error(
        rel,
        None,
        format!("this link leads to {}: {what}", target.display()),
    )
    .with_help(help)
}

fn special_file(root: &Path, path: &Path, real: &Path) -> Diagnostic {
    let rel = path.strip_prefix(root).unwrap_or(path);
    Diagnostic::error(
        rel,
        None,
        format!(
            "not a regular file (a device, pipe or socket{})",
            if real == path {
                String::new()
            } else {
                format!(", at {}", real.display())
            }
        ),
    )
    .with_help("content, static and template folders hold ordinary files only")
}

/// Reads one content file; text that is not UTF-8 is a diagnostic.
pub fn read_text(root: &Path, abs: &Path) -> Result<Result<SourceFile, Diagnostic>, Error> {
    let bytes = std::fs::read(abs).map_err(|e| Error::io(abs, e))?;
    Ok(decode(root, abs, bytes))
}

/// How often [`read_settled`] reads a file that is still changing, and
/// how long it waits between reads after the second.
const SETTLE_READS: u32 = 100;
pub(crate) const SETTLE_PAUSE: std::time::Duration = std::time::Duration::from_millis(10);

/// Reads one content file that may still be being written, as in watch
/// mode: a save of a large file outlasts the watcher's debounce, and a
/// half-written file would fail to parse. `listed` is the file as last
/// seen; the read counts once the file's size and modification time are
/// the same before and after it (up to [`SETTLE_READS`] reads, about a
/// second). Returns the file as it was read, with the text.
pub fn read_settled(
    root: &Path,
    listed: &ContentFile,
) -> Result<(ContentFile, Result<SourceFile, Diagnostic>), Error> {
    let abs = &listed.abs;
    let mut before = listed.clone();
    let mut reads = 0;
    loop {
        let bytes = std::fs::read(abs).map_err(|e| Error::io(abs, e))?;
        reads += 1;
        // Gone or unreadable after the read: the next event says more.
        let Ok(after) = stat(abs) else {
            return Ok((before, decode(root, abs, bytes)));
        };
        let settled = after.len == bytes.len() as u64
            && after.len == before.len
            && after.mtime == before.mtime;
        if settled || reads >= SETTLE_READS {
            return Ok((after, decode(root, abs, bytes)));
        }
        // The common case of a save that ended between the listing and
        // the read needs one more read at once, not a pause.
        if reads > 1 {
            std::thread::sleep(SETTLE_PAUSE);
        }
        before = after;
    }
}

/// `bytes` of the file at `abs` as text; bytes that are not UTF-8 are a
/// diagnostic.
// The diagnostic is this function's other answer, not an error passed up
// through `?`: as large as every diagnostic the build collects.
#[allow(clippy::result_large_err)]
fn decode(root: &Path, abs: &Path, bytes: Vec<u8>) -> Result<SourceFile, Diagnostic> {
    let path = abs.strip_prefix(root).unwrap_or(abs).to_path_buf();
    match String::from_utf8(bytes) {
        Ok(text) => Ok(SourceFile { path, text }),
        Err(e) => {
            let offset = e.utf8_error().valid_up_to();
            let valid = String::from_utf8_lossy(&e.as_bytes()[..offset]).into_owned();
            Err(Diagnostic::error(
                &path,
                Some(crate::error::Position::of_offset(&valid, offset)),
                "the file is not valid UTF-8",
            )
            .with_help("save it as UTF-8"))
        }
    }
}

/// Whether a file of `static/` is left out: editors' temporary files and
/// version-control or desktop clutter. Other hidden files (`.nojekyll`,
/// `.well-known/`, `.htaccess`) are published.
pub fn is_ignored_asset(name: &str) -> bool {
    matches!(name, ".git" | ".DS_Store" | ".svn" | ".hg")
        || (is_ignored_name(name) && !name.starts_with('.'))
        || name.starts_with(".#")
        || name.ends_with(".swp")
        || name.ends_with(".swx")
}

/// Reads every file below `dir` (a folder of the site in `root`) as an
/// asset, with paths relative to `dir`.
pub fn read_assets(root: &Path, dir: &Path) -> Result<Vec<AssetFile>, Error> {
    let paths = walk(root, dir, &[], is_ignored_asset)?;
    paths
        .par_iter()
        .map(|abs| {
            let bytes = std::fs::read(abs).map_err(|e| Error::io(abs, e))?;
            let rel = abs
                .strip_prefix(dir)
                .unwrap_or(abs)
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            Ok(AssetFile { rel, bytes })
        })
        .collect()
}

/// Reads the site's translation files, `i18n/<lang>.yaml` (Hugo's
/// folder), in name order. A file that is not UTF-8 or not YAML comes
/// back as its diagnostic.
pub fn read_translations(root: &Path) -> Result<Vec<Result<SourceFile, Diagnostic>>, Error> {
    let dir = root.join(crate::i18n::I18N_DIR);
    walk(root, &dir, &[], is_ignored_name)?
        .iter()
        .map(|abs| {
            let yaml = abs.extension().is_some_and(|e| e == "yaml" || e == "yml");
            if !yaml {
                let path = abs.strip_prefix(root).unwrap_or(abs);
                return Ok(Err(Diagnostic::error(
                    path,
                    Some(crate::error::Position::new(1, 1)),
                    "not a translation file",
                )
                .with_help(
                    "translations are YAML files named after their language: i18n/de.yaml",
                )));
            }
            read_text(root, abs)
        })
        .collect()
}

/// Reads every template below `dir` (a folder of the site in `root`),
/// named by their path below it.
pub fn read_templates(root: &Path, dir: &Path) -> Result<Vec<(String, String)>, Error> {
    let assets = read_assets(root, dir)?;
    assets
        .into_iter()
        .filter(|a| a.rel.ends_with(".html") || a.rel.ends_with(".xml") || a.rel.ends_with(".txt"))
        .map(|a| {
            String::from_utf8(a.bytes)
                .map(|text| (a.rel.clone(), text))
                .map_err(|e| {
                    Error::io(
                        dir.join(&a.rel),
                        std::io::Error::new(std::io::ErrorKind::InvalidData, e),
                    )
                })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_that_grew_after_it_was_listed_is_read_whole() {
        let dir = tempfile::tempdir().unwrap();
        let abs = dir.path().join("thread.md");
        std::fs::write(&abs, "---\ntitle: Half").unwrap();
        let listed = stat(&abs).unwrap();
        // The rest of the save lands after the watcher looked.
        let whole = "---\ntitle: Half and whole\n---\nText\n".repeat(1000);
        std::fs::write(&abs, &whole).unwrap();
        let (read, text) = read_settled(dir.path(), &listed).unwrap();
        assert_eq!(text.unwrap().text, whole);
        assert_eq!(read.len, whole.len() as u64);
        assert_eq!(read.mtime, stat(&abs).unwrap().mtime);
        assert_eq!(read.abs, abs);
    }

    #[test]
    fn a_file_ending_inside_a_character_reads_whole_once_its_save_ends() {
        let dir = tempfile::tempdir().unwrap();
        let abs = dir.path().join("post.md");
        let whole = "Grüße\n".repeat(100);
        // Cut inside the two bytes of `ü`: not UTF-8 as it stands.
        std::fs::write(&abs, &whole.as_bytes()[..3]).unwrap();
        let listed = stat(&abs).unwrap();
        std::fs::write(&abs, &whole).unwrap();
        let (_, text) = read_settled(dir.path(), &listed).unwrap();
        assert_eq!(text.unwrap().text, whole);
    }
}
