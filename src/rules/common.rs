//! Questions several rules ask of commands, answered once.

use std::ops::Range;

use crate::model::{Bundle, Command, ConfigFile, Hook};
use crate::shell::MigrationCall;
use crate::yaml::NodeRef;

use super::Settings;

/// How a container command's `leader_only` reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LeaderOnly {
    Absent,
    True,
    False,
    /// Not a YAML/JSON boolean (`"true"`, `yes`, `1`, ...): EB's reading is undocumented
    /// (eb-facts open question 3), so EB010 flags it and other rules do not guess.
    Ambiguous,
}

pub fn leader_only(file: &ConfigFile, cmd: &Command) -> LeaderOnly {
    match cmd.value("leader_only").map(|id| file.node(id).as_bool()) {
        None => LeaderOnly::Absent,
        Some(Some(true)) => LeaderOnly::True,
        Some(Some(false)) => LeaderOnly::False,
        Some(None) => LeaderOnly::Ambiguous,
    }
}

/// cfn-init's `interpret_boolean`: `true`, `yes`, `y`, `1` in any case (eb-facts §2.2).
pub fn cfn_truthy(node: NodeRef<'_>) -> bool {
    node.as_str()
        .is_some_and(|v| matches!(v.to_ascii_lowercase().as_str(), "true" | "yes" | "y" | "1"))
}

/// Where `command:` applies migrations. A string runs through `/bin/sh`; a list is an argv
/// run without a shell (eb-facts §2.2).
pub fn migrations(file: &ConfigFile, cmd: &Command, settings: &Settings) -> Vec<MigrationCall> {
    let Some(command) = cmd.value("command").map(|id| file.node(id)) else {
        return Vec::new();
    };
    if let Some(script) = command.as_str() {
        return settings.recognizer.find_migrations(script);
    }
    let argv: Option<Vec<&str>> = command.items().iter().map(|n| n.as_str()).collect();
    match argv {
        Some(argv) if command.is_sequence() => settings.recognizer.find_migrations_argv(&argv),
        _ => Vec::new(),
    }
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

/// The candidate nearest to `word` for a "did you mean" hint: the smallest edit distance
/// (ignoring ASCII case), accepted only when it is small against the word's length, so a typo
/// such as `container_command` or `option_setting` finds its key and an unrelated word gets no
/// suggestion. Ties go to the first candidate, so callers list the likelier keys first.
pub fn did_you_mean<'c>(word: &str, candidates: &[&'c str]) -> Option<&'c str> {
    let word = word.to_ascii_lowercase();
    let limit = (word.chars().count() / 3).clamp(1, 4);
    candidates
        .iter()
        .map(|&c| (edit_distance(&word, &c.to_ascii_lowercase()), c))
        .filter(|&(d, _)| d <= limit)
        .min_by_key(|&(d, _)| d)
        .map(|(_, c)| c)
}

/// Levenshtein distance over code points, in two rows of memory.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut row = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let substitute = prev[j] + usize::from(ca != cb);
            row[j + 1] = substitute.min(prev[j + 1] + 1).min(row[j] + 1);
        }
        std::mem::swap(&mut prev, &mut row);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEYS: &[&str] = &["option_settings", "commands", "container_commands", "files"];

    #[test]
    fn did_you_mean_finds_typos_and_case_slips() {
        assert_eq!(
            did_you_mean("container_command", KEYS),
            Some("container_commands")
        );
        assert_eq!(
            did_you_mean("option_setting", KEYS),
            Some("option_settings")
        );
        assert_eq!(did_you_mean("Commands", KEYS), Some("commands"));
        assert_eq!(did_you_mean("fils", KEYS), Some("files"));
    }

    #[test]
    fn did_you_mean_stays_quiet_for_unrelated_words() {
        assert_eq!(did_you_mean("Transform", KEYS), None);
        assert_eq!(did_you_mean("x", KEYS), None);
    }

    #[test]
    fn edit_distance_counts_insertions_deletions_substitutions() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("abc", "abc"), 0);
    }
}
