//! Relevance on a small multilingual site (tests/fixtures/multilingual:
//! eight posts each in English, German, Russian, Chinese, Japanese and
//! Arabic, written right to left, and one member): for each query, the
//! page a reader means ranks first, through search.js under Node, as a
//! reader's browser runs it; the few it misses are listed, with why, in
//! [`KNOWN_MISSES`] and in the README.

use std::path::Path;

use serde_json::Value;

use crate::common::*;
use crate::search::{node_search, titles};

/// The fixture site, copied to a temp folder.
fn polyglot() -> Site {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/multilingual");
    let config = std::fs::read_to_string(root.join("salon.yaml")).unwrap();
    let site = Site::new(&config, &[]);
    copy_dir(&root.join("content"), &site.root().join("content"));
    site
}

/// Query, the title that must rank first, and a title that must not be
/// found at all (a homophone, another language's word), if any.
const QUERIES: &[(&str, &str, Option<&str>)] = &[
    // English: plurals and inflections the posts never use.
    ("gardens ", "Keeping a Small Garden", None),
    ("communities ", "Why Community Matters", None),
    ("compilers ", "Writing a Compiler", None),
    ("moderators ", "Notes on Moderation", None),
    ("breads ", "Baking Sourdough Bread", None),
    ("bicycles commute ", "Riding a Bicycle to Work", None),
    ("chess openings ", "Opening Theory in Chess", None),
    ("promise ", "Building Trust Online", None),
    // German: plurals, umlauts typed or not.
    ("Gärten ", "Ein kleiner Garten", None),
    ("Gemeinschaften ", "Warum Gemeinschaft zählt", None),
    ("Brote ", "Brot backen mit Sauerteig", None),
    ("Fahrräder ", "Mit dem Fahrrad zur Arbeit", None),
    ("Übersetzers ", "Ein Übersetzer für Rust", None),
    // Russian: cases and plurals.
    ("модераторы ", "Заметки модератора", None),
    ("сообщества ", "Наше сообщество", None),
    ("велосипеды ", "На велосипеде на работу", None),
    ("хлеба ", "Как испечь хлеб", None),
    ("компиляторы ", "Пишем компилятор", None),
    // Chinese: pairs of characters, no homophones (指示 sounds like 知识).
    ("知识管理", "知识管理入门", Some("指示灯的管理")),
    ("自行车", "自行车通勤", None),
    ("面包", "烤面包", None),
    // Japanese: kanji and katakana; 知識 is not the Chinese 知识.
    ("自転車", "自転車通勤", None),
    ("コミュニティ", "コミュニティの大切さ", None),
    ("知識管理", "知識管理のすすめ", Some("知识管理入门")),
    ("パン", "パン作り", None),
    ("将", "将棋の序盤", None),
    ("将棋", "将棋の序盤", None),
    ("翻訳", "翻訳者の仕事", None),
    ("社区", "社区建设", None),
    ("园艺", "阳台上的园艺", None),
    // Arabic, right to left: definite article, plurals, suffixes.
    ("المجتمعات ", "لماذا يهم المجتمع", None),
    ("دراجات ", "إلى العمل بالدراجة", None),
    ("الخبز ", "خبز العجين المخمر", None),
    ("الشطرنج ", "افتتاحيات الشطرنج", None),
    ("المشرفون ", "ملاحظات عن الإشراف", None),
    ("الثقة ", "الثقة على الإنترنت", None),
    ("مترجمين ", "كتابة مترجم", None),
    ("حدائق ", "حديقة صغيرة على الشرفة", None),
    // More inflections.
    ("Gartens ", "Ein kleiner Garten", None),
    ("сады ", "Маленький сад на балконе", None),
    // Quoted phrases: the words in order.
    ("\"sourdough bread\"", "Baking Sourdough Bread", None),
    ("\"Gemeinschaft zählt\"", "Warum Gemeinschaft zählt", None),
    // Typos: one letter left out, doubled, swapped, changed.
    ("moderaton ", "Notes on Moderation", None),
    ("compiller ", "Writing a Compiler", None),
    ("Sauertieg ", "Brot backen mit Sauerteig", None),
    ("велосипвд ", "На велосипеде на работу", None),
    // Tags and members: a member's page, then what they wrote.
    ("belonging ", "Why Community Matters", None),
    ("Brettspiele ", "Schach für Anfänger", None),
    ("Haddad ", "Mira Haddad", None),
    ("mira trust ", "Building Trust Online", None),
    // Compounds: whole, and a part of one.
    ("Sauerteig ", "Brot backen mit Sauerteig", None),
    ("Teig ", "Brot backen mit Sauerteig", None),
];

/// Queries whose page does not rank first, and why (the README lists
/// them too):
/// - `حدائق`, "gardens", is a broken plural of حديقة: the word changes
///   inside, which the Snowball Arabic stemmer (suffixes and prefixes)
///   does not undo;
/// - `Teig`, "dough", is only the end of the compound "Sauerteig": words
///   are not split into their parts.
const KNOWN_MISSES: &[&str] = &["حدائق ", "Teig "];

#[test]
fn the_right_page_ranks_first_in_every_language() {
    let site = polyglot();
    site.build();
    let queries: Vec<&str> = QUERIES.iter().map(|q| q.0).collect();
    let Some(results) = node_search(&site.out(), &queries) else {
        return;
    };
    assert!(QUERIES.len() >= 40);
    let mut wrong = Vec::new();
    for (r, (q, first, absent)) in results.as_array().unwrap().iter().zip(QUERIES) {
        let got = titles(r);
        if got.first() != Some(first) || absent.is_some_and(|a| got.contains(&a)) {
            wrong.push((*q, format!("{q:?}: {got:?}")));
        } else {
            assert_eq!(r["partial"], false, "{q}");
        }
    }
    let missed: Vec<&str> = wrong.iter().map(|w| w.0).collect();
    assert_eq!(
        missed,
        KNOWN_MISSES,
        "wrong first results:\n{}",
        wrong
            .iter()
            .map(|w| w.1.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn a_question_no_page_fully_answers_finds_the_closest_marked_partial() {
    let site = polyglot();
    site.build();
    let Some(results) = node_search(&site.out(), &["garden compost tomatoes", "gardens "]) else {
        return;
    };
    let r = &results[0];
    assert_eq!(r["partial"], true);
    assert_eq!(titles(r)[0], "Keeping a Small Garden");
    // The stem found is marked in the words the page uses.
    let hit = &results[1]["hits"][0];
    assert_eq!(hit["title_html"], "Keeping a Small <mark>Garden</mark>");
}

#[test]
fn html_of_a_russian_post_is_in_russian_and_cjk_is_never_transliterated() {
    let site = polyglot();
    site.build();
    let doc = site.page("/posts/ru-1/");
    let html = doc.select(&sel("html")).next().unwrap();
    assert_eq!(html.value().attr("lang"), Some("ru"));
    // No Mandarin syllable is a key of the index.
    let manifest: Value = serde_json::from_str(&site.read("search/index.json")).unwrap();
    assert!(
        !site.out().join("search/fold.json").exists() || {
            let fold: Value = serde_json::from_str(&site.read("search/fold.json")).unwrap();
            fold.get("知").is_none()
        }
    );
    assert!(manifest["documents"].as_u64().unwrap() >= 48);
    // Arabic is written right to left.
    let doc = site.page("/posts/ar-1/");
    let html = doc.select(&sel("html")).next().unwrap();
    assert_eq!(html.value().attr("lang"), Some("ar"));
    assert_eq!(html.value().attr("dir"), Some("rtl"));
}
