//! How the [`Importer`] appends comments to `content/comments/<slug>.yaml`:
//! only those whose id or source is not in the file yet.

use super::*;

impl Importer {
    /// Appends the comments not yet in `content/comments/<slug>.yaml`.
    pub(super) fn comments(
        &mut self,
        slug: &str,
        comments: Vec<CommentRecord>,
    ) -> Result<(), Error> {
        let path = self
            .root
            .join("content/comments")
            .join(format!("{slug}.yaml"));
        let key = slug.to_owned();
        self.load_comment_file(slug)?;
        // New contributions to a post that takes none are refused, listed.
        if self.moderation.is_some() {
            if let Some(mode) = self.closed.get(slug) {
                for c in &comments {
                    self.report
                        .refused
                        .push(format!("{slug}#{}: comments on `{slug}` are {mode}", c.id));
                }
                return Ok(());
            }
        }
        let ids = self.comment_ids.get_mut(&key).expect("just loaded");
        let known_replies = self.reply_keys.get_mut(&key).expect("just loaded");
        let comments: Vec<CommentRecord> = comments
            .into_iter()
            .map(|mut c| {
                c.id = written_id(&c.id);
                c.parent = c.parent.as_deref().map(written_id);
                c
            })
            .collect();
        let in_batch: HashSet<String> = comments.iter().map(|c| c.id.clone()).collect();
        let mut text = String::new();
        let mut added = 0;
        let mut reactions = 0;
        let fallback = comments.iter().find_map(|c| c.date);
        for c in comments {
            if ids.contains(&c.id) {
                self.report.already_imported += 1;
                continue;
            }
            let Some(date) = c.date.or(fallback) else {
                *self
                    .report
                    .skipped
                    .entry("comments with no usable date".into())
                    .or_default() += 1;
                continue;
            };
            let keys: Vec<String> = c.source_url.as_deref().map(reply_keys).unwrap_or_default();
            if keys.iter().any(|k| known_replies.contains(k)) {
                *self
                    .report
                    .skipped
                    .entry("replies already here by another channel".into())
                    .or_default() += 1;
                continue;
            }
            let (member, author) = attribute(&self.matcher, &c);
            // A new contribution is credited as far as its channel proves,
            // and gets the status the site's policy gives it.
            let (member, author, verdict) = match self.moderation.as_mut() {
                Some(m) => {
                    let credited = m.credit(&self.matcher, &c, &author, member.as_deref());
                    (credited.member, credited.author, Some(credited.verdict))
                }
                None => (member, author, None),
            };
            let verdict = verdict.filter(|v| v.status != crate::moderation::Status::Approved);
            if let Some(v) = &verdict {
                self.report.held.push(format!(
                    "{slug}#{} by {author}: {} ({})",
                    c.id,
                    v.status.as_str(),
                    v.reason.as_deref().unwrap_or_default()
                ));
            }
            // Only repliers are listed: a like needs no `aka:` to be read.
            match &member {
                _ if c.reaction.is_some() => {}
                Some(_) => self.report.matched += 1,
                None if author != "Anonymous" => {
                    let e = self
                        .unmatched
                        .entry(name_key(&author))
                        .or_insert_with(|| (author.clone(), 0));
                    e.1 += 1;
                }
                None => {}
            }
            let parent = match &c.parent {
                Some(p) if in_batch.contains(p) || ids.contains(p) => Some(p.as_str()),
                Some(p) => {
                    self.report.orphans += 1;
                    if self.report.notes.len() < MAX_NOTES {
                        self.report.notes.push(format!(
                            "comment `{}` on `{slug}` replies to `{p}`, which was not imported; it is shown at top level",
                            c.id
                        ));
                    }
                    None
                }
                None => None,
            };
            let placement = Placement {
                parent,
                author: &author,
                member: member.as_deref(),
                date,
                held: verdict.as_ref(),
            };
            text.push_str(&new_contribution(&c, &placement));
            known_replies.extend(keys);
            if c.reaction.is_some() {
                reactions += 1;
            }
            ids.insert(c.id);
            added += 1;
        }
        if added == 0 {
            return Ok(());
        }
        self.report.comments += added - reactions;
        self.report.reactions += reactions;
        let counts = match reactions {
            0 => format!("+{added} comments"),
            r => format!("+{} comments, +{r} reactions", added - r),
        };
        self.report.files.push(format!(
            "{} ({counts})",
            path.strip_prefix(&self.root).unwrap_or(&path).display()
        ));
        if self.dry_run {
            return Ok(());
        }
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
        }
        let exists = path.exists();
        let mut file = if exists {
            fs::OpenOptions::new().append(true).open(&path)
        } else {
            fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)
        }
        .map_err(|e| Error::io(&path, e))?;
        if exists {
            let old = fs::read(&path).map_err(|e| Error::io(&path, e))?;
            if !old.is_empty() && !old.ends_with(b"\n") {
                text.insert(0, '\n');
            }
        }
        file.write_all(text.as_bytes())
            .map_err(|e| Error::io(&path, e))
    }

    /// Reads the ids and original URLs of post `slug`'s comment file, once.
    pub(super) fn load_comment_file(&mut self, slug: &str) -> Result<(), Error> {
        if self.comment_ids.contains_key(slug) {
            return Ok(());
        }
        let path = self
            .root
            .join("content/comments")
            .join(format!("{slug}.yaml"));
        let (ids, keys) = match fs::read_to_string(&path) {
            Ok(text) => existing_entries(&text).ok_or_else(|| {
                Error::Refused(format!(
                    "{} is not a list of comments with ids; fix it by hand, then import again",
                    path.display()
                ))
            })?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Default::default(),
            Err(e) => return Err(Error::io(&path, e)),
        };
        self.comment_ids.insert(slug.to_owned(), ids);
        self.reply_keys.insert(slug.to_owned(), keys);
        Ok(())
    }
}

/// A comment id as written: an id that holds an e-mail address (a JSON
/// export's own) becomes a stable hash of it.
pub(super) fn written_id(id: &str) -> String {
    if email::contains(id) {
        format!("h-{:016x}", xxhash_rust::xxh3::xxh3_64(id.as_bytes()))
    } else {
        id.to_owned()
    }
}

/// The ids in an existing comment file and the [`reply_keys`] of its
/// `source_url`s, or `None` when it is not a list.
pub(super) fn existing_entries(text: &str) -> Option<(HashSet<String>, HashSet<String>)> {
    let mut ids = HashSet::new();
    let mut keys = HashSet::new();
    if text.trim().is_empty() {
        return Some((ids, keys));
    }
    let list: Option<Vec<serde_yaml::Value>> = serde_yaml::from_str(text).ok()?;
    for item in list.unwrap_or_default() {
        match &item["id"] {
            serde_yaml::Value::String(s) => ids.insert(s.clone()),
            serde_yaml::Value::Number(n) => ids.insert(n.to_string()),
            _ => return None,
        };
        if let Some(url) = item["source_url"].as_str() {
            keys.extend(reply_keys(url));
        }
    }
    Some((ids, keys))
}
