//! EB004 leader-only-with-test: `leader_only` and `test` on one command.

use super::{Rule, Settings};
use crate::finding::{Finding, Severity};
use crate::model::{Bundle, Located};

pub static RULE: Rule = Rule {
    id: "EB004",
    name: "leader-only-with-test",
    severity: Severity::Warning,
    summary: "A container command has both `leader_only` and `test`, whose precedence is disputed",
    doc: include_str!("../../rules/EB004-leader-only-with-test.md"),
    check,
};

fn check(bundle: &Bundle, _: &Settings, out: &mut Vec<Finding>) {
    for (file, cmd) in bundle.container_commands() {
        let (Some((leader, _)), Some((test, _))) = (cmd.entry("leader_only"), cmd.entry("test"))
        else {
            continue;
        };
        // AWS documents the two as mutually exclusive with leader_only winning; a public report
        // says the opposite (eb-facts §2.3): either way one of them is silently ignored.
        out.push(
            Finding::new(
                &RULE,
                file.location(file.node(test).span()),
                format!("`{}` sets both `leader_only` and `test`; EB documents them as mutually exclusive, so one is ignored", cmd.name),
            )
            .label("`test` may be ignored")
            .related(file.location(file.node(leader).span()), "`leader_only` set here")
            .help("move the condition into the command itself (`test -f x && ...`), or drop `leader_only` and guard with `ebguard migrate --`"),
        );
    }
}
