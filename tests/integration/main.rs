//! Integration tests: real sites built in temp folders, output parsed.

mod binary;
mod common;

mod apart;
mod browser;

mod community;
mod contrast;
mod conversation_ids;
mod conversations;
mod demo;
mod depth;
mod errors;
mod feeds;
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
mod names;
mod output;
mod pagination;
mod relevance;
mod safety;
mod scheduled;
mod search;
mod serve;
// Reads the server's threads, memory and files from /proc.
#[cfg(target_os = "linux")]
mod serve_limits;
mod theme;
mod xml_output;
