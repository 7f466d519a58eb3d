//! Redirect pages for aliases (old URLs) and `/page/1/`.

use crate::config::Config;
use crate::entities::escape;

/// A page that sends the reader on to root path `to`, for static hosts
/// that cannot answer with a 301.
pub fn page(config: &Config, to: &str) -> String {
    let url = escape(&config.url(to));
    let permalink = escape(&config.permalink(to));
    let ui = config.i18n.interface_language(&config.language);
    let title = escape(&config.i18n.say(ui, "redirect_title", None, &[]));
    // The link is HTML, the sentence around it text: fill in a marker, escape
    // the sentence, then put the link where the marker is.
    const MARK: &str = "\u{1}";
    let moved = escape(
        &config
            .i18n
            .say(ui, "redirect_moved", None, &[("link", MARK)]),
    )
    .replace(MARK, &format!("<a href=\"{url}\">{permalink}</a>"));
    format!(
        "<!doctype html>\n<html lang=\"{lang}\"><head><meta charset=\"utf-8\"><title>{title}</title>\
<link rel=\"canonical\" href=\"{permalink}\"><meta name=\"robots\" content=\"noindex\">\
<meta http-equiv=\"refresh\" content=\"0; url={url}\"></head>\
<body><p>{moved}</p></body></html>\n",
        lang = escape(&config.language)
    )
}
