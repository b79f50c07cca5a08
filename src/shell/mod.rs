//! Placeholder recogniser, replaced by the tree-sitter based module on merge.
use std::ops::Range;

use regex::Regex;

pub struct MigrationCall {
    pub tool: &'static str,
    pub range: Range<usize>,
    pub guard: Guard,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Guard {
    None,
    EbguardMigrate,
    LeaderVariable,
}

#[derive(Clone, Debug, Default)]
pub struct Recognizer {
    extra: Vec<Regex>,
}

impl Recognizer {
    /// Adds `patterns` for in-house migration scripts; matches are reported as tool "custom".
    pub fn with_patterns(patterns: Vec<Regex>) -> Self {
        Recognizer { extra: patterns }
    }

    pub fn find_migrations(&self, script: &str) -> Vec<MigrationCall> {
        let guard = if script.contains("ebguard") {
            Guard::EbguardMigrate
        } else {
            Guard::None
        };
        let builtin = script
            .match_indices("manage.py migrate")
            .map(|(i, m)| (i..i + m.len(), "Django"));
        let custom = self
            .extra
            .iter()
            .flat_map(|re| re.find_iter(script).map(|m| (m.range(), "custom")));
        builtin
            .chain(custom)
            .map(|(range, tool)| MigrationCall { tool, range, guard })
            .collect()
    }
    pub fn find_migrations_argv(&self, argv: &[&str]) -> Vec<MigrationCall> {
        self.find_migrations(&argv.join(" "))
    }
}

pub fn leader_variable_uses(script: &str) -> Vec<Range<usize>> {
    script
        .match_indices("EB_IS_COMMAND_LEADER")
        .map(|(i, m)| i..i + m.len())
        .collect()
}
