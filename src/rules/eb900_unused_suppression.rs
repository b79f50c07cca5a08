//! EB900 unused-suppression: an inline suppression that silences nothing.

use super::{Rule, Settings};
use crate::finding::{Finding, Severity};
use crate::model::Bundle;

pub static RULE: Rule = Rule {
    id: "EB900",
    name: "unused-suppression",
    severity: Severity::Info,
    summary: "An `# ebguard: ignore[...]` comment matches no finding",
    doc: include_str!("../../rules/EB900-unused-suppression.md"),
    check,
};

/// Whether a suppression is used depends on every other rule's findings, so
/// `suppress::apply` reports EB900 once they are all known; a bundle alone says nothing.
fn check(_: &Bundle, _: &Settings, _: &mut Vec<Finding>) {}
