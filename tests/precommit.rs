//! The `language: rust` pre-commit hook of this repository, through the real `pre-commit`:
//! `pre-commit try-repo` builds ebguard from a committed copy of this working tree with
//! `cargo install` and runs it against a temporary repository holding a bad and a good
//! bundle. The `language: python` hook of the mirror (pre-commit/) is tested in
//! tests/distribution.rs, installed from the wheel.
//!
//! `pre-commit` comes from `EBGUARD_TEST_PRECOMMIT` (a path to the executable; `.ci/run`
//! installs it into a throw-away virtualenv). Without it the test is skipped with a message,
//! except under CI, where it fails. It takes minutes: each `try-repo` call builds ebguard in
//! release mode.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{git, run, text, write};

fn work_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("precommit")
}

/// The `pre-commit` executable, or why there is none.
fn pre_commit() -> Result<PathBuf, String> {
    std::env::var_os("EBGUARD_TEST_PRECOMMIT")
        .map(PathBuf::from)
        .ok_or_else(|| "EBGUARD_TEST_PRECOMMIT is not set".to_string())
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

/// Both manifests run the hook for the same files: bundle files and ebguard.toml.
#[test]
fn hook_manifests_match_bundle_files_and_ebguard_toml() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let pattern = "files: (^|/)(\\.(ebextensions|platform)/|ebguard\\.toml$)";
    let rust = fs::read_to_string(root.join(".pre-commit-hooks.yaml")).unwrap();
    let python = fs::read_to_string(root.join("pre-commit/.pre-commit-hooks.yaml")).unwrap();
    assert_eq!(rust.matches(pattern).count(), 2, "{rust}");
    assert_eq!(python.matches(pattern).count(), 1, "{python}");
    assert!(python.contains("language: python"));
    let re = regex::Regex::new(r"(^|/)(\.(ebextensions|platform)/|ebguard\.toml$)").unwrap();
    for path in [
        "app/.ebextensions/01.config",
        ".platform/hooks/predeploy/01.sh",
        "ebguard.toml",
        "apps/web/ebguard.toml",
    ] {
        assert!(re.is_match(path), "{path}");
    }
    for path in [
        "README.md",
        "my-ebguard.toml",
        "ebguard.toml.bak",
        "src/platform/x.py",
    ] {
        assert!(!re.is_match(path), "{path}");
    }
}

/// pre-commit passes `ebguard.toml` alone when only the configuration changed: ebguard then
/// checks every bundle the file applies to, also from above all of them.
#[test]
fn checking_an_ebguard_toml_checks_the_bundles_it_applies_to() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path();
    write(
        &repo.join("apps/web/.ebextensions/01.config"),
        "container_commands:\n  01_migrate:\n    command: python3 manage.py migrate\n",
    );
    write(
        &repo.join("apps/worker/.ebextensions/01.config"),
        "container_commands:\n  01_migrate:\n    command: python3 manage.py migrate\n    leader_only: true\n    test: test -f manage.py\n",
    );
    write(
        &repo.join("ebguard.toml"),
        "[rules.EB004]\nseverity = \"error\"\n",
    );
    let run = common::ebguard(repo, &["check", "ebguard.toml"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("error[EB004]"), "{}", run.stdout);
    assert!(
        run.stdout
            .contains("2 errors, 0 warnings, 0 info in 2 bundles"),
        "{}",
        run.stdout
    );
    // Inside a bundle, the file stands for that bundle.
    write(
        &repo.join("apps/worker/ebguard.toml"),
        "ignore = [\"EB004\"]\n",
    );
    let run = common::ebguard(repo, &["check", "apps/worker/ebguard.toml"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("in 1 bundle"), "{}", run.stdout);
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
            // The hook's behaviour is under test, not its speed: an unoptimised build is
            // several times quicker on CI's two cores.
            .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "0")
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
