//! Hover and code actions on the findings last published for a file.

use std::collections::HashMap;
use std::path::PathBuf;

use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CodeActionParams, Hover, HoverContents,
    HoverParams, MarkupContent, MarkupKind, NumberOrString, Position, Range, TextEdit, Url,
    WorkspaceEdit,
};

use super::{convert, Published, Shared};
use crate::bundle::Overlay;
use crate::finding::Finding;

/// Whether `at` is on `range`; an empty range (a finding about a whole file) counts on its
/// line.
fn on(range: &Range, at: Position) -> bool {
    if range.start == range.end {
        return at.line == range.start.line;
    }
    range.start <= at && at <= range.end
}

fn overlaps(a: &Range, b: &Range) -> bool {
    on(a, b.start) || on(a, b.end) || on(b, a.start)
}

/// The finding under the cursor, with its rule's documentation.
pub fn hover(shared: &Shared, params: &HoverParams) -> Option<Hover> {
    let at = params.text_document_position_params.position;
    let uri = &params.text_document_position_params.text_document.uri;
    let shared = shared.lock().ok()?;
    let here: Vec<&(Finding, Range)> = shared
        .get(uri)?
        .findings
        .iter()
        .filter(|(_, range)| on(range, at))
        .collect();
    let (_, first) = here.first()?;
    let mut value = String::new();
    let mut documented = Vec::new();
    for (finding, _) in &here {
        value.push_str(&format!(
            "**{} `{}`** ({}): {}\n\n",
            finding.rule.id,
            finding.rule.name,
            finding.severity.as_str(),
            finding.message
        ));
    }
    for (finding, _) in &here {
        if !documented.contains(&finding.rule.id) {
            documented.push(finding.rule.id);
            value.push_str("---\n\n");
            value.push_str(finding.rule.doc);
            value.push('\n');
        }
    }
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value,
        }),
        range: Some(*first),
    })
}

/// What a suppression says until its author writes why; ebguard requires a reason.
const REASON: &str = "TODO: say why this is safe";

/// The actions for the findings in the requested range. A finding's own fixes will come first
/// once rules attach them (they are data on findings, turned into edits here like the
/// suppression below); every finding can be suppressed with a reason.
pub fn code_actions(
    params: &CodeActionParams,
    published: &Published,
    text: &str,
    config: Option<PathBuf>,
    overlay: Overlay,
) -> Vec<CodeActionOrCommand> {
    let uri = &params.text_document.uri;
    let mut out = Vec::new();
    for (finding, range) in &published.findings {
        if !overlaps(range, &params.range) {
            continue;
        }
        let diagnostics: Vec<_> = params
            .context
            .diagnostics
            .iter()
            .filter(|d| {
                d.code == Some(NumberOrString::String(finding.rule.id.into())) && d.range == *range
            })
            .cloned()
            .collect();
        let check = |edited: &str| suppresses(published, finding, uri, edited, &config, &overlay);
        if let Some(edit) = suppression(finding, text, check) {
            out.push(CodeActionOrCommand::CodeAction(CodeAction {
                title: format!(
                    "Suppress {} ({}) here, with a reason",
                    finding.rule.id, finding.rule.name
                ),
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: (!diagnostics.is_empty()).then_some(diagnostics),
                edit: Some(WorkspaceEdit {
                    changes: Some(HashMap::from([(uri.clone(), vec![edit])])),
                    ..Default::default()
                }),
                ..Default::default()
            }));
        }
    }
    out
}

/// An edit that adds an `# ebguard: ignore[...]` comment which really silences `finding`:
/// on its own line above the finding, right below a hook's `#!` line for findings about the
/// whole hook, or at the end of the finding's line. Each place is checked by re-checking the
/// edited text (`works`): a comment inside a YAML block scalar, for one, is no comment.
fn suppression(finding: &Finding, text: &str, works: impl Fn(&str) -> bool) -> Option<TextEdit> {
    let line = finding.location.start.line;
    let lines = crate::source::LineIndex::new(text);
    let span = lines.line_span(text, line);
    let content = &text[span.clone()];
    let eol = if text[span.end..].starts_with("\r\n") {
        "\r\n"
    } else {
        "\n"
    };
    let indent: String = content.chars().take_while(|c| c.is_whitespace()).collect();
    let directive = format!("# ebguard: ignore[{}] {REASON}", finding.rule.id);
    let shebang = text.starts_with("#!");
    let mut candidates = Vec::new();
    if line == 1 && shebang {
        let next = lines.line_span(text, 2).start.min(text.len());
        let at = if next <= span.end { text.len() } else { next };
        let insert = if at == text.len() && !text.ends_with('\n') {
            format!("{eol}{directive}{eol}")
        } else {
            format!("{directive}{eol}")
        };
        candidates.push((at, insert));
    } else {
        candidates.push((span.start, format!("{indent}{directive}{eol}")));
    }
    candidates.push((span.end, format!("  {directive}")));
    for (at, insert) in candidates {
        let mut edited = text.to_string();
        edited.insert_str(at, &insert);
        if works(&edited) {
            let position = convert::position(text, at);
            return Some(TextEdit {
                range: Range::new(position, position),
                new_text: insert,
            });
        }
    }
    None
}

/// Whether the bundle, with `edited` as the file's text, has `finding` suppressed and no
/// malformed suppression.
fn suppresses(
    published: &Published,
    finding: &Finding,
    uri: &Url,
    edited: &str,
    config: &Option<PathBuf>,
    overlay: &Overlay,
) -> bool {
    let Ok(path) = uri.to_file_path() else {
        return false;
    };
    let mut overlay = overlay.clone();
    overlay.insert(&path, edited.to_string());
    let options = crate::Options {
        config: config.clone(),
        overlay,
        ..Default::default()
    };
    let outcome = crate::check_roots(std::slice::from_ref(&published.root), Vec::new(), &options);
    let here = |f: &Finding| f.location.path == finding.location.path;
    let silenced = outcome
        .suppressed
        .iter()
        .any(|s| here(&s.finding) && s.finding.rule == finding.rule);
    let broken = outcome
        .findings
        .iter()
        .any(|f| here(f) && f.rule.id == crate::rules::eb901_invalid_suppression::RULE.id);
    silenced && !broken
}
