//! EB002 deploy-timeout-too-short: migrations run, but the deployment may be cut off first.

use super::common::{deploy_timeout, editable, hook_migrations, migrations, text_edit};
use super::{Rule, Settings};
use crate::finding::{Finding, Fix, Severity};
use crate::model::{integer_value, Bundle, ConfigFile, EffectiveOption, Located};
use crate::yaml::edit::{insert_entry, insert_item, set_scalar, New};

pub static RULE: Rule = Rule {
    id: "EB002",
    name: "deploy-timeout-too-short",
    severity: Severity::Warning,
    summary: "Migrations run, but the deployment `Timeout` is below what the bundle needs",
    doc: include_str!("../../rules/EB002-deploy-timeout-too-short.md"),
    check,
};

const NAMESPACE: &str = "aws:elasticbeanstalk:command";

/// The largest `Timeout` EB accepts (eb-facts §3.1).
const MAX_TIMEOUT: i64 = 3600;

fn check(bundle: &Bundle, settings: &Settings, out: &mut Vec<Finding>) {
    // A `timeout:` key on a migration command is what its author believes it needs; EB ignores
    // the key (eb-facts §2.4), so the deployment Timeout has to cover it instead.
    let mut asked = Vec::new();
    let mut first_migration = None;
    // Where the fix adds the option: the first file EB applies that runs a migration.
    let mut first_applied = None;
    for (file, cmd) in bundle.commands() {
        if migrations(bundle, file, cmd, settings).is_empty() {
            continue;
        }
        first_migration.get_or_insert((file, cmd));
        if file.applied() {
            first_applied.get_or_insert(file);
        }
        if let Some((key, value)) = cmd.entry("timeout") {
            if let Some(seconds) = integer_value(file.node(value).as_str()) {
                asked.push((seconds, file, key));
            }
        }
    }
    let hook_migration = bundle.hooks.iter().find_map(|h| {
        let call = hook_migrations(bundle, h, settings).into_iter().next()?;
        Some((h, call.range))
    });
    if first_migration.is_none() && hook_migration.is_none() {
        return;
    }
    let configured = bundle.effective_option(NAMESPACE, "Timeout");
    let Some(effective) = deploy_timeout(configured) else {
        return;
    };
    let floor = i64::from(settings.min_deploy_timeout());
    let largest_ask = asked.iter().max_by_key(|(s, _, _)| *s);
    let needed = largest_ask.map_or(floor, |(s, _, _)| (*s).max(floor));
    if effective >= needed {
        return;
    }
    let origin = match configured {
        Some(opt) => format!("set in {}", opt.file.file_name),
        None => "EB's default".to_string(),
    };
    let why = match largest_ask {
        Some((s, _, _)) if *s >= floor => {
            format!("a migration command asks for {s} s with `timeout:`")
        }
        _ => format!("the minimum for deployments that migrate is {floor} s"),
    };
    let message = format!(
        "the deployment Timeout is {effective} s ({origin}) but {why}; EB cancels the deployment when an instance takes longer"
    );
    let help = if needed > MAX_TIMEOUT {
        format!("EB accepts at most {MAX_TIMEOUT} s: raise it to `Timeout: {MAX_TIMEOUT}` and shorten what the deployment runs (EB waits Timeout + 240 s)")
    } else {
        format!(
            "raise it: `option_settings: {{{NAMESPACE}: {{Timeout: {needed}}}}}` (1-3600 s; EB waits Timeout + 240 s)"
        )
    };
    let default_label = format!("this migration has {effective} s (EB's default) to finish");
    let mut finding = match (configured, first_migration, hook_migration) {
        (Some(opt), _, _) => {
            let at = opt.setting.value_node.unwrap_or(opt.setting.at);
            Finding::new(&RULE, opt.file.location(opt.file.node(at).span()), message)
                .label(format!("{effective} s"))
        }
        (None, Some((file, cmd)), _) => {
            Finding::new(&RULE, file.location(file.node(cmd.key).span()), message)
                .label(default_label)
        }
        (None, None, Some((hook, range))) => {
            Finding::new(&RULE, hook.location(range), message).label(default_label)
        }
        (None, None, None) => return,
    };
    if let Some((seconds, file, key)) = largest_ask {
        finding = finding.related(
            file.location(file.node(*key).span()),
            format!("asks for {seconds} s, but EB ignores `timeout:` here"),
        );
    }
    let fix = match (configured, first_applied) {
        _ if needed > MAX_TIMEOUT => Err(format!(
            "EB accepts a Timeout of at most {MAX_TIMEOUT} s, less than the {needed} s needed; shorten what the deployment runs"
        )),
        (Some(opt), _) => raise(opt, needed),
        (None, Some(file)) => add(file, needed),
        (None, None) if first_migration.is_some() => Err(
            "every configuration file that runs a migration is one EB skips (EB101); fix that first"
                .into(),
        ),
        (None, None) => Err("the migrations run in a platform hook, and ebguard does not create configuration files; add the option to a `.ebextensions/*.config` file".into()),
    };
    out.push(finding.help(help).fix_or_why(fix));
}

/// Both fixes are unsafe: a longer Timeout changes when EB gives up on an instance and cancels
/// the deployment (eb-facts §3.1).
fn title(needed: i64) -> String {
    format!("set the deployment Timeout to {needed} s (EB then waits that long for each instance before cancelling the deployment)")
}

/// Writes `needed` over the configured value, in its quotes.
fn raise(opt: EffectiveOption<'_>, needed: i64) -> Result<Fix, String> {
    let file = opt.file;
    let value = opt
        .setting
        .value_node
        .ok_or("the Timeout option has no value")?;
    editable(file, value).map_err(|why| format!("the Timeout value {why}"))?;
    let edit = set_scalar(file.node(value), &needed.to_string())?;
    Ok(Fix::unsafe_(title(needed), vec![text_edit(file, edit)]))
}

/// Adds `Timeout: needed` to `file`, which sets no Timeout: under its
/// `aws:elasticbeanstalk:command` namespace, else as that namespace in its `option_settings`
/// (either form), else as a new `option_settings` section.
fn add(file: &ConfigFile, needed: i64) -> Result<Fix, String> {
    let text = &file.source.text;
    let timeout = New::Scalar(needed.to_string());
    let edit = match file.section("option_settings") {
        Some(section) => {
            let settings = file.node(section.value);
            editable(file, section.value).map_err(|why| format!("`option_settings` {why}"))?;
            if settings.is_sequence() {
                let item = New::Map(vec![
                    ("namespace".into(), New::Scalar(NAMESPACE.into())),
                    ("option_name".into(), New::Scalar("Timeout".into())),
                    ("value".into(), timeout),
                ]);
                insert_item(text, settings, &item)?
            } else if !settings.is_mapping() {
                return Err("`option_settings` is not a list or mapping of settings".into());
            } else if let Some((_, options)) = settings
                .entries()
                .into_iter()
                .find(|(k, _)| k.as_str() == Some(NAMESPACE))
            {
                if !options.is_mapping() {
                    return Err(format!(
                        "`{NAMESPACE}` holds no mapping of options to add `Timeout` to"
                    ));
                }
                editable(file, options.id()).map_err(|why| format!("`{NAMESPACE}` {why}"))?;
                insert_entry(text, options, "Timeout", &timeout)?
            } else {
                let namespace = New::Map(vec![("Timeout".into(), timeout)]);
                insert_entry(text, settings, NAMESPACE, &namespace)?
            }
        }
        None => {
            let root = file.doc.root().ok_or("the file holds no configuration")?;
            let section = New::Map(vec![(
                NAMESPACE.into(),
                New::Map(vec![("Timeout".into(), timeout)]),
            )]);
            insert_entry(text, root, "option_settings", &section)?
        }
    };
    Ok(Fix::unsafe_(title(needed), vec![text_edit(file, edit)]))
}

#[cfg(test)]
mod tests {
    use crate::finding::Applicability::Unsafe;
    use crate::rules::common::fixing::{apply, bundle, finding};
    use crate::rules::Settings;

    const CONFIG: &str = ".ebextensions/01_app.config";
    /// A migration whose `timeout:` key asks for 1800 s, which EB002 then requires.
    const MIGRATE: &str = "container_commands:\n  01_migrate:\n    command: python manage.py migrate\n    leader_only: true\n    timeout: 1800\n";

    fn fixed(config: &str) -> String {
        let (title, texts) = apply("EB002", 0, Unsafe, &[(CONFIG, config)]);
        assert_eq!(title, "set the deployment Timeout to 1800 s (EB then waits that long for each instance before cancelling the deployment)");
        texts.into_iter().next().unwrap()
    }

    #[test]
    fn raises_the_configured_value_in_its_quotes() {
        let config = format!("option_settings:\n  - namespace: aws:elasticbeanstalk:command\n    option_name: Timeout\n    value: '900'\n{MIGRATE}");
        assert_eq!(
            fixed(&config),
            config.replace("value: '900'", "value: '1800'")
        );
    }

    #[test]
    fn adds_timeout_to_the_namespace_or_the_options_already_there() {
        let config = format!("option_settings:\n  aws:elasticbeanstalk:command:\n    DeploymentPolicy: Rolling\n{MIGRATE}");
        assert_eq!(
            fixed(&config),
            config.replace("Rolling\n", "Rolling\n    Timeout: 1800\n")
        );
        let config = format!("option_settings:\n  aws:elasticbeanstalk:application:environment:\n    DEBUG: 'false'\n{MIGRATE}");
        assert_eq!(
            fixed(&config),
            config.replace(
                "'false'\n",
                "'false'\n  aws:elasticbeanstalk:command:\n    Timeout: 1800\n"
            )
        );
        let config =
            format!("option_settings:\n  - option_name: DEBUG\n    value: 'false'\n{MIGRATE}");
        assert_eq!(
            fixed(&config),
            config.replace("'false'\n", "'false'\n  - namespace: aws:elasticbeanstalk:command\n    option_name: Timeout\n    value: 1800\n")
        );
    }

    #[test]
    fn adds_an_option_settings_section() {
        assert_eq!(
            fixed(MIGRATE),
            format!(
                "{MIGRATE}option_settings:\n  aws:elasticbeanstalk:command:\n    Timeout: 1800\n"
            )
        );
        let crlf_without_final_newline = MIGRATE.trim_end().replace('\n', "\r\n");
        assert_eq!(
            fixed(&crlf_without_final_newline),
            format!("{crlf_without_final_newline}\r\noption_settings:\r\n  aws:elasticbeanstalk:command:\r\n    Timeout: 1800")
        );
        let json = "{\n  \"container_commands\": {\n    \"01_migrate\": {\"command\": \"python manage.py migrate\", \"leader_only\": true, \"timeout\": 1800}\n  }\n}\n";
        assert_eq!(
            fixed(json),
            "{\n  \"container_commands\": {\n    \"01_migrate\": {\"command\": \"python manage.py migrate\", \"leader_only\": true, \"timeout\": 1800}\n  },\n  \"option_settings\": {\n    \"aws:elasticbeanstalk:command\": {\n      \"Timeout\": 1800\n    }\n  }\n}\n"
        );
    }

    #[test]
    fn says_why_when_it_cannot_set_the_timeout() {
        let why = |files: &[(&str, &str)]| {
            let f = finding("EB002", files);
            assert!(f.fixes.is_empty(), "{:?}", f.fixes);
            f.no_fix.expect("a reason")
        };
        let shared = "option_settings:\n  aws:elasticbeanstalk:command: &timeouts\n    Timeout: 300\n  Other.aws:elasticbeanstalk:command: *timeouts\ncontainer_commands:\n  01_migrate:\n    command: python manage.py migrate\n    leader_only: true\n";
        assert!(why(&[(CONFIG, shared)]).contains("alias repeats"));
        let too_long = MIGRATE.replace("1800", "7200");
        assert!(why(&[(CONFIG, &too_long)]).contains("at most 3600 s"));
        let help = finding("EB002", &[(CONFIG, &too_long)]).help;
        assert!(help.starts_with("EB accepts at most 3600 s"), "{help}");
        let hook = [
            (
                ".platform/hooks/predeploy/01_migrate.sh",
                "#!/bin/sh\nebguard migrate -- python manage.py migrate\n",
            ),
            (
                ".ebextensions/01_options.config",
                "option_settings:\n  aws:elasticbeanstalk:command:\n    Timeout: 300\n",
            ),
        ];
        // The hook's Timeout is configured, so that value is raised.
        assert_eq!(finding("EB002", &hook).fixes.len(), 1);
        let settings = Settings {
            min_deploy_timeout: Some(1200),
            ..Settings::default()
        };
        let found = crate::rules::check(&bundle(&hook[..1]), &settings);
        let eb002 = found.iter().find(|f| f.rule.id == "EB002").expect("EB002");
        let why = eb002.no_fix.as_deref().expect("a reason");
        assert!(why.contains("platform hook"), "{why}");
    }
}
