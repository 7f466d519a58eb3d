//! Integration tests: real sites built in temp folders, output parsed.

mod common;

mod browser;

mod community;
mod contrast;
mod conversation_ids;
mod conversations;
mod demo;
mod errors;
mod feeds;
mod import;
mod import_checks;
mod incremental;
mod mbox;
mod output;
mod pagination;
mod safety;
mod scheduled;
mod search;
mod serve;
mod theme;
