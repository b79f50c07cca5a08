//! `--format sarif` and `--format github` as their consumers read them: every SARIF document
//! is validated against the SARIF 2.1.0 schema plus the checks GitHub code scanning makes that
//! the schema does not (peers.md §5a), and workflow commands are parsed back.

mod common;

use std::path::Path;

use common::{ebguard, fixture_cases, shared};
use serde_json::Value;

/// The SARIF 2.1.0 schema, or `None` (with a visible skip message) without `../shared`.
fn schema() -> Option<jsonschema::Validator> {
    let path = shared()?.join("schemas/sarif-2.1.0.json");
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    Some(jsonschema::validator_for(&schema).expect("the SARIF schema compiles"))
}

/// What GitHub code scanning requires beyond the schema.
fn github_checks(log: &Value) {
    let run = &log["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), ids.len(), "rule ids must be unique");
    for rule in rules {
        for field in [
            "/shortDescription/text",
            "/fullDescription/text",
            "/help/text",
            "/help/markdown",
            "/helpUri",
        ] {
            let text = rule
                .pointer(field)
                .and_then(Value::as_str)
                .unwrap_or_default();
            assert!(!text.is_empty(), "{}: {field} is empty", rule["id"]);
        }
        assert!(rule["helpUri"].as_str().unwrap().starts_with("https://"));
    }
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    for result in run["results"].as_array().unwrap() {
        let id = result["ruleId"].as_str().unwrap();
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(ids.get(index), Some(&id), "ruleIndex points at the rule");
        assert!(
            result.get("partialFingerprints").is_none(),
            "upload-sarif computes them"
        );
        assert!(!result["message"]["text"].as_str().unwrap().is_empty());
        let locations = result["locations"].as_array().unwrap();
        assert!(
            !locations.is_empty(),
            "a result without a location fails the upload"
        );
        let related = result["relatedLocations"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        for location in locations.iter().chain(&related) {
            let physical = &location["physicalLocation"];
            let uri = physical["artifactLocation"]["uri"].as_str().unwrap();
            assert!(
                !uri.is_empty() && !uri.starts_with("./") && !uri.starts_with('/'),
                "{uri}"
            );
            assert!(!uri.contains('\\') && !uri.contains("/./"), "{uri}");
            let region = &physical["region"];
            for field in ["startLine", "startColumn", "endLine", "endColumn"] {
                assert!(region[field].as_u64().unwrap() >= 1, "{field} in {region}");
            }
            let start = (region["startLine"].as_u64(), region["startColumn"].as_u64());
            let end = (region["endLine"].as_u64(), region["endColumn"].as_u64());
            assert!(start <= end, "region ends before it starts: {region}");
        }
    }
}

fn validate(sarif: &str) -> Value {
    let log: Value = serde_json::from_str(sarif).expect("SARIF is JSON");
    if let Some(schema) = schema() {
        let errors: Vec<String> = schema
            .iter_errors(&log)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "schema errors:\n{}", errors.join("\n"));
    }
    github_checks(&log);
    log
}

#[test]
fn sarif_of_every_fixture_is_valid_and_snapshotted() {
    let mut results = 0;
    for case in fixture_cases() {
        let name = case.name();
        let run = ebguard(&case.parent, &["check", "--format", "sarif", &name]);
        assert_eq!(
            run.code, 0,
            "SARIF mode exits 0 without --fail-on\n{}",
            run.stderr
        );
        let log = validate(&run.stdout);
        results += log["runs"][0]["results"].as_array().unwrap().len();
    }
    assert!(results > 0, "no fixture produced a SARIF result");
    let case = fixture_cases()
        .find(|c| c.rule_dir().starts_with("EB001") && c.name().starts_with("fires"))
        .unwrap();
    let run = ebguard(&case.parent, &["check", "--format", "sarif", &case.name()]);
    // The results only: rule descriptors embed every doc, which the checks above cover.
    let log: Value = serde_json::from_str(&run.stdout).unwrap();
    let run = &log["runs"][0];
    assert_eq!(run["tool"]["driver"]["version"], env!("CARGO_PKG_VERSION"));
    insta::assert_snapshot!(
        "sarif_eb001_results",
        serde_json::to_string_pretty(&run["results"]).unwrap()
    );
}

#[test]
fn sarif_fails_only_when_asked() {
    let case = fixture_cases()
        .find(|c| c.rule_dir().starts_with("EB001") && c.name().starts_with("fires"))
        .unwrap();
    let name = case.name();
    let asked = ebguard(
        &case.parent,
        &["check", "--format", "sarif", "--fail-on", "error", &name],
    );
    assert_eq!(asked.code, 1);
    let missing = ebguard(&case.parent, &["check", "--format", "sarif", "no-such-dir"]);
    assert_eq!(missing.code, 2);
    let log = validate(&missing.stdout);
    assert_eq!(
        log["runs"][0]["invocations"][0]["executionSuccessful"],
        false
    );
}

#[test]
fn sarif_paths_are_relative_and_encoded() {
    let dir = tempfile::tempdir().unwrap();
    let bundle = dir.path().join("my app/.ebextensions");
    std::fs::create_dir_all(&bundle).unwrap();
    std::fs::write(
        bundle.join("01 db.config"),
        "container_commands:\n  01_migrate:\n    command: python3 manage.py migrate\n",
    )
    .unwrap();
    let run = ebguard(dir.path(), &["check", "--format", "sarif", "."]);
    let log = validate(&run.stdout);
    let uri = &log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
        ["uri"];
    assert_eq!(uri, "my%20app/.ebextensions/01%20db.config");
}

/// A bundle with `n` migrating container commands (`n` EB001 errors) and one EB008 warning.
fn noisy_bundle(dir: &Path, n: usize) {
    let mut config = String::from("container_commands:\n");
    for i in 0..n {
        config.push_str(&format!(
            "  {i:02}_migrate:\n    command: python3 manage.py migrate\n"
        ));
    }
    config.push_str("  zz_migrate:\n    command: python3 manage.py migrate\n    leader_only: true\n    ignoreErrors: true\n");
    std::fs::create_dir_all(dir.join(".ebextensions")).unwrap();
    std::fs::write(dir.join(".ebextensions/01_noisy,app.config"), config).unwrap();
}

/// A workflow command split into (command, properties, message), unescaped as the runner does.
fn parse_command(line: &str) -> (String, Vec<(String, String)>, String) {
    let rest = line.strip_prefix("::").unwrap();
    let (head, message) = rest.split_once("::").unwrap();
    let (command, props) = head.split_once(' ').unwrap_or((head, ""));
    let unescape = |s: &str| {
        s.replace("%2C", ",")
            .replace("%3A", ":")
            .replace("%0A", "\n")
            .replace("%0D", "\r")
            .replace("%25", "%")
    };
    let props = props
        .split(',')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap();
            (k.to_string(), unescape(v))
        })
        .collect();
    (command.to_string(), props, unescape(message))
}

#[test]
fn github_annotations_are_escaped_and_capped_most_severe_first() {
    let dir = tempfile::tempdir().unwrap();
    noisy_bundle(dir.path(), 13);
    let run = ebguard(dir.path(), &["check", "--format", "github", "."]);
    assert_eq!(run.code, 1);
    let lines: Vec<&str> = run.stdout.lines().collect();
    let commands: Vec<_> = lines
        .iter()
        .filter(|l| l.starts_with("::"))
        .map(|l| parse_command(l))
        .collect();
    let kinds: Vec<&str> = commands.iter().map(|c| c.0.as_str()).collect();
    assert_eq!(kinds.iter().filter(|k| **k == "error").count(), 10);
    assert_eq!(kinds.iter().filter(|k| **k == "warning").count(), 1);
    assert_eq!(kinds.last(), Some(&"notice"));
    let first = &commands[0];
    let prop = |name: &str| {
        first
            .1
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    assert_eq!(prop("file"), Some(".ebextensions/01_noisy,app.config"));
    assert_eq!(prop("line"), Some("2"));
    assert_eq!(prop("col"), Some("3"));
    assert_eq!(prop("endLine"), Some("2"));
    assert_eq!(prop("endColumn"), Some("13"));
    assert_eq!(prop("title"), Some("EB001 migration-not-leader-only"));
    assert!(first.2.contains("\nhelp: "), "{}", first.2);
    // The 3 errors past the cap are still in the log, and the notice counts them.
    let plain = lines.iter().filter(|l| !l.starts_with("::")).count();
    assert_eq!(plain, 3);
    assert!(
        commands.last().unwrap().2.starts_with("3 of 14 findings"),
        "{:?}",
        commands.last()
    );
    insta::assert_snapshot!("github_capped", run.stdout);
}
