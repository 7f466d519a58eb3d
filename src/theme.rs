//! Themes: their templates and assets, from disk or built into the binary.
//!
//! A site uses `themes/<theme>/` when that folder exists. The `default`
//! theme is also compiled in, so a site with no `themes/` folder builds, and
//! `salon init` works anywhere. A site's own `templates/` folder overrides
//! theme templates file by file.

use std::path::Path;

use crate::error::Error;
use crate::load::{self, AssetFile};

/// A theme resolved for one build.
#[derive(Debug, Default)]
pub struct Theme {
    /// `(name, text)` of every template, site overrides applied.
    pub templates: Vec<(String, String)>,
    /// Theme assets, then the site's `static/` (which wins on a clash).
    pub assets: Vec<AssetFile>,
}

macro_rules! embedded {
    ($($path:literal),* $(,)?) => {
        &[$(($path, include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/themes/default/", $path)))),*]
    };
}

/// The default theme's files, as `(path below the theme folder, bytes)`.
pub const DEFAULT_THEME: &[(&str, &[u8])] = embedded![
    "templates/404.html",
    "templates/archive.html",
    "templates/archive_month.html",
    "templates/archive_year.html",
    "templates/base.html",
    "templates/footer.html",
    "templates/head.html",
    "templates/header.html",
    "templates/index.html",
    "templates/macros.html",
    "templates/member.html",
    "templates/members.html",
    "templates/page.html",
    "templates/post.html",
    "templates/post_card.html",
    "templates/search.html",
    "templates/taxonomy.html",
    "templates/term.html",
    "templates/thread.html",
    "templates/threads.html",
    "static/favicon.svg",
    "static/salon.js",
    "static/search.js",
    "static/style.css",
];

/// Loads theme `name` for the site at `root`.
pub fn load(root: &Path, name: &str) -> Result<Theme, Error> {
    let dir = root.join("themes").join(name);
    // Every unreadable file of the theme and the site's overrides at once.
    let mut refused = Vec::new();
    let mut theme = if dir.is_dir() {
        Theme {
            templates: Error::gather(
                load::read_templates(root, &dir.join("templates")),
                &mut refused,
            )?
            .unwrap_or_default(),
            assets: Error::gather(load::read_assets(root, &dir.join("static")), &mut refused)?
                .unwrap_or_default(),
        }
    } else if name == "default" {
        builtin()
    } else {
        return Err(Error::Refused(format!(
            "theme `{name}` not found: expected a folder {}",
            dir.display()
        )));
    };
    // The theme's stylesheets and scripts ship minified; the site's own
    // static files, merged below, are copied as they are.
    minify_assets(&mut theme.assets);
    let templates = load::read_templates(root, &root.join("templates"));
    for (name, text) in Error::gather(templates, &mut refused)?.unwrap_or_default() {
        match theme.templates.iter_mut().find(|(n, _)| *n == name) {
            Some(slot) => slot.1 = text,
            None => theme.templates.push((name, text)),
        }
    }
    let assets = load::read_assets(root, &root.join("static"));
    for asset in Error::gather(assets, &mut refused)?.unwrap_or_default() {
        match theme.assets.iter_mut().find(|a| a.rel == asset.rel) {
            Some(slot) => *slot = asset,
            None => theme.assets.push(asset),
        }
    }
    Error::unless(theme, refused)
}

/// Minifies every `.css` and `.js` file of `assets` in place. A file the
/// minifier cannot read (a syntax it does not know) ships as it is: the
/// build never fails over a theme's whitespace.
pub fn minify_assets(assets: &mut [AssetFile]) {
    for a in assets {
        let Ok(text) = std::str::from_utf8(&a.bytes) else {
            continue;
        };
        let small = if a.rel.ends_with(".css") {
            minifier::css::minify(text)
                .ok()
                .map(|m| m.to_string().trim().to_owned())
        } else if a.rel.ends_with(".js") {
            minifier::js::minify(text)
                .ok()
                .map(|m| m.to_string().trim().to_owned())
        } else {
            None
        };
        if let Some(small) = small.filter(|s| s.len() < a.bytes.len()) {
            a.bytes = small.into_bytes();
        }
    }
}

/// The built-in default theme, as its sources are ([`load`] minifies).
pub fn builtin() -> Theme {
    let mut theme = Theme::default();
    for (path, bytes) in DEFAULT_THEME {
        if let Some(name) = path.strip_prefix("templates/") {
            let text = std::str::from_utf8(bytes).expect("built-in templates are UTF-8");
            theme.templates.push((name.to_owned(), text.to_owned()));
        } else if let Some(rel) = path.strip_prefix("static/") {
            theme.assets.push(AssetFile {
                rel: rel.to_owned(),
                bytes: bytes.to_vec(),
            });
        }
    }
    theme
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file added to themes/default but not to DEFAULT_THEME would be
    /// missing from sites without a themes/ folder.
    #[test]
    fn embedded_theme_lists_every_file_of_the_folder() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default");
        let mut on_disk: Vec<String> = load::list_files(&dir, &dir, &[])
            .unwrap()
            .iter()
            .map(|p| {
                p.strip_prefix(&dir)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/")
            })
            .collect();
        on_disk.sort();
        let mut embedded: Vec<String> = DEFAULT_THEME.iter().map(|(p, _)| p.to_string()).collect();
        embedded.sort();
        assert_eq!(on_disk, embedded);
    }

    fn asset(rel: &str, text: &str) -> AssetFile {
        AssetFile {
            rel: rel.into(),
            bytes: text.as_bytes().to_vec(),
        }
    }

    #[test]
    fn theme_styles_and_scripts_are_minified_and_the_rest_kept() {
        let css = "/* why */\n.a,\n.b {\n  color: red;\n  margin: 0 auto;\n}\n\n@media (min-width: 50rem) {\n  .a { display: none; }\n}\n";
        let js = "// why\nconst f = (x) => {\n  return `a ${x} b`; // end\n};\n";
        let svg = "<svg>  <!-- kept --> </svg>\n";
        let mut assets = vec![
            asset("style.css", css),
            asset("a.js", js),
            asset("i.svg", svg),
        ];
        minify_assets(&mut assets);
        let text = |i: usize| String::from_utf8(assets[i].bytes.clone()).unwrap();
        assert_eq!(
            text(0),
            ".a,.b{color:red;margin:0 auto;}@media (min-width:50rem){.a{display:none;}}"
        );
        // Comments and indentation go; the template literal stays whole.
        assert!(
            !text(1).contains("why") && !text(1).contains("end"),
            "{}",
            text(1)
        );
        assert!(text(1).contains("`a ${x} b`"), "{}", text(1));
        assert_eq!(text(2), svg);
    }

    #[test]
    fn shipped_theme_is_smaller_than_its_sources() {
        let sources = builtin().assets;
        let mut shipped = builtin().assets;
        minify_assets(&mut shipped);
        for (src, out) in sources.iter().zip(&shipped) {
            if src.rel.ends_with(".css") || src.rel.ends_with(".js") {
                assert!(out.bytes.len() < src.bytes.len(), "{}", src.rel);
            }
        }
    }
}
