//! Hostile trees and ebguard's own bugs: every odd file is reported or skipped with a reason,
//! the run never blocks or reads without bound, and a panic costs one rule, not the report.

mod common;

use std::fs;
use std::os::unix::fs::{symlink, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use ebguard::bundle;
use ebguard::finding::{Finding, Severity};
use ebguard::model::{Bundle, HookContent};
use ebguard::rules::{self, Rule, Settings};
use ebguard::yaml::Limits;

fn write(path: &Path, bytes: &[u8]) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, bytes).unwrap();
}

fn mkfifo(path: &Path) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    let status = Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo runs");
    assert!(status.success());
}

/// The hostile tree of issue 6, in two bundles (a directory and a file cannot share the name
/// `x.config` in one directory).
fn hostile_tree(root: &Path) {
    let ext = root.join("a/.ebextensions");
    write(
        &ext.join("01_fine.config"),
        b"container_commands:\n  01_migrate:\n    command: python manage.py migrate\n",
    );
    // A link back to its own directory: walking into it would never end.
    symlink(".", ext.join("loop.config")).unwrap();
    // A link to itself: opening it fails with ELOOP.
    symlink("self.config", ext.join("self.config")).unwrap();
    // Opening a FIFO for reading blocks until a writer appears, which is never.
    mkfifo(&ext.join("fifo.config"));
    mkfifo(&root.join("a/.platform/hooks/predeploy/01_fifo.sh"));
    // Tests run as root here, and root reads a mode-000 file anyway; /proc/self/mem cannot be
    // read at offset 0 by anyone (EIO), so the link to it is unreadable for every user.
    write(&ext.join("mode000.config"), b"option_settings: {}\n");
    fs::set_permissions(
        ext.join("mode000.config"),
        fs::Permissions::from_mode(0o000),
    )
    .unwrap();
    symlink("/proc/self/mem", ext.join("unreadable.config")).unwrap();
    fs::create_dir_all(ext.join("x.config")).unwrap();
    write(&ext.join("x.config/inner.config"), b"commands: {}\n");
    // 200 MB that takes no disk: only the first MiB may ever be read.
    let big = fs::File::create(ext.join("big.config")).unwrap();
    big.set_len(200 * 1024 * 1024).unwrap();

    let mut elf = b"\x7fELF\x02\x01\x01\x00".to_vec();
    elf.extend_from_slice(&[0u8; 64]);
    write(&root.join("b/.ebextensions/x.config"), &elf);
}

fn problem<'a>(bundle: &'a Bundle, file_name: &str) -> &'a str {
    let config = bundle
        .configs
        .iter()
        .find(|c| c.file_name == file_name)
        .unwrap_or_else(|| panic!("{file_name} is not in the model"));
    config
        .problem
        .as_ref()
        .map(|p| p.message.as_str())
        .unwrap_or_else(|| panic!("{file_name} has no problem"))
}

#[test]
fn every_hostile_file_is_reported_with_a_reason_and_the_run_is_quick() {
    let tmp = tempfile::tempdir().unwrap();
    hostile_tree(tmp.path());
    let started = Instant::now();
    let outcome = ebguard::check(&[tmp.path().to_path_buf()], &ebguard::Options::default());
    let took = started.elapsed();

    let [a, b] = outcome.bundles.as_slice() else {
        panic!("two bundles expected, got {}", outcome.bundles.len());
    };
    let loop_reason = problem(a, "loop.config");
    assert!(
        loop_reason.contains("loop") || loop_reason.contains("a directory, not a file"),
        "{loop_reason}"
    );
    assert!(
        problem(a, "self.config").contains("symbolic link"),
        "{}",
        problem(a, "self.config")
    );
    assert!(problem(a, "fifo.config").contains("not a regular file"));
    assert!(problem(a, "unreadable.config").contains("cannot read"));
    assert!(problem(a, "x.config").contains("a directory, not a file"));
    assert!(a
        .ignored_ebextensions
        .iter()
        .any(|f| f.rel_path == ".ebextensions/x.config/inner.config"));
    let big = problem(a, "big.config");
    assert!(
        big.contains("209715200 bytes") && big.contains("limit of 1048576"),
        "{big}"
    );
    // Root reads a mode-000 file, so it is checked like any other; anyone else cannot.
    let mode000 = a.configs.iter().find(|c| c.file_name == "mode000.config");
    if let Some(reason) = mode000.and_then(|c| c.problem.as_ref()) {
        assert!(reason.message.contains("Permission denied"), "{reason:?}");
    }
    let fifo_hook = &a.hooks[0];
    assert!(
        matches!(&fifo_hook.content, HookContent::Unreadable(r) if r.contains("not a regular file")),
        "{:?}",
        fifo_hook.content
    );
    assert!(problem(b, "x.config").contains("the file is binary"));
    // The good file is still checked.
    assert!(outcome
        .findings
        .iter()
        .any(|f| f.rule.id == "EB001" && f.location.path.ends_with("01_fine.config")));
    // Milliseconds in practice; the bound only catches a blocking open or an unbounded read.
    assert!(took < Duration::from_secs(10), "took {took:?}");
}

#[test]
fn the_binary_finishes_on_the_hostile_tree() {
    let tmp = tempfile::tempdir().unwrap();
    hostile_tree(tmp.path());
    let mut child = Command::new(env!("CARGO_BIN_EXE_ebguard"))
        .args(["check", "--format", "json"])
        .arg(tmp.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            child.kill().unwrap();
            panic!("ebguard check did not finish within 20 s on the hostile tree");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("a JSON report");
    assert_eq!(doc["summary"]["bundles"], 2);
    // EB001 on the good file: findings exist, so exit 1, never a crash (101) or a signal.
    assert_eq!(out.status.code(), Some(1), "{doc}");
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn config(text: &str) -> Vec<(&'static str, Option<u32>, Vec<u8>)> {
    vec![(".ebextensions/01.config", None, text.as_bytes().to_vec())]
}

fn problem_in_memory(files: &[(&str, Option<u32>, Vec<u8>)], limits: Limits) -> String {
    let files: Vec<_> = files
        .iter()
        .map(|(p, m, b)| (*p, *m, b.as_slice()))
        .collect();
    let bundle = bundle::in_memory("app", &files, limits);
    let config = &bundle.configs[0];
    assert_eq!(config.source.path, "app/.ebextensions/01.config");
    config.problem.as_ref().expect("a problem").message.clone()
}

#[test]
fn each_limit_names_itself() {
    let deep = format!("a: {}1{}\n", "[".repeat(500), "]".repeat(500));
    let message = problem_in_memory(&config(&deep), Limits::default());
    assert!(
        message.contains("nests deeper than 128 levels"),
        "{message}"
    );

    let bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n";
    let message = problem_in_memory(&config(bomb), Limits::default());
    assert!(message.contains("more than 1000000 nodes"), "{message}");

    let big = vec![(
        ".ebextensions/01.config",
        None,
        vec![b'#'; bundle::MAX_FILE_BYTES as usize + 1],
    )];
    let message = problem_in_memory(&big, Limits::default());
    assert!(message.contains("limit of 1048576"), "{message}");

    let long: String = (0..2000).map(|i| format!("k{i}: [1, 2, 3]\n")).collect();
    let no_time = Limits {
        time_budget: Duration::ZERO,
        ..Limits::default()
    };
    let message = problem_in_memory(&config(&long), no_time);
    assert!(
        message.contains("per-file time budget of 0 ms"),
        "{message}"
    );
}

static PANICKING: Rule = Rule {
    id: "EB999",
    name: "panics-on-purpose",
    severity: Severity::Error,
    summary: "a rule with a bug, for the panic guard's test",
    doc: "# EB999 panics-on-purpose\n",
    check: panics,
};

fn panics(bundle: &Bundle, _: &Settings, _: &mut Vec<Finding>) {
    let index = bundle.configs.len() + 7;
    let _ = bundle.configs[index].file_name.len();
}

/// EB000 cannot come from a fixture bundle (that would need a bug), so a rule with a bug is
/// run through the library, next to the real rules.
#[test]
fn a_panicking_rule_becomes_eb000_and_the_rest_of_the_report_stays() {
    let tmp = tempfile::tempdir().unwrap();
    write(
        &tmp.path().join("web/.ebextensions/01.config"),
        b"container_commands:\n  01_migrate:\n    command: python manage.py migrate\n",
    );
    let mut chosen: Vec<&Rule> = rules::ALL.to_vec();
    chosen.push(&PANICKING);
    let paths: Vec<PathBuf> = vec![tmp.path().join("web")];
    let root = ebguard::bundle::discover(&paths).roots.remove(0);
    let bundle = ebguard::bundle::load(&root, ebguard::yaml::Limits::default());
    let findings = rules::check_with(&bundle, &Settings::default(), &chosen);
    let outcome = ebguard::Outcome {
        bundles: vec![bundle],
        findings,
        ..ebguard::Outcome::default()
    };

    assert!(outcome.has_internal_errors());
    let eb000 = outcome
        .findings
        .iter()
        .find(|f| f.rule.id == "EB000")
        .expect("an EB000 finding");
    assert!(
        eb000
            .message
            .contains("internal error in rule EB999 panics-on-purpose"),
        "{}",
        eb000.message
    );
    assert!(
        eb000.message.contains("index out of bounds") && eb000.message.contains("robustness.rs"),
        "{}",
        eb000.message
    );
    assert!(eb000.location.path.ends_with("web"), "{:?}", eb000.location);
    assert!(outcome.findings.iter().any(|f| f.rule.id == "EB001"));
    let text = ebguard::report::text(&outcome);
    assert!(text.contains("error[EB000]"), "{text}");
}
