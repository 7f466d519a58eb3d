//! Salon: a static site generator for knowledge communities.
//!
//! # Pipeline
//!
//! A build runs these stages, each a module that knows nothing of the ones
//! after it:
//!
//! 1. **load** ([`load`]): the only module that reads the site folder. It
//!    walks `content/`, `templates/`, `themes/` and `static/` and hands back
//!    file texts with their paths.
//! 2. **parse** ([`parse`], with [`frontmatter`], [`markdown`],
//!    [`highlight`]): pure functions from text to raw records; markdown is
//!    rendered here, once per document, in parallel.
//! 3. **link** ([`link`]): resolves handles, terms, comments and threads into
//!    the [`model::Site`], plain data with indices instead of copies.
//! 4. **render** ([`render`]): Tera templates over borrowed views of the
//!    model, every page in parallel; feeds, sitemap and redirects in code.
//!    The [`search`] index is built from the model just before, and its
//!    shards are render jobs like any page.
//! 5. **write** ([`mod@write`]): the only module that writes the output folder:
//!    it locks the folder, stages changed files beside the live ones, then
//!    moves them in by a journaled commit that the next build completes if
//!    this one is interrupted; a failed build leaves the previous output
//!    untouched and an unchanged file is never rewritten.
//!
//! [`fn@build`] runs them in order. Every content problem is a
//! [`error::Diagnostic`] with file, line and column; stages collect all of
//! them before the build fails.
//!
//! [`search`] builds the static search index from the linked site; its
//! files are render jobs like any page.
//!
//! [`entities`] (the one HTML escaper and entity decoder), [`sanitize`]
//! (the allowlist, and rewriting the text of sanitized HTML) and [`email`]
//! (the one finder and redactor of e-mail addresses) serve [`import`],
//! [`render`] and [`search`] alike.
//!
//! [`moderation`] decides which comments readers see: a comment's
//! `status`, the site's policy for new ones, and `salon moderate`, which
//! changes a status in its file, byte for byte otherwise.
//!
//! [`webmention`] (`salon webmentions send`) also sits outside the build:
//! it loads and links the site, then notifies the pages its posts link to;
//! no build ever touches the network.
//!
//! [`serve`] (`salon serve`, `salon watch`) sits on top of the build, never
//! inside it: it watches the site folder, calls the build again after
//! changes, serves the output folder and live-reloads open tabs. Its
//! rebuilds go through [`incremental`], which keeps the parsed and linked
//! site in memory and renders only the jobs whose signature
//! ([`render::deps`]) changed.

pub mod build;
pub mod config;
pub mod date;
pub mod digest;
pub mod email;
pub mod entities;
pub mod error;
pub mod frontmatter;
pub mod highlight;
pub mod i18n;
pub mod import;
pub mod incremental;
pub mod lang;
pub mod link;
pub mod load;
pub mod markdown;
pub mod memory;
pub mod model;
pub mod moderation;
pub mod parse;
pub mod render;
pub mod reply;
pub mod sanitize;
pub mod scaffold;
pub mod search;
pub mod serve;
pub mod slug;
pub mod spill;
pub mod theme;
pub mod timings;
pub mod tree;
pub mod url;
pub mod webmention;
pub mod write;

pub use build::{build, check, BuildOptions, BuildReport};
pub use error::{Diagnostic, Error};
