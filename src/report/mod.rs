//! Reporters only read findings: they never decide what is wrong or how severe it is.

mod github;
mod json;
mod sarif;
mod text;

use crate::finding::{Finding, Severity};
use crate::source::SourceFile;
use crate::Outcome;

pub use github::render as github;
pub use json::render as json;
pub use sarif::{render as sarif, RULE_DOCS_BASE};
pub use text::render as text;

/// Counts for the summary line and the JSON `summary` object.
#[derive(Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Summary {
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    pub bundles: usize,
    pub files: usize,
}

impl Summary {
    pub fn of(outcome: &Outcome) -> Self {
        let count = |s: Severity| outcome.findings.iter().filter(|f| f.severity == s).count();
        Summary {
            errors: count(Severity::Error),
            warnings: count(Severity::Warning),
            infos: count(Severity::Info),
            bundles: outcome.bundles.len(),
            files: outcome
                .bundles
                .iter()
                .map(|b| b.configs.len() + b.hooks.len())
                .sum(),
        }
    }
}

/// The file a finding's path names, for code frames.
fn source_of<'a>(outcome: &'a Outcome, finding_path: &str) -> Option<&'a SourceFile> {
    outcome.bundles.iter().find_map(|b| {
        b.configs
            .iter()
            .map(|c| &c.source)
            .chain(b.hooks.iter().map(|h| &h.source))
            .chain(b.files.read_files())
            .find(|s| s.path == finding_path)
    })
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// Findings in output order.
fn sorted(findings: &[Finding]) -> Vec<&Finding> {
    let mut out: Vec<&Finding> = findings.iter().collect();
    out.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    out
}
