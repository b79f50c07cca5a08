//! `--format json`: a versioned, stable document for tools.

use serde::Serialize;

use super::{sorted, Summary};
use crate::source::Location;
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
    #[serde(flatten)]
    at: JsonLocation<'a>,
    help: &'a str,
    related: Vec<JsonRelated<'a>>,
}

#[derive(Serialize)]
struct JsonRelated<'a> {
    message: &'a str,
    #[serde(flatten)]
    at: JsonLocation<'a>,
}

/// Where a finding or a related place is: 1-based, `end_column` exclusive.
#[derive(Serialize)]
struct JsonLocation<'a> {
    path: &'a str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
}

impl<'a> From<&'a Location> for JsonLocation<'a> {
    fn from(l: &'a Location) -> Self {
        JsonLocation {
            path: &l.path,
            line: l.start.line,
            column: l.start.column,
            end_line: l.end.line,
            end_column: l.end.column,
        }
    }
}

pub fn render(outcome: &Outcome) -> String {
    let findings = sorted(&outcome.findings)
        .into_iter()
        .map(|f| JsonFinding {
            rule: f.rule.id,
            name: f.rule.name,
            severity: f.severity.as_str(),
            message: &f.message,
            at: (&f.location).into(),
            help: &f.help,
            related: f
                .related
                .iter()
                .map(|r| JsonRelated {
                    message: &r.label,
                    at: (&r.location).into(),
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
