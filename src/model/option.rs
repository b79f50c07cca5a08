//! `option_settings` in its three forms (eb-facts §1.5) and the merged, effective view.

use std::collections::HashMap;

use super::config::ConfigFile;
use crate::yaml::{NodeId, NodeRef};

/// The namespace EB assumes when a list entry names none (eb-facts §1.5).
pub const DEFAULT_NAMESPACE: &str = "aws:elasticbeanstalk:application:environment";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OptionForm {
    /// `- namespace: …\n  option_name: …\n  value: …`
    List,
    /// `aws:namespace:\n  OptionName: value`
    Map,
    /// `ResourceName.aws:namespace:\n  OptionName: value`
    ResourceShorthand,
}

/// One option as written in one file.
#[derive(Clone, Debug)]
pub struct OptionSetting {
    pub form: OptionForm,
    pub namespace: String,
    pub option_name: String,
    pub resource_name: Option<String>,
    /// The scalar value as a string (EB values are strings on the wire), or `None` when the
    /// value is absent or not a scalar (a CloudFormation function object, a list, ...).
    pub value: Option<String>,
    /// Where to point for the whole setting: the option-name key (map forms) or the list item.
    pub at: NodeId,
    /// The value node, when present.
    pub value_node: Option<NodeId>,
}

pub(super) fn read(section: NodeRef<'_>) -> Vec<OptionSetting> {
    if section.is_sequence() {
        return section
            .items()
            .into_iter()
            .filter_map(read_list_item)
            .collect();
    }
    let mut out = Vec::new();
    for (ns_key, options) in section.entries() {
        let Some(written) = ns_key.as_str() else {
            continue;
        };
        let (form, resource_name, namespace) = split_namespace(written);
        for (name, value) in options.entries() {
            let Some(option_name) = name.as_str() else {
                continue;
            };
            out.push(OptionSetting {
                form,
                namespace: namespace.to_string(),
                option_name: option_name.to_string(),
                resource_name: resource_name.map(str::to_string),
                value: value
                    .as_str()
                    .filter(|_| !value.is_null())
                    .map(str::to_string),
                at: name.id(),
                value_node: Some(value.id()),
            });
        }
    }
    out
}

/// `Name.aws:autoscaling:scheduledaction` names a resource; namespaces themselves contain
/// colons but no dots.
fn split_namespace(written: &str) -> (OptionForm, Option<&str>, &str) {
    match written.split_once('.') {
        Some((resource, ns)) if ns.contains(':') && !resource.is_empty() => {
            (OptionForm::ResourceShorthand, Some(resource), ns)
        }
        _ => (OptionForm::Map, None, written),
    }
}

fn read_list_item(item: NodeRef<'_>) -> Option<OptionSetting> {
    let text = |key: &str| item.get(key).and_then(|n| n.as_str().map(str::to_string));
    let value = item.get("value");
    Some(OptionSetting {
        form: OptionForm::List,
        namespace: text("namespace").unwrap_or_else(|| DEFAULT_NAMESPACE.to_string()),
        option_name: text("option_name")?,
        resource_name: text("resource_name"),
        value: value
            .filter(|v| !v.is_null())
            .and_then(|v| v.as_str().map(str::to_string)),
        at: item.id(),
        value_node: value.map(|v| v.id()),
    })
}

/// The integer a scalar option value holds (`'0'`, `600`), if any.
pub fn integer_value(value: Option<&str>) -> Option<i64> {
    value?.trim().parse().ok()
}

/// A setting that survived the merge, with the file it comes from.
#[derive(Clone, Copy, Debug)]
pub struct EffectiveOption<'a> {
    pub file: &'a ConfigFile,
    pub setting: &'a OptionSetting,
}

/// The settings that survive merging `configs` in the order given: a later file overrides an
/// earlier one, per namespace, option name and resource name (eb-facts §1.2). Each kept setting
/// stays at the place its key was first set.
pub fn effective<'a>(
    configs: impl IntoIterator<Item = &'a ConfigFile>,
) -> Vec<EffectiveOption<'a>> {
    let mut order: Vec<EffectiveOption<'a>> = Vec::new();
    let mut index: HashMap<(&str, &str, Option<&str>), usize> = HashMap::new();
    for file in configs {
        for setting in &file.option_settings {
            let key = (
                setting.namespace.as_str(),
                setting.option_name.as_str(),
                setting.resource_name.as_deref(),
            );
            let entry = EffectiveOption { file, setting };
            match index.get(&key) {
                Some(&i) => order[i] = entry,
                None => {
                    index.insert(key, order.len());
                    order.push(entry);
                }
            }
        }
    }
    order
}
