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
pub use sarif::{render as sarif, render_in as sarif_in, Context as SarifContext, RULE_DOCS_BASE};
pub use text::{render as text, render_with as text_with};

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
                .map(|b| b.configs.len() + b.hooks.len() + b.migrations.file_count())
                .sum(),
        }
    }
}

/// Every file of the report's bundles by display path, for code frames. Built once per
/// report: looking each finding's file up bundle by bundle cost findings x files (7% of a
/// 10,000-file run).
struct Sources<'a>(std::collections::HashMap<&'a str, &'a SourceFile>);

impl<'a> Sources<'a> {
    fn new(outcome: &'a Outcome) -> Self {
        let mut map = std::collections::HashMap::new();
        for source in outcome.bundles.iter().flat_map(|b| b.sources()) {
            map.entry(source.path.as_str()).or_insert(source);
        }
        Sources(map)
    }

    fn get(&self, path: &str) -> Option<&'a SourceFile> {
        self.0.get(path).copied()
    }
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
