//! Integration tests: real sites built in temp folders, output parsed.

mod common;

mod demo;
mod errors;
mod feeds;
mod output;
mod pagination;
mod safety;
mod serve;
