//! EB000 internal-error: ebguard itself failed on a file or in a rule (a caught panic). The
//! finding keeps the report whole: only the file or the rule that hit the bug is lost.

use super::{Rule, Settings};
use crate::finding::{Finding, Severity};
use crate::model::{Bundle, InternalError};
use crate::source::{Location, SourceFile};

pub static RULE: Rule = Rule {
    id: "EB000",
    name: "internal-error",
    severity: Severity::Error,
    summary: "ebguard hit a bug of its own; the file or rule it hit was not checked",
    doc: include_str!("../../rules/EB000-internal-error.md"),
    check,
};

const REPORT: &str =
    "this is a bug in ebguard: please report it with the file (or a trimmed copy) that triggers it";

/// The start of a file ebguard could not model: there is no text to point into.
fn start_of(path: &str) -> Location {
    SourceFile::new(path.to_string(), String::new()).location(0..0)
}

/// Files whose reading panicked while the bundle was loaded.
fn check(bundle: &Bundle, _: &Settings, out: &mut Vec<Finding>) {
    for InternalError { path, message } in &bundle.internal_errors {
        out.push(
            Finding::new(
                &RULE,
                start_of(path),
                format!("internal error while reading this file, so it was not checked: {message}"),
            )
            .label("not checked")
            .help(REPORT),
        );
    }
}

/// A rule that panicked on a bundle: its findings for that bundle are lost, the others stay.
pub fn rule_failed(bundle: &Bundle, rule: &Rule, message: &str) -> Finding {
    let root = if bundle.root.is_empty() {
        "."
    } else {
        bundle.root.as_str()
    };
    Finding::new(
        &RULE,
        start_of(root),
        format!(
            "internal error in rule {} {}, so it did not check this bundle: {message}",
            rule.id, rule.name
        ),
    )
    .label("not checked")
    .help(REPORT)
}
