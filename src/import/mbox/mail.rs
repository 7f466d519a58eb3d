//! One message, decoded: MIME with `mail-parser` (quoted-printable,
//! base64, charsets, RFC 2047 encoded words, multipart/alternative),
//! then the body as markdown with its quote and signature folded.
//!
//! Only what a thread needs is kept, and every text is cleared of e-mail
//! addresses ([`crate::email::redact`]) except the author's, which is kept apart
//! for matching members and never written.

use std::borrow::Cow;

use mail_parser::{Address, HeaderName, HeaderValue, MessageParser, MimeHeaders, PartType};

use super::plain::to_markdown;
use super::reply::{split_reply, unflow};
use super::thread::strip_prefixes;
use crate::date::{parse_date, Date};
use crate::email::{contains as has_address, redact, redact_name};
use crate::import::conversation::Author;
use crate::import::html_to_markdown::html_to_markdown;

/// A message of the mbox, decoded.
#[derive(Debug, Clone, Default)]
pub struct Mail {
    /// 1-based line of its `From ` line in the mbox.
    pub line: usize,
    /// Stable id: `m-` and a hash of the Message-ID (no `@` in it).
    pub id: String,
    /// The Message-ID, for threading only; never written.
    pub message_id: Option<String>,
    /// `References`, then `In-Reply-To` when it adds one; oldest first
    /// (moved out once threaded, in an archive read by headers).
    pub references: Vec<String>,
    /// The subject as sent, decoded, addresses removed (moved out once
    /// threaded, in an archive read by headers).
    pub subject: String,
    /// The subject without `Re:` and list prefixes.
    pub title: String,
    /// Whether the subject or headers say it answers something.
    pub is_reply: bool,
    /// The sender.
    pub author: Author,
    /// When it was sent.
    pub date: Option<Date>,
    /// Its `Archived-At` page.
    pub url: Option<String>,
    /// The list's name, from `List-Id` or a `[name]` subject prefix.
    pub list: Option<String>,
    /// The author's own words, markdown.
    pub text: String,
    /// The quote and signature folded under it, markdown.
    pub quoted: Option<String>,
    /// The address of the `From` header (not `X-Original-From`): what
    /// the sender's authentication is about. Matching only; never written.
    pub from_address: Option<String>,
    /// Each `Authentication-Results` header, unfolded, with its position
    /// among the message's headers (topmost first).
    pub auth_results: Vec<(usize, String)>,
}

/// The stable id of a message: `m-` and the XXH3 of its Message-ID.
pub fn message_key(message_id: &str) -> String {
    format!(
        "m-{:016x}",
        xxhash_rust::xxh3::xxh3_64(message_id.trim().trim_matches(['<', '>']).as_bytes())
    )
}

/// Decodes one message; `None` when it has no headers at all.
pub fn parse_mail(bytes: &[u8], line: usize) -> Option<Mail> {
    let msg = MessageParser::default().parse(bytes)?;
    let mut mail = head(&msg, line)?;
    (mail.text, mail.quoted) = body(&msg);
    Some(mail)
}

/// Decodes one message's headers only, leaving `text` and `quoted`
/// empty: what threading and choosing conversations need, at a fraction
/// of the memory. Every field it fills is the one [`parse_mail`] gives.
pub fn parse_head(bytes: &[u8], line: usize) -> Option<Mail> {
    let end = header_end(bytes);
    let msg = MessageParser::default().parse(&bytes[..end])?;
    head(&msg, line)
}

/// Where the header section ends: after the first empty line.
fn header_end(bytes: &[u8]) -> usize {
    let mut at = 0;
    for line in bytes.split_inclusive(|&b| b == b'\n') {
        at += line.len();
        if line == b"\n" || line == b"\r\n" {
            return at;
        }
    }
    bytes.len()
}

fn head(msg: &mail_parser::Message<'_>, line: usize) -> Option<Mail> {
    if msg.headers().is_empty() {
        return None;
    }
    let message_id = msg
        .message_id()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty());
    let mut references = ids(msg.references());
    let named: std::collections::HashSet<String> = references.iter().cloned().collect();
    for id in ids(msg.in_reply_to()) {
        if !named.contains(&id) {
            references.push(id);
        }
    }
    keep_references(&mut references);
    let id = match &message_id {
        Some(mid) => message_key(mid),
        // No Message-ID: what identifies it in any export of the list.
        None => message_key(&format!(
            "{}\n{}\n{}",
            msg.header_raw(HeaderName::From).unwrap_or(""),
            msg.header_raw(HeaderName::Date).unwrap_or(""),
            msg.header_raw(HeaderName::Subject).unwrap_or("")
        )),
    };
    let subject = redact(&one_line(msg.subject().unwrap_or("")));
    let (stripped, re) = strip_prefixes(&subject);
    let title = stripped.to_owned();
    let list = list_name(msg.header_raw(HeaderName::ListId), &subject);
    let date = msg
        .date()
        .filter(|d| d.is_valid())
        .and_then(|d| parse_date(&d.to_rfc3339()));
    let url = msg
        .header_raw(HeaderName::ArchivedAt)
        .map(|u| u.trim().trim_matches(['<', '>']).trim().to_owned())
        .filter(|u| {
            (u.starts_with("https://") || u.starts_with("http://"))
                && !has_address(u)
                && !u.contains(char::is_whitespace)
        });
    // Google Groups rewrites `From` and keeps the sender here.
    let original = msg
        .header_raw("X-Original-From")
        .map(|raw| format!("From: {}\n\n", raw.trim()));
    let original = original
        .as_deref()
        .and_then(|h| MessageParser::default().parse(h.as_bytes()));
    let author = author(
        original
            .as_ref()
            .and_then(|o| o.from())
            .or_else(|| msg.from()),
    );
    let from_address = self::author(msg.from()).email;
    // Positions count every header, readable or not, so that two headers
    // with another between them are never taken for neighbours.
    let auth_results = msg
        .headers()
        .iter()
        .enumerate()
        .filter(|(_, h)| h.name == HeaderName::AuthenticationResults)
        .map(|(at, h)| {
            let raw = msg
                .raw_message
                .get(h.offset_start as usize..h.offset_end as usize)
                .unwrap_or_default();
            let value = String::from_utf8_lossy(raw);
            (at, value.split_whitespace().collect::<Vec<_>>().join(" "))
        })
        .collect();
    Some(Mail {
        line,
        id,
        message_id,
        is_reply: re || !references.is_empty(),
        references,
        title: if title.is_empty() {
            subject.clone()
        } else {
            title
        },
        subject,
        author,
        date,
        url,
        list,
        text: String::new(),
        quoted: None,
        from_address,
        auth_results,
    })
}

/// Message-IDs in a header, brackets and blanks dropped.
/// How many ids of `References` (and `In-Reply-To`) threading keeps.
pub const MAX_REFERENCES: usize = 1000;

/// Keeps the first id (the conversation's root) and the last
/// [`MAX_REFERENCES`] - 1 (the nearest ancestors), as RFC 5322 §3.6.4
/// suggests clients trim the header and as mail readers effectively
/// thread: a header of 100,000 ids costs no more than one of 1,000.
fn keep_references(references: &mut Vec<String>) {
    if references.len() > MAX_REFERENCES {
        references.drain(1..references.len() - (MAX_REFERENCES - 1));
    }
}

fn ids(value: &HeaderValue<'_>) -> Vec<String> {
    let list: Vec<&str> = match value {
        HeaderValue::Text(t) => vec![t.as_ref()],
        HeaderValue::TextList(l) => l.iter().map(|t| t.as_ref()).collect(),
        _ => Vec::new(),
    };
    list.into_iter()
        .map(|s| s.trim().trim_matches(['<', '>']).trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect()
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `"Salon Community" <community.lists.example.org>` is "Salon
/// Community"; failing a name, the `[name]` a list puts before subjects.
fn list_name(list_id: Option<&str>, subject: &str) -> Option<String> {
    let from_header = list_id.and_then(|raw| {
        let phrase = raw.split('<').next().unwrap_or("");
        let name = one_line(phrase.trim().trim_matches('"'));
        (!name.is_empty() && !has_address(&name)).then_some(name)
    });
    from_header.or_else(|| {
        // `strip_prefixes` drops list names: the first `[name]` among
        // what it dropped is the list's.
        let (rest, _) = strip_prefixes(subject);
        let lead = &subject[..subject.len() - rest.len()];
        let inner = &lead[lead.find('[')? + 1..];
        let name = inner[..inner.find(']')?].trim();
        (!name.is_empty()).then(|| name.to_owned())
    })
}

/// The author's name as shown (never an address) and their address for
/// matching. Google Groups' `'Jane' via List` is Jane.
fn author(from: Option<&Address<'_>>) -> Author {
    let first = from.and_then(|a| a.first());
    let email = first
        .and_then(|a| a.address.as_deref())
        .map(|a| a.trim().to_owned())
        .filter(|a| a.contains('@'));
    let mut name = one_line(first.and_then(|a| a.name.as_deref()).unwrap_or(""));
    if let Some(i) = name.rfind(" via ") {
        name.truncate(i);
    }
    let mut name = name.trim().trim_matches(['"', '\'']).trim().to_owned();
    if has_address(&name) {
        name = one_line(&redact_name(&name));
    }
    if name.is_empty() {
        name = email
            .as_deref()
            .and_then(|e| e.split('@').next())
            .unwrap_or("")
            .to_owned();
    }
    if name.is_empty() {
        name = "Unknown".into();
    }
    Author {
        name,
        account: None,
        email,
    }
}

/// The body's own words and its fold, as markdown: the plain-text
/// alternative when there is one, else the HTML, sanitized and converted.
fn body(msg: &mail_parser::Message<'_>) -> (String, Option<String>) {
    let mut plain = String::new();
    let mut html = String::new();
    for &i in &msg.text_body {
        let Some(part) = msg.parts.get(i as usize) else {
            continue;
        };
        match &part.body {
            PartType::Text(t) => {
                let flowed = part.content_type().and_then(|c| c.attribute("format"));
                let text: Cow<'_, str> = if flowed.is_some_and(|f| f.eq_ignore_ascii_case("flowed"))
                {
                    let delsp = part
                        .content_type()
                        .and_then(|c| c.attribute("delsp"))
                        .is_some_and(|d| d.eq_ignore_ascii_case("yes"));
                    unflow(t, delsp).into()
                } else {
                    t.as_ref().into()
                };
                push_part(&mut plain, &text);
            }
            PartType::Html(h) => push_part(&mut html, h),
            _ => {}
        }
    }
    if plain.trim().is_empty() && html.trim().is_empty() {
        for &i in &msg.html_body {
            if let Some(PartType::Html(h)) = msg.parts.get(i as usize).map(|p| &p.body) {
                push_part(&mut html, h);
            }
        }
    }
    let (own, fold) = if !plain.trim().is_empty() {
        let parts = split_reply(&redact(&plain));
        let fold = [parts.leading, parts.trailing]
            .iter()
            .filter(|p| !p.trim().is_empty())
            .map(|p| to_markdown(p))
            .collect::<Vec<_>>()
            .join("\n\n");
        (to_markdown(&parts.own), fold)
    } else {
        // The HTML is already markdown after conversion: quotes are `>`
        // lines, which fold the same way, and nothing is escaped again.
        let md = redact(&html_to_markdown(&html));
        let parts = split_reply(&md);
        let fold = [parts.leading, parts.trailing]
            .iter()
            .filter(|p| !p.trim().is_empty())
            .cloned()
            .collect::<Vec<_>>()
            .join("\n\n");
        (parts.own, fold)
    };
    let quoted = Some(fold.trim().to_owned()).filter(|f| !f.is_empty());
    (own.trim().to_owned(), quoted)
}

fn push_part(out: &mut String, text: &str) {
    if !out.is_empty() {
        out.push_str("\n\n");
    }
    out.push_str(text);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mail(text: &str) -> Mail {
        parse_mail(text.as_bytes(), 1).expect("a message")
    }

    #[test]
    fn headers_decode_and_addresses_stay_out() {
        let m = mail(
            "Message-ID: <1@example.org>\nIn-Reply-To: <0@example.org>\nFrom: =?ISO-8859-1?Q?Ren=E9e_Dupr=E9?= <renee@example.org>\nSubject: =?UTF-8?B?UmU6IFtDb21tdW5pdHldIENhZsOpIOKYlQ==?=\nDate: Tue, 2 Jan 2024 10:00:00 +0100\nList-Id: \"Salon Community\" <community.lists.example.org>\n\nHello, write to me at renee@example.org.\n",
        );
        assert_eq!(m.id, message_key("1@example.org"));
        assert!(!m.id.contains('@'));
        assert_eq!(m.references, vec!["0@example.org"]);
        assert_eq!(m.author.name, "Renée Dupré");
        assert_eq!(m.author.email.as_deref(), Some("renee@example.org"));
        assert_eq!(m.subject, "Re: [Community] Café ☕");
        assert_eq!(m.title, "Café ☕");
        assert!(m.is_reply);
        assert_eq!(m.list.as_deref(), Some("Salon Community"));
        assert_eq!(m.date.unwrap().to_rfc3339(), "2024-01-02T10:00:00+01:00");
        assert_eq!(m.text, "Hello, write to me at (address removed).");
    }

    #[test]
    fn a_huge_references_header_keeps_its_first_and_last_ids() {
        let refs: Vec<String> = (0..100_000).map(|i| format!("<{i}@x.example>")).collect();
        let text = format!(
            "Message-ID: <me@x.example>\nReferences: {}\nIn-Reply-To: <99999@x.example>\nSubject: Re: x\n\nhi\n",
            refs.join("\n ")
        );
        let m = mail(&text);
        assert_eq!(m.references.len(), MAX_REFERENCES);
        assert_eq!(m.references[0], "0@x.example");
        assert_eq!(
            m.references[1],
            format!("{}@x.example", 100_000 - MAX_REFERENCES + 1)
        );
        assert_eq!(
            m.references.last().map(String::as_str),
            Some("99999@x.example")
        );
    }

    #[test]
    fn names_are_never_addresses() {
        let m = mail("From: \"jane@example.org\" <jane@example.org>\nSubject: x\n\nhi\n");
        assert_eq!(m.author.name, "jane");
        let m = mail("From: 'Bob Stone' via Salon <salon@groups.example.org>\nX-Original-From: Bob Stone <bob@example.org>\nSubject: x\n\nhi\n");
        assert_eq!(m.author.name, "Bob Stone");
        assert_eq!(m.author.email.as_deref(), Some("bob@example.org"));
        let m = mail("Subject: x\n\nhi\n");
        assert_eq!(m.author.name, "Unknown");
        assert!(m.message_id.is_none());
        assert!(m.id.starts_with("m-"));
    }

    #[test]
    fn plain_text_is_preferred_and_html_is_sanitized() {
        let alt = "From: A <a@example.org>\nSubject: x\nMIME-Version: 1.0\nContent-Type: multipart/alternative; boundary=b\n\n--b\nContent-Type: text/plain; charset=utf-8\n\nplain *words*\n--b\nContent-Type: text/html\n\n<p>html</p>\n--b--\n";
        assert_eq!(mail(alt).text, "plain \\*words\\*");
        let html = "From: A <a@example.org>\nSubject: x\nContent-Type: text/html\n\n<p>Hi <b>all</b><script>alert(1)</script></p><blockquote><p>old</p></blockquote>\n";
        let m = mail(html);
        assert_eq!(m.text, "Hi **all**");
        assert_eq!(m.quoted.as_deref(), Some("> old"));
    }

    #[test]
    fn list_names_from_subjects() {
        assert_eq!(
            list_name(None, "Re: [Salon] Hello").as_deref(),
            Some("Salon")
        );
        assert_eq!(list_name(None, "Hello [x]"), None);
        assert_eq!(list_name(Some("<id.example.org>"), "Hi"), None);
    }
}
