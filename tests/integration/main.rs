//! Integration tests: real sites built in temp folders, output parsed.

mod binary;
mod common;

mod apart;
mod browser;

mod community;
mod contrast;
mod conversations;
mod demo;
mod errors;
mod feeds;
mod import;
mod incremental;
mod journeys;
mod journeys_import;
mod languages;
mod mbox;
mod names;
mod output;
mod pagination;
mod relevance;
mod safety;
mod search;
mod serve;
// Reads the server's threads, memory and files from /proc.
#[cfg(target_os = "linux")]
mod serve_limits;
mod theme;
