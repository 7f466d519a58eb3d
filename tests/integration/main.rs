//! Integration tests: real sites built in temp folders, output parsed.

mod binary;
mod common;

mod apart;
mod browser;

mod channels;
mod community;
mod contrast;
mod conversation_ids;
mod conversations;
mod demo;
mod depth;
mod errors;
mod feeds;
mod follow;
mod import;
mod import_checks;
mod imported_text;
mod incremental;
mod interrupted;
mod journeys;
mod journeys_import;
mod languages;
mod mbox;
mod mbox_scale;
mod memory;
mod microformats;
mod moderate_cli;
mod moderation;
mod names;
mod optional_feeds;
mod output;
mod pagination;
mod partials;
mod people_first;
mod post_cards;
mod previews;
mod relevance;
mod safety;
mod scheduled;
mod search;
mod search_script;
mod search_updates;
mod serve;
mod structured;
mod tag_descriptions;
// Reads the server's threads, memory and files from /proc.
#[cfg(target_os = "linux")]
mod serve_limits;
mod theme;
mod translations;
mod watch_batches;
mod webmention_send;
mod xml_output;
