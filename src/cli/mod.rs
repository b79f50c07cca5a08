//! Pieces of the command line that are not flags: output sinks and colour, and reading the
//! `eb deploy` arguments ebguard passes on.

pub mod eb_args;
pub mod output;
