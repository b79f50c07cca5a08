//! EB105 invalid-command: `commands`/`container_commands` entries cfn-init cannot run.

use super::{Rule, Settings};
use crate::finding::{Finding, Severity};
use crate::model::{Bundle, ConfigFile, Located};
use crate::yaml::NodeRef;

pub static RULE: Rule = Rule {
    id: "EB105",
    name: "invalid-command",
    severity: Severity::Error,
    summary: "A `commands`/`container_commands` entry is malformed: no `command`, wrong types, `env` not a mapping",
    doc: include_str!("../../rules/EB105-invalid-command.md"),
    check,
};

fn check(bundle: &Bundle, _: &Settings, out: &mut Vec<Finding>) {
    for file in &bundle.configs {
        for section in &file.sections {
            if !matches!(section.name.as_str(), "commands" | "container_commands") {
                continue;
            }
            let value = file.node(section.value);
            if value.is_null() {
                continue;
            }
            if !value.is_mapping() {
                // cfn-init reads each section as a mapping of command names to commands
                // (eb-facts §2.2).
                out.push(finding(
                    file,
                    value,
                    format!(
                        "`{}` must be a mapping of command names to commands",
                        section.name
                    ),
                    "write each command as `01_name:` with `command: ...` under it",
                ));
                continue;
            }
            for (name, body) in value.entries() {
                entry(file, &section.name, name, body, out);
            }
        }
    }
}

fn finding(file: &ConfigFile, at: NodeRef<'_>, message: String, help: &str) -> Finding {
    Finding::new(&RULE, file.location(at.span()), message)
        .label("cfn-init cannot run this")
        .help(help)
}

fn entry(
    file: &ConfigFile,
    section: &str,
    name: NodeRef<'_>,
    body: NodeRef<'_>,
    out: &mut Vec<Finding>,
) {
    let label = name.as_str().unwrap_or("this command");
    if !body.is_mapping() {
        out.push(finding(
            file,
            body,
            format!("{section} entry `{label}` must be a mapping with a `command` key"),
            &format!("write `{label}:` and under it `command: ...`"),
        ));
        return;
    }
    // `command` is required: a string runs through the shell, a list is an argv (eb-facts §2.2).
    match body.get("command") {
        None => out.push(finding(
            file,
            name,
            format!("{section} entry `{label}` has no `command`"),
            "add `command:` with the shell command to run",
        )),
        Some(command) if !is_command(command) => out.push(finding(
            file,
            command,
            format!("the `command` of `{label}` must be a string or a list of strings"),
            "write the command as one string (a `|` block for several lines)",
        )),
        Some(_) => {}
    }
    let Some(env) = body.get("env") else {
        return;
    };
    if !(env.is_mapping() || env.is_null()) {
        out.push(finding(
            file,
            env,
            format!("the `env` of `{label}` must be a mapping of variable names to values"),
            "write one `NAME: value` per line under `env:`",
        ));
        return;
    }
    for (var, value) in env.entries() {
        if value.as_str().is_none() {
            out.push(finding(
                file,
                value,
                format!(
                    "environment variable `{}` of `{label}` must be a string",
                    var.as_str().unwrap_or("?")
                ),
                "quote the value as one string",
            ));
        }
    }
}

fn is_command(node: NodeRef<'_>) -> bool {
    if node.is_null() {
        return false;
    }
    if node.as_str().is_some() {
        return true;
    }
    node.is_sequence() && node.items().iter().all(|item| item.as_str().is_some())
}
