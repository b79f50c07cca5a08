//! The pre-commit hook, through the real `pre-commit`: `pre-commit try-repo` builds ebguard
//! from a committed copy of this working tree with `cargo install` (the hook is
//! `language: rust`) and runs it against a temporary repository holding a bad and a good
//! bundle.
//!
//! `pre-commit` comes from `EBGUARD_TEST_PRECOMMIT` (a path to the executable; CI installs it
//! into a virtualenv), or else from a throw-away virtualenv this test creates with
//! `pip install pre-commit` (kept under `target/tmp` for the next run). Without either, the
//! test is skipped with a message, except under CI, where it fails. It takes minutes: each
//! `try-repo` call builds ebguard in release mode.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::git;

fn run(cmd: &mut Command) -> Output {
    cmd.output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"))
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn work_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("precommit")
}

/// The `pre-commit` executable, or why there is none.
fn pre_commit() -> Result<PathBuf, String> {
    if let Some(path) = std::env::var_os("EBGUARD_TEST_PRECOMMIT") {
        return Ok(PathBuf::from(path));
    }
    let venv = work_dir().join("venv");
    let exe = venv.join("bin/pre-commit");
    if exe.is_file() {
        return Ok(exe);
    }
    let made = run(Command::new("python3").args(["-m", "venv"]).arg(&venv));
    if !made.status.success() {
        return Err(format!("python3 -m venv failed: {}", text(&made)));
    }
    let pip = run(Command::new(venv.join("bin/pip")).args(["install", "-q", "pre-commit"]));
    if !pip.status.success() {
        return Err(format!("pip install pre-commit failed: {}", text(&pip)));
    }
    Ok(exe)
}

/// A git repository holding this working tree as it is (tracked and untracked files, not
/// ignored ones, without the tests), committed. Pointed at the worktree itself, `try-repo`
/// would build HEAD plus changes to tracked files only (its shadow commit runs `git add -u`),
/// missing new files.
fn tool_repo(dest: &Path) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let listed = run(Command::new("git")
        .args([
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
        ])
        .current_dir(root));
    assert!(listed.status.success(), "{}", text(&listed));
    let _ = fs::remove_dir_all(dest);
    for rel in String::from_utf8_lossy(&listed.stdout).split('\0') {
        let from = root.join(rel);
        // Deleted but still tracked files are not in the working tree; tests are not built
        // by `cargo install`, and leaving them out keeps the revision when only they change.
        if rel.is_empty()
            || !from.is_file()
            || rel.starts_with("tests/")
            || rel.starts_with("testdata/")
        {
            continue;
        }
        let to = dest.join(rel);
        fs::create_dir_all(to.parent().unwrap()).unwrap();
        fs::copy(&from, &to).unwrap();
    }
    git(dest, &["init", "-q"]);
    git(dest, &["add", "-A"]);
    git(dest, &["commit", "-q", "-m", "ebguard under test"]);
}

fn write(path: &Path, text: &str) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

#[test]
fn pre_commit_try_repo_lints_the_bundles_of_the_changed_files() {
    let pre_commit = match pre_commit() {
        Ok(exe) => exe,
        Err(why) if std::env::var_os("CI").is_none() => {
            eprintln!("SKIPPED: no pre-commit ({why}); set EBGUARD_TEST_PRECOMMIT");
            return;
        }
        Err(why) => panic!("CI needs pre-commit: {why}"),
    };
    let work = work_dir();
    let tool = work.join("tool");
    tool_repo(&tool);
    let project = tempfile::tempdir().unwrap();
    let repo = project.path();
    git(repo, &["init", "-q"]);
    write(
        &repo.join("bad/.ebextensions/01_django.config"),
        "container_commands:\n  01_migrate:\n    command: python3 manage.py migrate\n",
    );
    write(
        &repo.join("good/.ebextensions/01_django.config"),
        "container_commands:\n  01_migrate:\n    command: python3 manage.py migrate\n    leader_only: true\n",
    );
    write(
        &repo.join("good/.platform/hooks/predeploy/01_static.sh"),
        "#!/bin/sh\npython3 manage.py collectstatic --noinput\n",
    );
    write(&repo.join("README.md"), "not part of a bundle\n");
    git(repo, &["add", "-A"]);
    // EB runs hooks directly: git must record them as executable (EB200).
    git(
        repo,
        &[
            "update-index",
            "--chmod=+x",
            "good/.platform/hooks/predeploy/01_static.sh",
        ],
    );
    let try_repo = |files: &[&str]| {
        let out = run(Command::new(&pre_commit)
            .args(["try-repo"])
            .arg(&tool)
            .args(["ebguard", "--files"])
            .args(files)
            .current_dir(repo)
            // try-repo installs into a fresh temporary store on every call, so each call runs
            // `cargo install` (what `language: rust` does), which inherits these: a kept target
            // directory and no LTO make the builds incremental; the hook is unchanged.
            .env("CARGO_TARGET_DIR", work.join("cargo-target"))
            .env("CARGO_PROFILE_RELEASE_LTO", "false")
            .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "16")
            .env("NO_COLOR", "1"));
        (out.status.code(), text(&out))
    };
    let (code, output) = try_repo(&[
        "bad/.ebextensions/01_django.config",
        "good/.ebextensions/01_django.config",
        "good/.platform/hooks/predeploy/01_static.sh",
    ]);
    assert_eq!(code, Some(1), "{output}");
    assert!(
        output.contains("ebguard...") && output.contains("Failed"),
        "{output}"
    );
    assert!(
        output.contains("bad/.ebextensions/01_django.config:2:3"),
        "{output}"
    );
    // Both bundles linted, each once, though the good one had two files passed.
    assert!(
        output.contains("1 error, 0 warnings, 0 info in 2 bundles"),
        "{output}"
    );

    // README.md is outside every bundle: the hook's `files` pattern keeps it out.
    let (code, output) = try_repo(&[
        "good/.ebextensions/01_django.config",
        "good/.platform/hooks/predeploy/01_static.sh",
        "README.md",
    ]);
    assert_eq!(code, Some(0), "{output}");
    assert!(output.contains("Passed"), "{output}");

    // `ebguard-system` runs the ebguard on PATH (here, the one under test) and builds nothing.
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_ebguard")).parent().unwrap();
    let path = std::env::join_paths(std::iter::once(bin_dir.to_path_buf()).chain(
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
    ))
    .unwrap();
    let system = run(Command::new(&pre_commit)
        .arg("try-repo")
        .arg(&tool)
        .args([
            "ebguard-system",
            "--files",
            "bad/.ebextensions/01_django.config",
        ])
        .current_dir(repo)
        .env("PATH", path)
        .env("NO_COLOR", "1"));
    let output = text(&system);
    assert_eq!(system.status.code(), Some(1), "{output}");
    assert!(
        output.contains("1 error, 0 warnings, 0 info in 1 bundle"),
        "{output}"
    );
}
