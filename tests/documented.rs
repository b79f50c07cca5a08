//! Bundles written the way AWS documents them must pass without a single finding: a linter
//! that cries wolf on the documented setup teaches users to ignore it.

mod common;

use common::{ebguard, testdata};

#[test]
fn aws_documented_bundles_have_no_findings() {
    let dir = testdata().join("aws-documented");
    for app in ["django", "rails", "laravel"] {
        let run = ebguard(
            &dir,
            &["check", "--format", "json", "--fail-on", "info", app],
        );
        let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
        assert_eq!(
            doc["findings"],
            serde_json::json!([]),
            "{app}: {}",
            run.stdout
        );
        assert_eq!(doc["summary"]["bundles"], 1, "{app}");
        assert_eq!(run.code, 0, "{app}");
    }
}

/// The predeploy hook ebguard ships (hooks/predeploy/01_migrate.sh), installed as the docs say,
/// passes `check`: its migration runs under `ebguard migrate`, so no EB006, and it is an
/// executable script with a shebang and LF endings.
#[test]
fn the_shipped_migrate_hook_passes_check() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let hooks = dir.path().join("app/.platform/hooks/predeploy");
    std::fs::create_dir_all(&hooks).unwrap();
    let hook = hooks.join("01_migrate.sh");
    std::fs::copy(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("hooks/predeploy/01_migrate.sh"),
        &hook,
    )
    .unwrap();
    std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).unwrap();
    let run = ebguard(
        dir.path(),
        &["check", "--format", "json", "--fail-on", "info", "app"],
    );
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(doc["findings"], serde_json::json!([]), "{}", run.stdout);
    assert_eq!(doc["summary"]["files"], 1);
    assert_eq!(run.code, 0);
}

/// The README's sample sessions are what the binary prints today: `check` on the example
/// bundle, and `--diff --unsafe-fixes` on it.
#[test]
fn the_readme_shows_real_output() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    for args in [
        &["check", "examples/django-unsafe"][..],
        &[
            "check",
            "--diff",
            "--unsafe-fixes",
            "examples/django-unsafe",
        ],
    ] {
        let run = ebguard(root, args);
        assert_eq!(run.code, 1, "{}", run.stderr);
        let shown = format!(
            "```text\n$ ebguard {}\n{}{}```",
            args.join(" "),
            run.stdout,
            run.stderr
        );
        assert!(readme.contains(&shown), "README.md does not show:\n{shown}");
    }
}

/// The README's rule table lists every rule with a link to its doc.
#[test]
fn the_readme_lists_every_rule() {
    let readme =
        std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
            .unwrap();
    for rule in ebguard::rules::ALL {
        let link = format!("[{}](rules/{}-{}.md)", rule.id, rule.id, rule.name);
        assert!(readme.contains(&link), "README.md does not list {link}");
    }
}

/// Every rule doc says under `## Automatic fix` what `check --fix` / `--unsafe-fixes` does, in
/// agreement with what the rule offers on its fixtures: "No automatic fix" only for a rule that
/// offers none, a described fix only for one that does, and the words **safe** / **unsafe**
/// for each kind it offers.
#[test]
fn rule_docs_say_what_check_fix_does() {
    use ebguard::finding::Applicability;
    use std::collections::{HashMap, HashSet};

    let mut offered: HashMap<&str, HashSet<Applicability>> = HashMap::new();
    for case in common::fixture_cases() {
        let outcome = ebguard::check(
            std::slice::from_ref(&case.dir),
            &ebguard::Options::default(),
        );
        for finding in &outcome.findings {
            for fix in &finding.fixes {
                offered
                    .entry(finding.rule.id)
                    .or_default()
                    .insert(fix.applicability);
            }
        }
    }
    for rule in ebguard::rules::ALL {
        let kinds = offered.get(rule.id);
        let Some((_, section)) = rule.doc.split_once("\n## Automatic fix\n") else {
            panic!("{}: its doc has no `## Automatic fix` section", rule.id);
        };
        let section = section.split("\n## ").next().unwrap_or_default();
        match kinds {
            None => assert!(
                section.starts_with("No automatic fix"),
                "{}: the doc describes a fix, but no fixture gets one",
                rule.id
            ),
            Some(kinds) => {
                assert!(
                    !section.starts_with("No automatic fix"),
                    "{}: the doc says there is no fix, but fixtures get one",
                    rule.id
                );
                for (kind, word) in [
                    (Applicability::Safe, "**safe**"),
                    (Applicability::Unsafe, "**unsafe**"),
                ] {
                    assert_eq!(
                        section.contains(word),
                        kinds.contains(&kind),
                        "{}: the doc must call its {} fixes {word}",
                        rule.id,
                        kind.as_str()
                    );
                }
            }
        }
    }
}
