//! Hover and code actions on the findings last published for a file.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CodeActionParams, CodeActionTriggerKind,
    DocumentChangeOperation, DocumentChanges, Hover, HoverContents, HoverParams, MarkupContent,
    MarkupKind, NumberOrString, OneOf, OptionalVersionedTextDocumentIdentifier, Position, Range,
    RenameFile, ResourceOp, TextDocumentEdit, TextEdit, Url, WorkspaceEdit,
};

use super::{convert, Published, Shared};
use crate::bundle::Overlay;
use crate::finding::{Applicability, Edit, Finding, Fix};

/// The code action that applies every safe fix of a file (editors run it on save, as they run
/// `source.fixAll.ruff`).
pub const FIX_ALL: CodeActionKind = CodeActionKind::new("source.fixAll.ebguard");

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

/// What code actions need from the server beyond the request.
pub struct Context {
    /// `--config` for the re-checks.
    pub config: Option<PathBuf>,
    /// The editor's buffers.
    pub overlay: Overlay,
    /// Whether the client can rename files in a workspace edit.
    pub rename_files: bool,
}

/// Whether the request asks for actions of `kind` (`only` names kinds or their parents).
fn wanted(params: &CodeActionParams, kind: &CodeActionKind) -> bool {
    params.context.only.as_ref().is_none_or(|only| {
        only.iter().any(|k| {
            let (k, kind) = (k.as_str(), kind.as_str());
            kind == k || kind.starts_with(&format!("{k}."))
        })
    })
}

/// The actions for the findings in the requested range: each finding's fixes (the first safe
/// one preferred), then its suppression with a reason; and the file's safe fixes at once.
pub fn code_actions(
    params: &CodeActionParams,
    published: &Published,
    text: &str,
    context: &Context,
) -> Vec<CodeActionOrCommand> {
    let uri = &params.text_document.uri;
    let mut out = Vec::new();
    let quickfix = wanted(params, &CodeActionKind::QUICKFIX);
    for (finding, range) in &published.findings {
        if !quickfix || !overlaps(range, &params.range) {
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
        let preferred = finding
            .fixes
            .iter()
            .position(|f| f.applicability == Applicability::Safe);
        for (i, fix) in finding.fixes.iter().enumerate() {
            let Some(edit) = fix_edit(fix, published, context) else {
                continue;
            };
            out.push(CodeActionOrCommand::CodeAction(CodeAction {
                title: fix_title(fix),
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: (!diagnostics.is_empty()).then(|| diagnostics.clone()),
                edit: Some(edit),
                is_preferred: (preferred == Some(i)).then_some(true),
                ..Default::default()
            }));
        }
        let check = |edited: &str| suppresses(published, finding, uri, edited, context);
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
    // Fix-all re-checks the bundle round after round, and the light bulb asks on every cursor
    // move (`Automatic`, no `only`): it is computed when asked for by kind (on save) or by the
    // user.
    let fix_all_wanted = match &params.context.only {
        Some(_) => wanted(params, &FIX_ALL),
        None => params.context.trigger_kind != Some(CodeActionTriggerKind::AUTOMATIC),
    };
    if fix_all_wanted {
        out.extend(fix_all(uri, published, text, context).map(CodeActionOrCommand::CodeAction));
    }
    out
}

/// A fix's title as editors list it: capitalised, and marked when it is unsafe (it changes
/// what EB runs; `check --fix` would not apply it).
fn fix_title(fix: &Fix) -> String {
    let mut chars = fix.title.chars();
    let mut title: String = chars
        .next()
        .map(|c| c.to_uppercase().collect())
        .unwrap_or_default();
    title.push_str(chars.as_str());
    if fix.applicability == Applicability::Unsafe {
        title.push_str(" (unsafe)");
    }
    title
}

/// The text of `path` as the editor has it.
fn current_text(path: &str, overlay: &Overlay) -> Option<String> {
    match overlay.get(Path::new(path)) {
        Some(text) => Some(text.to_string()),
        None => std::fs::read_to_string(path).ok(),
    }
}

/// `fix` as a workspace edit, or `None` when LSP cannot carry all of it (a fix is applied
/// whole or not at all): an executable bit has no LSP operation, a rename needs a client that
/// renames files, and a file changed since the check has other offsets than the fix's.
fn fix_edit(fix: &Fix, published: &Published, context: &Context) -> Option<WorkspaceEdit> {
    let mut texts: Vec<(Url, Vec<TextEdit>)> = Vec::new();
    let mut renames = Vec::new();
    for edit in &fix.edits {
        match edit {
            Edit::Replace { at, text } => {
                let current = current_text(&at.path, &context.overlay)?;
                if published.checked.get(&at.path) != Some(&convert::fingerprint(&current)) {
                    return None;
                }
                let range = text_range(&current, at.span.clone())?;
                let uri = convert::uri(&at.path)?;
                let edit = TextEdit::new(range, text.clone());
                match texts.iter_mut().find(|(u, _)| *u == uri) {
                    Some((_, edits)) => edits.push(edit),
                    None => texts.push((uri, vec![edit])),
                }
            }
            Edit::Rename { from, to } if context.rename_files => {
                renames.push(RenameFile {
                    old_uri: convert::uri(from)?,
                    new_uri: convert::uri(to)?,
                    options: None,
                    annotation_id: None,
                });
            }
            Edit::Rename { .. } | Edit::MakeExecutable { .. } => return None,
        }
    }
    if renames.is_empty() {
        return Some(WorkspaceEdit {
            changes: Some(texts.into_iter().collect()),
            ..Default::default()
        });
    }
    // Text edits first: their URIs name the files before any rename.
    let edits = texts.into_iter().map(|(uri, edits)| {
        DocumentChangeOperation::Edit(TextDocumentEdit {
            text_document: OptionalVersionedTextDocumentIdentifier { uri, version: None },
            edits: edits.into_iter().map(OneOf::Left).collect(),
        })
    });
    let renames = renames
        .into_iter()
        .map(|r| DocumentChangeOperation::Op(ResourceOp::Rename(r)));
    Some(WorkspaceEdit {
        document_changes: Some(DocumentChanges::Operations(edits.chain(renames).collect())),
        ..Default::default()
    })
}

/// The LSP range of a byte range of `text`, or `None` when an end falls between `\r` and `\n`:
/// LSP counts `\r\n` as one line break, so no position is there.
fn text_range(text: &str, span: std::ops::Range<usize>) -> Option<Range> {
    let splits = |at: usize| at > 0 && text[..at].ends_with('\r') && text[at..].starts_with('\n');
    if splits(span.start) || splits(span.end) {
        return None;
    }
    Some(Range::new(
        convert::position(text, span.start),
        convert::position(text, span.end),
    ))
}

/// `source.fixAll.ebguard`: the file's text after every safe fix, through the same rounds as
/// `check --fix` (`fix::run` on the editor's buffers), as one edit over the part that changes.
/// Only this file's text is taken: renames and executable bits have no place in a fix-on-save,
/// and other files get theirs when they are saved. Offered only when a finding of the file has
/// a safe fix, so most requests run no fix round at all.
fn fix_all(uri: &Url, published: &Published, text: &str, context: &Context) -> Option<CodeAction> {
    let fixable = published.findings.iter().any(|(f, _)| {
        f.fixes
            .iter()
            .any(|x| x.applicability == Applicability::Safe)
    });
    if !fixable {
        return None;
    }
    let path = uri.to_file_path().ok()?;
    let options = crate::Options {
        config: context.config.clone(),
        overlay: context.overlay.clone(),
        ..Default::default()
    };
    let run = crate::fix::run(std::slice::from_ref(&path), &options, false);
    let this = crate::bundle::normalize(&path);
    let fixed = run
        .workspace
        .changes()
        .find(|c| crate::bundle::normalize(Path::new(&c.path)) == this)?
        .text
        .clone()?;
    let edit = changed_part(text, &fixed)?;
    Some(CodeAction {
        title: "Apply every safe ebguard fix in this file".into(),
        kind: Some(FIX_ALL),
        edit: Some(WorkspaceEdit {
            changes: Some(HashMap::from([(uri.clone(), vec![edit])])),
            ..Default::default()
        }),
        ..Default::default()
    })
}

/// One edit that turns `old` into `new`: the span between their common prefix and suffix (so
/// an editor keeps the cursor and folds elsewhere). `None` when they are equal.
fn changed_part(old: &str, new: &str) -> Option<TextEdit> {
    if old == new {
        return None;
    }
    let mut start = old
        .bytes()
        .zip(new.bytes())
        .take_while(|(a, b)| a == b)
        .count();
    while !old.is_char_boundary(start) || !new.is_char_boundary(start) {
        start -= 1;
    }
    let max = old.len().min(new.len()) - start;
    let mut common = old
        .bytes()
        .rev()
        .zip(new.bytes().rev())
        .take(max)
        .take_while(|(a, b)| a == b)
        .count();
    while !old.is_char_boundary(old.len() - common) || !new.is_char_boundary(new.len() - common) {
        common -= 1;
    }
    // Keep `\r\n` whole at both ends: LSP has no position between the two.
    let (mut start, mut old_end, mut new_end) = (start, old.len() - common, new.len() - common);
    if start > 0 && old[..start].ends_with('\r') {
        start -= 1;
    }
    if old[old_end..].starts_with('\n') && old[..old_end].ends_with('\r') {
        old_end += 1;
        new_end += 1;
    }
    Some(TextEdit::new(
        Range::new(
            convert::position(old, start),
            convert::position(old, old_end),
        ),
        new[start..new_end].to_string(),
    ))
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
    context: &Context,
) -> bool {
    let Ok(path) = uri.to_file_path() else {
        return false;
    };
    let mut overlay = context.overlay.clone();
    overlay.insert(&path, edited.to_string());
    let options = crate::Options {
        config: context.config.clone(),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bundle::BundleRoot;
    use crate::source::SourceFile;

    const PATH: &str = "/ebguard-test/app/.ebextensions/01.yml";

    fn setup(text: &str, rename_files: bool) -> (SourceFile, Published, Context) {
        let source = SourceFile::new(PATH.into(), text.into());
        let published = Published {
            root: BundleRoot {
                dir: PathBuf::from("/ebguard-test/app"),
                display: "/ebguard-test/app".into(),
                enclosing: None,
            },
            findings: Vec::new(),
            checked: HashMap::from([(PATH.to_string(), convert::fingerprint(text))]),
        };
        let mut overlay = Overlay::default();
        overlay.insert(Path::new(PATH), text.into());
        let context = Context {
            config: None,
            overlay,
            rename_files,
        };
        (source, published, context)
    }

    #[test]
    fn renames_need_a_client_that_renames_and_text_edits_come_first() {
        let text = "option_settings: {}\n";
        let renamed = "/ebguard-test/app/.ebextensions/01.config";
        for rename_files in [true, false] {
            let (source, published, context) = setup(text, rename_files);
            let fix = Fix::unsafe_(
                "rename",
                vec![
                    Edit::Rename {
                        from: PATH.into(),
                        to: renamed.into(),
                    },
                    Edit::Replace {
                        at: source.location(0..0),
                        text: "# x\n".into(),
                    },
                ],
            );
            let edit = fix_edit(&fix, &published, &context);
            if !rename_files {
                assert_eq!(edit, None);
                continue;
            }
            let Some(DocumentChanges::Operations(ops)) = edit.unwrap().document_changes else {
                panic!("a rename needs documentChanges");
            };
            let uri = convert::uri(PATH).unwrap();
            assert!(
                matches!(&ops[0], DocumentChangeOperation::Edit(e) if e.text_document.uri == uri)
            );
            assert!(
                matches!(&ops[1], DocumentChangeOperation::Op(ResourceOp::Rename(r))
                if r.old_uri == uri && r.new_uri == convert::uri(renamed).unwrap())
            );
        }
    }

    #[test]
    fn fixes_lsp_cannot_carry_whole_are_left_out() {
        let text = "#!/bin/sh\r\necho hi\r\n";
        let (source, published, context) = setup(text, true);
        let chmod = Fix::safe(
            "make it executable",
            vec![Edit::MakeExecutable {
                path: PATH.into(),
                git: true,
            }],
        );
        assert_eq!(fix_edit(&chmod, &published, &context), None);
        // Deleting only the `\r` of `\r\n`: LSP has no position between the two.
        let cr = Fix::safe(
            "drop the carriage return",
            vec![Edit::Replace {
                at: source.location(9..10),
                text: String::new(),
            }],
        );
        assert_eq!(fix_edit(&cr, &published, &context), None);
        let whole = Fix::safe(
            "LF line break",
            vec![Edit::Replace {
                at: source.location(9..11),
                text: "\n".into(),
            }],
        );
        let edit = fix_edit(&whole, &published, &context).unwrap();
        let edits = &edit.changes.unwrap()[&convert::uri(PATH).unwrap()];
        assert_eq!(
            edits[0].range,
            Range::new(Position::new(0, 9), Position::new(1, 0))
        );
    }

    #[test]
    fn fix_all_edits_only_the_part_that_changes() {
        let edit = changed_part("a: \"true\"\nb: 1\n", "a: true\nb: 1\n").unwrap();
        assert_eq!(
            (edit.range, edit.new_text.as_str()),
            (Range::new(Position::new(0, 3), Position::new(0, 9)), "true")
        );
        // Code points that share leading bytes are not split; columns are UTF-16 units.
        let edit = changed_part("😀é: x\n", "😀è: x\n").unwrap();
        assert_eq!(
            (edit.range, edit.new_text.as_str()),
            (Range::new(Position::new(0, 2), Position::new(0, 3)), "è")
        );
        // CRLF to LF keeps `\r\n` whole.
        let edit = changed_part("a\r\nb\r\n", "a\nb\r\n").unwrap();
        assert_eq!(
            (edit.range, edit.new_text.as_str()),
            (Range::new(Position::new(0, 1), Position::new(1, 0)), "\n")
        );
        assert_eq!(changed_part("same", "same"), None);
    }
}
