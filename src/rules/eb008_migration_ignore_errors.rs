//! EB008 migration-ignore-errors: a failed migration would not fail the deployment.

use super::common::{editable, migrations, text_edit, via_related};
use super::{Rule, Settings};
use crate::finding::{Finding, Fix, Severity};
use crate::model::{cfn_truthy, Bundle, Located};
use crate::yaml::edit::replace_scalar;

pub static RULE: Rule = Rule {
    id: "EB008",
    name: "migration-ignore-errors",
    severity: Severity::Warning,
    summary: "A migration command has `ignoreErrors: true`, so a failed migration still deploys",
    doc: include_str!("../../rules/EB008-migration-ignore-errors.md"),
    check,
};

fn check(bundle: &Bundle, settings: &Settings, out: &mut Vec<Finding>) {
    for (file, cmd) in bundle.commands() {
        // cfn-init reads ignoreErrors with its own truthiness: true/yes/y/1 (eb-facts §2.2).
        let Some((_, value)) = cmd
            .entry("ignoreErrors")
            .filter(|(_, v)| cfn_truthy(file.node(*v)))
        else {
            continue;
        };
        let Some(call) = migrations(bundle, file, cmd, settings).into_iter().next() else {
            continue;
        };
        let mut finding = Finding::new(
                &RULE,
                file.location(file.node(value).span()),
                format!(
                    "`{}` ignores errors from {} migrations: a failed migration lets the new code go live against the old schema",
                    cmd.name, call.tool
                ),
            )
            .label("migration failures are ignored")
            .related(file.location(file.node(cmd.key).span()), "this command applies migrations")
            .help("remove `ignoreErrors` so a failed migration stops the deployment");
        for (at, label) in via_related(bundle, &call) {
            finding = finding.related(at, label);
        }
        // Unsafe: EB then fails the deployment when this command fails, every part of it, where
        // it went on so far (eb-facts §2.2).
        let fix = editable(file, value)
            .map_err(|why| format!("`ignoreErrors` {why}"))
            .and_then(|()| replace_scalar(file.node(value), "false"))
            .map(|edit| {
                Fix::unsafe_(
                    "set `ignoreErrors: false` (EB then fails the deployment when this command fails)",
                    vec![text_edit(file, edit)],
                )
            });
        out.push(finding.fix_or_why(fix));
    }
}

#[cfg(test)]
mod tests {
    use crate::finding::Applicability::Unsafe;
    use crate::rules::common::fixing::{apply, finding};

    const CONFIG: &str = ".ebextensions/01_app.config";

    #[test]
    fn sets_ignore_errors_to_false() {
        let config = "container_commands:\n  01_migrate:\n    command: php artisan migrate --force\n    leader_only: true\n    ignoreErrors: \"true\"  # keeps deploying\n";
        let (title, texts) = apply("EB008", 0, Unsafe, &[(CONFIG, config)]);
        assert_eq!(
            title,
            "set `ignoreErrors: false` (EB then fails the deployment when this command fails)"
        );
        assert_eq!(texts[0], config.replace("\"true\"", "false"));
        let json = "{\"container_commands\": {\"01_migrate\": {\"command\": \"php artisan migrate --force\", \"leader_only\": true, \"ignoreErrors\": true}}}";
        let (_, texts) = apply("EB008", 0, Unsafe, &[(CONFIG, json)]);
        assert_eq!(
            texts[0],
            json.replace("\"ignoreErrors\": true", "\"ignoreErrors\": false")
        );
    }

    #[test]
    fn leaves_a_shared_ignore_errors_alone() {
        let config = "container_commands:\n  01_migrate:\n    command: php artisan migrate --force\n    leader_only: true\n    ignoreErrors: &lenient true\n  02_cache:\n    command: php artisan config:cache\n    ignoreErrors: *lenient\n";
        let f = finding("EB008", &[(CONFIG, config)]);
        assert!(f.fixes.is_empty());
        assert!(f.no_fix.unwrap().contains("alias repeats"));
    }
}
