//! Adding entries to an existing thread file without rewriting it: the
//! new entries' YAML is inserted, as text, at the end of the `entries:`
//! list, so every byte the curator wrote stays as it was. The result is
//! read back and must equal the old front matter plus the new entries,
//! or nothing is written.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use crate::error::{Diagnostic, Error, Position};
use crate::frontmatter;

/// The ids a thread file already has, and where its entries end.
#[derive(Debug)]
pub struct Existing {
    /// Ids of `entries:`, in file order.
    pub ids: Vec<String>,
    /// Ids listed in `skip:`.
    pub skip: Vec<String>,
    /// Column of the entries' `-`, for new ones to line up.
    pub indent: usize,
    /// `source: { url }`, to recognise the conversation.
    pub source_url: Option<String>,
    /// The entries' dates as written, for notes.
    pub dates: Vec<String>,
}

/// For messages given as (id, former id), the file's id of each one the
/// file holds only by its former id: a file written before ids were
/// namespaced by their source.
pub fn former_ids<'a>(
    existing: &Existing,
    messages: impl Iterator<Item = (&'a String, Option<&'a String>)>,
) -> HashMap<String, String> {
    let in_file: HashSet<&str> = existing
        .ids
        .iter()
        .chain(&existing.skip)
        .map(String::as_str)
        .collect();
    messages
        .filter(|(id, _)| !in_file.contains(id.as_str()))
        .filter_map(|(id, former)| {
            let former = former?;
            in_file
                .contains(former.as_str())
                .then(|| (id.clone(), former.clone()))
        })
        .collect()
}

/// Reads the ids and layout of a thread file, or says what is wrong and
/// where.
pub fn read(path: &Path, text: &str) -> Result<Existing, Vec<Diagnostic>> {
    let split = frontmatter::split(path, text)?;
    let doc = if split.yaml.trim().is_empty() {
        "{}"
    } else {
        split.yaml
    };
    let value: serde_yaml::Value = serde_yaml::from_str(doc)
        .map_err(|e| vec![frontmatter::yaml_error(path, text, &e, split.yaml_line)])?;
    let at_key = |key: &str, message: String| {
        let pos = frontmatter::locate_key(split.yaml, key).unwrap_or(Position::new(1, 1));
        vec![Diagnostic::error(
            path,
            Some(frontmatter::shift(pos, split.yaml_line)),
            message,
        )]
    };
    if !value.is_mapping() {
        return Err(at_key(
            "",
            "the front matter is not a mapping of keys".into(),
        ));
    }
    let id_of = |v: &serde_yaml::Value| match v {
        serde_yaml::Value::String(s) => Some(s.clone()),
        serde_yaml::Value::Number(n) => Some(n.to_string()),
        _ => None,
    };
    let mut ids = Vec::new();
    let mut dates = Vec::new();
    match &value["entries"] {
        serde_yaml::Value::Null => {}
        serde_yaml::Value::Sequence(list) => {
            for item in list {
                let Some(id) = id_of(&item["id"]) else {
                    return Err(at_key(
                        "entries",
                        "an entry of `entries:` has no `id`".into(),
                    ));
                };
                ids.push(id);
                if let Some(d) = id_of(&item["date"]) {
                    dates.push(d);
                }
            }
        }
        _ => return Err(at_key("entries", "`entries:` is not a list".into())),
    }
    let skip = match &value["skip"] {
        serde_yaml::Value::Null => Vec::new(),
        serde_yaml::Value::Sequence(list) => list.iter().filter_map(id_of).collect(),
        other => id_of(other).into_iter().collect(),
    };
    let source_url = value["source"]["url"].as_str().map(str::to_owned);
    let indent = entries_block(split.yaml)
        .ok()
        .flatten()
        .map_or(2, |b| b.indent);
    Ok(Existing {
        ids,
        skip,
        indent,
        source_url,
        dates,
    })
}

/// Where the block list of `entries:` is in a front matter.
#[derive(Debug, Clone, Copy)]
struct Block {
    /// Byte offset after the list's last line: where new items go.
    end: usize,
    /// Column of the items' `-`.
    indent: usize,
    /// The key's line says `[]`, `~` or `null`: it is rewritten to `entries:`.
    empty_flow: Option<(usize, usize)>,
}

/// The `entries:` block of `yaml`: `Ok(None)` when there is no such key,
/// `Err(offset)` when it is a flow list new items cannot be added to.
fn entries_block(yaml: &str) -> Result<Option<Block>, usize> {
    let mut offset = 0;
    let mut lines = yaml.split_inclusive('\n');
    let key_line = loop {
        let Some(line) = lines.next() else {
            return Ok(None);
        };
        if line.starts_with("entries:") {
            break offset;
        }
        offset += line.len();
    };
    let line = &yaml[key_line..];
    let line = &line[..line.find('\n').map_or(line.len(), |i| i + 1)];
    let after_key = &line["entries:".len()..];
    let value = after_key.split(" #").next().unwrap_or("").trim();
    let mut empty_flow = None;
    match value {
        "" => {}
        "[]" | "~" | "null" => {
            empty_flow = Some((key_line, key_line + line.len()));
        }
        _ => return Err(key_line),
    }
    let mut end = key_line + line.len();
    let mut indent = None;
    let mut pos = end;
    for l in yaml[end..].split_inclusive('\n') {
        let blank = l.trim().is_empty();
        let top_comment = l.starts_with('#');
        let inside = blank || top_comment || l.starts_with([' ', '-', '\t']);
        if !inside {
            break;
        }
        if empty_flow.is_some() && !blank && !top_comment {
            // `entries: []` followed by indented text: not ours to guess.
            return Err(key_line);
        }
        if !blank && !top_comment {
            if indent.is_none() {
                let t = l.trim_start_matches(' ');
                if t.starts_with('-') {
                    indent = Some(l.len() - t.len());
                }
            }
            end = pos + l.len();
        }
        pos += l.len();
    }
    Ok(Some(Block {
        end,
        indent: indent.unwrap_or(2),
        empty_flow,
    }))
}

/// `text` with `items` (the YAML of new list items, indented for the
/// file) added to the end of its `entries:` list. A layout new entries
/// cannot be added to is a content error at its position; a result that
/// would not read back as old plus new is refused.
pub fn insert(path: &Path, text: &str, items: &str) -> Result<String, Error> {
    let split = frontmatter::split(path, text).map_err(Error::Content)?;
    let yaml_start = split.yaml.as_ptr() as usize - text.as_ptr() as usize;
    let yaml = split.yaml;
    let new_yaml = match entries_block(yaml) {
        Err(at) => {
            let pos = frontmatter::shift(Position::of_offset(yaml, at), split.yaml_line);
            return Err(Error::Content(vec![Diagnostic::error(
                    path,
                    Some(pos),
                    "`entries:` is a flow list (`[...]`); new entries cannot be added to it",
                )
                .with_help("write the entries as a block list, one `- id: ...` item per entry, then import again")
                .with_source(text)]));
        }
        Ok(None) => {
            let mut y = yaml.to_owned();
            if !y.is_empty() && !y.ends_with('\n') {
                y.push('\n');
            }
            y.push_str("entries:\n");
            y.push_str(items);
            y
        }
        Ok(Some(b)) => match b.empty_flow {
            Some((start, end)) => format!("{}entries:\n{items}{}", &yaml[..start], &yaml[end..]),
            None => {
                let mut y = String::with_capacity(yaml.len() + items.len() + 1);
                y.push_str(&yaml[..b.end]);
                if !y.ends_with('\n') {
                    y.push('\n');
                }
                y.push_str(items);
                y.push_str(&yaml[b.end..]);
                y
            }
        },
    };
    let mut out = String::with_capacity(text.len() + items.len() + 16);
    out.push_str(&text[..yaml_start]);
    out.push_str(&new_yaml);
    out.push_str(&text[yaml_start + yaml.len()..]);
    check(path, text, &out, items)?;
    Ok(out)
}

/// The new text must read as the old front matter with the new items at
/// the end of `entries`, and the same body.
fn check(path: &Path, old: &str, new: &str, items: &str) -> Result<(), Error> {
    let unsafe_ = |why: &str| {
        Error::Refused(format!(
            "{}: adding the new entries would {why}; nothing was written (add them by hand, or tidy the file and import again)",
            path.display()
        ))
    };
    let (Ok(a), Ok(b)) = (frontmatter::split(path, old), frontmatter::split(path, new)) else {
        return Err(unsafe_("break the front matter"));
    };
    if a.body != b.body {
        return Err(unsafe_("change the introduction"));
    }
    let doc = |y: &str| -> Option<serde_yaml::Value> {
        serde_yaml::from_str(if y.trim().is_empty() { "{}" } else { y }).ok()
    };
    let (Some(mut before), Some(after)) = (doc(a.yaml), doc(b.yaml)) else {
        return Err(unsafe_("make the front matter unreadable"));
    };
    let Ok(serde_yaml::Value::Sequence(added)) = serde_yaml::from_str(items) else {
        return Err(unsafe_("write entries that do not read back"));
    };
    let Some(map) = before.as_mapping_mut() else {
        return Err(unsafe_("change the front matter"));
    };
    let key = serde_yaml::Value::from("entries");
    let mut list = match map.get(&key) {
        Some(serde_yaml::Value::Sequence(s)) => s.clone(),
        _ => Vec::new(),
    };
    list.extend(added);
    map.insert(key, serde_yaml::Value::Sequence(list));
    if before != after {
        return Err(unsafe_("change what the file already says"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const ITEM: &str = "  - id: \"9\"\n    by: ann\n    text: new\n";

    fn ids(text: &str) -> Vec<String> {
        read(Path::new("t.md"), text).unwrap().ids
    }

    #[test]
    fn new_items_go_after_the_last_entry_and_nothing_else_moves() {
        let old = "---\ntitle: T\nentries:\n  - id: 1\n    by: x\n    text: |-\n      a\n\n      b\n# curator's note\nskip: [2]\n---\nIntro\n---\nmore\n";
        let new = insert(Path::new("t.md"), old, ITEM).unwrap();
        assert_eq!(new, old.replace("      b\n", &format!("      b\n{ITEM}")));
        assert_eq!(ids(&new), ["1", "9"]);
    }

    #[test]
    fn items_line_up_with_the_files_own_indentation() {
        let old = "---\ntitle: T\nentries:\n- id: 1\n  by: x\n---\n";
        assert_eq!(read(Path::new("t.md"), old).unwrap().indent, 0);
    }

    #[test]
    fn missing_or_empty_entries_get_a_list() {
        for old in [
            "---\ntitle: T\n---\nIntro\n",
            "---\ntitle: T\nentries: []\nskip: []\n---\nIntro\n",
            "---\ntitle: T\nentries: # none yet\n---\nIntro\n",
        ] {
            let new = insert(Path::new("t.md"), old, ITEM).unwrap();
            assert_eq!(ids(&new), ["9"], "{new}");
            assert!(new.ends_with("---\nIntro\n"));
        }
    }

    #[test]
    fn flow_lists_and_broken_files_are_refused_with_a_position() {
        let old = "---\ntitle: T\nentries: [{id: 1, by: x}]\n---\n";
        match insert(Path::new("t.md"), old, ITEM) {
            Err(Error::Content(d)) => assert_eq!(d[0].position.unwrap().line, 3),
            other => panic!("{other:?}"),
        }
        let errs = read(Path::new("t.md"), "---\ntitle: [\n---\n").unwrap_err();
        assert!(errs[0].position.is_some());
        let errs = read(
            Path::new("t.md"),
            "---\ntitle: T\nentries:\n  - by: x\n---\n",
        )
        .unwrap_err();
        assert_eq!(errs[0].position.unwrap().line, 3);
    }
}
