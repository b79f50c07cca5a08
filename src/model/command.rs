//! Entries of `commands:` and `container_commands:` (eb-facts §2).

use super::ConfigFile;
use crate::yaml::{NodeId, NodeRef};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CommandSection {
    /// `commands:` run before the bundle is extracted, on every instance (eb-facts §2.1).
    Commands,
    /// `container_commands:` run in the staging directory after the build (eb-facts §2.1).
    ContainerCommands,
}

impl CommandSection {
    pub fn key(self) -> &'static str {
        match self {
            CommandSection::Commands => "commands",
            CommandSection::ContainerCommands => "container_commands",
        }
    }

    /// The per-command keys EB documents for this section, plus the two cfn-init attributes it
    /// honours without documenting them (`runas`, `defaults`; eb-facts §2.2).
    pub fn known_keys(self) -> &'static [&'static str] {
        const CONTAINER_COMMAND_KEYS: [&str; 9] = [
            "command",
            "env",
            "cwd",
            "test",
            "ignoreErrors",
            "waitAfterCompletion",
            "runas",
            "defaults",
            // Last, so `commands` can share the list without it.
            "leader_only",
        ];
        match self {
            CommandSection::Commands => &CONTAINER_COMMAND_KEYS[..8],
            CommandSection::ContainerCommands => &CONTAINER_COMMAND_KEYS,
        }
    }
}

pub(super) fn section_named(name: &str) -> Option<CommandSection> {
    match name {
        "commands" => Some(CommandSection::Commands),
        "container_commands" => Some(CommandSection::ContainerCommands),
        _ => None,
    }
}

/// One named command.
#[derive(Clone, Debug)]
pub struct Command {
    pub section: CommandSection,
    pub name: String,
    /// The command's name key, where findings about the whole command point.
    pub key: NodeId,
    pub body: NodeId,
    /// Every key of the body as written: (name, key node, value node).
    pub keys: Vec<(String, NodeId, NodeId)>,
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

/// cfn-init's `interpret_boolean`: `true`, `yes`, `y`, `1` in any case (eb-facts §2.2).
pub fn cfn_truthy(node: NodeRef<'_>) -> bool {
    node.as_str()
        .is_some_and(|v| matches!(v.to_ascii_lowercase().as_str(), "true" | "yes" | "y" | "1"))
}

impl Command {
    /// How `leader_only` reads on this command. It means something only under
    /// `container_commands` (eb-facts §2.2); under `commands` it is always `Absent`.
    pub fn leader_only(&self, file: &ConfigFile) -> LeaderOnly {
        if self.section == CommandSection::Commands {
            return LeaderOnly::Absent;
        }
        match self.value("leader_only").map(|id| file.node(id).as_bool()) {
            None => LeaderOnly::Absent,
            Some(Some(true)) => LeaderOnly::True,
            Some(Some(false)) => LeaderOnly::False,
            Some(None) => LeaderOnly::Ambiguous,
        }
    }

    /// Whether `ignoreErrors` is set with cfn-init's truthiness (eb-facts §2.2).
    pub fn ignores_errors(&self, file: &ConfigFile) -> bool {
        self.value("ignoreErrors")
            .is_some_and(|id| cfn_truthy(file.node(id)))
    }

    /// The value node of one of the command's keys.
    pub fn value(&self, key: &str) -> Option<NodeId> {
        self.entry(key).map(|(_, v)| v)
    }

    /// The key and value nodes of one of the command's keys.
    pub fn entry(&self, key: &str) -> Option<(NodeId, NodeId)> {
        self.keys
            .iter()
            .find(|(name, _, _)| name == key)
            .map(|(_, k, v)| (*k, *v))
    }
}

pub(super) fn read(section: CommandSection, value: NodeRef<'_>) -> Vec<Command> {
    value
        .entries()
        .into_iter()
        .filter_map(|(name, body)| {
            let keys = body
                .entries()
                .into_iter()
                .filter_map(|(k, v)| Some((k.as_str()?.to_string(), k.id(), v.id())))
                .collect();
            Some(Command {
                section,
                name: name.as_str()?.to_string(),
                key: name.id(),
                body: body.id(),
                keys,
            })
        })
        .collect()
}
