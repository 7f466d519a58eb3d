//! `moderation:` in `salon.yaml`: which new contributions wait.

use std::path::Path;

use serde::Deserialize;

use crate::error::Diagnostic;
use crate::frontmatter::locate_value;

/// Who waits for a moderator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Hold {
    /// Nobody (signs of spam still count).
    #[default]
    None,
    /// Those with no approved comment yet.
    FirstTime,
    /// Everyone.
    All,
    /// Everyone who is not a proven member.
    NonMembers,
}

/// `moderation:` as written.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPolicy {
    #[serde(default)]
    hold: Hold,
    #[serde(default)]
    spam_words: Vec<String>,
    #[serde(default)]
    max_links: Option<usize>,
    #[serde(default)]
    blocked: Vec<String>,
    #[serde(default)]
    authserv_id: Option<String>,
}

/// The site's moderation policy, checked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Policy {
    /// Who waits.
    pub hold: Hold,
    /// Words or phrases that mark a contribution as spam (lower case).
    pub spam_words: Vec<String>,
    /// More distinct links than this mark it as spam.
    pub max_links: Option<usize>,
    /// Blocked addresses (`a@b.example`) and domains (`b.example`, with
    /// their subdomains), lower case.
    pub blocked: Vec<String>,
    /// The `authserv-id` of the site's own receiving mail server: only its
    /// `Authentication-Results` headers are believed.
    pub authserv_id: Option<String>,
}

impl Policy {
    /// Checks `raw`; errors point into `text`, the whole `salon.yaml`.
    pub fn check(raw: RawPolicy, path: &Path, text: &str) -> Result<Policy, Vec<Diagnostic>> {
        let mut errors = Vec::new();
        let at = |value: &str| locate_value(text, "moderation", value);
        let mut spam_words = Vec::new();
        for w in raw.spam_words {
            let word = w.split_whitespace().collect::<Vec<_>>().join(" ");
            if word.is_empty() {
                errors.push(
                    Diagnostic::error(path, at("spam_words"), "a spam word is empty")
                        .with_source(text),
                );
            } else {
                spam_words.push(word.to_lowercase());
            }
        }
        let mut blocked = Vec::new();
        for b in raw.blocked {
            match check_blocked(&b) {
                Ok(rule) => blocked.push(rule),
                Err(why) => errors.push(
                    Diagnostic::error(path, at(b.trim()).or(at("blocked")), why)
                        .with_help("expected an address like spammer@example.com or a domain like example.com")
                        .with_source(text),
                ),
            }
        }
        let authserv_id = raw.authserv_id.map(|a| a.trim().to_owned());
        if let Some(id) = &authserv_id {
            let bad =
                id.is_empty() || id.contains(|c: char| c.is_whitespace() || "();=\"".contains(c));
            if bad {
                errors.push(
                    Diagnostic::error(
                        path,
                        at("authserv_id"),
                        format!("authserv_id `{id}` is not a host name"),
                    )
                    .with_help("expected the name your mail server writes first in its Authentication-Results headers, like mx.example.org")
                    .with_source(text),
                );
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Policy {
            hold: raw.hold,
            spam_words,
            max_links: raw.max_links,
            blocked,
            authserv_id,
        })
    }

    /// The rule of `blocked` that `address` or the host of `url` falls
    /// under, if any.
    pub fn blocked_rule(&self, address: Option<&str>, url: Option<&str>) -> Option<&str> {
        let address = address.map(|a| a.trim().to_lowercase());
        let address_domain = address
            .as_deref()
            .and_then(|a| a.rsplit_once('@'))
            .map(|(_, d)| d.to_owned());
        let host = url
            .and_then(|u| url::Url::parse(u.trim()).ok())
            .and_then(|u| u.host_str().map(str::to_lowercase));
        self.blocked
            .iter()
            .find(|rule| {
                if rule.contains('@') {
                    address.as_deref() == Some(rule.as_str())
                } else {
                    [&address_domain, &host]
                        .into_iter()
                        .flatten()
                        .any(|d| in_domain(d, rule))
                }
            })
            .map(String::as_str)
    }

    /// A policy from the YAML of a `moderation:` mapping (tests).
    #[cfg(test)]
    pub fn parse_for_test(yaml: &str) -> Policy {
        let raw: RawPolicy = serde_yaml::from_str(yaml).expect("valid policy YAML");
        Policy::check(raw, Path::new("salon.yaml"), yaml).expect("a valid policy")
    }
}

/// Whether `domain` is `parent` or below it.
pub fn in_domain(domain: &str, parent: &str) -> bool {
    let domain = domain.trim_end_matches('.');
    domain == parent
        || domain
            .strip_suffix(parent)
            .is_some_and(|rest| rest.ends_with('.'))
}

/// A blocked entry, lower case, or why it is none.
fn check_blocked(entry: &str) -> Result<String, String> {
    let e = entry.trim().to_lowercase();
    let (local, domain) = match e.rsplit_once('@') {
        Some((l, d)) => (Some(l), d),
        None => (None, e.as_str()),
    };
    let domain_ok = domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && domain
            .chars()
            .all(|c| c.is_alphanumeric() || c == '.' || c == '-');
    let local_ok = local.is_none_or(|l| !l.is_empty() && !l.contains(char::is_whitespace));
    if domain_ok && local_ok {
        Ok(e)
    } else {
        Err(format!(
            "blocked entry `{}` is neither an e-mail address nor a domain",
            entry.trim()
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domains_cover_their_subdomains_only() {
        assert!(in_domain("spam.example", "spam.example"));
        assert!(in_domain("mx.spam.example", "spam.example"));
        assert!(!in_domain("notspam.example", "spam.example"));
    }

    #[test]
    fn blocked_entries_are_checked() {
        assert_eq!(
            check_blocked(" Bad@Example.COM ").unwrap(),
            "bad@example.com"
        );
        assert!(check_blocked("localhost").is_err());
        assert!(check_blocked("@example.com").is_err());
        assert!(check_blocked("a b@example.com").is_err());
    }
}
