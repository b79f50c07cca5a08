//! `--format github`: GitHub Actions workflow commands (`::error file=…::message`), which the
//! runner turns into annotations on the run and on the pull request's diff.
//!
//! GitHub shows at most 10 error and 10 warning annotations per step, and 50 per job; the
//! rest are dropped without a word (actions/toolkit `docs/problem-matchers.md`, "Limitations",
//! added in actions/toolkit#734; github.com/orgs/community/discussions/68471). Notices are
//! held to the same 10 here. So the most severe findings go first, every finding past the cap
//! is still printed as a plain log line, and a final notice says how many were left out.

use super::{fix_notes, sorted};
use crate::finding::{Finding, Severity};
use crate::Outcome;

/// Annotations of one kind GitHub shows per step.
const PER_KIND: usize = 10;

fn command(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    }
}

/// Escapes a command's message, as `@actions/core`'s `escapeData` does
/// (actions/toolkit `packages/core/src/command.ts`).
fn data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value: also `:` and `,`, which end a value (`escapeProperty`, same file).
fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}

fn annotation(f: &Finding) -> String {
    let l = &f.location;
    let mut message = f.message.clone();
    if !f.help.is_empty() {
        message.push_str("\nhelp: ");
        message.push_str(&f.help);
    }
    for (name, note) in fix_notes(f) {
        message.push_str(&format!("\n{name}: {note}"));
    }
    format!(
        "::{} file={},line={},col={},endLine={},endColumn={},title={}::{}\n",
        command(f.severity),
        property(&l.path),
        l.start.line,
        l.start.column,
        l.end.line,
        l.end.column,
        property(&format!("{} {}", f.rule.id, f.rule.name)),
        data(&message),
    )
}

/// The same finding as an ordinary log line, for those past the cap.
fn log_line(f: &Finding) -> String {
    let l = &f.location;
    format!(
        "{}:{}:{}: {}[{}] {}\n",
        l.path,
        l.start.line,
        l.start.column,
        f.severity.as_str(),
        f.rule.id,
        f.message
    )
}

pub fn render(outcome: &Outcome) -> String {
    let mut out = String::new();
    for error in &outcome.input_errors {
        out.push_str(&format!("::error title=ebguard::{}\n", data(error)));
    }
    let mut findings = sorted(&outcome.findings);
    // Stable: within a severity, the usual file and position order.
    findings.sort_by_key(|f| std::cmp::Reverse(f.severity));
    let total = findings.len();
    // The closing notice takes one notice slot of its own.
    let (errors, warnings) = (
        findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .count(),
        findings
            .iter()
            .filter(|f| f.severity == Severity::Warning)
            .count(),
    );
    let notices = total - errors - warnings;
    let overflow = errors > PER_KIND || warnings > PER_KIND || notices > PER_KIND;
    let cap = |s: Severity| match s {
        Severity::Info if overflow => PER_KIND - 1,
        _ => PER_KIND,
    };
    let mut shown = [0usize; 3];
    let mut left_out = Vec::new();
    for f in findings {
        let slot = &mut shown[f.severity as usize];
        if *slot < cap(f.severity) {
            *slot += 1;
            out.push_str(&annotation(f));
        } else {
            left_out.push(f);
        }
    }
    if !left_out.is_empty() {
        for f in &left_out {
            out.push_str(&log_line(f));
        }
        out.push_str(&format!(
            "::notice title=ebguard::{}\n",
            data(&format!(
                "{} of {total} findings are not shown as annotations (GitHub shows at most {PER_KIND} of each kind per step); they are listed in this step's log, and `--format sarif` uploads all of them to code scanning",
                left_out.len()
            ))
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn properties_escape_what_ends_a_value() {
        assert_eq!(property("a,b:c%\r\n"), "a%2Cb%3Ac%25%0D%0A");
        assert_eq!(data("a,b:c%\n"), "a,b:c%25%0A");
    }
}
