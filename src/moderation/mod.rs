//! Moderation: which comments readers see, and the site's policy for new
//! ones.
//!
//! A comment's `status` is `approved` (the default), `pending`, `spam` or
//! `rejected`; only approved comments reach the site. Everything here works
//! on plain files: [`decide`] gives the status (and why) of a new
//! contribution under the [`Policy`] of `salon.yaml`, importers write it
//! into the comment, [`queue`] lists what waits and changes a comment's
//! status by editing its line in place, and [`auth`] tells whether an
//! e-mail's sender was authenticated by the site's own mail server.

pub mod auth;
pub mod policy;
pub mod queue;
pub mod report;
mod text;

use serde::Deserialize;

pub use policy::{Hold, Policy};

/// Whether readers see a comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Shown (the default).
    #[default]
    Approved,
    /// Waits for a moderator.
    Pending,
    /// Likely spam: kept, never shown.
    Spam,
    /// Turned down by a moderator: kept so that a re-import does not bring
    /// it back, never shown, no longer listed.
    Rejected,
}

impl Status {
    /// The word written in a comment file.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Approved => "approved",
            Status::Pending => "pending",
            Status::Spam => "spam",
            Status::Rejected => "rejected",
        }
    }

    /// Whether a moderator still has to look at it.
    pub fn waits(self) -> bool {
        matches!(self, Status::Pending | Status::Spam)
    }
}

/// How many comments are kept out of the site, and why.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Held {
    /// `status: pending`.
    pub pending: usize,
    /// `status: spam`.
    pub spam: usize,
}

impl Held {
    /// Counts one comment of this status.
    pub fn count(&mut self, status: Status) {
        match status {
            Status::Pending => self.pending += 1,
            Status::Spam => self.spam += 1,
            Status::Approved | Status::Rejected => {}
        }
    }

    /// Adds another count.
    pub fn add(&mut self, other: Held) {
        self.pending += other.pending;
        self.spam += other.spam;
    }

    /// What a build says about them, if anything waits.
    pub fn summary(self) -> Option<String> {
        let pending = match self.pending {
            0 => None,
            1 => Some("1 comment awaits moderation".to_owned()),
            n => Some(format!("{n} comments await moderation")),
        };
        let spam = match (self.spam, pending.is_some()) {
            (0, _) => None,
            (1, true) => Some("1 was held as spam".to_owned()),
            (n, true) => Some(format!("{n} were held as spam")),
            (1, false) => Some("1 comment was held as spam".to_owned()),
            (n, false) => Some(format!("{n} comments were held as spam")),
        };
        let said = match (pending, spam) {
            (None, None) => return None,
            (Some(p), Some(s)) => format!("{p}, {s}"),
            (Some(one), None) | (None, Some(one)) => one,
        };
        Some(format!("{said}: salon moderate"))
    }
}

/// A new comment, as the policy sees it.
#[derive(Debug, Clone, Default)]
pub struct Contribution<'a> {
    /// The name it is signed with.
    pub author: &'a str,
    /// The sender's address, when the channel has one (never written).
    pub address: Option<&'a str>,
    /// The sender's site (a webmention's source, a commenter's URL).
    pub url: Option<&'a str>,
    /// The member it comes from, when the channel proved it.
    pub member: Option<&'a str>,
    /// A member it claims to come from without proof, and why the claim
    /// did not hold.
    pub unproven_claim: Option<(&'a str, &'a str)>,
    /// Whether this author has no approved comment on the site yet.
    pub first_time: bool,
    /// Its body, HTML.
    pub body_html: &'a str,
}

/// The status a new contribution gets, and why when it is not approved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// What to write as `status:`.
    pub status: Status,
    /// What to write as `moderation_reason:`.
    pub reason: Option<String>,
}

impl Verdict {
    fn held(status: Status, reason: String) -> Verdict {
        Verdict {
            status,
            reason: Some(reason),
        }
    }
}

/// Decides the status of `c` under `policy`. Signs of spam come first
/// (a blocked sender, a spam word, too many links), then an unproven
/// claim to be a member, then the `hold` rule.
pub fn decide(policy: &Policy, c: &Contribution<'_>) -> Verdict {
    if let Some(rule) = policy.blocked_rule(c.address, c.url) {
        // The reason is written to the comment file: no address in it.
        let rule = match rule.contains('@') {
            true => "an address in moderation.blocked".to_owned(),
            false => format!("`{rule}` in moderation.blocked"),
        };
        return Verdict::held(Status::Spam, format!("sender is blocked ({rule})"));
    }
    if let Some(word) = text::spam_word(&policy.spam_words, c.author, c.body_html) {
        return Verdict::held(Status::Spam, format!("contains the spam word \"{word}\""));
    }
    if let Some(max) = policy.max_links {
        let links = text::count_links(c.body_html);
        if links > max {
            return Verdict::held(
                Status::Spam,
                format!("{links} links (more than max_links: {max})"),
            );
        }
    }
    if let Some((member, why)) = c.unproven_claim {
        return Verdict::held(
            Status::Pending,
            format!("claims to be member `{member}` without proof: {why}"),
        );
    }
    let reason = match policy.hold {
        Hold::None => None,
        Hold::All => Some("every new comment waits (hold: all)".to_owned()),
        Hold::NonMembers if c.member.is_none() => {
            Some("not from a member (hold: non_members)".to_owned())
        }
        Hold::FirstTime if c.member.is_none() && c.first_time => Some(format!(
            "first comment of \"{}\" (hold: first_time)",
            c.author
        )),
        Hold::NonMembers | Hold::FirstTime => None,
    };
    match reason {
        Some(r) => Verdict::held(Status::Pending, r),
        None => Verdict {
            status: Status::Approved,
            reason: None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(yaml: &str) -> Policy {
        Policy::parse_for_test(yaml)
    }

    fn new<'a>(body: &'a str) -> Contribution<'a> {
        Contribution {
            author: "Jane",
            body_html: body,
            first_time: true,
            ..Default::default()
        }
    }

    #[test]
    fn hold_rules() {
        let none = policy("{}");
        assert_eq!(decide(&none, &new("<p>hi</p>")).status, Status::Approved);
        let first = policy("hold: first_time");
        let v = decide(&first, &new("<p>hi</p>"));
        assert_eq!(v.status, Status::Pending);
        assert!(v.reason.unwrap().contains("first comment of \"Jane\""));
        let again = Contribution {
            first_time: false,
            ..new("<p>hi</p>")
        };
        assert_eq!(decide(&first, &again).status, Status::Approved);
        let member = Contribution {
            member: Some("jane"),
            ..new("<p>hi</p>")
        };
        assert_eq!(decide(&first, &member).status, Status::Approved);
        let members_only = policy("hold: non_members");
        assert_eq!(decide(&members_only, &member).status, Status::Approved);
        assert_eq!(decide(&members_only, &again).status, Status::Pending);
        assert_eq!(
            decide(&policy("hold: all"), &member).status,
            Status::Pending
        );
    }

    #[test]
    fn spam_signs_and_blocked_senders() {
        let p = policy("spam_words: [casino, \"cheap pills\"]\nmax_links: 2\nblocked: [bad@example.com, spam.example]");
        let v = decide(&p, &new("<p>Visit our CASINO!</p>"));
        assert_eq!(v.status, Status::Spam);
        assert!(v.reason.unwrap().contains("\"casino\""));
        // Whole words only: "occasional" is no casino.
        assert_eq!(
            decide(&p, &new("<p>occasional</p>")).status,
            Status::Approved
        );
        assert_eq!(
            decide(&p, &new("<p>cheap\n pills</p>")).status,
            Status::Spam
        );
        let links = "<p><a href=\"https://a.example/\">https://a.example/</a> https://b.example/ https://c.example/x</p>";
        let v = decide(&p, &new(links));
        assert_eq!(
            v.reason.as_deref(),
            Some("3 links (more than max_links: 2)")
        );
        let blocked = Contribution {
            address: Some("Bad@Example.com"),
            ..new("<p>hi</p>")
        };
        assert_eq!(decide(&p, &blocked).status, Status::Spam);
        let domain = Contribution {
            address: Some("x@mail.spam.example"),
            ..new("<p>hi</p>")
        };
        assert!(decide(&p, &domain).reason.unwrap().contains("spam.example"));
        let by_url = Contribution {
            url: Some("https://spam.example/post"),
            ..new("<p>hi</p>")
        };
        assert_eq!(decide(&p, &by_url).status, Status::Spam);
        let other = Contribution {
            address: Some("x@notspam.example"),
            ..new("<p>hi</p>")
        };
        assert_eq!(decide(&p, &other).status, Status::Approved);
    }

    #[test]
    fn an_unproven_claim_waits() {
        let c = Contribution {
            unproven_claim: Some(("ann", "no Authentication-Results header")),
            ..new("<p>hi</p>")
        };
        let v = decide(&policy("{}"), &c);
        assert_eq!(v.status, Status::Pending);
        assert!(v.reason.unwrap().contains("member `ann`"));
    }

    #[test]
    fn summaries() {
        assert_eq!(Held::default().summary(), None);
        let h = Held {
            pending: 3,
            spam: 0,
        };
        assert_eq!(
            h.summary().unwrap(),
            "3 comments await moderation: salon moderate"
        );
        let h = Held {
            pending: 1,
            spam: 2,
        };
        assert_eq!(
            h.summary().unwrap(),
            "1 comment awaits moderation, 2 were held as spam: salon moderate"
        );
        let h = Held {
            pending: 0,
            spam: 1,
        };
        assert_eq!(
            h.summary().unwrap(),
            "1 comment was held as spam: salon moderate"
        );
    }
}
