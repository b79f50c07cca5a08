//! EB011 hook-relies-on-leader-variable: a hook gates work on `EB_IS_COMMAND_LEADER`.

use super::{Rule, Settings};
use crate::finding::{Finding, Severity};
use crate::model::{Bundle, Located};
use crate::shell::leader_variable_uses;

pub static RULE: Rule = Rule {
    id: "EB011",
    name: "hook-relies-on-leader-variable",
    severity: Severity::Warning,
    summary: "A hook relies on `EB_IS_COMMAND_LEADER`, undocumented on Amazon Linux 2/2023 and unset on scaled instances",
    doc: include_str!("../../rules/EB011-hook-relies-on-leader-variable.md"),
    check,
};

fn check(bundle: &Bundle, _: &Settings, out: &mut Vec<Finding>) {
    for hook in &bundle.hooks {
        let Some(script) = hook.script() else {
            continue;
        };
        // One finding per hook, at the first use: the problem is the design, not each line.
        let Some(first) = leader_variable_uses(script).into_iter().next() else {
            continue;
        };
        // EB documents only env properties, HOME, PATH and PORT for hooks; the variable is set
        // during app deployments in practice, never on instances launched by scaling
        // (eb-facts §4.4).
        out.push(
            Finding::new(
                &RULE,
                hook.location(first),
                "this hook relies on EB_IS_COMMAND_LEADER, which EB does not document for hooks and does not set on instances launched by scaling or on configuration deployments",
            )
            .label("unset on scaled instances: treat as unknown")
            .help("take a database lock instead: `ebguard migrate -- <command>` runs safely on every instance"),
        );
    }
}
