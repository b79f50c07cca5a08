//! Questions several rules ask of commands, answered once.

use std::cell::RefCell;
use std::collections::HashMap;
use std::ops::Range;

use crate::model::{Bundle, Command, ConfigFile, Hook, HookPhase, Located};
use crate::shell::MigrationCall;
use crate::source::Location;
use crate::yaml::NodeRef;

use super::Settings;

thread_local! {
    /// Scripts already analysed for the bundle being checked. Several rules ask about the same
    /// command or hook, and parsing shell is the costliest step of a check (bench/run.sh), so
    /// each script is parsed once per bundle. Cleared by [`forget_scripts`] around each bundle,
    /// which also keeps the answers tied to that run's `Settings`.
    static ANALYSED: RefCell<HashMap<String, Vec<MigrationCall>>> = RefCell::new(HashMap::new());
}

/// The migrations a script applies, parsed once per bundle whichever rule asks first.
pub fn script_migrations(settings: &Settings, script: &str) -> Vec<MigrationCall> {
    if let Some(calls) = ANALYSED.with(|seen| seen.borrow().get(script).cloned()) {
        return calls;
    }
    let calls = settings.recognizer.find_migrations(script);
    ANALYSED.with(|seen| seen.borrow_mut().insert(script.to_string(), calls.clone()));
    calls
}

pub(super) fn forget_scripts() {
    ANALYSED.with(|seen| seen.borrow_mut().clear());
}

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

/// Container commands that run only on a deployment's leader (`leader_only: true`), with the
/// location of their `leader_only` key: what EB007 and EB009 point at.
pub fn leader_only_commands(
    bundle: &Bundle,
) -> impl Iterator<Item = (&ConfigFile, &Command, Location)> {
    bundle.container_commands().filter_map(|(file, cmd)| {
        if leader_only(file, cmd) != LeaderOnly::True {
            return None;
        }
        let (key, _) = cmd.entry("leader_only")?;
        Some((file, cmd, file.location(file.node(key).span())))
    })
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
        return script_migrations(settings, script);
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

/// The runnable hooks plus the helper scripts they source from subfolders of a phase folder
/// (`.platform/hooks/predeploy/lib/common.sh`): a helper's content breaks its hook as surely.
pub fn hook_scripts(bundle: &Bundle) -> impl Iterator<Item = &Hook> {
    bundle.hooks.iter().filter(|h| {
        h.kind.is_some()
            && (h.phase.is_some()
                || h.rel_path
                    .split('/')
                    .nth(2)
                    .and_then(HookPhase::from_dir)
                    .is_some())
    })
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

/// The integer a scalar option value holds (`'0'`, `600`), if any.
pub fn integer_value(value: Option<&str>) -> Option<i64> {
    value?.trim().parse().ok()
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

    #[test]
    fn integer_values_parse_trimmed() {
        assert_eq!(integer_value(Some(" 0 ")), Some(0));
        assert_eq!(integer_value(Some("600")), Some(600));
        assert_eq!(integer_value(Some("ten")), None);
        assert_eq!(integer_value(None), None);
    }
}
