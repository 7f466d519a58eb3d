//! New contributions through the [`Importer`](super::Importer): who they
//! are from, as far as their channel proves it, and the status the site's
//! [`Policy`] gives them.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use super::matcher::{name_key, Matcher};
use super::{CommentRecord, Sender};
use crate::moderation::{decide, Contribution, Policy, Status, Verdict};

/// What a name that is a member's, signed by someone not proven to be
/// that member, is written as: the build would otherwise credit the
/// member by name.
const UNVERIFIED: &str = "(unverified)";

/// The policy of an import of new contributions, and who has contributed.
pub(super) struct Moderation {
    policy: Policy,
    root: PathBuf,
    /// Keys of everyone with an approved comment: `member:<handle>` or a
    /// name key; read on first need.
    known: Option<HashSet<String>>,
}

/// Who a new comment is credited to, and its status.
pub(super) struct Credited {
    /// The member it is linked to.
    pub member: Option<String>,
    /// The name written.
    pub author: String,
    /// Its status and why.
    pub verdict: Verdict,
}

impl Moderation {
    pub(super) fn new(root: &Path, policy: Policy) -> Self {
        Moderation {
            policy,
            root: root.to_path_buf(),
            known: None,
        }
    }

    /// Credits `c`, whose name as written (no address) is `author` and
    /// whom its account or site alone would make `attributed`.
    pub(super) fn credit<'m>(
        &mut self,
        matcher: &'m Matcher,
        c: &CommentRecord,
        author: &str,
        attributed: Option<&'m str>,
    ) -> Credited {
        let by_address = c.email.as_deref().and_then(|e| matcher.find_address(e));
        let (member, claim) = match &c.sender {
            Sender::Export => (attributed, None),
            Sender::Proven => (by_address, None),
            Sender::Unproven(why) => (None, by_address.map(|m| (m, why.as_str()))),
        };
        // A stranger signing with a member's name is shown as what they are.
        let author = match member.is_none() && matcher.find(author, None).is_some() {
            true => format!("{author} {UNVERIFIED}"),
            false => author.to_owned(),
        };
        let key = match member {
            Some(m) => format!("member:{m}"),
            None => name_key(&author),
        };
        let first_time = !self.known().contains(&key);
        let verdict = decide(
            &self.policy,
            &Contribution {
                author: &author,
                address: c.email.as_deref(),
                url: c.url.as_deref(),
                member,
                unproven_claim: claim,
                first_time,
                body_html: &c.body_html,
            },
        );
        if verdict.status == Status::Approved {
            self.known().insert(key);
        }
        Credited {
            member: member.map(str::to_owned),
            author,
            verdict,
        }
    }

    /// Everyone with an approved comment on the site so far.
    fn known(&mut self) -> &mut HashSet<String> {
        let root = &self.root;
        self.known.get_or_insert_with(|| known_contributors(root))
    }
}

/// Keys of the authors of approved comments in the site's comment files
/// (files that do not read as comment lists are the build's to report).
fn known_contributors(root: &Path) -> HashSet<String> {
    let mut known = HashSet::new();
    let Ok(listed) = crate::load::list_content(root) else {
        return known;
    };
    for file in &listed.comments {
        let Ok(text) = std::fs::read_to_string(&file.abs) else {
            continue;
        };
        let Ok(Some(items)) = serde_yaml::from_str::<Option<Vec<serde_yaml::Value>>>(&text) else {
            continue;
        };
        for item in items {
            let status: Status = serde_yaml::from_value(item["status"].clone()).unwrap_or_default();
            if status != Status::Approved {
                continue;
            }
            if let Some(m) = item["member"].as_str() {
                known.insert(format!("member:{m}"));
            }
            if let Some(a) = item["author"].as_str() {
                known.insert(name_key(a));
            }
        }
    }
    known
}
