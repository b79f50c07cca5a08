//! EB005 migration-in-commands: a migration under `commands:`.

use super::common::{migrations, via_related};
use super::{Rule, Settings};
use crate::finding::{Finding, Severity};
use crate::model::{Bundle, CommandSection, Located};
use crate::shell::Guard;

pub static RULE: Rule = Rule {
    id: "EB005",
    name: "migration-in-commands",
    severity: Severity::Error,
    summary:
        "A migration runs under `commands:`, before the new bundle is extracted, on every instance",
    doc: include_str!("../../rules/EB005-migration-in-commands.md"),
    check,
};

fn check(bundle: &Bundle, settings: &Settings, out: &mut Vec<Finding>) {
    for (file, cmd) in bundle.commands() {
        if cmd.section != CommandSection::Commands {
            continue;
        }
        let Some(call) = migrations(bundle, file, cmd, settings).into_iter().next() else {
            continue;
        };
        // `commands` run before StageApplication unzips the new version (eb-facts §2.1, §6.3),
        // so they migrate with the old code, on every instance, with no leader option.
        let guarded = call.guard == Guard::EbguardMigrate;
        let message = if guarded {
            format!("`{}` applies {} migrations under `commands:`, which run before the new application version is extracted", cmd.name, call.tool)
        } else {
            format!("`{}` applies {} migrations under `commands:`, which run on every instance before the new application version is extracted", cmd.name, call.tool)
        };
        let mut finding = Finding::new(&RULE, file.location(file.node(cmd.key).span()), message)
            .label("runs before the new code is staged")
            .help("move it to `container_commands` (run from the staging directory) as `ebguard migrate -- <command>`, or to `.platform/hooks/predeploy/`");
        for (at, label) in via_related(bundle, &call) {
            finding = finding.related(at, label);
        }
        out.push(finding);
    }
}
