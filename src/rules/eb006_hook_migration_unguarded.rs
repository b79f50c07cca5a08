//! EB006 hook-migration-unguarded: a platform hook migrates on every instance.

use super::common::script_migrations;
use super::{Rule, Settings};
use crate::finding::{Finding, Severity};
use crate::model::{Bundle, Located};
use crate::shell::Guard;

pub static RULE: Rule = Rule {
    id: "EB006",
    name: "hook-migration-unguarded",
    severity: Severity::Error,
    summary: "A platform hook applies migrations with no cross-instance guard",
    doc: include_str!("../../rules/EB006-hook-migration-unguarded.md"),
    check,
};

fn check(bundle: &Bundle, settings: &Settings, out: &mut Vec<Finding>) {
    for hook in &bundle.hooks {
        let Some(script) = hook.script() else {
            continue;
        };
        // Hooks run on every instance with no leader option (eb-facts §6.1). A hook gated on
        // EB_IS_COMMAND_LEADER is EB011's finding, not this one.
        for call in script_migrations(settings, script) {
            if call.guard != Guard::None {
                continue;
            }
            out.push(
                Finding::new(
                    &RULE,
                    hook.location(call.range.clone()),
                    format!("this hook applies {} migrations on every instance at once, with no lock", call.tool),
                )
                .label("runs on every instance, concurrently")
                .help("run it as `ebguard migrate -- <command>`, which takes a database lock so one instance migrates at a time"),
            );
        }
    }
}
