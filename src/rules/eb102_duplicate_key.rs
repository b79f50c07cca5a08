//! EB102 duplicate-key: a key written twice in one mapping; one of the two is dropped.

use super::{Rule, Settings};
use crate::finding::{Finding, Severity};
use crate::model::{Bundle, Located};

pub static RULE: Rule = Rule {
    id: "EB102",
    name: "duplicate-key",
    severity: Severity::Error,
    summary: "A key is repeated in one mapping, so EB keeps only one of the two",
    doc: include_str!("../../rules/EB102-duplicate-key.md"),
    check,
};

fn check(bundle: &Bundle, _: &Settings, out: &mut Vec<Finding>) {
    for file in &bundle.configs {
        // EB keeps one of two sections with the same key (eb-facts §1.1, §7 #9); YAML loaders
        // do the same for every nested mapping, so a repeated command or option is lost too.
        for dup in &file.doc.duplicate_keys {
            out.push(
                Finding::new(
                    &RULE,
                    file.location(dup.second.clone()),
                    format!(
                        "`{}` is written twice in the same mapping; EB keeps only one of the two",
                        dup.key
                    ),
                )
                .label("repeated here")
                .related(file.location(dup.first.clone()), "first written here")
                .help("merge the two entries into one"),
            );
        }
    }
}
