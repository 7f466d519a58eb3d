//! `post_card(post=..., level=...)`: a post's summary card, rendered from
//! `post_card.html` once per post, heading level and page language, and
//! written from memory wherever else the post is listed.
//!
//! A post is listed on the home pages, its month, each of its terms and
//! each author's profile: rendering its card every time was a tenth of a
//! clean build. A card template sees only `post` and `level` (as the macro
//! it came from did), and the translation functions of the page's
//! language, so its output is a function of those three: the memo is keyed
//! by a 128-bit hash of the post's view, the level and the language, and a
//! site's own `post_card.html` gets the same memo.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use rustc_hash::FxHashMap;
use serde_json::Value;
use tera::{Context, Tera};
use xxhash_rust::xxh3::xxh3_128;

/// The template a card is rendered from.
pub const TEMPLATE: &str = "post_card.html";

/// How many bytes of cards one build keeps: about 40,000 cards. Past it,
/// cards are still rendered, only no longer kept.
const BUDGET: usize = 48 << 20;

/// The cards one renderer has made: its posts do not change while it
/// lives, so neither do their cards.
#[derive(Default)]
pub struct RenderedCards {
    kept: Mutex<Kept>,
}

#[derive(Default)]
struct Kept {
    cards: FxHashMap<(u128, String), Arc<str>>,
    bytes: usize,
}

impl RenderedCards {
    fn get(&self, key: &(u128, String)) -> Option<Arc<str>> {
        self.kept
            .lock()
            .expect("cards lock")
            .cards
            .get(key)
            .cloned()
    }

    fn keep(&self, key: (u128, String), card: Arc<str>) {
        let mut kept = self.kept.lock().expect("cards lock");
        if kept.bytes + card.len() <= BUDGET {
            kept.bytes += card.len();
            kept.cards.insert(key, card);
        }
    }
}

thread_local! {
    /// The cards of the renderer whose page this thread renders.
    static CURRENT: RefCell<Option<Arc<RenderedCards>>> = const { RefCell::new(None) };
}

/// Runs `render` with `cards` as this thread's memo of cards, then puts
/// back what was there. The page's language, part of each card's key, is
/// the one [`crate::i18n::with_language`] set.
pub fn with_cards<R>(cards: &Arc<RenderedCards>, render: impl FnOnce() -> R) -> R {
    let previous = CURRENT.with(|c| c.replace(Some(Arc::clone(cards))));
    let out = render();
    CURRENT.with(|c| *c.borrow_mut() = previous);
    out
}

/// The `post_card` function. It holds the templates as they were before it
/// was registered: a card renders through them, and a card that asks for a
/// card finds no such function instead of recursing.
pub struct PostCard {
    templates: Tera,
}

impl PostCard {
    /// The function, rendering cards with `templates`.
    pub fn new(templates: Tera) -> Self {
        PostCard { templates }
    }

    fn render(&self, post: &Value, level: &Value) -> tera::Result<String> {
        let mut vars = serde_json::Map::new();
        vars.insert("post".into(), post.clone());
        vars.insert("level".into(), level.clone());
        let ctx = Context::from_value(Value::Object(vars)).expect("an object is a context");
        self.templates.render(TEMPLATE, &ctx)
    }
}

impl tera::Function for PostCard {
    fn call(&self, args: &HashMap<String, Value>) -> tera::Result<Value> {
        let post = args
            .get("post")
            .ok_or_else(|| tera::Error::msg("post_card: `post` is missing"))?;
        let level = args.get("level").cloned().unwrap_or(Value::from(2));
        let cards = CURRENT.with(|c| c.borrow().clone());
        let lang = crate::i18n::page_language(|l| l.map(str::to_owned));
        let (Some(cards), Some(lang)) = (cards, lang) else {
            return self.render(post, &level).map(Value::String);
        };
        let key = (view_hash(post, &level), lang);
        if let Some(card) = cards.get(&key) {
            return Ok(Value::String(card.to_string()));
        }
        let card = self.render(post, &level)?;
        cards.keep(key, Arc::from(card.as_str()));
        Ok(Value::String(card))
    }

    fn is_safe(&self) -> bool {
        // The card is HTML its template escaped.
        true
    }
}

/// A 128-bit hash of `post` and `level`: equal for equal views, and
/// different for different ones barring a collision no build will meet.
/// The views are written out to a buffer kept per thread and hashed at
/// once: feeding a streaming hasher field by field cost more.
fn view_hash(post: &Value, level: &Value) -> u128 {
    thread_local! {
        static BUFFER: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
    }
    BUFFER.with(|b| {
        let mut b = b.borrow_mut();
        b.clear();
        write_value(&mut b, post);
        write_value(&mut b, level);
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
    fn equal_views_hash_alike_and_different_ones_apart() {
        let a = json!({"title": "A", "tags": [{"name": "x"}], "n": 1});
        let level = Value::from(2);
        assert_eq!(view_hash(&a, &level), view_hash(&a.clone(), &level));
        assert_ne!(view_hash(&a, &level), view_hash(&a, &Value::from(3)));
        let moved = json!({"title": "A", "tags": [{"name": ""}], "n": 1, "x": null});
        assert_ne!(view_hash(&a, &level), view_hash(&moved, &level));
        // Field boundaries count.
        assert_ne!(
            view_hash(&json!(["ab", "c"]), &level),
            view_hash(&json!(["a", "bc"]), &level)
        );
        assert_ne!(view_hash(&json!("1"), &level), view_hash(&json!(1), &level));
        assert_ne!(view_hash(&json!(1), &level), view_hash(&json!(1.5), &level));
    }
}
