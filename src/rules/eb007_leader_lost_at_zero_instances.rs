//! EB007 leader-lost-at-zero-instances: scheduled scaling to zero while relying on the leader.

use super::common::{integer_value, leader_only_commands};
use super::{Rule, Settings};
use crate::finding::{Finding, Severity};
use crate::model::{Bundle, EffectiveOption, Located};

pub static RULE: Rule = Rule {
    id: "EB007",
    name: "leader-lost-at-zero-instances",
    severity: Severity::Warning,
    summary: "Scheduled scaling takes the environment to zero instances while the bundle relies on `leader_only`",
    doc: include_str!("../../rules/EB007-leader-lost-at-zero-instances.md"),
    check,
};

const SCHEDULED_ACTION: &str = "aws:autoscaling:scheduledaction";

/// A scheduled action that sets a size option to 0 (eb-facts §4.3, §5.1).
fn scales_to_zero<'a>(bundle: &'a Bundle) -> Option<EffectiveOption<'a>> {
    bundle.effective_options().into_iter().find(|e| {
        e.setting.namespace == SCHEDULED_ACTION
            && matches!(
                e.setting.option_name.as_str(),
                "MinSize" | "MaxSize" | "DesiredCapacity"
            )
            && integer_value(e.setting.value.as_deref()) == Some(0)
    })
}

fn check(bundle: &Bundle, _: &Settings, out: &mut Vec<Finding>) {
    let Some(zero) = scales_to_zero(bundle) else {
        return;
    };
    let action = zero
        .setting
        .resource_name
        .as_deref()
        .unwrap_or("a scheduled action");
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
            .related(
                zero.file.location(zero.file.node(zero.setting.at).span()),
                format!("{} {} = 0", action, zero.setting.option_name),
            )
            .help("run the command on every instance behind a lock instead: `ebguard migrate -- <command>` without `leader_only`"),
        );
    }
}
