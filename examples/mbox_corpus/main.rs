//! A seeded mbox shaped like a real mailing list's archive.
//!
//! ```text
//! cargo run --release --example mbox_corpus -- N OUT.mbox [--seed S] [--years Y] [--of M]
//! ```
//!
//! `--of M` writes the first `N` messages of the archive of `M`: the
//! same bytes as the start of `mbox_corpus M`, as if the list had grown.
//!
//! Writes `N` messages as a stream (memory does not grow with `N`):
//!
//! - conversations start at random times over `Y` years (15 by default)
//!   and their sizes are heavy-tailed (a capped Pareto: most have 1 to 5
//!   messages, a few hundreds or thousands); a big one is also a fast one;
//! - senders are heavy-tailed too (a few people write a large share), and
//!   a conversation's replies come mostly from the people already in it,
//!   so long back-and-forths between two people make deep reply chains;
//! - replies carry `References` (trimmed to the root and the last ten, as
//!   mail clients do) and `In-Reply-To`; a few lose both headers (a
//!   gateway), keep only one, name a message the archive lacks, or have no
//!   Message-ID at all;
//! - bodies quote the message they answer (below an "On ... wrote:" line,
//!   or under a top-posted reply), some end with a signature or a list
//!   footer, some have body lines starting with `From ` (escaped, mboxrd);
//! - MIME varies: 7/8-bit UTF-8, quoted-printable, base64,
//!   multipart/alternative with an HTML part, HTML only, ISO-8859-1 and
//!   KOI8-R bodies, RFC 2047 encoded names and subjects.
//!
//! The same `N`, seed and years give the same bytes. The bytes come from
//! one pseudo-random stream, std only (like `examples/corpus.rs`).

mod encode;
mod text;

use std::collections::{BinaryHeap, VecDeque};
use std::fmt::Write as _;
use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

use encode::*;
use text::*;

/// Options of one corpus.
#[derive(Debug, Clone)]
pub struct Options {
    /// Messages to write.
    pub messages: usize,
    /// Seed of the stream.
    pub seed: u64,
    /// Years the archive spans.
    pub years: u32,
    /// The archive's whole size when only its first `messages` are
    /// written (`--of`): the first N of an archive of M are byte for byte
    /// the start of the whole, as a list's archive grows.
    pub of: Option<usize>,
}

/// What was written.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Summary {
    /// Messages written.
    pub messages: usize,
    /// Conversations started.
    pub conversations: usize,
    /// The size drawn for the biggest conversation.
    pub largest: usize,
    /// Bytes written.
    pub bytes: u64,
}

#[allow(dead_code)] // Tests and the benchmark include this file for `generate`.
fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: mbox_corpus N OUT.mbox [--seed S] [--years Y] [--of M]";
    let mut positional = Vec::new();
    let mut opts = Options {
        messages: 0,
        seed: 1,
        years: 15,
        of: None,
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let value = |it: &mut std::slice::Iter<String>| it.next().and_then(|v| v.parse().ok());
        match a.as_str() {
            "--seed" => match value(&mut it) {
                Some(s) => opts.seed = s,
                None => return fail(usage),
            },
            "--of" => match value(&mut it) {
                Some(m) => opts.of = Some(m as usize),
                None => return fail(usage),
            },
            "--years" => match value(&mut it) {
                Some(y) if y > 0 => opts.years = y as u32,
                _ => return fail(usage),
            },
            _ => positional.push(a.clone()),
        }
    }
    let [n, out] = positional.as_slice() else {
        return fail(usage);
    };
    let Ok(n) = n.parse::<usize>() else {
        return fail(usage);
    };
    opts.messages = n;
    let result = std::fs::File::create(out).and_then(|f| {
        let mut w = BufWriter::with_capacity(1 << 20, f);
        let s = generate(&opts, &mut w)?;
        w.flush()?;
        Ok(s)
    });
    match result {
        Ok(s) => {
            eprintln!(
                "wrote {out}: {} messages, {} conversations (largest drawn: {}), {} bytes",
                s.messages, s.conversations, s.largest, s.bytes
            );
            ExitCode::SUCCESS
        }
        Err(e) => fail(&format!("{out}: {e}")),
    }
}

fn fail(msg: &str) -> ExitCode {
    eprintln!("{msg}");
    ExitCode::FAILURE
}

/// A conversation's size: a Pareto of shape 1.1, capped.
fn thread_size(rng: &mut Rng, cap: usize) -> usize {
    let u = 1.0 - rng.f64();
    ((u.powf(-1.0 / 1.1)).floor() as usize).clamp(1, cap)
}

/// One sender of the list.
struct Person {
    name: String,
    address: String,
    signature: Option<String>,
    /// How their name is written in `From:`.
    encoding: NameEncoding,
}

#[derive(Clone, Copy)]
enum NameEncoding {
    Plain,
    Utf8Base64,
    Latin1Q,
}

/// A message kept so later replies can answer and quote it.
struct Sent {
    id: Option<String>,
    /// `References` of a reply to it: the root and its last ancestors.
    chain: Vec<String>,
    author: usize,
    date: i64,
    /// A few lines of it, for quoting.
    lines: Vec<String>,
}

/// A conversation being written.
struct Conversation {
    subject: String,
    remaining: usize,
    /// Mean seconds between its messages.
    gap: f64,
    /// Its latest messages (a bounded window: memory stays flat).
    recent: VecDeque<Sent>,
    /// Its last two authors, who mostly keep talking.
    speakers: [usize; 2],
}

/// Writes the corpus to `out`; the bytes depend only on `opts`.
pub fn generate(opts: &Options, out: &mut impl Write) -> io::Result<Summary> {
    // Everything but when to stop depends on the whole archive's size.
    let whole = opts.of.unwrap_or(opts.messages).max(opts.messages);
    let mut rng = Rng::new(opts.seed);
    let words: Vec<&str> = WORDS.split_whitespace().collect();
    let firsts: Vec<&str> = FIRST.split_whitespace().collect();
    let lasts: Vec<&str> = LAST.split_whitespace().collect();
    let people = people(&mut rng, (whole / 25).max(30), &firsts, &lasts);
    let cap = (whole / 12).clamp(1, 10_000);
    // The mean size of the capped distribution, to space conversations so
    // that the messages fill the years.
    let mut sampler = Rng::new(opts.seed ^ 0xabcd);
    let mean = (0..20_000)
        .map(|_| thread_size(&mut sampler, cap) as f64)
        .sum::<f64>()
        / 20_000.0;
    let start: i64 = 1_230_768_000; // 2009-01-01
    let span = f64::from(opts.years) * 365.25 * 86_400.0;
    let arrival = span / (whole as f64 / mean).max(1.0);

    let mut summary = Summary::default();
    let mut active: Vec<Option<Conversation>> = Vec::new();
    let mut free: Vec<usize> = Vec::new();
    // Next message of each active conversation: (time, order, slot).
    let mut queue: BinaryHeap<std::cmp::Reverse<(i64, u64, usize)>> = BinaryHeap::new();
    let mut next_start = start as f64;
    let mut order = 0u64;
    let mut buf = String::with_capacity(16 * 1024);
    while summary.messages < opts.messages {
        let due = queue.peek().map(|r| r.0 .0);
        let slot = match due {
            Some(t) if (t as f64) < next_start => {
                let std::cmp::Reverse((_, _, slot)) = queue.pop().expect("peeked");
                Some((slot, t))
            }
            _ => None,
        };
        buf.clear();
        let (slot, date) = match slot {
            Some((slot, t)) => {
                let conv = active[slot].as_mut().expect("queued slot is active");
                reply(
                    &mut rng,
                    &mut buf,
                    conv,
                    &people,
                    &words,
                    t,
                    summary.messages,
                );
                (slot, t)
            }
            None => {
                let t = next_start as i64;
                next_start += rng.exp(arrival);
                let size = thread_size(&mut rng, cap);
                summary.conversations += 1;
                summary.largest = summary.largest.max(size);
                let conv = root(
                    &mut rng,
                    &mut buf,
                    &people,
                    &words,
                    t,
                    size,
                    summary.messages,
                );
                let slot = match free.pop() {
                    Some(s) => {
                        active[s] = Some(conv);
                        s
                    }
                    None => {
                        active.push(Some(conv));
                        active.len() - 1
                    }
                };
                (slot, t)
            }
        };
        out.write_all(buf.as_bytes())?;
        summary.bytes += buf.len() as u64;
        summary.messages += 1;
        let conv = active[slot].as_mut().expect("just used");
        conv.remaining -= 1;
        if conv.remaining == 0 {
            active[slot] = None;
            free.push(slot);
        } else {
            let wait = rng.exp(conv.gap).max(30.0) as i64;
            order += 1;
            queue.push(std::cmp::Reverse((date + wait, order, slot)));
        }
    }
    Ok(summary)
}

fn people(rng: &mut Rng, n: usize, firsts: &[&str], lasts: &[&str]) -> Vec<Person> {
    (0..n)
        .map(|i| {
            let (name, encoding) = if rng.chance(0.04) {
                (rng.pick(ACCENTED).to_owned(), NameEncoding::Latin1Q)
            } else if rng.chance(0.02) {
                (
                    rng.pick(CYRILLIC_NAMES).to_owned(),
                    NameEncoding::Utf8Base64,
                )
            } else {
                let (f, l) = (rng.pick(firsts), rng.pick(lasts));
                (format!("{f} {l}"), NameEncoding::Plain)
            };
            let local: String = name
                .split_whitespace()
                .next()
                .unwrap_or("x")
                .chars()
                .filter(char::is_ascii_alphanumeric)
                .collect::<String>()
                .to_lowercase();
            let local = if local.is_empty() {
                "user".into()
            } else {
                local
            };
            let address = format!("{local}{i}@{}", rng.pick(DOMAINS));
            let signature = rng.chance(0.4).then(|| {
                format!(
                    "{name}\n{} team, {}",
                    rng.pick(&["Build", "Docs", "Infra", "Release", "QA"]),
                    rng.pick(&["Berlin", "Lyon", "Osaka", "Austin", "Porto"])
                )
            });
            Person {
                name,
                address,
                signature,
                encoding,
            }
        })
        .collect()
}

/// A sender: a few write most (rank drawn as `n * u^3`).
fn sender(rng: &mut Rng, n: usize) -> usize {
    ((n as f64) * rng.f64().powi(3)) as usize % n
}

fn message_id(rng: &mut Rng, n: usize) -> String {
    format!(
        "{n}.{:012x}@{}",
        rng.next_u64() & 0xffff_ffff_ffff,
        rng.pick(DOMAINS)
    )
}

fn root(
    rng: &mut Rng,
    buf: &mut String,
    people: &[Person],
    words: &[&str],
    date: i64,
    size: usize,
    n: usize,
) -> Conversation {
    let author = sender(rng, people.len());
    let subject = subject(rng, words);
    let id = (!rng.chance(0.003)).then(|| message_id(rng, n));
    let paragraphs = rng.range(1, 5);
    let body = prose(rng, words, paragraphs);
    let lines = quote_lines(&body);
    write_message(
        rng,
        buf,
        &people[author],
        id.as_deref(),
        &[],
        None,
        &subject,
        date,
        &body,
    );
    // Big conversations are fast ones: minutes apart, not days.
    let gap = (2.0 * 86_400.0 / (size as f64).sqrt()).clamp(300.0, 2.0 * 86_400.0);
    let mut recent = VecDeque::new();
    recent.push_back(Sent {
        chain: id.iter().cloned().collect(),
        id,
        author,
        date,
        lines,
    });
    Conversation {
        subject,
        remaining: size,
        gap,
        recent,
        speakers: [author, author],
    }
}

fn reply(
    rng: &mut Rng,
    buf: &mut String,
    conv: &mut Conversation,
    people: &[Person],
    words: &[&str],
    date: i64,
    n: usize,
) {
    // Mostly the latest message (long chains), else one of the last few.
    let parent = if rng.chance(0.7) {
        conv.recent.len() - 1
    } else {
        rng.below(conv.recent.len())
    };
    let author = if rng.chance(0.55) {
        // The one who did not write the parent: a back-and-forth.
        let p = conv.recent[parent].author;
        if conv.speakers[0] != p {
            conv.speakers[0]
        } else {
            conv.speakers[1]
        }
    } else {
        sender(rng, people.len())
    };
    let parent = &conv.recent[parent];
    let mut references = parent.chain.clone();
    let mut in_reply_to = parent.id.clone();
    let r = rng.f64();
    if r < 0.02 {
        // A gateway dropped the threading headers.
        references.clear();
        in_reply_to = None;
    } else if r < 0.03 {
        references.clear();
    } else if r < 0.04 {
        in_reply_to = None;
    } else if r < 0.045 {
        // An ancestor the archive never got.
        references.insert(references.len().saturating_sub(1), message_id(rng, n + 7));
    }
    let id = (!rng.chance(0.003)).then(|| message_id(rng, n));
    let prefix = if rng.chance(0.02) { "AW: " } else { "Re: " };
    let subject = if rng.chance(0.01) {
        format!("{} (was: {})", subject(rng, words), conv.subject)
    } else {
        format!("{prefix}{}", conv.subject)
    };
    let paragraphs = rng.range(1, 4);
    let own = prose(rng, words, paragraphs);
    let who = &people[parent.author];
    let attribution = format!("On {}, {} wrote:", rfc2822(parent.date, 0), who.name);
    let quoted: String = parent.lines.iter().map(|l| format!("> {l}\n")).collect();
    let body = match rng.f64() {
        x if x < 0.6 => format!("{attribution}\n{quoted}\n{own}"),
        x if x < 0.85 => format!("{own}\n\n{attribution}\n{quoted}"),
        _ => own.clone(),
    };
    let mut chain = references.clone();
    if let Some(id) = &id {
        chain.push(id.clone());
    }
    // The root and the last ten, as mail clients trim the header.
    if chain.len() > 11 {
        chain.drain(1..chain.len() - 10);
    }
    write_message(
        rng,
        buf,
        &people[author],
        id.as_deref(),
        &references,
        in_reply_to.as_deref(),
        &subject,
        date,
        &body,
    );
    if conv.recent.len() == 16 {
        conv.recent.pop_front();
    }
    conv.recent.push_back(Sent {
        id,
        chain,
        author,
        date,
        lines: quote_lines(&own),
    });
    conv.speakers = [conv.speakers[1], author];
}

fn quote_lines(text: &str) -> Vec<String> {
    text.lines()
        .filter(|l| !l.is_empty())
        .take(3)
        .map(str::to_owned)
        .collect()
}

#[allow(clippy::too_many_arguments)]
fn write_message(
    rng: &mut Rng,
    buf: &mut String,
    from: &Person,
    id: Option<&str>,
    references: &[String],
    in_reply_to: Option<&str>,
    subject: &str,
    date: i64,
    body: &str,
) {
    let mut body = body.to_owned();
    if let Some(sig) = &from.signature {
        body.push_str("\n\n-- \n");
        body.push_str(sig);
    }
    if rng.chance(0.1) {
        body.push_str("\n\n_______________________________________________\ndevel mailing list\nhttps://lists.example.org/listinfo/devel");
    }
    let _ = writeln!(buf, "From {} {}", from.address, asctime(date));
    if let Some(id) = id {
        let _ = writeln!(buf, "Message-ID: <{id}>");
    }
    if !references.is_empty() {
        let refs: Vec<String> = references.iter().map(|r| format!("<{r}>")).collect();
        let _ = writeln!(buf, "References: {}", refs.join("\n "));
    }
    if let Some(r) = in_reply_to {
        let _ = writeln!(buf, "In-Reply-To: <{r}>");
    }
    let name = match from.encoding {
        NameEncoding::Plain => format!("\"{}\"", from.name),
        NameEncoding::Utf8Base64 => format!("=?UTF-8?B?{}?=", base64(from.name.as_bytes())),
        NameEncoding::Latin1Q => format!("=?ISO-8859-1?Q?{}?=", q_word(&latin1(&from.name))),
    };
    let _ = writeln!(buf, "From: {name} <{}>", from.address);
    let _ = writeln!(buf, "To: devel@lists.example.org");
    // Lists put their tag after the reply prefix: `Re: [devel] ...`.
    let (prefix, rest) = match subject.split_once(": ") {
        Some((p, rest)) if p == "Re" || p == "AW" => (&subject[..p.len() + 2], rest),
        _ => ("", subject),
    };
    let _ = writeln!(buf, "Subject: {prefix}[devel] {rest}");
    // The sender's time zone: the same instant, written in local time.
    const ZONES: [i64; 8] = [0, 0, 60, 120, -300, -480, 540, 330];
    let zone = ZONES[rng.below(ZONES.len())];
    let _ = writeln!(buf, "Date: {}", rfc2822(date, zone));
    let _ = writeln!(
        buf,
        "List-Id: \"Developers\" <devel.lists.example.org>\nMIME-Version: 1.0"
    );
    match rng.f64() {
        x if x < 0.55 => {
            let _ = write!(
                buf,
                "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n{}",
                escape_from(&body)
            );
        }
        x if x < 0.67 => {
            let _ = write!(
                buf,
                "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n{}",
                quoted_printable(body.as_bytes())
            );
        }
        x if x < 0.72 => {
            let _ = write!(
                buf,
                "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\n{}",
                base64_lines(body.as_bytes())
            );
        }
        x if x < 0.82 => {
            let boundary = format!("=_b{:x}", rng.next_u64());
            let html = html(&body);
            let _ = write!(
                buf,
                "Content-Type: multipart/alternative; boundary=\"{boundary}\"\n\n--{boundary}\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n{}\n--{boundary}\nContent-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n{}\n--{boundary}--\n",
                quoted_printable(body.as_bytes()),
                quoted_printable(html.as_bytes())
            );
        }
        x if x < 0.84 => {
            let _ = write!(
                buf,
                "Content-Type: text/html; charset=utf-8\n\n{}",
                escape_from(&html(&body))
            );
        }
        x if x < 0.91 => {
            let text = format!("{}\n\n{body}", rng.pick(LATIN1_TEXT));
            let _ = write!(
                buf,
                "Content-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: quoted-printable\n\n{}",
                quoted_printable(&latin1(&text))
            );
        }
        x if x < 0.96 => {
            let text = format!("{}\n\n{body}", rng.pick(RUSSIAN_TEXT));
            let bytes = koi8r(&text);
            let _ = write!(
                buf,
                "Content-Type: text/plain; charset=koi8-r\nContent-Transfer-Encoding: base64\n\n{}",
                base64_lines(&bytes)
            );
        }
        _ => {
            let text = format!("{}\n\n{body}", rng.pick(JAPANESE_TEXT));
            let _ = write!(
                buf,
                "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\n{}",
                base64_lines(text.as_bytes())
            );
        }
    }
    if !buf.ends_with('\n') {
        buf.push('\n');
    }
    buf.push('\n');
}
