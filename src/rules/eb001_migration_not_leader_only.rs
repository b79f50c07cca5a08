//! EB001 migration-not-leader-only: a container command applies migrations on every instance.

use super::common::{migrations, via_related};
use super::{Rule, Settings};
use crate::finding::{Finding, Severity};
use crate::model::{Bundle, LeaderOnly, Located};
use crate::shell::Guard;

pub static RULE: Rule = Rule {
    id: "EB001",
    name: "migration-not-leader-only",
    severity: Severity::Error,
    summary: "A container command applies database migrations without `leader_only: true`",
    doc: include_str!("../../rules/EB001-migration-not-leader-only.md"),
    check,
};

fn check(bundle: &Bundle, settings: &Settings, out: &mut Vec<Finding>) {
    for (file, cmd) in bundle.container_commands() {
        // EB010 reports a `leader_only` that is not a boolean; guessing here would double-report.
        if matches!(
            cmd.leader_only(file),
            LeaderOnly::True | LeaderOnly::Ambiguous
        ) {
            continue;
        }
        let Some(call) = migrations(bundle, file, cmd, settings)
            .into_iter()
            .find(|m| m.guard == Guard::None)
        else {
            continue;
        };
        // EB runs container commands on every instance of a deployment batch at once, and
        // again on each instance launched by scaling (eb-facts §2.1, §7 #10).
        let mut finding = Finding::new(
            &RULE,
            file.location(file.node(cmd.key).span()),
            format!(
                "container command `{}` applies {} migrations on every instance at once",
                cmd.name, call.tool
            ),
        )
        .label("runs on every instance, concurrently")
        .help("wrap it as `ebguard migrate -- <command>` (a database lock, safe on any instance), or add `leader_only: true`");
        for (at, label) in via_related(bundle, &call) {
            finding = finding.related(at, label);
        }
        if let Some((key, _)) = cmd.entry("leader_only") {
            finding = finding.related(
                file.location(file.node(key).span()),
                "`leader_only` is false here",
            );
        }
        out.push(finding);
    }
}
