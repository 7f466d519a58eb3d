//! `salon init` and `salon new`: files for the user to edit. Never
//! overwrites an existing file.

use std::fs;
use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::slug::slugify;

/// What `salon new` makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NewKind {
    /// `content/posts/<slug>.md`
    Post,
    /// `content/members/<handle>.md`
    Member,
    /// `content/threads/<slug>.md`
    Thread,
    /// `content/pages/<slug>.md`
    Page,
}

fn create_new(path: &Path, text: &str) -> Result<(), Error> {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
    }
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => Error::Refused(format!(
                "{} already exists; nothing was changed",
                path.display()
            )),
            _ => Error::io(path, e),
        })?;
    std::io::Write::write_all(&mut file, text.as_bytes()).map_err(|e| Error::io(path, e))
}

fn yaml_string(s: &str) -> String {
    serde_json::to_string(s).expect("strings serialize")
}

/// Creates a new site in `dir` that builds at once with the built-in theme.
/// Refuses a folder that already holds a site.
pub fn init(dir: &Path, title: &str) -> Result<Vec<PathBuf>, Error> {
    if crate::build::is_site(dir) {
        return Err(Error::Refused(format!(
            "{} already holds a site (salon.yaml); nothing was changed",
            dir.display()
        )));
    }
    let today = chrono::Utc::now().format("%Y-%m-%d");
    let files = [
        (
            "salon.yaml",
            format!("title: {}\nbase_url: https://example.org/\ndescription: A community of practice.\nlanguage: en\npaginate: 10\n", yaml_string(title)),
        ),
        (
            "content/members/you.md",
            "---\nname: You\nrole: founder\nlinks: { website: \"https://example.org/\" }\naka: []\n---\n\nA few words about yourself.\n".to_owned(),
        ),
        (
            "content/posts/welcome.md",
            format!("---\ntitle: Welcome\ndate: {today}\nauthors: [you]\ntags: [Community]\n---\n\nThis is the first post of the community.\n\n<!-- more -->\n\nWrite posts in `content/posts/`, then run `salon build`.\n"),
        ),
        (
            "content/comments/welcome.yaml",
            format!("- id: 1\n  author: You\n  date: {today}T12:00:00Z\n  body: \"<p>Comments live in content/comments/, one file per post.</p>\"\n"),
        ),
        (
            "content/pages/about.md",
            "---\ntitle: About\n---\n\nWhat this community is about.\n".to_owned(),
        ),
    ];
    let mut made = Vec::new();
    for (rel, text) in files {
        let path = dir.join(rel);
        create_new(&path, &text)?;
        made.push(path);
    }
    Ok(made)
}

/// Creates a new post, member, thread or page in the site at `root`.
pub fn new(root: &Path, kind: NewKind, title: &str) -> Result<PathBuf, Error> {
    let slug = slugify(title);
    if slug.is_empty() {
        return Err(Error::Refused(format!(
            "`{title}` gives an empty file name; use letters or digits"
        )));
    }
    let now = chrono::Utc::now();
    let date = now.format("%Y-%m-%d");
    let title_yaml = yaml_string(title);
    let (folder, text) = match kind {
        NewKind::Post => (
            "posts",
            format!("---\ntitle: {title_yaml}\ndate: {}\nauthors: []\ntags: []\ndraft: true\n---\n\nThe first paragraph is the summary.\n\n<!-- more -->\n\nThe rest of the post.\n", now.format("%Y-%m-%dT%H:%M:%SZ")),
        ),
        NewKind::Member => ("members", format!("---\nname: {title_yaml}\nrole: \"\"\nlinks: {{}}\naka: []\n---\n\nA short bio.\n")),
        NewKind::Thread => (
            "threads",
            format!("---\ntitle: {title_yaml}\ndate: {date}\ntags: []\nsource: {{ name: \"\", url: \"\" }}\nentries:\n  - id: 1\n    by: \"\"\n    text: \"\"\n---\n\nWhy this conversation matters.\n"),
        ),
        NewKind::Page => ("pages", format!("---\ntitle: {title_yaml}\n---\n\n")),
    };
    let path = root.join("content").join(folder).join(format!("{slug}.md"));
    create_new(&path, &text)?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn init_refuses_an_existing_site_and_new_never_overwrites() {
        let dir = tempfile::tempdir().unwrap();
        init(dir.path(), "T").unwrap();
        assert!(init(dir.path(), "T").is_err());
        let p = new(dir.path(), NewKind::Post, "Hello, World").unwrap();
        assert!(p.ends_with("content/posts/hello-world.md"));
        fs::write(&p, "mine").unwrap();
        assert!(new(dir.path(), NewKind::Post, "Hello, World").is_err());
        assert_eq!(fs::read_to_string(&p).unwrap(), "mine");
    }
}
