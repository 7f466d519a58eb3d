//! Redirect pages for aliases (old URLs) and `/page/1/`.

use crate::config::Config;
use crate::entities::escape;

/// A page that sends the reader on to root path `to`, for static hosts
/// that cannot answer with a 301.
pub fn page(config: &Config, to: &str) -> String {
    let url = escape(&config.url(to));
    let permalink = escape(&config.permalink(to));
    format!(
        "<!doctype html>\n<html lang=\"{lang}\"><head><meta charset=\"utf-8\"><title>Redirecting…</title>\
<link rel=\"canonical\" href=\"{permalink}\"><meta name=\"robots\" content=\"noindex\">\
<meta http-equiv=\"refresh\" content=\"0; url={url}\"></head>\
<body><p>This page has moved to <a href=\"{url}\">{permalink}</a>.</p></body></html>\n",
        lang = escape(&config.language)
    )
}
