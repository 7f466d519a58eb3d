//! Names an import makes up where the export has none or one unusable:
//! titles for untitled posts, and slugs short enough for any file system.

use crate::date::Date;
use crate::search::text::plain_excerpt;

/// The longest slug an import writes, in bytes. A file name may have 255
/// bytes on common file systems (`<slug>.yaml` must fit), and a URL
/// segment of a hundred characters is already more than anyone reads.
pub const MAX_SLUG: usize = 100;

/// How many words a title made from a post's text keeps.
const TITLE_WORDS: usize = 8;

/// How long a title made from a post's text can be, in bytes (words can
/// be long: a URL, a run of characters with no space).
const TITLE_BYTES: usize = 80;

/// A title for a post or page that has none: its first words (markup
/// stripped, ending in `…` when cut), or, when it has no text, "Untitled
/// post of <date>".
pub fn title_from_text(body_html: &str, date: Option<&Date>, page: bool) -> String {
    let text = plain_excerpt(body_html, TITLE_BYTES * 4);
    let words: Vec<&str> = text.split_whitespace().collect();
    if words.is_empty() {
        let kind = if page { "page" } else { "post" };
        return match date {
            Some(d) => format!("Untitled {kind} of {}", d.format("%Y-%m-%d")),
            None => format!("Untitled {kind}"),
        };
    }
    let head = words[..words.len().min(TITLE_WORDS)].join(" ");
    let cut = words.len() > TITLE_WORDS || text.ends_with('…');
    let title = crate::search::text::excerpt(&head, TITLE_BYTES);
    match cut && !title.ends_with('…') {
        true => format!("{}…", title.trim_end_matches(['.', ',', ';', ':'])),
        false => title,
    }
}

/// The addresses at a site's root that Salon's own pages take, besides
/// years (`/2010/`): a page (or a post, with a `/:slug/` permalink) named
/// so would collide with them.
const TAKEN_AT_ROOT: &[&str] = &[
    "archive",
    "categories",
    "members",
    "search",
    "tags",
    "threads",
];

/// `slug` changed where it cannot be used as is, with why: shortened when
/// over [`MAX_SLUG`] bytes ([`shortened_slug`]); when served at the site's
/// root (`at_root`) and named like one of Salon's own pages (`archive`,
/// `tags`, a year), given a `-<kind>` suffix. `None` when it can be used.
pub fn usable_slug(slug: &str, at_root: bool, kind: &str) -> Option<(String, String)> {
    if let Some(short) = shortened_slug(slug) {
        return Some((
            short,
            format!("the export's slug had {} characters", slug.len()),
        ));
    }
    let year = slug.len() == 4 && slug.bytes().all(|b| b.is_ascii_digit());
    (at_root && (year || TAKEN_AT_ROOT.contains(&slug))).then(|| {
        (
            format!("{slug}-{kind}"),
            format!("/{slug}/ is a page Salon makes"),
        )
    })
}

/// Whether the root URL path `path` is one Salon's own pages take (a
/// listing, an archive, a feed), so an old address there cannot become a
/// redirect.
pub fn taken_path(path: &str) -> bool {
    let trimmed = path.trim_matches('/');
    let mut segments = trimmed.split('/');
    let first = segments.next().unwrap_or("");
    let year = first.len() == 4 && first.bytes().all(|b| b.is_ascii_digit());
    trimmed.is_empty()
        || TAKEN_AT_ROOT.contains(&first)
        || ["feed.xml", "sitemap.xml", "404.html", "page", "comments"].contains(&first)
        || (year && trimmed.split('/').count() <= 2)
}

/// `slug` shortened when it is over [`MAX_SLUG`] bytes: cut at a word
/// (`-`) and ended with a hash of the whole slug, so two long slugs that
/// begin alike stay apart and a re-import finds the same name. `None` when
/// it fits.
pub fn shortened_slug(slug: &str) -> Option<String> {
    if slug.len() <= MAX_SLUG {
        return None;
    }
    let hash = format!("{:08x}", xxhash_rust::xxh3::xxh3_64(slug.as_bytes()) as u32);
    let room = MAX_SLUG - hash.len() - 1;
    // Slugs are ASCII (see `slugify`); the check keeps a cut inside a
    // character impossible anyway.
    let mut cut = room;
    while !slug.is_char_boundary(cut) {
        cut -= 1;
    }
    let head = &slug[..cut];
    let head = match head.rfind('-') {
        Some(dash) if dash > room / 2 => &head[..dash],
        _ => head,
    };
    Some(format!("{}-{hash}", head.trim_end_matches('-')))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_title_is_the_first_words_without_markup() {
        let d = crate::date::parse_date("2010-09-25").unwrap();
        assert_eq!(
            title_from_text(
                "<p>We <b>met</b> at the old mill on a grey Tuesday in May.</p>",
                Some(&d),
                false
            ),
            "We met at the old mill on a…"
        );
        assert_eq!(
            title_from_text("<p>Short one.</p>", None, false),
            "Short one."
        );
        assert_eq!(
            title_from_text("<img src=x>", Some(&d), false),
            "Untitled post of 2010-09-25"
        );
        assert_eq!(title_from_text("", None, true), "Untitled page");
        let long = "x".repeat(500);
        assert!(title_from_text(&long, None, false).len() <= TITLE_BYTES + 3);
    }

    #[test]
    fn a_slug_salon_uses_at_the_root_gets_a_suffix_there_only() {
        assert_eq!(
            usable_slug("archive", true, "page").unwrap().0,
            "archive-page"
        );
        assert_eq!(usable_slug("2010", true, "post").unwrap().0, "2010-post");
        assert_eq!(usable_slug("archive", false, "post"), None);
        assert_eq!(usable_slug("about", true, "page"), None);
        assert!(taken_path("/archive/") && taken_path("/2010/09/") && taken_path("/feed.xml"));
        assert!(!taken_path("/2010/09/25/building-bridges/") && !taken_path("/about/"));
    }

    #[test]
    fn a_long_slug_is_cut_at_a_word_and_stays_unique() {
        assert_eq!(shortened_slug("short-slug"), None);
        let a = format!("{}-a", "word-".repeat(80));
        let b = format!("{}-b", "word-".repeat(80));
        let (sa, sb) = (shortened_slug(&a).unwrap(), shortened_slug(&b).unwrap());
        assert!(sa.len() <= MAX_SLUG && sb.len() <= MAX_SLUG, "{sa}");
        assert_ne!(sa, sb);
        assert!(sa.starts_with("word-word-") && !sa.contains("--"), "{sa}");
        assert_eq!(shortened_slug(&a).unwrap(), sa, "the same every time");
        assert!(shortened_slug(&"z".repeat(400)).unwrap().len() <= MAX_SLUG);
    }
}
