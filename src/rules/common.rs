//! Questions several rules ask of commands, answered once.

use std::ops::Range;

use crate::model::{Bundle, Command, ConfigFile, Hook, LeaderOnly, Located};
use crate::shell::MigrationCall;
use crate::source::Location;
use crate::yaml::NodeRef;

use super::Settings;

/// A span-tree edit of `file` as a fix edit.
pub fn text_edit(file: &impl Located, edit: crate::yaml::edit::TextEdit) -> crate::finding::Edit {
    crate::finding::Edit::Replace {
        at: file.location(edit.span),
        text: edit.text,
    }
}

/// The migrations a hook script applies, following the files it runs; analysed once per bundle
/// whichever rule asks first (the model caches it).
pub fn hook_migrations(bundle: &Bundle, hook: &Hook, settings: &Settings) -> Vec<MigrationCall> {
    bundle
        .hook_analysis(hook, &settings.recognizer)
        .map(|a| a.migrations.clone())
        .unwrap_or_default()
}

/// Related locations for a migration found inside other files of the bundle: where the
/// migration is, then (when the chain is longer) the first file followed.
pub fn via_related(bundle: &Bundle, call: &MigrationCall) -> Vec<(Location, String)> {
    let mut out = Vec::new();
    if let Some(last) = call.via.last() {
        if let Some(at) = bundle.file_location(&last.path, last.range.clone()) {
            out.push((at, format!("applies {} migrations here", call.tool)));
        }
    }
    if call.via.len() > 1 {
        let first = &call.via[0];
        if let Some(at) = bundle.file_location(&first.path, first.range.clone()) {
            out.push((at, "through this command".to_string()));
        }
    }
    out
}

/// Container commands that run only on a deployment's leader (`leader_only: true`), with the
/// location of their `leader_only` key: what EB007 and EB009 point at.
pub fn leader_only_commands(
    bundle: &Bundle,
) -> impl Iterator<Item = (&ConfigFile, &Command, Location)> {
    bundle.container_commands().filter_map(|(file, cmd)| {
        if cmd.leader_only(file) != LeaderOnly::True {
            return None;
        }
        let (key, _) = cmd.entry("leader_only")?;
        Some((file, cmd, file.location(file.node(key).span())))
    })
}

/// Where `command:` applies migrations, following the files it runs (see
/// [`Bundle::command_analysis`]).
pub fn migrations(
    bundle: &Bundle,
    file: &ConfigFile,
    cmd: &Command,
    settings: &Settings,
) -> Vec<MigrationCall> {
    bundle
        .command_analysis(file, cmd, &settings.recognizer)
        .migrations
        .clone()
}

/// The hooks EB runs: files directly in a phase folder of `.platform/hooks` or
/// `.platform/confighooks`. Files elsewhere are EB203's; checking their mode or content too
/// would report one misplaced file several times.
pub fn runnable_hooks(bundle: &Bundle) -> impl Iterator<Item = &Hook> {
    bundle
        .hooks
        .iter()
        .filter(|h| h.kind.is_some() && h.phase.is_some())
}

/// The hook's first line, where findings about the whole script point.
pub fn hook_first_line(hook: &Hook) -> Range<usize> {
    hook.source.lines.line_span(&hook.source.text, 1)
}

/// A CloudFormation function object, `{"Ref": ...}` or `{"Fn::...": ...}`, which EB evaluates
/// wherever a value is expected (eb-facts §1.6), or the same written with a short-form tag.
pub fn is_cfn_function(node: NodeRef<'_>) -> bool {
    if node.tag().is_some_and(|t| t.starts_with('!')) {
        return true;
    }
    match node.entries().as_slice() {
        [(key, _)] => key
            .as_str()
            .is_some_and(|k| k == "Ref" || k.starts_with("Fn::")),
        _ => false,
    }
}

/// The candidate closest to `word` when it is plausibly a misspelling of it: same letters
/// ignoring case and `-`/`_`, or at most two edits away (one for short words).
pub fn did_you_mean<'c>(word: &str, candidates: &[&'c str]) -> Option<&'c str> {
    let fold = |s: &str| -> String {
        s.chars()
            .filter(|c| *c != '_' && *c != '-')
            .flat_map(char::to_lowercase)
            .collect()
    };
    let folded = fold(word);
    let budget = if folded.chars().count() <= 4 { 1 } else { 2 };
    candidates
        .iter()
        .map(|c| (edit_distance(&folded, &fold(c)), *c))
        .filter(|(d, _)| *d <= budget)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Levenshtein distance over chars; inputs here are short keys.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let next = (prev + usize::from(ca != *cb))
                .min(row[j] + 1)
                .min(row[j + 1] + 1);
            prev = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn did_you_mean_finds_spelling_variants() {
        let keys = ["command", "leader_only", "ignoreErrors", "cwd", "test"];
        assert_eq!(did_you_mean("leaderOnly", &keys), Some("leader_only"));
        assert_eq!(did_you_mean("leader-only", &keys), Some("leader_only"));
        assert_eq!(did_you_mean("ignore_errors", &keys), Some("ignoreErrors"));
        assert_eq!(did_you_mean("comand", &keys), Some("command"));
        assert_eq!(did_you_mean("timeout", &keys), None);
        assert_eq!(did_you_mean("xyz", &keys), None);
    }
}
