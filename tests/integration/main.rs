//! Integration tests: real sites built in temp folders, output parsed.

mod common;

mod browser;

mod community;
mod contrast;

mod demo;
mod errors;
mod feeds;
mod import;
mod output;
mod pagination;
mod safety;
mod serve;
mod theme;
