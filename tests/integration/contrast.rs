//! Every palette of the default theme, light and dark, meets WCAG AA: the
//! shipped `style.css` is parsed, its custom properties are cascaded as a
//! browser would for `<html data-palette=…>`, and contrast ratios are
//! computed with WCAG's relative luminance.

use std::collections::HashMap;

/// Normal text (WCAG 1.4.3).
const TEXT: f64 = 4.5;
/// User-interface components and graphics (WCAG 1.4.11).
const UI: f64 = 3.0;

/// `(foreground, background, minimum)`: every pair of custom properties
/// the theme draws one on the other.
const PAIRS: &[(&str, &str, f64)] = &[
    ("--fg", "--bg", TEXT),
    ("--muted", "--bg", TEXT),
    ("--accent", "--bg", TEXT),
    ("--accent-hover", "--bg", TEXT),
    // Header, footer, sidebar boxes, tag pills and the table of contents.
    ("--fg", "--surface", TEXT),
    ("--muted", "--surface", TEXT),
    ("--accent", "--surface", TEXT),
    ("--accent-hover", "--surface", TEXT),
    // A comment reached by its link.
    ("--fg", "--target", TEXT),
    ("--muted", "--target", TEXT),
    ("--accent", "--target", TEXT),
    // Search hits and other highlights.
    ("--fg", "--mark", TEXT),
    // Code and its syntax colours.
    ("--code-fg", "--code-bg", TEXT),
    ("--hl-keyword", "--code-bg", TEXT),
    ("--hl-string", "--code-bg", TEXT),
    ("--hl-comment", "--code-bg", TEXT),
    ("--hl-constant", "--code-bg", TEXT),
    ("--hl-entity", "--code-bg", TEXT),
    ("--hl-storage", "--code-bg", TEXT),
    ("--hl-support", "--code-bg", TEXT),
    ("--hl-variable", "--code-bg", TEXT),
    // Initials on avatar tints.
    ("--fg", "--tint-1", TEXT),
    ("--fg", "--tint-2", TEXT),
    ("--fg", "--tint-3", TEXT),
    ("--fg", "--tint-4", TEXT),
    ("--fg", "--tint-5", TEXT),
    ("--fg", "--tint-6", TEXT),
    // Buttons: background-coloured text on the accent.
    ("--bg", "--accent", TEXT),
    ("--bg", "--accent-hover", TEXT),
    // Focus rings and the borders of controls, wherever they stand.
    ("--accent", "--bg", UI),
    ("--accent", "--surface", UI),
    ("--control", "--bg", UI),
    ("--control", "--surface", UI),
];

/// One style rule: its selector list, its `@media` condition if any, and
/// its declarations in order.
#[derive(Debug)]
struct Rule {
    media: Option<String>,
    selectors: Vec<String>,
    declarations: Vec<(String, String)>,
}

fn strip_comments(css: &str) -> String {
    let mut out = String::with_capacity(css.len());
    let mut rest = css;
    while let Some(start) = rest.find("/*") {
        out.push_str(&rest[..start]);
        let end = rest[start + 2..].find("*/").expect("unclosed CSS comment");
        rest = &rest[start + 2 + end + 2..];
    }
    out.push_str(rest);
    out
}

/// The text between the `{` at `open` and its matching `}`, and the index
/// after that `}`.
fn block(css: &str, open: usize) -> (&str, usize) {
    let mut depth = 0;
    for (i, c) in css[open..].char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return (&css[open + 1..open + i], open + i + 1);
                }
            }
            _ => {}
        }
    }
    panic!("unbalanced braces in style.css");
}

/// The style rules of `css`, in source order, with `@media` blocks
/// flattened (their rules carry the condition).
fn rules(css: &str, media: Option<&str>, out: &mut Vec<Rule>) {
    let mut pos = 0;
    while let Some(open) = css[pos..].find('{').map(|i| pos + i) {
        let prelude = css[pos..open].trim();
        let (body, next) = block(css, open);
        if let Some(cond) = prelude.strip_prefix("@media") {
            assert!(media.is_none(), "nested @media is not expected");
            rules(body, Some(cond.trim()), out);
        } else if !prelude.starts_with('@') {
            let declarations = body
                .split(';')
                .filter_map(|d| d.split_once(':'))
                .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
                .collect();
            out.push(Rule {
                media: media.map(str::to_owned),
                selectors: prelude.split(',').map(|s| s.trim().to_owned()).collect(),
                declarations,
            });
        }
        pos = next;
    }
}

fn parse(css: &str) -> Vec<Rule> {
    let mut out = Vec::new();
    rules(&strip_comments(css), None, &mut out);
    out
}

/// Whether a selector matches `<html data-palette="palette">`.
fn matches_root(selector: &str, palette: &str) -> bool {
    let unquoted = selector.replace(['"', '\''], "");
    selector == ":root" || selector == "html" || unquoted == format!("[data-palette={palette}]")
}

/// The palettes the stylesheet defines, in order of appearance.
fn palettes(rules: &[Rule]) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for r in rules {
        for s in &r.selectors {
            let unquoted = s.replace(['"', '\''], "");
            if let Some(name) = unquoted
                .strip_prefix("[data-palette=")
                .and_then(|n| n.strip_suffix(']'))
            {
                if !names.iter().any(|n| n == name) {
                    names.push(name.to_owned());
                }
            }
        }
    }
    names
}

/// The custom properties of the root element for `palette`, light or
/// dark: the rules that match it, applied in source order (they all have
/// the same specificity, so the last declaration wins, as in a browser).
/// Rules under other media conditions (widths, print) are not colours.
fn custom_properties(rules: &[Rule], palette: &str, dark: bool) -> HashMap<String, String> {
    let mut props = HashMap::new();
    for r in rules {
        let applies = match r.media.as_deref() {
            None => true,
            Some(m) => dark && m.replace(' ', "") == "(prefers-color-scheme:dark)",
        };
        if applies && r.selectors.iter().any(|s| matches_root(s, palette)) {
            for (k, v) in &r.declarations {
                if k.starts_with("--") {
                    props.insert(k.clone(), v.clone());
                }
            }
        }
    }
    props
}

type Rgb = [f64; 3];

/// Resolves a colour value: `#rgb`, `#rrggbb`, `var(--x)` and
/// `color-mix(in srgb, A p%, B)`, as the browser computes them.
fn color(value: &str, props: &HashMap<String, String>, depth: usize) -> Result<Rgb, String> {
    assert!(depth < 20, "var() cycle at {value}");
    let v = value.trim();
    if let Some(hex) = v.strip_prefix('#') {
        let digits: Vec<u32> = hex
            .chars()
            .map(|c| c.to_digit(16).ok_or(format!("bad hex colour {v}")))
            .collect::<Result<_, _>>()?;
        let rgb = match digits.len() {
            3 => [digits[0] * 17, digits[1] * 17, digits[2] * 17],
            6 => [
                digits[0] * 16 + digits[1],
                digits[2] * 16 + digits[3],
                digits[4] * 16 + digits[5],
            ],
            _ => return Err(format!("bad hex colour {v}")),
        };
        return Ok(rgb.map(|c| c as f64 / 255.0));
    }
    if let Some(name) = v.strip_prefix("var(").and_then(|r| r.strip_suffix(')')) {
        let name = name.trim();
        let inner = props.get(name).ok_or(format!("{name} is not defined"))?;
        return color(inner, props, depth + 1);
    }
    if let Some(args) = v
        .strip_prefix("color-mix(")
        .and_then(|r| r.strip_suffix(')'))
    {
        let parts = split_top_level(args);
        let [space, a, b] = parts.as_slice() else {
            return Err(format!("unexpected color-mix: {v}"));
        };
        if space.trim() != "in srgb" {
            return Err(format!("only srgb mixing is modelled: {v}"));
        }
        let (ca, pa) = mix_part(a);
        let (cb, pb) = mix_part(b);
        // CSS Color 5: a missing percentage is the rest of 100%.
        let (pa, pb) = match (pa, pb) {
            (Some(x), Some(y)) => (x, y),
            (Some(x), None) => (x, 100.0 - x),
            (None, Some(y)) => (100.0 - y, y),
            (None, None) => (50.0, 50.0),
        };
        let (ca, cb) = (color(ca, props, depth + 1)?, color(cb, props, depth + 1)?);
        let wa = pa / (pa + pb);
        return Ok([0, 1, 2].map(|i| ca[i] * wa + cb[i] * (1.0 - wa)));
    }
    Err(format!("unsupported colour {v}"))
}

/// `args` split at commas outside parentheses.
fn split_top_level(args: &str) -> Vec<&str> {
    let (mut parts, mut depth, mut start) = (Vec::new(), 0, 0);
    for (i, c) in args.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&args[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&args[start..]);
    parts
}

/// `var(--x) 14%` → (`var(--x)`, Some(14.0)).
fn mix_part(part: &str) -> (&str, Option<f64>) {
    let part = part.trim();
    match part.rsplit_once(' ') {
        Some((c, p)) if p.ends_with('%') => (c.trim(), p.trim_end_matches('%').parse().ok()),
        _ => (part, None),
    }
}

/// WCAG 2 relative luminance of an sRGB colour.
fn luminance(c: Rgb) -> f64 {
    let lin = |v: f64| {
        if v <= 0.04045 {
            v / 12.92
        } else {
            ((v + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * lin(c[0]) + 0.7152 * lin(c[1]) + 0.0722 * lin(c[2])
}

/// WCAG 2 contrast ratio, 1 to 21.
fn contrast(a: Rgb, b: Rgb) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

/// The stylesheet as a build ships it: minified, so the check also holds
/// the minifier to every colour.
fn shipped_css() -> String {
    let mut assets = salon::theme::builtin().assets;
    salon::theme::minify_assets(&mut assets);
    let css = assets
        .into_iter()
        .find(|a| a.rel == "style.css")
        .expect("the default theme has a style.css");
    String::from_utf8(css.bytes).unwrap()
}

#[test]
fn contrast_formula_matches_wcag_reference_values() {
    let props = HashMap::new();
    let c = |v: &str| color(v, &props, 0).unwrap();
    assert!((contrast(c("#000"), c("#fff")) - 21.0).abs() < 1e-9);
    assert!((contrast(c("#fff"), c("#fff")) - 1.0).abs() < 1e-9);
    // #767676 is the classic lightest grey that passes on white.
    let grey = contrast(c("#767676"), c("#ffffff"));
    assert!((4.54..4.55).contains(&grey), "{grey}");
    assert!(contrast(c("#777777"), c("#ffffff")) < TEXT);
}

#[test]
fn color_mix_and_var_resolve_like_the_browser() {
    let props: HashMap<String, String> = [
        ("--a", "#000000"),
        ("--b", "#ffffff"),
        ("--m", "color-mix(in srgb, var(--a) 25%, var(--b))"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    let m = color("var(--m)", &props, 0).unwrap();
    assert!(m.iter().all(|v| (v - 0.75).abs() < 1e-9), "{m:?}");
    assert!(color("var(--missing)", &props, 0).is_err());
}

#[test]
fn every_palette_light_and_dark_meets_wcag_aa() {
    let rules = parse(&shipped_css());
    let names = palettes(&rules);
    let expected: Vec<&str> = salon::config::PALETTES.iter().map(|(n, _)| *n).collect();
    assert_eq!(
        names, expected,
        "the stylesheet's palettes are the picker's"
    );
    let mut failures = Vec::new();
    let mut checked = 0;
    for palette in &names {
        for dark in [false, true] {
            let props = custom_properties(&rules, palette, dark);
            let mut lowest = (f64::MAX, "", "");
            for &(fg, bg, min) in PAIRS {
                let pair = (
                    color(&format!("var({fg})"), &props, 0),
                    color(&format!("var({bg})"), &props, 0),
                );
                let (Ok(f), Ok(b)) = pair else {
                    failures.push(format!("{palette} dark={dark}: {fg} on {bg}: {pair:?}"));
                    continue;
                };
                let ratio = contrast(f, b);
                checked += 1;
                if min == TEXT && ratio < lowest.0 {
                    lowest = (ratio, fg, bg);
                }
                if ratio < min {
                    failures.push(format!(
                        "{palette} {}: {fg} on {bg} is {ratio:.2}:1, needs {min}:1",
                        if dark { "dark" } else { "light" }
                    ));
                }
            }
            let scheme = if dark { "dark" } else { "light" };
            println!(
                "{palette} {scheme}: lowest text contrast {:.2}:1 ({} on {})",
                lowest.0, lowest.1, lowest.2
            );
        }
    }
    assert_eq!(checked, names.len() * 2 * PAIRS.len());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A palette without its own dark block would silently show the default
/// palette's dark colours; one without a light block, the default's light.
#[test]
fn every_palette_has_its_own_light_and_dark_colours() {
    let rules = parse(&shipped_css());
    let bg = |p: &str, dark: bool| {
        let props = custom_properties(&rules, p, dark);
        color("var(--bg)", &props, 0).unwrap()
    };
    for (name, _) in salon::config::PALETTES
        .iter()
        .filter(|(n, _)| *n != "default")
    {
        assert_ne!(bg(name, false), bg("default", false), "{name} light");
        assert_ne!(bg(name, true), bg("default", true), "{name} dark");
        assert!(
            luminance(bg(name, true)) < luminance(bg(name, false)),
            "{name}: dark variant is darker"
        );
    }
}
