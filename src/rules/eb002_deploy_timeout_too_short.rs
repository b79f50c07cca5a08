//! EB002 deploy-timeout-too-short: migrations run, but the deployment may be cut off first.

use super::common::{hook_migrations, migrations};
use super::{Rule, Settings, DEFAULT_DEPLOY_TIMEOUT};
use crate::finding::{Finding, Severity};
use crate::model::{integer_value, Bundle, Located};

pub static RULE: Rule = Rule {
    id: "EB002",
    name: "deploy-timeout-too-short",
    severity: Severity::Warning,
    summary: "Migrations run, but the deployment `Timeout` is below what the bundle needs",
    doc: include_str!("../../rules/EB002-deploy-timeout-too-short.md"),
    check,
};

const NAMESPACE: &str = "aws:elasticbeanstalk:command";

fn check(bundle: &Bundle, settings: &Settings, out: &mut Vec<Finding>) {
    // A `timeout:` key on a migration command is what its author believes it needs; EB ignores
    // the key (eb-facts §2.4), so the deployment Timeout has to cover it instead.
    let mut asked = Vec::new();
    let mut first_migration = None;
    for (file, cmd) in bundle.commands() {
        if migrations(bundle, file, cmd, settings).is_empty() {
            continue;
        }
        first_migration.get_or_insert((file, cmd));
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
    let effective = match configured {
        Some(opt) => match integer_value(opt.setting.value.as_deref()) {
            Some(seconds) => seconds,
            // A CloudFormation function or junk: EB103 reports junk; nothing to compare.
            None => return,
        },
        None => i64::from(DEFAULT_DEPLOY_TIMEOUT),
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
    let help = format!(
        "raise it: `option_settings: {{{NAMESPACE}: {{Timeout: {needed}}}}}` (1-3600 s; EB waits Timeout + 240 s)"
    );
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
    out.push(finding.help(help));
}
