//! Fragments of pages rendered once and repeated from memory: post cards
//! ([`super::post_card`]) and partials ([`super::partial`]).
//!
//! A fragment's template sees only the values it is given, the translation
//! functions of the page's language and, for a partial, `site`, which is
//! the same for the memo's whole life. So its output is a function of
//! those: the memo is keyed by a 128-bit hash of the language, the
//! template's name and the values.
//!
//! The templates, the translations and `site` come from the theme and the
//! configuration, not from the content. So watch mode keeps one memo from
//! rebuild to rebuild until the theme or the configuration changes: a
//! post's edited card gets a new key, and the cards of the hundreds of
//! pages an edit shifts (a tag taken off a post moves every later post of
//! the tag's listing) are written from memory.

use std::cell::RefCell;
use std::sync::{Arc, Mutex};

use rustc_hash::FxHashMap;
use serde_json::Value;
use xxhash_rust::xxh3::xxh3_128;

/// How many bytes of fragments one memo keeps: about 40,000 post cards.
/// Past it, fragments are still rendered, only no longer kept.
const BUDGET: usize = 48 << 20;

/// The fragments renderers of one theme and configuration have made.
pub struct Fragments {
    kept: Mutex<Kept>,
    /// The `site` variable, which every page's context shares and
    /// partials see too: the same for every fragment kept here, so not in
    /// their keys.
    site: Arc<tera::Context>,
}

#[derive(Default)]
struct Kept {
    /// By [`key_of`] of the page language, template and values.
    fragments: FxHashMap<u128, Arc<str>>,
    bytes: usize,
    /// Whether a fragment did not fit in [`BUDGET`].
    full: bool,
}

impl Fragments {
    /// An empty memo for the pages of a site configured by `config`.
    pub fn new(config: &crate::config::Config) -> Self {
        let mut site = tera::Context::new();
        site.insert("site", &super::views::site_globals(config));
        Fragments {
            kept: Mutex::default(),
            site: Arc::new(site),
        }
    }

    /// The context holding the `site` variable of these pages.
    pub fn site(&self) -> &Arc<tera::Context> {
        &self.site
    }

    /// Whether a fragment was left out for want of room: watch mode then
    /// starts a new memo, as edited posts leave their old cards behind.
    pub fn is_full(&self) -> bool {
        self.kept.lock().expect("fragments lock").full
    }

    fn get(&self, key: u128) -> Option<Arc<str>> {
        self.kept
            .lock()
            .expect("fragments lock")
            .fragments
            .get(&key)
            .cloned()
    }

    fn keep(&self, key: u128, fragment: Arc<str>) {
        let mut kept = self.kept.lock().expect("fragments lock");
        if kept.bytes + fragment.len() <= BUDGET {
            kept.bytes += fragment.len();
            kept.fragments.insert(key, fragment);
        } else {
            kept.full = true;
        }
    }
}

thread_local! {
    /// The fragments of the renderer whose page this thread renders.
    static CURRENT: RefCell<Option<Arc<Fragments>>> = const { RefCell::new(None) };
}

/// Runs `render` with `fragments` as this thread's memo, then puts back
/// what was there. The page's language, part of each key, is the one
/// [`crate::i18n::with_language`] set.
pub fn with_fragments<R>(fragments: &Arc<Fragments>, render: impl FnOnce() -> R) -> R {
    let previous = CURRENT.with(|c| c.replace(Some(Arc::clone(fragments))));
    let out = render();
    CURRENT.with(|c| *c.borrow_mut() = previous);
    out
}

/// The fragment of `template` with the variables `values` (by name): from
/// the memo when a page in the same language made it, else `render`ed
/// (and kept). Outside a page's render (no memo, no language) it is
/// rendered every time.
pub(super) fn fragment(
    template: &str,
    values: &[(&str, &Value)],
    render: impl FnOnce() -> tera::Result<String>,
) -> tera::Result<Value> {
    let memo = CURRENT.with(|c| c.borrow().clone());
    let key = crate::i18n::page_language(|lang| lang.map(|l| key_of(l, template, values)));
    let (Some(memo), Some(key)) = (memo, key) else {
        return render().map(Value::String);
    };
    if let Some(fragment) = memo.get(key) {
        return Ok(Value::String(fragment.to_string()));
    }
    let fragment = render()?;
    memo.keep(key, Arc::from(fragment.as_str()));
    Ok(Value::String(fragment))
}

/// The context holding the `site` variable of the pages this thread
/// renders (none outside a page's render).
pub(super) fn site() -> Option<Arc<tera::Context>> {
    CURRENT.with(|c| c.borrow().as_ref().map(|m| Arc::clone(&m.site)))
}

/// A 128-bit hash of the page language `lang`, `template` and the named
/// `values`, in the order given: equal for equal ones, and different for
/// different ones barring a collision no build will meet. They are
/// written out to a buffer kept per thread and hashed at once: feeding a
/// streaming hasher field by field cost more.
fn key_of(lang: &str, template: &str, values: &[(&str, &Value)]) -> u128 {
    thread_local! {
        static BUFFER: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
    }
    BUFFER.with(|b| {
        let mut b = b.borrow_mut();
        b.clear();
        write_str(&mut b, lang);
        write_str(&mut b, template);
        for (name, v) in values {
            write_str(&mut b, name);
            write_value(&mut b, v);
        }
        xxh3_128(&b)
    })
}

/// Writes `v` to `out`, each value tagged with its kind and each string,
/// array and object with its length, so that no two values write the
/// same bytes.
fn write_value(out: &mut Vec<u8>, v: &Value) {
    match v {
        Value::Null => out.push(b'n'),
        Value::Bool(b) => out.push(if *b { b't' } else { b'f' }),
        Value::Number(n) => {
            if let Some(u) = n.as_u64() {
                out.push(b'u');
                out.extend_from_slice(&u.to_le_bytes());
            } else if let Some(i) = n.as_i64() {
                out.push(b'i');
                out.extend_from_slice(&i.to_le_bytes());
            } else {
                out.push(b'd');
                out.extend_from_slice(&n.as_f64().unwrap_or(f64::NAN).to_bits().to_le_bytes());
            }
        }
        Value::String(s) => {
            out.push(b's');
            write_str(out, s);
        }
        Value::Array(a) => {
            out.push(b'[');
            out.extend_from_slice(&(a.len() as u64).to_le_bytes());
            for x in a {
                write_value(out, x);
            }
        }
        Value::Object(o) => {
            out.push(b'{');
            out.extend_from_slice(&(o.len() as u64).to_le_bytes());
            for (k, x) in o {
                write_str(out, k);
                write_value(out, x);
            }
        }
    }
}

fn write_str(out: &mut Vec<u8>, s: &str) {
    out.extend_from_slice(&(s.len() as u64).to_le_bytes());
    out.extend_from_slice(s.as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn equal_values_hash_alike_and_different_ones_apart() {
        let a = json!({"title": "A", "tags": [{"name": "x"}], "n": 1});
        let level = Value::from(2);
        assert_eq!(
            key_of("en", "t", &[("p", &a), ("l", &level)]),
            key_of("en", "t", &[("p", &a.clone()), ("l", &level)])
        );
        assert_ne!(
            key_of("en", "t", &[("p", &a), ("l", &level)]),
            key_of("en", "t", &[("p", &a), ("l", &Value::from(3))])
        );
        let moved = json!({"title": "A", "tags": [{"name": ""}], "n": 1, "x": null});
        assert_ne!(
            key_of("en", "t", &[("p", &a), ("l", &level)]),
            key_of("en", "t", &[("p", &moved), ("l", &level)])
        );
        // Field boundaries count.
        assert_ne!(
            key_of("en", "t", &[("p", &json!(["ab", "c"])), ("l", &level)]),
            key_of("en", "t", &[("p", &json!(["a", "bc"])), ("l", &level)])
        );
        assert_ne!(
            key_of("en", "t", &[("p", &json!("1")), ("l", &level)]),
            key_of("en", "t", &[("p", &json!(1)), ("l", &level)])
        );
        assert_ne!(
            key_of("en", "t", &[("p", &json!(1)), ("l", &level)]),
            key_of("en", "t", &[("p", &json!(1.5)), ("l", &level)])
        );
        // So do the values' names, the template and the language.
        assert_ne!(
            key_of("en", "t", &[("p", &a)]),
            key_of("fr", "t", &[("p", &a)])
        );
        assert_ne!(
            key_of("en", "t", &[("p", &a)]),
            key_of("en", "t", &[("q", &a)])
        );
        assert_ne!(
            key_of("en", "t", &[("p", &a), ("l", &level)]),
            key_of("en", "u", &[("p", &a), ("l", &level)])
        );
    }
}
