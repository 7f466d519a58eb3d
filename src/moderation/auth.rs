//! Whether an e-mail's sender was authenticated: `Authentication-Results`
//! headers (RFC 8601) added by the site's own receiving server.
//!
//! Anyone can write any header into a message, so only the topmost
//! headers whose `authserv-id` is the one configured in `salon.yaml` count
//! (the receiving server adds its own on top, and RFC 8601 section 5 has it
//! remove older ones that claim its name). They prove the sender when they
//! show `dmarc=pass`, or `dkim=pass` with a signing domain (`header.d`, or
//! the domain of `header.i`) equal to the `From` domain.

/// One `Authentication-Results` header, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthResults {
    /// Who added it (compared case-insensitively).
    pub authserv_id: String,
    /// Its results, in order; empty for `none`.
    pub results: Vec<MethodResult>,
}

/// One `method=result` with its properties.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MethodResult {
    /// `dkim`, `dmarc`, `spf`, ... (lower case, version dropped).
    pub method: String,
    /// `pass`, `fail`, ... (lower case).
    pub result: String,
    /// `reason=` when given.
    pub reason: Option<String>,
    /// `ptype.property` (lower case) and value, in order.
    pub properties: Vec<(String, String)>,
}

impl MethodResult {
    /// The value of property `name` (`header.d`), if given.
    pub fn property(&self, name: &str) -> Option<&str> {
        self.properties
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Word(String),
    Quoted(String),
    Semicolon,
    Equals,
}

/// Splits a header value into tokens, dropping comments (which nest) and
/// whitespace, folded lines included.
fn tokens(value: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut chars = value.chars().peekable();
    while let Some(&c) = chars.peek() {
        match c {
            c if c.is_whitespace() => {
                chars.next();
            }
            '(' => {
                let mut depth = 0usize;
                while let Some(c) = chars.next() {
                    match c {
                        '\\' => {
                            chars.next();
                        }
                        '(' => depth += 1,
                        ')' => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                }
            }
            '"' => {
                chars.next();
                let mut s = String::new();
                while let Some(c) = chars.next() {
                    match c {
                        '\\' => s.extend(chars.next()),
                        '"' => break,
                        c => s.push(c),
                    }
                }
                out.push(Token::Quoted(s));
            }
            ';' => {
                chars.next();
                out.push(Token::Semicolon);
            }
            '=' => {
                chars.next();
                out.push(Token::Equals);
            }
            _ => {
                let mut s = String::new();
                while let Some(&c) = chars.peek() {
                    if c.is_whitespace() || "();=\"".contains(c) {
                        break;
                    }
                    s.push(c);
                    chars.next();
                }
                out.push(Token::Word(s));
            }
        }
    }
    // `header . d` (CFWS around the dot is allowed) is one name.
    let mut merged: Vec<Token> = Vec::with_capacity(out.len());
    for t in out {
        if let (Some(Token::Word(prev)), Token::Word(w)) = (merged.last_mut(), &t) {
            if prev.ends_with('.') || w.starts_with('.') {
                prev.push_str(w);
                continue;
            }
        }
        merged.push(t);
    }
    merged
}

/// Parses one header value; `None` when it has no authserv-id.
pub fn parse(value: &str) -> Option<AuthResults> {
    let tokens = tokens(value);
    let mut groups = tokens.split(|t| *t == Token::Semicolon);
    let head = groups.next()?;
    let authserv_id = match head.first()? {
        Token::Word(w) | Token::Quoted(w) => w.clone(),
        _ => return None,
    };
    let mut results = Vec::new();
    for group in groups {
        if let [Token::Word(w)] = group {
            if w.eq_ignore_ascii_case("none") {
                continue;
            }
        }
        if let Some(r) = result_of(group) {
            results.push(r);
        }
    }
    Some(AuthResults {
        authserv_id,
        results,
    })
}

/// One `resinfo`: `method=result [reason=...] [ptype.prop=value ...]`.
fn result_of(group: &[Token]) -> Option<MethodResult> {
    let text = |t: &Token| match t {
        Token::Word(w) | Token::Quoted(w) => Some(w.clone()),
        _ => None,
    };
    let (Token::Word(method), Token::Equals) = (group.first()?, group.get(1)?) else {
        return None;
    };
    let result = text(group.get(2)?)?.to_lowercase();
    let method = method.split('/').next().unwrap_or("").to_lowercase();
    let mut r = MethodResult {
        method,
        result,
        reason: None,
        properties: Vec::new(),
    };
    let mut rest = &group[3..];
    while let [Token::Word(key), Token::Equals, value, tail @ ..] = rest {
        let value = text(value)?;
        let key = key.to_lowercase();
        if key == "reason" {
            r.reason = Some(value);
        } else {
            r.properties.push((key, value));
        }
        rest = tail;
    }
    Some(r)
}

/// Whether the sender `from` (the `From` address) was authenticated, by
/// the headers of a message: each `Authentication-Results` value with its
/// position among all the message's headers, topmost first. `Ok` says
/// how, `Err` why not (in words for a report; no address in them).
pub fn verify(
    headers: &[(usize, String)],
    authserv_id: Option<&str>,
    from: Option<&str>,
) -> Result<String, String> {
    let Some(id) = authserv_id else {
        return Err("salon.yaml names no moderation.authserv_id, so no Authentication-Results header is believed".into());
    };
    let Some(domain) = from
        .and_then(|f| f.rsplit_once('@'))
        .map(|(_, d)| d.trim().trim_end_matches('>').to_lowercase())
    else {
        return Err("the message has no From address".into());
    };
    let ours: Vec<(usize, AuthResults)> = headers
        .iter()
        .filter_map(|(at, v)| parse(v).map(|r| (*at, r)))
        .filter(|(_, r)| r.authserv_id.eq_ignore_ascii_case(id))
        .collect();
    let Some(&(top, _)) = ours.first() else {
        return Err(format!("no Authentication-Results header from {id}"));
    };
    // The topmost block: our headers directly one after the other.
    let trusted = ours
        .iter()
        .enumerate()
        .take_while(|(k, (at, _))| *at == top + k)
        .flat_map(|(_, (_, r))| &r.results);
    let mut seen = Vec::new();
    for r in trusted {
        let pass = r.result == "pass";
        match r.method.as_str() {
            "dmarc" if pass => match r.property("header.from").map(str::to_lowercase) {
                Some(d) if d != domain => seen.push(format!("dmarc=pass for {d}, not {domain}")),
                _ => return Ok("dmarc=pass".into()),
            },
            "dkim" if pass => {
                let d = r.property("header.d").map(str::to_lowercase);
                let i = r
                    .property("header.i")
                    .and_then(|i| i.rsplit_once('@').map(|(_, d)| d.to_lowercase()));
                if d.as_deref() == Some(domain.as_str()) || i.as_deref() == Some(domain.as_str()) {
                    return Ok(format!("dkim=pass for {domain}"));
                }
                let signer = d.or(i).unwrap_or_else(|| "no domain".into());
                seen.push(format!("dkim=pass for {signer}, not {domain}"));
            }
            "dmarc" | "dkim" => seen.push(format!("{}={}", r.method, r.result)),
            _ => {}
        }
    }
    Err(match seen.is_empty() {
        true => format!("{id} shows no DKIM or DMARC pass for {domain}"),
        false => format!("{id} shows {}", seen.join(", ")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_comments_quotes_and_several_results() {
        let v = "mx.example.org (Postfix (v3)) 1;\r\n\tdkim=pass (2048-bit key; unprotected) header.d=Example.COM header.i=@example.com header.s=s1 header.b=\"ab;c\";\r\n\tspf=fail (sender IP is 192.0.2.1) smtp.mailfrom=x@example.com;\r\n dmarc/1 = pass reason=\"aligned; ok\" header . from=example.com";
        let r = parse(v).unwrap();
        assert_eq!(r.authserv_id, "mx.example.org");
        assert_eq!(r.results.len(), 3);
        assert_eq!(r.results[0].method, "dkim");
        assert_eq!(r.results[0].property("header.d"), Some("Example.COM"));
        assert_eq!(r.results[0].property("header.b"), Some("ab;c"));
        assert_eq!(r.results[1].result, "fail");
        assert_eq!(r.results[2].method, "dmarc");
        assert_eq!(r.results[2].reason.as_deref(), Some("aligned; ok"));
        assert_eq!(r.results[2].property("header.from"), Some("example.com"));
        let none = parse("\"mx.example.org\"; none").unwrap();
        assert_eq!(none.authserv_id, "mx.example.org");
        assert!(none.results.is_empty());
        assert_eq!(parse("  (only a comment)"), None);
    }

    fn check(headers: &[(usize, &str)], from: &str) -> Result<String, String> {
        let h: Vec<(usize, String)> = headers.iter().map(|(a, v)| (*a, v.to_string())).collect();
        verify(&h, Some("mx.site.example"), Some(from))
    }

    #[test]
    fn only_the_sites_topmost_headers_count() {
        let from = "ann@example.org";
        assert!(check(
            &[(0, "mx.site.example; dmarc=pass header.from=example.org")],
            from
        )
        .is_ok());
        assert!(check(
            &[(2, "mx.site.example; dkim=pass header.d=example.org")],
            from
        )
        .is_ok());
        assert!(check(
            &[(0, "mx.site.example; dkim=pass header.i=ann@example.org")],
            from
        )
        .is_ok());
        // Another server's word is not ours.
        let e = check(&[(0, "mx.evil.example; dmarc=pass")], from).unwrap_err();
        assert!(
            e.contains("no Authentication-Results header from mx.site.example"),
            "{e}"
        );
        // A signature by another domain proves nothing about this one.
        let e = check(
            &[(0, "mx.site.example; dkim=pass header.d=evil.example")],
            from,
        )
        .unwrap_err();
        assert!(
            e.contains("dkim=pass for evil.example, not example.org"),
            "{e}"
        );
        // A forged header further down, under our own: ours decides.
        let forged = [
            (0, "mx.site.example; dmarc=fail header.from=example.org"),
            (3, "mx.site.example; dmarc=pass header.from=example.org"),
        ];
        assert!(check(&forged, from).is_err());
        // Two of ours one after the other are one block.
        let block = [
            (0, "mx.site.example; spf=pass"),
            (1, "mx.site.example; dkim=pass header.d=example.org"),
        ];
        assert!(check(&block, from).is_ok());
        assert!(verify(&[], None, Some(from))
            .unwrap_err()
            .contains("authserv_id"));
    }
}
