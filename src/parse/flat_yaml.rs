//! A fast reader for the YAML that Salon's importers write: a list of
//! flat mappings, one `key: value` a line, at the top of a comment file
//! or indented under a thread's `entries:`.
//!
//! libyaml spends about 200 instructions a byte on these files; this
//! reader a few. It reads only a subset it can read exactly as
//! `serde_yaml` does, and gives `None` on anything else, so the caller
//! asks `serde_yaml`, which also words every error:
//!
//! ```yaml
//! - id: 1
//!   author: "David N."
//!   date: 2016-12-05T23:17:21Z
//!   body: "<p>Hello \"you\"</p>\n<p>again</p>"
//!   text: |-
//!     A literal block,
//!
//!     two paragraphs.
//! ```
//!
//! Lines are `- key: value` starting an item or `  key: value` continuing
//! it (both shifted right by the list's indentation), or empty. Keys are
//! `[a-z_]+`. A value is a double-quoted scalar closed on its line
//! (escapes as libyaml reads them), a decimal integer without leading
//! zeros, a plain scalar without `#` or `: ` that YAML reads as a string:
//! a date (`2016-12-05T23:17:21Z`) or one starting with an ASCII letter
//! or any non-ASCII character (`like`, `Joe Pellegrini`, `Øyvind`; not
//! `null`, `true`, `false`), or a literal block (`|` or `|-`, no
//! indentation indicator) whose first line is text indented deeper than
//! its key and whose other lines are text as deep or empty.
//! Nothing else: no comments, `\r`, trailing spaces, flow collections,
//! anchors, tags, single quotes, folded blocks, document markers,
//! nesting or a byte-order mark; no tabs outside a literal block's text.

use std::borrow::Cow;

use serde::de::value::{Error, MapDeserializer, StrDeserializer};
use serde::de::{self, DeserializeOwned, IntoDeserializer, Visitor};

/// The longest key read: libyaml refuses a simple key over 1024
/// characters, and no field name comes near this.
const MAX_KEY: usize = 64;

/// The items of `text`, a list at the left margin, as `T`s, or `None`
/// when `text` is not in the subset this module reads or an item does
/// not deserialize as a `T`.
pub fn read<T: DeserializeOwned>(text: &str) -> Option<Vec<T>> {
    read_list(text, 0)
}

/// [`read`] for a list whose `-` stands `indent` spaces from the margin
/// on every item, as a thread's entries do (2).
pub fn read_list<T: DeserializeOwned>(text: &str, indent: usize) -> Option<Vec<T>> {
    let bytes = text.as_bytes();
    let key_col = indent + 2;
    let mut at = skip_empty_lines(bytes, 0);
    let mut items = Vec::new();
    let mut pairs: Vec<(&str, Scalar<'_>)> = Vec::with_capacity(16);
    while at < bytes.len() {
        at = (spaces(bytes, at) == indent && bytes[at + indent..].starts_with(b"- "))
            .then_some(at + key_col)?;
        loop {
            // A key repeated in an item is the type's to refuse, as under
            // serde_yaml, which passes every pair on: derived structs and
            // `serde_yaml::Mapping` do, and serde_yaml words the error.
            let (key, value, next) = pair(text, at, key_col)?;
            pairs.push((key, value));
            at = skip_empty_lines(bytes, next);
            // A key of the same item: `pair` refuses a deeper one.
            match spaces(bytes, at) >= key_col {
                true => at += key_col,
                false => break,
            }
        }
        let map = MapDeserializer::<_, Error>::new(pairs.drain(..));
        items.push(T::deserialize(map).ok()?);
    }
    (!items.is_empty()).then_some(items)
}

/// How many spaces start the line at `at`.
fn spaces(bytes: &[u8], at: usize) -> usize {
    bytes[at..].iter().take_while(|&&b| b == b' ').count()
}

/// The first byte at or after `at` that does not start an empty line.
fn skip_empty_lines(bytes: &[u8], mut at: usize) -> usize {
    while bytes.get(at) == Some(&b'\n') {
        at += 1;
    }
    at
}

/// `key: value` at `at`, the key at column `key_col`, with where the
/// next line starts.
fn pair(text: &str, at: usize, key_col: usize) -> Option<(&str, Scalar<'_>, usize)> {
    let bytes = text.as_bytes();
    let key_len = bytes[at..]
        .iter()
        .take_while(|b| b.is_ascii_lowercase() || **b == b'_')
        .count();
    if key_len == 0 || key_len > MAX_KEY {
        return None;
    }
    let key = &text[at..at + key_len];
    let start = at + key_len;
    if !bytes[start..].starts_with(b": ") {
        return None;
    }
    let start = start + 2;
    let (value, end) = match bytes.get(start) {
        Some(b'"') => quoted(text, start + 1)?,
        Some(b'|') => {
            let (value, next) = literal(text, start, key_col)?;
            return Some((key, value, next));
        }
        _ => plain(text, start)?,
    };
    match bytes.get(end) {
        None => Some((key, value, end)),
        Some(b'\n') => Some((key, value, end + 1)),
        Some(_) => None,
    }
}

/// A literal block (`|` or `|-` at `start`) of a key at column
/// `key_col`, with where the line after it starts. Its first line sets
/// the indentation; a line less indented ends it, and empty lines before
/// that belong to no one (`|` keeps one line break, `|-` none).
fn literal(text: &str, start: usize, key_col: usize) -> Option<(Scalar<'_>, usize)> {
    let bytes = text.as_bytes();
    let (keep_break, first) = match bytes[start..] {
        [b'|', b'-', b'\n', ..] => (false, start + 3),
        [b'|', b'\n', ..] => (true, start + 2),
        _ => return None,
    };
    let indent = spaces(bytes, first);
    // No empty line first (libyaml would weigh its spaces) and no tab
    // where the indentation is measured.
    if indent <= key_col || matches!(bytes.get(first + indent), None | Some(b'\n' | b'\t')) {
        return None;
    }
    let mut value = String::new();
    let mut empty_lines = 0;
    let mut at = first;
    while at < bytes.len() {
        let end = memchr::memchr(b'\n', &bytes[at..]).map_or(bytes.len(), |n| at + n);
        let line = &bytes[at..end];
        let lead = spaces(line, 0);
        if lead == line.len() {
            // Only spaces: empty when there are none (and it ends).
            if line.is_empty() && end < bytes.len() {
                empty_lines += 1;
                at = end + 1;
                continue;
            }
            return None;
        }
        if lead < indent {
            break;
        }
        if !block_text(&line[indent..]) {
            return None;
        }
        if at != first {
            value.push('\n');
        }
        for _ in 0..std::mem::take(&mut empty_lines) {
            value.push('\n');
        }
        value.push_str(&text[at + indent..end]);
        if end == bytes.len() {
            // Whether `|` keeps a break that is not there is not ours.
            if keep_break {
                return None;
            }
            at = end;
            break;
        }
        at = end + 1;
    }
    if keep_break {
        value.push('\n');
    }
    Some((Scalar::Str(Cow::Owned(value)), at))
}

/// Whether `line` (of a literal block, past its indentation) holds only
/// characters libyaml takes there as they are: tabs and printable ones.
fn block_text(line: &[u8]) -> bool {
    line.iter().enumerate().all(|(i, &b)| match b {
        b'\t' => true,
        0..=0x1F | 0x7F => false,
        0xC2 | 0xE2 | 0xEF => !refused_char(&line[i..]),
        _ => true,
    })
}

/// A value as `serde_yaml` would present it.
#[derive(Debug)]
enum Scalar<'a> {
    /// A quoted scalar, or a plain one YAML reads as a string.
    Str(Cow<'a, str>),
    /// A plain decimal integer, as written and as a number.
    Uint(&'a str, u64),
}

impl Scalar<'_> {
    /// The text as `serde_yaml` hands it to a string field.
    fn text(&self) -> &str {
        match self {
            Scalar::Str(s) => s,
            Scalar::Uint(text, _) => text,
        }
    }
}

/// How a byte inside a double-quoted scalar is read.
#[derive(Clone, Copy, PartialEq)]
enum Class {
    /// Copied as it is.
    Plain,
    /// `"`, `\`, a control character, or the lead byte of a character
    /// that may be one libyaml refuses or takes for a line break.
    Special,
}

/// [`Class`] by byte value.
const CLASSES: [Class; 256] = {
    let mut table = [Class::Plain; 256];
    let mut b = 0;
    while b < 0x20 {
        table[b] = Class::Special;
        b += 1;
    }
    table[0x7F] = Class::Special;
    table[b'"' as usize] = Class::Special;
    table[b'\\' as usize] = Class::Special;
    // U+0080..U+009F (NEL among them), U+2028/2029, U+FEFF, U+FFFE/FFFF.
    table[0xC2] = Class::Special;
    table[0xE2] = Class::Special;
    table[0xEF] = Class::Special;
    table
};

/// Whether the non-ASCII character starting `bytes` is one libyaml
/// refuses as a control character, reads as a line break (NEL, LS, PS),
/// or is a byte-order mark.
fn refused_char(bytes: &[u8]) -> bool {
    match *bytes {
        [0xC2, b, ..] => b < 0xA0,
        [0xE2, 0x80, 0xA8 | 0xA9, ..] => true,
        [0xEF, 0xBB, 0xBF, ..] => true,
        [0xEF, 0xBF, 0xBE | 0xBF, ..] => true,
        _ => false,
    }
}

/// The length of the UTF-8 character whose lead byte is `lead`.
fn char_len(lead: u8) -> usize {
    match lead {
        0..=0x7F => 1,
        0xC0..=0xDF => 2,
        0xE0..=0xEF => 3,
        _ => 4,
    }
}

/// A double-quoted scalar whose text starts at `start` (after the
/// quote) and ends on the same line, with where its closing quote ends.
fn quoted(text: &str, start: usize) -> Option<(Scalar<'_>, usize)> {
    let bytes = text.as_bytes();
    // Built only once an escape is met: most values are copied as they are.
    let mut unescaped: Option<String> = None;
    let mut run = start;
    let mut at = start;
    loop {
        at += bytes[at..]
            .iter()
            .position(|&b| CLASSES[b as usize] == Class::Special)?;
        match bytes[at] {
            b'"' => {
                let value = match unescaped {
                    Some(mut s) => {
                        s.push_str(&text[run..at]);
                        Cow::Owned(s)
                    }
                    None => Cow::Borrowed(&text[start..at]),
                };
                return Some((Scalar::Str(value), at + 1));
            }
            b'\\' => {
                let (c, len) = escape(&bytes[at + 1..])?;
                let s = unescaped.get_or_insert_with(String::new);
                s.push_str(&text[run..at]);
                s.push(c);
                at += 1 + len;
                run = at;
            }
            lead @ (0xC2 | 0xE2 | 0xEF) => {
                if refused_char(&bytes[at..]) {
                    return None;
                }
                at += char_len(lead);
            }
            // Control characters: a line break (a folded scalar), a tab
            // or `\r` (left to libyaml), or one libyaml refuses.
            _ => return None,
        }
    }
}

/// The character an escape stands for, `rest` following the backslash,
/// with how many bytes of `rest` it takes: libyaml's escapes, except a
/// backslash before a tab or a line break.
fn escape(rest: &[u8]) -> Option<(char, usize)> {
    let c = match rest.first()? {
        b'0' => '\0',
        b'a' => '\u{07}',
        b'b' => '\u{08}',
        b't' => '\t',
        b'n' => '\n',
        b'v' => '\u{0B}',
        b'f' => '\u{0C}',
        b'r' => '\r',
        b'e' => '\u{1B}',
        b' ' => ' ',
        b'"' => '"',
        b'/' => '/',
        b'\\' => '\\',
        b'N' => '\u{85}',
        b'_' => '\u{A0}',
        b'L' => '\u{2028}',
        b'P' => '\u{2029}',
        b'x' => return hex_escape(rest, 2),
        b'u' => return hex_escape(rest, 4),
        b'U' => return hex_escape(rest, 8),
        _ => return None,
    };
    Some((c, 1))
}

/// `\xXX`, `\uXXXX` or `\UXXXXXXXX` with `digits` hex digits after the
/// letter that starts `rest`; `None` for a surrogate or a value past
/// U+10FFFF, which libyaml refuses (it never pairs surrogates).
fn hex_escape(rest: &[u8], digits: usize) -> Option<(char, usize)> {
    let hex = rest.get(1..=digits)?;
    let mut value = 0u32;
    for &b in hex {
        value = value << 4 | char::from(b).to_digit(16)?;
    }
    Some((char::from_u32(value)?, 1 + digits))
}

/// A plain scalar starting at `start`, ending at the end of its line,
/// when it is one whose meaning this module knows.
fn plain(text: &str, start: usize) -> Option<(Scalar<'_>, usize)> {
    let bytes = text.as_bytes();
    let end = bytes[start..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(bytes.len(), |n| start + n);
    let value = &text[start..end];
    let v = value.as_bytes();
    // What ends a plain scalar or a line early, or what libyaml refuses.
    let mut prev = b' ';
    for (i, &b) in v.iter().enumerate() {
        let refused = match b {
            0..=0x1F | 0x7F | b'#' => true,
            b' ' => prev == b':',
            0xC2 | 0xE2 | 0xEF => refused_char(&v[i..]),
            _ => false,
        };
        if refused {
            return None;
        }
        prev = b;
    }
    if matches!(v.last(), None | Some(b':' | b' ')) {
        return None;
    }
    let scalar = match v[0] {
        b'0'..=b'9' if v.iter().all(u8::is_ascii_digit) => {
            // `007` is a string to YAML 1.2, but rarely meant as one.
            if v.len() > 1 && v[0] == b'0' {
                return None;
            }
            Scalar::Uint(value, value.parse().ok()?)
        }
        // A date: neither a number nor anything else to YAML.
        b'0'..=b'9' if v.len() > 4 && v[..4].iter().all(u8::is_ascii_digit) && v[4] == b'-' => {
            Scalar::Str(Cow::Borrowed(value))
        }
        b'a'..=b'z' | b'A'..=b'Z' => {
            // The only words serde_yaml reads as something else (`inf`
            // and `nan` are refused as floats, so stay strings).
            let lower = value.to_ascii_lowercase();
            if matches!(lower.as_str(), "null" | "true" | "false") {
                return None;
            }
            Scalar::Str(Cow::Borrowed(value))
        }
        0x80.. => Scalar::Str(Cow::Borrowed(value)),
        _ => return None,
    };
    Some((scalar, end))
}

impl<'de, 'a> IntoDeserializer<'de, Error> for Scalar<'a> {
    type Deserializer = ScalarDeserializer<'a>;

    fn into_deserializer(self) -> ScalarDeserializer<'a> {
        ScalarDeserializer(self)
    }
}

/// One value, deserialized as `serde_yaml` deserializes it.
struct ScalarDeserializer<'a>(Scalar<'a>);

impl<'de> de::Deserializer<'de> for ScalarDeserializer<'_> {
    type Error = Error;

    /// A number for a plain integer, else a string: what `serde_yaml`
    /// gives a `serde_yaml::Value` (ids and dates are read through one).
    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0 {
            Scalar::Str(Cow::Borrowed(s)) => visitor.visit_str(s),
            Scalar::Str(Cow::Owned(s)) => visitor.visit_string(s),
            Scalar::Uint(_, n) => visitor.visit_u64(n),
        }
    }

    /// Any scalar as its text, as `serde_yaml` does.
    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0 {
            Scalar::Str(Cow::Owned(s)) => visitor.visit_string(s),
            other => visitor.visit_str(other.text()),
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    /// Never null: the subset has no empty value, `~` or `null`.
    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_some(self)
    }

    /// A unit variant named by the text (`status: pending`).
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_enum(StrDeserializer::<Error>::new(self.0.text()))
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    /// serde_yaml reads no bytes; a byte buffer would take a string here.
    fn deserialize_bytes<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value, Error> {
        Err(de::Error::custom("bytes are left to serde_yaml"))
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value, Error> {
        Err(de::Error::custom("bytes are left to serde_yaml"))
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_unit()
    }

    // Numbers take a plain integer as serde_yaml does; booleans, units,
    // sequences and maps refuse a string or a number as they do there.
    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 unit unit_struct
        seq tuple tuple_struct map struct
    }
}

/// Runs `check` on `cases` texts drawn from `texts`; `check` compares
/// the fast path with serde_yaml and says whether the fast path took the
/// text. Over a quarter must be taken, so the comparison is not vacuous.
#[cfg(test)]
pub(crate) fn check_agreement(
    texts: impl proptest::strategy::Strategy<Value = String>,
    cases: u32,
    check: impl Fn(&str) -> Result<bool, proptest::test_runner::TestCaseError>,
) {
    use proptest::test_runner::{Config, TestRunner};
    let taken = std::cell::Cell::new(0u32);
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(&texts, |text| {
            if check(&text)? {
                taken.set(taken.get() + 1);
            }
            Ok(())
        })
        .unwrap();
    assert!(
        taken.get() > cases / 4,
        "the fast path took {} of {cases} texts",
        taken.get()
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Item {
        id: serde_yaml::Value,
        #[serde(default)]
        text: Option<String>,
        #[serde(default)]
        kind: Option<Kind>,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(rename_all = "lowercase")]
    enum Kind {
        Like,
        Repost,
    }

    /// What the fast path reads, checked against serde_yaml.
    fn fast(text: &str) -> Option<Vec<Item>> {
        let items = read::<Item>(text);
        if let Some(items) = &items {
            let slow: Vec<Item> = serde_yaml::from_str(text).expect("serde_yaml reads it too");
            assert_eq!(items, &slow, "{text:?}");
        }
        items
    }

    #[test]
    fn reads_the_subset() {
        let items = fast("- id: 1\n  text: \"a \\\"b\\\" \\\\ c\\n\"\n\n- id: wm-2\n  kind: like\n  text: Joe Pellegrini\n").unwrap();
        assert_eq!(items[0].id, serde_yaml::Value::Number(1.into()));
        assert_eq!(items[0].text.as_deref(), Some("a \"b\" \\ c\n"));
        assert_eq!(items[1].id, serde_yaml::Value::String("wm-2".into()));
        assert_eq!(items[1].kind, Some(Kind::Like));
        assert_eq!(items[1].text.as_deref(), Some("Joe Pellegrini"));
        // No newline at the end, a date, a long number, a word like a float.
        assert!(fast("- id: 2016-12-05T23:17:21+02:00").is_some());
        assert!(fast("- id: 18446744073709551615\n").is_some());
        assert!(fast("- id: inf\n").is_some());
    }

    #[test]
    fn escapes_as_libyaml_reads_them() {
        let text = |t: &str| {
            let items = fast(&format!("- id: 1\n  text: \"{t}\"\n"))?;
            items.into_iter().next()?.text
        };
        assert_eq!(text(r"\x41\u00e9\U0001F600").as_deref(), Some("Aé😀"));
        assert_eq!(
            text(r"\0\a\b\t\v\f\r\e\ \/\N\_\L\P").as_deref(),
            Some("\0\u{7}\u{8}\t\u{b}\u{c}\r\u{1b} /\u{85}\u{a0}\u{2028}\u{2029}")
        );
        assert_eq!(text("é—日本"), Some("é—日本".into()));
        // libyaml refuses these: serde_yaml must say so.
        for bad in [r"\ud800", r"\U00110000", r"\x4", r"\q", r"\'", "\\\u{e9}"] {
            assert_eq!(text(bad), None, "{bad}");
        }
    }

    #[test]
    fn reads_literal_blocks() {
        let items = fast(concat!(
            "- id: 1\n  text: |-\n    a \"b\" \\ # c: d\n\n\n      indented\tand tab\n    - e\n\n",
            "- id: 2\n  text: |\n    x\n\n\n  kind: like\n",
            "- id: 3\n  text: |-\n     deeper\n     é—日本",
        ))
        .unwrap();
        let text: Vec<_> = items.iter().map(|i| i.text.as_deref().unwrap()).collect();
        assert_eq!(
            text,
            [
                "a \"b\" \\ # c: d\n\n\n  indented\tand tab\n- e",
                "x\n",
                "deeper\né—日本"
            ]
        );
        assert_eq!(items[1].kind, Some(Kind::Like));
        // A list indented as a thread's entries are.
        let entries =
            "  - id: a\n    text: |-\n      one\n\n      two\n  - id: b\n    text: \"x\"\n";
        let items = read_list::<Item>(entries, 2).unwrap();
        let slow: Vec<Item> = serde_yaml::from_str(entries).unwrap();
        assert_eq!(items, slow);
        assert_eq!(items[0].text.as_deref(), Some("one\n\ntwo"));
        assert!(read_list::<Item>(entries, 0).is_none());
        assert!(read_list::<Item>("    - id: a\n", 2).is_none());
    }

    #[test]
    fn leaves_everything_else_to_serde_yaml() {
        for text in [
            "# c\n- id: 1\n",
            "- id: 1 # c\n",
            "---\n- id: 1\n",
            "- id: 1\n...\n",
            "\u{feff}- id: 1\n",
            "- id: 1\r\n",
            "- id: 1\n\ttext: a\n",
            "- id: 1 \n",
            "- id: \"1\" \n",
            "- id:  1\n",
            "- id: 1\n   text: a\n",
            "- id: 1\n  id: 2\n",
            "  - id: 1\n",
            "-\n  id: 1\n",
            "- id: 007\n",
            "- id: 18446744073709551616\n",
            "- id: -1\n",
            "- id: 1.5\n",
            "- id: 0x1F\n",
            "- id: 12:30\n",
            "- id: null\n",
            "- id: ~\n",
            "- id: True\n",
            "- id:\n",
            "- id: 'a'\n",
            "- id: [1]\n",
            "- id: &a 1\n",
            "- id: !x 1\n",
            "- id: 1\n  text: |\n\n    a\n",
            "- id: 1\n  text: |+\n    a\n",
            "- id: 1\n  text: |2-\n    a\n",
            "- id: 1\n  text: >-\n    a\n",
            "- id: 1\n  text: |- # c\n    a\n",
            "- id: 1\n  text: |-\n    a\n     \n    b\n",
            "- id: 1\n  text: |-\n    \ta\n",
            "- id: 1\n  text: |-\n  a\n",
            "- id: 1\n  text: |\n    a",
            "- id: 1\n  text: |-\n    a\r\n",
            "- id: 1\n  text: |-\n    a\u{85}b\n",
            "- id: 1\n  text: |-\n    a\n   b\n",
            "- id: 1\n  text: |-\n    a\n# c\n",
            "- id: a: b\n",
            "- id: a #b\n",
            "- id: a\n    b\n",
            "- id: \"a\n    b\"\n",
            "- id: \"a\u{85}b\"\n",
            "- id: \"a\u{2028}b\"\n",
            "- id: \"a\u{7f}\"\n",
            "- id: \"a\tb\"\n",
            "- id: \"a\\\n  b\"\n",
            "- id: 1\n  nested:\n    a: 1\n",
        ] {
            assert!(read::<serde_yaml::Mapping>(text).is_none(), "{text:?}");
        }
        // In the subset, but not an `Item`: serde_yaml gives the error.
        assert!(fast("- id: 1\n  other: a\n").is_none());
        assert!(fast("- text: a\n").is_none());
        assert!(fast("- id: 1\n  kind: likes\n").is_none());
    }
}
