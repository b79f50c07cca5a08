//! Drives the real binary over every fixture bundle in `testdata/`.
//!
//! Layout: `testdata/<RULE-ID>-<name>/<case>/` where `<case>` starts with `fires-` (the rule
//! must report at least one finding) or `ok-` (the rule must report none). Each case's full
//! text and JSON output is an insta snapshot, so every other rule's behaviour on it is pinned too.

mod common;

use std::path::Path;

use common::{ebguard, fixture_cases};

#[test]
fn every_fixture_fires_or_stays_quiet_as_named() {
    let mut checked = 0;
    let mut wrong = Vec::new();
    for case in fixture_cases() {
        let (rule_dir, name) = (case.rule_dir(), case.name());
        let rule = rule_dir.split('-').next().unwrap();
        let args = ["check", "--format", "json", "--fail-on", "never", &name];
        let json = ebguard(&case.parent, &args);
        let doc: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
        let hits = doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"] == rule)
            .count();
        let expected = match name.split('-').next() {
            Some("fires") => hits > 0,
            Some("ok") => hits == 0,
            _ => panic!("{rule_dir}/{name}: case names start with fires- or ok-"),
        };
        if !expected {
            wrong.push(format!(
                "{rule_dir}/{name}: {rule} reported {hits} time(s)\n{}",
                json.stdout
            ));
        }
        checked += 1;
    }
    assert!(checked > 0, "no fixture cases found");
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn fixture_output_snapshots() {
    for case in fixture_cases() {
        let name = case.name();
        let text = ebguard(&case.parent, &["check", "--fail-on", "never", &name]);
        let json = ebguard(
            &case.parent,
            &["check", "--format", "json", "--fail-on", "never", &name],
        );
        let snapshot = format!("{}\n----- json -----\n{}", text.stdout, json.stdout);
        insta::assert_snapshot!(format!("{}__{}", case.rule_dir(), name), snapshot);
    }
}

#[test]
fn every_rule_has_a_doc_and_fixtures_both_ways() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let cases: Vec<_> = fixture_cases().collect();
    for rule in ebguard::rules::ALL {
        let stem = format!("{}-{}", rule.id, rule.name);
        assert!(
            root.join("rules").join(format!("{stem}.md")).is_file(),
            "rules/{stem}.md is missing"
        );
        assert!(
            rule.doc
                .starts_with(&format!("# {} {}", rule.id, rule.name)),
            "{stem}: doc title"
        );
        for kind in ["fires", "ok"] {
            // EB000 reports bugs in ebguard: no bundle makes it fire without one, so its
            // firing is tested with a panicking rule in tests/robustness.rs instead.
            if rule.id == "EB000" && kind == "fires" {
                continue;
            }
            assert!(
                cases
                    .iter()
                    .any(|c| c.rule_dir() == stem && c.name().starts_with(kind)),
                "testdata/{stem}/ has no {kind}-* case"
            );
        }
    }
}

#[test]
fn exit_codes_follow_fail_on() {
    let case = fixture_cases()
        .find(|c| c.rule_dir().starts_with("EB001") && c.name().starts_with("fires"))
        .unwrap();
    let name = case.name();
    assert_eq!(ebguard(&case.parent, &["check", &name]).code, 1);
    assert_eq!(
        ebguard(&case.parent, &["check", "--fail-on", "never", &name]).code,
        0
    );
    assert_eq!(ebguard(&case.parent, &["check", "does-not-exist"]).code, 2);
}
