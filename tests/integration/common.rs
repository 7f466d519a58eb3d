//! Helpers: fixture sites in temp folders, builds, and output inspection.

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::path::{Path, PathBuf};

use salon::{BuildOptions, BuildReport};
use scraper::{Html, Selector};
use tempfile::TempDir;

/// A site folder in a temp dir, removed when dropped.
pub struct Site {
    pub dir: TempDir,
}

impl Site {
    /// A site with `salon.yaml` and the given files.
    pub fn new(config: &str, files: &[(&str, &str)]) -> Site {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("salon.yaml"), config).unwrap();
        let site = Site { dir };
        for (path, text) in files {
            site.write(path, text);
        }
        site
    }

    /// [`Site::new`] with generated files: `(path, text)` pairs built
    /// with `format!`.
    pub fn generated(config: &str, files: &[(String, String)]) -> Site {
        let refs: Vec<(&str, &str)> = files
            .iter()
            .map(|(p, t)| (p.as_str(), t.as_str()))
            .collect();
        Site::new(config, &refs)
    }

    /// The repository's demo site, copied (without themes/, so the
    /// built-in theme is used).
    pub fn demo() -> Site {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let dir = tempfile::tempdir().unwrap();
        fs::copy(root.join("salon.yaml"), dir.path().join("salon.yaml")).unwrap();
        for sub in ["content", "static"] {
            copy_dir(&root.join(sub), &dir.path().join(sub));
        }
        Site { dir }
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn out(&self) -> PathBuf {
        self.root().join("public")
    }

    pub fn write(&self, rel: &str, text: &str) {
        let p = self.root().join(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, text).unwrap();
    }

    pub fn remove(&self, rel: &str) {
        fs::remove_file(self.root().join(rel)).unwrap();
    }

    pub fn options(&self) -> BuildOptions {
        BuildOptions::new(self.root())
    }

    pub fn build(&self) -> BuildReport {
        match salon::build(&self.options()) {
            Ok(r) => r,
            Err(salon::Error::Content(d)) => panic!("build failed: {d:#?}"),
            Err(e) => panic!("build failed: {e}"),
        }
    }

    pub fn try_build(&self) -> Result<BuildReport, salon::Error> {
        salon::build(&self.options())
    }

    /// The parsed output page at a root URL path (`/posts/x/`).
    pub fn page(&self, url_path: &str) -> Html {
        let file =
            file_for(&self.out(), url_path).unwrap_or_else(|| panic!("no output for {url_path}"));
        Html::parse_document(&fs::read_to_string(file).unwrap())
    }

    pub fn read(&self, rel: &str) -> String {
        fs::read_to_string(self.out().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
    }
}

pub fn copy_dir(from: &Path, to: &Path) {
    if !from.exists() {
        return;
    }
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let target = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            fs::create_dir_all(&target).unwrap();
        } else {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// The file a root URL path is served from, if it exists.
pub fn file_for(out: &Path, url_path: &str) -> Option<PathBuf> {
    let rel = url_path.trim_start_matches('/');
    let candidate = out.join(rel);
    if url_path.ends_with('/') || rel.is_empty() {
        let index = candidate.join("index.html");
        return index.is_file().then_some(index);
    }
    if candidate.is_file() {
        return Some(candidate);
    }
    let index = candidate.join("index.html");
    index.is_file().then_some(index)
}

pub fn sel(s: &str) -> Selector {
    Selector::parse(s).unwrap()
}

/// Texts of the elements matching `selector`, whitespace collapsed.
pub fn texts(doc: &Html, selector: &str) -> Vec<String> {
    doc.select(&sel(selector))
        .map(|e| {
            e.text()
                .collect::<Vec<_>>()
                .join(" ")
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}

/// `attr` of the elements matching `selector`.
pub fn attrs(doc: &Html, selector: &str, attr: &str) -> Vec<String> {
    doc.select(&sel(selector))
        .filter_map(|e| e.value().attr(attr).map(str::to_owned))
        .collect()
}

/// `opts` with the output in a new temp folder (kept alive by the
/// returned guard): a clean build to compare an incremental one with.
pub fn clean_twin(opts: &BuildOptions) -> (TempDir, BuildOptions) {
    let dir = tempfile::tempdir().unwrap();
    let twin = BuildOptions {
        output: Some(dir.path().join("out")),
        ..opts.clone()
    };
    (dir, twin)
}

/// The paths of `after` (an [`output_files`] map) that `before` lacks or
/// held other bytes at: what a rebuild wrote.
pub fn rewritten_paths(
    before: &BTreeMap<String, Vec<u8>>,
    after: &BTreeMap<String, Vec<u8>>,
) -> Vec<String> {
    after
        .iter()
        .filter(|(k, v)| before.get(*k) != Some(v))
        .map(|(k, _)| k.clone())
        .collect()
}

/// Every file of the output folder `out` but the manifest, by its
/// `/`-separated path, with its bytes: what two builds are compared by.
pub fn output_files(out: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(out)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(out).unwrap();
            let rel = rel.to_string_lossy().replace('\\', "/");
            (rel, fs::read(e.path()).unwrap())
        })
        .filter(|(rel, _)| rel != ".salon-manifest")
        .collect()
}

/// Every `.html` file below `out`, by path, as text.
pub fn html_files(out: &Path) -> BTreeMap<String, String> {
    output_files(out)
        .into_iter()
        .filter(|(path, _)| path.ends_with(".html"))
        .map(|(path, bytes)| (path, String::from_utf8(bytes).unwrap()))
        .collect()
}

/// A template of the default theme, as Salon ships it.
pub fn theme_template(name: &str) -> &'static str {
    let (_, bytes) = salon::theme::DEFAULT_THEME
        .iter()
        .find(|(p, _)| *p == format!("templates/{name}"))
        .unwrap_or_else(|| panic!("the theme has {name}"));
    std::str::from_utf8(bytes).unwrap()
}

/// Every file below `dir` with a hash of its bytes, and its mtime.
pub fn snapshot(dir: &Path) -> BTreeMap<String, (u64, std::time::SystemTime)> {
    let mut out = BTreeMap::new();
    if !dir.exists() {
        return out;
    }
    for entry in walkdir::WalkDir::new(dir) {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            let rel = entry
                .path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            let meta = entry.metadata().unwrap();
            let mut h = std::collections::hash_map::DefaultHasher::new();
            std::hash::Hash::hash(&fs::read(entry.path()).unwrap(), &mut h);
            out.insert(
                rel,
                (std::hash::Hasher::finish(&h), meta.modified().unwrap()),
            );
        }
    }
    out
}

/// Follows every `href` and `src` of every HTML file in `out` that points
/// inside the site (under `base_path`), and returns the broken ones as
/// `(page, link)`. Fragments must name an element id on the target page.
pub fn broken_links(out: &Path, base_path: &str) -> Vec<(String, String)> {
    let mut ids: HashMap<PathBuf, Vec<String>> = HashMap::new();
    let mut broken = Vec::new();
    let mut pages = Vec::new();
    for entry in walkdir::WalkDir::new(out) {
        let entry = entry.unwrap();
        if entry.path().extension().is_some_and(|e| e == "html") {
            pages.push(entry.path().to_path_buf());
        }
    }
    let anchors = sel("[href], [src]");
    let id_sel = sel("[id]");
    let mut ids_of = |file: &Path| -> Vec<String> {
        ids.entry(file.to_path_buf())
            .or_insert_with(|| {
                let doc = Html::parse_document(&fs::read_to_string(file).unwrap());
                doc.select(&id_sel)
                    .filter_map(|e| e.value().attr("id").map(str::to_owned))
                    .collect()
            })
            .clone()
    };
    for page in &pages {
        let doc = Html::parse_document(&fs::read_to_string(page).unwrap());
        let page_rel = page
            .strip_prefix(out)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        for el in doc.select(&anchors) {
            let link = el.value().attr("href").or(el.value().attr("src")).unwrap();
            if link.starts_with("http://")
                || link.starts_with("https://")
                || link.starts_with("mailto:")
                || link.starts_with("//")
            {
                continue;
            }
            let (path_part, fragment) = match link.split_once('#') {
                Some((p, f)) => (p, Some(f)),
                None => (link, None),
            };
            let path_part = path_part.split('?').next().unwrap();
            let target = if path_part.is_empty() {
                Some(page.clone())
            } else if let Some(rest) = path_part.strip_prefix(base_path) {
                file_for(out, &format!("/{rest}"))
            } else {
                broken.push((
                    page_rel.clone(),
                    format!("{link} (outside base path {base_path})"),
                ));
                continue;
            };
            match (target, fragment) {
                (None, _) => broken.push((page_rel.clone(), link.to_owned())),
                (Some(t), Some(f))
                    if !f.is_empty()
                        && t.extension().is_some_and(|e| e == "html")
                        && !ids_of(&t).iter().any(|id| id == f) =>
                {
                    broken.push((page_rel.clone(), format!("{link} (no id `{f}`)")));
                }
                _ => {}
            }
        }
    }
    broken
}

/// A post file with the given front matter lines and body.
pub fn post(front: &str, body: &str) -> String {
    format!("---\n{front}\n---\n\n{body}\n")
}

pub const CONFIG: &str = "title: Test Site\nbase_url: https://example.org/\npaginate: 3\n";

/// `salon.yaml` lines that turn on the feeds a site writes only when asked:
/// each post's comments, and every list's JSON Feed.
pub const ALL_FEEDS: &str = "feeds:\n  post_comments: true\n  json: all\n";

/// Parses every `.xml` file below `out` (feeds, sitemaps) with an XML
/// parser, failing with the file's name and the parser's message; returns
/// the files' paths relative to `out`, sorted.
pub fn parse_all_xml(out: &Path) -> Vec<String> {
    let mut parsed = Vec::new();
    for e in walkdir::WalkDir::new(out) {
        let e = e.unwrap();
        if !e.file_type().is_file() || e.path().extension().is_none_or(|x| x != "xml") {
            continue;
        }
        let rel = e.path().strip_prefix(out).unwrap().display().to_string();
        let text = fs::read_to_string(e.path()).unwrap_or_else(|err| panic!("{rel}: {err}"));
        if let Err(err) = roxmltree::Document::parse(&text) {
            panic!("{rel} is not well-formed XML: {err}");
        }
        parsed.push(rel);
    }
    parsed.sort();
    parsed
}
