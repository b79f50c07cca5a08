//! EB009 leader-only-traffic-splitting: `leader_only` never runs in traffic-splitting deployments.

use super::common::{leader_only_commands, traffic_splitting};
use super::{Rule, Settings};
use crate::finding::{Finding, Severity};
use crate::model::{Bundle, Located};

pub static RULE: Rule = Rule {
    id: "EB009",
    name: "leader-only-traffic-splitting",
    severity: Severity::Error,
    summary: "`leader_only` commands with `DeploymentPolicy: TrafficSplitting`, where no leader runs them",
    doc: include_str!("../../rules/EB009-leader-only-traffic-splitting.md"),
    check,
};

fn check(bundle: &Bundle, _: &Settings, out: &mut Vec<Finding>) {
    let Some(policy) = traffic_splitting(bundle) else {
        return;
    };
    let policy_at = policy.setting.value_node.unwrap_or(policy.setting.at);
    for (_, cmd, leader_only_key) in leader_only_commands(bundle) {
        // Traffic-splitting deployments elect no command leader (eb-facts §2.3, roadmap #65).
        out.push(
            Finding::new(
                &RULE,
                leader_only_key,
                format!("`{}` is leader-only, but traffic-splitting deployments have no leader, so it never runs", cmd.name),
            )
            .label("never runs")
            .related(policy.file.location(policy.file.node(policy_at).span()), "TrafficSplitting set here")
            .help("use `ebguard migrate -- <command>` without `leader_only`, or the Immutable deployment policy"),
        );
    }
}
