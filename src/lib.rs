//! ebguard: stops Elastic Beanstalk deployments from breaking databases.
//!
//! Data flows one way: files ([`bundle`]) -> span tree ([`yaml`]) -> model ([`model`]) ->
//! rules ([`rules`]) -> findings ([`finding`]) -> reports ([`report`]).

pub mod bundle;
pub mod finding;
pub mod guard;
#[doc(hidden)]
pub mod harness;
pub mod model;
mod parallel;
pub mod report;
pub mod rules;
pub mod shell;
pub mod source;
pub mod yaml;

use std::path::PathBuf;

use finding::{Finding, Severity};
use model::Bundle;

/// The result of checking some paths.
#[derive(Debug, Default)]
pub struct Outcome {
    pub bundles: Vec<Bundle>,
    pub findings: Vec<Finding>,
    /// Paths that could not be read at all (exit code 2).
    pub input_errors: Vec<String>,
}

impl Outcome {
    pub fn worst(&self) -> Option<Severity> {
        self.findings.iter().map(|f| f.severity).max()
    }

    /// Whether ebguard hit a bug of its own (EB000): the report is incomplete (exit code 2).
    pub fn has_internal_errors(&self) -> bool {
        self.findings
            .iter()
            .any(|f| *f.rule == rules::eb000_internal_error::RULE)
    }
}

/// Finds every bundle under `paths`, models it and runs every rule.
pub fn check(paths: &[PathBuf], settings: &rules::Settings) -> Outcome {
    check_with_rules(paths, settings, rules::ALL)
}

/// [`check`] with a chosen set of rules: none for a parse-only pass (`check --parse-only`,
/// the benchmark's baseline), or a test's own rules.
///
/// Bundles are independent, so they are loaded and checked on every core; results are put
/// back in discovery order, so the output never depends on which thread finished first.
pub fn check_with_rules(
    paths: &[PathBuf],
    settings: &rules::Settings,
    rules: &[&rules::Rule],
) -> Outcome {
    let discovery = bundle::discover(paths);
    let checked = parallel::map(&discovery.roots, |root| {
        let bundle = bundle::load(root, yaml::Limits::default());
        let findings = rules::check_with(&bundle, settings, rules);
        (bundle, findings)
    });
    let mut outcome = Outcome {
        input_errors: discovery.errors,
        ..Outcome::default()
    };
    for (bundle, findings) in checked {
        outcome.findings.extend(findings);
        outcome.bundles.push(bundle);
    }
    outcome
}
