//! `ebguard.toml` and inline suppressions, through the real binary.

mod common;

use std::fs;
use std::path::Path;

use common::ebguard;
use ebguard::config::FILE_NAME;

const MIGRATE: &str =
    "container_commands:\n  01_migrate:\n    command: python3 manage.py migrate\n    ignoreErrors: true\n";

fn bundle(dir: &Path, config: &str) {
    fs::create_dir_all(dir.join(".ebextensions")).unwrap();
    fs::write(dir.join(".ebextensions/01_app.config"), config).unwrap();
}

fn write_config(dir: &Path, text: &str) {
    fs::write(dir.join(FILE_NAME), text).unwrap();
}

fn rules_of(dir: &Path, args: &[&str]) -> Vec<String> {
    let mut full = vec!["check", "--format", "json", "--fail-on", "never"];
    full.extend(args);
    let run = ebguard(dir, &full);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{} {}",
                f["rule"].as_str().unwrap(),
                f["severity"].as_str().unwrap()
            )
        })
        .collect()
}

#[test]
fn the_config_next_to_the_bundle_or_up_to_the_git_root_applies() {
    let repo = tempfile::tempdir().unwrap();
    fs::create_dir(repo.path().join(".git")).unwrap();
    let app = repo.path().join("services/web");
    bundle(&app, MIGRATE);
    assert_eq!(
        rules_of(repo.path(), &["."]),
        ["EB001 error", "EB008 warning"]
    );
    write_config(
        repo.path(),
        "ignore = [\"EB001\"]\n[rules.EB008]\nseverity = \"error\"\n",
    );
    assert_eq!(rules_of(repo.path(), &["."]), ["EB008 error"]);
    // The bundle's own file wins over the repository's.
    write_config(&app, "select = [\"EB001\"]\n");
    assert_eq!(rules_of(repo.path(), &["."]), ["EB001 error"]);
    // --config replaces both.
    fs::write(
        repo.path().join("other.toml"),
        "select = [\"EB0\"]\nignore = [\"EB008\"]\n",
    )
    .unwrap();
    assert_eq!(
        rules_of(repo.path(), &["--config", "other.toml", "."]),
        ["EB001 error"]
    );
}

#[test]
fn the_search_stops_at_the_git_root() {
    let outer = tempfile::tempdir().unwrap();
    write_config(outer.path(), "ignore = [\"EB\"]\n");
    let repo = outer.path().join("repo");
    fs::create_dir_all(repo.join(".git")).unwrap();
    bundle(&repo, MIGRATE);
    assert_eq!(rules_of(&repo, &["."]), ["EB001 error", "EB008 warning"]);
}

#[test]
fn unknown_keys_stop_the_run_with_their_position() {
    let dir = tempfile::tempdir().unwrap();
    bundle(dir.path(), MIGRATE);
    write_config(dir.path(), "select = [\"EB001\"]\nmin-timeout = 900\n");
    let run = ebguard(dir.path(), &["check", "."]);
    assert_eq!(run.code, 2);
    assert!(run.stdout.contains("ebguard.toml:2:1"), "{}", run.stdout);
    assert!(run.stdout.contains("min-timeout"), "{}", run.stdout);
}

#[test]
fn migration_patterns_teach_in_house_scripts() {
    let dir = tempfile::tempdir().unwrap();
    bundle(
        dir.path(),
        "container_commands:\n  01_migrate:\n    command: ./bin/migrate.sh production\n",
    );
    assert!(rules_of(dir.path(), &["."]).is_empty());
    write_config(
        dir.path(),
        "migration-patterns = ['^\\./bin/migrate\\.sh']\n",
    );
    assert_eq!(rules_of(dir.path(), &["."]), ["EB001 error"]);
}

#[test]
fn excluded_paths_are_skipped() {
    let repo = tempfile::tempdir().unwrap();
    fs::create_dir(repo.path().join(".git")).unwrap();
    bundle(&repo.path().join("app"), MIGRATE);
    bundle(&repo.path().join("tests/fixtures/broken"), MIGRATE);
    write_config(repo.path(), "exclude = [\"tests/fixtures\"]\n");
    assert_eq!(
        rules_of(repo.path(), &["."]),
        ["EB001 error", "EB008 warning"]
    );
    write_config(repo.path(), "exclude = [\"**/*.config\"]\n");
    assert!(rules_of(repo.path(), &["."]).is_empty());
}

#[test]
fn no_ignores_turns_suppressions_off() {
    let dir = tempfile::tempdir().unwrap();
    bundle(
        dir.path(),
        "container_commands:\n  # ebguard: ignore[EB001] single instance\n  01_migrate:\n    command: python3 manage.py migrate\n",
    );
    assert!(rules_of(dir.path(), &["."]).is_empty());
    assert_eq!(
        rules_of(dir.path(), &["--no-ignores", "."]),
        ["EB001 error"]
    );
}

#[test]
fn min_deploy_timeout_raises_eb002s_floor_and_the_flag_wins() {
    let dir = tempfile::tempdir().unwrap();
    bundle(
        dir.path(),
        "option_settings:\n  aws:elasticbeanstalk:command:\n    Timeout: 900\ncontainer_commands:\n  01_migrate:\n    command: python3 manage.py migrate\n    leader_only: true\n",
    );
    assert!(rules_of(dir.path(), &["."]).is_empty());
    write_config(dir.path(), "min-deploy-timeout = 1800\n");
    assert_eq!(rules_of(dir.path(), &["."]), ["EB002 warning"]);
    assert!(rules_of(dir.path(), &["--min-timeout", "600", "."]).is_empty());
}
