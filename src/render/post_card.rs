//! `post_card(post=..., level=...)`: a post's summary card, rendered from
//! `post_card.html` once per post, heading level and page language, and
//! written from memory wherever else the post is listed.
//!
//! A post is listed on the home pages, its month, each of its terms and
//! each author's profile: rendering its card every time was a tenth of a
//! clean build. A card template sees only `post` and `level` (as the macro
//! it came from did), and the translation functions of the page's
//! language, so its output is a function of those three: the memo (see
//! [`super::memo`]) is keyed by them, and a site's own `post_card.html`
//! gets the same memo.

use std::collections::HashMap;

use serde_json::Value;
use tera::{Args, Context, Tera};

use super::memo;

/// The template a card is rendered from.
pub const TEMPLATE: &str = "post_card.html";

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
        self.call_args(&Args::from_map(args))
    }

    fn call_args(&self, args: &Args<'_>) -> tera::Result<Value> {
        let post = args
            .get("post")
            .ok_or_else(|| tera::Error::msg("post_card: `post` is missing"))?;
        let two = Value::from(2);
        let level = args.get("level").unwrap_or(&two);
        memo::fragment(TEMPLATE, &[("post", post), ("level", level)], || {
            self.render(post, level)
        })
    }

    fn is_safe(&self) -> bool {
        // The card is HTML its template escaped.
        true
    }
}
