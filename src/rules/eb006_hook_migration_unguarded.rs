//! EB006 hook-migration-unguarded: a platform hook migrates on every instance.

use super::common::{hook_migrations, via_related};
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
        // Hooks run on every instance with no leader option (eb-facts §6.1). A hook gated on
        // EB_IS_COMMAND_LEADER is EB011's finding, not this one.
        for call in hook_migrations(bundle, hook, settings) {
            if call.guard != Guard::None {
                continue;
            }
            let mut finding = Finding::new(
                    &RULE,
                    hook.location(call.range.clone()),
                    format!("this hook applies {} migrations on every instance at once, with no lock", call.tool),
                )
                .label("runs on every instance, concurrently")
                .help("run it as `ebguard migrate -- <command>`, which takes a database lock so one instance migrates at a time");
            for (at, label) in via_related(bundle, &call) {
                finding = finding.related(at, label);
            }
            out.push(finding);
        }
    }
}
