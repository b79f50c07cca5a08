//! `ebguard check --stdin-filename PATH -`: an unsaved buffer linted as the file at PATH, the
//! rest of its bundle read from disk (editors, formatters, ALE, efm-langserver).

mod common;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::Value;

fn with_stdin(dir: &Path, args: &[&str], input: &str) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ebguard"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // ebguard may refuse its arguments and exit before reading stdin: a closed pipe is then
    // expected, and the exit code and messages below say what happened.
    match child.stdin.take().unwrap().write_all(input.as_bytes()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        other => other.unwrap(),
    }
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

const MIGRATE: &str =
    "container_commands:\n  01_migrate:\n    command: python3 manage.py migrate\n";

#[test]
fn stdin_is_linted_as_the_named_file_with_the_rest_of_its_bundle() {
    let dir = tempfile::tempdir().unwrap();
    let app = dir.path().join("app/.ebextensions");
    std::fs::create_dir_all(&app).unwrap();
    // On disk: a short deployment Timeout and a guarded migration. From stdin: the same file
    // with the guard removed.
    std::fs::write(
        app.join("00_timeout.config"),
        "option_settings:\n  aws:elasticbeanstalk:command:\n    Timeout: 60\n",
    )
    .unwrap();
    std::fs::write(
        app.join("01_migrate.config"),
        format!("{MIGRATE}    leader_only: true\n"),
    )
    .unwrap();
    let path = "app/.ebextensions/01_migrate.config";
    let (code, stdout, stderr) = with_stdin(
        dir.path(),
        &["check", "--format", "json", "--stdin-filename", path, "-"],
        MIGRATE,
    );
    assert_eq!(code, 1, "{stderr}");
    let report: Value = serde_json::from_str(&stdout).unwrap();
    let findings = report["findings"].as_array().unwrap();
    // Only the buffer's findings: EB002 on 00_timeout.config (the bundle migrates) is
    // another file's.
    let rules: Vec<&str> = findings
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert_eq!(rules, ["EB001"], "{stdout}");
    assert_eq!(findings[0]["path"], path);
    assert_eq!(findings[0]["line"], 2);

    // The disk's text is not read for that file: a clean buffer is clean.
    let (code, stdout, _) = with_stdin(
        dir.path(),
        &["check", "--stdin-filename", path, "-"],
        &format!("{MIGRATE}    leader_only: true\n"),
    );
    assert_eq!(code, 0, "{stdout}");
}

#[test]
fn stdin_may_name_a_file_not_saved_yet_and_a_hook() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join(".platform/hooks/predeploy")).unwrap();
    let (code, stdout, _) = with_stdin(
        dir.path(),
        &[
            "check",
            "--stdin-filename",
            ".platform/hooks/predeploy/01_migrate.sh",
            "-",
        ],
        "#!/bin/bash\npython3 manage.py migrate\n",
    );
    assert_eq!(code, 1);
    assert!(stdout.contains("error[EB006]"), "{stdout}");
    assert!(
        stdout.contains(".platform/hooks/predeploy/01_migrate.sh:2:1"),
        "{stdout}"
    );
}

#[test]
fn stdin_needs_its_file_name_and_a_bundle() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, stderr) = with_stdin(dir.path(), &["check", "-"], MIGRATE);
    assert_eq!(code, 2);
    assert!(stderr.contains("--stdin-filename"), "{stderr}");
    let (code, stdout, _) = with_stdin(
        dir.path(),
        &["check", "--stdin-filename", "x/01.config", "-"],
        MIGRATE,
    );
    assert_eq!(code, 2);
    assert!(stdout.contains("not inside a bundle"), "{stdout}");
}
