//! Findings as LSP sees them: ranges in UTF-16 code units (LSP's default position encoding),
//! file URIs, severities and diagnostics. Nothing here decides what is wrong.

use std::path::Path;

use lsp_types::{
    CodeDescription, Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, NumberOrString,
    Position, Range, Url,
};

use crate::finding::{Finding, Severity};
use crate::model::Bundle;
use crate::report::RULE_DOCS_BASE;
use crate::source::Location;

/// Where a rule's documentation lives (the `codeDescription` link, as SARIF's `helpUri`).
pub fn doc_link(id: &str, name: &str) -> Option<Url> {
    Url::parse(&format!("{RULE_DOCS_BASE}{id}-{name}.md")).ok()
}

/// The LSP position of byte `offset` in `text`: 0-based line, UTF-16 column.
pub fn position(text: &str, offset: usize) -> Position {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line = text[..line_start].matches('\n').count();
    let character: usize = text[line_start..offset].chars().map(char::len_utf16).sum();
    Position::new(line as u32, character as u32)
}

/// The byte offset of an LSP position in `text`, clamped to the text and its line.
pub fn offset(text: &str, at: Position) -> usize {
    let mut line_start = 0;
    for _ in 0..at.line {
        match text[line_start..].find('\n') {
            Some(i) => line_start += i + 1,
            None => return text.len(),
        }
    }
    let mut units = 0;
    for (i, c) in text[line_start..].char_indices() {
        if units >= at.character as usize || c == '\n' {
            return line_start + i;
        }
        units += c.len_utf16();
    }
    text.len()
}

/// The range of `location`, converted through its file's text when the bundle has it. Whole
/// files and folders (no text) are the start of the file.
pub fn range(bundle: &Bundle, location: &Location) -> Range {
    match bundle.source(&location.path) {
        Some(source) if !source.text.is_empty() => Range::new(
            position(&source.text, location.span.start),
            position(&source.text, location.span.end.max(location.span.start)),
        ),
        _ => {
            let at = |p: crate::source::Position| {
                Position::new(
                    p.line.saturating_sub(1) as u32,
                    p.column.saturating_sub(1) as u32,
                )
            };
            Range::new(at(location.start), at(location.end))
        }
    }
}

/// A fingerprint of a file's text, to tell whether it changed since a check read it.
pub fn fingerprint(text: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    text.hash(&mut hasher);
    hasher.finish()
}

pub fn uri(path: &str) -> Option<Url> {
    Url::from_file_path(Path::new(path)).ok()
}

pub fn severity(severity: Severity) -> DiagnosticSeverity {
    match severity {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Info => DiagnosticSeverity::INFORMATION,
    }
}

/// The diagnostic of one finding: its rule as `code`, the rule's page as `codeDescription`,
/// and its related places.
pub fn diagnostic(bundle: &Bundle, finding: &Finding) -> Diagnostic {
    let message = if finding.help.is_empty() {
        finding.message.clone()
    } else {
        format!("{}\nhelp: {}", finding.message, finding.help)
    };
    let related: Vec<DiagnosticRelatedInformation> = finding
        .related
        .iter()
        .filter_map(|r| {
            Some(DiagnosticRelatedInformation {
                location: lsp_types::Location::new(
                    uri(&r.location.path)?,
                    range(bundle, &r.location),
                ),
                message: r.label.clone(),
            })
        })
        .collect();
    Diagnostic {
        range: range(bundle, &finding.location),
        severity: Some(severity(finding.severity)),
        code: Some(NumberOrString::String(finding.rule.id.to_string())),
        code_description: doc_link(finding.rule.id, finding.rule.name)
            .map(|href| CodeDescription { href }),
        source: Some("ebguard".into()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        tags: None,
        data: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_utf16_units_and_round_trip() {
        let text = "a: 1\nnäme: 😀x\n";
        let x = text.find('x').unwrap();
        // `näme: ` is 6 units, the emoji 2.
        assert_eq!(position(text, x), Position::new(1, 8));
        assert_eq!(offset(text, Position::new(1, 8)), x);
        assert_eq!(offset(text, Position::new(0, 99)), 4, "clamped to its line");
        assert_eq!(offset(text, Position::new(9, 0)), text.len());
        assert_eq!(position(text, text.len()), Position::new(2, 0));
    }
}
