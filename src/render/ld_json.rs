//! A streaming JSON writer for the JSON-LD of a page: text appended to one
//! `String` as the nodes are walked, instead of a tree of `serde_json`
//! values that is built, key-sorted and serialized (which cost a sixth of
//! a post page's render).
//!
//! The text stands inside `<script type="application/ld+json">`, so
//! strings are escaped beyond what JSON needs: `<`, `>` and `&` are
//! written as `\u003c`, `\u003e`, `\u0026` (the same string to a JSON
//! parser), so no content can close the element or open a comment; U+2028
//! and U+2029 likewise, for scripts that read it as JavaScript. An `@` in
//! a value (not in a key) is `\u0040`, so that a mention beside a quote
//! (`"text":"@ann.example.org`) never reads as an e-mail address.
//!
//! Objects take their keys in ascending byte order, the order every build
//! writes (checked in debug builds, where the tests run): the same text in
//! every build, whatever the order the code states them in would be.

use std::fmt::Write as _;

/// The JSON-LD of one page: `{"@context":"https://schema.org","@graph":[...]}`.
pub struct Graph {
    out: String,
    nodes: usize,
}

impl Default for Graph {
    fn default() -> Self {
        Self::new()
    }
}

impl Graph {
    /// An empty graph.
    pub fn new() -> Self {
        let mut out = String::with_capacity(2048);
        out.push_str(r#"{"@context":"https://schema.org","@graph":["#);
        Graph { out, nodes: 0 }
    }

    /// Appends a node, an object whose fields `fill` writes.
    pub fn node(&mut self, fill: impl FnOnce(&mut Object)) {
        if self.nodes > 0 {
            self.out.push(',');
        }
        self.nodes += 1;
        write_object(&mut self.out, fill);
    }

    /// The text of the graph, or an empty string when it has no node.
    pub fn finish(mut self) -> String {
        if self.nodes == 0 {
            return String::new();
        }
        self.out.push_str("]}");
        self.out
    }
}

/// Writes an object whose fields `fill` writes to `out`.
fn write_object(out: &mut String, fill: impl FnOnce(&mut Object)) {
    out.push('{');
    let mut object = Object {
        out,
        last_key: None,
    };
    fill(&mut object);
    object.out.push('}');
}

/// Writes an array whose items `fill` writes to `out`.
fn write_array(out: &mut String, fill: impl FnOnce(&mut Array)) {
    out.push('[');
    let mut array = Array { out, first: true };
    fill(&mut array);
    array.out.push(']');
}

/// An object being written; each method writes one field.
pub struct Object<'a> {
    out: &'a mut String,
    /// The key written last, for the ascending order the text keeps.
    last_key: Option<&'static str>,
}

impl Object<'_> {
    /// Writes `"key":` (with the comma before it when needed).
    fn key(&mut self, key: &'static str) -> &mut String {
        if let Some(last) = self.last_key {
            debug_assert!(
                last < key,
                "JSON-LD keys out of order: `{last}` before `{key}`"
            );
            self.out.push(',');
        }
        self.last_key = Some(key);
        push_string(self.out, key, false);
        self.out.push(':');
        self.out
    }

    /// A string field.
    pub fn str(&mut self, key: &'static str, value: &str) -> &mut Self {
        let out = self.key(key);
        push_string(out, value, true);
        self
    }

    /// A string field whose text is `parts` one after the other.
    pub fn str_parts(&mut self, key: &'static str, parts: &[&str]) -> &mut Self {
        let out = self.key(key);
        out.push('"');
        for part in parts {
            push_escaped(out, part, true);
        }
        out.push('"');
        self
    }

    /// A string field, `null` for none.
    pub fn str_or_null(&mut self, key: &'static str, value: Option<&str>) -> &mut Self {
        match value {
            Some(v) => self.str(key, v),
            None => {
                self.key(key).push_str("null");
                self
            }
        }
    }

    /// A whole-number field.
    pub fn num(&mut self, key: &'static str, value: u64) -> &mut Self {
        let out = self.key(key);
        write!(out, "{value}").expect("writing to a String cannot fail");
        self
    }

    /// An object field whose fields `fill` writes.
    pub fn object(&mut self, key: &'static str, fill: impl FnOnce(&mut Object)) -> &mut Self {
        let out = self.key(key);
        write_object(out, fill);
        self
    }

    /// An array field whose items `fill` writes.
    pub fn array(&mut self, key: &'static str, fill: impl FnOnce(&mut Array)) -> &mut Self {
        let out = self.key(key);
        write_array(out, fill);
        self
    }

    /// An array field of strings.
    pub fn strs<'s>(
        &mut self,
        key: &'static str,
        values: impl IntoIterator<Item = &'s str>,
    ) -> &mut Self {
        self.array(key, |a| {
            for v in values {
                a.str(v);
            }
        })
    }
}

/// An array being written; each method writes one item.
pub struct Array<'a> {
    out: &'a mut String,
    first: bool,
}

impl Array<'_> {
    /// Writes the comma before an item when needed.
    fn next(&mut self) -> &mut String {
        if !self.first {
            self.out.push(',');
        }
        self.first = false;
        self.out
    }

    /// A string item.
    pub fn str(&mut self, value: &str) {
        let out = self.next();
        push_string(out, value, true);
    }

    /// An object item whose fields `fill` writes.
    pub fn object(&mut self, fill: impl FnOnce(&mut Object)) {
        let out = self.next();
        write_object(out, fill);
    }
}

/// How an ASCII byte is written inside a string: 0 as it is, else the
/// letter of its short escape, or `u` for `\u00XX`.
const ESCAPE: [u8; 128] = {
    let mut table = [0u8; 128];
    let mut b = 0;
    while b < 0x20 {
        table[b] = b'u';
        b += 1;
    }
    table[0x08] = b'b';
    table[0x09] = b't';
    table[0x0a] = b'n';
    table[0x0c] = b'f';
    table[0x0d] = b'r';
    table[b'"' as usize] = b'"';
    table[b'\\' as usize] = b'\\';
    table[b'<' as usize] = b'u';
    table[b'>' as usize] = b'u';
    table[b'&' as usize] = b'u';
    table[b'@' as usize] = b'@';
    table
};

/// The bytes [`push_escaped`] looks at: those [`ESCAPE`] names, and the
/// first byte of U+2028 and U+2029.
const ATTENTION: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 128 {
        table[b] = ESCAPE[b] != 0;
        b += 1;
    }
    table[0xe2] = true;
    table
};

/// Appends `text` as a quoted JSON string escaped for a script element;
/// `@` is escaped in values only (`@type` stays readable as a key).
fn push_string(out: &mut String, text: &str, is_value: bool) {
    out.push('"');
    push_escaped(out, text, is_value);
    out.push('"');
}

/// Appends `text` escaped as [`push_string`] does, without the quotes.
fn push_escaped(out: &mut String, text: &str, is_value: bool) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let bytes = text.as_bytes();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        // Nearly every byte is copied as it is: pass those in a tight loop.
        while i < bytes.len() && !ATTENTION[bytes[i] as usize] {
            i += 1;
        }
        let Some(&b) = bytes.get(i) else { break };
        // U+2028 and U+2029 are E2 80 A8 and E2 80 A9 in UTF-8.
        let (escape, len): (&str, usize) = if b < 0x80 {
            match ESCAPE[b as usize] {
                0 => {
                    i += 1;
                    continue;
                }
                b'@' if !is_value => {
                    i += 1;
                    continue;
                }
                b'@' => ("\\u0040", 1),
                b'u' => {
                    out.push_str(&text[start..i]);
                    out.push_str("\\u00");
                    out.push(HEX[(b >> 4) as usize] as char);
                    out.push(HEX[(b & 0xf) as usize] as char);
                    i += 1;
                    start = i;
                    continue;
                }
                b'b' => ("\\b", 1),
                b't' => ("\\t", 1),
                b'n' => ("\\n", 1),
                b'f' => ("\\f", 1),
                b'r' => ("\\r", 1),
                b'"' => ("\\\"", 1),
                _ => ("\\\\", 1),
            }
        } else if b == 0xe2 && bytes.get(i + 1) == Some(&0x80) {
            match bytes.get(i + 2) {
                Some(0xa8) => ("\\u2028", 3),
                Some(0xa9) => ("\\u2029", 3),
                _ => {
                    i += 1;
                    continue;
                }
            }
        } else {
            i += 1;
            continue;
        };
        out.push_str(&text[start..i]);
        out.push_str(escape);
        i += len;
        start = i;
    }
    out.push_str(&text[start..]);
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    /// A graph of one node filled by `fill`, parsed back.
    fn one_node(fill: impl FnOnce(&mut Object)) -> (String, Value) {
        let mut g = Graph::new();
        g.node(fill);
        let text = g.finish();
        let value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
        (text, value)
    }

    #[test]
    fn nothing_can_close_the_script_element() {
        let nasty = "</script><!-- a & b --> \u{2028}\u{2029}";
        let (text, value) = one_node(|o| {
            o.str("text", nasty);
        });
        assert!(
            !text.contains(['<', '>', '&', '\u{2028}', '\u{2029}']),
            "{text}"
        );
        assert!(text.contains(r"\u003c/script\u003e\u003c!-- a \u0026 b --\u003e \u2028\u2029"));
        assert_eq!(value["@graph"][0]["text"], nasty);
    }

    #[test]
    fn at_signs_are_escaped_in_values_but_not_in_keys() {
        let (text, value) = one_node(|o| {
            o.str("@type", "Person").str("text", "\"@ann.example.org\"");
        });
        assert!(
            text.contains(r#"{"@type":"Person","text":"\"\u0040ann"#),
            "{text}"
        );
        assert_eq!(value["@graph"][0]["text"], "\"@ann.example.org\"");
    }

    #[test]
    fn control_characters_quotes_and_backslashes_escape_as_serde_json_does() {
        let all: String = (0u8..0x20)
            .map(char::from)
            .chain("\"\\\u{7f}/".chars())
            .collect();
        let (text, value) = one_node(|o| {
            o.str("s", &all);
        });
        assert_eq!(value["@graph"][0]["s"], all.as_str());
        // serde_json's own text for the same string, byte for byte.
        let expected = serde_json::to_string(&all).unwrap();
        assert!(text.contains(&format!("\"s\":{expected}")), "{text}");
        assert!(text.contains(r"\u0000\u0001") && text.contains(r"\b\t\n\u000b\f\r"));
    }

    #[test]
    fn unicode_stays_as_it_is_except_the_line_separators() {
        let words = "café 東京 Привет 😀 \u{2027}\u{202a} e\u{301}";
        let (text, value) = one_node(|o| {
            o.str("name", words);
        });
        assert!(text.contains(words), "{text}");
        assert_eq!(value["@graph"][0]["name"], words);
        let (text, _) = one_node(|o| {
            o.str("name", "a\u{2028}b\u{2029}c");
        });
        assert!(text.contains(r#""a\u2028b\u2029c""#), "{text}");
    }

    #[test]
    fn nesting_writes_commas_and_brackets_where_they_belong() {
        let mut g = Graph::new();
        g.node(|o| {
            o.array("a", |a| {
                a.object(|o| {
                    o.num("n", 1).str_or_null("x", None);
                });
                a.object(|o| {
                    o.array("empty", |_| {}).object("in", |o| {
                        o.strs("k", ["x", "y"]);
                    });
                });
                a.str("z");
            })
            .num("b", u64::MAX)
            .object("c", |_| {});
        });
        g.node(|o| {
            o.str("@type", "Thing");
        });
        let text = g.finish();
        let value: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(
            value,
            json!({"@context": "https://schema.org", "@graph": [
                {"a": [{"n": 1, "x": null}, {"empty": [], "in": {"k": ["x", "y"]}}, "z"],
                 "b": u64::MAX, "c": {}},
                {"@type": "Thing"},
            ]})
        );
        assert_eq!(
            text,
            r#"{"@context":"https://schema.org","@graph":[{"a":[{"n":1,"x":null},{"empty":[],"in":{"k":["x","y"]}},"z"],"b":18446744073709551615,"c":{}},{"@type":"Thing"}]}"#
        );
    }

    #[test]
    fn a_graph_without_nodes_is_no_text() {
        assert_eq!(Graph::new().finish(), "");
    }

    #[test]
    #[should_panic(expected = "out of order")]
    #[cfg(debug_assertions)]
    fn keys_out_of_order_are_caught() {
        one_node(|o| {
            o.str("url", "u").str("name", "n");
        });
    }
}
