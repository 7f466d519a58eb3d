//! YAML front matter: splitting it from the body and parsing it with
//! positions that point into the whole file.
//!
//! Parsing is "raw, then checked": serde structs come out of here, and the
//! parse modules turn them into the validated model. Unknown keys are all
//! reported (not only the first) with a "did you mean".

use std::path::Path;

use serde::de::{self, DeserializeOwned, Visitor};
use serde::Deserialize;

use crate::error::{did_you_mean, Diagnostic, Position};

/// A markdown file cut in two.
#[derive(Debug, Clone, Copy)]
pub struct Split<'a> {
    /// The YAML between the `---` lines.
    pub yaml: &'a str,
    /// 1-based file line on which the YAML starts.
    pub yaml_line: usize,
    /// The markdown after the closing `---`.
    pub body: &'a str,
    /// 1-based file line on which the body starts.
    pub body_line: usize,
}

/// Cuts `text` into front matter and body.
/// Errors come as a one-item list, like every other parse step's.
pub fn split<'a>(path: &Path, text: &'a str) -> Result<Split<'a>, Vec<Diagnostic>> {
    let text_nobom = text.strip_prefix('\u{feff}').unwrap_or(text);
    let bom = text.len() - text_nobom.len();
    let first_end = text_nobom.find('\n').map_or(text_nobom.len(), |i| i + 1);
    if text_nobom[..first_end].trim_end() != "---" {
        return Err(vec![Diagnostic::error(
            path,
            Some(Position::new(1, 1)),
            "missing front matter",
        )
        .with_help("expected the file to start with a `---` line, then YAML, then `---`")
        .with_source(text)]);
    }
    let yaml_start = bom + first_end;
    let mut offset = yaml_start;
    for line in text[yaml_start..].split_inclusive('\n') {
        if line.trim_end() == "---" {
            let body_start = offset + line.len();
            return Ok(Split {
                yaml: &text[yaml_start..offset],
                yaml_line: 2,
                body: &text[body_start..],
                body_line: Position::of_offset(text, body_start).line,
            });
        }
        offset += line.len();
    }
    Err(vec![Diagnostic::error(
        path,
        Some(Position::new(1, 1)),
        "front matter is never closed",
    )
    .with_help("expected a second `---` line after the YAML")
    .with_source(text)])
}

/// Parses `yaml` (starting at file line `first_line`) into `T`, reporting
/// type errors and every unknown key. `file_text` is the whole file, for
/// snippets. Unknown keys do not stop the parse: they come back beside the
/// value, so the caller can report the file's other problems too.
pub fn parse<T: DeserializeOwned>(
    path: &Path,
    file_text: &str,
    yaml: &str,
    first_line: usize,
) -> Result<(T, Vec<Diagnostic>), Vec<Diagnostic>> {
    if let Some(at) = too_deep(yaml) {
        return Err(vec![nesting_error(path, file_text, at, first_line)]);
    }
    // An empty document is an empty mapping, so "missing title" is reported
    // rather than "invalid type: unit".
    let doc = if yaml.trim().is_empty() { "{}" } else { yaml };
    // One parse on the happy path: into a tree, whose keys we check, then
    // into `T`. Only when that fails is the text parsed again straight into
    // `T`, for an error with its position.
    let tree: serde_yaml::Value = match serde_yaml::from_str(doc) {
        Ok(tree) => tree,
        Err(err) => return Err(vec![yaml_error(path, file_text, &err, first_line)]),
    };
    let mut problems = unknown_keys::<T>(path, file_text, yaml, &tree, first_line);
    let typed = T::deserialize(tree).or_else(|_| serde_yaml::from_str::<T>(doc));
    match typed {
        Ok(value) => Ok((value, problems)),
        Err(err) => {
            problems.insert(0, yaml_error(path, file_text, &err, first_line));
            Err(problems)
        }
    }
}

/// How deeply YAML may nest (block indentation, `- - ` entries and
/// `[`/`{` together). The YAML parser's scanner is quadratic in nesting
/// (100,000 levels took a minute before it gave up at its own limit of
/// 128), so nesting is measured first, in one pass.
pub const MAX_NESTING: usize = 64;

/// Where `yaml` first nests deeper than [`MAX_NESTING`] (relative to
/// `yaml`), if it does. A cheap over-estimate: brackets count only where
/// a flow collection can start (after `:`, `-`, `,`, `[`, `{` or at the
/// start of a value), not inside quotes or comments.
pub fn too_deep(yaml: &str) -> Option<Position> {
    let mut indents: Vec<usize> = Vec::new();
    let mut flow = 0usize;
    for (n, line) in yaml.lines().enumerate() {
        let bytes = line.as_bytes();
        let mut i = bytes.iter().take_while(|&&b| b == b' ').count();
        if flow == 0 {
            if i == bytes.len() || bytes[i] == b'#' {
                continue;
            }
            while indents.last().is_some_and(|&top| top >= i) {
                indents.pop();
            }
            indents.push(i);
            if indents.len() > MAX_NESTING {
                return Some(Position::new(n + 1, line[..i].chars().count() + 1));
            }
            // `- - - x`: each entry of a compact sequence is a level.
            while bytes[i..].starts_with(b"- ") {
                i += 2;
                while bytes.get(i) == Some(&b' ') {
                    i += 1;
                }
                indents.push(i);
                if indents.len() > MAX_NESTING {
                    return Some(Position::new(n + 1, line[..i].chars().count() + 1));
                }
            }
        }
        let mut quote: Option<u8> = None;
        let mut prev = b':';
        let mut j = i;
        while j < bytes.len() {
            if let Some(q) = quote {
                // Straight to the quote that ends it. In a double-quoted
                // scalar a backslash escapes what follows (`\"` ends
                // nothing); in a single-quoted one `''` is a quote.
                // Comment files are mostly quoted text.
                let rest = &bytes[j..];
                let Some(k) = (match q {
                    b'"' => memchr::memchr2(b'"', b'\\', rest),
                    _ => memchr::memchr(q, rest),
                }) else {
                    break;
                };
                j += k;
                match bytes[j] {
                    b'\'' if bytes.get(j + 1) == Some(&b'\'') => j += 2,
                    b if b == q => {
                        quote = None;
                        j += 1;
                    }
                    _ => j += 2,
                }
                continue;
            }
            let b = bytes[j];
            match b {
                b'\'' | b'"' if matches!(prev, b':' | b'-' | b',' | b'[' | b'{' | b'?') => {
                    quote = Some(b)
                }
                b'#' if j > 0 && bytes[j - 1] == b' ' => break,
                b'[' | b'{' if matches!(prev, b':' | b'-' | b',' | b'[' | b'{' | b'?') => {
                    flow += 1;
                    if indents.len() + flow > MAX_NESTING {
                        return Some(Position::new(n + 1, line[..j].chars().count() + 1));
                    }
                }
                b']' | b'}' if flow > 0 => flow -= 1,
                // Inside a plain scalar (`a[1]`): text, and what follows too.
                b'[' | b'{' => {
                    prev = b'a';
                    j += 1;
                    continue;
                }
                _ => {}
            }
            if b != b' ' {
                prev = b;
            }
            j += 1;
        }
    }
    None
}

/// The error for YAML nested deeper than [`MAX_NESTING`] at `at`.
pub fn nesting_error(path: &Path, file_text: &str, at: Position, first_line: usize) -> Diagnostic {
    Diagnostic::error(
        path,
        Some(shift(at, first_line)),
        format!("nested deeper than {MAX_NESTING} levels"),
    )
    .with_help("front matter and comment files are data, not trees: flatten it")
    .with_source(file_text)
}

/// A serde_yaml error placed at its file position.
pub fn yaml_error(
    path: &Path,
    file_text: &str,
    err: &serde_yaml::Error,
    first_line: usize,
) -> Diagnostic {
    let position = err
        .location()
        .map(|l| Position::new(l.line() + first_line - 1, l.column()))
        .or(Some(Position::new(first_line, 1)));
    // serde_yaml appends " at line L column C" (relative to the YAML); we
    // show our own file-relative position instead.
    let mut message = err.to_string();
    if let Some(i) = message.find(" at line ") {
        message.truncate(i);
    }
    Diagnostic::error(path, position, message).with_source(file_text)
}

/// Reports keys of the top-level mapping that `T` does not know.
fn unknown_keys<T: DeserializeOwned>(
    path: &Path,
    file_text: &str,
    yaml: &str,
    tree: &serde_yaml::Value,
    first_line: usize,
) -> Vec<Diagnostic> {
    let known = field_names::<T>();
    let serde_yaml::Value::Mapping(map) = tree else {
        return Vec::new();
    };
    map.keys()
        .filter_map(|k| k.as_str())
        .filter(|k| !known.contains(k))
        .map(|key| {
            let position = locate_key(yaml, key).map(|p| shift(p, first_line));
            let help = match did_you_mean(key, known) {
                Some(s) => format!("did you mean `{s}`? expected one of: {}", known.join(", ")),
                None => format!("expected one of: {}", known.join(", ")),
            };
            Diagnostic::error(path, position, format!("unknown field `{key}`"))
                .with_help(help)
                .with_source(file_text)
        })
        .collect()
}

/// Moves a YAML-relative position to the file's lines.
pub fn shift(p: Position, first_line: usize) -> Position {
    Position::new(p.line + first_line - 1, p.column)
}

/// The position of top-level `key:` in `yaml`.
pub fn locate_key(yaml: &str, key: &str) -> Option<Position> {
    let mut offset = 0;
    for line in yaml.split_inclusive('\n') {
        let rest = line
            .strip_prefix(key)
            .or_else(|| line.strip_prefix(&format!("\"{key}\"")));
        if rest.is_some_and(|r| r.trim_start().starts_with(':')) {
            return Some(Position::of_offset(yaml, offset));
        }
        offset += line.len();
    }
    None
}

/// The position of `value` inside the value of top-level `key` (which may
/// span several lines, as a block list does), else of the key itself.
pub fn locate_value(yaml: &str, key: &str, value: &str) -> Option<Position> {
    let start = locate_key(yaml, key)?;
    let mut offset = 0;
    for (i, line) in yaml.split_inclusive('\n').enumerate() {
        let n = i + 1;
        if n > start.line
            && !line.starts_with(' ')
            && !line.starts_with('-')
            && !line.trim().is_empty()
        {
            break; // the next top-level key
        }
        if n >= start.line {
            let from = if n == start.line {
                line.find(':').map_or(0, |c| c + 1)
            } else {
                0
            };
            if let Some(col) = line[from..].find(value) {
                return Some(Position::of_offset(yaml, offset + from + col));
            }
        }
        offset += line.len();
    }
    Some(start)
}

/// The field names a serde struct accepts, asked of its `Deserialize` impl
/// so the list can never drift from the struct.
pub fn field_names<T: DeserializeOwned>() -> &'static [&'static str] {
    struct Probe(Option<&'static [&'static str]>);
    #[derive(Debug)]
    struct Stop;
    impl std::fmt::Display for Stop {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("probe")
        }
    }
    impl std::error::Error for Stop {}
    impl de::Error for Stop {
        fn custom<M: std::fmt::Display>(_: M) -> Self {
            Stop
        }
    }
    impl<'de> de::Deserializer<'de> for &mut Probe {
        type Error = Stop;
        fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Stop> {
            Err(Stop)
        }
        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _: &'static str,
            fields: &'static [&'static str],
            _: V,
        ) -> Result<V::Value, Stop> {
            self.0 = Some(fields);
            Err(Stop)
        }
        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
            bytes byte_buf option unit unit_struct newtype_struct seq tuple
            tuple_struct map enum identifier ignored_any
        }
    }
    let mut probe = Probe(None);
    let _ = T::deserialize(&mut probe);
    probe.0.unwrap_or(&[])
}

/// A value that may be given as one item or a list (`tags: CRM` or
/// `tags: [CRM, VRM]`), as Hugo and Jekyll accept.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OneOrMany(pub Vec<String>);

impl<'de> Deserialize<'de> for OneOrMany {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            One(String),
            Many(Vec<String>),
        }
        match Raw::deserialize(d) {
            Ok(Raw::One(s)) => Ok(OneOrMany(vec![s])),
            Ok(Raw::Many(v)) => Ok(OneOrMany(v)),
            Err(_) => Err(de::Error::custom(
                "invalid type: expected a string or a list of strings",
            )),
        }
    }
}

/// A string or a number used as an identifier (comment and entry ids).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Id(pub String);

impl<'de> Deserialize<'de> for Id {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match serde_yaml::Value::deserialize(d)? {
            serde_yaml::Value::String(s) => Ok(Id(s)),
            serde_yaml::Value::Number(n) => Ok(Id(n.to_string())),
            _ => Err(de::Error::custom(
                "invalid type: expected an id (a string or a number)",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize, Debug)]
    #[allow(dead_code)]
    struct Sample {
        title: String,
        #[serde(default)]
        tags: Vec<String>,
    }

    #[test]
    fn splits_and_reports_body_line() {
        let text = "---\ntitle: A\n---\nbody\n";
        let s = split(Path::new("a.md"), text).unwrap();
        assert_eq!(s.yaml, "title: A\n");
        assert_eq!(s.body, "body\n");
        assert_eq!(s.body_line, 4);
    }

    #[test]
    fn deep_nesting_is_refused_at_its_place_in_one_pass() {
        let deep = format!(
            "title: T\nextra:\n  x: {}{}\n",
            "[".repeat(100_000),
            "]".repeat(100_000)
        );
        let errs = parse::<serde_yaml::Value>(Path::new("a.md"), &deep, &deep, 2).unwrap_err();
        assert_eq!(errs[0].message, "nested deeper than 64 levels");
        assert_eq!(errs[0].position, Some(Position::new(4, 68)));
        let block: String = (0..70)
            .map(|i| format!("{}k{i}:\n", "  ".repeat(i)))
            .collect();
        assert_eq!(too_deep(&block), Some(Position::new(65, 129)));
        assert_eq!(too_deep(&"- ".repeat(100)), Some(Position::new(1, 129)));
        // Brackets inside text are no nesting.
        let text = format!(
            "title: \"{}\"\nsummary: a{}\nlinks: [[a], {{b: [c]}}]\n",
            "[".repeat(99),
            "[".repeat(99)
        );
        assert_eq!(too_deep(&text), None);
        // Nor after an escaped quote, which ends no double-quoted scalar.
        let escaped = format!("- body: \"a \\\", {}\"\n", "[".repeat(99));
        assert!(serde_yaml::from_str::<serde_yaml::Value>(&escaped).is_ok());
        assert_eq!(too_deep(&escaped), None);
        let quoted = format!("- body: 'it'', {}'\n", "[".repeat(99));
        assert!(serde_yaml::from_str::<serde_yaml::Value>(&quoted).is_ok());
        assert_eq!(too_deep(&quoted), None);
    }

    #[test]
    fn unclosed_front_matter_is_an_error() {
        let err = split(Path::new("a.md"), "---\ntitle: A\n").unwrap_err();
        assert!(err[0].message.contains("never closed"));
    }

    #[test]
    fn field_names_come_from_the_struct() {
        assert_eq!(field_names::<Sample>(), &["title", "tags"]);
    }

    #[test]
    fn every_unknown_key_is_reported_with_its_file_line() {
        let text = "---\ntitel: A\ntags: []\ncolour: red\n---\n";
        let s = split(Path::new("a.md"), text).unwrap();
        let errs = parse::<Sample>(Path::new("a.md"), text, s.yaml, s.yaml_line).unwrap_err();
        let msgs: Vec<_> = errs
            .iter()
            .map(|d| (d.message.clone(), d.position.unwrap().line))
            .collect();
        assert!(
            msgs.contains(&("missing field `title`".into(), 2)),
            "{msgs:?}"
        );
        assert!(msgs.contains(&("unknown field `titel`".into(), 2)));
        assert!(msgs.contains(&("unknown field `colour`".into(), 4)));
        let titel = errs.iter().find(|d| d.message.contains("titel")).unwrap();
        assert!(titel
            .help
            .as_deref()
            .unwrap()
            .contains("did you mean `title`"));
    }

    #[test]
    fn type_errors_point_at_the_file_line() {
        let text = "---\ntitle: A\ntags: {a: 1}\n---\n";
        let s = split(Path::new("a.md"), text).unwrap();
        let errs = parse::<Sample>(Path::new("a.md"), text, s.yaml, s.yaml_line).unwrap_err();
        assert_eq!(errs[0].position.unwrap().line, 3, "{errs:?}");
        assert_eq!(errs[0].line_text.as_deref(), Some("tags: {a: 1}"));
    }

    #[test]
    fn locates_values_in_block_lists() {
        let yaml = "title: A\nauthors:\n  - ann\n  - bob\ntags: [x]\n";
        assert_eq!(
            locate_value(yaml, "authors", "bob"),
            Some(Position::new(4, 5))
        );
        assert_eq!(locate_value(yaml, "tags", "x"), Some(Position::new(5, 8)));
    }
}
