//! EB008 migration-ignore-errors: a failed migration would not fail the deployment.

use super::common::{migrations, via_related};
use super::{Rule, Settings};
use crate::finding::{Finding, Severity};
use crate::model::{cfn_truthy, Bundle, Located};

pub static RULE: Rule = Rule {
    id: "EB008",
    name: "migration-ignore-errors",
    severity: Severity::Warning,
    summary: "A migration command has `ignoreErrors: true`, so a failed migration still deploys",
    doc: include_str!("../../rules/EB008-migration-ignore-errors.md"),
    check,
};

fn check(bundle: &Bundle, settings: &Settings, out: &mut Vec<Finding>) {
    for (file, cmd) in bundle.commands() {
        // cfn-init reads ignoreErrors with its own truthiness: true/yes/y/1 (eb-facts §2.2).
        let Some((_, value)) = cmd
            .entry("ignoreErrors")
            .filter(|(_, v)| cfn_truthy(file.node(*v)))
        else {
            continue;
        };
        let Some(call) = migrations(bundle, file, cmd, settings).into_iter().next() else {
            continue;
        };
        let mut finding = Finding::new(
                &RULE,
                file.location(file.node(value).span()),
                format!(
                    "`{}` ignores errors from {} migrations: a failed migration lets the new code go live against the old schema",
                    cmd.name, call.tool
                ),
            )
            .label("migration failures are ignored")
            .related(file.location(file.node(cmd.key).span()), "this command applies migrations")
            .help("remove `ignoreErrors` so a failed migration stops the deployment");
        for (at, label) in via_related(bundle, &call) {
            finding = finding.related(at, label);
        }
        out.push(finding);
    }
}
