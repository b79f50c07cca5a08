//! EB103 invalid-option-setting: `option_settings` EB rejects or cannot apply.

use super::common::{did_you_mean, is_cfn_function};
use super::{Rule, Settings};
use crate::finding::{Finding, Severity};
use crate::model::{Bundle, ConfigFile, Located, OptionSetting};
use crate::yaml::NodeRef;

pub static RULE: Rule = Rule {
    id: "EB103",
    name: "invalid-option-setting",
    severity: Severity::Error,
    summary: "An `option_settings` entry is malformed or its value is outside the documented range",
    doc: include_str!("../../rules/EB103-invalid-option-setting.md"),
    check,
};

const LIST_KEYS: &[&str] = &["namespace", "option_name", "value", "resource_name"];

const SCHEDULED_ACTION: &str = "aws:autoscaling:scheduledaction";

/// The namespace of a bundle's own options (AWS, *Custom options*).
const CUSTOM_OPTIONS: &str = "aws:elasticbeanstalk:customoption";

/// `aws:elasticbeanstalk:command` `DeploymentPolicy` values (eb-facts §3.1).
const DEPLOYMENT_POLICIES: &[&str] = &[
    "AllAtOnce",
    "Rolling",
    "RollingWithAdditionalBatch",
    "Immutable",
    "TrafficSplitting",
];

fn check(bundle: &Bundle, _: &Settings, out: &mut Vec<Finding>) {
    for file in &bundle.configs {
        let Some(section) = file.section("option_settings") else {
            continue;
        };
        let node = file.node(section.value);
        if node.is_sequence() {
            for item in node.items() {
                list_entry(file, item, out);
            }
        } else if node.is_mapping() {
            for (key, options) in node.entries() {
                map_entry(file, key, options, out);
            }
        } else if !node.is_null() {
            out.push(finding(
                file,
                node,
                "`option_settings` must be a list of settings or a mapping of namespaces".into(),
                "write `option_settings:` followed by `namespace:` mappings or `- option_name:` entries",
            ));
        }
        for setting in &file.option_settings {
            setting_problems(file, setting, out);
        }
    }
}

fn finding(file: &ConfigFile, at: NodeRef<'_>, message: String, help: &str) -> Finding {
    // EB validates option settings when it applies the file and fails the update on an
    // invalid one (eb-facts §1.4, §1.5).
    Finding::new(&RULE, file.location(at.span()), message)
        .label("EB rejects this setting")
        .help(help)
}

/// A list-form entry needs `option_name` and `value` (eb-facts §1.5).
fn list_entry(file: &ConfigFile, item: NodeRef<'_>, out: &mut Vec<Finding>) {
    if !item.is_mapping() {
        out.push(finding(
            file,
            item,
            "an `option_settings` list entry must be a mapping with `option_name` and `value`".into(),
            "write the entry as `- namespace: ...`, `option_name: ...`, `value: ...` on separate lines",
        ));
        return;
    }
    let entries = item.entries();
    let missing: Vec<&str> = ["option_name", "value"]
        .into_iter()
        .filter(|k| item.get(k).is_none())
        .collect();
    let mut explained = Vec::new();
    for (key, _) in &entries {
        let Some(name) = key.as_str().filter(|k| !LIST_KEYS.contains(k)) else {
            continue;
        };
        // `option_value`, `optionName`: a misspelling of a key the entry lacks explains both.
        let meant = missing
            .iter()
            .copied()
            .find(|m| {
                name.to_ascii_lowercase()
                    .replace('_', "")
                    .contains(&m.replace('_', ""))
            })
            .or_else(|| did_you_mean(name, LIST_KEYS));
        let help = match meant {
            Some(known) => format!("did you mean `{known}`?"),
            None => "use only `namespace`, `option_name`, `value` and `resource_name`".into(),
        };
        let mut message = format!("`{name}` is not a key of an `option_settings` entry");
        if let Some(known) = meant.filter(|m| missing.contains(m)) {
            message.push_str(&format!(", so this entry has no `{known}`"));
            explained.push(known);
        }
        out.push(finding(file, *key, message, &help));
    }
    if let Some(namespace) = item.get("namespace") {
        if let Some(name) = namespace.as_str() {
            namespace_problems(
                file,
                namespace,
                name,
                item.get("resource_name").is_some(),
                out,
            );
        }
    }
    // Point at the entry's first key rather than underlining the whole entry.
    let anchor = entries.first().map_or(item, |(key, _)| *key);
    for required in missing.into_iter().filter(|m| !explained.contains(m)) {
        out.push(finding(
            file,
            anchor,
            format!("this `option_settings` entry has no `{required}`"),
            &format!("add `{required}:` to the entry"),
        ));
    }
}

/// `namespace:` (or `Name.namespace:`) with its options, in the shorthand form.
fn map_entry(file: &ConfigFile, key: NodeRef<'_>, options: NodeRef<'_>, out: &mut Vec<Finding>) {
    let Some(written) = key.as_str() else {
        return;
    };
    if !(options.is_mapping() || options.is_null()) && written.contains(':') {
        out.push(finding(
            file,
            options,
            format!("the options of `{written}` must be a mapping of option names to values"),
            "write one `OptionName: value` per line under the namespace, without `- `",
        ));
        return;
    }
    if !(options.is_mapping() || options.is_null()) {
        // `option_settings: {DEBUG: "false"}`: an option written where a namespace belongs.
        out.push(finding(
            file,
            key,
            format!("`{written}` is written where a namespace belongs, with a value instead of options"),
            &format!("for an environment property write `aws:elasticbeanstalk:application:environment:` with `{written}: ...` under it"),
        ));
        return;
    }
    let (resource, namespace) = match written.split_once('.') {
        Some((resource, ns)) if ns.contains(':') && !resource.is_empty() => (Some(resource), ns),
        _ => (None, written),
    };
    namespace_problems(file, key, namespace, resource.is_some(), out);
}

/// Every EB namespace, platform-specific ones and the `aws:elasticbeanstalk:customoption`
/// namespace for a bundle's own options included, is an `aws:` name (eb-facts §1.5; AWS
/// *Custom options*); custom platforms, retired in 2022, declared theirs in `platform.yaml`.
fn namespace_problems(
    file: &ConfigFile,
    at: NodeRef<'_>,
    namespace: &str,
    has_resource: bool,
    out: &mut Vec<Finding>,
) {
    if !namespace_shaped(namespace) {
        let fixed = format!("aws:{namespace}");
        let help = if namespace_shaped(&fixed) {
            format!("did you mean `{fixed}`?")
        } else {
            "use an EB namespace such as `aws:elasticbeanstalk:application:environment`".into()
        };
        out.push(finding(
            file,
            at,
            format!("`{namespace}` is not an EB namespace: namespaces look like `aws:elasticbeanstalk:command`"),
            &help,
        ));
    }
    if namespace == SCHEDULED_ACTION && !has_resource {
        // Each scheduled action is a named resource (eb-facts §5.1).
        out.push(finding(
            file,
            at,
            "this scheduled action has no resource name".into(),
            "name the action: `resource_name: ScaleDownAtNight` in list form, or `ScaleDownAtNight.aws:autoscaling:scheduledaction:` as the namespace key",
        ));
    }
}

fn setting_problems(file: &ConfigFile, s: &OptionSetting, out: &mut Vec<Finding>) {
    let Some(value_node) = s.value_node.map(|id| file.node(id)) else {
        return;
    };
    // A bundle's own options are read back only by `Fn::GetOptionSetting` in its `Resources`,
    // where CloudFormation takes the list as it is: AWS's ElastiCache example sets
    // `CacheSubnets:` to a list there (AWS, *Example: ElastiCache*, EC2-VPC custom). EB's own
    // namespaces take strings, several options a comma-separated one (`aws:ec2:vpc`
    // `Subnets: "subnet-1,subnet-2"`, AWS *General options for all environments*).
    if s.namespace == CUSTOM_OPTIONS {
        return;
    }
    if !(value_node.is_null() || value_node.as_str().is_some() || is_cfn_function(value_node)) {
        out.push(finding(
            file,
            value_node,
            format!("the value of `{}` is a list or mapping; EB option values are strings", s.option_name),
            "write the value as one string (a comma-separated list where the option takes several), or use a CloudFormation function such as `Ref`",
        ));
        return;
    }
    let Some(value) = s.value.as_deref() else {
        return;
    };
    // A backtick-quoted function is evaluated by EB later; its result cannot be checked here.
    if value.contains('`') {
        return;
    }
    if let Some(problem) = out_of_range(&s.namespace, &s.option_name, value) {
        out.push(finding(file, value_node, problem.0, &problem.1));
    }
}

/// `aws:` then non-empty, space-free parts separated by colons.
fn namespace_shaped(namespace: &str) -> bool {
    namespace.strip_prefix("aws:").is_some_and(|rest| {
        rest.split(':')
            .all(|part| !part.is_empty() && !part.contains(char::is_whitespace))
    })
}

/// The documented ranges of the options other rules rely on (eb-facts §3.1, §5.1).
fn out_of_range(namespace: &str, option: &str, value: &str) -> Option<(String, String)> {
    let integer = |min: u32, max: u32| match value.parse::<u32>() {
        Ok(n) if (min..=max).contains(&n) => None,
        _ => Some((
            format!(
                "`{option}` is `{value}`, but EB accepts only a whole number from {min} to {max}"
            ),
            format!("set `{option}` to a number from {min} to {max}"),
        )),
    };
    match (namespace, option) {
        ("aws:elasticbeanstalk:command", "Timeout") => integer(1, 3600),
        ("aws:elasticbeanstalk:command", "DeploymentPolicy") => {
            if DEPLOYMENT_POLICIES.contains(&value) {
                return None;
            }
            let help = match did_you_mean(value, DEPLOYMENT_POLICIES) {
                Some(policy) => format!("did you mean `{policy}`?"),
                None => format!("use one of {}", DEPLOYMENT_POLICIES.join(", ")),
            };
            Some((
                format!("`{value}` is not a deployment policy EB knows"),
                help,
            ))
        }
        (SCHEDULED_ACTION, "MinSize" | "MaxSize" | "DesiredCapacity") => integer(0, 10000),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn namespaces_are_aws_names() {
        assert!(namespace_shaped("aws:elasticbeanstalk:command"));
        assert!(namespace_shaped("aws:elbv2:listener:443"));
        assert!(!namespace_shaped("elasticbeanstalk:command"));
        assert!(!namespace_shaped("aws:"));
        assert!(!namespace_shaped("aws:elasticbeanstalk::command"));
        assert!(!namespace_shaped("aws:elastic beanstalk"));
    }

    #[test]
    fn documented_ranges() {
        let cmd = "aws:elasticbeanstalk:command";
        assert!(out_of_range(cmd, "Timeout", "1").is_none());
        assert!(out_of_range(cmd, "Timeout", "3600").is_none());
        assert!(out_of_range(cmd, "Timeout", "0").is_some());
        assert!(out_of_range(cmd, "Timeout", "3601").is_some());
        assert!(out_of_range(cmd, "Timeout", "10m").is_some());
        assert!(out_of_range(cmd, "DeploymentPolicy", "Immutable").is_none());
        let (_, help) = out_of_range(cmd, "DeploymentPolicy", "rolling").unwrap();
        assert_eq!(help, "did you mean `Rolling`?");
        assert!(out_of_range(SCHEDULED_ACTION, "MinSize", "0").is_none());
        assert!(out_of_range(SCHEDULED_ACTION, "MaxSize", "10001").is_some());
        assert!(out_of_range("aws:autoscaling:asg", "MinSize", "0").is_none());
    }
}
