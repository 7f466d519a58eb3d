//! Tag archives and the home page list exactly the right posts, across
//! pages, at the boundaries of pagination (paginate: 3 in these sites).

use crate::common::*;

fn site_with(n: usize, tagged_every: usize) -> Site {
    let files: Vec<(String, String)> = (0..n)
        .map(|i| {
            let tags = if i % tagged_every == 0 {
                "[Community, Other]"
            } else {
                "[Other]"
            };
            (
                format!("content/posts/p{i:03}.md"),
                post(
                    &format!(
                        "title: P{i:03}\ndate: 2020-01-01T00:{:02}:00Z\ntags: {tags}",
                        i % 60
                    ),
                    "x",
                ),
            )
        })
        .collect();
    let site = Site::generated(CONFIG, &files);
    site.build();
    site
}

/// Titles listed on every page of a listing, page by page.
fn listing(site: &Site, base: &str) -> Vec<Vec<String>> {
    let mut pages = Vec::new();
    for n in 1.. {
        let path = if n == 1 {
            base.to_owned()
        } else {
            format!("{base}page/{n}/")
        };
        let Some(file) = file_for(&site.out(), &path) else {
            break;
        };
        let doc = scraper::Html::parse_document(&std::fs::read_to_string(file).unwrap());
        pages.push(texts(&doc, "main article h2 a, main article h3 a"));
    }
    pages
}

fn expected_titles(n: usize, every: usize) -> Vec<String> {
    // Newest first: the generated minutes grow with i.
    let mut v: Vec<usize> = (0..n).filter(|i| i % every == 0).collect();
    v.sort_by_key(|&i| std::cmp::Reverse((i % 60, i)));
    v.into_iter().map(|i| format!("P{i:03}")).collect()
}

#[test]
fn tag_archive_lists_exactly_its_posts_at_each_boundary() {
    for (posts, expect_pages) in [(1, 1), (3, 1), (4, 2), (7, 3)] {
        let site = site_with(posts, 1);
        let pages = listing(&site, "/tags/community/");
        assert_eq!(pages.len(), expect_pages, "{posts} posts");
        let all: Vec<String> = pages.concat();
        assert_eq!(all, expected_titles(posts, 1), "{posts} posts");
        assert!(pages.iter().all(|p| p.len() <= 3));
        // Page 1 is the archive itself; /page/1/ redirects there.
        let redirect = site.read("tags/community/page/1/index.html");
        assert!(redirect.contains("url=/tags/community/"));
        assert!(file_for(
            &site.out(),
            &format!("/tags/community/page/{}/", expect_pages + 1)
        )
        .is_none());
    }
}

#[test]
fn only_tagged_posts_are_listed() {
    let site = site_with(10, 3);
    let all = listing(&site, "/tags/community/").concat();
    assert_eq!(all, expected_titles(10, 3));
    let title = texts(&site.page("/tags/community/"), "h1");
    assert_eq!(title, vec!["Posts tagged ‘Community’"]);
}

#[test]
fn home_of_an_empty_site_is_one_page() {
    let site = Site::new(CONFIG, &[]);
    site.build();
    let pages = listing(&site, "/");
    assert_eq!(pages, vec![Vec::<String>::new()]);
}

#[test]
fn home_pages_cover_every_post_once() {
    let site = site_with(7, 1);
    let pages = listing(&site, "/");
    assert_eq!(
        pages.iter().map(Vec::len).collect::<Vec<_>>(),
        vec![3, 3, 1]
    );
    assert_eq!(pages.concat(), expected_titles(7, 1));
}

/// Date archives file a post under the year and month of its own date as
/// written (its time zone), even where posts in other zones, in between
/// in time, fall on the other side of New Year.
#[test]
fn date_archives_list_each_year_and_month_once_across_time_zones() {
    let site = Site::new(
        CONFIG,
        &[
            // 2024-12-31 22:30 UTC, but January in its own zone.
            (
                "content/posts/a.md",
                &post("title: A\ndate: 2025-01-01T00:30:00+02:00", "x"),
            ),
            // Newer in time than A, still December where it was written.
            (
                "content/posts/b.md",
                &post("title: B\ndate: 2024-12-31T23:00:00Z", "x"),
            ),
            // Older than both: December.
            (
                "content/posts/c.md",
                &post("title: C\ndate: 2024-12-31T20:00:00Z", "x"),
            ),
        ],
    );
    site.build();
    let years = texts(&site.page("/archive/"), "main h2 a");
    assert_eq!(years, ["2025", "2024"]);
    assert_eq!(
        texts(&site.page("/2025/01/"), "main .post-card h2 a"),
        ["A"]
    );
    assert_eq!(
        texts(&site.page("/2024/12/"), "main .post-card h2 a"),
        ["B", "C"]
    );
}

/// Month sections of an archive page: (heading text, titles listed).
fn archive_months(site: &Site, url_path: &str) -> Vec<(String, Vec<String>)> {
    let file = file_for(&site.out(), url_path).expect(url_path);
    let doc = scraper::Html::parse_document(&std::fs::read_to_string(file).unwrap());
    doc.select(&sel("section.archive-month"))
        .map(|m| {
            let heading = m
                .select(&sel("h2, h3"))
                .next()
                .map(|h| h.text().collect::<String>())
                .unwrap_or_default();
            let titles = m
                .select(&sel("ul.post-index li > a"))
                .map(|a| a.text().collect::<String>())
                .collect();
            (
                heading.split_whitespace().collect::<Vec<_>>().join(" "),
                titles,
            )
        })
        .collect()
}

#[test]
fn the_archive_lists_the_newest_500_titles_by_whole_months() {
    // 2021-06: 300 posts, 2021-05: 150, 2021-04: 100, 2020-12: 150.
    let months = [
        ("2021-06", 300),
        ("2021-05", 150),
        ("2021-04", 100),
        ("2020-12", 150),
    ];
    let files: Vec<(String, String)> = months
        .iter()
        .flat_map(|&(month, n)| {
            (0..n).map(move |i| {
                (
                    format!("content/posts/{month}-{i:03}.md"),
                    post(
                        &format!(
                            "title: T{month}-{i:03}\ndate: {month}-{:02}T{:02}:{:02}:00Z",
                            1 + i / 60,
                            i / 60,
                            i % 60
                        ),
                        "x",
                    ),
                )
            })
        })
        .collect();
    let site = Site::generated(CONFIG, &files);
    site.build();

    let listed = |sections: &[(String, Vec<String>)]| -> Vec<usize> {
        sections.iter().map(|(_, t)| t.len()).collect()
    };
    let archive = archive_months(&site, "/archive/");
    // June and May fit in 500; April would pass it, so it and every older
    // month show their heading and count only.
    assert_eq!(listed(&archive), vec![300, 150, 0, 0]);
    assert!(
        archive[2].0.contains("100"),
        "April's count: {:?}",
        archive[2].0
    );
    assert!(
        archive[3].0.contains("150"),
        "December's count: {:?}",
        archive[3].0
    );
    assert_eq!(archive[0].1[0], "T2021-06-299", "newest first");

    // Each year's page has a budget of its own.
    assert_eq!(listed(&archive_months(&site, "/2021/")), vec![300, 150, 0]);
    assert_eq!(listed(&archive_months(&site, "/2020/")), vec![150]);
    // April's month page has them all, paginated.
    let april: usize = listing(&site, "/2021/04/").iter().map(Vec::len).sum();
    assert_eq!(april, 100);

    // `archive_titles` moves the budget: 600 takes April in too.
    let wider = Site::generated(&format!("{CONFIG}archive_titles: 600\n"), &files);
    wider.build();
    assert_eq!(
        listed(&archive_months(&wider, "/archive/")),
        vec![300, 150, 100, 0]
    );
}

#[test]
fn a_tag_pages_its_threads_beside_its_posts() {
    // paginate: 3 posts a page; paginate_threads: 2 threads a page.
    let mut files: Vec<(String, String)> = (0..4)
        .map(|i| {
            (
                format!("content/posts/p{i}.md"),
                post(
                    &format!("title: P{i}\ndate: 2020-01-0{}\ntags: [Lists]", i + 1),
                    "x",
                ),
            )
        })
        .collect();
    for i in 0..7 {
        files.push((
            format!("content/threads/t{i}.md"),
            format!(
                "---\ntitle: T{i}\ndate: 2021-01-0{}\ntags: [Lists]\nentries:\n  - id: m{i}\n    by: Ann\n    text: Hello {i}\n---\n",
                i + 1
            ),
        ));
    }
    let site = Site::generated(&format!("{CONFIG}paginate_threads: 2\n"), &files);
    site.build();

    let mut threads = Vec::new();
    let mut posts = Vec::new();
    for n in 1..=4 {
        let path = if n == 1 {
            "/tags/lists/".to_owned()
        } else {
            format!("/tags/lists/page/{n}/")
        };
        let file = file_for(&site.out(), &path).unwrap_or_else(|| panic!("{path}"));
        let doc = scraper::Html::parse_document(&std::fs::read_to_string(file).unwrap());
        threads.push(texts(&doc, ".term-threads .card-title a"));
        posts.push(texts(&doc, "main article:not(.thread-card) h2 a"));
        let next = attrs(&doc, "a[rel=next]", "href");
        assert_eq!(
            next.is_empty(),
            n == 4,
            "page {n}: a next link up to the last"
        );
    }
    // Seven threads, two a page, newest first; four posts, three a page.
    assert_eq!(
        threads,
        [
            vec!["T6", "T5"],
            vec!["T4", "T3"],
            vec!["T2", "T1"],
            vec!["T0"]
        ]
    );
    assert_eq!(posts.iter().map(Vec::len).collect::<Vec<_>>(), [3, 1, 0, 0]);
    assert!(file_for(&site.out(), "/tags/lists/page/5/").is_none());
}
