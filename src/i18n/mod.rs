//! Interface text in the reader's language: the default theme's words come
//! from translation tables, never from the templates themselves.
//!
//! Tables ship for English (the reference: it lists every key), German,
//! French, Spanish, Portuguese, Russian, Chinese and Japanese. A site
//! overrides any string, or adds a language, with `i18n/<lang>.yaml`
//! (Hugo's convention); a key the English table lacks is an error at its
//! line. A page's interface speaks its document language when a table
//! exists for it, else the site's `language`, else English; a key missing
//! from that table falls back the same way, key by key.
//!
//! Plural forms follow CLDR's rules ([`icu_plurals`]): `one`/`other` in
//! English, `one`/`few`/`many` in Russian, a single form in Chinese.

mod template;
mod text;

pub use template::{page_language, register, with_language};
pub use text::{fill, placeholders};

use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap};
use std::path::Path;
use std::sync::OnceLock;

use icu_plurals::{PluralCategory, PluralRules};
use rustc_hash::FxHashMap;
use serde_yaml::Value as Yaml;

use crate::error::{did_you_mean, Diagnostic, Position};
use crate::load::SourceFile;

/// The folder of a site's own translation files, `i18n/<lang>.yaml`.
pub const I18N_DIR: &str = "i18n";

/// The tables built into the binary, by language.
pub const BUILTIN: &[(&str, &str)] = &[
    ("en", include_str!("en.yaml")),
    ("de", include_str!("de.yaml")),
    ("fr", include_str!("fr.yaml")),
    ("es", include_str!("es.yaml")),
    ("pt", include_str!("pt.yaml")),
    ("ru", include_str!("ru.yaml")),
    ("zh", include_str!("zh.yaml")),
    ("ja", include_str!("ja.yaml")),
];

/// CLDR's plural categories, as a table names them.
pub const CATEGORIES: [&str; 6] = ["zero", "one", "two", "few", "many", "other"];

/// What `date_format` may say: the parts of a date.
pub const DATE_PARTS: [&str; 4] = ["year", "month", "month_number", "day"];

/// One translated string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    /// A text, with `{name}` placeholders.
    Text(String),
    /// A text per plural category (`one`, `few`, `other`...); `other` is
    /// always there.
    Plural(Vec<(String, String)>),
    /// The twelve month names.
    Months(Vec<String>),
}

/// Keys and their strings, for one language.
/// Keyed with FxHash: every `t()` of every page looks a key up here, and
/// the keys are the theme's own, not an attacker's.
pub type Table = FxHashMap<String, Message>;

/// Every table a build uses: the built-in ones with the site's overrides
/// applied, and the site's language to fall back on.
#[derive(Debug, Clone)]
pub struct Catalog {
    /// By lowercased language tag (`de`, `pt-br`).
    tables: FxHashMap<String, Table>,
    /// The site's `language`, lowercased.
    site: String,
}

/// The built-in tables, parsed once.
fn builtin_tables() -> &'static FxHashMap<String, Table> {
    static TABLES: OnceLock<FxHashMap<String, Table>> = OnceLock::new();
    TABLES.get_or_init(|| {
        let en = parse_plain(BUILTIN[0].1);
        BUILTIN
            .iter()
            .map(|(lang, text)| {
                let table = if *lang == "en" {
                    en.clone()
                } else {
                    let (table, errors) = parse_table(Path::new(lang), text, &en);
                    debug_assert!(errors.is_empty(), "built-in {lang}: {errors:?}");
                    table
                };
                ((*lang).to_owned(), table)
            })
            .collect()
    })
}

/// The English table, which has every key and is trusted.
fn english() -> &'static Table {
    &builtin_tables()["en"]
}

/// Parses the reference table, whose every entry's kind is its shape.
fn parse_plain(text: &str) -> Table {
    let doc: Yaml = serde_yaml::from_str(text).expect("the English table is YAML");
    let Yaml::Mapping(map) = doc else {
        unreachable!("the English table is a mapping")
    };
    map.into_iter()
        .map(|(k, v)| {
            let key = k.as_str().expect("keys are strings").to_owned();
            let message = match v {
                Yaml::String(s) => Message::Text(s),
                Yaml::Sequence(names) => Message::Months(
                    names
                        .iter()
                        .map(|n| n.as_str().expect("month names").to_owned())
                        .collect(),
                ),
                Yaml::Mapping(forms) => Message::Plural(
                    forms
                        .into_iter()
                        .map(|(c, t)| {
                            (
                                c.as_str().expect("categories").to_owned(),
                                t.as_str().expect("forms").to_owned(),
                            )
                        })
                        .collect(),
                ),
                other => panic!("English `{key}` is {other:?}"),
            };
            (key, message)
        })
        .collect()
}

impl Catalog {
    /// The built-in tables alone, for a site in `site_language`.
    pub fn builtin(site_language: &str) -> Self {
        Catalog {
            tables: builtin_tables().clone(),
            site: site_language.to_ascii_lowercase(),
        }
    }

    /// The built-in tables with the site's files `i18n/<lang>.yaml`
    /// applied; every problem of every file is reported.
    pub fn new(site_language: &str, files: &[SourceFile]) -> Result<Self, Vec<Diagnostic>> {
        let mut catalog = Catalog::builtin(site_language);
        let mut errors = Vec::new();
        for file in files {
            let stem = file
                .path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            if let Err(msg) = crate::lang::check_tag(&stem) {
                errors.push(
                    Diagnostic::error(&file.path, Some(Position::new(1, 1)), msg).with_help(
                        "a translation file is named after its language: i18n/de.yaml, i18n/pt-BR.yaml",
                    ),
                );
                continue;
            }
            let (table, found) = parse_table(&file.path, &file.text, english());
            errors.extend(found);
            catalog
                .tables
                .entry(stem.to_ascii_lowercase())
                .or_default()
                .extend(table);
        }
        if errors.is_empty() {
            Ok(catalog)
        } else {
            Err(errors)
        }
    }

    /// Whether a table speaks `tag` or its primary language.
    pub fn has_table(&self, tag: &str) -> bool {
        self.tables.contains_key(&tag.to_ascii_lowercase())
            || self.tables.contains_key(&crate::lang::primary(tag))
    }

    /// The language of the interface of a page in `document_language`:
    /// that language when a table speaks it, else the site's, else English.
    pub fn interface_language<'a>(&'a self, document_language: &'a str) -> &'a str {
        if self.has_table(document_language) {
            document_language
        } else if self.has_table(&self.site) {
            &self.site
        } else {
            "en"
        }
    }

    /// The string for `key` in `lang`: from its own table, its primary
    /// language's, the site's, then English.
    pub fn lookup(&self, lang: &str, key: &str) -> Option<&Message> {
        // Called for every word of every page: no allocation for the
        // lowercase tags pages usually have.
        let lowered;
        let own = if lang.bytes().any(|b| b.is_ascii_uppercase()) {
            lowered = lang.to_ascii_lowercase();
            lowered.as_str()
        } else {
            lang
        };
        let chain = [
            own,
            primary_of(own),
            &self.site,
            primary_of(&self.site),
            "en",
        ];
        let found = chain
            .into_iter()
            .find_map(|l| self.tables.get(l).and_then(|t| t.get(key)));
        found
    }

    /// The text of `key` in `lang` for `count` (plural keys), with its
    /// placeholders filled by `arg`.
    pub fn text(
        &self,
        lang: &str,
        key: &str,
        count: Option<u64>,
        arg: &dyn Fn(&str) -> Option<String>,
    ) -> Result<String, String> {
        let message = self
            .lookup(lang, key)
            .ok_or_else(|| unknown_key_message(key))?;
        let pattern = match message {
            Message::Text(t) => t.as_str(),
            Message::Plural(forms) => {
                let n = count.ok_or_else(|| {
                    format!("translation `{key}` has plural forms: pass `count=`")
                })?;
                let category = plural_category(lang, n);
                forms
                    .iter()
                    .find(|(c, _)| c == category)
                    .or_else(|| forms.iter().find(|(c, _)| c == "other"))
                    .map(|(_, t)| t.as_str())
                    .unwrap_or("")
            }
            Message::Months(_) => {
                return Err(format!(
                    "`{key}` holds month names: use the `month_name` filter"
                ))
            }
        };
        let count_text = count.map(|n| n.to_string());
        fill(pattern, &|name| {
            if name == "count" {
                count_text.clone().or_else(|| arg(name))
            } else {
                arg(name)
            }
        })
        .map_err(|name| format!("translation `{key}` needs `{name}=`"))
    }

    /// The text of `key` in `lang` with named `args`, for text Salon
    /// writes in code (feeds, redirects, page heads); falls back to the key
    /// itself, which cannot happen for keys of the English table.
    pub fn say(&self, lang: &str, key: &str, count: Option<u64>, args: &[(&str, &str)]) -> String {
        let arg = |n: &str| {
            args.iter()
                .find(|(k, _)| *k == n)
                .map(|(_, v)| (*v).to_owned())
        };
        self.text(lang, key, count, &arg)
            .unwrap_or_else(|_| key.to_owned())
    }

    /// Month `m` (1-based) in `lang`, as it stands alone (`months`) or in
    /// a date (`months_in_date`, the genitive in Russian).
    pub fn month(&self, lang: &str, m: u32, in_date: bool) -> String {
        let key = if in_date { "months_in_date" } else { "months" };
        match self.lookup(lang, key) {
            Some(Message::Months(names)) => names
                .get(m.clamp(1, 12) as usize - 1)
                .cloned()
                .unwrap_or_default(),
            _ => crate::model::month_name(m).to_owned(),
        }
    }

    /// A calendar date in `lang`, by its `date_format`.
    pub fn date(&self, lang: &str, year: i32, month: u32, day: u32) -> String {
        let month_name = self.month(lang, month, true);
        self.text(lang, "date_format", None, &|name| match name {
            "year" => Some(year.to_string()),
            "month" => Some(month_name.clone()),
            "month_number" => Some(month.to_string()),
            "day" => Some(day.to_string()),
            _ => None,
        })
        .unwrap_or_else(|_| format!("{year:04}-{month:02}-{day:02}"))
    }

    /// Every string of `lang` whose key starts with `prefix`, keyed
    /// without it, as JSON: a text, or an object of plural forms. For
    /// scripts (the search page).
    pub fn json(&self, lang: &str, prefix: &str) -> serde_json::Value {
        let mut keys: Vec<&String> = english().keys().filter(|k| k.starts_with(prefix)).collect();
        keys.sort();
        let mut out = serde_json::Map::new();
        for key in keys {
            let value = match self.lookup(lang, key) {
                Some(Message::Text(t)) => serde_json::Value::from(t.as_str()),
                Some(Message::Plural(forms)) => serde_json::Value::Object(
                    forms
                        .iter()
                        .map(|(c, t)| (c.clone(), serde_json::Value::from(t.as_str())))
                        .collect(),
                ),
                Some(Message::Months(names)) => serde_json::Value::from(names.clone()),
                None => continue,
            };
            out.insert(key[prefix.len()..].to_owned(), value);
        }
        serde_json::Value::Object(out)
    }
}

impl Default for Catalog {
    fn default() -> Self {
        Catalog::builtin("en")
    }
}

/// The primary subtag of a lowercase tag, borrowed (`pt` of `pt-br`).
fn primary_of(tag: &str) -> &str {
    tag.split('-').next().unwrap_or("")
}

/// The error for a key no table has.
fn unknown_key_message(key: &str) -> String {
    let keys: Vec<&str> = english().keys().map(String::as_str).collect();
    match did_you_mean(key, &keys) {
        Some(k) => format!("unknown translation key `{key}` (did you mean `{k}`?)"),
        None => format!("unknown translation key `{key}`"),
    }
}

/// CLDR's plural category of `n` in `lang` (`one`, `few`, `many`,
/// `other`...). Rules are made once per language and thread.
pub fn plural_category(lang: &str, n: u64) -> &'static str {
    thread_local! {
        static RULES: RefCell<HashMap<String, PluralRules>> = RefCell::new(HashMap::new());
    }
    RULES.with(|rules| {
        let mut rules = rules.borrow_mut();
        let rule = rules.entry(lang.to_owned()).or_insert_with(|| {
            let locale: icu_locale_core::Locale =
                lang.parse().unwrap_or(icu_locale_core::locale!("und"));
            PluralRules::try_new(locale.into(), Default::default())
                .expect("compiled data has every locale's rules or the root's")
        });
        match rule.category_for(n) {
            PluralCategory::Zero => "zero",
            PluralCategory::One => "one",
            PluralCategory::Two => "two",
            PluralCategory::Few => "few",
            PluralCategory::Many => "many",
            PluralCategory::Other => "other",
        }
    })
}

/// Parses a site's (or a built-in) table at `path`, checking every key and
/// form against the English `reference`.
fn parse_table(path: &Path, text: &str, reference: &Table) -> (Table, Vec<Diagnostic>) {
    let mut table = Table::default();
    let mut errors = Vec::new();
    let at = |key: &str| crate::frontmatter::locate_key(text, key).or(Some(Position::new(1, 1)));
    let error = |key: &str, msg: String| Diagnostic::error(path, at(key), msg).with_source(text);
    let doc: Yaml = match serde_yaml::from_str(text) {
        Ok(doc) => doc,
        Err(e) => {
            let position = e.location().map(|l| Position::new(l.line(), l.column()));
            errors.push(
                Diagnostic::error(path, position, format!("not valid YAML: {e}")).with_source(text),
            );
            return (table, errors);
        }
    };
    let map = match doc {
        Yaml::Mapping(map) => map,
        Yaml::Null => return (table, errors),
        _ => {
            errors.push(error(
                "",
                "a translation file is a mapping of keys to texts".into(),
            ));
            return (table, errors);
        }
    };
    for (k, v) in map {
        let Some(key) = k.as_str() else {
            errors.push(error("", format!("`{k:?}` is not a translation key")));
            continue;
        };
        let Some(wanted) = reference.get(key) else {
            let keys: Vec<&str> = reference.keys().map(String::as_str).collect();
            let mut d = error(key, format!("unknown translation key `{key}`"));
            if let Some(k) = did_you_mean(key, &keys) {
                d = d.with_help(format!("did you mean `{k}`?"));
            }
            errors.push(d);
            continue;
        };
        match message_like(wanted, v) {
            Ok(message) => {
                let allowed = if key == "date_format" {
                    DATE_PARTS.iter().map(|p| (*p).to_owned()).collect()
                } else {
                    placeholders_of(wanted)
                };
                let stray: Vec<String> = placeholders_of(&message)
                    .difference(&allowed)
                    .map(|p| format!("{{{p}}}"))
                    .collect();
                if stray.is_empty() {
                    table.insert(key.to_owned(), message);
                } else {
                    let can: Vec<String> = allowed.iter().map(|p| format!("{{{p}}}")).collect();
                    errors.push(
                        error(key, format!("`{key}` has no {}", stray.join(", "))).with_help(
                            if can.is_empty() {
                                "this text takes no placeholders".to_owned()
                            } else {
                                format!("this text can use {}", can.join(", "))
                            },
                        ),
                    );
                }
            }
            Err(msg) => errors.push(error(key, format!("`{key}`: {msg}"))),
        }
    }
    (table, errors)
}

/// `value` read as a message of the same kind as `wanted`.
fn message_like(wanted: &Message, value: Yaml) -> Result<Message, String> {
    let text = |v: &Yaml| match v {
        Yaml::String(s) => Some(s.clone()),
        Yaml::Number(n) => Some(n.to_string()),
        _ => None,
    };
    match (wanted, value) {
        (Message::Text(_), v) => text(&v)
            .map(Message::Text)
            .ok_or_else(|| "expected a text".to_owned()),
        (Message::Plural(_), Yaml::Mapping(forms)) => {
            let mut out = Vec::new();
            for (c, t) in forms {
                let category = c.as_str().unwrap_or("");
                if !CATEGORIES.contains(&category) {
                    return Err(format!(
                        "`{}` is not a plural category: expected {}",
                        c.as_str().unwrap_or("?"),
                        CATEGORIES.join(", ")
                    ));
                }
                let t = text(&t).ok_or_else(|| format!("the `{category}` form is not a text"))?;
                out.push((category.to_owned(), t));
            }
            if !out.iter().any(|(c, _)| c == "other") {
                return Err("a plural text needs its `other` form".into());
            }
            Ok(Message::Plural(out))
        }
        (Message::Plural(_), v) => text(&v)
            .map(|t| Message::Plural(vec![("other".into(), t)]))
            .ok_or_else(|| "expected a text or plural forms (one:, few:, other: ...)".to_owned()),
        (Message::Months(_), Yaml::Sequence(names)) if names.len() == 12 => names
            .iter()
            .map(|n| text(n).ok_or_else(|| "month names are texts".to_owned()))
            .collect::<Result<_, _>>()
            .map(Message::Months),
        (Message::Months(_), _) => Err("expected a list of the twelve month names".into()),
    }
}

/// The placeholders a message uses, in all its forms.
fn placeholders_of(message: &Message) -> BTreeSet<String> {
    match message {
        Message::Text(t) => placeholders(t),
        Message::Plural(forms) => {
            let mut all: BTreeSet<String> =
                forms.iter().flat_map(|(_, t)| placeholders(t)).collect();
            // Every plural text may say its count, even where English
            // spells it out ("1 comment").
            all.insert("count".into());
            all
        }
        Message::Months(_) => BTreeSet::new(),
    }
}

#[cfg(test)]
mod tests;
