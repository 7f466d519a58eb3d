//! Writing the XML files (feeds, sitemaps) with quick-xml's `Writer`:
//! every element opened is closed by name, every text and attribute value
//! is escaped, and characters XML 1.0 forbids are dropped, so whatever the
//! content holds, the file parses.

use std::borrow::Cow;

use quick_xml::events::attributes::Attribute;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::Writer;

use crate::entities::escape;

/// `text` without the characters XML 1.0 does not allow anywhere (C0
/// controls but tab, line feed and carriage return; U+FFFE and U+FFFF).
pub fn xml_chars(text: &str) -> Cow<'_, str> {
    let allowed = |c: char| {
        matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}')
            || c >= '\u{10000}'
    };
    // Bytes, not characters: a control byte, or U+FFFE / U+FFFF
    // (EF BF BE / EF BF BF).
    let bytes = text.as_bytes();
    let control = bytes
        .iter()
        .any(|&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r'));
    let nonchar = || {
        bytes
            .windows(3)
            .any(|w| w[0] == 0xEF && w[1] == 0xBF && w[2] >= 0xBE)
    };
    if !control && !nonchar() {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(text.chars().filter(|&c| allowed(c)).collect())
    }
}

/// Text as it goes into the file: allowed characters only, escaped.
fn escaped(text: &str) -> String {
    escape(&xml_chars(text))
}

/// An XML document being written into memory.
pub struct XmlWriter {
    writer: Writer<Vec<u8>>,
    open: Vec<&'static str>,
}

impl XmlWriter {
    /// A document that starts with the XML declaration naming `encoding`
    /// as spelled (`utf-8`, `UTF-8`), then a line break.
    pub fn new(encoding: &str, capacity: usize) -> Self {
        let mut me = XmlWriter {
            writer: Writer::new(Vec::with_capacity(capacity)),
            open: Vec::new(),
        };
        me.write(Event::Decl(BytesDecl::new("1.0", Some(encoding), None)));
        me.layout("\n");
        me
    }

    fn write(&mut self, event: Event<'_>) {
        self.writer
            .write_event(event)
            .expect("writing into memory cannot fail");
    }

    fn start(name: &'static str, attrs: &[(&str, &str)]) -> BytesStart<'static> {
        let mut start = BytesStart::new(name);
        for (key, value) in attrs {
            let value = escaped(value);
            start.push_attribute(Attribute::from((key.as_bytes(), value.as_bytes())));
        }
        start
    }

    /// Whitespace that lays the document out (indentation, line breaks).
    pub fn layout(&mut self, whitespace: &str) -> &mut Self {
        debug_assert!(whitespace.chars().all(char::is_whitespace));
        self.write(Event::Text(BytesText::from_escaped(whitespace)));
        self
    }

    /// Opens element `name`; [`XmlWriter::close`] closes it.
    pub fn open(&mut self, name: &'static str, attrs: &[(&str, &str)]) -> &mut Self {
        self.write(Event::Start(Self::start(name, attrs)));
        self.open.push(name);
        self
    }

    /// Closes the element opened last.
    pub fn close(&mut self) -> &mut Self {
        let name = self.open.pop().expect("an element is open");
        self.write(Event::End(BytesEnd::new(name)));
        self
    }

    /// An element with no content: `<link href="…"/>`.
    pub fn empty(&mut self, name: &'static str, attrs: &[(&str, &str)]) -> &mut Self {
        self.write(Event::Empty(Self::start(name, attrs)));
        self
    }

    /// An element holding only `text`.
    pub fn element(&mut self, name: &'static str, attrs: &[(&str, &str)], text: &str) -> &mut Self {
        self.open(name, attrs);
        let text = escaped(text);
        self.write(Event::Text(BytesText::from_escaped(text.as_str())));
        self.close()
    }

    /// The document's text.
    pub fn finish(self) -> String {
        assert!(self.open.is_empty(), "unclosed elements: {:?}", self.open);
        String::from_utf8(self.writer.into_inner()).expect("written from strings")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forbidden_characters_go_and_text_is_escaped() {
        assert_eq!(
            xml_chars("a\u{c}b\u{b}c\u{0}\u{FFFE}\u{FFFF}d\te\n"),
            "abcd\te\n"
        );
        assert!(matches!(xml_chars("plain é 🎉"), Cow::Borrowed(_)));
        let mut w = XmlWriter::new("utf-8", 64);
        w.open("feed", &[("xml:lang", "en\"<")])
            .layout("\n  ")
            .element("title", &[], "Tom & Jerry's <b>\u{c}")
            .layout("\n  ")
            .empty("link", &[("href", "https://e.org/?a=1&b=2")])
            .layout("\n")
            .close()
            .layout("\n");
        assert_eq!(
            w.finish(),
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xml:lang=\"en&quot;&lt;\">\n  \
             <title>Tom &amp; Jerry&#39;s &lt;b&gt;</title>\n  \
             <link href=\"https://e.org/?a=1&amp;b=2\"/>\n</feed>\n"
        );
    }
}
