use super::*;

fn none(_: &str) -> Option<String> {
    None
}

#[test]
fn every_builtin_table_is_valid_and_complete() {
    let en = english();
    for (lang, text) in BUILTIN {
        let (table, errors) = parse_table(Path::new(lang), text, en);
        assert!(errors.is_empty(), "{lang}: {errors:?}");
        let mut missing: Vec<&String> = en.keys().filter(|k| !table.contains_key(*k)).collect();
        missing.sort();
        assert!(missing.is_empty(), "{lang} lacks {missing:?}");
    }
}

#[test]
fn russian_plurals_have_three_forms() {
    let c = Catalog::default();
    let says = |n| c.text("ru", "comments_count", Some(n), &none).unwrap();
    assert_eq!(says(1), "1 комментарий");
    assert_eq!(says(3), "3 комментария");
    assert_eq!(says(5), "5 комментариев");
    assert_eq!(says(21), "21 комментарий");
    assert_eq!(says(11), "11 комментариев");
    assert_eq!(
        c.text("en", "comments_count", Some(1), &none).unwrap(),
        "1 comment"
    );
    assert_eq!(
        c.text("zh", "comments_count", Some(1), &none).unwrap(),
        "1 条评论"
    );
}

#[test]
fn dates_and_months_follow_the_language() {
    let c = Catalog::default();
    assert_eq!(c.date("en", 2020, 3, 5), "March 5, 2020");
    assert_eq!(c.date("de", 2020, 3, 5), "5. März 2020");
    assert_eq!(c.date("ru-RU", 2020, 3, 5), "5 марта 2020 г.");
    assert_eq!(c.date("zh", 2020, 3, 5), "2020年3月5日");
    assert_eq!(c.month("ru", 3, false), "март");
}

#[test]
fn interface_language_falls_back_to_the_site_then_english() {
    let c = Catalog::builtin("de");
    assert_eq!(c.interface_language("pt-BR"), "pt-BR");
    assert_eq!(c.interface_language("ar"), "de");
    assert_eq!(Catalog::builtin("ar").interface_language("ar"), "en");
    assert_eq!(
        c.text("ar", "search", None, &none).unwrap(),
        "Suche",
        "a language with no table speaks the site's"
    );
}

#[test]
fn site_files_override_and_report_unknown_keys_at_their_line() {
    let file = |path: &str, text: &str| SourceFile {
        path: PathBuf::from(path),
        text: text.into(),
    };
    let ok = Catalog::new("en", &[file("i18n/en.yaml", "search: Find\n")]).unwrap();
    assert_eq!(ok.text("en", "search", None, &none).unwrap(), "Find");
    let errors = Catalog::new(
        "en",
        &[file(
            "i18n/de.yaml",
            "search: Finden\nserach: x\ncomments_count:\n  one: x\n",
        )],
    )
    .unwrap_err();
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert_eq!(errors[0].position, Some(Position::new(2, 1)));
    assert_eq!(errors[0].help.as_deref(), Some("did you mean `search`?"));
    assert!(errors[1].message.contains("other"), "{errors:?}");
    let stray = Catalog::new("en", &[file("i18n/fr.yaml", "reply: \"{who}\"\n")]).unwrap_err();
    assert!(stray[0].message.contains("{who}"), "{stray:?}");
    let badname = Catalog::new("en", &[file("i18n/en_US.yaml", "")]).unwrap_err();
    assert!(badname[0].message.contains("en_US"), "{badname:?}");
}

use std::path::PathBuf;
