//! Hook and bad-input fixtures that would not survive git: file modes that differ between the
//! file system and git's index, CRLF, broken and looping links, FIFOs. Each test writes its
//! bundle into a temporary directory, sets modes explicitly, and snapshots the full output.

mod common;

use std::fs;
use std::os::unix::fs::{symlink, PermissionsExt};
use std::path::Path;
use std::process::Command;

use common::{ebguard, Run};

/// Writes `rel` under `root` with `mode`.
fn write(root: &Path, rel: &str, content: &[u8], mode: u32) {
    let path = root.join(rel);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(&path, content).unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(mode)).unwrap();
}

/// `ebguard check` on `bundle` inside `parent`, text and JSON, as one snapshot.
fn check(parent: &Path, bundle: &str) -> (Run, String) {
    let text = ebguard(parent, &["check", "--fail-on", "never", bundle]);
    let json = ebguard(
        parent,
        &["check", "--format", "json", "--fail-on", "never", bundle],
    );
    let snapshot = format!("{}\n----- json -----\n{}", text.stdout, json.stdout);
    (json, snapshot)
}

fn rules_of(run: &Run) -> Vec<String> {
    common::rules_in(&run.stdout)
}

const SCRIPT: &[u8] = b"#!/bin/bash\nset -euo pipefail\nphp artisan config:cache\n";

fn git(dir: &Path, args: &[&str]) -> bool {
    Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn file_system_modes_outside_git() {
    let tmp = tempfile::tempdir().unwrap();
    let b = tmp.path().join("bundle");
    write(&b, ".platform/hooks/predeploy/01_cache.sh", SCRIPT, 0o644);
    write(&b, ".platform/hooks/predeploy/02_ok.sh", SCRIPT, 0o755);
    // Owner-only execute still counts: EB runs hooks as root.
    write(
        &b,
        ".platform/confighooks/predeploy/01_cache.sh",
        SCRIPT,
        0o700,
    );
    // A compiled hook needs the bit just as much.
    write(
        &b,
        ".platform/hooks/postdeploy/02_tool",
        b"\x7fELF\x02\x01\x01\0\0\0",
        0o644,
    );
    let (run, snapshot) = check(tmp.path(), "bundle");
    assert_eq!(rules_of(&run), ["EB200", "EB200"], "{}", run.stdout);
    assert!(run
        .stdout
        .contains("chmod +x .platform/hooks/predeploy/01_cache.sh"));
    insta::assert_snapshot!(snapshot);
}

#[test]
fn git_index_mode_wins_over_the_file_system() {
    let tmp = tempfile::tempdir().unwrap();
    let b = tmp.path().join("bundle");
    // Executable on disk but committed 100644: what `eb deploy` ships is not executable.
    write(&b, ".platform/hooks/predeploy/01_cache.sh", SCRIPT, 0o755);
    // Not executable on disk but committed 100755: the shipped file is fine.
    write(&b, ".platform/hooks/predeploy/02_fixed.sh", SCRIPT, 0o755);
    if !git(&b, &["init", "-q"]) {
        eprintln!("SKIPPED: git is not installed");
        return;
    }
    assert!(git(&b, &["add", "."]));
    assert!(git(
        &b,
        &[
            "update-index",
            "--chmod=-x",
            ".platform/hooks/predeploy/01_cache.sh"
        ]
    ));
    fs::set_permissions(
        b.join(".platform/hooks/predeploy/02_fixed.sh"),
        fs::Permissions::from_mode(0o644),
    )
    .unwrap();
    // Untracked: zipped from the file system, so its own mode counts.
    write(&b, ".platform/hooks/postdeploy/03_new.sh", SCRIPT, 0o644);
    let (run, snapshot) = check(tmp.path(), "bundle");
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let paths: Vec<&str> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        paths,
        [
            "bundle/.platform/hooks/postdeploy/03_new.sh",
            "bundle/.platform/hooks/predeploy/01_cache.sh"
        ],
        "{}",
        run.stdout
    );
    assert!(run
        .stdout
        .contains("git update-index --chmod=+x .platform/hooks/predeploy/01_cache.sh"));
    assert!(run
        .stdout
        .contains("chmod +x .platform/hooks/postdeploy/03_new.sh"));
    insta::assert_snapshot!(snapshot);

    // With `.ebignore` the EB CLI zips the directory, not git's tree: file modes count.
    write(&b, ".ebignore", b"node_modules/\n", 0o644);
    let (run, _) = check(tmp.path(), "bundle");
    assert!(run.stdout.contains("02_fixed.sh"), "{}", run.stdout);
    assert!(!run.stdout.contains("01_cache.sh"), "{}", run.stdout);
}

#[test]
fn crlf_and_missing_shebangs() {
    let tmp = tempfile::tempdir().unwrap();
    let b = tmp.path().join("bundle");
    write(
        &b,
        ".platform/hooks/predeploy/01_crlf.sh",
        b"#!/bin/bash\r\nphp artisan config:cache\r\n",
        0o755,
    );
    // CRLF only further down: the shebang works, the commands get a stray `\r`.
    write(
        &b,
        ".platform/hooks/predeploy/02_late_crlf.sh",
        b"#!/bin/bash\n. \"$(dirname \"$0\")/lib/common.sh\"\r\nphp artisan route:cache\r\n",
        0o755,
    );
    // A helper a hook sources: not run by EB itself, so no shebang or mode needed, but its
    // CRLF breaks the hook that sources it, on any platform (EB204: EB converts hook files
    // only).
    write(
        &b,
        ".platform/hooks/predeploy/lib/common.sh",
        b"cache() {\r\n  php artisan config:cache\r\n}\r\n",
        0o644,
    );
    write(
        &b,
        ".platform/confighooks/postdeploy/01_empty.sh",
        b"",
        0o755,
    );
    write(
        &b,
        ".platform/hooks/prebuild/01_no_shebang.sh",
        b"npm ci\r\n",
        0o755,
    );
    let (run, snapshot) = check(tmp.path(), "bundle");
    let mut rules = rules_of(&run);
    rules.sort();
    assert_eq!(
        rules,
        ["EB201", "EB201", "EB201", "EB202", "EB202", "EB204"],
        "{}",
        run.stdout
    );
    insta::assert_snapshot!(snapshot);
}

#[test]
fn bad_files_give_a_finding_and_the_rest_is_still_checked() {
    let tmp = tempfile::tempdir().unwrap();
    let b = tmp.path().join("bundle");
    write(
        &b,
        ".ebextensions/01_ok.config",
        b"container_command:\n  01_cache:\n    command: php artisan config:cache\n",
        0o644,
    );
    symlink("missing.config", b.join(".ebextensions/02_broken.config")).unwrap();
    write(&b, ".ebextensions/03_binary.config", b"\0\x01\x02", 0o644);
    let big = vec![b'#'; 2 * 1024 * 1024];
    write(&b, ".ebextensions/04_big.config", &big, 0o644);
    fs::create_dir_all(b.join(".platform/hooks/predeploy")).unwrap();
    symlink(
        "../../../nowhere.sh",
        b.join(".platform/hooks/predeploy/01_broken.sh"),
    )
    .unwrap();
    // A directory link back up the tree: a loop, reported once, never followed forever.
    symlink("..", b.join(".platform/hooks/predeploy/loop")).unwrap();
    let fifo = b.join(".platform/hooks/predeploy/02_fifo.sh");
    let made_fifo = Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .is_ok_and(|s| s.success());
    write(&b, ".platform/hooks/postdeploy/01_cache.sh", SCRIPT, 0o644);
    let (run, snapshot) = check(tmp.path(), "bundle");
    assert!(run.code == 0, "{}", run.stderr);
    let rules = rules_of(&run);
    // The good files are still checked: EB101 in 01_ok.config, EB200 on the real hook.
    assert!(rules.contains(&"EB101".to_string()), "{}", run.stdout);
    assert!(rules.contains(&"EB200".to_string()), "{}", run.stdout);
    let eb100 = rules.iter().filter(|r| *r == "EB100").count();
    // Broken config link, binary, too large, broken hook link, the loop, (the FIFO).
    assert_eq!(eb100, 5 + usize::from(made_fifo), "{}", run.stdout);
    if made_fifo {
        insta::assert_snapshot!(snapshot);
    }
}

#[test]
fn alias_bomb_and_deep_nesting_are_quick_eb100() {
    let tmp = tempfile::tempdir().unwrap();
    let b = tmp.path().join("bundle");
    // Billion laughs: nine levels of nine aliases each, 9^10 nodes when expanded.
    let mut bomb = format!("a0: &a0 [{}]\n", ["\"lol\""; 9].join(", "));
    for i in 1..10 {
        let prev = format!("*a{}", i - 1);
        let items = [prev.as_str(); 9].join(", ");
        bomb.push_str(&format!("a{i}: &a{i} [{items}]\n"));
    }
    write(&b, ".ebextensions/01_bomb.config", bomb.as_bytes(), 0o644);
    let depth = 100_000;
    let deep = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
    write(&b, ".ebextensions/02_deep.config", deep.as_bytes(), 0o644);
    // Block nesting too: `- - - ... x` opens one sequence per dash.
    let deep_block = format!("{}x\n", "- ".repeat(depth));
    write(
        &b,
        ".ebextensions/03_deep_block.config",
        deep_block.as_bytes(),
        0o644,
    );
    let started = std::time::Instant::now();
    let run = ebguard(
        tmp.path(),
        &["check", "--format", "json", "--fail-on", "never", "bundle"],
    );
    let took = started.elapsed();
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let eb100: Vec<&str> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "EB100")
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert!(eb100.contains(&"bundle/.ebextensions/01_bomb.config"));
    assert!(eb100.contains(&"bundle/.ebextensions/02_deep.config"));
    assert!(eb100.contains(&"bundle/.ebextensions/03_deep_block.config"));
    // Generous for a loaded CI machine and a debug build; it takes milliseconds.
    assert!(took.as_millis() < 1000, "check took {took:?}");
}
