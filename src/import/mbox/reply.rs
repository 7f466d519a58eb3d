//! What of a list post is the author's own words, and what is folded.
//!
//! A reply quotes what it answers and often ends with a signature. On a
//! thread page the message it answers is right above, so the quote is
//! folded under the entry (never deleted) and the entry shows the new
//! words. What gets folded:
//!
//! - a quote at the end (top-posting) or at the start (bottom-posting),
//!   with its attribution line ("On Mon, Jane wrote:"),
//! - everything after an Outlook "Original Message" marker,
//! - a signature (after a `-- ` line) and a mailing-list footer.
//!
//! Quotes between the author's own paragraphs (an interleaved reply) stay
//! in place: there they are the context of each answer.

/// A message body cut into the author's words and the folded rest.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Parts {
    /// The author's own text (lines joined by `\n`).
    pub own: String,
    /// A quote the reply starts with, with its attribution.
    pub leading: String,
    /// The quote, signature and footer the reply ends with.
    pub trailing: String,
}

/// Cuts `text` (plain text lines) into [`Parts`].
pub fn split_reply(text: &str) -> Parts {
    let lines: Vec<&str> = text.lines().collect();
    let mut end = trim_blank_end(&lines, lines.len());
    let outlook = lines[..end]
        .iter()
        .position(|l| is_outlook_marker(l))
        .or_else(|| {
            (0..end.saturating_sub(1))
                .find(|&i| is_rule(lines[i], '_') && lines[i + 1].trim_start().starts_with("From:"))
        });
    if let Some(i) = outlook {
        end = trim_blank_end(&lines, i);
    }
    loop {
        let before = end;
        end = cut_trailing_quote(&lines, end);
        end = cut_signature(&lines, end);
        end = cut_footer(&lines, end);
        if end == before {
            break;
        }
    }
    let start = leading_quote_end(&lines[..end]);
    let own = &lines[start..end];
    // A quote further down means an interleaved reply: then the first
    // quote is the context of the first answer and stays too.
    let start = if own.iter().any(|l| is_quote(l)) {
        0
    } else {
        start
    };
    let join = |ls: &[&str]| trim_blank(ls).join("\n");
    Parts {
        own: join(&lines[start..end]),
        leading: join(&lines[..start]),
        trailing: join(&lines[end..]),
    }
}

fn is_blank(line: &str) -> bool {
    line.trim().is_empty()
}

/// A line of the quoted message.
pub fn is_quote(line: &str) -> bool {
    line.starts_with('>')
}

fn trim_blank<'a, 'b>(lines: &'b [&'a str]) -> &'b [&'a str] {
    let start = lines
        .iter()
        .position(|l| !is_blank(l))
        .unwrap_or(lines.len());
    let end = trim_blank_end(lines, lines.len());
    &lines[start..end.max(start)]
}

/// `end` moved back over blank lines.
fn trim_blank_end(lines: &[&str], mut end: usize) -> usize {
    while end > 0 && is_blank(lines[end - 1]) {
        end -= 1;
    }
    end
}

fn is_rule(line: &str, c: char) -> bool {
    let t = line.trim();
    t.chars().count() >= 20 && t.chars().all(|x| x == c)
}

fn is_outlook_marker(line: &str) -> bool {
    let t = line.trim().trim_matches('-').trim();
    t.len() < line.trim().len() && t.eq_ignore_ascii_case("original message")
}

/// Words that end an attribution line, in the languages lists speak most.
const WROTE: [&str; 13] = [
    "wrote",
    "writes",
    "schrieb",
    "a écrit",
    "escribió",
    "escreveu",
    "scrisse",
    "skrev",
    "schreef",
    "kirjoitti",
    "napisał",
    "написал",
    "написала",
];

/// How attribution lines start when a client wraps them over two lines.
const OPENERS: [&str; 8] = ["On ", "Am ", "Le ", "El ", "Il ", "Op ", "Em ", "W dniu "];

fn is_attribution(line: &str) -> bool {
    let t = line.trim().to_lowercase();
    t.ends_with(':') && WROTE.iter().any(|w| t.contains(w))
}

/// The first line of the attribution of a quote starting at `quote`,
/// if the lines before it are one (a blank line may stand between).
fn attribution_start(lines: &[&str], quote: usize) -> Option<usize> {
    let mut i = quote;
    if i > 0 && is_blank(lines[i - 1]) {
        i -= 1;
    }
    if i == 0 || !is_attribution(lines[i - 1]) {
        return None;
    }
    let line = lines[i - 1].trim_start();
    let wrapped = i >= 2
        && !OPENERS.iter().any(|o| line.starts_with(o))
        && OPENERS
            .iter()
            .any(|o| lines[i - 2].trim_start().starts_with(o));
    Some(if wrapped { i - 2 } else { i - 1 })
}

/// `end` moved back over a quote (and its attribution) the text ends with.
fn cut_trailing_quote(lines: &[&str], end: usize) -> usize {
    let mut i = end;
    while i > 0 && (is_quote(lines[i - 1]) || is_blank(lines[i - 1])) {
        i -= 1;
    }
    // Skip the blank lines back to the first quote line.
    let first_quote = (i..end).find(|&k| is_quote(lines[k]));
    match first_quote {
        None => end,
        Some(q) => trim_blank_end(lines, attribution_start(lines, q).unwrap_or(q)),
    }
}

/// `end` moved back to before the last signature separator: `-- ` as the
/// standard says, or `--` (clients trim spaces) near the end.
fn cut_signature(lines: &[&str], end: usize) -> usize {
    let near = end.saturating_sub(10);
    let at = lines[..end]
        .iter()
        .enumerate()
        .rposition(|(i, l)| *l == "-- " || (*l == "--" && i >= near));
    match at {
        Some(i) => trim_blank_end(lines, i),
        None => end,
    }
}

/// `end` moved back over a mailing-list footer: a rule of underscores and
/// a few lines after it.
fn cut_footer(lines: &[&str], end: usize) -> usize {
    let from = end.saturating_sub(8);
    match (from..end).rev().find(|&i| is_rule(lines[i], '_')) {
        Some(i) => trim_blank_end(lines, i),
        None => end,
    }
}

/// Where the author's text starts after a quote the message opens with.
fn leading_quote_end(lines: &[&str]) -> usize {
    let Some(first) = lines.iter().position(|l| !is_blank(l)) else {
        return 0;
    };
    let quote = if is_quote(lines[first]) {
        first
    } else {
        // An attribution, maybe over two lines, then the quote.
        match (first..lines.len().min(first + 4)).find(|&i| is_quote(lines[i])) {
            Some(q) if attribution_start(lines, q) == Some(first) => q,
            _ => return 0,
        }
    };
    let mut i = quote;
    while i < lines.len() && (is_quote(lines[i]) || is_blank(lines[i])) {
        i += 1;
    }
    i
}

/// Undoes `format=flowed` (RFC 3676): lines ending with a space go on in
/// the next line; a leading space was added for transport.
pub fn unflow(text: &str, delsp: bool) -> String {
    let mut out = String::with_capacity(text.len());
    let mut open = false;
    for line in text.lines() {
        let depth = line.chars().take_while(|&c| c == '>').count();
        let content = &line[depth..];
        let content = content.strip_prefix(' ').unwrap_or(content);
        if !open {
            out.push_str(&">".repeat(depth));
            if depth > 0 {
                out.push(' ');
            }
        }
        let flowed = content.ends_with(' ') && content != "-- ";
        if flowed {
            out.push_str(if delsp {
                &content[..content.len() - 1]
            } else {
                content
            });
        } else {
            out.push_str(content);
            out.push('\n');
        }
        open = flowed;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn top_posting_folds_quote_and_signature() {
        let text = "Agreed, let's meet.\n\n-- \nJane\nChair\n\nOn Mon, 1 Jan 2024, Bob wrote:\n> Shall we meet?\n>\n> Bob\n";
        let p = split_reply(text);
        assert_eq!(p.own, "Agreed, let's meet.");
        assert_eq!(p.leading, "");
        assert!(p.trailing.starts_with("-- \nJane"), "{}", p.trailing);
        assert!(p.trailing.ends_with("> Bob"));
    }

    #[test]
    fn bottom_posting_folds_the_leading_quote() {
        let text = "On Mon, 1 Jan 2024 at 10:00, Bob Smith <bob@example.org>\nwrote:\n\n> Shall we meet?\n\nYes.\nThursday?\n--\nJane\n";
        let p = split_reply(text);
        assert_eq!(p.own, "Yes.\nThursday?");
        assert!(p.leading.starts_with("On Mon"), "{:?}", p.leading);
        assert_eq!(p.trailing, "--\nJane");
    }

    #[test]
    fn interleaved_quotes_stay() {
        let text = "Bob wrote:\n> one?\nYes.\n> two?\nNo.\n> three?\n";
        let p = split_reply(text);
        assert_eq!(p.own, "Bob wrote:\n> one?\nYes.\n> two?\nNo.");
        assert_eq!(p.trailing, "> three?");
    }

    #[test]
    fn outlook_and_footers() {
        let text =
            "Fine by me.\n\n-----Original Message-----\nFrom: Bob\nSent: Monday\n\nShall we?\n";
        let p = split_reply(text);
        assert_eq!(p.own, "Fine by me.");
        assert!(p.trailing.contains("Shall we?"));
        let text = "Hello.\n\n_______________________________________________\nCommunity mailing list\nhttps://lists.example.org/community\n";
        let p = split_reply(text);
        assert_eq!(p.own, "Hello.");
        assert!(p.trailing.contains("Community mailing list"));
    }

    #[test]
    fn a_message_that_is_all_quote_keeps_nothing_of_its_own() {
        let p = split_reply("> only a quote\n");
        assert_eq!(p.own, "");
        assert_eq!(p.trailing, "> only a quote");
        assert_eq!(split_reply(""), Parts::default());
    }

    #[test]
    fn flowed_text_is_joined() {
        assert_eq!(
            unflow("Hello \nworld\n> quoted \n> on\n-- \nsig\n", false),
            "Hello world\n> quoted on\n-- \nsig\n"
        );
        assert_eq!(unflow("ab \ncd\n", true), "abcd\n");
    }
}
