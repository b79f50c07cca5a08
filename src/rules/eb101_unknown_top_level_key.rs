//! EB101 unknown-top-level-key: EB skips the whole file when a top-level key is unknown.

use super::common::did_you_mean;
use super::{Rule, Settings};
use crate::finding::{Finding, Severity};
use crate::model::{Bundle, Located, TOP_LEVEL_KEYS};

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
        for section in &file.sections {
            if TOP_LEVEL_KEYS.contains(&section.name.as_str()) {
                continue;
            }
            // EB validates the file before running any of it and skips every key of a file
            // with an invalid key, with only a warning event (eb-facts §1.4, §7 #8).
            let help = match did_you_mean(&section.name, TOP_LEVEL_KEYS)
                .or_else(|| containing(&section.name))
            {
                Some(key) => format!("did you mean `{key}`?"),
                None => format!(
                    "use one of EB's keys ({}), or remove this one",
                    TOP_LEVEL_KEYS.join(", ")
                ),
            };
            out.push(
                Finding::new(
                    &RULE,
                    file.location(file.node(section.key).span()),
                    format!(
                        "`{}` is not a top-level key EB knows, so EB ignores every key in this file",
                        section.name
                    ),
                )
                .label("unknown key")
                .help(help),
            );
        }
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
