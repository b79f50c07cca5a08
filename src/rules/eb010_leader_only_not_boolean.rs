//! EB010 leader-only-not-boolean: `leader_only` written as something other than a boolean.

use super::common::text_edit;
use super::{Rule, Settings};
use crate::finding::{Finding, Fix, Severity};
use crate::model::{Bundle, LeaderOnly, Located};
use crate::yaml::edit::replace_scalar;
use crate::yaml::{NodeRef, ScalarStyle};

pub static RULE: Rule = Rule {
    id: "EB010",
    name: "leader-only-not-boolean",
    severity: Severity::Warning,
    summary: "`leader_only` is a string, number or YAML 1.1 word instead of `true`/`false`",
    doc: include_str!("../../rules/EB010-leader-only-not-boolean.md"),
    check,
};

fn check(bundle: &Bundle, _: &Settings, out: &mut Vec<Finding>) {
    for (file, cmd) in bundle.container_commands() {
        if cmd.leader_only(file) != LeaderOnly::Ambiguous {
            continue;
        }
        let Some(value) = cmd.value("leader_only") else {
            continue;
        };
        let node = file.node(value);
        let written = &file.source.text[node.span()];
        // EB documents a boolean; how its loader reads `"true"`, `yes` or `1` is not documented
        // (eb-facts open question 3), so the command may run on every instance.
        let finding = Finding::new(
            &RULE,
            file.location(node.span()),
            format!("`leader_only: {written}` on `{}` is not a boolean; EB may not treat the command as leader-only", cmd.name),
        )
        .label("not a YAML/JSON boolean");
        let finding = match reading(node) {
            Some((boolean, sure)) => {
                let title = format!("write `leader_only: {boolean}`");
                let fix = replace_scalar(node, boolean).map(|edit| {
                    let edits = vec![text_edit(file, edit)];
                    if sure {
                        Fix::safe(title, edits)
                    } else {
                        Fix::unsafe_(title, edits)
                    }
                });
                finding
                    .help(format!("write `leader_only: {boolean}` (unquoted)"))
                    .fix_or_why(fix)
            }
            None => finding.help("write `leader_only: true` or `leader_only: false` (unquoted)"),
        };
        out.push(finding);
    }
}

/// The boolean a non-boolean `leader_only` most likely means, and whether every reader EB
/// might use agrees on it. A quoted `"true"`/`"false"` is that word to YAML 1.1 and 1.2
/// loaders, to cfn-init's `interpret_boolean` and to Go's `strconv.ParseBool` alike, so writing
/// the boolean changes nothing EB does except where EB mis-read it: safe. `yes`, `on`, `1` and
/// the like differ between those readers (eb-facts open question 3), so writing `true` may
/// change which instances run the command: unsafe.
fn reading(node: NodeRef<'_>) -> Option<(&'static str, bool)> {
    let value = node.as_str()?;
    let quoted = matches!(
        node.scalar_style(),
        Some(ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted)
    );
    let sure = quoted && node.tag().is_none();
    match value {
        "true" | "True" | "TRUE" => Some(("true", sure)),
        "false" | "False" | "FALSE" => Some(("false", sure)),
        _ => match value.to_ascii_lowercase().as_str() {
            "yes" | "y" | "on" | "1" => Some(("true", false)),
            "no" | "n" | "off" | "0" => Some(("false", false)),
            _ => None,
        },
    }
}
