//! Who an imported author is: members by handle, name and `aka` (e-mail
//! addresses included), and by social accounts (a Mastodon `@user@host`,
//! a Bluesky handle) found in a member's `links` or `aka`.
//!
//! Names are compared as the build compares them (case-insensitive,
//! leading `@` dropped, whitespace collapsed). Accounts are kept apart from
//! names: anyone can call themselves "Hana" on Mastodon, so an account is
//! matched only by an account or profile URL the member lists.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::path::Path;

use serde::Deserialize;

use crate::error::Error;
use crate::frontmatter::OneOrMany;
use crate::slug::term_key;

/// Members by every name and account they are known under.
#[derive(Debug, Default)]
pub struct Matcher {
    handles: HashSet<String>,
    names: HashMap<String, String>,
    accounts: HashMap<String, String>,
    /// Members' own sites (`links:` and `aka:` web addresses that are not
    /// social profiles), by [`site_key`].
    sites: HashMap<String, String>,
}

/// The key of a personal site's address: host (without `www.`) and path,
/// lowercased, without scheme, query, fragment or trailing slash. `None`
/// for anything but an http(s) URL.
pub fn site_key(url: &str) -> Option<String> {
    let u = url.trim();
    let lower = u.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))?;
    let rest = rest.split(['?', '#']).next().unwrap_or("");
    let rest = rest.strip_prefix("www.").unwrap_or(rest);
    let rest = rest.trim_end_matches('/');
    (!rest.is_empty()).then(|| rest.to_owned())
}

/// The key a name is compared by.
pub fn name_key(name: &str) -> String {
    term_key(name.trim().trim_start_matches('@'))
}

/// The key of a social account or profile URL: `fedi:user@host` for
/// `@user@host`, `https://host/@user` or `https://host/users/user`;
/// `bsky:handle` for a Bluesky handle or `https://bsky.app/profile/handle`.
/// `None` for anything else (a website, a plain name, an e-mail address
/// without the leading `@`).
pub fn account_key(account: &str) -> Option<String> {
    let a = account.trim();
    if a.starts_with("https://") || a.starts_with("http://") {
        return profile_key(a);
    }
    let a = a.to_lowercase();
    if a.is_empty() || a.contains(char::is_whitespace) || a.contains('/') {
        return None;
    }
    if let Some(rest) = a.strip_prefix('@') {
        return match rest.split_once('@') {
            Some((user, host)) if !user.is_empty() && host.contains('.') => {
                Some(format!("fedi:{user}@{host}"))
            }
            Some(_) => None,
            // `@handle.bsky.social`
            None => bsky_key(rest),
        };
    }
    // A bare `user@host` is as likely an e-mail address: not an account.
    if a.contains('@') {
        return None;
    }
    bsky_key(&a)
}

fn bsky_key(handle: &str) -> Option<String> {
    let labels: Vec<&str> = handle.split('.').collect();
    let ok = labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        });
    (ok || handle.starts_with("did:")).then(|| format!("bsky:{handle}"))
}

/// The account key of a profile URL.
fn profile_key(url: &str) -> Option<String> {
    let rest = url.split_once("://")?.1;
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    let host = host.rsplit('@').next()?.to_lowercase();
    let path = path.split(['?', '#']).next()?.trim_end_matches('/');
    let segments: Vec<&str> = path.split('/').collect();
    match segments.as_slice() {
        ["profile", handle] if host == "bsky.app" => bsky_key(&handle.to_lowercase()),
        [at_user] if at_user.starts_with('@') && at_user.len() > 1 => {
            let user = &at_user[1..];
            // `https://host/@user@other` is a remote profile seen from host.
            match user.split_once('@') {
                Some((u, h)) if !u.is_empty() => account_key(&format!("@{u}@{h}")),
                Some(_) => None,
                None => account_key(&format!("@{user}@{host}")),
            }
        }
        ["users", user] if !user.is_empty() => account_key(&format!("@{user}@{host}")),
        _ => None,
    }
}

#[derive(Deserialize)]
struct MemberHead {
    name: String,
    #[serde(default)]
    aka: OneOrMany,
    #[serde(default)]
    links: serde_yaml::Mapping,
}

impl Matcher {
    /// Reads the members of the site at `root` (those whose front matter
    /// cannot be read are left out: the build reports them).
    pub fn load(root: &Path) -> Result<Self, Error> {
        let mut me = Matcher::default();
        for path in super::markdown_files(&root.join("content/members")) {
            let handle = crate::parse::file_stem(&path);
            let text = fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
            let Some(head) =
                super::head_of(&text).and_then(|h| serde_yaml::from_str::<MemberHead>(h).ok())
            else {
                me.add(&handle, &[]);
                continue;
            };
            let mut names = vec![head.name.as_str()];
            names.extend(head.aka.0.iter().map(String::as_str));
            me.add(&handle, &names);
            for (service, value) in &head.links {
                let (Some(service), Some(value)) = (service.as_str(), value.as_str()) else {
                    continue;
                };
                if let Some(url) = crate::parse::expand_link(service, value) {
                    me.add_account(&handle, &url);
                }
            }
        }
        Ok(me)
    }

    /// Adds a member; the first to claim a name keeps it. Names that are
    /// accounts or profile URLs (`@user@host`) match those accounts too.
    pub fn add(&mut self, handle: &str, names: &[&str]) {
        self.handles.insert(handle.to_owned());
        for n in std::iter::once(&handle).chain(names) {
            let key = name_key(n);
            if !key.is_empty() {
                self.names.entry(key).or_insert_with(|| handle.to_owned());
            }
            if *n != handle {
                self.add_account(handle, n);
            }
        }
    }

    /// Lets `account` (an account, a profile URL or the member's own
    /// site) find the member.
    pub fn add_account(&mut self, handle: &str, account: &str) {
        if let Some(key) = account_key(account) {
            self.accounts
                .entry(key)
                .or_insert_with(|| handle.to_owned());
        } else if let Some(key) = site_key(account) {
            self.sites.entry(key).or_insert_with(|| handle.to_owned());
        }
    }

    /// The member whose `links` or `aka` list this account, profile URL or
    /// site (a site matches the member's own address or a page under it).
    pub fn find_identity(&self, identity: &str) -> Option<&str> {
        if account_key(identity).is_some() {
            return self.find_account(identity);
        }
        let key = site_key(identity)?;
        let mut prefix = key.as_str();
        loop {
            if let Some(h) = self.sites.get(prefix) {
                return Some(h);
            }
            prefix = &prefix[..prefix.rfind('/')?];
        }
    }

    /// Whether a member has this handle.
    pub fn has_handle(&self, handle: &str) -> bool {
        self.handles.contains(handle)
    }

    /// The member known by `name` or, failing that, `email`.
    pub fn find(&self, name: &str, email: Option<&str>) -> Option<&str> {
        self.names
            .get(&name_key(name))
            .or_else(|| email.and_then(|e| self.names.get(&name_key(e))))
            .map(String::as_str)
    }

    /// The member whose `aka` lists this e-mail address.
    pub fn find_address(&self, address: &str) -> Option<&str> {
        if !address.contains('@') {
            return None;
        }
        self.names.get(&name_key(address)).map(String::as_str)
    }

    /// The member whose `links` or `aka` list this account.
    pub fn find_account(&self, account: &str) -> Option<&str> {
        self.accounts
            .get(&account_key(account)?)
            .map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accounts_and_profile_urls_share_a_key() {
        let fedi = Some("fedi:hana@social.example".to_owned());
        assert_eq!(account_key("@hana@social.example"), fedi);
        assert_eq!(account_key("@Hana@Social.Example"), fedi);
        assert_eq!(account_key("https://social.example/@hana"), fedi);
        assert_eq!(account_key("https://social.example/@hana/"), fedi);
        assert_eq!(account_key("https://social.example/users/hana"), fedi);
        assert_eq!(
            account_key("https://other.example/@hana@social.example"),
            fedi
        );
        let bsky = Some("bsky:ann.bsky.social".to_owned());
        assert_eq!(account_key("ann.bsky.social"), bsky);
        assert_eq!(account_key("@ann.bsky.social"), bsky);
        assert_eq!(
            account_key("https://bsky.app/profile/ann.bsky.social"),
            bsky
        );
        // E-mail addresses, names and websites are not accounts.
        assert_eq!(account_key("hana@social.example"), None);
        assert_eq!(account_key("Hana M."), None);
        assert_eq!(account_key("Hana"), None);
        assert_eq!(account_key("https://hana.example.org/"), None);
    }

    #[test]
    fn accounts_match_only_accounts() {
        let mut m = Matcher::default();
        m.add(
            "hana",
            &["Hana M.", "hana@mail.example", "@hm@social.example"],
        );
        m.add_account("hana", "https://bsky.app/profile/hana.example.org");
        assert_eq!(m.find_account("@hm@social.example"), Some("hana"));
        assert_eq!(m.find_account("hana.example.org"), Some("hana"));
        // The e-mail in `aka` is no Mastodon account.
        assert_eq!(m.find_account("@hana@mail.example"), None);
        assert_eq!(m.find("Hana M.", None), Some("hana"));
        assert_eq!(m.find("x", Some("hana@mail.example")), Some("hana"));
    }

    #[test]
    fn sites_match_their_own_pages_only() {
        let mut m = Matcher::default();
        m.add_account("hana", "https://www.hana.example/");
        m.add_account("ivo", "https://pages.example/ivo");
        assert_eq!(m.find_identity("http://hana.example"), Some("hana"));
        assert_eq!(
            m.find_identity("https://hana.example/notes/1"),
            Some("hana")
        );
        assert_eq!(m.find_identity("https://pages.example/ivo/x"), Some("ivo"));
        assert_eq!(m.find_identity("https://pages.example/other"), None);
        assert_eq!(m.find_identity("https://evil.example/hana.example"), None);
    }
}
