//! The rules. One rule = one file here + `rules/EBxxx-name.md` + fixtures in
//! `testdata/EBxxx-name/`. Adding a rule is: the file, a line in [`ALL`], the doc, fixtures.

pub(crate) mod common;
pub mod migration_graph;

pub mod eb000_internal_error;
mod eb001_migration_not_leader_only;
mod eb002_deploy_timeout_too_short;
mod eb003_unknown_command_key;
mod eb004_leader_only_with_test;
mod eb005_migration_in_commands;
mod eb006_hook_migration_unguarded;
mod eb007_leader_lost_at_zero_instances;
mod eb008_migration_ignore_errors;
mod eb009_leader_only_traffic_splitting;
mod eb010_leader_only_not_boolean;
mod eb011_hook_relies_on_leader_variable;
pub(crate) mod eb100_invalid_syntax;
mod eb101_unknown_top_level_key;
mod eb102_duplicate_key;
mod eb103_invalid_option_setting;
mod eb104_ignored_config_file;
mod eb105_invalid_command;
mod eb106_amazon_linux_1_leftover;
mod eb107_command_env_replaces_environment;
mod eb200_hook_not_executable;
mod eb201_hook_crlf_line_endings;
mod eb202_hook_missing_shebang;
mod eb203_unknown_hook_location;
mod eb204_hook_runs_non_executable_script;
mod eb300_django_conflicting_migrations;
mod eb301_django_missing_migration_dependency;
mod eb302_django_duplicate_index_name;
mod eb303_alembic_multiple_heads;
mod eb304_rails_duplicate_migration_version;
mod eb305_laravel_duplicate_migration;
pub(crate) mod eb900_unused_suppression;
pub(crate) mod eb901_invalid_suppression;

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
    &eb000_internal_error::RULE,
    &eb001_migration_not_leader_only::RULE,
    &eb002_deploy_timeout_too_short::RULE,
    &eb003_unknown_command_key::RULE,
    &eb004_leader_only_with_test::RULE,
    &eb005_migration_in_commands::RULE,
    &eb006_hook_migration_unguarded::RULE,
    &eb007_leader_lost_at_zero_instances::RULE,
    &eb008_migration_ignore_errors::RULE,
    &eb009_leader_only_traffic_splitting::RULE,
    &eb010_leader_only_not_boolean::RULE,
    &eb011_hook_relies_on_leader_variable::RULE,
    &eb100_invalid_syntax::RULE,
    &eb101_unknown_top_level_key::RULE,
    &eb102_duplicate_key::RULE,
    &eb103_invalid_option_setting::RULE,
    &eb104_ignored_config_file::RULE,
    &eb105_invalid_command::RULE,
    &eb106_amazon_linux_1_leftover::RULE,
    &eb107_command_env_replaces_environment::RULE,
    &eb200_hook_not_executable::RULE,
    &eb201_hook_crlf_line_endings::RULE,
    &eb202_hook_missing_shebang::RULE,
    &eb203_unknown_hook_location::RULE,
    &eb204_hook_runs_non_executable_script::RULE,
    &eb300_django_conflicting_migrations::RULE,
    &eb301_django_missing_migration_dependency::RULE,
    &eb302_django_duplicate_index_name::RULE,
    &eb303_alembic_multiple_heads::RULE,
    &eb304_rails_duplicate_migration_version::RULE,
    &eb305_laravel_duplicate_migration::RULE,
    &eb900_unused_suppression::RULE,
    &eb901_invalid_suppression::RULE,
];

pub fn by_id(id: &str) -> Option<&'static Rule> {
    ALL.iter()
        .copied()
        .find(|r| r.id.eq_ignore_ascii_case(id) || r.name == id)
}

/// Runs every rule over one bundle.
pub fn check(bundle: &Bundle, settings: &Settings) -> Vec<Finding> {
    check_with(bundle, settings, ALL)
}

/// Runs `rules` over one bundle, each under its own panic guard: a rule that panics loses its
/// own findings for this bundle (reported as EB000), never the other rules' findings.
pub fn check_with(bundle: &Bundle, settings: &Settings, rules: &[&Rule]) -> Vec<Finding> {
    let mut findings = Vec::new();
    for rule in rules {
        let mut found = Vec::new();
        match crate::guard::catch(|| (rule.check)(bundle, settings, &mut found)) {
            Ok(()) => findings.append(&mut found),
            Err(message) => {
                findings.push(eb000_internal_error::rule_failed(bundle, rule, &message))
            }
        }
    }
    findings
}
