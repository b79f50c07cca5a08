//! EB007 leader-lost-at-zero-instances: scheduled scaling to zero while relying on the leader.

use super::common::leader_only_commands;
use super::{Rule, Settings};
use crate::finding::{Finding, Severity};
use crate::model::{Bundle, Located, ZeroSource};

pub static RULE: Rule = Rule {
    id: "EB007",
    name: "leader-lost-at-zero-instances",
    severity: Severity::Warning,
    summary: "Scheduled scaling takes the environment to zero instances while the bundle relies on `leader_only`",
    doc: include_str!("../../rules/EB007-leader-lost-at-zero-instances.md"),
    check,
};

fn check(bundle: &Bundle, _: &Settings, out: &mut Vec<Finding>) {
    // Option settings and `AWS::AutoScaling::ScheduledAction` resources alike, from the files
    // EB applies (a file EB skips for an unknown key scales nothing: EB101).
    let Some(zero) = bundle.scale_to_zero().into_iter().next() else {
        return;
    };
    let action = if zero.action.is_empty() {
        "a scheduled action".to_string()
    } else {
        zero.action.clone()
    };
    let what = match zero.source {
        ZeroSource::OptionSettings => format!("{action} {} = 0", zero.options[0]),
        ZeroSource::Resource => format!(
            "{action} (AWS::AutoScaling::ScheduledAction) {} = 0",
            zero.options[0]
        ),
    };
    for (_, cmd, leader_only_key) in leader_only_commands(bundle) {
        // Instances started after zero come up through `self-startup`, where leader-only
        // commands never run (eb-facts §4.2, §4.3).
        out.push(
            Finding::new(
                &RULE,
                leader_only_key,
                format!(
                    "`{}` runs only on a deployment's leader, but `{action}` scales the environment to zero: instances launched afterwards never run it",
                    cmd.name
                ),
            )
            .label("never runs on instances launched by scaling")
            .related(zero.file.location(zero.file.node(zero.key).span()), what.clone())
            .help("run the command on every instance behind a lock instead: `ebguard migrate -- <command>` without `leader_only`"),
        );
    }
}
