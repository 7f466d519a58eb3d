//! How the [`Importer`] takes in authors (as members) and posts: file
//! names, aliases for old URLs, front matter and the markdown body.

use super::*;

impl Importer {
    pub(super) fn author(&mut self, a: AuthorRecord) -> Result<(), Error> {
        let login = a.login.trim();
        let name = if a.name.trim().is_empty() {
            login
        } else {
            a.name.trim()
        };
        // Matching uses what the export says; what is written has no
        // e-mail address, not even one made into a handle.
        let (shown_login, shown_name) = (redact_name(login), redact_name(name));
        if let Some(handle) = self
            .matcher
            .find(login, None)
            .or_else(|| self.matcher.find(name, a.email.as_deref()))
            .map(str::to_owned)
        {
            // Known already: let the login and e-mail find them too.
            let mut names = vec![login];
            names.extend(a.email.as_deref());
            self.matcher.add(&handle, &names);
            return Ok(());
        }
        let mut handle = slugify(if shown_login.is_empty() {
            &shown_name
        } else {
            &shown_login
        });
        if let Some(short) = names::shortened_slug(&handle) {
            handle = short;
        }
        if handle.is_empty() {
            self.skip("authors with no usable name", 1);
            return Ok(());
        }
        let mut aka = Vec::new();
        if shown_login != handle && !shown_login.is_empty() {
            aka.push(yaml_str(&shown_login));
        }
        let text = format!(
            "---\nname: {}\naka: [{}]\n---\n\nImported from an export; write a bio here.\n",
            yaml_str(if shown_name.is_empty() {
                &handle
            } else {
                &shown_name
            }),
            aka.join(", ")
        );
        let path = self
            .root
            .join("content/members")
            .join(format!("{handle}.md"));
        if self.create(&path, &text)? {
            self.report.members += 1;
        }
        let mut names = vec![login, name];
        names.extend(a.email.as_deref());
        self.matcher.add(&handle, &names);
        Ok(())
    }

    pub(super) fn post(
        &mut self,
        p: PostRecord,
        comments: Vec<CommentRecord>,
    ) -> Result<(), Error> {
        let mut slug = slugify(&text::percent_decode(&p.slug));
        if slug.is_empty() {
            slug = slugify(&redact(&p.title).replace(email::REMOVED, " "));
        }
        if slug.is_empty() {
            slug = slugify(&format!(
                "{} {}",
                if p.page { "page" } else { "post" },
                p.source_id
            ));
        }
        if slug.is_empty() || slug.contains('/') || slug.contains("..") {
            self.skip("posts with no usable slug", 1);
            return Ok(());
        }
        let at_root = p.page || self.permalink.trim_matches('/') == ":slug";
        let kind_word = if p.page { "page" } else { "post" };
        let renamed = names::usable_slug(&slug, at_root, kind_word).map(|(usable, why)| {
            slug = usable;
            why
        });
        // Authors with no profile get one, so the post's `authors` resolve.
        for a in &p.authors {
            if self.matcher.find(a, None).is_none() {
                self.author(AuthorRecord {
                    login: a.clone(),
                    name: a.clone(),
                    email: None,
                })?;
            }
        }
        let kind = if p.page { "pages" } else { "posts" };
        let path = self
            .root
            .join("content")
            .join(kind)
            .join(format!("{slug}.md"));
        let exists = if p.page {
            self.pages.contains(&slug)
        } else {
            self.posts.slugs.contains(&slug)
        } || path.exists();
        if exists {
            self.report.existing.push(format!("{kind}/{slug}"));
        } else if !p.page && p.date.is_none() {
            self.skip("posts with no usable date", 1);
            if self.report.notes.len() < MAX_NOTES {
                self.report.notes.push(format!(
                    "post `{}` ({}) has no date; not imported",
                    p.title, p.source_id
                ));
            }
        } else {
            let untitled = p.title.trim().is_empty();
            let text = match untitled {
                true => {
                    let title = names::title_from_text(&p.body_html, p.date.as_ref(), p.page);
                    self.post_text(&PostRecord { title, ..p.clone() }, &slug)
                }
                false => self.post_text(&p, &slug),
            };
            if self.create(&path, &text)? {
                if p.page {
                    self.report.pages += 1;
                } else {
                    self.report.posts += 1;
                }
                let rel = format!("content/{kind}/{slug}.md");
                if let Some(why) = &renamed {
                    self.report.renamed_slugs.push(format!("{rel} ({why})"));
                }
                if let Some(old) = p.link.as_deref().and_then(alias_of) {
                    if names::taken_path(&old) {
                        self.note(format!("{rel}: its old address {old} is one of Salon's own pages, so it gets no redirect"));
                    }
                }
                if untitled {
                    self.report.untitled.push(rel);
                }
            }
            if p.page {
                self.pages.insert(slug.clone());
            } else {
                let paths: Vec<String> = p.date.iter().map(|d| self.post_path(&slug, d)).collect();
                self.posts.add(&slug, &p.title, &paths);
            }
        }
        if comments.is_empty() {
            return Ok(());
        }
        if p.page {
            self.skip(
                "comments on pages (comments belong to posts)",
                comments.len(),
            );
            return Ok(());
        }
        if self.posts.slugs.contains(&slug) {
            self.comments(&slug, comments)
        } else {
            self.skip("comments on posts not imported", comments.len());
            Ok(())
        }
    }

    pub(super) fn post_text(&self, p: &PostRecord, slug: &str) -> String {
        let list = |v: &[String]| {
            let items: Vec<String> = v
                .iter()
                .map(|s| s.trim())
                .filter(|s| !s.is_empty())
                .map(|s| yaml_str(&redact(s)))
                .collect();
            format!("[{}]", items.join(", "))
        };
        let mut fm = format!("---\ntitle: {}\n", yaml_str(&redact(p.title.trim())));
        if let Some(d) = &p.date {
            fm.push_str(&format!("date: {}\n", format_date(d)));
        }
        fm.push_str(&format!("slug: {slug}\n"));
        if !p.page {
            let authors: Vec<String> = p
                .authors
                .iter()
                .filter_map(|a| {
                    self.matcher
                        .find(a, None)
                        .map(str::to_owned)
                        .or_else(|| Some(slugify(a)).filter(|h| self.matcher.has_handle(h)))
                })
                .collect();
            fm.push_str(&format!("authors: {}\n", list(&authors)));
            fm.push_str(&format!("tags: {}\n", list(&p.tags)));
            fm.push_str(&format!("categories: {}\n", list(&p.categories)));
        }
        let own_path = p.date.as_ref().map(|d| self.post_path(slug, d));
        let alias = p.link.as_deref().and_then(alias_of).filter(|a| {
            let own = if p.page {
                format!("/{slug}/")
            } else {
                own_path.clone().unwrap_or_default()
            };
            url_path_key(a) != url_path_key(&own) && !names::taken_path(a)
        });
        if let Some(a) = alias.filter(|a| !email::contains(a)) {
            fm.push_str(&format!("aliases: [{}]\n", yaml_str(&a)));
        }
        if p.draft {
            fm.push_str("draft: true\n");
        }
        fm.push_str("---\n\n");
        fm.push_str(&redact(&html_to_markdown::html_to_markdown(&autop(
            &p.body_html,
        ))));
        fm
    }
}
