use super::*;
use crate::source::SourceFile;
use crate::yaml::Limits;

fn config(name: &str, text: &str) -> ConfigFile {
    ConfigFile::parse(
        SourceFile::new(format!(".ebextensions/{name}"), text.to_string()),
        name.to_string(),
        Limits::default(),
    )
}

fn bundle(configs: Vec<ConfigFile>) -> Bundle {
    Bundle {
        root: String::new(),
        configs,
        hooks: Vec::new(),
        ignored_ebextensions: Vec::new(),
        enclosing_root: None,
        eb_dirs: vec![".ebextensions"],
        internal_errors: Vec::new(),
        migrations: Default::default(),
        platform: None,
        files: BundleFiles::default(),
    }
}

#[test]
fn option_settings_in_all_three_forms() {
    let c = config(
        "01.config",
        "option_settings:\n  aws:elasticbeanstalk:command:\n    Timeout: 1200\n  ScaleDown.aws:autoscaling:scheduledaction:\n    MinSize: '0'\n",
    );
    let list = config(
        "02.config",
        "option_settings:\n  - namespace: aws:elasticbeanstalk:command\n    option_name: DeploymentPolicy\n    value: Rolling\n  - option_name: DJANGO_SETTINGS_MODULE\n    value: app.settings\n  - namespace: aws:autoscaling:scheduledaction\n    resource_name: Night\n    option_name: DesiredCapacity\n    value: 0\n",
    );
    let s = &c.option_settings;
    assert_eq!(s.len(), 2);
    assert_eq!(
        (s[0].form, s[0].namespace.as_str(), s[0].value.as_deref()),
        (
            OptionForm::Map,
            "aws:elasticbeanstalk:command",
            Some("1200")
        )
    );
    assert_eq!(s[1].form, OptionForm::ResourceShorthand);
    assert_eq!(s[1].resource_name.as_deref(), Some("ScaleDown"));
    assert_eq!(s[1].namespace, "aws:autoscaling:scheduledaction");
    let l = &list.option_settings;
    assert_eq!(l.len(), 3);
    assert_eq!(l[0].form, OptionForm::List);
    assert_eq!(
        l[1].namespace,
        "aws:elasticbeanstalk:application:environment"
    );
    assert_eq!(l[2].resource_name.as_deref(), Some("Night"));
    assert_eq!(l[2].value.as_deref(), Some("0"));
}

#[test]
fn later_files_override_earlier_ones() {
    let b = bundle(vec![
        config("01.config", "option_settings:\n  aws:elasticbeanstalk:command:\n    Timeout: 300\n    DeploymentPolicy: Rolling\n"),
        config("02.config", "option_settings:\n  - namespace: aws:elasticbeanstalk:command\n    option_name: Timeout\n    value: '1800'\n"),
    ]);
    let timeout = b
        .effective_option("aws:elasticbeanstalk:command", "Timeout")
        .unwrap();
    assert_eq!(timeout.setting.value.as_deref(), Some("1800"));
    assert_eq!(timeout.file.file_name, "02.config");
    let policy = b
        .effective_option("aws:elasticbeanstalk:command", "DeploymentPolicy")
        .unwrap();
    assert_eq!(policy.file.file_name, "01.config");
    assert_eq!(b.effective_options().len(), 2);
}

#[test]
fn function_values_are_not_strings() {
    let c = config("01.config", "option_settings:\n  aws:elasticbeanstalk:command:\n    Timeout: {\"Fn::GetOptionSetting\": {\"OptionName\": \"T\", \"DefaultValue\": \"900\"}}\n");
    assert_eq!(c.option_settings[0].value, None);
    assert!(c.option_settings[0].value_node.is_some());
}

#[test]
fn commands_keep_their_keys_in_order() {
    let c = config(
        "01.config",
        "commands:\n  a: {command: ls, cwd: /}\ncontainer_commands:\n  01_migrate:\n    command: [python, manage.py, migrate]\n    leader_only: true\n    timeout: 900\n",
    );
    assert_eq!(c.commands.len(), 2);
    assert_eq!(c.commands[0].section, CommandSection::Commands);
    let cc = &c.commands[1];
    assert_eq!(cc.section, CommandSection::ContainerCommands);
    assert_eq!(cc.name, "01_migrate");
    let keys: Vec<&str> = cc.keys.iter().map(|(k, _, _)| k.as_str()).collect();
    assert_eq!(keys, ["command", "leader_only", "timeout"]);
    assert_eq!(
        c.node(cc.value("leader_only").unwrap()).as_bool(),
        Some(true)
    );
    assert_eq!(c.node(cc.value("command").unwrap()).items().len(), 3);
    let sections: Vec<&str> = c.sections.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(sections, ["commands", "container_commands"]);
}

#[test]
fn unusable_files_say_why() {
    assert!(config("e.config", "")
        .problem
        .unwrap()
        .message
        .contains("empty"));
    assert!(config("l.config", "- a\n- b\n")
        .problem
        .unwrap()
        .message
        .contains("not a mapping"));
    let comments = config("c.config", "# moved\n").problem.unwrap();
    assert!(comments.empty && comments.message.contains("only comments"));
    let bad = config("t.config", "commands:\n\tx: 1\n").problem.unwrap();
    assert!(!bad.empty);
    assert!(bad.message.contains("indented with a tab"), "{bad:?}");
    assert_eq!(bad.span.start, 10);
}

#[test]
fn ignored_files_holding_eb_keys_look_like_config() {
    let yaml = IgnoredFile::new(
        ".ebextensions/a.yml".into(),
        "# c\ncontainer_commands :\n  x: {}\n",
    );
    let json = IgnoredFile::new(".ebextensions/a.json".into(), "{\"option_settings\": []}");
    let conf = IgnoredFile::new(
        ".ebextensions/wsgi.conf".into(),
        "LoadModule wsgi_module x\n  files: no\n",
    );
    assert!(yaml.looks_like_config && json.looks_like_config);
    assert!(!conf.looks_like_config);
}

/// The question other rooms ask: which tools' migrations does the bundle run, and from where,
/// following the files its commands and hooks run.
#[test]
fn bundle_migrations_name_their_tool_through_followed_files() {
    let files: &[(&str, Option<u32>, &[u8])] = &[
        (
            ".ebextensions/01.config",
            Some(0o644),
            b"container_commands:\n  01_db:\n    command: bash scripts/db.sh\n    leader_only: true\n",
        ),
        ("scripts/db.sh", Some(0o644), b"alembic upgrade head\n"),
        (
            ".platform/hooks/postdeploy/01.sh",
            Some(0o755),
            b"#!/bin/sh\nnpm run migrate\n",
        ),
        (
            "package.json",
            Some(0o644),
            b"{\"scripts\": {\"migrate\": \"knex migrate:latest\"}}",
        ),
    ];
    let bundle = crate::bundle::in_memory("app", files, Limits::default());
    let found = bundle.migration_calls(&crate::shell::Recognizer::default());
    let tools: Vec<(&str, bool)> = found
        .iter()
        .map(|(source, call)| (call.tool, matches!(source, MigrationSource::Hook(_))))
        .collect();
    assert_eq!(tools, [("Alembic", false), ("Knex", true)]);
    assert_eq!(found[0].1.via[0].path, "scripts/db.sh");
    // Asked twice, analysed once: the same shared analysis comes back.
    let (file, cmd) = bundle.commands().next().unwrap();
    let rec = crate::shell::Recognizer::default();
    assert!(std::sync::Arc::ptr_eq(
        &bundle.command_analysis(file, cmd, &rec),
        &bundle.command_analysis(file, cmd, &rec)
    ));
}
