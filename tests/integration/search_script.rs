//! search.js under Node on small sites: words ANDed and completed,
//! rarity, BM25 (frequency and length), quoted phrases, typos, snippets
//! at the best passage with their heading's anchor, and filters.

use crate::common::*;
use crate::search::{garden, node_search, titles};

#[test]
fn the_script_ands_words_and_completes_the_last_one() {
    let site = garden();
    site.build();
    let Some(results) = node_search(
        &site.out(),
        &[
            "garden not",
            "compost patience",
            "zucch",
            "zucchini seed",
            "café",
            "CAFE",
            "x",
            "",
        ],
    ) else {
        return;
    };
    let r = results.as_array().unwrap();
    assert_eq!(titles(&r[0]), ["Garden Notes"]);
    assert_eq!(titles(&r[1]), ["Garden Notes"]);
    assert_eq!(
        r[1]["hits"][0]["snippet_html"],
        "A word on <mark>compost</mark>: <mark>patience</mark>. Mulch layers Bolder moves, &#38; more."
    );
    // Both have the word once in their text: the shorter text first.
    assert_eq!(titles(&r[2]), ["Ana Lima", "Seed swap"]);
    assert_eq!(titles(&r[3]), ["Seed swap"]);
    assert_eq!(titles(&r[4]), ["Café Crème"]);
    assert_eq!(r[4]["hits"][0]["title_html"], "<mark>Café</mark> Crème");
    assert_eq!(titles(&r[5]), ["Café Crème"]);
    // A lone letter or nothing is no query.
    assert_eq!(r[6]["total"], 0);
    assert_eq!(r[7]["total"], 0);
}

#[test]
fn rarer_words_count_more() {
    let site = garden();
    site.build();
    // No document has both: "zucchini" (2 documents) outweighs "compost"
    // (4) where each is in the text only; a title still counts most.
    let Some(results) = node_search(&site.out(), &["compost zucchini "]) else {
        return;
    };
    let got = titles(&results[0]);
    assert_eq!(results[0]["partial"], true);
    assert_eq!(got[0], "Compost Heaps");
    let at = |t: &str| got.iter().position(|g| *g == t).unwrap();
    assert!(at("Seed swap") < at("Garden Notes"), "{got:?}");
}

#[test]
fn the_script_filters_by_kind_tag_author_and_year_with_counts() {
    let site = garden();
    site.build();
    let Some(results) = node_search(
        &site.out(),
        &[
            "compost",
            "compost@kind=post",
            "compost@kind=comment",
            "compost@tag=Compost",
            "compost@author=Ana+Lima",
            "compost@year=2022&kind=post",
        ],
    ) else {
        return;
    };
    let r = results.as_array().unwrap();
    assert_eq!(
        r[0]["counts"],
        serde_json::json!({
            "kind": {"post": 3, "comment": 1},
            "tag": {"Compost": 1},
            "author": {"Ana Lima": 1, "Bea": 1},
            "year": {"2020": 1, "2021": 1, "2022": 2},
        })
    );
    assert_eq!(
        titles(&r[1]),
        ["Compost Heaps", "Autumn Jobs", "Garden Notes"]
    );
    assert_eq!(titles(&r[2]), ["Bea on Garden Notes"]);
    assert_eq!(titles(&r[3]), ["Autumn Jobs"]);
    assert_eq!(titles(&r[4]), ["Compost Heaps"]);
    assert_eq!(titles(&r[5]), ["Garden Notes"]);
    // Each filter's counts apply the other filters, not its own: the
    // kinds of 2022, the years of posts.
    assert_eq!(
        r[5]["counts"]["kind"],
        serde_json::json!({"post": 1, "comment": 1})
    );
    assert_eq!(
        r[5]["counts"]["year"],
        serde_json::json!({"2020": 1, "2021": 1, "2022": 1})
    );
    // The filters are fetched only to filter or count: a plain search
    // does not load them.
    let files = |i: usize| r[i]["files"].to_string();
    assert!(!files(0).contains("filters.json"), "{}", files(0));
    assert!(files(1).contains("filters.json"), "{}", files(1));
}

#[test]
fn a_word_often_in_a_short_text_outranks_it_once_in_a_long_one() {
    // Without term frequency and length the two tie, and the newer wins.
    let filler = "Other words fill a long page about many more things. ".repeat(30);
    let site = Site::new(
        CONFIG,
        &[
            (
                "content/posts/short.md",
                &post(
                    "title: Short Note\ndate: 2020-01-01",
                    "Trellis, trellis, trellis: a trellis is a trellis.",
                ),
            ),
            (
                "content/posts/long.md",
                &post(
                    "title: Long Essay\ndate: 2021-01-01",
                    &format!("{filler}\n\nOne trellis.\n\n{filler}"),
                ),
            ),
        ],
    );
    site.build();
    let Some(results) = node_search(&site.out(), &["trellis"]) else {
        return;
    };
    assert_eq!(titles(&results[0]), ["Short Note", "Long Essay"]);
    let score = |i: usize| results[0]["hits"][i]["score"].as_f64().unwrap();
    assert!(
        score(0) > score(1) * 1.5,
        "{} against {}",
        score(0),
        score(1)
    );
}

/// Three posts with "raised" and "beds", in that order in two.
fn beds() -> Site {
    Site::new(
        CONFIG,
        &[
            (
                "content/posts/raised.md",
                &post(
                    "title: Raised Beds\ndate: 2020-01-01",
                    "We built them of cedar.",
                ),
            ),
            (
                "content/posts/early.md",
                &post(
                    "title: Beds Raised Early\ndate: 2021-01-01",
                    "The beds were raised early this year.",
                ),
            ),
            (
                "content/posts/soil.md",
                &post(
                    "title: Soil\ndate: 2022-01-01",
                    "Soil in Raised  beds warms fast.",
                ),
            ),
        ],
    )
}

#[test]
fn a_quoted_phrase_finds_its_words_in_order_only() {
    let site = beds();
    site.build();
    let Some(results) = node_search(
        &site.out(),
        &[
            "raised beds",
            "\"raised beds\"",
            "“raised beds”",
            "\"beds raised\" early",
        ],
    ) else {
        return;
    };
    let mut all = titles(&results[0]);
    all.sort();
    assert_eq!(all, ["Beds Raised Early", "Raised Beds", "Soil"]);
    for r in &results.as_array().unwrap()[1..3] {
        let mut got = titles(r);
        got.sort();
        assert_eq!(got, ["Raised Beds", "Soil"], "{}", r["query"]);
    }
    assert_eq!(titles(&results[3]), ["Beds Raised Early"]);
}

#[test]
fn a_long_word_with_one_typo_finds_the_word() {
    let site = garden();
    site.build();
    let Some(results) = node_search(&site.out(), &["zuchini ", "kompost ", "compots ", "cafx "])
    else {
        return;
    };
    let r = results.as_array().unwrap();
    assert_eq!(titles(&r[0]), ["Ana Lima", "Seed swap"]);
    assert_eq!(
        r[0]["hits"][0]["snippet_html"],
        "Grows <mark>zucchini</mark> on a balcony."
    );
    assert_eq!(titles(&r[1]).first(), Some(&"Compost Heaps"), "{}", r[1]);
    assert_eq!(titles(&r[2])[0], "Compost Heaps");
    // Four letters are too few to guess at.
    assert_eq!(r[3]["total"], 0);
}

#[test]
fn a_snippet_shows_the_best_passage_and_links_its_heading() {
    let filler = "The garden wakes slowly in spring and asks for patience. ".repeat(12);
    let body = format!(
        "At dawn the birds sing.\n\n{filler}\n\n## Watering Schedule\n\n\
         Water the seedlings at dawn, never at noon.\n\n{filler}"
    );
    let site = Site::new(
        CONFIG,
        &[(
            "content/posts/guide.md",
            &post("title: Long Guide\ndate: 2020-01-01", &body),
        )],
    );
    site.build();
    let Some(results) = node_search(&site.out(), &["seedlings dawn "]) else {
        return;
    };
    let hit = &results[0]["hits"][0];
    let snippet = hit["snippet_html"].as_str().unwrap();
    assert!(snippet.starts_with('…'), "{snippet}");
    assert!(
        snippet.contains("<mark>seedlings</mark> at <mark>dawn</mark>"),
        "{snippet}"
    );
    // The anchor is the heading's id in the post's HTML.
    let page = site.page("/posts/guide/");
    let id = page
        .select(&sel("h2"))
        .find(|h| h.text().any(|t| t.contains("Watering")))
        .and_then(|h| h.value().attr("id"))
        .unwrap()
        .to_owned();
    assert_eq!(hit["anchor"], id.as_str());
}

#[test]
fn the_search_page_hands_the_date_format_to_the_script() {
    let site = Site::new(
        "title: T\nbase_url: https://example.org/\nlanguage: de\n",
        &[],
    );
    site.build();
    let page = site.page("/search/");
    let form = page.select(&sel("#search-form")).next().unwrap();
    let attr = |n: &str| -> serde_json::Value {
        serde_json::from_str(form.value().attr(n).unwrap()).unwrap()
    };
    assert_eq!(attr("data-date")["text"][""], "{day}. {month} {year}");
    assert_eq!(attr("data-months")["text"][""][2], "März");
}
