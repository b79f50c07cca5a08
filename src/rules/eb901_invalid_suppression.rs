//! EB901 invalid-suppression: an `# ebguard:` comment that is not a valid suppression.

use super::{Rule, Settings};
use crate::finding::{Finding, Severity};
use crate::model::Bundle;
use crate::suppress;

pub static RULE: Rule = Rule {
    id: "EB901",
    name: "invalid-suppression",
    severity: Severity::Info,
    summary: "An `# ebguard:` comment cannot be read as a suppression",
    doc: include_str!("../../rules/EB901-invalid-suppression.md"),
    check,
};

fn check(bundle: &Bundle, _: &Settings, out: &mut Vec<Finding>) {
    out.extend(suppress::malformed(bundle));
}
