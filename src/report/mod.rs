//! Reporters only read findings: they never decide what is wrong or how severe it is.

mod github;
mod json;
mod sarif;
mod text;

use crate::finding::{Applicability, Finding, Severity};
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

/// `1 finding`, `2 findings`.
pub fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// What the human-facing reports (text, GitHub) say about a finding's fixes, as
/// `(label, message)` lines: `fix` for each fix (unsafe ones say which flag applies them), or
/// `no automatic fix` with the reason the rule skipped its fix.
fn fix_notes(f: &Finding) -> Vec<(&'static str, String)> {
    let mut out: Vec<(&'static str, String)> = f
        .fixes
        .iter()
        .map(|fix| match fix.applicability {
            Applicability::Safe => ("fix", fix.title.clone()),
            Applicability::Unsafe => ("fix", format!("{} (unsafe: --unsafe-fixes)", fix.title)),
        })
        .collect();
    if let Some(why) = &f.no_fix {
        out.push(("no automatic fix", why.clone()));
    }
    out
}

/// The closing hint about fixes, ruff-style: how many findings `check --fix` repairs, and how
/// many more only `--unsafe-fixes` does. `None` when nothing is fixable.
fn fixable_hint(findings: &[Finding]) -> Option<String> {
    let has = |f: &Finding, a: Applicability| f.fixes.iter().any(|x| x.applicability == a);
    let safe = findings
        .iter()
        .filter(|f| has(f, Applicability::Safe))
        .count();
    let unsafe_only = findings
        .iter()
        .filter(|f| !has(f, Applicability::Safe) && has(f, Applicability::Unsafe))
        .count();
    match (safe, unsafe_only) {
        (0, 0) => None,
        (0, n) => Some(format!("{n} fixable with --unsafe-fixes")),
        (n, 0) => Some(format!("{n} fixable with --fix")),
        (n, m) => Some(format!(
            "{n} fixable with --fix ({m} more with --unsafe-fixes)"
        )),
    }
}

/// Findings in output order.
fn sorted(findings: &[Finding]) -> Vec<&Finding> {
    let mut out: Vec<&Finding> = findings.iter().collect();
    out.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    out
}
