//! The verdict under each scenario: how often the bundle's migrations run. It reads only the
//! plan's steps, whose guards come from the same questions the rules ask.

use super::steps::Parts;
use super::{at, describe, Migration, MigrationGuard, Plan, Scenario, Step, Verdict, VerdictKind};

impl Plan {
    /// How many instances run an unguarded step at the same time (eb-facts §3.1, §4.2).
    fn concurrency(&self, scenario: Scenario) -> String {
        if scenario == Scenario::ScalingLaunch {
            return "every instance launched runs it, at the same time when several launch together".into();
        }
        if self.rolling() {
            let unit = if self.batch_size_type.value == "Fixed" {
                " instances"
            } else {
                "% of the instances"
            };
            return format!(
                "every instance runs it, {}{unit} at a time ({})",
                self.batch_size.value, self.deployment_policy.value
            );
        }
        format!(
            "every instance runs it, all at the same time ({})",
            self.deployment_policy.value
        )
    }

    pub(super) fn verdict(&self, scenario: Scenario, steps: &[Step], parts: &Parts) -> Verdict {
        let running: Vec<(&Step, &Migration)> = steps
            .iter()
            .filter(|s| s.runs())
            .flat_map(|s| s.migrations.iter().map(move |m| (s, m)))
            .collect();
        let first = |guards: &[MigrationGuard]| {
            running
                .iter()
                .find(|(_, m)| guards.contains(&m.guard))
                .map(|(s, m)| (*s, *m))
        };
        // EB_IS_COMMAND_LEADER is set, as far as anyone has seen, only for application
        // deployments; on other commands its value is unknown (eb-facts §4.4).
        let variable_known = matches!(
            scenario,
            Scenario::LeaderDeployment | Scenario::OtherDeployment
        );
        if let Some((step, m)) = first(&[MigrationGuard::None]) {
            return Verdict {
                kind: VerdictKind::EveryInstance,
                reason: format!(
                    "{} applies {} migrations with no guard: {}",
                    describe(step),
                    m.tool,
                    self.concurrency(scenario)
                ),
            };
        }
        let unknown = if variable_known {
            first(&[MigrationGuard::AmbiguousLeaderOnly])
        } else {
            first(&[
                MigrationGuard::AmbiguousLeaderOnly,
                MigrationGuard::LeaderVariable,
            ])
        };
        if let Some((step, m)) = unknown {
            let why = match m.guard {
                MigrationGuard::AmbiguousLeaderOnly => {
                    "its `leader_only` is not a boolean, and how EB reads it is undocumented (EB010)"
                }
                _ => "it tests EB_IS_COMMAND_LEADER, which EB does not document for this kind of deployment (EB011)",
            };
            return Verdict {
                kind: VerdictKind::Unknown,
                reason: format!(
                    "{} applies {} migrations, but {why}",
                    describe(step),
                    m.tool
                ),
            };
        }
        if let Some((step, _)) = first(&[MigrationGuard::EbguardMigrate]) {
            return Verdict {
                kind: VerdictKind::EveryInstanceSerialised,
                reason: format!(
                    "{} runs on every instance under ebguard migrate's database lock: the first applies the migrations, the others find nothing to do",
                    describe(step)
                ),
            };
        }
        let leader = if scenario == Scenario::LeaderDeployment {
            first(&[MigrationGuard::LeaderOnly, MigrationGuard::LeaderVariable])
        } else {
            None
        };
        if let Some((step, m)) = leader {
            let reason = match m.guard {
                MigrationGuard::LeaderOnly => format!(
                    "{} is leader_only: only this instance runs it, once per deployment",
                    describe(step)
                ),
                _ => format!(
                    "{} applies them only when EB_IS_COMMAND_LEADER is true; EB does not document that variable on Amazon Linux 2 (EB011), so check the deployment log",
                    describe(step)
                ),
            };
            return Verdict {
                kind: VerdictKind::ExactlyOnce,
                reason,
            };
        }
        Verdict {
            kind: VerdictKind::Never,
            reason: self.never_reason(scenario, steps, parts),
        }
    }

    fn never_reason(&self, scenario: Scenario, steps: &[Step], parts: &Parts) -> String {
        let skipped = steps.iter().find(|s| !s.runs() && !s.migrations.is_empty());
        let guarded_hook = steps.iter().find(|s| {
            s.runs()
                && s.migrations
                    .iter()
                    .any(|m| m.guard == MigrationGuard::LeaderVariable)
        });
        match (scenario, skipped, guarded_hook) {
            (Scenario::ConfigurationUpdate, _, _) if parts.migrates() => {
                "a configuration-only update runs only .platform/confighooks, and none of them applies migrations".into()
            }
            (Scenario::ScalingLaunch, Some(step), _) => {
                let mut reason = format!(
                    "{} is leader_only, and leader_only commands never run on instances launched by scaling",
                    describe(step)
                );
                if let Some(z) = self.scale_to_zero.first() {
                    reason.push_str(&format!(
                        "; scheduled action `{}` scales the environment to 0 ({}), so after it no running instance has run them (EB007)",
                        z.action,
                        at(&z.location)
                    ));
                }
                reason
            }
            (_, Some(step), _) if self.traffic_splitting() => format!(
                "{} is leader_only, and leader_only commands do not run in TrafficSplitting deployments (EB009)",
                describe(step)
            ),
            (_, Some(step), _) => format!(
                "{} is leader_only: the leader applies the migrations (scenario 1)",
                describe(step)
            ),
            (_, None, Some(step)) => format!(
                "{} applies them only when EB_IS_COMMAND_LEADER is true, which it is only on the leader (scenario 1)",
                describe(step)
            ),
            _ => "no step applies migrations that ebguard recognises".into(),
        }
    }
}
