//! `--write-baseline` and `--baseline`: adopt ebguard on an existing repository, fail only on
//! new findings, and keep known findings known when lines move.

mod common;

use std::fs;
use std::path::Path;

use common::ebguard;

fn write_config(dir: &Path, text: &str) {
    fs::create_dir_all(dir.join(".ebextensions")).unwrap();
    fs::write(dir.join(".ebextensions/01_app.config"), text).unwrap();
}

fn findings(dir: &Path, args: &[&str]) -> (i32, Vec<String>) {
    let mut full = vec!["check", "--format", "json"];
    full.extend(args);
    let run = ebguard(dir, &full);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let list = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| format!("{}:{}", f["rule"].as_str().unwrap(), f["line"]))
        .collect();
    (run.code, list)
}

const OLD: &str = "container_commands:\n  01_migrate:\n    command: python3 manage.py migrate\n  02_migrate_other:\n    command: python3 manage.py migrate other\n";

#[test]
fn known_findings_stay_known_when_lines_move_and_new_ones_fail() {
    let dir = tempfile::tempdir().unwrap();
    write_config(dir.path(), OLD);
    let written = ebguard(
        dir.path(),
        &["check", "--write-baseline", "ebguard-baseline.json", "."],
    );
    assert_eq!(written.code, 0, "writing a baseline accepts every finding");
    assert!(
        written.stderr.contains("wrote 2 finding(s)"),
        "{}",
        written.stderr
    );
    let baseline = fs::read_to_string(dir.path().join("ebguard-baseline.json")).unwrap();
    assert!(
        !baseline.contains("\"line\""),
        "fingerprints never hold line numbers"
    );
    insta::assert_snapshot!("baseline_file", baseline);

    let base = ["--baseline", "ebguard-baseline.json", "."];
    assert_eq!(findings(dir.path(), &base), (0, vec![]));

    // Lines move: a header comment, another section and a new harmless command above.
    let moved = format!(
        "# managed by the platform team\noption_settings:\n  aws:elasticbeanstalk:command:\n    Timeout: 1200\n{}",
        OLD.replace(
            "container_commands:\n",
            "container_commands:\n  00_collectstatic:\n    command:   python3 manage.py collectstatic\n"
        )
    );
    write_config(dir.path(), &moved);
    assert_eq!(findings(dir.path(), &base), (0, vec![]));

    // A new migration without leader_only is reported, and fails the run.
    write_config(
        dir.path(),
        &format!("{moved}  03_migrate_again:\n    command: python3 manage.py migrate\n"),
    );
    assert_eq!(
        findings(dir.path(), &base),
        (1, vec!["EB001:12".to_string()])
    );
}

#[test]
fn a_second_copy_of_a_known_finding_is_new() {
    let dir = tempfile::tempdir().unwrap();
    write_config(dir.path(), OLD);
    ebguard(dir.path(), &["check", "--write-baseline", "b.json", "."]);
    let copy = OLD.replace(
        "  02_migrate_other:",
        "  01_migrate_again:\n    command: python3 manage.py migrate\n  02_migrate_other:",
    );
    write_config(dir.path(), &copy);
    let (code, list) = findings(dir.path(), &["--baseline", "b.json", "."]);
    assert_eq!((code, list.len()), (1, 1), "{list:?}");
}

#[test]
fn an_unreadable_baseline_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    write_config(dir.path(), OLD);
    fs::write(
        dir.path().join("b.json"),
        "{\"version\": 7, \"findings\": []}",
    )
    .unwrap();
    let run = ebguard(dir.path(), &["check", "--baseline", "b.json", "."]);
    assert_eq!(run.code, 2);
    assert!(run.stdout.contains("baseline version 7"), "{}", run.stdout);
    let run = ebguard(dir.path(), &["check", "--baseline", "missing.json", "."]);
    assert_eq!(run.code, 2);
}
