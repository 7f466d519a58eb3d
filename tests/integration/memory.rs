//! What a clean build holds in memory: the search index of a clean build
//! keeps each document shard as its file, not every document's row, and
//! gives byte for byte the files of an index that keeps its rows.

use crate::common::{output_files, post, Site};

/// A site of posts with comments, in several tags and by two authors:
/// enough documents for many document shards.
fn site() -> Site {
    let mut files = vec![
        (
            "content/members/ana.md".to_owned(),
            "---\nname: Ana Ruiz\n---\nGrows beans.\n".to_owned(),
        ),
        (
            "content/members/bo.md".to_owned(),
            "---\nname: Bo Chen\n---\nKeeps bees.\n".to_owned(),
        ),
    ];
    for i in 0..23 {
        let slug = format!("note-{i}");
        files.push((
            format!("content/posts/{slug}.md"),
            post(
                &format!(
                    "title: Note {i} on soil\ndate: 2024-0{}-1{}\nauthors: [{}]\ntags: [{}]",
                    1 + i % 9,
                    i % 10,
                    ["ana", "bo"][i % 2],
                    ["Soil", "Seeds", "Bees"][i % 3]
                ),
                &format!("Compost and mulch, week {i}.\n\n## Heading {i}\n\nMore about <ana@example.org> and worms."),
            ),
        ));
        if i % 2 == 0 {
            files.push((
                format!("content/comments/{slug}.yaml"),
                format!(
                    "- id: c1\n  author: Cy\n  date: 2024-10-0{}\n  body: \"<p>Thanks for note {i}.</p>\"\n- id: c2\n  parent: c1\n  author: Bo Chen\n  member: bo\n  date: 2024-10-0{}\n  body: \"<p>Glad it helps.</p>\"\n",
                    1 + i % 9,
                    2 + i % 7
                ),
            ));
        }
    }
    Site::generated("title: Garden\nbase_url: https://example.org/\n", &files)
}

#[test]
fn a_clean_builds_index_keeps_files_not_rows_and_they_are_a_kept_indexs() {
    let site = site();
    let loaded = salon::build::load_site(&site.options()).unwrap();
    let clean = salon::search::build(&loaded.site);
    let kept = salon::search::build_for_updates(&loaded.site);
    assert!(!clean.keeps_rows(), "a clean build's index holds no rows");
    assert!(kept.keeps_rows(), "watch mode's index holds its rows");
    assert_eq!(clean.doc_count(), kept.doc_count());
    assert!(clean.doc_shards() > 3, "{} shards", clean.doc_shards());
    for n in 0..kept.doc_shards() {
        let file = clean.doc_shard_json(n);
        assert_eq!(file, kept.doc_shard_json(n), "document shard {n}");
        assert_eq!(clean.doc_shard_hash(n), kept.doc_shard_hash(n));
        let rows: serde_json::Value = serde_json::from_str(&file).unwrap();
        assert!(!rows.as_array().unwrap().is_empty());
    }
    assert_eq!(clean.filters_json(), kept.filters_json());
    assert_eq!(clean.manifest_json(), kept.manifest_json());
    assert_eq!(clean.version(), kept.version());
    let filters: serde_json::Value = serde_json::from_str(&clean.filters_json()).unwrap();
    for value in ["Soil", "Seeds", "Bees"] {
        assert!(filters["tag"].get(value).is_some(), "{value}: {filters}");
    }
    assert!(filters["author"].get("Bo Chen").is_some(), "{filters}");
}

#[test]
fn a_build_that_spills_post_bodies_to_disk_writes_the_same_files() {
    let site = Site::demo();
    let kept_dir = tempfile::tempdir().unwrap();
    let spilled_dir = tempfile::tempdir().unwrap();
    let kept = salon::build(&salon::BuildOptions {
        output: Some(kept_dir.path().join("out")),
        ..site.options()
    })
    .unwrap();
    let spilled = salon::build(&salon::BuildOptions {
        output: Some(spilled_dir.path().join("out")),
        spill_above: Some(0),
        ..site.options()
    })
    .unwrap();
    let spilled_bytes = |r: &salon::BuildReport| {
        let stages = &r.timings.stages;
        stages
            .iter()
            .find(|s| s.0 == salon::build::SPILL_STAGE)
            .map(|s| s.2)
    };
    assert_eq!(
        spilled_bytes(&kept),
        None,
        "a small site keeps its bodies in memory"
    );
    let bytes = spilled_bytes(&spilled).unwrap_or(0);
    assert!(bytes > 1000, "{bytes} bytes spilled");
    let (kept, spilled) = (
        output_files(&kept_dir.path().join("out")),
        output_files(&spilled_dir.path().join("out")),
    );
    assert!(kept.len() > 50, "{} files", kept.len());
    assert_eq!(
        kept.keys().collect::<Vec<_>>(),
        spilled.keys().collect::<Vec<_>>(),
        "the same files, and no spill file left in the output"
    );
    for (path, bytes) in &kept {
        assert!(
            bytes == &spilled[path],
            "{path} differs when bodies are spilled"
        );
    }
}
