//! Untrusted HTML to readable markdown.
//!
//! The HTML is sanitized first (the allowlist in [`crate::sanitize`]), so
//! what is converted is well-formed and harmless. Paragraphs, links,
//! emphasis, code, blockquotes, lists, headings, images, rules and line
//! breaks become markdown; anything else (tables, `sup`, `del`, ...) is
//! kept as the sanitized HTML it already is, so nothing is lost.
//!
//! The sanitizer's output is read with html5ever's tokenizer and what
//! stays HTML is written by html5ever's serializer, the pair the sanitizer
//! itself uses. The conversion stays ours: on our fixtures htmd (faithful
//! mode) writes `&amp;oacute;` as `&oacute;`, which the build would then
//! decode a second time, keeps every sanitized link and Mastodon mention
//! as raw HTML (they carry `rel`/`span`), and turns a headless table into
//! `| kept |` text; it would also bring a second html5ever (0.38).

use std::cell::RefCell;

use html5ever::serialize::{HtmlSerializer, SerializeOpts, Serializer};
use html5ever::tokenizer::{TagKind, Token, TokenSink, TokenSinkResult};
use html5ever::{ns, LocalName, QualName};

use crate::sanitize::sanitize;

#[derive(Debug)]
enum Node {
    Text(String),
    El {
        name: String,
        attrs: Vec<(String, String)>,
        children: Vec<Node>,
    },
}

/// An open element while parsing: name, attributes, children.
type Open = (String, Vec<(String, String)>, Vec<Node>);

const VOID: [&str; 8] = ["br", "img", "hr", "wbr", "col", "area", "source", "track"];
const BLOCK: [&str; 14] = [
    "p",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "ul",
    "ol",
    "pre",
    "hr",
    "div",
    "table",
];

/// Converts untrusted `html` into markdown (with sanitized inline HTML for
/// what markdown cannot say).
pub fn html_to_markdown(html: &str) -> String {
    let clean = sanitize(html);
    let nodes = parse(&clean);
    let mut out = String::new();
    blocks(&nodes, &mut out);
    let mut text = out.trim().to_owned();
    text.push('\n');
    text
}

/// Builds the tree of the sanitizer's output with html5ever's tokenizer
/// (the sanitizer's HTML is well formed, so a stack is a tree builder).
fn parse(html: &str) -> Vec<Node> {
    let sink = TreeSink {
        stack: RefCell::new(vec![(String::new(), Vec::new(), Vec::new())]),
    };
    let sink = crate::entities::tokenize(html, sink);
    let mut stack = sink.stack.into_inner();
    while stack.len() > 1 {
        close(&mut stack);
    }
    stack.pop().map(|(_, _, c)| c).unwrap_or_default()
}

/// The tokenizer's sink: open elements with their children so far.
struct TreeSink {
    stack: RefCell<Vec<Open>>,
}

impl TokenSink for TreeSink {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        let mut stack = self.stack.borrow_mut();
        match token {
            Token::CharacterTokens(t) => {
                let children = &mut stack.last_mut().expect("the root stays").2;
                // The tokenizer cuts text at character references.
                match children.last_mut() {
                    Some(Node::Text(s)) => s.push_str(&t),
                    _ => children.push(Node::Text(t.to_string())),
                }
            }
            Token::TagToken(tag) if tag.kind == TagKind::EndTag => {
                if let Some(pos) = stack.iter().rposition(|(n, _, _)| *n == *tag.name) {
                    if pos > 0 {
                        while stack.len() > pos {
                            close(&mut stack);
                        }
                    }
                }
            }
            Token::TagToken(tag) => {
                let name = tag.name.to_string();
                let attrs = tag
                    .attrs
                    .iter()
                    .map(|a| (a.name.local.to_string(), a.value.to_string()))
                    .collect();
                if VOID.contains(&name.as_str()) {
                    stack.last_mut().expect("the root stays").2.push(Node::El {
                        name,
                        attrs,
                        children: Vec::new(),
                    });
                } else {
                    stack.push((name, attrs, Vec::new()));
                }
            }
            _ => {}
        }
        TokenSinkResult::Continue
    }
}

fn close(stack: &mut Vec<Open>) {
    let (name, attrs, children) = stack.pop().unwrap();
    stack.last_mut().unwrap().2.push(Node::El {
        name,
        attrs,
        children,
    });
}

fn attr<'a>(attrs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    attrs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

fn is_block(n: &Node) -> bool {
    match n {
        Node::El { name, .. } => {
            BLOCK.contains(&name.as_str())
                || matches!(
                    name.as_str(),
                    "dl" | "figure" | "section" | "article" | "header" | "footer" | "aside"
                )
        }
        Node::Text(_) => false,
    }
}

/// Renders a sequence of nodes as blocks separated by blank lines; runs of
/// inline nodes become paragraphs.
fn blocks(nodes: &[Node], out: &mut String) {
    let mut run: Vec<&Node> = Vec::new();
    let flush = |run: &mut Vec<&Node>, out: &mut String| {
        let mut s = String::new();
        for n in run.drain(..) {
            inline(n, &mut s);
        }
        let s = s.trim();
        if !s.is_empty() {
            push_block(out, s);
        }
    };
    for n in nodes {
        if is_block(n) {
            flush(&mut run, out);
            block(n, out);
        } else {
            run.push(n);
        }
    }
    flush(&mut run, out);
}

fn push_block(out: &mut String, s: &str) {
    if !out.is_empty() {
        out.push_str("\n\n");
    }
    out.push_str(s);
}

fn block(n: &Node, out: &mut String) {
    let Node::El {
        name,
        attrs: _,
        children,
    } = n
    else {
        return;
    };
    match name.as_str() {
        "p" => {
            let mut s = String::new();
            inlines(children, &mut s);
            let s = s.trim();
            if !s.is_empty() {
                push_block(out, s);
            }
        }
        h if h.len() == 2 && h.starts_with('h') && h.as_bytes()[1].is_ascii_digit() => {
            let level = h[1..].parse::<usize>().unwrap_or(1);
            let mut s = String::new();
            inlines(children, &mut s);
            push_block(out, &format!("{} {}", "#".repeat(level), s.trim()));
        }
        "blockquote" => {
            let mut inner = String::new();
            blocks(children, &mut inner);
            let quoted: Vec<String> = inner
                .lines()
                .map(|l| {
                    if l.is_empty() {
                        ">".to_owned()
                    } else {
                        format!("> {l}")
                    }
                })
                .collect();
            push_block(out, &quoted.join("\n"));
        }
        "ul" | "ol" => {
            let mut s = String::new();
            let mut k = 0;
            for child in children {
                let Node::El {
                    name, children: li, ..
                } = child
                else {
                    continue;
                };
                if name != "li" {
                    continue;
                }
                k += 1;
                let marker = if n_is(n, "ol") {
                    format!("{k}. ")
                } else {
                    "- ".to_owned()
                };
                let mut inner = String::new();
                blocks(li, &mut inner);
                let indent = " ".repeat(marker.len());
                for (i, line) in inner.lines().enumerate() {
                    if i == 0 {
                        s.push_str(&marker);
                        s.push_str(line);
                    } else if line.is_empty() {
                        // keep the item tight
                        continue;
                    } else {
                        s.push_str(&indent);
                        s.push_str(line);
                    }
                    s.push('\n');
                }
                if inner.is_empty() {
                    s.push_str(marker.trim_end());
                    s.push('\n');
                }
            }
            push_block(out, s.trim_end());
        }
        "pre" => {
            let code = text_of(children);
            let longest = longest_run(&code, '`');
            let fence = "`".repeat(longest.max(2) + 1);
            push_block(
                out,
                &format!("{fence}\n{}\n{fence}", code.trim_end_matches('\n')),
            );
        }
        "hr" => push_block(out, "* * *"),
        "div" | "section" | "article" | "header" | "footer" | "aside" => blocks(children, out),
        _ => {
            // Tables and the like: kept as HTML, on lines with no blank one
            // inside, so markdown takes it as one HTML block.
            let mut s = String::new();
            serialize(n, &mut s);
            let s: Vec<&str> = s.lines().filter(|l| !l.trim().is_empty()).collect();
            push_block(out, &s.join("\n"));
        }
    }
}

fn n_is(n: &Node, want: &str) -> bool {
    matches!(n, Node::El { name, .. } if name == want)
}

fn inlines(nodes: &[Node], out: &mut String) {
    for n in nodes {
        inline(n, out);
    }
}

fn inline(n: &Node, out: &mut String) {
    match n {
        Node::Text(t) => escape_into(t, out),
        Node::El {
            name,
            attrs,
            children,
        } => match name.as_str() {
            "em" | "i" => wrap(children, "*", out),
            "strong" | "b" => wrap(children, "**", out),
            "code" | "tt" => {
                let t = text_of(children).replace('\n', " ");
                let ticks = "`".repeat(longest_run(&t, '`') + 1);
                let pad = if t.starts_with('`') || t.ends_with('`') {
                    " "
                } else {
                    ""
                };
                out.push_str(&format!("{ticks}{pad}{t}{pad}{ticks}"));
            }
            "br" => out.push_str("\\\n"),
            "a" => match attr(attrs, "href") {
                Some(href) if !href.is_empty() => {
                    let mut label = String::new();
                    inlines(children, &mut label);
                    let label = label.trim();
                    out.push('[');
                    out.push_str(if label.is_empty() { href } else { label });
                    out.push_str("](");
                    out.push_str(&link_dest(href));
                    if let Some(t) = attr(attrs, "title") {
                        out.push_str(&format!(" \"{}\"", t.replace('"', "\\\"")));
                    }
                    out.push(')');
                }
                _ => inlines(children, out),
            },
            "img" => {
                if let Some(src) = attr(attrs, "src") {
                    let alt = attr(attrs, "alt").unwrap_or("");
                    out.push_str("![");
                    escape_into(alt, out);
                    out.push_str("](");
                    out.push_str(&link_dest(src));
                    out.push(')');
                }
            }
            "span" | "font" | "li" | "dd" | "dt" => inlines(children, out),
            _ if is_block(n) => {
                let mut s = String::new();
                block(n, &mut s);
                out.push_str(&s);
            }
            _ => serialize(n, out),
        },
    }
}

fn wrap(children: &[Node], mark: &str, out: &mut String) {
    let mut s = String::new();
    inlines(children, &mut s);
    let t = s.trim();
    if t.is_empty() {
        out.push_str(&s);
        return;
    }
    // Emphasis must hug its text: spaces go outside the markers.
    if s.starts_with(char::is_whitespace) {
        out.push(' ');
    }
    out.push_str(mark);
    out.push_str(t);
    out.push_str(mark);
    if s.ends_with(char::is_whitespace) {
        out.push(' ');
    }
}

fn link_dest(url: &str) -> String {
    if url.contains([' ', '(', ')', '<', '>']) {
        format!("<{}>", url.replace('<', "%3C").replace('>', "%3E"))
    } else {
        url.to_owned()
    }
}

fn longest_run(s: &str, c: char) -> usize {
    let (mut best, mut cur) = (0, 0);
    for ch in s.chars() {
        if ch == c {
            cur += 1;
            best = best.max(cur);
        } else {
            cur = 0;
        }
    }
    best
}

fn text_of(nodes: &[Node]) -> String {
    let mut s = String::new();
    for n in nodes {
        match n {
            Node::Text(t) => s.push_str(t),
            Node::El { name, children, .. } => {
                if name == "br" {
                    s.push('\n');
                }
                s.push_str(&text_of(children));
            }
        }
    }
    s
}

/// Escapes what markdown would read as syntax; whitespace collapses as in
/// HTML.
fn escape_into(text: &str, out: &mut String) {
    let mut last_space = out.ends_with(' ') || out.ends_with('\n') || out.is_empty();
    for c in text.chars() {
        if c.is_whitespace() && c != '\u{A0}' {
            if !last_space {
                out.push(' ');
                last_space = true;
            }
            continue;
        }
        let at_line_start = out.is_empty() || out.ends_with('\n') || out.ends_with("\n ");
        match c {
            '\\' | '*' | '_' | '`' | '[' | ']' | '<' | '>' | '&' | '|' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '#' | '-' | '+' | '=' if at_line_start => {
                out.push('\\');
                out.push(c);
            }
            '\u{A0}' => out.push_str("&nbsp;"),
            _ => out.push(c),
        }
        last_space = false;
    }
    // "1. " at the start of a paragraph would become a list.
    if let Some(dot) = out.rfind(['.', ')']) {
        let line_start = out[..dot].rfind('\n').map_or(0, |i| i + 1);
        if dot > line_start
            && out[line_start..dot].bytes().all(|b| b.is_ascii_digit())
            && line_start == 0
        {
            out.insert(dot, '\\');
        }
    }
}

/// Writes `n` back as HTML (it came from the sanitizer, so it is safe),
/// escaped as the sanitizer escapes, by the same serializer.
fn serialize(n: &Node, out: &mut String) {
    let opts = SerializeOpts {
        create_missing_parent: true,
        ..SerializeOpts::default()
    };
    let mut ser = HtmlSerializer::new(Vec::new(), opts);
    write_node(n, &mut ser).expect("writing to memory");
    out.push_str(&String::from_utf8(ser.writer).expect("the serializer writes UTF-8"));
}

fn write_node(n: &Node, ser: &mut HtmlSerializer<Vec<u8>>) -> std::io::Result<()> {
    match n {
        Node::Text(t) => ser.write_text(t),
        Node::El {
            name,
            attrs,
            children,
        } => {
            let qual = |ns, local: &str| QualName::new(None, ns, LocalName::from(local));
            let name = qual(ns!(html), name);
            let names: Vec<QualName> = attrs.iter().map(|(k, _)| qual(ns!(), k)).collect();
            let pairs = names.iter().zip(attrs).map(|(k, (_, v))| (k, v.as_str()));
            ser.start_elem(name.clone(), pairs)?;
            for c in children {
                write_node(c, ser)?;
            }
            ser.end_elem(name)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_html_becomes_markdown() {
        let md = html_to_markdown(
            "<h2>Why</h2><p>A <em>good</em> <strong>bridge</strong> and <code>x</code>, see <a href=\"https://e.org/\">this</a>.</p><ul><li>one</li><li>two</li></ul><ol><li>first</li></ol><blockquote><p>quoted</p></blockquote><pre><code>let x = 1;\n</code></pre><p>line<br>break <img src=\"https://e.org/i.png\" alt=\"pic\"></p>",
        );
        for want in [
            "## Why",
            "A *good* **bridge** and `x`, see [this](https://e.org/).",
            "- one\n- two",
            "1. first",
            "> quoted",
            "```\nlet x = 1;\n```",
            "line\\\nbreak ![pic](https://e.org/i.png)",
        ] {
            assert!(md.contains(want), "{want:?} not in {md}");
        }
    }

    #[test]
    fn what_markdown_cannot_say_stays_sanitized_html() {
        let md = html_to_markdown(
            "<p>E=mc<sup>2</sup></p><table><tr><td onclick=\"x()\">a</td></tr></table><script>alert(1)</script><img src=x onerror=alert(1)>",
        );
        assert!(md.contains("E=mc<sup>2</sup>"), "{md}");
        assert!(md.contains("<table>"), "{md}");
        for bad in ["script", "onclick", "onerror", "alert"] {
            assert!(!md.contains(bad), "{bad} in {md}");
        }
    }

    #[test]
    fn rules_are_rules_not_headings() {
        assert_eq!(
            html_to_markdown("<p>a</p><hr><p>b</p>"),
            "a\n\n* * *\n\nb\n"
        );
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_html_never_panics_or_leaks_scripts(s in "(<p>|</p>|<h2>|<hr>|<ul>|<li>|</ul>|<ol>|<pre>|<code>|<a href=\"https://e.org/\">|</a>|<script>|<img src=x onerror=alert(1)>|<table><tr><td>|&amp;|&lt;|[a-z *_#1.\n]){0,60}") {
            let md = html_to_markdown(&s);
            proptest::prop_assert!(!md.contains("<script"));
            proptest::prop_assert!(!md.contains("onerror"));
        }
    }

    #[test]
    fn markdown_syntax_in_text_is_escaped() {
        let md = html_to_markdown("<p>*not bold* and [x] &amp; 1 &lt; 2</p><p># not a heading</p>");
        assert!(md.contains("\\*not bold\\*"), "{md}");
        assert!(md.contains("\\# not a heading"), "{md}");
        assert!(md.contains("1 \\< 2"), "{md}");
    }
}
