//! The `salon` binary's commands beyond argument parsing (not part of the
//! library): imports and moderation, the live rebuild loop, and reports.

pub mod imports;
pub mod live;
pub mod report;
