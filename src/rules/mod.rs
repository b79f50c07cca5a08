//! The rules. One rule = one file here + `rules/EBxxx-name.md` + fixtures in
//! `testdata/EBxxx-name/`. Adding a rule is: the file, a line in [`ALL`], the doc, fixtures.

pub(crate) mod common;

mod eb001_migration_not_leader_only;
mod eb008_migration_ignore_errors;

use crate::finding::{Finding, Severity};
use crate::model::Bundle;
use crate::shell::Recognizer;

/// A rule's identity and documentation. The doc is the Markdown file in `rules/`, embedded, so
/// `ebguard explain` and SARIF help can never drift from it.
#[derive(Debug)]
pub struct Rule {
    pub id: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    /// One line: what the rule finds.
    pub summary: &'static str,
    pub doc: &'static str,
    pub check: fn(&Bundle, &Settings, &mut Vec<Finding>),
}

/// Rules are identified by their ID.
impl PartialEq for Rule {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
    }
}

impl Eq for Rule {}

/// What rules may be configured with.
#[derive(Debug, Default)]
pub struct Settings {
    pub recognizer: Recognizer,
    /// EB002's floor for the deployment `Timeout`, in seconds.
    pub min_deploy_timeout: Option<u32>,
}

/// EB's default deployment command timeout (eb-facts §3.1).
pub const DEFAULT_DEPLOY_TIMEOUT: u32 = 600;

impl Settings {
    pub fn min_deploy_timeout(&self) -> u32 {
        self.min_deploy_timeout.unwrap_or(DEFAULT_DEPLOY_TIMEOUT)
    }
}

/// Every rule, in ID order.
pub static ALL: &[&Rule] = &[
    &eb001_migration_not_leader_only::RULE,
    &eb008_migration_ignore_errors::RULE,
];

pub fn by_id(id: &str) -> Option<&'static Rule> {
    ALL.iter()
        .copied()
        .find(|r| r.id.eq_ignore_ascii_case(id) || r.name == id)
}

/// Runs every rule over one bundle.
pub fn check(bundle: &Bundle, settings: &Settings) -> Vec<Finding> {
    let mut findings = Vec::new();
    for rule in ALL {
        (rule.check)(bundle, settings, &mut findings);
    }
    findings
}
