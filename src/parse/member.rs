//! Member profiles.

use std::path::PathBuf;

use serde::Deserialize;

use super::{check_segment, file_stem, front_matter, to_json, SourceFile};
use crate::error::Diagnostic;
use crate::frontmatter::OneOrMany;
use crate::markdown;
use crate::model::Link;

#[derive(Debug, Deserialize)]
struct RawMember {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    role: Option<String>,
    #[serde(default)]
    location: Option<String>,
    #[serde(default)]
    links: serde_yaml::Mapping,
    #[serde(default)]
    aka: OneOrMany,
    #[serde(default)]
    avatar: Option<String>,
    #[serde(default)]
    lang: Option<String>,
    #[serde(default)]
    extra: serde_yaml::Value,
}

/// A member read from its file.
#[derive(Debug)]
pub struct ParsedMember {
    /// The source file.
    pub source: PathBuf,
    /// The file stem.
    pub handle: String,
    /// Display name.
    pub name: String,
    /// What they do.
    pub role: Option<String>,
    /// Where they are.
    pub location: Option<String>,
    /// Links, expanded to URLs where the service is known.
    pub links: Vec<Link>,
    /// Other names.
    pub aka: Vec<String>,
    /// Avatar path or URL.
    pub avatar: Option<String>,
    /// Rendered bio.
    pub bio: std::sync::Arc<markdown::Rendered>,
    /// Its language tag, when it sets its own (`lang:`).
    pub lang: Option<String>,
    /// Free-form data.
    pub extra: serde_json::Value,
}

/// Parses one member file; its stem is the handle.
pub fn parse_member(
    file: &SourceFile,
    ctx: &markdown::Context,
) -> Result<ParsedMember, Vec<Diagnostic>> {
    let (raw, fm, body, mut errors): (RawMember, _, _, _) = front_matter(file)?;
    let name = super::required(
        raw.name.clone(),
        "name",
        "member",
        &fm,
        &file.path,
        &mut errors,
    );
    let handle = file_stem(&file.path);
    if let Err(msg) = check_segment("handle (the file name)", &handle) {
        return Err(vec![Diagnostic::error(&file.path, None, msg)]);
    }
    let links = raw
        .links
        .iter()
        .filter_map(|(k, v)| {
            let name = k.as_str()?.to_owned();
            match v.as_str() {
                Some(value) => Some(Link {
                    url: expand_link(&name, value),
                    name,
                }),
                None => {
                    errors.push(fm.error(
                        &file.path,
                        "links",
                        Some(&name),
                        format!("link `{name}` is not a string"),
                    ));
                    None
                }
            }
        })
        .collect();
    if let Some(avatar) = raw.avatar.as_deref().filter(|a| !is_avatar(a)) {
        errors.push(
            fm.error(
                &file.path,
                "avatar",
                Some(avatar),
                format!(
                    "avatar `{}` is neither an http(s) URL nor a path of the site",
                    avatar.escape_debug()
                ),
            )
            .with_help("expected a file of static/ (`avatars/ada.png`) or https://..."),
        );
    }
    let lang = super::lang_field(&fm, &file.path, raw.lang, &mut errors);
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(ParsedMember {
        source: file.path.clone(),
        handle,
        name,
        role: raw.role,
        location: raw.location,
        links,
        aka: raw.aka.0,
        avatar: raw.avatar,
        bio: std::sync::Arc::new(body.render(ctx)),
        lang,
        extra: to_json(raw.extra),
    })
}

/// Whether `avatar` is a web URL or a plain path of the site. A backslash
/// is refused: browsers read `/\\host/a.png` as another host.
fn is_avatar(avatar: &str) -> bool {
    if let Some(rest) = avatar.strip_prefix("//") {
        return crate::url::is_web_url(&format!("https://{rest}"));
    }
    if avatar.contains("://") {
        return crate::url::is_web_url(avatar);
    }
    !avatar.is_empty()
        && !avatar.contains(['\\', ':', '?', '#'])
        && !avatar.chars().any(|c| c.is_whitespace() || c.is_control())
        && avatar.split('/').all(|s| s != "..")
}

/// The URL of a link: itself when it is one, else the profile URL of a
/// known service (`twitter: ekolsky`), else none.
pub fn expand_link(service: &str, value: &str) -> Option<String> {
    if value.starts_with("https://") || value.starts_with("http://") || value.starts_with("mailto:")
    {
        return Some(value.to_owned());
    }
    let handle = value.trim_start_matches('@');
    let url = match service.to_ascii_lowercase().as_str() {
        "twitter" | "x" => format!("https://twitter.com/{handle}"),
        "github" => format!("https://github.com/{handle}"),
        "gitlab" => format!("https://gitlab.com/{handle}"),
        "linkedin" => format!("https://www.linkedin.com/in/{handle}"),
        "bluesky" => format!("https://bsky.app/profile/{handle}"),
        "mastodon" => {
            // @user@host → https://host/@user
            let (user, host) = handle.split_once('@')?;
            format!("https://{host}/@{user}")
        }
        _ => return None,
    };
    Some(url)
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_avatar_is_a_web_url_or_a_plain_site_path() {
        for good in [
            "avatars/ada.png",
            "/avatars/ada.png",
            "https://e.org/a.png",
            "//cdn.e.org/a.png",
        ] {
            assert!(is_avatar(good), "{good}");
        }
        for bad in [
            "/\\evil.example/a.png",
            "\\\\evil.example\\a.png",
            "javascript:alert(1)",
            "data:image/png;base64,AAAA",
            "../../etc/passwd",
            "a b.png",
            "",
        ] {
            assert!(!is_avatar(bad), "{bad}");
        }
    }

    use super::*;

    #[test]
    fn links_expand_known_services() {
        assert_eq!(
            expand_link("twitter", "@ek").as_deref(),
            Some("https://twitter.com/ek")
        );
        assert_eq!(
            expand_link("mastodon", "@ann@social.example").as_deref(),
            Some("https://social.example/@ann")
        );
        assert_eq!(
            expand_link("website", "https://e.org/").as_deref(),
            Some("https://e.org/")
        );
        assert_eq!(expand_link("irc", "ek"), None);
    }

    #[test]
    fn handle_is_the_file_stem() {
        let f = SourceFile {
            path: PathBuf::from("content/members/ekolsky.md"),
            text: "---\nname: Esteban\nlinks: { twitter: ekolsky }\naka: [Esteban K]\n---\nBio.\n"
                .into(),
        };
        let m = parse_member(&f, &Default::default()).unwrap();
        assert_eq!(m.handle, "ekolsky");
        assert_eq!(
            m.links[0].url.as_deref(),
            Some("https://twitter.com/ekolsky")
        );
        assert!(m.bio.html.contains("Bio."));
    }
}
