//! Dates as written in front matter and comment files.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, TimeZone, Utc};

/// A point in time with the offset it was written with.
pub type Date = DateTime<FixedOffset>;

/// Parses `2010-09-25`, `2010-09-25T10:00:00Z`, `2010-09-25T10:00:00+02:00`,
/// `2010-09-25 10:00:00` or `2010-09-25 10:00` (the last two read as UTC).
pub fn parse_date(text: &str) -> Option<Date> {
    let text = text.trim();
    if let Ok(d) = DateTime::parse_from_rfc3339(text) {
        return Some(d);
    }
    let utc = |n: NaiveDateTime| Utc.from_utc_datetime(&n).fixed_offset();
    for format in ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"] {
        if let Ok(n) = NaiveDateTime::parse_from_str(text, format) {
            return Some(utc(n));
        }
    }
    if let Ok(d) = DateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S %z") {
        return Some(d);
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(utc)
}

/// The date of a `YYYY-MM-DD-` file name prefix, and the rest of the name.
pub fn split_date_prefix(stem: &str) -> (Option<Date>, &str) {
    if stem.len() > 11 && stem.as_bytes()[10] == b'-' {
        if let Some(d) = parse_date(&stem[..10]) {
            return (Some(d), &stem[11..]);
        }
    }
    (None, stem)
}

/// What a date field should look like, for error messages.
pub const DATE_HELP: &str =
    "expected a date like 2010-09-25 or an RFC 3339 date-time like 2010-09-25T10:00:00Z";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_usual_forms() {
        for s in [
            "2010-09-25",
            "2010-09-25T10:00:00Z",
            "2010-09-25T10:00:00+02:00",
            "2010-09-25 10:00:00",
            "2010-09-25 10:00",
            "2010-09-25T10:00:00",
        ] {
            assert!(parse_date(s).is_some(), "{s}");
        }
        assert!(parse_date("25/09/2010").is_none());
        assert!(parse_date("2010-02-30").is_none());
    }

    #[test]
    fn file_name_prefix_gives_the_date() {
        let (d, rest) = split_date_prefix("2010-09-25-building-bridges");
        assert_eq!(rest, "building-bridges");
        assert_eq!(d.unwrap().to_rfc3339(), "2010-09-25T00:00:00+00:00");
        assert_eq!(split_date_prefix("hello").1, "hello");
    }
}
