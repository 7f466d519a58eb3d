//! Integration tests: real sites built in temp folders, output parsed.

mod common;

mod community;

mod demo;
mod errors;
mod feeds;
mod import;
mod output;
mod pagination;
mod safety;
mod search;
mod serve;
