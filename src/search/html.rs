//! A document's HTML read for the index with html5ever's tokenizer (the
//! one ammonia already compiles in): the text a reader sees, where words
//! break, and where headings start and end, so that their words weigh
//! more and a snippet can link to the nearest heading's anchor.

use std::cell::RefCell;

use html5ever::tokenizer::{TagKind, Token, TokenSink, TokenSinkResult};

use super::text::is_inline;

/// What the reader meets, in document order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event<'a> {
    /// Text, entities decoded.
    Text(&'a str),
    /// An element that separates words starts or ends.
    Break,
    /// A heading (`h1`–`h6`) starts, with its `id` when it has one.
    Heading(Option<String>),
    /// The heading ends.
    HeadingEnd,
}

/// Feeds the events of one fragment to `each`; skips elements marked
/// `aria-hidden="true"` (heading anchors) and what is inside them.
struct Reader<F> {
    each: RefCell<F>,
    /// The hidden element being skipped and how deep in it we are.
    hidden: RefCell<Option<(String, usize)>>,
}

fn is_heading(name: &str) -> bool {
    matches!(name, "h1" | "h2" | "h3" | "h4" | "h5" | "h6")
}

impl<F: FnMut(Event)> TokenSink for Reader<F> {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        let mut hidden = self.hidden.borrow_mut();
        let mut each = self.each.borrow_mut();
        match token {
            Token::TagToken(tag) => {
                let name: &str = &tag.name;
                if let Some((h, depth)) = hidden.as_mut() {
                    if h == name {
                        match tag.kind {
                            TagKind::StartTag if !tag.self_closing => *depth += 1,
                            TagKind::EndTag if *depth == 0 => *hidden = None,
                            TagKind::EndTag => *depth -= 1,
                            _ => {}
                        }
                    }
                    return TokenSinkResult::Continue;
                }
                let start = tag.kind == TagKind::StartTag;
                if start
                    && !tag.self_closing
                    && tag
                        .attrs
                        .iter()
                        .any(|a| &*a.name.local == "aria-hidden" && &*a.value == "true")
                {
                    *hidden = Some((name.to_owned(), 0));
                } else if is_heading(name) {
                    each(if start {
                        let id = tag.attrs.iter().find(|a| &*a.name.local == "id");
                        Event::Heading(id.map(|a| a.value.to_string()))
                    } else {
                        Event::HeadingEnd
                    });
                } else if !is_inline(name) {
                    each(Event::Break);
                }
            }
            Token::CharacterTokens(text) if hidden.is_none() => each(Event::Text(&text)),
            _ => {}
        }
        TokenSinkResult::Continue
    }
}

/// Calls `each` with the events of the HTML fragment `html`, in order.
pub fn read(html: &str, each: impl FnMut(Event)) {
    let reader = Reader {
        each: RefCell::new(each),
        hidden: RefCell::new(None),
    };
    crate::entities::tokenize(html, reader);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn events(html: &str) -> Vec<String> {
        let mut out = Vec::new();
        read(html, |e| {
            out.push(match e {
                Event::Text(t) => t.to_owned(),
                Event::Break => "|".into(),
                Event::Heading(id) => format!("<h#{}>", id.unwrap_or_default()),
                Event::HeadingEnd => "</h>".into(),
            })
        });
        out
    }

    #[test]
    fn headings_anchors_and_entities_are_read_as_a_reader_sees_them() {
        let html = "<h2 id=\"x\">Most <em>of</em> it<a class=\"anchor\" href=\"#x\" \
                    aria-hidden=\"true\">#<span>!</span></a></h2>\n<p>A &amp; b<br>c</p>";
        assert_eq!(events(html).concat(), "<h#x>Most of it</h>\n|A & b|c|");
    }
}
