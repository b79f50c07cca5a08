use std::os::unix::fs::PermissionsExt;

use super::*;

/// Plans a bundle written to a temporary directory: `(path, text, executable)`.
fn plan_of(files: &[(&str, &str, bool)]) -> Plan {
    let dir = tempfile::tempdir().unwrap();
    for (path, text, executable) in files {
        let full = dir.path().join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(&full, text).unwrap();
        let mode = if *executable { 0o755 } else { 0o644 };
        std::fs::set_permissions(&full, std::fs::Permissions::from_mode(mode)).unwrap();
    }
    let (mut plans, errors) = crate::plan(&[dir.path().to_path_buf()], &crate::Options::default());
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(plans.len(), 1);
    plans.remove(0)
}

fn config(name: &str, text: &'static str) -> (String, &'static str) {
    (format!(".ebextensions/{name}"), text)
}

fn plan_of_configs(configs: &[(String, &'static str)]) -> Plan {
    let files: Vec<(&str, &str, bool)> = configs
        .iter()
        .map(|(p, t)| (p.as_str(), *t, false))
        .collect();
    plan_of(&files)
}

fn scenario(plan: &Plan, scenario: Scenario) -> &ScenarioPlan {
    plan.scenarios
        .iter()
        .find(|s| s.scenario == scenario)
        .unwrap()
}

/// The names of the steps of `phase` that run in `s`.
fn running(plan: &Plan, s: Scenario, phase: Phase) -> Vec<String> {
    scenario(plan, s)
        .steps
        .iter()
        .filter(|st| st.phase == phase && st.runs())
        .map(|st| st.name.clone())
        .collect()
}

fn verdicts(plan: &Plan) -> Vec<VerdictKind> {
    plan.scenarios.iter().map(|s| s.verdict.kind).collect()
}

const LEADER_MIGRATE: &str = "container_commands:\n  01_migrate:\n    command: python3 manage.py migrate --noinput\n    leader_only: true\n  02_collectstatic:\n    command: python3 manage.py collectstatic --noinput\n";

#[test]
fn container_commands_run_per_file_by_name_in_code_point_order_leader_only_first() {
    let plan = plan_of_configs(&[
        config(
            "b.config",
            "container_commands:\n  z_last:\n    command: 'true'\n  a_leader:\n    command: 'true'\n    leader_only: true\n",
        ),
        config(
            "a.config",
            "container_commands:\n  a_lower:\n    command: 'true'\n  B_upper:\n    command: 'true'\n  2_two:\n    command: 'true'\n  10_ten:\n    command: 'true'\n",
        ),
    ]);
    assert_eq!(
        running(&plan, Scenario::LeaderDeployment, Phase::ContainerCommands),
        ["a_leader", "10_ten", "2_two", "B_upper", "a_lower", "z_last"]
    );
    assert_eq!(
        running(&plan, Scenario::OtherDeployment, Phase::ContainerCommands),
        ["10_ten", "2_two", "B_upper", "a_lower", "z_last"]
    );
    let leader = scenario(&plan, Scenario::LeaderDeployment);
    assert!(leader.notes.iter().any(|n| n.contains("not verified")));
}

#[test]
fn phases_follow_the_instance_workflow() {
    let plan = plan_of(&[
        (
            ".ebextensions/01.config",
            "commands:\n  01_packages:\n    command: yum list installed\ncontainer_commands:\n  01_static:\n    command: 'true'\n    cwd: /tmp\n",
            false,
        ),
        (".platform/hooks/prebuild/01_pre.sh", "#!/bin/sh\n", true),
        (".platform/hooks/predeploy/01_pre.sh", "#!/bin/sh\r\n", true),
        (".platform/hooks/postdeploy/01_post.sh", "#!/bin/sh\n", false),
        (".platform/confighooks/predeploy/01_env.sh", "#!/bin/sh\n", true),
    ]);
    let phases: Vec<String> = scenario(&plan, Scenario::ScalingLaunch)
        .steps
        .iter()
        .map(|s| s.phase.name())
        .collect();
    assert_eq!(
        phases,
        [
            "commands",
            "extract",
            "prebuild hooks",
            "build",
            "container_commands",
            "predeploy hooks",
            "flip",
            "postdeploy hooks"
        ]
    );
    let cwd: Vec<&str> = scenario(&plan, Scenario::LeaderDeployment)
        .steps
        .iter()
        .filter_map(|s| s.cwd.as_deref())
        .collect();
    assert_eq!(cwd, ["/", STAGING_DIR, "/tmp", STAGING_DIR, CURRENT_DIR]);
    let config_update = scenario(&plan, Scenario::ConfigurationUpdate);
    let names: Vec<&str> = config_update
        .steps
        .iter()
        .map(|s| s.name.as_str())
        .collect();
    assert_eq!(
        names,
        [
            "01_env.sh",
            "EB applies the new configuration and restarts the application"
        ]
    );
    assert!(config_update.notes.iter().any(|n| n.ends_with(
        "skipped here: prebuild/01_pre.sh, predeploy/01_pre.sh, postdeploy/01_post.sh"
    )));
    let post = scenario(&plan, Scenario::LeaderDeployment)
        .steps
        .last()
        .unwrap();
    assert!(post.notes.iter().any(|n| n.contains("not executable")));
    let predeploy = scenario(&plan, Scenario::LeaderDeployment)
        .steps
        .iter()
        .find(|s| s.phase == Phase::Hooks(HookKind::Hooks, HookPhase::Predeploy))
        .unwrap();
    assert!(predeploy.notes[0].contains("(EB201)"), "{predeploy:?}");
}

#[test]
fn leader_only_migrations_run_once_on_the_leader_and_never_elsewhere() {
    let plan = plan_of_configs(&[config("01.config", LEADER_MIGRATE)]);
    assert_eq!(
        verdicts(&plan),
        [
            VerdictKind::ExactlyOnce,
            VerdictKind::Never,
            VerdictKind::Never,
            VerdictKind::Never
        ]
    );
    let scaling = scenario(&plan, Scenario::ScalingLaunch);
    assert!(scaling.verdict.reason.contains("launched by scaling"));
    let skipped = scaling
        .steps
        .iter()
        .find(|s| s.name == "01_migrate")
        .unwrap();
    assert!(!skipped.runs());
    assert_eq!(skipped.migrations[0].guard, MigrationGuard::LeaderOnly);
}

#[test]
fn unguarded_migrations_run_on_every_instance() {
    let plan = plan_of_configs(&[config(
        "01.config",
        "container_commands:\n  01_migrate:\n    command: python3 manage.py migrate\n    leader_only: false\n",
    )]);
    assert_eq!(
        verdicts(&plan),
        [
            VerdictKind::EveryInstance,
            VerdictKind::EveryInstance,
            VerdictKind::EveryInstance,
            VerdictKind::Never
        ]
    );
    assert!(plan.scenarios[1].verdict.reason.contains("`01_migrate`"));
}

#[test]
fn ebguard_migrate_serialises_migrations_on_every_instance() {
    let plan = plan_of_configs(&[config(
        "01.config",
        "container_commands:\n  01_migrate:\n    command: ebguard migrate -- python3 manage.py migrate\n",
    )]);
    assert_eq!(
        verdicts(&plan)[..3],
        [VerdictKind::EveryInstanceSerialised; 3]
    );
    assert!(VerdictKind::EveryInstanceSerialised
        .headline()
        .contains("applied once"));
}

#[test]
fn a_non_boolean_leader_only_makes_the_verdict_unknown() {
    let plan = plan_of_configs(&[config(
        "01.config",
        "container_commands:\n  01_migrate:\n    command: python3 manage.py migrate\n    leader_only: \"true\"\n",
    )]);
    assert_eq!(verdicts(&plan)[..3], [VerdictKind::Unknown; 3]);
}

#[test]
fn timeout_and_policy_say_where_they_come_from() {
    let defaults = plan_of_configs(&[config("01.config", LEADER_MIGRATE)]);
    assert_eq!(defaults.timeout.value, "600");
    assert!(defaults.timeout.source.is_none());
    assert_eq!(defaults.effective_timeout, Some(840));
    assert_eq!(defaults.deployment_policy.value, "AllAtOnce");
    assert!(defaults.deployment_policy.source.is_none());

    let set = plan_of_configs(&[
        config(
            "01.config",
            "option_settings:\n  aws:elasticbeanstalk:command:\n    Timeout: 900\n",
        ),
        config(
            "02.config",
            "option_settings:\n  - namespace: aws:elasticbeanstalk:command\n    option_name: Timeout\n    value: '1200'\n  - namespace: aws:elasticbeanstalk:command\n    option_name: DeploymentPolicy\n    value: Rolling\n",
        ),
    ]);
    assert_eq!(set.effective_timeout, Some(1440));
    assert_eq!(
        at(set.timeout.source.as_ref().unwrap()).rsplit('/').next(),
        Some("02.config:4")
    );
    assert_eq!(set.deployment_policy.value, "Rolling");
    assert!(set.rolling());
    assert_eq!(
        (
            set.batch_size.value.as_str(),
            set.batch_size_type.value.as_str()
        ),
        ("100", "Percentage")
    );
}

#[test]
fn scheduled_scaling_to_zero_explains_the_scaling_verdict() {
    let plan = plan_of_configs(&[
        config("01.config", LEADER_MIGRATE),
        config(
            "02.config",
            "option_settings:\n  Night.aws:autoscaling:scheduledaction:\n    MinSize: '0'\n    MaxSize: '0'\n    Recurrence: 0 20 * * *\n",
        ),
    ]);
    assert_eq!(plan.scale_to_zero.len(), 1);
    assert_eq!(plan.scale_to_zero[0].options, ["MinSize", "MaxSize"]);
    let scaling = scenario(&plan, Scenario::ScalingLaunch);
    assert_eq!(scaling.verdict.kind, VerdictKind::Never);
    assert!(scaling.verdict.reason.contains("`Night`"), "{scaling:?}");
    assert!(scaling.notes.iter().any(|n| n.contains("`01_migrate`")));

    let restored = plan_of_configs(&[
        config(
            "01.config",
            "option_settings:\n  Night.aws:autoscaling:scheduledaction:\n    MinSize: '0'\n",
        ),
        config(
            "02.config",
            "option_settings:\n  Night.aws:autoscaling:scheduledaction:\n    MinSize: '1'\n",
        ),
    ]);
    assert!(restored.scale_to_zero.is_empty());
}

#[test]
fn traffic_splitting_never_runs_leader_only_commands() {
    let plan = plan_of_configs(&[
        config("01.config", LEADER_MIGRATE),
        config(
            "02.config",
            "option_settings:\n  aws:elasticbeanstalk:command:\n    DeploymentPolicy: TrafficSplitting\n",
        ),
    ]);
    let leader = scenario(&plan, Scenario::LeaderDeployment);
    assert_eq!(leader.verdict.kind, VerdictKind::Never);
    assert!(leader.verdict.reason.contains("TrafficSplitting"));
}

#[test]
fn hooks_are_analysed_with_the_recogniser() {
    let plan = plan_of(&[
        (
            ".platform/hooks/postdeploy/01_migrate.sh",
            "#!/bin/bash\nsource /var/app/venv/*/bin/activate\npython3 manage.py migrate\n",
            true,
        ),
        (".platform/hooks/predeploy/00_bin", "\u{7f}ELF\0\0", true),
    ]);
    let leader = scenario(&plan, Scenario::LeaderDeployment);
    assert_eq!(leader.verdict.kind, VerdictKind::EveryInstance);
    let hook = leader
        .steps
        .iter()
        .find(|s| s.name == "01_migrate.sh")
        .unwrap();
    assert_eq!(hook.migrations[0].location.start.line, 3);
    let binary = leader.steps.iter().find(|s| s.name.ends_with("00_bin"));
    assert!(binary.unwrap().notes[0].contains("binary"));
    assert_eq!(
        scenario(&plan, Scenario::ConfigurationUpdate).verdict.kind,
        VerdictKind::Never
    );
}

#[test]
fn renderers_escape_and_align() {
    let plan = plan_of_configs(&[config(
        "01.config",
        "container_commands:\n  01_migrate;#x:\n    command: python3 manage.py migrate\n",
    )]);
    let mermaid = mermaid(std::slice::from_ref(&plan));
    assert!(mermaid.contains("01_migrate#59;#35;x"), "{mermaid}");
    assert!(!mermaid.contains("01_migrate;"));
    let json: serde_json::Value =
        serde_json::from_str(&json(std::slice::from_ref(&plan), &[])).unwrap();
    assert_eq!(json["version"], 1);
    assert_eq!(
        json["plans"][0]["scenarios"][1]["verdict"]["kind"],
        "every-instance"
    );
    let text = text(std::slice::from_ref(&plan));
    assert!(text.contains("=> migrations run on every instance"));
}

#[test]
fn a_hook_testing_eb_is_command_leader_runs_once_on_deployments_and_is_unknown_on_scaling() {
    let plan = plan_of(&[(
        ".platform/hooks/postdeploy/01_migrate.sh",
        "#!/bin/bash\nif [ \"$EB_IS_COMMAND_LEADER\" = \"true\" ]; then\n  python3 manage.py migrate\nfi\n",
        true,
    )]);
    assert_eq!(
        verdicts(&plan),
        [
            VerdictKind::ExactlyOnce,
            VerdictKind::Never,
            VerdictKind::Unknown,
            VerdictKind::Never
        ]
    );
    assert!(plan.scenarios[0]
        .verdict
        .reason
        .starts_with("postdeploy hook `01_migrate.sh`"));
}

#[test]
fn leader_only_under_commands_is_ignored() {
    let plan = plan_of_configs(&[config(
        "01.config",
        "commands:\n  01_migrate:\n    command: python3 manage.py migrate\n    leader_only: true\n",
    )]);
    let leader = scenario(&plan, Scenario::LeaderDeployment);
    assert_eq!(leader.verdict.kind, VerdictKind::EveryInstance);
    assert!(leader.steps[0].notes[0].contains("no effect under `commands`"));
}

#[test]
fn files_eb_ignores_run_nothing() {
    let plan = plan_of(&[
        (
            ".ebextensions/01.config",
            "container_command:\n  x: {}\ncontainer_commands:\n  01_migrate:\n    command: python3 manage.py migrate\noption_settings:\n  aws:elasticbeanstalk:command:\n    Timeout: 1200\n",
            false,
        ),
        (
            ".ebextensions/02.yml",
            "container_commands:\n  02_x:\n    command: 'true'\n",
            false,
        ),
    ]);
    assert_eq!(verdicts(&plan), [VerdictKind::Never; 4]);
    assert!(plan.timeout.source.is_none(), "{:?}", plan.timeout);
    let step = scenario(&plan, Scenario::LeaderDeployment)
        .steps
        .iter()
        .find(|s| s.name == "01_migrate")
        .unwrap();
    assert!(step
        .skipped
        .as_deref()
        .unwrap()
        .contains("`container_command`"));
    assert!(plan.notes[0].contains("(EB101)"), "{:?}", plan.notes);
    assert!(plan.notes[1].contains("02.yml"), "{:?}", plan.notes);
}
