//! Benchmark corpus generator: a deterministic synthetic Salon site.
//!
//! Writes the same shape of site as `bench/corpus.py --format salon` (posts,
//! members, threaded comments of a "knowledge community"), using only std so
//! that it builds anywhere the crate builds.
//!
//! ```text
//! cargo run --release --example corpus -- --posts N --out DIR [--seed S]
//!     [--members M] [--comments-per-post C] [--title T] [--force]
//! ```
//!
//! The output depends only on the options: the model (members, tags, post
//! titles, dates, authors) comes from one seeded stream, and each post's body
//! and comments from a stream of its own (seed, index), so posts are written
//! in parallel and every run gives the same bytes. The distributions follow
//! corpus.py, but not its bytes. Differences: every bio mentions a member,
//! shell snippets are fenced as `bash`, and beyond the 9,894 first–last name
//! pairs members get middle initials (corpus.py stops there).
//! The summary line goes to stderr, as with corpus.py.

use std::collections::HashSet;
use std::fmt::Write as _;
use std::fs;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::thread;

// Word lists, as in bench/corpus.py.

/// The vocabulary of all prose; titles use it from "community" on.
const WORDS: &str = "the a of and to in is that for it as with on be by this are or from at an we
can not our they have more but which their about what when how there has so if will one all would
these also into other people than them its then only some could time most may just very many those
where much such each should even like well make way because through new first any both community
knowledge member members discussion thread conversation forum network social media customer
customers company companies brand brands value trust relationship relationships engagement
participation idea ideas question questions answer answers expert experts learning practice
practices content platform platforms tool tools data insight insights strategy process processes
service services support feedback collaboration team teams culture leadership change growth market
markets research analysis model models system systems design user users experience product products
problem problems solution solutions context signal noise listening reputation influence identity
privacy moderation governance policy rules norms reward rewards incentive incentives contribution
contributions archive archives history story stories narrative meaning purpose mission open closed
public private shared local global digital online offline simple complex small large early late
better worse real useful important different common clear hard easy long short quick slow careful
honest build grow share learn ask answer listen connect help measure manage explain argue agree
disagree notice suggest improve support consider understand remember forget decide create follow
lead invite welcome organize curate moderate publish write read comment reply link quote";

const ADJ: &str = "Open Social Distributed Local Global Quiet Civic Digital Shared Remote Practical
Emerging Agile Lean Visual Critical Collective Informal Formal Public Private Mobile Ambient
Semantic Personal Hybrid Modern Classic Small Sustainable Ethical Inclusive Networked Federated
Casual Deep Slow Fast Open Peer Customer Employee Partner Vendor Volunteer Academic Industrial
Creative";

const NOUN: &str = "Communities Networks Knowledge Learning Marketing Support Design Research
Analytics Moderation Governance Leadership Culture Strategy Service Platforms Publishing Writing
Listening Metrics Identity Privacy Trust Reputation Onboarding Events Meetups Forums Wikis Blogs
Podcasts Newsletters Archives Mentoring Feedback Innovation Collaboration Documentation Search
Taxonomy Curation Storytelling Engagement Advocacy Loyalty Outreach Funding Volunteering
Recognition Rituals Norms Incentives Tools Workflows Teams";

const SEED_TAGS: &str = "Community|CRM|Social Media|Social CRM|VRM|Collaboration|Twitter|\
Knowledge Management|Open Source|Customer Service|Enterprise 2.0|Marketing|\
Analytics|Moderation|Governance|Leadership|Culture|Strategy|Blogging|Wikis|\
Forums|Podcasts|Events|Learning|Research|Design|Privacy|Identity|Trust|\
Reputation|Onboarding|Mentoring|Metrics|Innovation|Storytelling|Advocacy|\
Loyalty|Outreach|Documentation|Search|Taxonomy|Curation|Engagement|Tools|\
Remote Work|Volunteers|Nonprofits|Education|Health|Open Data|Civic Tech|\
Publishing|Newsletters|Meetups|Ethics|Accessibility|Inclusion|Product|\
Support Communities|Gamification";

const FIRST: &str = "Ada Alan Alice Amara Ana Andre Anika Arjun Aya Ben Bianca Boris Carla Carlos
Chen Chloe Dana Daniel Dara David Diego Elena Eli Emma Esteban Eva Farah Felix Fiona Gabriel Grace
Hana Hugo Ian Ines Isaac Ivy Jack Jamal Jana Javier Jin Joao Jonas Julia Kai Kamal Kara Kenji Lara
Laura Lauren Leo Lina Liu Lucas Luis Maya Mei Mitch Mona Nadia Nina Noah Nora Olga Omar Oscar Paula
Pedro Priya Rafael Rahul Rana Rosa Ruth Sami Sara Sofia Sven Tara Theo Tom Uma Victor Vera Wei Yara
Yusuf Zara Zoe Abel Bea Cruz Dev Edith Femi Gus Hiro Iris Joel Kofi";

const LAST: &str = "Abbott Adams Akhtar Alvarez Anders Bauer Becker Bennett Bianchi Brooks Castro
Chen Cohen Costa Cruz Dahl Diaz Dubois Edwards Evans Fischer Flores Garcia Gomez Gupta Hansen
Haddad Hughes Ibrahim Ito Jensen Johnson Kaur Keller Kim Kolsky Kowalski Kumar Larsen Lee Lieberman
Lopez Martin Meyer Moreau Murphy Nakamura Nguyen Novak Okafor Olsen Ortiz Patel Perez Petrov Quinn
Ramos Reyes Rossi Sato Schmidt Silva Singh Smith Sousa Suzuki Tanaka Taylor Torres Vargas Vogel
Wagner Walker Wang Weber Wilson Wong Yamada Young Zhang Ziegler Zimmer Moss Hale Pike Frost Lowe
Marsh Reed Stone Wolfe Ward Hart Fox Shaw Lane Cole";

const ROLES: &str = "analyst and consultant|community manager|moderator|software engineer|\
researcher|product manager|librarian|designer|teacher|support lead|journalist|founder|\
volunteer organizer|data scientist|writer and editor|developer advocate|student|retired engineer";

const CITIES: &str = "Lisbon|Toronto|Nairobi|Osaka|Berlin|Austin|Buenos Aires|Melbourne|Pune|\
Oslo|Dublin|Seoul|Mexico City|Accra|Montreal|Kraków|São Paulo|Zürich";

/// Closing sentences of bios, each followed by ` @handle.`.
const BIO_MENTIONS: &[&str] = &["Often found replying to", "Learned the ropes from"];

/// Fenced code blocks: the language, a newline, then code where `{w}` is a word.
const CODE_SNIPPETS: &[&str] = &[
    "python\ndef score(post, votes):\n    \"\"\"Rank a post by its {w} votes.\"\"\"\n    \
     total = sum(v.weight for v in votes)\n    return total / (1 + post.age_days) ** 1.5\n",
    "rust\nfn {w}_count(items: &[Item]) -> usize {\n    \
     items.iter().filter(|i| i.is_visible()).count()\n}\n",
    "javascript\nconst {w} = members.filter(m => m.active)\n  \
     .map(m => ({ handle: m.handle, posts: m.posts.length }));\nconsole.log({w}.length);\n",
    "yaml\ncommunity:\n  name: {w}\n  moderators: [ana, kenji]\n  open: true\n",
    "sql\nSELECT author, count(*) AS posts\nFROM posts\nWHERE tag = '{w}'\n\
     GROUP BY author ORDER BY posts DESC;\n",
    "bash\n$ curl -s https://example.org/api/{w} | jq '.items | length'\n42\n",
];

/// Initials of non-member commenters (and middle initials of members).
const INITIALS: &[u8] = b"ABCDEFGHJKLMNOPRSTVW";

/// 2014-01-01T00:00:00Z; post dates fall in the ten years after it.
const START: i64 = 1_388_534_400;
const SPAN: i64 = 10 * 365 * 86_400;

const USAGE: &str = "usage: corpus --posts N --out DIR [--seed S] [--members M] \
[--comments-per-post C] [--title T] [--force]";

/// Command-line options.
struct Options {
    posts: usize,
    members: Option<usize>,
    comments_per_post: f64,
    seed: u64,
    out: PathBuf,
    title: String,
    force: bool,
}

/// Parses a flag's value.
fn parse_num<T: std::str::FromStr>(value: &str, flag: &str) -> Result<T, String> {
    value
        .parse()
        .map_err(|_| format!("{flag}: invalid value {value:?}"))
}

/// Parses the command line (without the program name).
fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Options, String> {
    let mut o = Options {
        posts: 1000,
        members: None,
        comments_per_post: 5.0,
        seed: 20_240_601,
        out: PathBuf::new(),
        title: "Knowledge Community".into(),
        force: false,
    };
    while let Some(flag) = args.next() {
        if flag == "--force" {
            o.force = true;
            continue;
        }
        if flag == "-h" || flag == "--help" {
            println!("{USAGE}");
            std::process::exit(0);
        }
        let v = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--posts" => o.posts = parse_num(&v, &flag)?,
            "--members" => o.members = Some(parse_num(&v, &flag)?),
            "--comments-per-post" => o.comments_per_post = parse_num(&v, &flag)?,
            "--seed" => o.seed = parse_num(&v, &flag)?,
            "--out" => o.out = PathBuf::from(v),
            "--title" => o.title = v,
            _ => return Err(format!("unknown argument {flag:?}\n{USAGE}")),
        }
    }
    if o.out.as_os_str().is_empty() {
        return Err(format!("--out is required\n{USAGE}"));
    }
    if o.posts == 0 || o.members == Some(0) {
        return Err("--posts and --members must be at least 1".into());
    }
    if !(o.comments_per_post.is_finite() && o.comments_per_post >= 0.0) {
        return Err("--comments-per-post must be a number >= 0".into());
    }
    Ok(o)
}

/// One step of splitmix64, used to expand seeds.
fn splitmix64(x: &mut u64) -> u64 {
    *x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *x;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// xoshiro256** seeded through splitmix64: small, fast and reproducible.
struct Rng {
    s: [u64; 4],
}

impl Rng {
    /// A generator whose whole state derives from `seed`.
    fn new(seed: u64) -> Self {
        let mut x = seed;
        Rng {
            s: [(); 4].map(|()| splitmix64(&mut x)),
        }
    }

    /// An independent stream for item `index` (one post) of the run `seed`.
    fn stream(seed: u64, index: u64) -> Self {
        let mut x = seed ^ 0x5851_f42d_4c95_7f2d;
        Rng::new(splitmix64(&mut x) ^ index.wrapping_mul(0x9e37_79b9_7f4a_7c15))
    }

    /// The next 64 random bits.
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

    /// A uniform float in [0, 1).
    fn f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// True with probability `p`.
    fn chance(&mut self, p: f64) -> bool {
        self.f64() < p
    }

    /// A uniform integer in `0..n` (`n > 0`).
    fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }

    /// A uniform integer in `lo..=hi`.
    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    /// A uniform element of a non-empty slice.
    fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len())]
    }

    /// Fisher–Yates shuffle.
    fn shuffle<T>(&mut self, xs: &mut [T]) {
        for i in (1..xs.len()).rev() {
            xs.swap(i, self.below(i + 1));
        }
    }

    /// An index drawn from cumulative weights (see [`zipf_cum`]).
    fn weighted(&mut self, cum: &[f64]) -> usize {
        let x = self.f64() * cum[cum.len() - 1];
        cum.partition_point(|&c| c < x).min(cum.len() - 1)
    }
}

/// Cumulative Zipf weights `1/r^s` for ranks `1..=n`.
fn zipf_cum(n: usize, s: f64) -> Vec<f64> {
    let mut acc = 0.0;
    (1..=n)
        .map(|r| {
            acc += 1.0 / (r as f64).powf(s);
            acc
        })
        .collect()
}

/// Lower-cases ASCII letters and digits and joins the runs of anything else with `-`.
fn slugify(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars().map(|c| c.to_ascii_lowercase()) {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    out
}

/// `s` as a double-quoted YAML scalar with JSON-style escapes.
fn q(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c < ' ' || ('\u{7f}'..='\u{9f}').contains(&c) => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A YAML flow sequence of double-quoted strings.
fn qlist<'a>(items: impl Iterator<Item = &'a str>) -> String {
    format!("[{}]", items.map(q).collect::<Vec<_>>().join(", "))
}

/// Formats Unix seconds as an RFC 3339 UTC timestamp (`YYYY-MM-DDTHH:MM:SSZ`).
fn rfc3339(secs: i64) -> String {
    // Days to civil date, after Howard Hinnant's `civil_from_days`.
    let z = secs.div_euclid(86_400) + 719_468;
    let rem = secs.rem_euclid(86_400);
    let (era, doe) = (z.div_euclid(146_097), z.rem_euclid(146_097));
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let (h, m, s) = (rem / 3600, rem / 60 % 60, rem % 60);
    format!("{year:04}-{month:02}-{day:02}T{h:02}:{m:02}:{s:02}Z")
}

/// Appends an ASCII word with its first letter in upper case.
fn push_capitalized(out: &mut String, w: &str) {
    out.push(w.as_bytes()[0].to_ascii_uppercase() as char);
    out.push_str(&w[1..]);
}

/// How a sentence is decorated: words `i..=j` wrapped in markup, or a token
/// inserted before word `i`.
enum Deco {
    Plain,
    Wrap(usize, &'static str, usize, String),
    Insert(usize, String),
}

/// The prose generator: Zipf-weighted words, markdown sentences and paragraphs.
struct Text {
    vocab: Vec<&'static str>,
    cum: Vec<f64>,
    handles: Vec<String>,
}

impl Text {
    /// A generator that mentions the given member handles.
    fn new(handles: Vec<String>) -> Self {
        let vocab: Vec<&str> = WORDS.split_whitespace().collect();
        let cum = zipf_cum(vocab.len(), 0.7);
        Text {
            vocab,
            cum,
            handles,
        }
    }

    /// One word: Zipf-weighted 80% of the time, else uniform.
    fn word(&self, rng: &mut Rng) -> &'static str {
        if rng.chance(0.8) {
            self.vocab[rng.weighted(&self.cum)]
        } else {
            rng.pick(&self.vocab)
        }
    }

    /// Picks at most one inline decoration for a sentence of `words`.
    fn decoration(&self, rng: &mut Rng, words: &[&str], links: &[(&str, &str)]) -> Deco {
        let (n, x, i) = (words.len(), rng.f64(), rng.below(words.len()));
        if x < 0.12 {
            Deco::Wrap(i, "*", i, "*".into())
        } else if x < 0.18 {
            Deco::Wrap(i, "**", i, "**".into())
        } else if x < 0.22 {
            Deco::Wrap(i, "`", i, format!("_{}`", self.word(rng)))
        } else if x < 0.28 {
            let j = n.min(i + rng.range(1, 3)) - 1;
            let url = format!("](https://example.org/{}/{})", words[i], rng.below(1000));
            Deco::Wrap(i, "[", j, url)
        } else if x < 0.31 && !links.is_empty() {
            let (slug, title) = rng.pick(links);
            Deco::Insert(i, format!("[{title}](/posts/{slug}/)"))
        } else if x < 0.35 {
            Deco::Insert(
                i,
                format!("@{}", self.handles[rng.below(self.handles.len())]),
            )
        } else if x < 0.42 {
            let j = n.min(i + rng.range(2, 5)) - 1;
            Deco::Wrap(i, "\u{201c}", j, "\u{201d}".into())
        } else if x < 0.46 {
            Deco::Wrap(i, "", i, "\u{2019}s".into())
        } else {
            Deco::Plain
        }
    }

    /// Appends one capitalized, punctuated sentence of 8–22 words; `rich` adds
    /// inline markup, links and mentions.
    fn sentence(&self, rng: &mut Rng, links: &[(&str, &str)], rich: bool, out: &mut String) {
        let mut buf = [""; 22];
        let words = &mut buf[..rng.range(8, 22)];
        for w in words.iter_mut() {
            *w = self.word(rng);
        }
        let deco = if rich {
            self.decoration(rng, words, links)
        } else {
            Deco::Plain
        };
        let start = out.len();
        for (k, w) in words.iter().enumerate() {
            if k > 0 {
                out.push(' ');
            }
            match &deco {
                Deco::Insert(i, token) if *i == k => {
                    out.push_str(token);
                    out.push(' ');
                }
                Deco::Wrap(i, pre, ..) if *i == k => out.push_str(pre),
                _ => {}
            }
            if out.len() == start {
                push_capitalized(out, w);
            } else {
                out.push_str(w);
            }
            if let Deco::Wrap(_, _, j, post) = &deco {
                if *j == k {
                    out.push_str(post);
                }
            }
        }
        out.push(rng.pick(&['.', '.', '.', '.', '.', '.', '.', '.', '.', '?', '!']));
    }

    /// Appends `n` rich sentences separated by spaces.
    fn paragraph(&self, rng: &mut Rng, links: &[(&str, &str)], n: usize, out: &mut String) {
        for k in 0..n {
            if k > 0 {
                out.push(' ');
            }
            self.sentence(rng, links, true, out);
        }
    }

    /// Appends a heading text of 2–5 capitalized words.
    fn heading(&self, rng: &mut Rng, out: &mut String) {
        for k in 0..rng.range(2, 5) {
            if k > 0 {
                out.push(' ');
            }
            push_capitalized(out, self.word(rng));
        }
    }
}

/// A community member (the file stem of their profile is `handle`).
struct Member {
    handle: String,
    name: String,
    first: &'static str,
    role: &'static str,
    location: &'static str,
    bio: String,
}

/// A post's metadata; its body and comments are generated when it is written.
struct Post {
    slug: String,
    title: String,
    date: i64,
    tags: Vec<usize>,
    authors: Vec<usize>,
}

/// Everything drawn from the run's main stream.
struct Model {
    members: Vec<Member>,
    tags: Vec<String>,
    posts: Vec<Post>,
    text: Text,
    /// First names for non-member commenters.
    first_names: Vec<&'static str>,
}

/// Distinct member names as (first name, full name): first–last pairs in a
/// shuffled order, then, only if more are needed, names with a middle initial.
fn member_names(rng: &mut Rng, count: usize) -> Result<Vec<(&'static str, String)>, String> {
    let last: Vec<&str> = LAST.split_whitespace().collect();
    let pairs = || {
        FIRST
            .split_whitespace()
            .flat_map(|f| last.iter().map(move |&l| (f, l)))
    };
    let mut names: Vec<_> = pairs().map(|(f, l)| (f, format!("{f} {l}"))).collect();
    rng.shuffle(&mut names);
    if count > names.len() {
        let mut more: Vec<_> = pairs()
            .flat_map(|(f, l)| {
                INITIALS
                    .iter()
                    .map(move |&m| (f, format!("{f} {}. {l}", m as char)))
            })
            .collect();
        rng.shuffle(&mut more);
        names.extend(more);
    }
    if count > names.len() {
        return Err(format!("too many members requested (max {})", names.len()));
    }
    names.truncate(count);
    Ok(names)
}

/// Draws members, then the prose generator that mentions them, then their bios.
fn build_members(rng: &mut Rng, count: usize) -> Result<(Vec<Member>, Text), String> {
    let roles: Vec<&str> = ROLES.split('|').collect();
    let cities: Vec<&str> = CITIES.split('|').collect();
    let mut members: Vec<Member> = member_names(rng, count)?
        .into_iter()
        .map(|(f, name)| Member {
            handle: slugify(&name),
            name,
            first: f,
            role: rng.pick(&roles),
            location: rng.pick(&cities),
            bio: String::new(),
        })
        .collect();
    let text = Text::new(members.iter().map(|m| m.handle.clone()).collect());
    for k in 0..members.len() {
        let mut bio = String::new();
        let n = rng.range(2, 4);
        text.paragraph(rng, &[], n, &mut bio);
        let other = (k + 1 + rng.below(count.max(2) - 1)) % count;
        let verb = rng.pick(BIO_MENTIONS);
        let _ = write!(bio, " {verb} @{}.", members[other].handle);
        members[k].bio = bio;
    }
    Ok((members, text))
}

/// The `count` tag names: the seed tags first, then adjective–noun pairs and
/// adjective–noun–noun triples, unique by slug.
fn build_tags(rng: &mut Rng, count: usize) -> Result<Vec<String>, String> {
    let mut tags = Vec::with_capacity(count);
    let mut seen = HashSet::new();
    let mut add = |t: String| {
        if tags.len() < count && seen.insert(slugify(&t)) {
            tags.push(t);
        }
    };
    SEED_TAGS.split('|').for_each(|t| add(t.to_string()));
    let nouns: Vec<&str> = NOUN.split_whitespace().collect();
    let mut pairs: Vec<(&str, &str)> = ADJ
        .split_whitespace()
        .flat_map(|a| nouns.iter().map(move |&n| (a, n)))
        .collect();
    rng.shuffle(&mut pairs);
    pairs.iter().for_each(|(a, n)| add(format!("{a} {n}")));
    for (a, n) in &pairs {
        for b in &nouns {
            add(format!("{a} {n} {b}"));
        }
    }
    if tags.len() < count {
        return Err(format!("too many tags needed (max {})", tags.len()));
    }
    Ok(tags)
}

/// A title of 3–7 words, sometimes a question.
fn title(rng: &mut Rng, words: &[&str]) -> String {
    let mut t = String::new();
    for k in 0..rng.range(3, 7) {
        let w = rng.pick(words);
        if k > 0 {
            t.push(' ');
        }
        if k == 0 || w.len() > 3 {
            push_capitalized(&mut t, w);
        } else {
            t.push_str(w);
        }
    }
    if rng.chance(0.1) {
        t.push('?');
    }
    t
}

/// Adds distinct Zipf-drawn indices to `chosen` until it has `want` of them.
fn fill_weighted(rng: &mut Rng, cum: &[f64], chosen: &mut Vec<usize>, want: usize) {
    while chosen.len() < want.min(cum.len()) {
        let k = rng.weighted(cum);
        if !chosen.contains(&k) {
            chosen.push(k);
        }
    }
}

/// Draws post titles, unique slugs, dates, tags (1–5, Zipf) and authors
/// (1–2, Zipf); every tag and every member appears on some post.
fn build_posts(rng: &mut Rng, count: usize, ntags: usize, nmembers: usize) -> Vec<Post> {
    let vocab: Vec<&str> = WORDS.split_whitespace().collect();
    let title_words = &vocab[vocab.iter().position(|&w| w == "community").unwrap_or(0)..];
    let (tag_cum, auth_cum) = (zipf_cum(ntags, 1.0), zipf_cum(nmembers, 0.8));
    let mut guaranteed: Vec<usize> = (0..nmembers).collect();
    rng.shuffle(&mut guaranteed);
    let mut slugs = HashSet::with_capacity(count);
    (0..count)
        .map(|i| {
            let title = title(rng, title_words);
            let base = Some(slugify(&title)).filter(|s| !s.is_empty());
            let base = base.unwrap_or_else(|| "post".into());
            let mut slug = base.clone();
            for k in 2.. {
                if slugs.insert(slug.clone()) {
                    break;
                }
                slug = format!("{base}-{k}");
            }
            let date = START + rng.below(SPAN as usize) as i64;
            // With fewer posts than tags or members, the leftovers go round-robin.
            let mut tags: Vec<usize> = (i..ntags).step_by(count).collect();
            let want = rng.range(1, 5);
            fill_weighted(rng, &tag_cum, &mut tags, want);
            let mut authors: Vec<usize> = (i..nmembers)
                .step_by(count)
                .map(|k| guaranteed[k])
                .collect();
            let want = if rng.chance(0.8) { 1 } else { 2 };
            fill_weighted(rng, &auth_cum, &mut authors, want);
            Post {
                slug,
                title,
                date,
                tags,
                authors,
            }
        })
        .collect()
}

/// Draws the whole model from the main stream of `opts.seed`.
fn build_model(opts: &Options) -> Result<Model, String> {
    let mut rng = Rng::new(opts.seed);
    let nmembers = opts.members.unwrap_or((opts.posts / 10).max(20));
    let (members, text) = build_members(&mut rng, nmembers)?;
    let tags = build_tags(&mut rng, (opts.posts / 20).max(5))?;
    let posts = build_posts(&mut rng, opts.posts, tags.len(), members.len());
    Ok(Model {
        members,
        tags,
        posts,
        text,
        first_names: FIRST.split_whitespace().collect(),
    })
}

/// Appends a post body: an opening paragraph, `<!-- more -->`, then `##`
/// sections of paragraphs, lists, quotes and code until 600–1,500 words.
fn push_body(rng: &mut Rng, text: &Text, links: &[(&str, &str)], out: &mut String) {
    let target = rng.range(600, 1500);
    let para = |rng: &mut Rng, n: usize, out: &mut String| {
        let start = out.len();
        text.paragraph(rng, links, n, out);
        let words = out[start..].split_whitespace().count();
        out.push_str("\n\n");
        words
    };
    let n = rng.range(2, 4);
    let mut words = para(rng, n, out);
    out.push_str("<!-- more -->\n\n");
    let mut code_done = rng.f64() > 0.3;
    while words < target {
        out.push_str("## ");
        text.heading(rng, out);
        out.push_str("\n\n");
        for _ in 0..rng.range(1, 3) {
            let (block, n) = (out.len(), rng.range(3, 7));
            para(rng, n, out);
            let x = rng.f64();
            if x < 0.25 {
                let bullet = if rng.chance(0.6) { "- " } else { "1. " };
                for _ in 0..rng.range(3, 6) {
                    out.push_str(bullet);
                    text.sentence(rng, links, true, out);
                    out.pop(); // list items end without punctuation
                    out.push('\n');
                }
                out.push('\n');
            } else if x < 0.32 {
                out.push_str("> ");
                text.sentence(rng, links, true, out);
                out.push_str("\n\n");
            }
            words += out[block..].split_whitespace().count();
            if (0.32..0.42).contains(&x) && !code_done {
                let code = rng.pick(CODE_SNIPPETS).replace("{w}", text.word(rng));
                let _ = write!(out, "```{code}```\n\n");
                code_done = true;
            }
        }
        if rng.chance(0.2) {
            out.push_str("### ");
            text.heading(rng, out);
            out.push_str("\n\n");
            let n = rng.range(3, 7);
            words += para(rng, n, out);
        }
    }
    out.pop();
}

/// Appends post `i` as markdown (front matter + body); returns the body's word count.
fn push_post(model: &Model, i: usize, rng: &mut Rng, out: &mut String) -> usize {
    let p = &model.posts[i];
    let links: Vec<(&str, &str)> = (0..i.min(5))
        .map(|_| &model.posts[rng.below(i)])
        .map(|e| (e.slug.as_str(), e.title.as_str()))
        .collect();
    let _ = write!(
        out,
        "---\ntitle: {}\ndate: {}\nauthors: {}\ntags: {}\ncomments: open\n---\n\n",
        q(&p.title),
        rfc3339(p.date),
        qlist(p.authors.iter().map(|&a| model.members[a].handle.as_str())),
        qlist(p.tags.iter().map(|&t| model.tags[t].as_str())),
    );
    let start = out.len();
    push_body(rng, &model.text, &links, out);
    out[start..].split_whitespace().count()
}

/// How many comments a post gets: none for ~25%, 8x the average for ~3%,
/// else exponential around the average.
fn comment_count(rng: &mut Rng, avg: f64) -> usize {
    if avg <= 0.0 {
        return 0;
    }
    let x = rng.f64();
    let max = ((8.0 * avg).round() as usize).max(1);
    if x < 0.25 {
        0
    } else if x < 0.28 {
        max
    } else {
        let mean = avg * 0.76 / 0.72; // exponential, so that the overall mean is `avg`
        let n = (-(1.0 - rng.f64()).ln() * mean).round() as usize;
        n.max(1).min(max - 1)
    }
}

/// Appends a comment body: one or two `<p>` paragraphs with occasional inline HTML.
fn push_comment_body(rng: &mut Rng, text: &Text, out: &mut String) {
    for _ in 0..if rng.chance(0.75) { 1 } else { 2 } {
        let mut sents: Vec<String> = (0..rng.range(1, 4))
            .map(|_| {
                let mut s = String::new();
                text.sentence(rng, &[], false, &mut s);
                s
            })
            .collect();
        let y = rng.f64();
        if y < 0.15 {
            sents[0] = format!("<em>{}</em>", sents[0]);
        } else if y < 0.25 {
            let last = sents.len() - 1;
            sents[last] = format!("<strong>{}</strong>", sents[last]);
        } else if y < 0.35 {
            let w = text.word(rng);
            sents.push(format!("See <a href=\"https://example.com/{w}\">this</a>."));
        } else if y < 0.40 {
            sents.push(format!("<code>{}()</code>", text.word(rng)));
        } else if y < 0.45 {
            sents.insert(1, "<br>".into());
        } else if y < 0.50 {
            let mut s = String::new();
            text.sentence(rng, &[], false, &mut s);
            sents.push(format!("\u{201c}{s}\u{201d}"));
        }
        let _ = write!(out, "<p>{}</p>", sents.join(" "));
    }
}

/// Appends the comments file of post `i` (a YAML list, threaded by `parent`
/// up to 4 levels below the top); returns how many comments it holds.
fn push_comments(model: &Model, i: usize, avg: f64, rng: &mut Rng, out: &mut String) -> usize {
    let n = comment_count(rng, avg);
    let mut depth: Vec<u8> = Vec::with_capacity(n);
    let mut when = model.posts[i].date;
    let mut body = String::new();
    for id in 1..=n {
        let mut parent = None;
        if id > 1 && rng.chance(0.4) {
            let cand = rng.below(id - 1);
            parent = Some(cand + 1).filter(|_| depth[cand] < 4);
        }
        depth.push(parent.map_or(0, |p| depth[p - 1] + 1));
        when += rng.range(600, 3 * 86_400) as i64;
        let _ = writeln!(out, "- id: {id}");
        if let Some(p) = parent {
            let _ = writeln!(out, "  parent: {p}");
        }
        let (author, member, url) = if rng.chance(0.6) {
            let m = &model.members[rng.below(model.members.len())];
            let url = rng
                .chance(0.3)
                .then(|| format!("https://{}.example.net/", m.handle));
            (m.name.clone(), Some(&m.handle), url)
        } else {
            let first = rng.pick(&model.first_names);
            let author = format!("{first} {}.", rng.pick(INITIALS) as char);
            let url = rng
                .chance(0.2)
                .then(|| format!("https://blog.example.com/{}", slugify(&author)));
            (author, None, url)
        };
        let _ = writeln!(out, "  author: {}", q(&author));
        if let Some(handle) = member {
            let _ = writeln!(out, "  member: {handle}");
        }
        if let Some(url) = url {
            let _ = writeln!(out, "  url: {}", q(&url));
        }
        body.clear();
        push_comment_body(rng, &model.text, &mut body);
        let _ = writeln!(out, "  date: \"{}\"\n  body: {}", rfc3339(when), q(&body));
    }
    n
}

/// Appends a member profile: front matter and the bio.
fn push_member(m: &Member, out: &mut String) {
    let twitter: String = m.handle.replace('-', "_").chars().take(15).collect();
    let website = format!("https://{}.example.net/", m.handle);
    let aka = [
        m.first.into(),
        format!("@{}", m.handle),
        format!("{}@example.net", m.handle),
    ];
    let _ = write!(
        out,
        "---\nname: {}\nrole: {}\nlocation: {}\nlinks: {{ twitter: {}, website: {} }}\n\
         aka: {}\n---\n\n{}\n",
        q(&m.name),
        q(m.role),
        q(m.location),
        q(&twitter),
        q(&website),
        qlist(aka.iter().map(String::as_str)),
        m.bio
    );
}

/// Writes `text` to `path` in one call (the buffer is built beforehand).
fn write_file(path: &Path, text: &str) -> Result<(), String> {
    fs::File::create(path)
        .and_then(|mut f| f.write_all(text.as_bytes()))
        .map_err(|e| format!("{}: {e}", path.display()))
}

/// Makes sure `out` is absent or empty (removing it first with `force`), then
/// creates the site's folders.
fn prepare_out(out: &Path, force: bool) -> Result<(), String> {
    let err = |e: io::Error| format!("{}: {e}", out.display());
    if out.exists() && fs::read_dir(out).map_err(err)?.next().is_some() {
        if !force {
            return Err(format!(
                "{} exists and is not empty (use --force)",
                out.display()
            ));
        }
        fs::remove_dir_all(out).map_err(err)?;
    }
    for dir in ["content/posts", "content/members", "content/comments"] {
        fs::create_dir_all(out.join(dir)).map_err(err)?;
    }
    Ok(())
}

/// Writes posts `t, t + step, ...` and their comments; returns (words, comments).
fn write_posts(
    model: &Model,
    opts: &Options,
    t: usize,
    step: usize,
) -> Result<(usize, usize), String> {
    let (posts, comments) = (
        opts.out.join("content/posts"),
        opts.out.join("content/comments"),
    );
    let (mut buf, mut words, mut ncomments) = (String::new(), 0, 0);
    for i in (t..model.posts.len()).step_by(step) {
        let mut rng = Rng::stream(opts.seed, i as u64);
        let slug = &model.posts[i].slug;
        buf.clear();
        words += push_post(model, i, &mut rng, &mut buf);
        write_file(&posts.join(format!("{slug}.md")), &buf)?;
        buf.clear();
        let n = push_comments(model, i, opts.comments_per_post, &mut rng, &mut buf);
        if n > 0 {
            write_file(&comments.join(format!("{slug}.yaml")), &buf)?;
        }
        ncomments += n;
    }
    Ok((words, ncomments))
}

/// Writes the whole site; returns (words, comments).
fn write_site(model: &Model, opts: &Options) -> Result<(usize, usize), String> {
    prepare_out(&opts.out, opts.force)?;
    let mut buf = format!(
        "title: {}\nbase_url: http://localhost/\npaginate: 10\n",
        q(&opts.title)
    );
    write_file(&opts.out.join("salon.yaml"), &buf)?;
    let members = opts.out.join("content/members");
    for m in &model.members {
        buf.clear();
        push_member(m, &mut buf);
        write_file(&members.join(format!("{}.md", m.handle)), &buf)?;
    }
    let threads = thread::available_parallelism().map_or(1, |n| n.get().min(16));
    thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|t| scope.spawn(move || write_posts(model, opts, t, threads)))
            .collect();
        workers.into_iter().try_fold((0, 0), |(w, c), worker| {
            let (dw, dc) = worker.join().map_err(|_| "a writer thread panicked")??;
            Ok((w + dw, c + dc))
        })
    })
}

/// Writes a site of `posts` posts with the default seed and shape into
/// `out` (replacing it); the benchmark calls this.
pub fn generate(posts: usize, out: &Path) -> Result<(), String> {
    let args = [
        "--posts",
        &posts.to_string(),
        "--out",
        &out.to_string_lossy(),
        "--force",
    ];
    let opts = parse_args(args.iter().map(|s| s.to_string()))?;
    let model = build_model(&opts)?;
    write_site(&model, &opts).map(|_| ())
}

/// Parses options, builds the model, writes the site and prints a summary line.
fn run() -> Result<(), String> {
    let opts = parse_args(std::env::args().skip(1))?;
    let model = build_model(&opts)?;
    let (words, comments) = write_site(&model, &opts)?;
    eprintln!(
        "posts={} members={} tags={} comments={comments} words={words} formats=salon",
        model.posts.len(),
        model.members.len(),
        model.tags.len(),
    );
    Ok(())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("corpus: {e}");
            ExitCode::FAILURE
        }
    }
}
