//! Questions several rules ask of commands, answered once.

use crate::model::{Command, ConfigFile};
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
