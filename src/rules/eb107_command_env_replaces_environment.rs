//! EB107 command-env-replaces-environment: `env:` on a command drops PATH and every
//! environment property.

use super::{Rule, Settings};
use crate::finding::{Finding, Severity};
use crate::model::{Bundle, Located};

pub static RULE: Rule = Rule {
    id: "EB107",
    name: "command-env-replaces-environment",
    severity: Severity::Info,
    summary: "`env:` on a command replaces its whole environment, PATH included",
    doc: include_str!("../../rules/EB107-command-env-replaces-environment.md"),
    check,
};

fn check(bundle: &Bundle, _: &Settings, out: &mut Vec<Finding>) {
    for (file, cmd) in bundle.commands() {
        let Some((key, value)) = cmd.entry("env") else {
            continue;
        };
        let env = file.node(value);
        // EB105 reports an `env` that is not a mapping. One that sets PATH shows the author
        // knows the environment is replaced.
        if !env.is_mapping() || env.get("PATH").is_some() {
            continue;
        }
        // cfn-init passes `env` as the entire environment of the process (eb-facts §2.2, §7 #19).
        out.push(
            Finding::new(
                &RULE,
                file.location(file.node(key).span()),
                format!(
                    "`env` replaces the whole environment of `{}`: PATH and the environment properties are not set",
                    cmd.name
                ),
            )
            .label("the only variables the command gets")
            .help("add `PATH: /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin` to `env`, or set the variables inside `command` (`FOO=bar ./run`)"),
        );
    }
}
