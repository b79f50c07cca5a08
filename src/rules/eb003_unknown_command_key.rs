//! EB003 unknown-command-key: a key EB does not support on a command.

use super::common::{deploy_timeout, did_you_mean, migrations, text_edit};
use super::{Rule, Settings};
use crate::finding::{Finding, Fix, Severity};
use crate::model::{integer_value, Bundle, CommandSection, Located};
use crate::yaml::edit::{remove_entry, rename_key};

pub static RULE: Rule = Rule {
    id: "EB003",
    name: "unknown-command-key",
    severity: Severity::Error,
    summary: "A command has a key EB does not support (`timeout`, `leaderOnly`, ...)",
    doc: include_str!("../../rules/EB003-unknown-command-key.md"),
    check,
};

fn check(bundle: &Bundle, settings: &Settings, out: &mut Vec<Finding>) {
    let deploy = deploy_timeout(bundle.effective_option("aws:elasticbeanstalk:command", "Timeout"));
    for (file, cmd) in bundle.commands() {
        let known = cmd.section.known_keys();
        for (key, key_node, _) in &cmd.keys {
            if known.contains(&key.as_str()) {
                continue;
            }
            let location = file.location(file.node(*key_node).span());
            // The consequence is the same for every unknown key: EB's validator may reject the
            // whole file ("invalid key"), and cfn-init ignores attributes it does not know
            // (eb-facts §1.4, §2.4).
            let consequence = "EB may skip the whole file, and never applies the key";
            let key_ref = file.node(*key_node);
            let mut fix = None;
            let (message, help) = match (key.as_str(), cmd.section) {
                ("timeout", _) => {
                    // EB has no per-command timeout (eb-facts §2.4): removing the key changes
                    // nothing EB runs. The comment keeps what the author asked for in view.
                    // EB002 reads what a migration's `timeout:` asks for, to raise the
                    // deployment Timeout to it: while the Timeout is below, the key still
                    // carries that number, so it stays until the Timeout is raised.
                    let asks = cmd
                        .value("timeout")
                        .and_then(|v| integer_value(file.node(v).as_str()));
                    let still_needed = matches!((asks, deploy), (Some(a), Some(d)) if a > d)
                        && !migrations(bundle, file, cmd, settings).is_empty();
                    fix = Some(if still_needed {
                        Err(format!("EB002 reads the {} s this key asks for, and the deployment Timeout is {} s: raise the Timeout first (`--unsafe-fixes` does), then this key can go", asks.unwrap_or_default(), deploy.unwrap_or_default()))
                    } else {
                        remove_entry(
                            &file.source.text,
                            file.node(cmd.body),
                            key_ref,
                            "(removed by ebguard: EB has no per-command timeout; the option aws:elasticbeanstalk:command Timeout bounds the deployment)",
                        )
                        .map(|edit| Fix::safe("remove the `timeout` key, leaving a comment", vec![text_edit(file, edit)]))
                    });
                    (
                    format!("`timeout` on `{}` bounds nothing: EB has no per-command timeout; {consequence}", cmd.name),
                    "remove it; the deployment Timeout option bounds every command: `option_settings: {aws:elasticbeanstalk:command: {Timeout: 1800}}`".to_string(),
                )
                }
                ("leader_only", CommandSection::Commands) => {
                    // `commands` run before the app is extracted, `container_commands` after
                    // (eb-facts §2.1): moving one changes when it runs, which only its author
                    // can judge.
                    fix = Some(Err("moving the command to `container_commands` changes when it runs (after the application is extracted), so move it by hand".to_string()));
                    (
                    format!("`leader_only` only exists under `container_commands`; under `commands` `{}` still runs on every instance", cmd.name),
                    "move the command to `container_commands`, or run it through `ebguard migrate --` for a real lock".to_string(),
                )
                }
                (other, section) => {
                    let help = match intended(other, cmd).or_else(|| did_you_mean(other, known)) {
                        Some(suggestion) => {
                            // The right key turns on what the misspelt one never did (a
                            // leader-only command, a working directory): unsafe.
                            let taken = cmd.keys.iter().any(|(k, _, _)| k == suggestion);
                            fix = Some(if taken {
                                Err(format!("`{suggestion}` is already set on this command; remove one of the two by hand"))
                            } else {
                                rename_key(key_ref, suggestion).map(|edit| {
                                    Fix::unsafe_(
                                        format!("rename `{other}` to `{suggestion}`"),
                                        vec![text_edit(file, edit)],
                                    )
                                })
                            });
                            format!("did you mean `{suggestion}`?")
                        }
                        None => format!(
                            "the keys EB supports under `{}` are: {}",
                            section.key(),
                            known.join(", ")
                        ),
                    };
                    (
                        format!(
                            "`{other}` is not a key of `{}` entries; {consequence}",
                            section.key()
                        ),
                        help,
                    )
                }
            };
            let mut finding = Finding::new(&RULE, location, message)
                .label("unknown key")
                .help(help);
            if let Some(fix) = fix {
                finding = finding.fix_or_why(fix);
            }
            out.push(finding);
        }
    }
}

/// Other names people give the command line itself. An edit distance would send `cmd` to
/// `cwd`, one letter away, and a fix would then set a working directory instead of the command.
const COMMAND_SPELLINGS: &[&str] = &["cmd", "run", "script", "commands", "exec", "shell"];

/// `command`, when `key` is another name for it and the command has none.
fn intended(key: &str, cmd: &crate::model::Command) -> Option<&'static str> {
    let has_command = cmd.keys.iter().any(|(k, _, _)| k == "command");
    (!has_command && COMMAND_SPELLINGS.contains(&key.to_ascii_lowercase().as_str()))
        .then_some("command")
}
