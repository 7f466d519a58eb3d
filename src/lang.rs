//! Language tags: what `language` in `salon.yaml` and `lang` in front
//! matter may say, and which of them are written right to left.

/// Checks that `tag` looks like a BCP 47 language tag: a primary subtag of
/// 2–3 (or 5–8) letters, then subtags of 1–8 letters or digits joined by
/// `-` (`en`, `pt-BR`, `zh-Hant-TW`, `sr-Latn`). Registries are not
/// consulted: a well-formed tag a browser does not know is harmless.
pub fn check_tag(tag: &str) -> Result<(), String> {
    let mut parts = tag.split('-');
    let primary = parts.next().unwrap_or("");
    let primary_ok =
        matches!(primary.len(), 2..=3 | 5..=8) && primary.bytes().all(|b| b.is_ascii_alphabetic());
    let rest_ok =
        parts.all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()));
    if primary_ok && rest_ok {
        Ok(())
    } else {
        Err(format!(
            "`{}` is not a language tag: write a code like `en`, `de`, `pt-BR` or `zh-Hant`",
            tag.escape_debug()
        ))
    }
}

/// The primary subtag of `tag`, lowercased (`zh` of `zh-Hant-TW`).
pub fn primary(tag: &str) -> String {
    tag.split('-').next().unwrap_or("").to_ascii_lowercase()
}

/// Whether text in `tag` runs right to left: Arabic, Hebrew, Persian and
/// Urdu, with any subtags (`ar-EG`), and old `iw` for Hebrew.
pub fn is_rtl(tag: &str) -> bool {
    matches!(primary(tag).as_str(), "ar" | "he" | "iw" | "fa" | "ur")
}

/// The `dir` attribute for `tag`: `rtl` or empty (the default, `ltr`).
pub fn dir(tag: &str) -> &'static str {
    if is_rtl(tag) {
        "rtl"
    } else {
        ""
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn well_formed_tags_pass_and_others_fail() {
        for ok in [
            "en",
            "de",
            "pt-BR",
            "zh-Hant-TW",
            "sr-Latn",
            "ast",
            "es-419",
        ] {
            assert!(check_tag(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "e",
            "english language",
            "en_US",
            "en-",
            "-en",
            "deutsch1",
            "ru-abcdefghi",
        ] {
            assert!(check_tag(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn rtl_languages_and_their_subtags() {
        for rtl in ["ar", "ar-EG", "he", "HE-il", "fa", "ur-PK"] {
            assert_eq!(dir(rtl), "rtl", "{rtl}");
        }
        for ltr in ["en", "arn", "hr", "zh-Hans"] {
            assert_eq!(dir(ltr), "", "{ltr}");
        }
    }
}
