//! Integration tests: real sites built in temp folders, output parsed.

mod common;

mod browser;

mod community;
mod contrast;
mod conversations;
mod demo;
mod errors;
mod feeds;
mod import;
mod incremental;
mod interrupted;
mod mbox;
mod output;
mod pagination;
mod safety;
mod search;
mod serve;
mod theme;
