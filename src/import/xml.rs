//! A streaming XML walker shared by the WordPress and Disqus parsers.
//!
//! Reads events with quick-xml and hands the caller each element's opening
//! (with its attributes) and closing (with its own text, CDATA included,
//! references resolved). Memory is the open-element stack and the text of
//! the elements still open, never the whole document. Entity declarations
//! are refused, so no entity is ever expanded beyond the XML and HTML
//! built-ins; a syntax error carries its line and column.

use std::collections::VecDeque;
use std::io::{BufRead, Read};

use quick_xml::events::Event;
use quick_xml::Reader;

use super::{Failure, ParseError};

/// The root element a format's exports have, so a file of another kind
/// (an HTML page, random bytes, an empty file) is named for what it is not
/// instead of importing nothing.
pub(crate) struct Root {
    /// The format, for messages: "a WordPress export".
    pub what: &'static str,
    /// The root element's name.
    pub name: &'static str,
    /// The start of a namespace URI the root must declare, if any.
    pub namespace: Option<&'static str>,
    /// What was expected, for messages.
    pub expected: &'static str,
}

impl Root {
    fn not_it(&self, why: String) -> Failure {
        Failure::NotAnExport {
            what: self.what,
            why,
        }
    }

    /// Whether an element opened with `name` and `attrs` is this root.
    fn matches(&self, name: &str, attrs: &[(String, String)]) -> bool {
        name == self.name
            && self.namespace.is_none_or(|ns| {
                attrs
                    .iter()
                    .any(|(k, v)| k.starts_with("xmlns") && v.starts_with(ns))
            })
    }
}

/// Counts lines in the bytes the XML reader consumes, keeping only the
/// offsets of the last few newlines, so a position can be turned into a
/// line and column without keeping the text.
pub(crate) struct LineCounter<R> {
    inner: R,
    consumed: u64,
    lines: u64,
    recent: VecDeque<u64>,
}

impl<R: BufRead> LineCounter<R> {
    pub(crate) fn new(inner: R) -> Self {
        LineCounter {
            inner,
            consumed: 0,
            lines: 0,
            recent: VecDeque::with_capacity(256),
        }
    }

    /// 1-based line and column of byte `offset` (exact when it is on one of
    /// the last 256 lines read, which is where errors are found).
    pub(crate) fn position(&self, offset: u64) -> (usize, usize) {
        let after = self
            .recent
            .iter()
            .rev()
            .take_while(|&&o| o >= offset)
            .count() as u64;
        let line = self.lines - after + 1;
        let start = self
            .recent
            .iter()
            .rev()
            .find(|&&o| o < offset)
            .map_or(0, |o| o + 1);
        (line as usize, (offset.saturating_sub(start) + 1) as usize)
    }
}

impl<R: BufRead> Read for LineCounter<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = {
            let avail = self.fill_buf()?;
            let n = avail.len().min(buf.len());
            buf[..n].copy_from_slice(&avail[..n]);
            n
        };
        self.consume(n);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for LineCounter<R> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        self.inner.fill_buf()
    }

    fn consume(&mut self, amt: usize) {
        if let Ok(buf) = self.inner.fill_buf() {
            let amt = amt.min(buf.len());
            for (i, _) in buf[..amt].iter().enumerate().filter(|(_, &b)| b == b'\n') {
                if self.recent.len() == 256 {
                    self.recent.pop_front();
                }
                self.recent.push_back(self.consumed + i as u64);
                self.lines += 1;
            }
        }
        self.consumed += amt as u64;
        self.inner.consume(amt);
    }
}

/// What the walker reports.
pub(crate) enum Node<'a> {
    /// An element opened; `path` ends with its name.
    Open {
        path: &'a [String],
        attrs: Vec<(String, String)>,
    },
    /// An element closed; `text` is its own text (not its children's).
    Close { path: &'a [String], text: String },
}

/// Walks `input`, calling `on` for every element opened and closed. The
/// document's root element must be `root`.
pub(crate) fn walk<R: BufRead>(
    input: R,
    root: &Root,
    mut on: impl FnMut(Node<'_>) -> Result<(), ParseError>,
) -> Result<(), Failure> {
    let mut reader = Reader::from_reader(LineCounter::new(input));
    reader.config_mut().expand_empty_elements = true;
    reader.config_mut().check_end_names = true;
    let mut buf = Vec::with_capacity(64 * 1024);
    let mut path: Vec<String> = Vec::new();
    let mut texts: Vec<String> = Vec::new();
    let mut seen_root = false;
    let at = |reader: &Reader<LineCounter<R>>, offset: u64, message: String| {
        let (line, column) = reader.get_ref().position(offset);
        ParseError {
            line,
            column,
            message,
        }
    };
    loop {
        buf.clear();
        let event = match reader.read_event_into(&mut buf) {
            Ok(e) => e,
            Err(e) if !seen_root => return Err(root.not_it(format!("it is not XML ({e})"))),
            Err(e) => {
                let offset = reader.error_position();
                return Err(at(&reader, offset, format!("malformed XML: {e}")).into());
            }
        };
        let here = reader.buffer_position();
        let bad_encoding = |reader: &Reader<LineCounter<R>>,
                            e: quick_xml::encoding::EncodingError| {
            at(
                reader,
                here,
                format!("text that is not valid in its encoding: {e}"),
            )
        };
        match event {
            Event::Start(e) => {
                let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
                let decoder = reader.decoder();
                let attrs = e
                    .attributes()
                    .flatten()
                    .map(|a| {
                        let key = String::from_utf8_lossy(a.key.as_ref()).into_owned();
                        let value = a
                            .decode_and_unescape_value(decoder)
                            .map(|v| v.into_owned())
                            .unwrap_or_else(|_| String::from_utf8_lossy(&a.value).into_owned());
                        (key, value)
                    })
                    .collect::<Vec<_>>();
                if !seen_root && !root.matches(&name, &attrs) {
                    return Err(root.not_it(format!(
                        "its root element is <{name}>, expected {}",
                        root.expected
                    )));
                }
                seen_root = true;
                path.push(name);
                texts.push(String::new());
                on(Node::Open { path: &path, attrs })?;
            }
            Event::End(_) => {
                let text = texts.pop().unwrap_or_default();
                on(Node::Close { path: &path, text })?;
                path.pop();
            }
            Event::Text(t) if !seen_root && !t.iter().all(u8::is_ascii_whitespace) => {
                return Err(root.not_it(format!(
                    "it is not XML: it starts with {}",
                    super::how_it_starts(&String::from_utf8_lossy(&t))
                )));
            }
            Event::Text(t) => {
                if let Some(cur) = texts.last_mut() {
                    cur.push_str(&t.decode().map_err(|e| bad_encoding(&reader, e))?);
                }
            }
            Event::CData(t) => {
                if let Some(cur) = texts.last_mut() {
                    cur.push_str(&t.decode().map_err(|e| bad_encoding(&reader, e))?);
                }
            }
            Event::GeneralRef(r) => {
                if let Some(cur) = texts.last_mut() {
                    let name = r.decode().map_err(|e| bad_encoding(&reader, e))?;
                    match crate::entities::resolve(&name) {
                        Some(c) => cur.push_str(&c),
                        // Unknown: kept as written; never expanded.
                        None => {
                            cur.push('&');
                            cur.push_str(&name);
                            cur.push(';');
                        }
                    }
                }
            }
            Event::DocType(d) => {
                let text = String::from_utf8_lossy(d.as_ref()).to_ascii_uppercase();
                if text.contains("<!ENTITY") || text.contains("ENTITY") {
                    return Err(at(
                        &reader,
                        here,
                        "the export declares entities (<!ENTITY>); refused, as entity expansion can blow up memory".into(),
                    ).into());
                }
            }
            Event::Eof => {
                if let Some(open) = path.last() {
                    return Err(at(
                        &reader,
                        here,
                        format!("malformed XML: the file ends inside <{open}>"),
                    )
                    .into());
                }
                if !seen_root {
                    return Err(root.not_it(match here {
                        0 => "it is empty".into(),
                        _ => "it holds no XML element".into(),
                    }));
                }
                return Ok(());
            }
            Event::Empty(_) | Event::Comment(_) | Event::Decl(_) | Event::PI(_) => {}
        }
    }
}
