//! `partial(name="header.html", ...)`: the template `name` rendered with
//! `site` and the other arguments as its only variables, once per set of
//! their values and page language, and repeated from memory on every
//! other page that passes the same ones (Hugo's `partialCached`). `site`
//! is the same on every page of a build, so it is not part of the key.
//!
//! The default theme's header and footer are partials. They are the same
//! on nearly every page, and rendering them on each was a twentieth of a
//! clean build's instructions.

use std::collections::HashMap;

use serde_json::{Map, Value};
use tera::{Args, Context, Tera};

use super::memo;

/// The `partial` function. It holds the templates as they were before it
/// was registered: a partial renders through them, and one that asks for
/// a partial finds no such function instead of recursing.
pub struct Partial {
    templates: Tera,
}

impl Partial {
    /// The function, rendering partials with `templates`.
    pub fn new(templates: Tera) -> Self {
        Partial { templates }
    }
}

impl tera::Function for Partial {
    fn call(&self, args: &HashMap<String, Value>) -> tera::Result<Value> {
        self.call_args(&Args::from_map(args))
    }

    fn call_args(&self, args: &Args<'_>) -> tera::Result<Value> {
        let name = args.get("name").and_then(Value::as_str).ok_or_else(|| {
            tera::Error::msg("partial: needs `name=\"...\"`, the template to render")
        })?;
        // By name: the key must not follow the order of the arguments.
        let mut values: Vec<(&str, &Value)> = args.iter().filter(|(k, _)| *k != "name").collect();
        values.sort_unstable_by_key(|(k, _)| *k);
        memo::fragment(name, &values, || {
            let vars: Map<String, Value> = values
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).clone()))
                .collect();
            let mut ctx = Context::from_value(Value::Object(vars)).expect("an object is a context");
            if let Some(site) = memo::site() {
                ctx.set_shared(site);
            }
            self.templates.render(name, &ctx).map_err(|e| match e.kind {
                tera::ErrorKind::TemplateNotFound(_) => e,
                // A page variable the partial reads is not there: say why.
                _ => {
                    let given: String = values.iter().map(|(k, _)| format!(", `{k}`")).collect();
                    tera::Error::chain(format!("the partial {name} sees only `site`{given}"), e)
                }
            })
        })
    }

    fn is_safe(&self) -> bool {
        // The partial is HTML its template escaped.
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_partial_without_a_name_says_what_it_needs() {
        let partial = Partial::new(Tera::default());
        let err = tera::Function::call(&partial, &HashMap::new()).unwrap_err();
        assert!(err.to_string().contains("needs `name="), "{err}");
    }
}
