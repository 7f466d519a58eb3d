//! The translation functions templates call: `t(key=..., count=...)`,
//! `t_json(prefix=...)` and the filters `local_date` and `month_name`.
//!
//! Tera's functions see their arguments, never the page (nor do macros),
//! so the page's interface language travels beside the render call: the
//! renderer sets it for the thread with [`with_language`], and a template
//! may still name another with `lang=`.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

use rustc_hash::FxHashMap;
use tera::{Args, Tera, Value};

use super::Catalog;

/// The catalog and interface language of the page this thread renders.
struct Current {
    catalog: Arc<Catalog>,
    lang: String,
}

/// What this thread has written in one catalog and language, which is
/// the same every time: the texts of `t(key=...)` calls that pass nothing
/// but the key (the header and footer ask for the same dozen on every
/// page), and the dates of `local_date` (listings show the same few
/// thousand days; filling `date_format` cost about 2,400 instructions a
/// date, 24,000 times on a 1,000-post site).
struct Remembered {
    catalog: Arc<Catalog>,
    lang: String,
    texts: FxHashMap<String, Value>,
    dates: FxHashMap<(i32, u32, u32), String>,
}

thread_local! {
    static CURRENT: RefCell<Option<Current>> = const { RefCell::new(None) };
    static REMEMBERED: RefCell<Option<Remembered>> = const { RefCell::new(None) };
}

/// Runs `render` with `lang` as the interface language of the translation
/// functions on this thread, then puts back what was there.
pub fn with_language<R>(catalog: &Arc<Catalog>, lang: &str, render: impl FnOnce() -> R) -> R {
    let previous = CURRENT.with(|c| {
        c.replace(Some(Current {
            catalog: Arc::clone(catalog),
            lang: lang.to_owned(),
        }))
    });
    let out = render();
    CURRENT.with(|c| *c.borrow_mut() = previous);
    out
}

/// The interface language of the page this thread renders, if any
/// ([`with_language`]).
pub fn page_language<R>(f: impl FnOnce(Option<&str>) -> R) -> R {
    CURRENT.with(|c| f(c.borrow().as_ref().map(|cur| cur.lang.as_str())))
}

/// Calls `f` with the current catalog and the language asked for: `lang=`
/// when given, the page's otherwise (English outside a page's render).
fn in_language<R>(lang: Option<&Value>, f: impl FnOnce(&Catalog, &str) -> R) -> R {
    let asked = lang.and_then(Value::as_str);
    CURRENT.with(|c| match &*c.borrow() {
        Some(cur) => f(&cur.catalog, asked.unwrap_or(&cur.lang)),
        None => f(&Catalog::default(), asked.unwrap_or("en")),
    })
}

/// A template value as placeholder text.
fn as_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// A count as a whole number; plural rules of fractions are not needed by
/// any text the theme prints.
fn as_count(v: &Value) -> tera::Result<u64> {
    v.as_u64()
        .or_else(|| v.as_i64().map(i64::unsigned_abs))
        .or_else(|| v.as_f64().map(|f| f.abs().round() as u64))
        .ok_or_else(|| tera::Error::msg(format!("t: `count` must be a number, not {v}")))
}

/// `t(key="comments", count=3, name=...)`: the text of `key` in the
/// page's language, plural form by `count`, placeholders from the other
/// arguments. Called many times on every page, so it takes its arguments
/// lent ([`tera::Function::call_args`]).
struct Translate;

impl tera::Function for Translate {
    fn call(&self, args: &HashMap<String, Value>) -> tera::Result<Value> {
        self.call_args(&Args::from_map(args))
    }

    fn call_args(&self, args: &Args<'_>) -> tera::Result<Value> {
        let key = args
            .get("key")
            .and_then(Value::as_str)
            .ok_or_else(|| tera::Error::msg("t: needs `key=\"...\"`"))?;
        if args.len() == 1 {
            if let Some(text) = key_only(key) {
                return Ok(text);
            }
        }
        let count = args.get("count").map(as_count).transpose()?;
        let text = in_language(args.get("lang"), |catalog, lang| {
            catalog.text(lang, key, count, &|name| args.get(name).map(as_text))
        });
        text.map(Value::String).map_err(tera::Error::msg)
    }
}

/// Runs `f` with the page's catalog and language and what this thread
/// remembers written in them (forgotten when either changes); `None`
/// outside a page's render.
fn with_remembered<R>(f: impl FnOnce(&Catalog, &str, &mut Remembered) -> R) -> Option<R> {
    CURRENT.with(|c| {
        let current = c.borrow();
        let current = current.as_ref()?;
        REMEMBERED.with(|r| {
            let mut cache = r.borrow_mut();
            let fresh = cache.as_ref().is_some_and(|cache| {
                Arc::ptr_eq(&cache.catalog, &current.catalog) && cache.lang == current.lang
            });
            if !fresh {
                *cache = Some(Remembered {
                    catalog: Arc::clone(&current.catalog),
                    lang: current.lang.clone(),
                    texts: FxHashMap::default(),
                    dates: FxHashMap::default(),
                });
            }
            let remembered = cache.as_mut().expect("just filled");
            Some(f(&current.catalog, &current.lang, remembered))
        })
    })
}

/// The text of `key` in the page's language, remembered for the next
/// page in that language; none outside a page's render or for a key no
/// table has (the caller reports it).
fn key_only(key: &str) -> Option<Value> {
    with_remembered(|catalog, lang, remembered| {
        if let Some(text) = remembered.texts.get(key) {
            return Some(text.clone());
        }
        let text = catalog.text(lang, key, None, &|_| None).ok()?;
        remembered
            .texts
            .insert(key.to_owned(), Value::String(text.clone()));
        Some(Value::String(text))
    })
    .flatten()
}

/// `t_json(prefix="search_js_")`: the strings whose keys start with
/// `prefix`, keyed without it, and the language they are in, as JSON safe
/// inside a `<script>`.
fn t_json(args: &HashMap<String, Value>) -> tera::Result<Value> {
    let prefix = args.get("prefix").and_then(Value::as_str).unwrap_or("");
    let json = in_language(
        args.get("lang"),
        |catalog, lang| serde_json::json!({ "lang": lang, "text": catalog.json(lang, prefix) }),
    );
    // `<` never closes the script it stands in.
    Ok(Value::String(json.to_string().replace('<', "\\u003c")))
}

/// `{{ date | local_date }}`: an RFC 3339 date (or `YYYY-MM-DD`) written
/// the way the page's language writes dates, on the date as given.
fn local_date(value: &Value, args: &HashMap<String, Value>) -> tera::Result<Value> {
    let text = value.as_str().unwrap_or("");
    let date = text
        .get(..10)
        .and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        .ok_or_else(|| tera::Error::msg(format!("local_date: `{text}` is not a date")))?;
    use chrono::Datelike;
    let (y, m, d) = (date.year(), date.month(), date.day());
    // In the page's language, a date is remembered for the next page.
    let remembered = match args.get("lang") {
        Some(_) => None,
        None => with_remembered(|catalog, lang, remembered| {
            let written = remembered.dates.entry((y, m, d));
            written
                .or_insert_with(|| catalog.date(lang, y, m, d))
                .clone()
        }),
    };
    let out = remembered.unwrap_or_else(|| {
        in_language(args.get("lang"), |catalog, lang| {
            catalog.date(lang, y, m, d)
        })
    });
    Ok(Value::String(out))
}

/// `{{ 3 | month_name }}`: the name of a month (1–12) standing alone.
fn month_name(value: &Value, args: &HashMap<String, Value>) -> tera::Result<Value> {
    let m = value
        .as_u64()
        .filter(|m| (1..=12).contains(m))
        .ok_or_else(|| tera::Error::msg(format!("month_name: `{value}` is not a month")))?;
    let out = in_language(args.get("lang"), |catalog, lang| {
        catalog.month(lang, m as u32, false)
    });
    Ok(Value::String(out))
}

/// Makes the translation functions and filters available to `tera`.
pub fn register(tera: &mut Tera) {
    tera.register_function("t", Translate);
    tera.register_function("t_json", t_json);
    tera.register_filter("local_date", local_date);
    tera.register_filter("month_name", month_name);
}

#[cfg(test)]
mod tests {
    use super::*;
    use tera::Function;

    /// `t(key=...)` as a template calls it.
    fn t_of(key: &str) -> String {
        let args = HashMap::from([("key".to_owned(), Value::from(key))]);
        Translate.call(&args).unwrap().as_str().unwrap().to_owned()
    }

    /// `{{ day | local_date }}` as a template filters it.
    fn date_of(day: &str) -> String {
        local_date(&Value::from(day), &HashMap::new())
            .unwrap()
            .as_str()
            .unwrap()
            .to_owned()
    }

    #[test]
    fn remembered_dates_stay_with_their_language_and_catalog() {
        let c = Arc::new(Catalog::default());
        for _ in 0..2 {
            assert_eq!(
                with_language(&c, "en", || date_of("2020-03-05")),
                "March 5, 2020"
            );
            assert_eq!(
                with_language(&c, "de", || date_of("2020-03-05")),
                "5. März 2020"
            );
            assert_eq!(
                with_language(&c, "en", || date_of("2020-03-06")),
                "March 6, 2020"
            );
        }
        let own = Arc::new(
            Catalog::new(
                "en",
                &[crate::load::SourceFile {
                    path: "i18n/en.yaml".into(),
                    text: "date_format: \"{day} {month} {year}\"\n".into(),
                }],
            )
            .unwrap(),
        );
        assert_eq!(
            with_language(&own, "en", || date_of("2020-03-05")),
            "5 March 2020"
        );
        let copy = Arc::new((*own).clone());
        assert_eq!(
            with_language(&copy, "en", || date_of("2020-03-05")),
            "5 March 2020"
        );
        assert_eq!(
            with_language(&c, "en", || date_of("2020-03-05")),
            "March 5, 2020"
        );
        // `lang=` other than the page's is not taken from the page's dates.
        let de = HashMap::from([("lang".to_owned(), Value::from("de"))]);
        let asked = with_language(&c, "en", || local_date(&Value::from("2020-03-05"), &de));
        assert_eq!(asked.unwrap(), Value::from("5. März 2020"));
    }

    #[test]
    fn remembered_texts_follow_the_language_and_the_catalog() {
        let catalog = Arc::new(Catalog::builtin("en"));
        assert_eq!(with_language(&catalog, "en", || t_of("search")), "Search");
        assert_eq!(
            with_language(&catalog, "fr", || t_of("search")),
            "Recherche"
        );
        assert_eq!(with_language(&catalog, "en", || t_of("search")), "Search");
        // A rebuild's catalog (a site's own i18n file) replaces the texts.
        let file = crate::load::SourceFile {
            path: "i18n/en.yaml".into(),
            text: "search: Find\n".into(),
        };
        let edited = Arc::new(Catalog::new("en", &[file]).unwrap());
        assert_eq!(with_language(&edited, "en", || t_of("search")), "Find");
        // A key with placeholders still asks for them.
        let args = HashMap::from([("key".to_owned(), Value::from("built_with"))]);
        assert!(with_language(&catalog, "en", || Translate.call(&args)).is_err());
    }
}
