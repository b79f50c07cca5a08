//! `--format text`: rustc-style code frames (annotate-snippets, what rustc and cargo use).
//! Rendered styled; the caller prints through `anstream`, which strips colour when the
//! output is not a terminal or `NO_COLOR` is set.

use annotate_snippets::{AnnotationKind, Group, Level, Origin, Renderer, Snippet};

use super::{fix_notes, fixable_hint, plural, sorted, Sources, Summary};
use crate::finding::{Finding, Severity};
use crate::source::Location;
use crate::Outcome;

fn level(severity: Severity) -> Level<'static> {
    match severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
        Severity::Info => Level::INFO,
    }
}

/// A snippet of `location`'s file with one annotation, or just the path when the file has no
/// text to show (unreadable, binary).
fn frame<'a>(
    sources: &Sources<'a>,
    location: &'a Location,
    kind: AnnotationKind,
    label: &'a str,
) -> annotate_snippets::Element<'a> {
    match sources.get(&location.path).filter(|s| !s.text.is_empty()) {
        Some(source) => Snippet::source(source.text.as_str())
            .path(location.path.as_str())
            .annotation(kind.span(location.span.clone()).label(label))
            .into(),
        None => Origin::path(location.path.as_str())
            .line(location.start.line)
            .char_column(location.start.column)
            .into(),
    }
}

fn group<'a>(sources: &Sources<'a>, f: &'a Finding) -> Group<'a> {
    let mut title = level(f.severity)
        .primary_title(f.message.as_str())
        .id(f.rule.id)
        .element(frame(
            sources,
            &f.location,
            AnnotationKind::Primary,
            f.label.as_str(),
        ));
    for related in &f.related {
        title = title.element(frame(
            sources,
            &related.location,
            AnnotationKind::Context,
            related.label.as_str(),
        ));
    }
    if !f.help.is_empty() {
        title = title.element(Level::HELP.message(f.help.as_str()));
    }
    for (name, message) in fix_notes(f) {
        title = title.element(Level::HELP.with_name(name).message(message));
    }
    title.element(Level::NOTE.message(format!(
        "{}: see `ebguard explain {}`",
        f.rule.name, f.rule.id
    )))
}

pub fn render(outcome: &Outcome) -> String {
    render_with(outcome, true)
}

/// `render`, with the closing summary line or without it (`--quiet`).
pub fn render_with(outcome: &Outcome, summary: bool) -> String {
    let renderer = Renderer::styled();
    let mut out = String::new();
    for error in &outcome.input_errors {
        out.push_str(&renderer.render(&[Group::with_title(
            Level::ERROR.primary_title(error.as_str()),
        )]));
        out.push_str("\n\n");
    }
    let sources = Sources::new(outcome);
    for finding in sorted(&outcome.findings) {
        out.push_str(&renderer.render(&[group(&sources, finding)]));
        out.push_str("\n\n");
    }
    if !summary {
        return out;
    }
    let s = Summary::of(outcome);
    out.push_str(&format!(
        "ebguard: {}, {}, {} info in {} ({})\n",
        plural(s.errors, "error"),
        plural(s.warnings, "warning"),
        s.infos,
        plural(s.bundles, "bundle"),
        plural(s.files, "file"),
    ));
    if let Some(hint) = fixable_hint(&outcome.findings) {
        out.push_str(&format!("ebguard: {hint}\n"));
    }
    out
}
