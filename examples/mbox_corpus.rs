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

use std::collections::{BinaryHeap, VecDeque};
use std::fmt::Write as _;
use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

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

const WORDS: &str = "the a of and to in is that for it as with on be by this are or from at we can
not our they have more but which their about what when how there has so if will one all would these
also into other people than them then only some could time most may just very many those where much
such each should even like well make way because through new first any both build release patch
branch merge review test tests failing passing commit kernel driver config option flag default
memory leak crash stack trace log logs error warning version upgrade downgrade package packages
mirror server client proxy cache index query schema table migration backup restore disk network
socket timeout latency throughput benchmark profile thread lock race deadlock signal handler parser
lexer compiler linker library binary script shell path file files folder permission user users
group admin list archive thread subject reply bounce digest moderator spam filter header body
encoding charset locale unicode font render screen window layout theme plugin module feature bug
bugs issue ticket tracker roadmap meeting minutes vote proposal draft spec standard protocol";

const FIRST: &str = "Ada Alan Alice Amara Ana Andre Anika Arjun Aya Ben Bianca Boris Carla Carlos
Chen Chloe Dana Daniel Dara David Diego Elena Eli Emma Esteban Eva Farah Felix Fiona Gabriel Grace
Hana Hugo Ian Ines Isaac Ivy Jack Jamal Jana Javier Jin Jonas Julia Kai Kamal Kara Kenji Lara Leo
Lina Liu Lucas Luis Maya Mei Mona Nadia Nina Noah Nora Olga Omar Oscar Paula Pedro Priya Rafael
Rahul Rana Rosa Ruth Sami Sara Sofia Sven Tara Theo Tom Uma Victor Vera Wei Yara Yusuf Zara Zoe";

const LAST: &str = "Abe Adler Baker Berg Brandt Castro Chen Cohen Costa Dahl Diaz Dubois Engel
Evans Fischer Flores Garcia Gomez Gupta Haas Hansen Hoffmann Ito Jensen Kato Keller Kim Koch Kovacs
Kumar Lang Larsen Lee Lopez Meyer Moreau Mori Nagy Novak Olsen Park Patel Perez Petrov Quinn Reyes
Richter Rossi Sato Schmidt Silva Singh Suzuki Tanaka Torres Varga Vogel Wagner Weber Wong Young";

/// Names with letters outside ASCII, written as RFC 2047 encoded words.
const ACCENTED: &[&str] = &[
    "Renée Dupré",
    "Jürgen Müller",
    "Zoë Ångström",
    "José Núñez",
    "Bjørn Økland",
    "François Lefèvre",
];
const CYRILLIC_NAMES: &[&str] = &["Иван Петров", "Ольга Смирнова", "Дмитрий Орлов"];

const LATIN1_TEXT: &[&str] = &[
    "Voilà, ça marche très bien après la mise à jour.",
    "Grüße aus München, die Änderung löst das Problem für uns.",
    "La configuración nueva está en el repositorio, señor.",
    "Façade, naïve, coöperation: all of these survive the round trip.",
];
const RUSSIAN_TEXT: &[&str] = &[
    "Спасибо, это исправление работает у нас без ошибок.",
    "Сборка падает на новой версии компилятора, вот журнал.",
    "Предлагаю обсудить это на следующей встрече списка.",
];
const JAPANESE_TEXT: &[&str] = &[
    "ありがとうございます。このパッチでなおりました。",
    "ビルドがしっぱいします。ログをおくります。",
];

const DOMAINS: &[&str] = &[
    "example.org",
    "example.com",
    "mail.example.net",
    "users.example.edu",
    "lists.example.org",
];

/// A xoshiro256** stream seeded through splitmix64.
struct Rng {
    s: [u64; 4],
}

impl Rng {
    fn new(seed: u64) -> Self {
        let mut x = seed;
        let mut next = || {
            x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = x;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        };
        Rng {
            s: [next(), next(), next(), next()],
        }
    }

    fn next_u64(&mut self) -> u64 {
        let s = &mut self.s;
        let result = s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        result
    }

    fn f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    fn chance(&mut self, p: f64) -> bool {
        self.f64() < p
    }

    fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }

    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    fn pick<'a, T: ?Sized>(&mut self, xs: &[&'a T]) -> &'a T {
        xs[self.below(xs.len())]
    }

    /// An exponential wait with this mean.
    fn exp(&mut self, mean: f64) -> f64 {
        -mean * (1.0 - self.f64()).ln()
    }
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

fn sentence(rng: &mut Rng, words: &[&str], out: &mut String) {
    let n = rng.range(6, 18);
    for i in 0..n {
        let w = words[rng.below(words.len())];
        if i == 0 {
            out.push(w.as_bytes()[0].to_ascii_uppercase() as char);
            out.push_str(&w[1..]);
        } else {
            out.push(' ');
            out.push_str(w);
        }
    }
    out.push_str(if rng.chance(0.15) { "?" } else { "." });
}

/// Paragraphs of prose, wrapped at 72 columns.
fn prose(rng: &mut Rng, words: &[&str], paragraphs: usize) -> String {
    let mut text = String::new();
    for p in 0..paragraphs {
        if p > 0 {
            text.push_str("\n\n");
        }
        let mut para = String::new();
        for s in 0..rng.range(2, 5) {
            if s > 0 {
                para.push(' ');
            }
            sentence(rng, words, &mut para);
        }
        wrap(&para, &mut text);
        if rng.chance(0.02) {
            // An unescaped-looking line that the mbox must escape.
            text.push_str("\nFrom the logs it looks like a timeout.");
        }
    }
    text
}

fn wrap(para: &str, out: &mut String) {
    let mut col = 0;
    for w in para.split(' ') {
        if col > 0 && col + w.len() > 72 {
            out.push('\n');
            col = 0;
        } else if col > 0 {
            out.push(' ');
            col += 1;
        }
        out.push_str(w);
        col += w.len();
    }
}

fn subject(rng: &mut Rng, words: &[&str]) -> String {
    let mut s = String::new();
    let n = rng.range(3, 8);
    for i in 0..n {
        let w = words[rng.below(words.len())];
        if i == 0 {
            s.push(w.as_bytes()[0].to_ascii_uppercase() as char);
            s.push_str(&w[1..]);
        } else {
            s.push(' ');
            s.push_str(w);
        }
    }
    if rng.chance(0.1) {
        s.push('?');
    }
    s
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

fn html(text: &str) -> String {
    let mut out = String::from("<html><body>\n");
    for para in text.split("\n\n") {
        let escaped = para
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;");
        if para.starts_with('>') {
            let _ = writeln!(out, "<blockquote>{escaped}</blockquote>");
        } else {
            let _ = writeln!(out, "<p>{}</p>", escaped.replace('\n', "<br>\n"));
        }
    }
    out.push_str("</body></html>\n");
    out
}

/// mboxrd: a body line `>*From ` gets one more `>`.
fn escape_from(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        if line.trim_start_matches('>').starts_with("From ") {
            out.push('>');
        }
        out.push_str(line);
    }
    out
}

fn latin1(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?'))
        .collect()
}

/// KOI8-R for ASCII and the Russian alphabet (other letters become `?`).
fn koi8r(text: &str) -> Vec<u8> {
    // KOI8-R 0xC0..=0xDF are these lower-case letters; upper case is +0x20.
    const LOWER: &str = "юабцдефгхийклмнопярстужвьызшэщчъ";
    text.chars()
        .map(|c| {
            if c.is_ascii() {
                return c as u8;
            }
            if let Some(i) = LOWER.chars().position(|l| l == c) {
                return 0xC0 + i as u8;
            }
            let lower = c.to_lowercase().next().unwrap_or(c);
            match LOWER.chars().position(|l| l == lower) {
                Some(i) => 0xE0 + i as u8,
                None if c == 'ё' => 0xA3,
                None => b'?',
            }
        })
        .collect()
}

fn quoted_printable(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() + bytes.len() / 8);
    let mut col = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'\n' {
            out.push('\n');
            col = 0;
            continue;
        }
        let next_is_eol = bytes.get(i + 1).is_none_or(|&n| n == b'\n');
        let plain = (b == b' ' && !next_is_eol) || (b.is_ascii_graphic() && b != b'=');
        let piece = if plain {
            (b as char).to_string()
        } else {
            format!("={b:02X}")
        };
        if col + piece.len() > 75 {
            out.push_str("=\n");
            col = 0;
        }
        // A line starting `From ` would be escaped by the mbox: QP avoids it.
        if col == 0 && bytes[i..].starts_with(b"From ") {
            out.push_str("=46");
            col += 3;
            continue;
        }
        out.push_str(&piece);
        col += piece.len();
    }
    out
}

fn q_word(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|&b| match b {
            b' ' => "_".to_owned(),
            b if b.is_ascii_alphanumeric() => (b as char).to_string(),
            b => format!("={b:02X}"),
        })
        .collect()
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = (u32::from(chunk[0]) << 16)
            | (u32::from(*chunk.get(1).unwrap_or(&0)) << 8)
            | u32::from(*chunk.get(2).unwrap_or(&0));
        for k in 0..4 {
            if k <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * k)) as usize & 63] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn base64_lines(bytes: &[u8]) -> String {
    let all = base64(bytes);
    let mut out = String::with_capacity(all.len() + all.len() / 76 + 1);
    for chunk in all.as_bytes().chunks(76) {
        out.push_str(std::str::from_utf8(chunk).expect("base64 is ASCII"));
        out.push('\n');
    }
    out
}

/// Days since 1970-01-01 to (year, month, day), after Howard Hinnant.
fn civil(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let (era, doe) = (z.div_euclid(146_097), z.rem_euclid(146_097));
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];

/// `Tue, 2 Jan 2024 11:00:00 +0100`: the instant `secs` in a zone
/// `zone` minutes east of UTC.
fn rfc2822(secs: i64, zone: i64) -> String {
    let secs = secs + zone * 60;
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil(days);
    format!(
        "{}, {d} {} {y} {:02}:{:02}:{:02} {}{:02}{:02}",
        DAYS[days.rem_euclid(7) as usize],
        MONTHS[(m - 1) as usize],
        rem / 3600,
        rem / 60 % 60,
        rem % 60,
        if zone < 0 { '-' } else { '+' },
        zone.abs() / 60,
        zone.abs() % 60
    )
}

/// `Tue Jan  2 10:00:00 2024`, as on a `From ` line.
fn asctime(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil(days);
    format!(
        "{} {} {d:>2} {:02}:{:02}:{:02} {y}",
        DAYS[days.rem_euclid(7) as usize],
        MONTHS[(m - 1) as usize],
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}
