//! `--format json`: a versioned, stable document for tools.

use serde::Serialize;

use super::{sorted, Summary};
use crate::finding::{Edit, Fix};
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
    /// Preferred first; `check --fix` applies the first safe one, `--unsafe-fixes` the first.
    fixes: Vec<JsonFix<'a>>,
    /// Why the rule offers no fix here although it has one (an edit through a YAML alias).
    no_fix: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonFix<'a> {
    title: &'a str,
    applicability: &'a str,
    edits: Vec<JsonEdit<'a>>,
}

/// One change of a fix, tagged by `kind`. Paths are display paths, as in `path` above.
#[derive(Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum JsonEdit<'a> {
    /// Replace the text of the range (empty: insert) with `text`; the byte offsets (0-based,
    /// end exclusive) give the same range for tools that work on bytes.
    Replace {
        #[serde(flatten)]
        at: JsonLocation<'a>,
        start_byte: usize,
        end_byte: usize,
        text: &'a str,
    },
    Rename {
        path: &'a str,
        to: &'a str,
    },
    /// Set the executable bit, and in git's index too when `git`.
    MakeExecutable {
        path: &'a str,
        git: bool,
    },
}

impl<'a> From<&'a Fix> for JsonFix<'a> {
    fn from(fix: &'a Fix) -> Self {
        JsonFix {
            title: &fix.title,
            applicability: fix.applicability.as_str(),
            edits: fix.edits.iter().map(JsonEdit::from).collect(),
        }
    }
}

impl<'a> From<&'a Edit> for JsonEdit<'a> {
    fn from(edit: &'a Edit) -> Self {
        match edit {
            Edit::Replace { at, text } => JsonEdit::Replace {
                at: at.into(),
                start_byte: at.span.start,
                end_byte: at.span.end,
                text,
            },
            Edit::Rename { from, to } => JsonEdit::Rename { path: from, to },
            Edit::MakeExecutable { path, git } => JsonEdit::MakeExecutable { path, git: *git },
        }
    }
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
            fixes: f.fixes.iter().map(JsonFix::from).collect(),
            no_fix: f.no_fix.as_deref(),
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
