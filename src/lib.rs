//! ebguard: stops Elastic Beanstalk deployments from breaking databases.
//!
//! Data flows one way: files ([`bundle`]) -> span tree ([`yaml`]) -> model ([`model`]) ->
//! rules ([`rules`]) -> findings ([`finding`]) -> reports ([`report`]).

pub mod bundle;
pub mod finding;
pub mod migrate;
pub mod model;
pub mod plan;
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
}

/// Finds every bundle under `paths`, models it and runs every rule.
pub fn check(paths: &[PathBuf], settings: &rules::Settings) -> Outcome {
    let discovery = bundle::discover(paths);
    let mut outcome = Outcome {
        input_errors: discovery.errors,
        ..Outcome::default()
    };
    for root in &discovery.roots {
        let bundle = bundle::load(root, yaml::Limits::default());
        outcome.findings.extend(rules::check(&bundle, settings));
        outcome.bundles.push(bundle);
    }
    outcome
}
