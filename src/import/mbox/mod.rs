//! `salon import mbox`: a mailing list's archive as threads, or a mailbox
//! of e-mailed replies as comments.
//!
//! Reading is pure and happens here, in steps that each have a module:
//! [`split`] cuts the mbox into messages (mboxo and mboxrd `From `
//! escaping), [`mail`] decodes each with `mail-parser` and turns its body
//! into markdown (`plain`) with quotes and signatures folded ([`reply`]),
//! [`thread`] groups them into conversations (JWZ), and [`crate::email`] keeps
//! every e-mail address out. What is written goes through the shared
//! thread writer ([`crate::import::conversation`]) or, for `--comments`,
//! the comment importer ([`comments`]).

pub mod comments;
pub mod mail;
mod plain;
pub mod reply;
pub mod run;
pub mod split;
pub mod thread;

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use crate::date::Date;
use crate::import::conversation::{Conversation, Message};
use crate::import::ParseError;
use mail::{parse_head, parse_mail, Mail};
use thread::{normalize_subject, Head, Threader, Tree};

/// The messages of an mbox, decoded.
#[derive(Debug, Default)]
pub struct Mailbox {
    /// In mbox order, copies left out.
    pub mails: Vec<Mail>,
    /// Messages left out, with their line: not a message, a copy.
    pub notes: Vec<(usize, String)>,
    /// Where the bodies are when only headers were read ([`index`]).
    pub bodies: Option<Bodies>,
    /// Threading's first step, done while [`index`] read: the mails
    /// then keep no `References`, Message-ID or raw subject.
    threader: Option<Threader>,
}

/// Where to read the bodies of a mailbox read by [`index`].
#[derive(Debug)]
pub struct Bodies {
    /// The mbox.
    pub file: PathBuf,
    /// Each mail's bytes in it, by index into [`Mailbox::mails`].
    pub spans: Vec<(u64, u64)>,
}

/// One conversation found in a mailbox: what choosing it needs; its
/// messages stay in the mailbox until [`Mailbox::conversation`] or
/// [`Mailbox::filled`] makes it one for the thread writer, so an
/// archive's messages are held once, not twice.
#[derive(Debug, Clone)]
pub struct Found {
    /// The root's subject or first words (plain text).
    pub title: String,
    /// The list's name most of its messages give, or "Mailing list".
    pub source_name: String,
    /// The root's `Archived-At`.
    pub source_url: Option<String>,
    /// Its messages: indices into [`Mailbox::mails`], reading order, each
    /// with its parent's.
    pub tree: Tree,
    /// The earliest date in it.
    pub date: Option<Date>,
}

impl Found {
    /// How many messages it holds.
    pub fn len(&self) -> usize {
        self.tree.len()
    }

    /// Whether it holds no message (never, for a conversation found).
    pub fn is_empty(&self) -> bool {
        self.tree.is_empty()
    }

    /// Its messages: indices into [`Mailbox::mails`], reading order.
    pub fn mails(&self) -> impl ExactSizeIterator<Item = usize> + '_ {
        self.tree.iter().map(|&(m, _)| m)
    }
}

/// Reads and decodes an mbox; fails only where it is no mbox.
pub fn read(reader: impl BufRead) -> Result<Mailbox, ParseError> {
    let mut mailbox = Mailbox::default();
    let mut seen = HashMap::new();
    split::split(reader, |raw| {
        let mail = parse_mail(&raw.bytes, raw.line);
        keep(&mut mailbox, &mut seen, &raw, mail);
    })?;
    Ok(mailbox)
}

/// Reads an mbox's headers as a stream, keeping where each body is in
/// `file` instead of the body: memory grows with the headers threading
/// needs, not with the archive. `reader` reads `file`.
pub fn index(reader: impl BufRead, file: &Path) -> Result<Mailbox, ParseError> {
    let mut mailbox = Mailbox::default();
    let mut spans = Vec::new();
    let mut seen = HashMap::new();
    let mut threader = Threader::default();
    split::split(reader, |raw| {
        let mail = parse_head(&raw.bytes, raw.line);
        if keep(&mut mailbox, &mut seen, &raw, mail) {
            spans.push((raw.start, raw.end));
            let m = mailbox.mails.last_mut().expect("just kept");
            threader.add(
                m.message_id.as_deref(),
                &m.references,
                &normalize_subject(&m.subject),
                m.is_reply,
                m.date,
            );
            slim(m);
        }
    })?;
    mailbox.mails.shrink_to_fit();
    spans.shrink_to_fit();
    mailbox.bodies = Some(Bodies {
        file: file.to_path_buf(),
        spans,
    });
    mailbox.threader = Some(threader);
    Ok(mailbox)
}

/// Drops what only threading and `--comments` read of a mail, once the
/// threader has it: a million messages' ids, references and subjects
/// are most of what an archive's headers weigh. The `m-…` id still
/// answers for the Message-ID ([`Mailbox::holds`]).
fn slim(mail: &mut Mail) {
    mail.message_id = None;
    mail.references = Vec::new();
    mail.subject = String::new();
    mail.from_address = None;
    mail.auth_results = Vec::new();
    mail.id.shrink_to_fit();
    mail.title.shrink_to_fit();
}

/// Adds `mail` unless it is no message or a copy (noted); whether it was
/// added. `seen` maps a hash of each kept id to its line.
fn keep(
    mailbox: &mut Mailbox,
    seen: &mut HashMap<u64, usize>,
    raw: &split::RawMail,
    mail: Option<Mail>,
) -> bool {
    let Some(m) = mail else {
        mailbox
            .notes
            .push((raw.line, "no headers: not a message; left out".into()));
        return false;
    };
    match seen.entry(xxhash_rust::xxh3::xxh3_64(m.id.as_bytes())) {
        std::collections::hash_map::Entry::Occupied(first) => {
            mailbox.notes.push((
                raw.line,
                format!("a copy of the message at line {}; left out", first.get()),
            ));
            false
        }
        std::collections::hash_map::Entry::Vacant(slot) => {
            slot.insert(raw.line);
            mailbox.mails.push(m);
            true
        }
    }
}

impl Mailbox {
    /// The text and fold of mail `m`: read back from the mbox when only
    /// headers were kept.
    pub fn body(&self, m: usize) -> std::io::Result<(String, Option<String>)> {
        let mail = &self.mails[m];
        let Some(bodies) = &self.bodies else {
            return Ok((mail.text.clone(), mail.quoted.clone()));
        };
        let mut file = std::fs::File::open(&bodies.file)?;
        self.read_body(&mut file, m)
    }

    fn read_body(
        &self,
        file: &mut std::fs::File,
        m: usize,
    ) -> std::io::Result<(String, Option<String>)> {
        let bodies = self.bodies.as_ref().expect("only for indexed mailboxes");
        let (start, end) = bodies.spans[m];
        let mut raw = vec![0; usize::try_from(end - start).unwrap_or(usize::MAX)];
        file.seek(SeekFrom::Start(start))?;
        file.read_exact(&mut raw)?;
        let mail = parse_mail(&split::unescape_all(&raw), self.mails[m].line).ok_or_else(|| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!(
                    "the message at line {} changed since it was read",
                    self.mails[m].line
                ),
            )
        })?;
        Ok((mail.text, mail.quoted))
    }

    /// `found` as a conversation for the thread writer; texts empty when
    /// only headers were kept (see [`Self::filled`]).
    pub fn conversation(&self, found: &Found) -> Conversation {
        let messages = found
            .tree
            .iter()
            .map(|&(m, parent)| {
                let mail = &self.mails[m];
                Message {
                    id: mail.id.clone(),
                    parent: parent.map(|p| self.mails[p].id.clone()),
                    author: mail.author.clone(),
                    date: mail.date,
                    url: mail.url.clone(),
                    text: mail.text.clone(),
                    quoted: mail.quoted.clone(),
                    former_id: None,
                }
            })
            .collect();
        Conversation {
            title: found.title.clone(),
            source_name: found.source_name.clone(),
            source_url: found.source_url.clone(),
            messages,
        }
    }

    /// `found`'s conversation with every message's text and fold, read
    /// back from the mbox when only headers were kept.
    pub fn filled(&self, found: &Found) -> std::io::Result<Conversation> {
        let mut conversation = self.conversation(found);
        let Some(bodies) = &self.bodies else {
            return Ok(conversation);
        };
        let mut file = std::fs::File::open(&bodies.file)?;
        for (message, m) in conversation.messages.iter_mut().zip(found.mails()) {
            (message.text, message.quoted) = self.read_body(&mut file, m)?;
        }
        Ok(conversation)
    }

    /// Display names of `found`'s authors, first to speak first.
    pub fn participants(&self, found: &Found) -> Vec<String> {
        let mut participants: Vec<String> = Vec::new();
        for m in found.mails() {
            let name = &self.mails[m].author.name;
            if !participants.contains(name) {
                participants.push(name.clone());
            }
        }
        participants
    }

    /// The conversations, oldest first.
    pub fn conversations(&self) -> Vec<Found> {
        let trees = match &self.threader {
            Some(threader) => threader.clone().finish(),
            None => thread::thread(&self.heads()),
        };
        trees.into_iter().map(|tree| self.found(tree)).collect()
    }

    /// The conversations, oldest first, dropping what only threading
    /// needs (the threader of [`index`], a mail's subject and the titles
    /// of replies) instead of copying it: the least memory a whole
    /// archive can be threaded in.
    pub fn take_conversations(&mut self) -> Vec<Found> {
        let trees = match self.threader.take() {
            Some(threader) => threader.finish(),
            None => thread::thread(&self.heads()),
        };
        let found: Vec<Found> = trees.into_iter().map(|tree| self.found(tree)).collect();
        // Only a root's title names a conversation.
        let mut root = vec![false; self.mails.len()];
        for f in &found {
            root[f.tree[0].0] = true;
        }
        for (mail, is_root) in self.mails.iter_mut().zip(root) {
            mail.subject = String::new();
            if !is_root {
                mail.title = String::new();
            }
        }
        found
    }

    fn heads(&self) -> Vec<Head> {
        self.mails
            .iter()
            .map(|m| Head {
                message_id: m.message_id.clone(),
                references: m.references.clone(),
                subject_key: normalize_subject(&m.subject),
                is_reply: m.is_reply,
                date: m.date,
            })
            .collect()
    }

    fn found(&self, tree: Tree) -> Found {
        let mails: Vec<&Mail> = tree.iter().map(|&(m, _)| &self.mails[m]).collect();
        let root = mails[0];
        let title = if root.title.trim().is_empty() {
            // Only headers may have been read: the root's text, read back.
            let text = self.body(tree[0].0).map(|(t, _)| t).unwrap_or_default();
            first_words(&text, 8)
        } else {
            root.title.clone()
        };
        Found {
            title,
            source_name: most_common(mails.iter().filter_map(|m| m.list.as_deref()))
                .unwrap_or("Mailing list")
                .to_owned(),
            source_url: root.url.clone(),
            date: mails.iter().filter_map(|m| m.date).min(),
            tree,
        }
    }

    /// Whether the conversation holds the message with this Message-ID
    /// (with or without `<>`) or this `m-…` id.
    pub fn holds(&self, found: &Found, id: &str) -> bool {
        let id = id.trim().trim_matches(['<', '>']);
        let key = mail::message_key(id);
        found.mails().any(|m| {
            let mail = &self.mails[m];
            mail.id == id || mail.id == key || mail.message_id.as_deref() == Some(id)
        })
    }
}

/// The first `n` words of markdown text, for a conversation with no
/// subject.
fn first_words(text: &str, n: usize) -> String {
    let words: Vec<&str> = text
        .split_whitespace()
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()))
        .filter(|w| !w.is_empty())
        .take(n)
        .collect();
    words.join(" ")
}

fn most_common<'a>(names: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let mut counts: Vec<(&str, usize)> = Vec::new();
    for n in names {
        match counts.iter_mut().find(|(k, _)| *k == n) {
            Some((_, c)) => *c += 1,
            None => counts.push((n, 1)),
        }
    }
    // The first seen wins a tie: the order is the conversation's.
    let best = counts.iter().map(|&(_, c)| c).max()?;
    counts.into_iter().find(|&(_, c)| c == best).map(|(n, _)| n)
}

/// Which conversations to import.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// Those holding this message (Message-ID or `m-…` id).
    pub thread: Vec<String>,
    /// Those whose subject contains this (case-insensitive).
    pub subject: Option<String>,
    /// Those with at least this many messages.
    pub min_messages: Option<usize>,
}

impl Selection {
    /// Whether anything was asked for.
    pub fn is_empty(&self) -> bool {
        self.thread.is_empty() && self.subject.is_none() && self.min_messages.is_none()
    }

    /// The conversations chosen: every condition given must hold.
    pub fn pick<'a>(&self, mailbox: &Mailbox, found: &'a [Found]) -> Vec<&'a Found> {
        let subject = self.subject.as_deref().map(normalize_subject);
        found
            .iter()
            .filter(|f| self.thread.is_empty() || self.thread.iter().any(|id| mailbox.holds(f, id)))
            .filter(|f| {
                subject
                    .as_deref()
                    .is_none_or(|s| normalize_subject(&f.title).contains(s))
            })
            .filter(|f| self.min_messages.is_none_or(|n| f.len() >= n))
            .collect()
    }

    /// The `--thread` ids that no conversation holds.
    pub fn unknown_ids(&self, mailbox: &Mailbox, found: &[Found]) -> Vec<String> {
        let mut seen = HashSet::new();
        self.thread
            .iter()
            .filter(|id| !found.iter().any(|f| mailbox.holds(f, id)))
            .filter(|id| seen.insert(id.as_str()))
            .cloned()
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MBOX: &str = "From a Mon Jan  1 00:00:00 2024
Message-ID: <root@example.org>
From: Ann <ann@example.org>
Subject: [Salon] Gardens
Date: Mon, 1 Jan 2024 10:00:00 +0000

Shall we talk gardens?

From b Mon Jan  1 00:00:00 2024
Message-ID: <r1@example.org>
In-Reply-To: <root@example.org>
From: Bob <bob@example.org>
Subject: Re: [Salon] Gardens
Date: Mon, 1 Jan 2024 11:00:00 +0000

Yes.

From b Mon Jan  1 00:00:00 2024
Message-ID: <r1@example.org>
From: Bob <bob@example.org>
Subject: Re: [Salon] Gardens

Yes.

From c Mon Jan  1 00:00:00 2024
Message-ID: <other@example.org>
From: Cy <cy@example.org>
Subject: Tools
Date: Tue, 2 Jan 2024 10:00:00 +0000

Hammers.
";

    #[test]
    fn conversations_with_titles_sources_and_participants() {
        let mb = read(MBOX.as_bytes()).unwrap();
        assert_eq!(mb.mails.len(), 3);
        assert_eq!(mb.notes.len(), 1);
        assert_eq!(mb.notes[0].0, 18);
        let found = mb.conversations();
        assert_eq!(found.len(), 2);
        let c = &mb.conversation(&found[0]);
        assert_eq!(c.title, "Gardens");
        assert_eq!(c.source_name, "Salon");
        assert_eq!(c.messages.len(), 2);
        assert_eq!(
            c.messages[1].parent.as_deref(),
            Some(c.messages[0].id.as_str())
        );
        assert_eq!(mb.participants(&found[0]), vec!["Ann", "Bob"]);
        assert_eq!(found[1].source_name, "Mailing list");
        assert!(mb.holds(&found[0], "<r1@example.org>"));
        assert!(mb.holds(&found[0], &c.messages[1].id));
        assert!(!mb.holds(&found[1], "r1@example.org"));
    }

    #[test]
    fn an_indexed_archive_holds_no_ids_references_or_subjects_once_threaded() {
        let file = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(file.path(), MBOX).unwrap();
        let mut mb = index(MBOX.as_bytes(), file.path()).unwrap();
        assert!(mb
            .mails
            .iter()
            .all(|m| m.message_id.is_none() && m.references.is_empty() && m.subject.is_empty()));
        let found = mb.take_conversations();
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].title, "Gardens");
        assert_eq!(found[0].len(), 2);
        // Only roots keep a title; the reply's is not needed.
        assert_eq!(mb.mails[1].title, "");
        // The Message-ID still finds its conversation, through the `m-` id.
        assert!(mb.holds(&found[0], "<r1@example.org>"));
        let c = mb.filled(&found[0]).unwrap();
        assert_eq!(c.messages[1].text, "Yes.");
        assert_eq!(
            c.messages[1].parent.as_deref(),
            Some(c.messages[0].id.as_str())
        );
    }

    #[test]
    fn selections_combine() {
        let mb = read(MBOX.as_bytes()).unwrap();
        let found = mb.conversations();
        let pick = |s: Selection| s.pick(&mb, &found).len();
        assert_eq!(
            pick(Selection {
                min_messages: Some(2),
                ..Default::default()
            }),
            1
        );
        assert_eq!(
            pick(Selection {
                subject: Some("re: TOOLS".into()),
                ..Default::default()
            }),
            1
        );
        assert_eq!(
            pick(Selection {
                thread: vec!["root@example.org".into()],
                ..Default::default()
            }),
            1
        );
        let s = Selection {
            thread: vec!["nope@example.org".into()],
            ..Default::default()
        };
        assert_eq!(s.unknown_ids(&mb, &found), vec!["nope@example.org"]);
    }

    proptest::proptest! {
        // Few cases: each builds long inputs from a big grammar.
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

        #[test]
        fn arbitrary_bytes_never_panic(data in proptest::collection::vec(proptest::num::u8::ANY, 0..1500)) {
            for input in [data.clone(), [b"From x\nSubject: s\n\n".as_slice(), &data].concat()] {
                if let Ok(mb) = read(input.as_slice()) {
                    let _ = mb.conversations();
                    let _ = comments::collect(&mb, None);
                }
            }
        }

        #[test]
        fn arbitrary_mail_never_panics(body in "(\nFrom x\n|Subject: |Re: |AW: |\\[l\\] |\\[salon:[a-c]#[a-c]\\]|Message-ID: <[a-d]>\n|References: <[a-d]> <[a-d]>\n|In-Reply-To: <[a-d]>\n|Content-Type: text/(html|plain; format=flowed)\n|Content-Type: multipart/alternative; boundary=b\n|--b\n|--b--\n|Content-Transfer-Encoding: (base64|quoted-printable)\n|=\\?(utf-8|iso-8859-1)\\?[BQ]\\?[a-zA-Z=0-9_]{0,8}\\?=|=[0-9A-F]{2}|> |>>From |-- \n|On x wrote:\n|    |\t|\n|[ -~]{0,12}|é|<script>|<blockquote>|x@y.example){0,50}") {
            let data = format!("From x\nSubject: s\n\n{body}");
            let mb = read(data.as_bytes()).unwrap();
            let found = mb.conversations();
            // Headers first, bodies read back: the same conversations.
            let file = tempfile::NamedTempFile::new().unwrap();
            std::fs::write(file.path(), &data).unwrap();
            let indexed = index(data.as_bytes(), file.path()).unwrap();
            let again = indexed.conversations();
            proptest::prop_assert_eq!(again.len(), found.len());
            for (a, f) in again.iter().zip(&found) {
                let filled = indexed.filled(a).unwrap();
                proptest::prop_assert_eq!(&filled.title, &f.title);
                let texts = |c: &Conversation| c.messages.iter().map(|m| (m.id.clone(), m.parent.clone(), m.text.clone(), m.quoted.clone())).collect::<Vec<_>>();
                proptest::prop_assert_eq!(texts(&filled), texts(&mb.conversation(f)));
            }
            let total: usize = found.iter().map(Found::len).sum();
            proptest::prop_assert_eq!(total, mb.mails.len());
            for f in &found {
                for m in &mb.conversation(f).messages {
                    proptest::prop_assert!(!m.id.contains('@'));
                    proptest::prop_assert!(!crate::email::contains(&m.text));
                    proptest::prop_assert!(!m.quoted.as_deref().is_some_and(crate::email::contains));
                }
            }
            let _ = comments::collect(&mb, None);
        }
    }
}
