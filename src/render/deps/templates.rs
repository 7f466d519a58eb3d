//! Template signatures: each template hashed with every template it
//! extends, includes or imports, so editing `base.html` re-renders the
//! pages of every template built on it.

use std::collections::HashMap;

use super::Sig;

/// Each template's hash, together with those of the templates it extends,
/// includes or imports, by name.
pub fn template_signatures(templates: &[(String, String)]) -> HashMap<String, u64> {
    let text: HashMap<&str, &str> = templates
        .iter()
        .map(|(n, t)| (n.as_str(), t.as_str()))
        .collect();
    let mut out = HashMap::new();
    for name in text.keys() {
        let mut seen: Vec<&str> = vec![name];
        let mut i = 0;
        while i < seen.len() {
            let used = referenced_templates(text.get(seen[i]).copied().unwrap_or(""))
                // A partial named by a variable could be any template.
                .unwrap_or_else(|| text.keys().copied().collect());
            for used in used {
                if let Some((&k, _)) = text.get_key_value(used) {
                    if !seen.contains(&k) {
                        seen.push(k);
                    }
                }
            }
            i += 1;
        }
        seen.sort_unstable();
        let mut h = Sig::new();
        for n in seen {
            h.str(n).str(text[n]);
        }
        out.insert((*name).to_owned(), h.done());
    }
    out
}

/// Names in `{% extends "x" %}`, `{% include "x" %}` and `{% import "x" %}`,
/// the card template of a template that calls `post_card(`, and the
/// template of each `partial(name="x")`; `None` when a partial's name is
/// not written out.
fn referenced_templates(text: &str) -> Option<Vec<&str>> {
    let mut out = Vec::new();
    if text.contains("post_card(") {
        out.push(crate::render::post_card::TEMPLATE);
    }
    let mut rest = text;
    while let Some(at) = rest.find("partial(") {
        rest = &rest[at + "partial(".len()..];
        out.push(partial_name(rest)?);
    }
    for tag in text.split("{%").skip(1) {
        let tag = tag.split("%}").next().unwrap_or("");
        let tag = tag.trim_start_matches('-').trim_start();
        if !["extends", "include", "import"]
            .iter()
            .any(|k| tag.starts_with(k))
        {
            continue;
        }
        // Every quoted name: `include ["a.html", "b.html"]` lists several.
        let mut rest = tag;
        while let Some(start) = rest.find(['"', '\'']) {
            let quote = rest.as_bytes()[start] as char;
            let after = &rest[start + 1..];
            let Some(end) = after.find(quote) else { break };
            out.push(&after[..end]);
            rest = &after[end + 1..];
        }
    }
    Some(out)
}

/// The quoted `name` among the arguments that start `args` (the text after
/// `partial(`), if it is written out.
fn partial_name(args: &str) -> Option<&str> {
    let args = args.split(')').next().unwrap_or("");
    let mut rest = args;
    while let Some(at) = rest.find("name") {
        let before = args[..args.len() - rest.len() + at].chars().next_back();
        let after = rest[at + "name".len()..].trim_start();
        rest = &rest[at + "name".len()..];
        // A whole argument name (not `username=`), then `=` and a quote.
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        let Some(value) = after.strip_prefix('=') else {
            continue;
        };
        let value = value.trim_start();
        let quote = value.chars().next().filter(|q| *q == '"' || *q == '\'')?;
        let value = &value[1..];
        return value.find(quote).map(|end| &value[..end]);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_extended_included_and_imported_templates() {
        let t = r#"{% extends "base.html" %}{% import 'macros.html' as m %}
            {%- include ["a.html", "b.html"] ignore missing -%}{% if x %}"no.html"{% endif %}"#;
        assert_eq!(
            referenced_templates(t),
            Some(vec!["base.html", "macros.html", "a.html", "b.html"])
        );
    }

    #[test]
    fn finds_the_templates_of_partials() {
        let t = r#"{{- partial(name="header.html", current=current) }}
            {{ partial( username="x", name = 'footer.html') }}"#;
        assert_eq!(
            referenced_templates(t),
            Some(vec!["header.html", "footer.html"])
        );
        assert_eq!(referenced_templates("{{ partial(name=which) }}"), None);
    }

    #[test]
    fn a_template_that_calls_a_partial_follows_it_or_every_template() {
        let mut files = vec![
            ("header.html".to_owned(), "H1".to_owned()),
            (
                "base.html".to_owned(),
                "{{ partial(name=\"header.html\") }}".to_owned(),
            ),
            (
                "post.html".to_owned(),
                "{% extends \"base.html\" %}".to_owned(),
            ),
            ("member.html".to_owned(), "{{ partial(name=x) }}".to_owned()),
            ("404.html".to_owned(), "alone".to_owned()),
        ];
        let before = template_signatures(&files);
        files[0].1 = "H2".into();
        let after = template_signatures(&files);
        assert_ne!(before["post.html"], after["post.html"]);
        assert_ne!(before["member.html"], after["member.html"]);
        assert_eq!(before["404.html"], after["404.html"]);
        files[4].1 = "changed".into();
        let last = template_signatures(&files);
        assert_ne!(after["member.html"], last["member.html"]);
        assert_eq!(after["post.html"], last["post.html"]);
    }

    #[test]
    fn a_template_that_calls_post_card_follows_the_card_template() {
        let mut files = vec![
            ("post_card.html".to_owned(), "C1".to_owned()),
            (
                "macros.html".to_owned(),
                "{{ post_card(post=p, level=2) }}".to_owned(),
            ),
            (
                "index.html".to_owned(),
                "{% import \"macros.html\" as m %}".to_owned(),
            ),
            ("member.html".to_owned(), "alone".to_owned()),
        ];
        let before = template_signatures(&files);
        files[0].1 = "C2".into();
        let after = template_signatures(&files);
        assert_ne!(before["macros.html"], after["macros.html"]);
        assert_ne!(before["index.html"], after["index.html"]);
        assert_eq!(before["member.html"], after["member.html"]);
    }

    #[test]
    fn a_template_signature_follows_what_it_extends() {
        let mut files = vec![
            ("base.html".to_owned(), "B1".to_owned()),
            (
                "post.html".to_owned(),
                "{% extends \"base.html\" %}".to_owned(),
            ),
            ("member.html".to_owned(), "alone".to_owned()),
        ];
        let before = template_signatures(&files);
        files[0].1 = "B2".into();
        let after = template_signatures(&files);
        assert_ne!(before["post.html"], after["post.html"]);
        assert_eq!(before["member.html"], after["member.html"]);
    }
}
