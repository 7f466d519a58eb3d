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
            for used in referenced_templates(text.get(seen[i]).copied().unwrap_or("")) {
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
/// and the card template of a template that calls `post_card(`.
fn referenced_templates(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    if text.contains("post_card(") {
        out.push(crate::render::post_card::TEMPLATE);
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
    out
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
            vec!["base.html", "macros.html", "a.html", "b.html"]
        );
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
