//! The default theme as a community's: comments right after the article,
//! members under their own names, folding reply trees, author cards,
//! member cards, the archive by month and tags by use.
//! Every check parses the built HTML.

use scraper::{ElementRef, Html};

use crate::common::*;

/// The elements of `doc` matching `selector`.
fn all<'a>(doc: &'a Html, selector: &str) -> Vec<ElementRef<'a>> {
    doc.select(&sel(selector)).collect()
}

/// The text of an element, whitespace collapsed.
fn text(e: &ElementRef) -> String {
    e.text()
        .collect::<Vec<_>>()
        .join(" ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The position in document order of the first element matching
/// `selector`, among every element of `doc`.
fn position(doc: &Html, selector: &str) -> usize {
    let target = doc
        .select(&sel(selector))
        .next()
        .unwrap_or_else(|| panic!("no {selector}"))
        .id();
    doc.root_element()
        .descendants()
        .position(|n| n.id() == target)
        .unwrap()
}

const GARDENING: &str = "/posts/moderation-is-gardening/";

#[test]
fn comments_come_straight_after_the_article() {
    let site = Site::demo();
    site.build();
    let post = site.page(GARDENING);
    let article = position(&post, "article.post");
    let comments = position(&post, "section.comments");
    let related = position(&post, "section.related");
    let nav = position(&post, "nav.post-nav");
    assert!(article < comments, "comments follow the article");
    assert!(comments < related, "comments come before related posts");
    assert!(comments < nav, "comments come before older/newer");
}

#[test]
fn a_member_comments_under_their_name_and_the_author_is_marked() {
    let site = Site::demo();
    site.build();
    let post = site.page(GARDENING);
    let comment = |id: &str| {
        post.select(&sel(&format!(
            "#comment-{id} > .comment-main .comment-author"
        )))
        .next()
        .unwrap_or_else(|| panic!("no comment {id}"))
    };
    // "Lúcia F." is Lúcia Ferreira (an `aka`), who wrote the post.
    let lucia = comment("wp-13");
    let link: Vec<_> = lucia.select(&sel("a.member-link")).collect();
    assert_eq!(link.len(), 1);
    assert_eq!(text(&link[0]), "Lúcia Ferreira");
    assert_eq!(link[0].value().attr("href"), Some("/members/luciaf/"));
    let alias: Vec<String> = lucia.select(&sel(".alias")).map(|a| text(&a)).collect();
    assert_eq!(alias.len(), 1);
    assert!(alias[0].contains("Lúcia F."), "{alias:?}");
    assert_eq!(lucia.select(&sel(".author-mark")).count(), 1);
    // A member who did not write the post: their name, no mark, no alias
    // (they commented under their profile's name).
    let kenji = comment("wp-15");
    assert_eq!(kenji.select(&sel("a.member-link")).count(), 1);
    assert_eq!(kenji.select(&sel(".author-mark, .alias")).count(), 0);
    // A commenter's own website is another kind of link.
    let rafael = comment("wp-12");
    let site_link: Vec<_> = rafael.select(&sel("a.website-link")).collect();
    assert_eq!(site_link.len(), 1);
    assert_eq!(
        site_link[0].value().attr("href"),
        Some("https://rafael.example.net/")
    );
    assert!(site_link[0]
        .value()
        .attr("rel")
        .unwrap()
        .contains("nofollow"));
    assert_eq!(rafael.select(&sel(".member-link, .author-mark")).count(), 0);
}

#[test]
fn reply_subtrees_fold_without_javascript() {
    let site = Site::demo();
    site.build();
    let post = site.page(GARDENING);
    // wp-12 has wp-13 under it, wp-14 under that and wp-15 under that.
    let fold = post
        .select(&sel("#comment-wp-12 > details.thread-fold"))
        .next()
        .expect("the replies of wp-12 fold");
    assert!(fold.value().attr("open").is_some(), "open until folded");
    let summary: Vec<String> = fold
        .select(&sel(":scope > summary"))
        .map(|s| text(&s))
        .collect();
    assert_eq!(summary, ["3 replies"]);
    assert_eq!(
        fold.select(&sel(":scope > ol.replies > li > article"))
            .count(),
        1
    );
    // A comment without replies has nothing to fold.
    assert_eq!(post.select(&sel("#comment-wp-15 > details")).count(), 0);
}

#[test]
fn the_post_names_its_people() {
    let site = Site::demo();
    site.build();
    let post = site.page(GARDENING);
    let byline = post.select(&sel("article.post .byline")).next().unwrap();
    assert_eq!(
        byline.select(&sel(".avatar")).count(),
        1,
        "the author's avatar"
    );
    assert!(text(&byline).contains("Lúcia Ferreira"));
    // "3 min read" never breaks across lines.
    assert!(byline
        .select(&sel(".nowrap"))
        .any(|e| text(&e).ends_with("min read")));
    let cards = all(&post, "article.post .author-card");
    assert_eq!(cards.len(), 1);
    let card = &cards[0];
    assert_eq!(card.select(&sel(".avatar")).count(), 1);
    let links: Vec<_> = card.select(&sel("a")).collect();
    assert_eq!(links.len(), 1);
    assert_eq!(links[0].value().attr("href"), Some("/members/luciaf/"));
    assert_eq!(text(&links[0]), "Lúcia Ferreira");
    let bio = text(&card.select(&sel(".author-card-bio")).next().unwrap());
    assert!(bio.starts_with("Lúcia ran volunteer moderation"), "{bio}");
}

#[test]
fn member_cards_are_one_link_with_bio_and_topics() {
    let site = Site::demo();
    site.build();
    let members = site.page("/members/");
    let card = members
        .select(&sel(".member-card"))
        .find(|c| {
            c.select(&sel("a[href='/members/luciaf/']"))
                .next()
                .is_some()
        })
        .expect("Lúcia's card");
    assert_eq!(
        card.select(&sel("a")).count(),
        1,
        "the whole card is one link"
    );
    let bio = text(&card.select(&sel(".member-bio")).next().unwrap());
    assert!(bio.starts_with("Lúcia ran volunteer moderation"), "{bio}");
    // Her posts are tagged Moderation most (and Community as often).
    let topics: Vec<String> = card
        .select(&sel(".member-topics .topic"))
        .map(|t| text(&t))
        .collect();
    assert!(!topics.is_empty() && topics.len() <= 3, "{topics:?}");
    assert!(topics.iter().any(|t| t == "Moderation"), "{topics:?}");
    // Profile links say where they lead.
    let profile = site.page("/members/luciaf/");
    let labels = texts(&profile, ".profile-links a");
    assert!(
        labels.contains(&"lucia.example.org".to_owned()),
        "{labels:?}"
    );
    assert!(
        labels.iter().all(|l| l.contains('.') || l.contains('@')),
        "{labels:?}"
    );
}

#[test]
fn the_archive_lists_titles_by_month_and_tags_sort_by_use() {
    let site = Site::demo();
    site.build();
    let archive = site.page("/archive/");
    let months = all(&archive, ".archive-year .archive-month");
    assert!(months.len() > 5);
    for m in &months {
        let heading = m.select(&sel("h3 a")).next().unwrap();
        assert!(heading.value().attr("href").unwrap().ends_with('/'));
        let posts = m.select(&sel(".post-index li > a")).count();
        assert!(posts > 0, "{} lists its posts", text(&heading));
    }
    let titles = texts(&archive, ".archive-month .post-index li > a");
    assert!(titles.contains(&"Moderation Is Gardening, Not Policing".to_owned()));

    let tags = site.page("/tags/");
    let counts: Vec<u64> = texts(&tags, ".term-ranking li .count")
        .iter()
        .map(|c| c.split_whitespace().next().unwrap().parse().unwrap())
        .collect();
    assert!(counts.len() > 10);
    assert!(
        counts.windows(2).all(|w| w[0] >= w[1]),
        "most used first: {counts:?}"
    );
    assert_eq!(texts(&tags, ".term-ranking li > a")[0], "Community");
    // The cloud stays, by name.
    assert_eq!(
        tags.select(&sel(".term-cloud li")).count(),
        counts.len(),
        "the cloud has every tag"
    );
}

#[test]
fn the_front_page_shows_ten_posts_and_the_404_page_searches() {
    let site = Site::demo();
    site.build();
    let home = site.page("/");
    assert_eq!(home.select(&sel(".post-list article")).count(), 10);
    // What the community is about comes before the list.
    assert!(position(&home, ".hero .lede") < position(&home, ".post-list"));
    let missing = site.page("/404.html");
    let forms = all(&missing, "main form[role=search]");
    assert_eq!(forms.len(), 1);
    assert_eq!(forms[0].value().attr("action"), Some("/search/"));
    assert_eq!(forms[0].value().attr("method"), Some("get"));
    let input = forms[0]
        .select(&sel("input[name=q]"))
        .next()
        .expect("a q field");
    let id = input.value().attr("id").unwrap();
    assert_eq!(attrs(&missing, &format!("label[for={id}]"), "for").len(), 1);
}

#[test]
fn the_header_folds_menu_and_pickers_into_one_row() {
    let site = Site::demo();
    site.build();
    let home = site.page("/");
    let fold = all(&home, "header.site-header details.header-fold");
    assert_eq!(fold.len(), 1);
    assert_eq!(fold[0].select(&sel(":scope > summary")).count(), 1);
    assert_eq!(fold[0].select(&sel("nav.site-nav")).count(), 1);
    assert_eq!(fold[0].select(&sel("#palette-select")).count(), 1);
    let schemes = attrs(&home, "#scheme-select option", "value");
    assert_eq!(schemes, ["auto", "light", "dark"]);
}
