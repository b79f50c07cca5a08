//! `--format json`: a versioned, stable document for tools.

use serde::Serialize;

use super::{sorted, Summary};
use crate::Outcome;

/// Bump when a field changes meaning or disappears; adding fields keeps the version.
const VERSION: u32 = 1;

#[derive(Serialize)]
struct Document<'a> {
    version: u32,
    findings: Vec<JsonFinding<'a>>,
    summary: Summary,
    errors: &'a [String],
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    rule: &'a str,
    name: &'a str,
    severity: &'a str,
    message: &'a str,
    path: &'a str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    help: &'a str,
    related: Vec<JsonRelated<'a>>,
}

#[derive(Serialize)]
struct JsonRelated<'a> {
    message: &'a str,
    path: &'a str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
}

pub fn render(outcome: &Outcome) -> String {
    let findings = sorted(&outcome.findings)
        .into_iter()
        .map(|f| JsonFinding {
            rule: f.rule.id,
            name: f.rule.name,
            severity: f.severity.as_str(),
            message: &f.message,
            path: &f.location.path,
            line: f.location.start.line,
            column: f.location.start.column,
            end_line: f.location.end.line,
            end_column: f.location.end.column,
            help: &f.help,
            related: f
                .related
                .iter()
                .map(|r| JsonRelated {
                    message: &r.label,
                    path: &r.location.path,
                    line: r.location.start.line,
                    column: r.location.start.column,
                    end_line: r.location.end.line,
                    end_column: r.location.end.column,
                })
                .collect(),
        })
        .collect();
    let doc = Document {
        version: VERSION,
        findings,
        summary: Summary::of(outcome),
        errors: &outcome.input_errors,
    };
    let mut out = serde_json::to_string_pretty(&doc).expect("findings serialise");
    out.push('\n');
    out
}
