//! Encoders of the corpus: MIME transfer encodings, charsets, HTML,
//! mboxrd escaping and mail dates, std only.

use std::fmt::Write as _;

pub fn html(text: &str) -> String {
    let mut out = String::from("<html><body>\n");
    for para in text.split("\n\n") {
        let escaped = para
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;");
        if para.starts_with('>') {
            let _ = writeln!(out, "<blockquote>{escaped}</blockquote>");
        } else {
            let _ = writeln!(out, "<p>{}</p>", escaped.replace('\n', "<br>\n"));
        }
    }
    out.push_str("</body></html>\n");
    out
}

/// mboxrd: a body line `>*From ` gets one more `>`.
pub fn escape_from(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        if line.trim_start_matches('>').starts_with("From ") {
            out.push('>');
        }
        out.push_str(line);
    }
    out
}

pub fn latin1(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?'))
        .collect()
}

/// KOI8-R for ASCII and the Russian alphabet (other letters become `?`).
pub fn koi8r(text: &str) -> Vec<u8> {
    // KOI8-R 0xC0..=0xDF are these lower-case letters; upper case is +0x20.
    const LOWER: &str = "юабцдефгхийклмнопярстужвьызшэщчъ";
    text.chars()
        .map(|c| {
            if c.is_ascii() {
                return c as u8;
            }
            if let Some(i) = LOWER.chars().position(|l| l == c) {
                return 0xC0 + i as u8;
            }
            let lower = c.to_lowercase().next().unwrap_or(c);
            match LOWER.chars().position(|l| l == lower) {
                Some(i) => 0xE0 + i as u8,
                None if c == 'ё' => 0xA3,
                None => b'?',
            }
        })
        .collect()
}

pub fn quoted_printable(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() + bytes.len() / 8);
    let mut col = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'\n' {
            out.push('\n');
            col = 0;
            continue;
        }
        let next_is_eol = bytes.get(i + 1).is_none_or(|&n| n == b'\n');
        let plain = (b == b' ' && !next_is_eol) || (b.is_ascii_graphic() && b != b'=');
        let piece = if plain {
            (b as char).to_string()
        } else {
            format!("={b:02X}")
        };
        if col + piece.len() > 75 {
            out.push_str("=\n");
            col = 0;
        }
        // A line starting `From ` would be escaped by the mbox: QP avoids it.
        if col == 0 && bytes[i..].starts_with(b"From ") {
            out.push_str("=46");
            col += 3;
            continue;
        }
        out.push_str(&piece);
        col += piece.len();
    }
    out
}

pub fn q_word(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|&b| match b {
            b' ' => "_".to_owned(),
            b if b.is_ascii_alphanumeric() => (b as char).to_string(),
            b => format!("={b:02X}"),
        })
        .collect()
}

pub fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = (u32::from(chunk[0]) << 16)
            | (u32::from(*chunk.get(1).unwrap_or(&0)) << 8)
            | u32::from(*chunk.get(2).unwrap_or(&0));
        for k in 0..4 {
            if k <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * k)) as usize & 63] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

pub fn base64_lines(bytes: &[u8]) -> String {
    let all = base64(bytes);
    let mut out = String::with_capacity(all.len() + all.len() / 76 + 1);
    for chunk in all.as_bytes().chunks(76) {
        out.push_str(std::str::from_utf8(chunk).expect("base64 is ASCII"));
        out.push('\n');
    }
    out
}

/// Days since 1970-01-01 to (year, month, day), after Howard Hinnant.
pub fn civil(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let (era, doe) = (z.div_euclid(146_097), z.rem_euclid(146_097));
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];

/// `Tue, 2 Jan 2024 11:00:00 +0100`: the instant `secs` in a zone
/// `zone` minutes east of UTC.
pub fn rfc2822(secs: i64, zone: i64) -> String {
    let secs = secs + zone * 60;
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil(days);
    format!(
        "{}, {d} {} {y} {:02}:{:02}:{:02} {}{:02}{:02}",
        DAYS[days.rem_euclid(7) as usize],
        MONTHS[(m - 1) as usize],
        rem / 3600,
        rem / 60 % 60,
        rem % 60,
        if zone < 0 { '-' } else { '+' },
        zone.abs() / 60,
        zone.abs() % 60
    )
}

/// `Tue Jan  2 10:00:00 2024`, as on a `From ` line.
pub fn asctime(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil(days);
    format!(
        "{} {} {d:>2} {:02}:{:02}:{:02} {y}",
        DAYS[days.rem_euclid(7) as usize],
        MONTHS[(m - 1) as usize],
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}
