//! The names Salon keeps for itself inside the output folder. All start
//! with `.salon`: the writer never takes them for site files, never lists
//! them as foreign, and no content path may claim one.

/// What the last build wrote ([`super::manifest`]).
pub const MANIFEST: &str = ".salon-manifest";
/// The manifest being written, renamed over [`MANIFEST`].
pub(super) const MANIFEST_TEMP: &str = ".salon-manifest.tmp";
/// Held while a build writes the folder ([`super::lock`]).
pub const LOCK: &str = ".salon-lock";
/// Files of a build being written, beside the live ones ([`super::stage`]).
pub const STAGE: &str = ".salon-stage";
/// The list of renames and removals of a commit in progress
/// ([`super::commit`]).
pub const JOURNAL: &str = ".salon-commit";
/// The journal being written, renamed to [`JOURNAL`] once complete.
pub(super) const JOURNAL_TEMP: &str = ".salon-commit.tmp";
/// Suffix of the temporary files and folders of earlier Salon versions.
pub(super) const LEGACY_TEMP_SUFFIX: &str = ".salon-tmp";

/// Whether a file or folder name is one Salon keeps for itself.
pub fn is_reserved(name: &str) -> bool {
    name.starts_with(".salon") || name.ends_with(LEGACY_TEMP_SUFFIX)
}

/// Whether a name is a temporary file of an earlier Salon version
/// (`.index.html.salon-tmp`), which a crash could leave in any folder.
pub(super) fn is_legacy_temp(name: &str) -> bool {
    name.starts_with('.') && name.ends_with(LEGACY_TEMP_SUFFIX)
}

/// Whether any segment of a `/`-separated path is reserved.
pub fn is_reserved_path(path: &str) -> bool {
    // Every reserved name holds `.salon`: most paths are ruled out by one
    // search (every planned file is checked on each relink).
    path.contains(".salon") && path.split('/').any(is_reserved)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn salon_names_are_reserved_at_any_depth() {
        for p in [
            ".salon-manifest",
            ".salon-lock",
            "a/.salon-stage/x",
            "posts/.x.salon-tmp",
        ] {
            assert!(is_reserved_path(p), "{p}");
        }
        for p in ["salon-manifest", "posts/salon/index.html", ".nojekyll"] {
            assert!(!is_reserved_path(p), "{p}");
        }
    }
}
