//! Placeholder recogniser, replaced by the tree-sitter based module on merge.
use std::ops::Range;

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

#[derive(Debug, Default)]
pub struct Recognizer {}

impl Recognizer {
    pub fn find_migrations(&self, script: &str) -> Vec<MigrationCall> {
        let guard = if script.contains("ebguard") {
            Guard::EbguardMigrate
        } else {
            Guard::None
        };
        script
            .match_indices("manage.py migrate")
            .map(|(i, m)| MigrationCall {
                tool: "Django",
                range: i..i + m.len(),
                guard,
            })
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
