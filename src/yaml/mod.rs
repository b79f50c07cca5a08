//! The span tree: every `.config` file (YAML or JSON; JSON is YAML flow syntax) parsed into an
//! arena of nodes that keep their byte ranges. Rules never re-parse text; they ask the model,
//! and the model points into this tree.
//!
//! Built from `granit-parser` events (maintained, byte offsets, comments, tags) because
//! `serde_yaml` is archived and drops positions (crates.md §A). Aliases are kept as references
//! to their anchor, never copied, so an alias bomb costs memory linear in the file; its
//! expanded size is still computed and reported, because EB's own loader would expand it.

mod build;
#[doc(hidden)]
pub mod data;
pub mod edit;
mod node;

pub use build::{parse, Limits, ParseError};
pub use node::{Comment, Document, DuplicateKey, NodeId, NodeKind, NodeRef, ScalarStyle};

#[cfg(test)]
mod edit_tests;
#[cfg(test)]
mod tests;
