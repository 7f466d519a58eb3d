//! Splitting an mbox into its messages.
//!
//! An mbox is messages one after the other, each starting with a `From `
//! line (the "From_ line", not a header). Writers escape body lines that
//! start with `From ` as `>From ` (mboxo) and, in mboxrd, every `>…>From `
//! gets one more `>`; reading removes one `>` from such lines, which is
//! exact for mboxrd and the best anyone can do for mboxo.
//!
//! A body line starting with `From ` that a careless writer did not escape
//! would split a message in two. So a `From ` line starts a message only
//! where one can: at the start of the file or after a blank line, and
//! followed by a header line.
//!
//! Kept by hand rather than taken from a crate: the rule above is what
//! keeps a careless writer's messages whole, it must read mboxo and mboxrd
//! alike, and it streams a file of any size line by line; all of that is
//! about a hundred lines, less than adapting a general mbox reader.

use std::io::BufRead;

use crate::import::ParseError;

/// One message's bytes, unescaped, with where it starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawMail {
    /// 1-based line of its `From ` line in the mbox.
    pub line: usize,
    /// The message (headers and body), without the `From ` line.
    pub bytes: Vec<u8>,
    /// Byte offset in the mbox where the message starts (after its
    /// `From ` line); [`unescape_all`] of the bytes from here to `end`
    /// is `bytes`.
    pub start: u64,
    /// Byte offset where it ends: the next `From ` line, or the end.
    pub end: u64,
}

/// Reads an mbox as a stream and hands each message to `each`; fails
/// where the file stops being an mbox.
pub fn split(mut reader: impl BufRead, mut each: impl FnMut(RawMail)) -> Result<(), ParseError> {
    let mut current: Option<RawMail> = None;
    // A `From ` line seen after a blank line, waiting for the next line
    // to say whether it starts a message: (its line number, its bytes).
    let mut candidate: Option<(usize, Vec<u8>)> = None;
    let mut previous_blank = true;
    let mut number = 0;
    // Bytes read before `line`.
    let mut offset: u64 = 0;
    let mut line = Vec::with_capacity(256);
    loop {
        line.clear();
        let read = reader
            .read_until(b'\n', &mut line)
            .map_err(|e| ParseError {
                line: number + 1,
                column: 1,
                message: format!("cannot read the mbox: {e}"),
            })?;
        if read == 0 {
            break;
        }
        number += 1;
        let here = offset;
        offset += read as u64;
        if let Some((at, from_line)) = candidate.take() {
            if is_header(&line) {
                let from_at = here - from_line.len() as u64;
                if let Some(mut mail) = current.take() {
                    mail.end = from_at;
                    each(mail);
                }
                current = Some(RawMail {
                    line: at,
                    bytes: Vec::new(),
                    start: here,
                    end: here,
                });
            } else {
                body_line(&mut current, at, &from_line)?;
            }
        } else if previous_blank && line.starts_with(b"From ") {
            candidate = Some((number, line.clone()));
            previous_blank = false;
            continue;
        }
        previous_blank = trim_eol(&line).is_empty();
        body_line(&mut current, number, &line)?;
    }
    if let Some((at, from_line)) = candidate {
        body_line(&mut current, at, &from_line)?;
    }
    if let Some(mut mail) = current {
        mail.end = offset;
        each(mail);
    }
    Ok(())
}

/// A message's bytes as read back from the mbox (from
/// [`RawMail::start`] to [`RawMail::end`]), with its `>From ` lines
/// unescaped as [`split`] does.
pub fn unescape_all(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len());
    for line in raw.split_inclusive(|&b| b == b'\n') {
        out.extend_from_slice(unescape(line));
    }
    out
}

/// Adds a line to the current message; outside any message only blank
/// lines may stand.
fn body_line(current: &mut Option<RawMail>, number: usize, line: &[u8]) -> Result<(), ParseError> {
    match current {
        Some(mail) => {
            mail.bytes.extend_from_slice(unescape(line));
            Ok(())
        }
        None if trim_eol(line).iter().all(u8::is_ascii_whitespace) => Ok(()),
        None => Err(ParseError {
            line: number,
            column: 1,
            message: "expected a `From ` line starting the first message; is this an mbox file?"
                .into(),
        }),
    }
}

fn trim_eol(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// `Name: value`: what follows a real From_ line.
fn is_header(line: &[u8]) -> bool {
    let line = trim_eol(line);
    match line.iter().position(|&b| b == b':') {
        Some(colon) if colon > 0 => line[..colon].iter().all(|&b| b.is_ascii_graphic()),
        _ => false,
    }
}

/// The line with one `>` taken off when it is an escaped `From `.
fn unescape(line: &[u8]) -> &[u8] {
    let quotes = line.iter().take_while(|&&b| b == b'>').count();
    if quotes > 0 && line[quotes..].starts_with(b"From ") {
        &line[1..]
    } else {
        line
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(data: &[u8]) -> Result<Vec<RawMail>, ParseError> {
        let mut out = Vec::new();
        split(data, |m| out.push(m))?;
        Ok(out)
    }

    #[test]
    fn splits_on_from_lines_and_unescapes() {
        let mbox = b"From a@example.invalid Mon Jan  1 00:00:00 2024\nSubject: one\n\n>From here\n>>From there\n> From not\n\nFrom b@example.invalid Mon Jan  1 00:00:00 2024\nSubject: two\n\nbody\n";
        let mails = all(mbox).unwrap();
        assert_eq!(mails.len(), 2);
        for m in &mails {
            let span = &mbox[m.start as usize..m.end as usize];
            assert_eq!(unescape_all(span), m.bytes);
        }
        assert_eq!(mails[1].end, mbox.len() as u64);
        assert_eq!(mails[0].line, 1);
        assert_eq!(mails[1].line, 8);
        assert_eq!(
            String::from_utf8_lossy(&mails[0].bytes),
            "Subject: one\n\nFrom here\n>From there\n> From not\n\n"
        );
        assert_eq!(
            String::from_utf8_lossy(&mails[1].bytes),
            "Subject: two\n\nbody\n"
        );
    }

    #[test]
    fn an_unescaped_from_in_a_body_does_not_split() {
        // Not after a blank line, or not followed by a header.
        let mbox = b"From x Mon Jan  1 00:00:00 2024\nSubject: s\n\nwe went\nFrom Paris to Rome\n\nFrom then on it rained.\nFrom\n";
        let mails = all(mbox).unwrap();
        assert_eq!(mails.len(), 1);
        let text = String::from_utf8_lossy(&mails[0].bytes).into_owned();
        assert!(text.contains("From Paris"), "{text}");
        assert!(text.contains("From then on it rained.\nFrom\n"), "{text}");
    }

    #[test]
    fn crlf_and_leading_blank_lines() {
        let mbox = b"\r\nFrom x Mon Jan  1 00:00:00 2024\r\nSubject: s\r\n\r\nhi\r\n";
        let mails = all(mbox).unwrap();
        assert_eq!(mails.len(), 1);
        assert_eq!(mails[0].line, 2);
    }

    #[test]
    fn text_before_the_first_message_is_an_error_with_its_line() {
        let err = all(b"\nSubject: not an mbox\n\nhello\n").unwrap_err();
        assert_eq!((err.line, err.column), (2, 1));
        let err = all(b"From nobody\nno header follows\n").unwrap_err();
        assert_eq!(err.line, 1);
        assert!(all(b"").unwrap().is_empty());
    }
}
