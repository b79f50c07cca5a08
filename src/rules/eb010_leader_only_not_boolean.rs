//! EB010 leader-only-not-boolean: `leader_only` written as something other than a boolean.

use super::{Rule, Settings};
use crate::finding::{Finding, Severity};
use crate::model::{Bundle, LeaderOnly, Located};

pub static RULE: Rule = Rule {
    id: "EB010",
    name: "leader-only-not-boolean",
    severity: Severity::Warning,
    summary: "`leader_only` is a string, number or YAML 1.1 word instead of `true`/`false`",
    doc: include_str!("../../rules/EB010-leader-only-not-boolean.md"),
    check,
};

fn check(bundle: &Bundle, _: &Settings, out: &mut Vec<Finding>) {
    for (file, cmd) in bundle.container_commands() {
        if cmd.leader_only(file) != LeaderOnly::Ambiguous {
            continue;
        }
        let Some(value) = cmd.value("leader_only") else {
            continue;
        };
        let node = file.node(value);
        let written = &file.source.text[node.span()];
        // EB documents a boolean; how its loader reads `"true"`, `yes` or `1` is not documented
        // (eb-facts open question 3), so the command may run on every instance.
        out.push(
            Finding::new(
                &RULE,
                file.location(node.span()),
                format!("`leader_only: {written}` on `{}` is not a boolean; EB may not treat the command as leader-only", cmd.name),
            )
            .label("not a YAML/JSON boolean")
            .help("write `leader_only: true` (unquoted)"),
        );
    }
}
