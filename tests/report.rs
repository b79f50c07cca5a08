//! `--format sarif` and `--format github` as their consumers read them: every SARIF document
//! is validated against the SARIF 2.1.0 schema plus the checks GitHub code scanning makes that
//! the schema does not (peers.md §5a), and workflow commands are parsed back.

mod common;

use std::path::Path;

use common::{ebguard, fixture_cases, git, shared};
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
        for field in ["/shortDescription/text", "/fullDescription/text"] {
            let text = rule.pointer(field).and_then(Value::as_str).unwrap();
            assert!(
                text.chars().count() <= 1024,
                "{}: {field} is too long",
                rule["id"]
            );
        }
        let properties = &rule["properties"];
        assert!(!properties["tags"].as_array().unwrap().is_empty());
        assert!(["very-high", "high", "medium", "low"]
            .contains(&properties["precision"].as_str().unwrap()));
        assert!(["error", "warning", "recommendation"]
            .contains(&properties["problem.severity"].as_str().unwrap()));
        assert!(
            properties.get("security-severity").is_none(),
            "reliability findings are not security alerts"
        );
    }
    let base = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
        .as_str()
        .unwrap();
    assert!(
        base.starts_with("file:///") && base.ends_with('/'),
        "{base}"
    );
    let category = run["automationDetails"]["id"].as_str().unwrap();
    assert!(
        category.starts_with("ebguard/") && category.ends_with('/'),
        "{category}"
    );
    assert!(!run["tool"]["driver"]["fullName"]
        .as_str()
        .unwrap()
        .is_empty());
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    for result in run["results"].as_array().unwrap() {
        let id = result["ruleId"].as_str().unwrap();
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(ids.get(index), Some(&id), "ruleIndex points at the rule");
        let prints = result["partialFingerprints"].as_object().unwrap();
        assert!(prints["ebguard/v1"].as_str().unwrap().len() == 32);
        assert!(
            !prints.contains_key("primaryLocationLineHash"),
            "upload-sarif computes it from the file's lines"
        );
        let text = result["message"]["text"].as_str().unwrap();
        assert!(!text.is_empty());
        let locations = result["locations"].as_array().unwrap();
        assert!(
            !locations.is_empty(),
            "a result without a location fails the upload"
        );
        let related = result["relatedLocations"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        for location in &related {
            // GitHub links a related location only from the message.
            let id = location["id"].as_u64().unwrap();
            assert!(
                text.contains(&format!("]({id})")),
                "{id} not linked: {text}"
            );
        }
        for location in locations.iter().chain(&related) {
            let physical = &location["physicalLocation"];
            let uri = physical["artifactLocation"]["uri"].as_str().unwrap();
            assert!(
                !uri.is_empty() && !uri.starts_with("./") && !uri.starts_with('/'),
                "{uri}"
            );
            assert_eq!(physical["artifactLocation"]["uriBaseId"], "%SRCROOT%");
            let decoded = percent_encoding::percent_decode_str(uri)
                .decode_utf8()
                .unwrap();
            let root = percent_encoding::percent_decode_str(base.strip_prefix("file://").unwrap());
            let file = Path::new(&*root.decode_utf8().unwrap()).join(&*decoded);
            assert!(
                !file.is_dir(),
                "a result never points at a directory: {uri}"
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
        for fix in result["fixes"].as_array().into_iter().flatten() {
            let applicability = fix["properties"]["applicability"].as_str().unwrap();
            assert!(["safe", "unsafe"].contains(&applicability), "{fix}");
            let description = fix["description"]["text"].as_str().unwrap();
            assert_eq!(
                description.contains("(unsafe: "),
                applicability == "unsafe",
                "{description}"
            );
            for change in fix["artifactChanges"].as_array().unwrap() {
                let location = &change["artifactLocation"];
                assert_eq!(location["uriBaseId"], "%SRCROOT%", "{change}");
                assert!(!location["uri"].as_str().unwrap().starts_with("./"));
                let replacements = change["replacements"].as_array().unwrap();
                assert!(!replacements.is_empty());
                for replacement in replacements {
                    let region = &replacement["deletedRegion"];
                    let start = (region["startLine"].as_u64(), region["startColumn"].as_u64());
                    let end = (region["endLine"].as_u64(), region["endColumn"].as_u64());
                    assert!(start <= end, "region ends before it starts: {region}");
                }
            }
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

/// The byte offset of a 1-based line and code-point column in `text`.
fn byte_at(text: &str, line: u64, column: u64) -> usize {
    let start: usize = text
        .split_inclusive('\n')
        .take(line as usize - 1)
        .map(str::len)
        .sum();
    let rest = &text[start..];
    start
        + rest
            .char_indices()
            .nth(column as usize - 1)
            .map_or(rest.len(), |(i, _)| i)
}

/// Every fix of every fixture, as JSON and SARIF carry it: both name the same bytes (the
/// JSON's line/column and byte offsets agree, SARIF's region converts to the same offsets)
/// and the same text; SARIF leaves out exactly the fixes with a rename or an executable bit.
#[test]
fn json_and_sarif_fixes_name_the_same_edits() {
    let mut replacements = 0;
    for case in fixture_cases() {
        let name = case.name();
        let json: Value = serde_json::from_str(
            &ebguard(&case.parent, &["check", "--format", "json", &name]).stdout,
        )
        .unwrap();
        let sarif = ebguard(&case.parent, &["check", "--format", "sarif", &name]).stdout;
        let sarif: Value = serde_json::from_str(&sarif).unwrap();
        // Fixture runs have no baseline; suppressed results are the only extra ones.
        let results: Vec<&Value> = sarif["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r.get("suppressions").is_none())
            .collect();
        let findings = json["findings"].as_array().unwrap();
        assert_eq!(results.len(), findings.len(), "{name}");
        for (finding, result) in findings.iter().zip(results) {
            assert_eq!(finding["rule"], result["ruleId"]);
            let texts: Vec<&Value> = finding["fixes"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|f| {
                    f["edits"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .all(|e| e["kind"] == "replace")
                })
                .collect();
            let sarif_fixes = result["fixes"].as_array().cloned().unwrap_or_default();
            assert_eq!(texts.len(), sarif_fixes.len(), "{name}: {finding}");
            for (fix, sarif_fix) in texts.iter().zip(&sarif_fixes) {
                assert_eq!(
                    fix["applicability"],
                    sarif_fix["properties"]["applicability"]
                );
                let title = fix["title"].as_str().unwrap();
                assert!(sarif_fix["description"]["text"]
                    .as_str()
                    .unwrap()
                    .starts_with(title));
                let sarif_edits: Vec<&Value> = sarif_fix["artifactChanges"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .flat_map(|c| c["replacements"].as_array().unwrap())
                    .collect();
                let edits = fix["edits"].as_array().unwrap();
                assert_eq!(edits.len(), sarif_edits.len());
                for (edit, replacement) in edits.iter().zip(sarif_edits) {
                    let path = edit["path"].as_str().unwrap();
                    let text = std::fs::read_to_string(case.parent.join(path)).unwrap();
                    let n = |v: &Value, k: &str| v[k].as_u64().unwrap();
                    let bytes = (n(edit, "start_byte") as usize, n(edit, "end_byte") as usize);
                    assert_eq!(
                        (
                            byte_at(&text, n(edit, "line"), n(edit, "column")),
                            byte_at(&text, n(edit, "end_line"), n(edit, "end_column"))
                        ),
                        bytes,
                        "{edit}"
                    );
                    let region = &replacement["deletedRegion"];
                    assert_eq!(
                        (
                            byte_at(&text, n(region, "startLine"), n(region, "startColumn")),
                            byte_at(&text, n(region, "endLine"), n(region, "endColumn"))
                        ),
                        bytes,
                        "{replacement}"
                    );
                    assert_eq!(edit["text"], replacement["insertedContent"]["text"]);
                    replacements += 1;
                }
            }
        }
    }
    assert!(replacements > 0, "no fixture has a fix");
}

/// EB010's safe fix, applied from the SARIF alone as a viewer applies it, unquotes the value.
#[test]
fn sarif_fix_applies_to_the_file() {
    let case = fixture_cases()
        .find(|c| c.rule_dir().starts_with("EB010") && c.name().starts_with("fires"))
        .unwrap();
    let run = ebguard(&case.parent, &["check", "--format", "sarif", &case.name()]);
    let log = validate(&run.stdout);
    let result = &log["runs"][0]["results"][0];
    let fix = &result["fixes"][0];
    assert_eq!(fix["properties"]["applicability"], "safe");
    let change = &fix["artifactChanges"][0];
    let uri = change["artifactLocation"]["uri"].as_str().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut text = std::fs::read_to_string(root.join(uri)).unwrap();
    let replacement = &change["replacements"][0];
    let region = &replacement["deletedRegion"];
    let n = |k: &str| region[k].as_u64().unwrap();
    let range = byte_at(&text, n("startLine"), n("startColumn"))
        ..byte_at(&text, n("endLine"), n("endColumn"));
    text.replace_range(
        range,
        replacement["insertedContent"]["text"].as_str().unwrap(),
    );
    assert!(
        text.contains("    leader_only: true\n") && !text.contains("\"true\""),
        "{text}"
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

/// A finding whose fix the rule skipped says why, in the text report and in JSON; the summary
/// counts only what `--fix` can repair.
#[test]
fn a_skipped_fix_says_why() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".ebextensions")).unwrap();
    // Unquoting the anchored value, or through the alias, would edit what both commands share.
    std::fs::write(
        dir.path().join(".ebextensions/01.config"),
        "container_commands:\n  01_migrate:\n    command: php artisan migrate --force\n    leader_only: &lo \"true\"\n  02_seed:\n    command: php artisan db:seed --force\n    leader_only: *lo\n",
    )
    .unwrap();
    let text = ebguard(dir.path(), &["check", "."]).stdout;
    assert!(text.contains("\n  = no automatic fix: "), "{text}");
    assert_eq!(
        text.matches("\n  = no automatic fix: ").count(),
        2,
        "{text}"
    );
    assert!(!text.contains("fixable"), "{text}");
    let json: Value =
        serde_json::from_str(&ebguard(dir.path(), &["check", "--format", "json", "."]).stdout)
            .unwrap();
    let findings = json["findings"].as_array().unwrap();
    for line in [4, 7] {
        let found = findings.iter().find(|f| f["line"] == line).unwrap();
        assert!(
            found["no_fix"].as_str().unwrap().contains("alias"),
            "{found}"
        );
        assert_eq!(found["fixes"], serde_json::json!([]));
    }
}

/// Annotations say which findings ebguard can fix, and which only with `--unsafe-fixes`.
#[test]
fn github_annotations_name_the_fixes() {
    let case = fixture_cases()
        .find(|c| c.rule_dir().starts_with("EB010") && c.name().starts_with("fires"))
        .unwrap();
    let run = ebguard(&case.parent, &["check", "--format", "github", &case.name()]);
    let messages: Vec<String> = run.stdout.lines().map(|l| parse_command(l).2).collect();
    assert!(
        messages[0].ends_with("\nfix: write `leader_only: true`"),
        "{messages:?}"
    );
    assert!(
        messages[1].ends_with("\nfix: write `leader_only: true` (unsafe: --unsafe-fixes)"),
        "{messages:?}"
    );
}

/// (uriBaseId, uri, startLine) of every result.
fn places(log: &Value) -> Vec<(String, String, u64)> {
    let mut out: Vec<_> = log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let physical = &r["locations"][0]["physicalLocation"];
            (
                physical["artifactLocation"]["uriBaseId"].to_string(),
                physical["artifactLocation"]["uri"]
                    .as_str()
                    .unwrap()
                    .to_string(),
                physical["region"]["startLine"].as_u64().unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

/// A git repository holding a migrating bundle at `apps/web`, committed on `main`, with a
/// remote whose URL carries a token.
fn repository() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().canonicalize().unwrap().join("repo");
    let web = repo.join("apps/web");
    std::fs::create_dir_all(web.join(".ebextensions")).unwrap();
    std::fs::write(
        web.join(".ebextensions/01_migrate.config"),
        "container_commands:\n  01_migrate:\n    command: python3 manage.py migrate\n",
    )
    .unwrap();
    git(&repo, &["init", "-q", "-b", "main"]);
    git(
        &repo,
        &[
            "remote",
            "add",
            "origin",
            "https://x-access-token:ghs_s3cret@github.com/acme/shop.git",
        ],
    );
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "-q", "-m", "bundle"]);
    (dir, repo)
}

#[test]
fn sarif_from_a_subdirectory_the_root_and_outside_names_the_same_files() {
    let (dir, repo) = repository();
    let web = repo.join("apps/web");
    let outside = dir.path().to_path_buf();
    let runs = [
        ebguard(&repo, &["check", "--format", "sarif", "apps/web"]),
        ebguard(&repo.join("apps"), &["check", "--format", "sarif", "web"]),
        ebguard(&web, &["check", "--format", "sarif", "."]),
        ebguard(
            &outside,
            &["check", "--format", "sarif", web.to_str().unwrap()],
        ),
    ];
    let logs: Vec<Value> = runs.iter().map(|r| validate(&r.stdout)).collect();
    let expected = vec![(
        "\"%SRCROOT%\"".to_string(),
        "apps/web/.ebextensions/01_migrate.config".to_string(),
        2,
    )];
    let head = std::process::Command::new("git")
        .args(["rev-parse", "HEAD"])
        .current_dir(&repo)
        .output()
        .unwrap();
    let head = String::from_utf8(head.stdout).unwrap().trim().to_string();
    for (log, run) in logs.iter().zip(&runs) {
        assert_eq!(places(log), expected);
        let run_json = &log["runs"][0];
        assert_eq!(
            run_json["originalUriBaseIds"]["%SRCROOT%"]["uri"],
            format!("file://{}/", repo.display())
        );
        let vcs = &run_json["versionControlProvenance"][0];
        assert_eq!(vcs["repositoryUri"], "https://github.com/acme/shop");
        assert_eq!(vcs["revisionId"], head.as_str());
        assert_eq!(vcs["branch"], "main");
        assert_eq!(vcs["mappedTo"]["uriBaseId"], "%SRCROOT%");
        assert_eq!(run_json["automationDetails"]["id"], "ebguard/apps/web/");
        assert!(
            !run.stdout.contains("s3cret"),
            "a token never reaches the report"
        );
    }
}

#[test]
fn sarif_keeps_suppressed_and_baselined_findings_with_their_state() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join(".ebextensions")).unwrap();
    std::fs::write(
        root.join(".ebextensions/01.config"),
        "container_commands:\n  # ebguard: ignore[EB001] single-instance environment\n  01_migrate:\n    command: python3 manage.py migrate\n  02_migrate:\n    command: python3 manage.py migrate\n",
    )
    .unwrap();
    let written = ebguard(root, &["check", "--write-baseline", "baseline.json"]);
    assert_eq!(written.code, 0, "{}", written.stderr);
    std::fs::write(
        root.join(".ebextensions/02.config"),
        "container_commands:\n  03_migrate:\n    command: python3 manage.py migrate\n",
    )
    .unwrap();
    let run = ebguard(
        root,
        &[
            "check",
            "--format",
            "sarif",
            "--baseline",
            "baseline.json",
            ".",
        ],
    );
    let log = validate(&run.stdout);
    let results = log["runs"][0]["results"].as_array().unwrap();
    let state = |command_line: u64| {
        results
            .iter()
            .find(|r| r["locations"][0]["physicalLocation"]["region"]["startLine"] == command_line)
            .unwrap()
    };
    let suppressed = state(3);
    assert_eq!(suppressed["suppressions"][0]["kind"], "inSource");
    assert_eq!(
        suppressed["suppressions"][0]["justification"],
        "single-instance environment"
    );
    assert_eq!(state(5)["baselineState"], "unchanged");
    let new = results
        .iter()
        .find(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                == ".ebextensions/02.config"
        })
        .unwrap();
    assert_eq!(new["baselineState"], "new");
    assert!(new.get("suppressions").is_none());
}

#[test]
fn sarif_never_points_at_a_directory() {
    // A bundle inside another: EB104 is about the inner `.ebextensions` directory.
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join(".ebextensions")).unwrap();
    std::fs::write(
        root.join(".ebextensions/01.config"),
        "option_settings: {}\n",
    )
    .unwrap();
    std::fs::create_dir_all(root.join("api/.ebextensions")).unwrap();
    std::fs::write(
        root.join("api/.ebextensions/01.config"),
        "option_settings: {}\n",
    )
    .unwrap();
    let run = ebguard(root, &["check", "--format", "sarif", "."]);
    let log = validate(&run.stdout);
    let uris: Vec<String> = places(&log).into_iter().map(|p| p.1).collect();
    assert!(
        uris.contains(&"api/.ebextensions/01.config".to_string()),
        "{uris:?}"
    );
}

#[test]
fn machine_formats_also_say_on_stderr_why_the_run_failed() {
    let dir = tempfile::tempdir().unwrap();
    for format in ["json", "sarif", "github"] {
        let run = ebguard(dir.path(), &["check", "--format", format, "missing"]);
        assert_eq!(run.code, 2);
        assert!(run.stderr.contains("missing"), "{format}: {}", run.stderr);
    }
    // A directory that holds no bundle is an error, as for `plan`.
    let run = ebguard(dir.path(), &["check", "."]);
    assert_eq!(run.code, 2);
    assert!(run.stdout.contains("no bundle here"), "{}", run.stdout);
}

/// Microsoft's SARIF validator with GitHub's rules (what GitHub's pre-flight validator runs):
/// no error and no warning on the SARIF of fixtures that exercise related locations, fixes,
/// suppressions, baselines and repository provenance.
#[test]
fn sarif_multitool_finds_no_error_or_warning() {
    let Some(multitool) = std::env::var_os("EBGUARD_TEST_SARIF_MULTITOOL") else {
        common::skip("EBGUARD_TEST_SARIF_MULTITOOL is not set (.ci/setup.d/40-sarif.sh installs @microsoft/sarif-multitool)");
        return;
    };
    let (_dir, repo) = repository();
    let out = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    let mut save = |name: &str, sarif: String| {
        let path = out.path().join(name);
        std::fs::write(&path, sarif).unwrap();
        files.push(path);
    };
    // Repository provenance, an inline suppression and a baseline.
    std::fs::write(
        repo.join("apps/web/.ebextensions/02_suppressed.config"),
        "container_commands:\n  # ebguard: ignore[EB001] single instance\n  02_migrate:\n    command: python3 manage.py migrate\n",
    )
    .unwrap();
    let baseline = out.path().join("baseline.json");
    let baseline = baseline.to_str().unwrap();
    ebguard(&repo, &["check", "--write-baseline", baseline, "."]);
    save(
        "repo.sarif",
        ebguard(
            &repo,
            &["check", "--format", "sarif", "--baseline", baseline, "."],
        )
        .stdout,
    );
    // One failing case per rule that has related locations or fixes, plus an unreadable path: the
    // validator takes about a second per file, so not every case.
    let mut seen = std::collections::HashSet::new();
    let cases =
        fixture_cases().filter(|c| c.name().starts_with("fires") && seen.insert(c.rule_dir()));
    for case in cases {
        let run = ebguard(&case.parent, &["check", "--format", "sarif", &case.name()]);
        if run.stdout.contains("\"relatedLocations\"") || run.stdout.contains("\"fixes\": [") {
            save(
                &format!("{}-{}.sarif", case.rule_dir(), case.name()),
                run.stdout,
            );
        }
    }
    save(
        "missing.sarif",
        ebguard(&repo, &["check", "--format", "sarif", "missing"]).stdout,
    );
    let report = out.path().join("validation.sarif");
    let status = std::process::Command::new(&multitool)
        .arg("validate")
        // The validator fetches each URL it finds; this machine reaches no web site, so a
        // closed loopback proxy makes those fetches fail at once instead of leaving it.
        .env("HTTPS_PROXY", "http://127.0.0.1:9")
        .env("HTTP_PROXY", "http://127.0.0.1:9")
        .args(["--rule-kind", "Sarif;Gh;Ghas", "--output"])
        .arg(&report)
        .args(&files)
        .output()
        .expect("the SARIF multitool runs");
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stdout)
    );
    let validation: Value =
        serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    let problems: Vec<String> = validation["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["level"] != "note")
        .map(|r| r.to_string())
        .collect();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
