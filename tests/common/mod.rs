//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs the built `ebguard` in `dir` with a scrubbed environment, so output never depends on
/// the terminal or the developer's settings.
pub fn ebguard(dir: &Path, args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_ebguard"))
        .args(args)
        .current_dir(dir)
        .env_remove("CLICOLOR_FORCE")
        .env("NO_COLOR", "1")
        .output()
        .expect("ebguard runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// The rule IDs of a `--format json` report, in output order.
pub fn rules_in(json: &str) -> Vec<String> {
    let doc: serde_json::Value = serde_json::from_str(json).unwrap();
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap().to_string())
        .collect()
}

pub fn testdata() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata")
}

/// One fixture bundle: `testdata/<rule dir>/<case>/`.
pub struct Case {
    pub parent: PathBuf,
    pub dir: PathBuf,
}

impl Case {
    pub fn rule_dir(&self) -> String {
        self.parent
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned()
    }
    pub fn name(&self) -> String {
        self.dir.file_name().unwrap().to_string_lossy().into_owned()
    }
}

pub fn fixture_cases() -> impl Iterator<Item = Case> {
    let mut cases = Vec::new();
    let mut rule_dirs: Vec<_> = std::fs::read_dir(testdata())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir() && p.file_name().unwrap().to_string_lossy().starts_with("EB"))
        .collect();
    rule_dirs.sort();
    for parent in rule_dirs {
        let mut dirs: Vec<_> = std::fs::read_dir(&parent)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.is_dir())
            .collect();
        dirs.sort();
        cases.extend(dirs.into_iter().map(|dir| Case {
            parent: parent.clone(),
            dir,
        }));
    }
    cases.into_iter()
}

/// Runs `git` in `dir` as a fixed author; panics on failure.
pub fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args([
            "-c",
            "user.name=ebguard",
            "-c",
            "user.email=ebguard@example.com",
        ])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `git submodule add` of the local repository `sub` at `path` in `dir` (local clones need
/// `protocol.file.allow`).
pub fn add_submodule(dir: &Path, sub: &Path, path: &str) {
    git(
        dir,
        &[
            "-c",
            "protocol.file.allow=always",
            "submodule",
            "add",
            "-q",
            sub.to_str().unwrap(),
            path,
        ],
    );
}

/// Says visibly that a test did not run, and why. Under CI (`CI` set, as `.ci/run` always
/// is) a missing tool, server or file is a failure, never a skip: CI installs everything.
pub fn skip(why: &str) {
    if std::env::var_os("CI").is_some() {
        panic!("CI must run every test, but: {why}");
    }
    eprintln!("SKIPPED: {why}");
}

/// `../shared`, which CI always has and a user's clone does not.
pub fn shared() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared");
    if dir.is_dir() {
        Some(dir)
    } else {
        skip("../shared is absent (it holds the real-world corpus); CI always has it");
        None
    }
}

/// Copies a tree, keeping file modes (hooks' executable bits matter) and symbolic links.
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let (src, dst) = (entry.path(), to.join(entry.file_name()));
        let kind = entry.file_type().unwrap();
        if kind.is_dir() {
            copy_tree(&src, &dst);
        } else if kind.is_symlink() {
            std::os::unix::fs::symlink(std::fs::read_link(&src).unwrap(), &dst).unwrap();
        } else {
            // `fs::copy` copies the permission bits too.
            std::fs::copy(&src, &dst).unwrap();
        }
    }
}

/// Runs a command to completion; panics if it cannot start.
pub fn run(cmd: &mut Command) -> std::process::Output {
    cmd.output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"))
}

/// Stdout then stderr, as text.
pub fn text(out: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Writes a file, creating its directories.
pub fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

mod db;
#[allow(unused_imports)] // only the migrate_* tests use the database helpers
pub use db::*;
