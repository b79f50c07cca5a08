//! Scheduled scaling that takes the environment to zero instances (eb-facts §4.3, §5.1), written
//! either as `aws:autoscaling:scheduledaction` option settings or as a CloudFormation
//! `AWS::AutoScaling::ScheduledAction` resource on EB's own Auto Scaling group.

use super::{integer_value, Bundle, ConfigFile};
use crate::yaml::{NodeId, NodeRef};

const SCHEDULED_ACTION_NAMESPACE: &str = "aws:autoscaling:scheduledaction";
const SCHEDULED_ACTION_TYPE: &str = "AWS::AutoScaling::ScheduledAction";
/// The logical name of the Auto Scaling group EB creates for an environment; `Resources` in
/// `.ebextensions` refer to it with `Ref` (AWS, *Customizing AWS resources*, resource names).
const EB_ASG: &str = "AWSEBAutoScalingGroup";
const SIZES: [&str; 3] = ["MinSize", "MaxSize", "DesiredCapacity"];

/// How the scale-to-zero is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ZeroSource {
    /// `aws:autoscaling:scheduledaction` option settings (any of the three forms).
    OptionSettings,
    /// A `Resources` entry of type `AWS::AutoScaling::ScheduledAction`.
    Resource,
}

/// One scheduled action that sets a size of the environment's Auto Scaling group to 0.
#[derive(Clone, Debug)]
pub struct ScaleToZero<'a> {
    pub file: &'a ConfigFile,
    /// The action's resource name (option settings) or logical ID (a resource).
    pub action: String,
    /// Which of `MinSize`, `MaxSize`, `DesiredCapacity` it sets to 0, in the order written.
    pub options: Vec<String>,
    /// The first of them: its key (the option name or property) and its value.
    pub key: NodeId,
    pub value: NodeId,
    pub source: ZeroSource,
}

impl Bundle {
    /// Every scheduled action, in the files EB applies, that scales the environment to zero:
    /// option settings after EB's merge, then CloudFormation resources in file order.
    pub fn scale_to_zero(&self) -> Vec<ScaleToZero<'_>> {
        let mut out: Vec<ScaleToZero<'_>> = Vec::new();
        for e in self.effective_options() {
            let s = e.setting;
            if s.namespace != SCHEDULED_ACTION_NAMESPACE
                || !SIZES.contains(&s.option_name.as_str())
                || integer_value(s.value.as_deref()) != Some(0)
            {
                continue;
            }
            let action = s.resource_name.clone().unwrap_or_default();
            match out.iter_mut().find(|z| z.action == action) {
                Some(z) => z.options.push(s.option_name.clone()),
                None => out.push(ScaleToZero {
                    file: e.file,
                    action,
                    options: vec![s.option_name.clone()],
                    key: s.at,
                    value: s.value_node.unwrap_or(s.at),
                    source: ZeroSource::OptionSettings,
                }),
            }
        }
        for file in self.applied_configs() {
            out.extend(resources_to_zero(file));
        }
        out
    }
}

/// `Resources` entries of type `AWS::AutoScaling::ScheduledAction` whose
/// `AutoScalingGroupName` refers to EB's group and that set a size to 0.
fn resources_to_zero(file: &ConfigFile) -> Vec<ScaleToZero<'_>> {
    let Some(section) = file.section("Resources") else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (name, resource) in file.node(section.value).entries() {
        let (Some(action), Some(properties)) = (name.as_str(), resource.get("Properties")) else {
            continue;
        };
        if resource.get("Type").and_then(|t| t.as_str()) != Some(SCHEDULED_ACTION_TYPE)
            || !properties
                .get("AutoScalingGroupName")
                .is_some_and(refers_to_eb_group)
        {
            continue;
        }
        let zeros: Vec<(NodeRef<'_>, NodeRef<'_>)> = properties
            .entries()
            .into_iter()
            .filter(|(k, v)| {
                k.as_str().is_some_and(|k| SIZES.contains(&k))
                    && integer_value(v.as_str()) == Some(0)
            })
            .collect();
        let Some((key, value)) = zeros.first() else {
            continue;
        };
        out.push(ScaleToZero {
            file,
            action: action.to_string(),
            options: zeros
                .iter()
                .filter_map(|(k, _)| k.as_str().map(str::to_string))
                .collect(),
            key: key.id(),
            value: value.id(),
            source: ZeroSource::Resource,
        });
    }
    out
}

/// `{"Ref": "AWSEBAutoScalingGroup"}`, `!Ref AWSEBAutoScalingGroup`, or the name inside a
/// backtick function string.
fn refers_to_eb_group(node: NodeRef<'_>) -> bool {
    if let Some(text) = node.as_str() {
        return text == EB_ASG || (text.contains('`') && text.contains(EB_ASG));
    }
    node.get("Ref")
        .and_then(|r| r.as_str())
        .is_some_and(|r| r == EB_ASG)
}
