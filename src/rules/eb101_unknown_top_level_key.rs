//! EB101 unknown-top-level-key: EB skips the whole file when a top-level key is unknown.

use super::common::{did_you_mean, editable, text_edit};
use super::{Rule, Settings};
use crate::finding::{Finding, Fix, Severity};
use crate::model::{Bundle, ConfigFile, Located, Section, TOP_LEVEL_KEYS};
use crate::yaml::edit::rename_key;
use crate::yaml::NodeRef;

pub static RULE: Rule = Rule {
    id: "EB101",
    name: "unknown-top-level-key",
    severity: Severity::Error,
    summary: "A top-level key EB does not know makes EB ignore the whole file",
    doc: include_str!("../../rules/EB101-unknown-top-level-key.md"),
    check,
};

fn check(bundle: &Bundle, _: &Settings, out: &mut Vec<Finding>) {
    for file in &bundle.configs {
        // Keys already suggested in this file: two renames to one key would write it twice.
        let mut suggested = Vec::new();
        for section in &file.sections {
            if TOP_LEVEL_KEYS.contains(&section.name.as_str()) {
                continue;
            }
            // EB validates the file before running any of it and skips every key of a file
            // with an invalid key, with only a warning event (eb-facts §1.4, §7 #8).
            let suggestion =
                did_you_mean(&section.name, TOP_LEVEL_KEYS).or_else(|| containing(&section.name));
            let help = match suggestion {
                Some(key) => format!("did you mean `{key}`?"),
                None => format!(
                    "use one of EB's keys ({}), or remove this one",
                    TOP_LEVEL_KEYS.join(", ")
                ),
            };
            let finding = Finding::new(
                &RULE,
                file.location(file.node(section.key).span()),
                format!(
                    "`{}` is not a top-level key EB knows, so EB ignores every key in this file",
                    section.name
                ),
            )
            .label("unknown key")
            .help(help);
            out.push(match suggestion {
                Some(key) if suggested.contains(&key) => finding.no_fix(format!(
                    "another key of this file is renamed to `{key}` already, and EB keeps only one of two sections with the same key; merge them by hand"
                )),
                Some(key) => {
                    suggested.push(key);
                    finding.fix_or_why(rename(file, section, key))
                }
                None => finding,
            });
        }
    }
}

/// Renames the key to the one it misspells. Unsafe: EB then applies the whole file, every
/// section of it, where it skipped it so far (eb-facts §1.4).
fn rename(file: &ConfigFile, section: &Section, key: &str) -> Result<Fix, String> {
    if file.section(key).is_some() {
        // EB keeps only one of two sections with the same key (eb-facts §1.1).
        return Err(format!(
            "the file already has a section `{key}`, and EB keeps only one of two; merge them by hand"
        ));
    }
    if !fits(file.node(section.value), key) {
        return Err(format!(
            "the section does not hold what `{key}` takes; rename or remove it by hand"
        ));
    }
    editable(file, section.key).map_err(|why| format!("the key {why}"))?;
    let edit = rename_key(file.node(section.key), key)?;
    Ok(Fix::unsafe_(
        format!(
            "rename `{}` to `{key}` (EB then applies this file, which it skipped so far)",
            section.name
        ),
        vec![text_edit(file, edit)],
    ))
}

/// Whether `value` has the shape `key` takes, so the rename does not trade this finding for
/// EB103 or EB105 ones: commands are a mapping of names to mappings with a `command`
/// (eb-facts §2.2), option settings a list or a mapping (eb-facts §1.5).
fn fits(value: NodeRef<'_>, key: &str) -> bool {
    match key {
        "commands" | "container_commands" => {
            value.is_mapping()
                && value
                    .entries()
                    .iter()
                    .all(|(_, body)| body.get("command").is_some())
        }
        "option_settings" => value.is_mapping() || value.is_sequence(),
        _ => true,
    }
}

/// The longest key written inside `word`, for run-together slips such as
/// `optiocontainer_commands` (seen in the corpus), which are too far for an edit distance.
fn containing(word: &str) -> Option<&'static str> {
    let word = word.to_ascii_lowercase();
    TOP_LEVEL_KEYS
        .iter()
        .copied()
        .filter(|key| key.len() >= 5 && word.contains(&key.to_ascii_lowercase()))
        .max_by_key(|key| key.len())
}

#[cfg(test)]
mod tests {
    use crate::finding::Applicability::Unsafe;
    use crate::rules::common::fixing::{apply, findings};

    const CONFIG: &str = ".ebextensions/01_app.config";

    #[test]
    fn renames_the_key_in_its_quotes() {
        let config = "container_command:\n  01_cache:\n    command: php artisan config:cache\n";
        let (title, texts) = apply("EB101", 0, Unsafe, &[(CONFIG, config)]);
        assert_eq!(title, "rename `container_command` to `container_commands` (EB then applies this file, which it skipped so far)");
        assert_eq!(texts[0], config.replace("command:\n", "commands:\n"));
        let json = "{\"OptionSettings\": {\"aws:elasticbeanstalk:command\": {\"Timeout\": 1200}}}";
        let (_, texts) = apply("EB101", 0, Unsafe, &[(CONFIG, json)]);
        assert_eq!(texts[0], json.replace("OptionSettings", "option_settings"));
    }

    #[test]
    fn never_writes_a_key_twice() {
        let reasons = |config: &str| -> Vec<Option<String>> {
            findings(&[(CONFIG, config)])
                .into_iter()
                .filter(|f| f.rule.id == "EB101")
                .map(|f| f.no_fix.filter(|_| f.fixes.is_empty()))
                .collect()
        };
        let taken = reasons("option_settings: {}\nOptionSettings:\n  aws:elasticbeanstalk:command: {Timeout: 1200}\n");
        assert!(taken[0]
            .as_deref()
            .unwrap()
            .contains("already has a section `option_settings`"));
        let twice = reasons("container_command:\n  01_a: {command: ls}\noptiocontainer_commands:\n  01_b: {command: ls}\n");
        assert_eq!(twice[0], None);
        assert!(twice[1]
            .as_deref()
            .unwrap()
            .contains("renamed to `container_commands` already"));
        let shape = reasons("container_command:\n  - ls\n");
        assert!(shape[0]
            .as_deref()
            .unwrap()
            .contains("does not hold what `container_commands` takes"));
    }
}
