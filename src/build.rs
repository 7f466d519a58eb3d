//! The build: load → parse → link → render → write, with timings.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use chrono::{DateTime, Utc};
use rayon::prelude::*;

use crate::config::Config;
use crate::error::{Diagnostic, Diagnostics, Error};
use crate::link::{self, Parsed, Visibility};
use crate::load::{self, SourceFile};
use crate::model::Site;
use crate::parse;
use crate::render::{self, Renderer};
use crate::spill::Spill;
use crate::theme::{self, Theme};
use crate::timings::Timings;
use crate::write::Output;

/// What to build and how.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// The site folder (holding `salon.yaml`).
    pub source: PathBuf,
    /// The output folder; `<source>/public` when not given.
    pub output: Option<PathBuf>,
    /// Replaces `base_url` of `salon.yaml`.
    pub base_url: Option<String>,
    /// Builds drafts too.
    pub drafts: bool,
    /// Builds posts dated in the future too (otherwise they are held back
    /// until a build after their date).
    pub future: bool,
    /// The moment that decides which posts are in the future; the clock
    /// when not given (tests set it).
    pub now: Option<DateTime<Utc>>,
    /// A clean build keeps rendered post bodies and the search index's
    /// document files in a temporary file in the output folder, not in
    /// memory, when the posts' markdown passes this many bytes;
    /// [`SPILL_ABOVE`] when not given (tests set 0).
    pub spill_above: Option<u64>,
}

/// The posts' markdown, in bytes, above which a build spills their
/// rendered bodies (and the search index's document files) to disk
/// ([`crate::spill`]) and lets the allocator give freed memory back:
/// about 27,000 posts of 10 KB. A smaller site keeps them in memory,
/// where reading them costs nothing; a bigger one would hold more than
/// 250 MB of HTML that it reads only to index it and to render its page.
pub const SPILL_ABOVE: u64 = 256 << 20;

/// The line of `--timings` saying how much [`SPILL_ABOVE`] moved to disk.
pub const SPILL_STAGE: &str = "  spill";

impl BuildOptions {
    /// Options to build the site in `source` with defaults.
    pub fn new(source: impl Into<PathBuf>) -> Self {
        BuildOptions {
            source: source.into(),
            ..Default::default()
        }
    }

    /// What this build publishes: drafts or not, and which dates are past.
    pub fn visibility(&self) -> Visibility {
        Visibility {
            drafts: self.drafts,
            future: self.future,
            now: self.now.unwrap_or_else(Utc::now),
        }
    }

    /// The output folder in effect.
    pub fn output_dir(&self) -> PathBuf {
        self.output
            .clone()
            .unwrap_or_else(|| self.source.join("public"))
    }

    /// The same options with the site folder canonical (absolute, links
    /// resolved) and the output folder absolute. Every path a run compares
    /// (a watcher's events, the manifest, the server's checks) derives from
    /// these, so `--source .`, a relative or a symlinked folder all behave as
    /// the absolute path does. Idempotent.
    pub fn resolve(&self) -> Result<BuildOptions, Error> {
        let source = site_root(&self.source)?;
        let output = self.output.as_deref().map(absolute);
        if let Some(out) = &output {
            check_output_folder(&source, out)?;
        }
        Ok(BuildOptions {
            source,
            output,
            ..self.clone()
        })
    }
}

/// The folders of a site that a build reads.
const SOURCE_DIRS: [&str; 5] = ["content", "static", "templates", "themes", "i18n"];

/// Refuses an output folder that would mix with what the build reads: the
/// site folder itself or one holding it (`.`, `..`), or a folder that is,
/// holds or lies inside `content/`, `static/`, `templates/`, `themes/` or
/// `i18n/` (`--output static/out` would publish itself again on every
/// build).
fn check_output_folder(source: &Path, output: &Path) -> Result<(), Error> {
    let refuse = |why: String| {
        Err(Error::Refused(format!(
            "--output {}: {why}; choose a folder of its own, such as {}",
            output.display(),
            source.join("public").display()
        )))
    };
    if source.starts_with(output) {
        return refuse("it holds the site folder, and a build replaces what it holds".into());
    }
    for dir in SOURCE_DIRS {
        let read = source.join(dir);
        if output.starts_with(&read) || read.starts_with(output) {
            return refuse(format!(
                "the build reads {dir}/, and its output must stay apart from it"
            ));
        }
    }
    Ok(())
}

/// The canonical form of the site folder `dir`, or an error saying it is
/// not one.
pub fn site_root(dir: &Path) -> Result<PathBuf, Error> {
    let root = dir.canonicalize().map_err(|e| Error::io(dir, e))?;
    if !root.is_dir() {
        return Err(Error::Refused(format!(
            "{} is not a folder; --source names the site folder (holding {})",
            dir.display(),
            crate::config::CONFIG_FILE
        )));
    }
    Ok(root)
}

/// `path` made absolute against the working folder, with its longest
/// existing ancestor canonicalized: a folder that does not exist yet gets
/// the same prefix as the files already beside it.
pub fn absolute(path: &Path) -> PathBuf {
    let abs = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()
            .map(|d| d.join(path))
            .unwrap_or_else(|_| path.to_path_buf())
    };
    if let Ok(real) = abs.canonicalize() {
        return real;
    }
    // A path that does not exist yet: `.` and `..` are taken lexically.
    let mut lexical = PathBuf::new();
    for c in abs.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                lexical.pop();
            }
            other => lexical.push(other),
        }
    }
    let mut missing = Vec::new();
    let mut existing = lexical.as_path();
    loop {
        if let Ok(real) = existing.canonicalize() {
            return missing.iter().rev().fold(real, |p, name| p.join(name));
        }
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                missing.push(name.to_owned());
                existing = parent;
            }
            // The root itself: nothing to resolve.
            _ => return lexical,
        }
    }
}

/// What a build did.
#[derive(Debug, Clone, Default)]
pub struct BuildReport {
    /// The output folder.
    pub output: PathBuf,
    /// Files produced (pages, feeds, assets, redirects).
    pub files: usize,
    /// Of those, rendered by this build (watch mode renders only what a
    /// change touches).
    pub rendered: usize,
    /// Of those, written because new or changed.
    pub written: usize,
    /// Of those, left untouched because unchanged.
    pub unchanged: usize,
    /// Files of an earlier build removed.
    pub removed: usize,
    /// Files in the output folder Salon never wrote.
    pub foreign: Vec<String>,
    /// Posts built.
    pub posts: usize,
    /// Posts held back because they are dated in the future (0 when the
    /// build was up to date: nothing was parsed).
    pub scheduled: usize,
    /// When the next held-back post is due, if any: a build after it
    /// publishes that post.
    pub next_scheduled: Option<DateTime<Utc>>,
    /// Comments kept off the site by their status (none counted when the
    /// build was up to date: nothing was parsed).
    pub held: crate::moderation::Held,
    /// Nothing changed since the last build, so nothing was rendered.
    pub up_to_date: bool,
    /// Content warnings (the build succeeded).
    pub warnings: Vec<Diagnostic>,
    /// What the build repaired or waited for before writing: an
    /// interrupted build completed or rolled back, temporary files a crash
    /// left removed, another build waited for.
    pub notices: Vec<String>,
    /// Where the time went.
    pub timings: Timings,
}

/// A loaded and linked site with its theme: everything before rendering.
pub struct Loaded {
    /// The site model.
    pub site: Site,
    /// Its theme, overrides applied.
    pub theme: Theme,
    /// Errors and warnings found so far; rendering waits until the links
    /// are checked too, so one build reports every problem.
    pub diags: Diagnostics,
    /// Timings of load, parse and link.
    pub timings: Timings,
}

/// Every input of a build, read from disk but not yet parsed.
pub struct Inputs {
    pub(crate) config_file: SourceFile,
    pub(crate) config: Config,
    pub(crate) files: load::ContentFiles,
    pub(crate) theme: Theme,
    /// The site's translation files, `i18n/*.yaml`.
    pub(crate) translations: Vec<SourceFile>,
}

/// Reads the configuration, the content, the theme and the static files.
pub fn read_inputs(opts: &BuildOptions) -> Result<Inputs, Error> {
    let root = &opts.source;
    let config_file = load::read_config(root)?;
    let mut config = Config::parse(&config_file.path, &config_file.text).map_err(Error::Content)?;
    if let Some(url) = &opts.base_url {
        config
            .set_base_url(url)
            .map_err(|m| Error::Refused(format!("--base-url: {m}")))?;
    }
    let mut refused = Vec::new();
    let files = Error::gather(load::list_content(root), &mut refused)?;
    let theme = Error::gather(theme::load(root, &config.theme), &mut refused)?;
    let mut translations = Vec::new();
    for file in Error::gather(load::read_translations(root), &mut refused)?.unwrap_or_default() {
        match file {
            Ok(file) => translations.push(file),
            Err(d) => refused.push(d),
        }
    }
    match crate::i18n::Catalog::new(&config.language, &translations) {
        Ok(catalog) => config.i18n = std::sync::Arc::new(catalog),
        Err(ds) => refused.extend(ds),
    }
    match (files, theme) {
        (Some(files), Some(theme)) if refused.is_empty() => Ok(Inputs {
            config_file,
            config,
            files,
            theme,
            translations,
        }),
        _ => Err(Error::Content(refused)),
    }
}

impl Inputs {
    /// What markdown rendering needs to know before anything is parsed:
    /// member handles are the member files' names, so every renderer can
    /// link `@handle` at once.
    pub fn markdown_context(&self) -> crate::markdown::Context {
        let handles = self
            .files
            .members
            .iter()
            .filter_map(|f| f.abs.file_stem().map(|s| s.to_string_lossy().into_owned()))
            .collect();
        crate::markdown::Context {
            base_path: self.config.base_path.clone(),
            handles: std::sync::Arc::new(handles),
        }
    }

    /// How many content files there are.
    pub fn count(&self) -> usize {
        self.files.len()
    }

    /// A hash of everything the output depends on: each content file's
    /// path, size and modification time (as make and cargo trust), the
    /// whole text of the config, templates and assets, the options, and
    /// salon's own sources (hashed at compile time). Builds are
    /// deterministic, so equal fingerprints mean equal output.
    pub fn fingerprint(&self, opts: &BuildOptions) -> u128 {
        self.fingerprint_with(opts, files_digest(self.files.all()))
    }

    /// [`Inputs::fingerprint`] with the content files' [`files_digest`]
    /// known: watch mode keeps it up to date file by file.
    pub(crate) fn fingerprint_with(&self, opts: &BuildOptions, files: u128) -> u128 {
        let mut h = xxhash_rust::xxh3::Xxh3::new();
        let mut field = |bytes: &[u8]| {
            h.update(&(bytes.len() as u64).to_le_bytes());
            h.update(bytes);
        };
        field(env!("SALON_SOURCE_HASH").as_bytes());
        field(format!("{:?} {:?} {:?}", opts.drafts, opts.future, opts.base_url).as_bytes());
        field(self.config_file.text.as_bytes());
        for file in &self.translations {
            field(file.path.to_string_lossy().as_bytes());
            field(file.text.as_bytes());
        }
        field(&files.to_le_bytes());
        for (name, text) in &self.theme.templates {
            field(name.as_bytes());
            field(text.as_bytes());
        }
        for a in &self.theme.assets {
            field(a.rel.as_bytes());
            field(&a.bytes);
        }
        h.digest128()
    }
}

/// A hash of the paths, sizes and modification times of `files`: the sum
/// of each file's [`file_digest`], so that watch mode takes in a changed
/// file without hashing the 150,000 others of a big list again.
pub(crate) fn files_digest<'a>(files: impl Iterator<Item = &'a load::ContentFile>) -> u128 {
    files.map(file_digest).fold(0, u128::wrapping_add)
}

/// A hash of one content file's path, size and modification time.
pub(crate) fn file_digest(file: &load::ContentFile) -> u128 {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    let path = file.abs.to_string_lossy();
    h.update(&(path.len() as u64).to_le_bytes());
    h.update(path.as_bytes());
    h.update(&file.len.to_le_bytes());
    h.update(&file.mtime.to_le_bytes());
    h.digest128()
}

/// What the manifest records of a build's inputs: their fingerprint (its
/// high 64 bits) and the moment the output goes stale because a held-back
/// post comes due (the low 64 bits, Unix seconds; `u64::MAX` when nothing
/// is held back). The same inputs give the same output only until then,
/// and no input file changes when that moment passes, so the fingerprint
/// alone would let a no-change build skip publishing a scheduled post.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InputStamp(pub u128);

impl InputStamp {
    /// The stamp of an output folder halfway through a change published in
    /// steps: no build is covered by it (it is due at the epoch), so a
    /// build after an interrupted `salon serve` renders again.
    pub const PARTIAL: InputStamp = InputStamp(0);

    /// The stamp of a build of inputs with `fingerprint` whose earliest
    /// held-back post is due at `due`.
    pub fn new(fingerprint: u128, due: Option<DateTime<Utc>>) -> Self {
        let due = due.map_or(u64::MAX, |d| d.timestamp().max(0) as u64);
        InputStamp(((fingerprint >> 64) << 64) | u128::from(due))
    }

    /// Whether a build of inputs with `fingerprint` at `now` gives what
    /// the build that recorded this stamp gave.
    pub fn covers(self, fingerprint: u128, now: DateTime<Utc>) -> bool {
        self.0 >> 64 == fingerprint >> 64 && (now.timestamp().max(0) as u64) < self.0 as u64
    }

    /// When the earliest post held back by that build is due.
    pub fn due(self) -> Option<DateTime<Utc>> {
        let secs = self.0 as u64;
        (secs != u64::MAX)
            .then(|| DateTime::from_timestamp(secs as i64, 0))
            .flatten()
    }
}

/// Loads, parses and links the site; every content error is collected.
pub fn load_site(opts: &BuildOptions) -> Result<Loaded, Error> {
    let opts = &opts.resolve()?;
    let start = Instant::now();
    let inputs = read_inputs(opts)?;
    let mut timings = Timings::default();
    timings.stage("load", "files listed", inputs.count(), start);
    parse_and_link(inputs, opts, &opts.visibility(), None, timings)
}

/// Parses and links what [`read_inputs`] read.
fn parse_and_link(
    inputs: Inputs,
    opts: &BuildOptions,
    visibility: &Visibility,
    spill: Option<&Arc<Spill>>,
    mut timings: Timings,
) -> Result<Loaded, Error> {
    let ctx = inputs.markdown_context();
    let Inputs {
        config,
        files,
        theme,
        ..
    } = inputs;
    let counted = files.len();
    let start = Instant::now();
    let root = &opts.source;
    let mut diags = Diagnostics::new();
    // Each body goes to disk as soon as it is rendered, so a big site's
    // bodies are never all in memory.
    let parse_post = |file: &SourceFile, ctx: &crate::markdown::Context| {
        let mut post = parse::parse_post(file, ctx)?;
        // Just made: nothing else holds its body yet.
        if let (Some(spill), Some(body)) = (spill, Arc::get_mut(&mut post.body)) {
            body.spill(spill);
        }
        Ok(post)
    };
    // The kinds are parsed side by side: one after another, each kind's
    // last few files left a core idle, a tenth of the stage.
    let ((posts, members, threads), (pages, comments, tag_pages)) = rayon::join(
        || {
            join3(
                || parse_all(root, &files.posts, &ctx, parse_post),
                || parse_all(root, &files.members, &ctx, parse::parse_member),
                || parse_all(root, &files.threads, &ctx, parse::parse_thread),
            )
        },
        || {
            join3(
                || parse_all(root, &files.pages, &ctx, parse::parse_page),
                || parse_all(root, &files.comments, &ctx, parse::parse_comments),
                || parse_all(root, &files.tags, &ctx, parse::parse_term_page),
            )
        },
    );
    // Diagnostics in the order of the kinds, as when they were parsed in turn.
    let posts = posts?.into_parsed(&mut diags);
    let members = members?.into_parsed(&mut diags);
    let threads = threads?.into_parsed(&mut diags);
    let pages = pages?.into_parsed(&mut diags);
    let comments = comments?.into_parsed(&mut diags);
    let tag_pages = tag_pages?.into_parsed(&mut diags);
    if let Some(spill) = spill {
        // Done while parsing: a part of that stage, listed before it.
        let bytes = spill.len() as usize;
        timings.took(
            SPILL_STAGE,
            "bytes of post bodies to disk",
            bytes,
            Default::default(),
        );
    }
    timings.stage("parse", "files (read and parsed)", counted, start);

    let start = Instant::now();
    let parsed = Parsed {
        posts: posts.iter().collect(),
        members: members.iter().collect(),
        threads: threads.iter().collect(),
        pages: pages.iter().collect(),
        comments: comments.iter().collect(),
        tags: tag_pages.iter().collect(),
    };
    let site = link::link(&config, parsed, visibility, None, &mut diags);
    timings.stage("link", "posts", site.posts.len(), start);
    Ok(Loaded {
        site,
        theme,
        diags,
        timings,
    })
}

/// `rayon::join` of three.
fn join3<A: Send, B: Send, C: Send>(
    a: impl FnOnce() -> A + Send,
    b: impl FnOnce() -> B + Send,
    c: impl FnOnce() -> C + Send,
) -> (A, B, C) {
    let (a, (b, c)) = rayon::join(a, || rayon::join(b, c));
    (a, b, c)
}

/// What [`parse_all`] made of one kind of file: the files that parsed,
/// and the diagnostics of those that did not.
struct ParsedKind<T> {
    parsed: Vec<T>,
    diagnostics: Vec<Diagnostic>,
}

impl<T> ParsedKind<T> {
    /// The files that parsed; the diagnostics go to `diags`.
    fn into_parsed(self, diags: &mut Diagnostics) -> Vec<T> {
        diags.extend(self.diagnostics);
        self.parsed
    }
}

/// Reads and parses `files` in parallel; each text is dropped as soon as
/// its file is parsed, so the sources are never all in memory at once.
fn parse_all<T: Send>(
    root: &Path,
    files: &[load::ContentFile],
    ctx: &crate::markdown::Context,
    parse: impl Fn(&SourceFile, &crate::markdown::Context) -> Result<T, Vec<Diagnostic>> + Sync,
) -> Result<ParsedKind<T>, Error> {
    let results: Vec<Result<T, Vec<Diagnostic>>> = files
        .par_iter()
        .map(|f| match load::read_text(root, &f.abs)? {
            Ok(source) => Ok(parse(&source, ctx)),
            Err(unreadable) => Ok(Err(vec![unreadable])),
        })
        .collect::<Result<_, Error>>()?;
    let mut kind = ParsedKind {
        parsed: Vec::with_capacity(results.len()),
        diagnostics: Vec::new(),
    };
    for r in results {
        match r {
            Ok(t) => kind.parsed.push(t),
            Err(ds) => kind.diagnostics.extend(ds),
        }
    }
    Ok(kind)
}

/// Renders `loaded` into `sink`, recording timings.
fn render_into<F>(loaded: &mut Loaded, spill: Option<&Arc<Spill>>, sink: F) -> Result<usize, Error>
where
    F: Fn(&crate::url::OutputPath, &[u8]) -> Result<(), Error> + Sync,
{
    let start = Instant::now();
    // The templates compile on one core beside the index, whose last
    // steps leave the other idle; a template error is still reported
    // after the content's errors.
    let (index, tera) = rayon::join(
        || match spill {
            Some(spill) => crate::search::build_spilling(&loaded.site, spill),
            None => crate::search::build(&loaded.site),
        },
        || render::templates(&loaded.theme.templates),
    );
    loaded
        .timings
        .stage("index", "documents indexed", index.doc_count(), start);
    let start = Instant::now();
    let jobs = match render::plan(&loaded.site, &loaded.theme.assets, &index) {
        Ok(plan) => plan.files,
        Err(d) => {
            loaded.diags.extend(d);
            return Err(Error::Content(
                std::mem::take(&mut loaded.diags).into_sorted(),
            ));
        }
    };
    loaded
        .diags
        .extend(render::check_links(&loaded.site, &jobs));
    if loaded.diags.has_errors() {
        return Err(Error::Content(
            std::mem::take(&mut loaded.diags).into_sorted(),
        ));
    }
    let tera = tera?;
    let summaries = render::summaries(&loaded.site);
    let renderer = Renderer::new(
        &loaded.site,
        &tera,
        &loaded.theme.assets,
        &summaries,
        &index,
        Arc::new(render::Fragments::new(&loaded.site.config)),
    );
    loaded
        .timings
        .stage("prepare", "files planned", jobs.len(), start);
    let start = Instant::now();
    let times = renderer.render_all(&jobs, sink)?;
    loaded.timings.stage("render", "files", jobs.len(), start);
    let mut templates: Vec<_> = times.0.into_iter().map(|(k, (n, d))| (k, n, d)).collect();
    templates.sort_by_key(|t| std::cmp::Reverse(t.2));
    loaded.timings.templates = templates;
    Ok(jobs.len())
}

/// Builds the site into its output folder, holding its lock (a second build
/// of the same folder waits). On any error before the commit nothing in the
/// output folder changes; a commit interrupted halfway is completed by the
/// next build. When no input changed since the last build and
/// its output is intact, nothing is parsed, rendered or written.
pub fn build(opts: &BuildOptions) -> Result<BuildReport, Error> {
    let opts = &opts.resolve()?;
    let start = Instant::now();
    let inputs = read_inputs(opts)?;
    let out_dir = opts.output_dir();
    // Before anything is written: one build at a time, and an interrupted
    // one finished.
    let output = Output::open(&out_dir)?;
    let fingerprint = inputs.fingerprint(opts);
    let visibility = opts.visibility();
    let mut timings = Timings::default();
    timings.stage("load", "files listed", inputs.count(), start);
    let previous = output.previous_inputs().map(InputStamp);
    if let Some(stamp) =
        previous.filter(|s| s.covers(fingerprint, visibility.now) && output.is_up_to_date(s.0))
    {
        let files = output.previous_files();
        return Ok(BuildReport {
            output: out_dir,
            files,
            unchanged: files,
            up_to_date: true,
            next_scheduled: stamp.due(),
            posts: inputs.files.posts.len(),
            foreign: output.foreign(&Default::default()),
            notices: output.notices().to_vec(),
            timings,
            ..BuildReport::default()
        });
    }
    let markdown: u64 = inputs.files.posts.iter().map(|f| f.len).sum();
    let spill = match markdown > opts.spill_above.unwrap_or(SPILL_ABOVE) {
        // Beside the output (it is locked and exists by now): on the disk
        // the build writes to anyway, not in a temporary folder that may
        // be held in memory.
        true => Some(Spill::in_dir(&out_dir).map_err(|e| Error::io(&out_dir, e))?),
        false => None,
    };
    if spill.is_some() {
        // What parsing, linking and indexing free is hundreds of MB at
        // this size, worth the page faults of taking it back later.
        crate::memory::give_back_freed_memory();
    }
    let mut loaded = parse_and_link(inputs, opts, &visibility, spill.as_ref(), timings)?;
    // On an error `output` is dropped unused: nothing was written.
    let files = render_into(&mut loaded, spill.as_ref(), |path, bytes| {
        output.stage(path, bytes)
    })?;
    let start = Instant::now();
    let next_scheduled = loaded.site.next_scheduled();
    let written = output.commit(InputStamp::new(fingerprint, next_scheduled).0)?;
    loaded
        .timings
        .stage("write", "files written", written.written, start);
    Ok(BuildReport {
        output: out_dir,
        files,
        rendered: files,
        written: written.written,
        unchanged: written.unchanged,
        removed: written.removed,
        foreign: written.foreign,
        notices: written.notices,
        up_to_date: false,
        posts: loaded.site.posts.len(),
        scheduled: loaded.site.scheduled.len(),
        next_scheduled,
        held: loaded.site.held,
        warnings: loaded.diags.warnings(),
        timings: loaded.timings,
    })
}

/// Does everything a build does except writing: parse, link, check paths,
/// render every page. Returns the warnings.
pub fn check(opts: &BuildOptions) -> Result<Vec<Diagnostic>, Error> {
    let mut loaded = load_site(opts)?;
    render_into(&mut loaded, None, |_, _| Ok(()))?;
    Ok(loaded.diags.warnings())
}

/// Whether `dir` looks like a site folder.
pub fn is_site(dir: &Path) -> bool {
    dir.join(crate::config::CONFIG_FILE).is_file()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_folder_halfway_through_a_change_is_never_up_to_date() {
        let epoch = DateTime::from_timestamp(0, 0).unwrap();
        let now = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        for fingerprint in [0, 1, u128::MAX, InputStamp::PARTIAL.0] {
            for at in [epoch, now] {
                assert!(!InputStamp::PARTIAL.covers(fingerprint, at));
            }
        }
        let stamp = InputStamp::new(7 << 64, None);
        assert!(stamp.covers(7 << 64, now), "a finished build's stamp does");
    }
}
