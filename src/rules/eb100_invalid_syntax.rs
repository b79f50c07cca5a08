//! EB100 invalid-syntax: a file EB cannot read as configuration (or a hook it cannot read).

use super::{Rule, Settings};
use crate::finding::{Finding, Severity};
use crate::model::{Bundle, HookContent, Located};

pub static RULE: Rule = Rule {
    id: "EB100",
    name: "invalid-syntax",
    severity: Severity::Error,
    summary: "A `.config` file is not a valid YAML/JSON mapping, or a bundle file cannot be read",
    doc: include_str!("../../rules/EB100-invalid-syntax.md"),
    check,
};

fn check(bundle: &Bundle, _: &Settings, out: &mut Vec<Finding>) {
    for file in &bundle.configs {
        let Some(problem) = &file.problem else {
            continue;
        };
        // EB rejects a file it cannot parse: on a new environment the launch fails, otherwise
        // the file's settings and commands are lost (eb-facts §1.1, §7 #7).
        let mut finding = Finding::new(
            &RULE,
            file.location(problem.span.clone()),
            problem.message.clone(),
        );
        finding = if problem.empty {
            // Real projects deploy with empty placeholder files, and EB's reaction to them is
            // undocumented: worth a look, not a failed check.
            finding.severity = Severity::Warning;
            finding
                .label("no configuration")
                .help("delete the file, or add the configuration it was meant to hold")
        } else {
            finding
                .label("EB cannot read this file")
                .help("make it one UTF-8 YAML (indented with spaces) or JSON mapping of configuration keys, or remove it from `.ebextensions/`")
        };
        out.push(finding);
    }
    for hook in &bundle.hooks {
        // Hooks belong here too: an unreadable hook is a file EB cannot use, and the hook rules
        // (EB200-EB203) need its content or mode to say anything.
        let HookContent::Unreadable(reason) = &hook.content else {
            continue;
        };
        out.push(
            Finding::new(&RULE, hook.location(0..0), format!("EB cannot use this hook: {reason}"))
                .label("unreadable")
                .help("replace it with a regular, readable file; EB ships only regular files in the bundle"),
        );
    }
}
