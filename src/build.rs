//! The build: load → parse → link → render → write, with timings.

use std::path::{Path, PathBuf};
use std::time::Instant;

use rayon::prelude::*;

use crate::config::Config;
use crate::error::{Diagnostic, Diagnostics, Error};
use crate::link::{self, Parsed};
use crate::load::{self, SourceFile};
use crate::model::Site;
use crate::parse;
use crate::render::{self, Renderer};
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
}

impl BuildOptions {
    /// Options to build the site in `source` with defaults.
    pub fn new(source: impl Into<PathBuf>) -> Self {
        BuildOptions {
            source: source.into(),
            ..Default::default()
        }
    }

    /// The output folder in effect.
    pub fn output_dir(&self) -> PathBuf {
        self.output
            .clone()
            .unwrap_or_else(|| self.source.join("public"))
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
    let files = load::list_content(root)?;
    let theme = theme::load(root, &config.theme)?;
    Ok(Inputs {
        config_file,
        config,
        files,
        theme,
    })
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
        let mut h = xxhash_rust::xxh3::Xxh3::new();
        let mut field = |bytes: &[u8]| {
            h.update(&(bytes.len() as u64).to_le_bytes());
            h.update(bytes);
        };
        field(env!("SALON_SOURCE_HASH").as_bytes());
        field(format!("{:?} {:?}", opts.drafts, opts.base_url).as_bytes());
        field(self.config_file.text.as_bytes());
        for file in self.files.all() {
            field(file.abs.to_string_lossy().as_bytes());
            field(&file.len.to_le_bytes());
            field(&file.mtime.to_le_bytes());
        }
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

/// Loads, parses and links the site; every content error is collected.
pub fn load_site(opts: &BuildOptions) -> Result<Loaded, Error> {
    let start = Instant::now();
    let inputs = read_inputs(opts)?;
    let mut timings = Timings::default();
    timings.stage("load", "files listed", inputs.count(), start);
    parse_and_link(inputs, opts, timings)
}

/// Parses and links what [`read_inputs`] read.
fn parse_and_link(
    inputs: Inputs,
    opts: &BuildOptions,
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
    let posts = parse_all(root, &files.posts, &ctx, parse::parse_post, &mut diags)?;
    let members = parse_all(root, &files.members, &ctx, parse::parse_member, &mut diags)?;
    let threads = parse_all(root, &files.threads, &ctx, parse::parse_thread, &mut diags)?;
    let pages = parse_all(root, &files.pages, &ctx, parse::parse_page, &mut diags)?;
    let comments = parse_all(
        root,
        &files.comments,
        &ctx,
        parse::parse_comments,
        &mut diags,
    )?;
    timings.stage("parse", "files (read and parsed)", counted, start);

    let start = Instant::now();
    let parsed = Parsed {
        posts: posts.iter().collect(),
        members: members.iter().collect(),
        threads: threads.iter().collect(),
        pages: pages.iter().collect(),
        comments: comments.iter().collect(),
    };
    let site = link::link(&config, parsed, opts.drafts, None, &mut diags);
    timings.stage("link", "posts", site.posts.len(), start);
    Ok(Loaded {
        site,
        theme,
        diags,
        timings,
    })
}

/// Reads and parses `files` in parallel; each text is dropped as soon as
/// its file is parsed, so the sources are never all in memory at once.
fn parse_all<T: Send>(
    root: &Path,
    files: &[load::ContentFile],
    ctx: &crate::markdown::Context,
    parse: fn(&SourceFile, &crate::markdown::Context) -> Result<T, Vec<Diagnostic>>,
    diags: &mut Diagnostics,
) -> Result<Vec<T>, Error> {
    let results: Vec<Result<T, Vec<Diagnostic>>> = files
        .par_iter()
        .map(|f| match load::read_text(root, &f.abs)? {
            Ok(source) => Ok(parse(&source, ctx)),
            Err(unreadable) => Ok(Err(vec![unreadable])),
        })
        .collect::<Result<_, Error>>()?;
    let mut out = Vec::with_capacity(results.len());
    for r in results {
        match r {
            Ok(t) => out.push(t),
            Err(ds) => diags.extend(ds),
        }
    }
    Ok(out)
}

/// Renders `loaded` into `sink`, recording timings.
fn render_into<F>(loaded: &mut Loaded, sink: F) -> Result<usize, Error>
where
    F: Fn(&crate::url::OutputPath, &[u8]) -> Result<(), Error> + Sync,
{
    let start = Instant::now();
    let index = crate::search::build(&loaded.site);
    loaded
        .timings
        .stage("index", "documents indexed", index.docs().len(), start);
    let start = Instant::now();
    let jobs = match render::plan(&loaded.site, &loaded.theme.assets, &index) {
        Ok(jobs) => jobs,
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
    let tera = render::templates(&loaded.theme.templates)?;
    let summaries = render::summaries(&loaded.site);
    let renderer = Renderer::new(
        &loaded.site,
        &tera,
        &loaded.theme.assets,
        &summaries,
        &index,
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
    let start = Instant::now();
    let inputs = read_inputs(opts)?;
    let out_dir = opts.output_dir();
    // Before anything is written: one build at a time, and an interrupted
    // one finished.
    let output = Output::open(&out_dir)?;
    let fingerprint = inputs.fingerprint(opts);
    let mut timings = Timings::default();
    timings.stage("load", "files listed", inputs.count(), start);
    if output.is_up_to_date(fingerprint) {
        let files = output.previous_files();
        return Ok(BuildReport {
            output: out_dir,
            files,
            unchanged: files,
            up_to_date: true,
            posts: inputs.files.posts.len(),
            foreign: output.foreign(&Default::default()),
            notices: output.notices().to_vec(),
            timings,
            ..BuildReport::default()
        });
    }
    let mut loaded = parse_and_link(inputs, opts, timings)?;
    // On an error `output` is dropped unused: nothing was written.
    let files = render_into(&mut loaded, |path, bytes| output.stage(path, bytes))?;
    let start = Instant::now();
    let written = output.commit(fingerprint)?;
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
        warnings: loaded.diags.warnings(),
        timings: loaded.timings,
    })
}

/// Does everything a build does except writing: parse, link, check paths,
/// render every page. Returns the warnings.
pub fn check(opts: &BuildOptions) -> Result<Vec<Diagnostic>, Error> {
    let mut loaded = load_site(opts)?;
    render_into(&mut loaded, |_, _| Ok(()))?;
    Ok(loaded.diags.warnings())
}

/// Whether `dir` looks like a site folder.
pub fn is_site(dir: &Path) -> bool {
    dir.join(crate::config::CONFIG_FILE).is_file()
}
