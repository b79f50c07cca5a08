//! `check --fix`, `--unsafe-fixes` and `--diff` on the file operations the hook and file rules
//! ask for, run by the real binary in a real git work tree: executable bits (on disk and in
//! git's index, which is what `eb deploy` ships), line endings, and renames.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Stdio};

use common::{ebguard, git};

const HOOK: &str = ".platform/hooks/predeploy/01_assets.sh";
const CRLF_HOOK: &str = ".platform/hooks/postdeploy/crlf_restart.sh";
const RUNNER: &str = ".platform/hooks/predeploy/02_release.sh";
const SCRIPT: &str = "scripts/release.sh";
const YML: &str = ".ebextensions/01_options.yml";
const CONFIG: &str = ".ebextensions/01_options.config";

/// A CRLF hook whose last line has no line break.
const CRLF_TEXT: &str = "#!/bin/bash\r\ncd /var/app/current\r\nsupervisorctl restart all";
/// The same with a lone carriage return inside a line, which must survive.
const LONE_CR_TEXT: &str = "#!/bin/bash\r\nprintf 'step\r1'\r\nsupervisorctl restart all";
const OPTIONS: &str = "option_settings:\n  aws:elasticbeanstalk:command:\n    Timeout: 1200\n";

/// A committed bundle at the root of a git work tree: a hook committed `100644` (EB200), a
/// CRLF hook (EB201), a hook that executes a script committed `100644` (EB204), and
/// configuration under a `.yml` name (EB104, unsafe). The CRLF hook holds `crlf_text`.
fn repo(crlf_text: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let files: [(&str, &str, u32); 5] = [
        (HOOK, "#!/bin/bash\nnpm run build\n", 0o644),
        (CRLF_HOOK, crlf_text, 0o755),
        (RUNNER, "#!/bin/bash\n./scripts/release.sh\n", 0o755),
        (SCRIPT, "#!/bin/bash\necho released\n", 0o644),
        (YML, OPTIONS, 0o644),
    ];
    for (path, text, mode) in files {
        common::write(&root.join(path), text);
        std::fs::set_permissions(root.join(path), std::fs::Permissions::from_mode(mode)).unwrap();
    }
    git(root, &["init", "-q"]);
    // Keep the CRLF hook byte-exact whatever the machine's `core.autocrlf`.
    git(root, &["config", "core.autocrlf", "false"]);
    git(root, &["add", "-A"]);
    git(root, &["commit", "-qm", "bundle"]);
    dir
}

/// `git ls-files -s PATH`'s mode.
fn index_mode(root: &Path, path: &str) -> String {
    let out = Command::new("git")
        .args(["ls-files", "-s", "--", path])
        .current_dir(root)
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout)
        .split(' ')
        .next()
        .unwrap_or_default()
        .to_string()
}

fn executable_on_disk(path: &Path) -> bool {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o111 != 0
}

/// `git apply` (with `args`) of `patch` in `root`; its success and what it said.
fn git_apply(root: &Path, args: &[&str], patch: &str) -> (bool, String) {
    use std::io::Write;
    let mut child = Command::new("git")
        .arg("apply")
        .args(args)
        .current_dir(root)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(patch.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (out.status.success(), common::text(&out))
}

/// Every file of the work tree (not `.git`) with its bytes and whether it is executable.
fn tree(root: &Path) -> Vec<(String, Vec<u8>, bool)> {
    let mut out = Vec::new();
    let mut dirs = vec![root.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.file_name().unwrap() == ".git" {
                continue;
            }
            if path.is_dir() {
                dirs.push(path);
            } else {
                let rel = path.strip_prefix(root).unwrap().display().to_string();
                out.push((
                    rel,
                    std::fs::read(&path).unwrap(),
                    executable_on_disk(&path),
                ));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn fix_sets_executable_bits_in_git_and_converts_line_endings() {
    let dir = repo(LONE_CR_TEXT);
    let root = dir.path();
    let run = ebguard(root, &["check", "--fix", "--fail-on", "never", "."]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    for path in [HOOK, SCRIPT] {
        assert!(executable_on_disk(&root.join(path)), "{path} on disk");
        assert_eq!(index_mode(root, path), "100755", "{path} in git's index");
    }
    assert_eq!(
        std::fs::read(root.join(CRLF_HOOK)).unwrap(),
        b"#!/bin/bash\nprintf 'step\r1'\nsupervisorctl restart all",
        "only the carriage returns that end lines go"
    );
    // Renaming configuration into EB's view is unsafe: `--fix` leaves it.
    assert!(root.join(YML).is_file() && !root.join(CONFIG).exists());
    let json = ebguard(
        root,
        &["check", "--format", "json", "--fail-on", "never", "."],
    );
    let rules = common::rules_in(&json.stdout);
    assert_eq!(rules, ["EB104"], "{}", json.stdout);
    // Nothing safe is left to do.
    let again = ebguard(root, &["check", "--diff", "."]);
    assert_eq!(
        (again.code, again.stdout.as_str()),
        (0, ""),
        "{}",
        again.stderr
    );
}

#[test]
fn unsafe_fixes_rename_configuration_into_view_once() {
    let dir = repo(CRLF_TEXT);
    let root = dir.path();
    let run = ebguard(
        root,
        &["check", "--unsafe-fixes", "--fail-on", "never", "."],
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(!root.join(YML).exists());
    assert_eq!(std::fs::read_to_string(root.join(CONFIG)).unwrap(), OPTIONS);
    let json = ebguard(
        root,
        &["check", "--format", "json", "--fail-on", "never", "."],
    );
    assert_eq!(
        common::rules_in(&json.stdout),
        Vec::<String>::new(),
        "{}",
        json.stdout
    );
    let before = tree(root);
    ebguard(
        root,
        &["check", "--unsafe-fixes", "--fail-on", "never", "."],
    );
    assert_eq!(tree(root), before, "a second run changes nothing");
}

#[test]
fn diff_shows_modes_and_renames_and_git_applies_it() {
    let dir = repo(CRLF_TEXT);
    let root = dir.path();
    let safe = ebguard(root, &["check", "--diff", "."]);
    assert_eq!(safe.code, 1, "{}", safe.stderr);
    for path in [HOOK, SCRIPT] {
        let header = format!("diff --git a/{path} b/{path}\nold mode 100644\nnew mode 100755\n");
        assert!(safe.stdout.contains(&header), "{path}:\n{}", safe.stdout);
    }
    assert!(!safe.stdout.contains("rename from"), "{}", safe.stdout);
    let (ok, said) = git_apply(root, &["--check"], &safe.stdout);
    assert!(ok, "{said}\n{}", safe.stdout);

    let all = ebguard(root, &["check", "--diff", "--unsafe-fixes", "."]);
    assert_eq!(all.code, 1, "{}", all.stderr);
    let rename = format!("diff --git a/{YML} b/{CONFIG}\nrename from {YML}\nrename to {CONFIG}\n");
    assert!(all.stdout.contains(&rename), "{}", all.stdout);
    let (ok, said) = git_apply(root, &["--check", "--index"], &all.stdout);
    assert!(ok, "{said}\n{}", all.stdout);
    // Nothing was written.
    assert!(root.join(YML).is_file() && !executable_on_disk(&root.join(HOOK)));

    // The diff, applied by git, gives what `--fix` writes.
    let fixed = repo(CRLF_TEXT);
    ebguard(
        fixed.path(),
        &["check", "--unsafe-fixes", "--fail-on", "never", "."],
    );
    let (ok, said) = git_apply(root, &["--index"], &all.stdout);
    assert!(ok, "{said}");
    assert_eq!(tree(root), tree(fixed.path()));
    for path in [HOOK, SCRIPT] {
        assert_eq!(index_mode(root, path), index_mode(fixed.path(), path));
    }
}

/// Checked by absolute path from inside the repository, the diff names files relative to the
/// current directory, since `git apply` refuses absolute paths.
#[test]
fn diff_of_an_absolute_path_applies_from_the_current_directory() {
    let dir = repo(CRLF_TEXT);
    let root = dir.path().canonicalize().unwrap();
    let absolute = root.to_str().unwrap();
    let run = ebguard(&root, &["check", "--diff", "--unsafe-fixes", absolute]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(!run.stdout.contains(absolute), "{}", run.stdout);
    let rename = format!("diff --git a/{YML} b/{CONFIG}\nrename from {YML}\nrename to {CONFIG}\n");
    assert!(run.stdout.contains(&rename), "{}", run.stdout);
    let (ok, said) = git_apply(&root, &["--check", "--index"], &run.stdout);
    assert!(ok, "{said}\n{}", run.stdout);
}

/// A mode change to git's index (`MakeExecutable { git: true }`) shows the index's old mode:
/// a hook committed `100644` but `chmod +x`ed on disk must not give `old mode 100755` /
/// `new mode 100755`, which `git apply` rejects ("patch with only garbage").
#[test]
fn diff_of_an_index_mode_shows_the_index_mode() {
    let dir = repo(CRLF_TEXT);
    let root = dir.path();
    std::fs::set_permissions(root.join(HOOK), std::fs::Permissions::from_mode(0o755)).unwrap();
    let run = ebguard(root, &["check", "--diff", "."]);
    let header = format!("diff --git a/{HOOK} b/{HOOK}\nold mode 100644\nnew mode 100755\n");
    assert!(run.stdout.contains(&header), "{}", run.stdout);
    let (ok, said) = git_apply(root, &["--check", "--cached"], &run.stdout);
    assert!(ok, "{said}\n{}", run.stdout);
}

/// The diff splits lines at `\n` only: a CRLF hook with a `\r` inside a line must not give a
/// corrupt patch (`similar`'s `TextDiff::from_lines` would treat that `\r` as a line break).
#[test]
fn diff_of_a_lone_carriage_return_applies() {
    let dir = repo(LONE_CR_TEXT);
    let root = dir.path();
    let run = ebguard(root, &["check", "--diff", "."]);
    let (ok, said) = git_apply(root, &[], &run.stdout);
    assert!(ok, "{said}\n{}", run.stdout);
    assert_eq!(
        std::fs::read(root.join(CRLF_HOOK)).unwrap(),
        b"#!/bin/bash\nprintf 'step\r1'\nsupervisorctl restart all"
    );
}

/// Setting git's mode stages nothing else: `git update-index --chmod=+x PATH` would also
/// stage the file's current content (a user's unstaged edits to the hook, ebguard's own text
/// fixes), so the engine uses `--cacheinfo` with the index's blob.
#[test]
fn fix_stages_the_mode_and_nothing_else() {
    let dir = repo(CRLF_TEXT);
    let root = dir.path();
    let wip = "#!/bin/bash\nnpm run build\necho work in progress\n";
    std::fs::write(root.join(HOOK), wip).unwrap();
    ebguard(root, &["check", "--fix", "--fail-on", "never", "."]);
    assert_eq!(index_mode(root, HOOK), "100755");
    let staged = Command::new("git")
        .args(["diff", "--cached", "--", HOOK])
        .current_dir(root)
        .output()
        .unwrap();
    let staged = String::from_utf8_lossy(&staged.stdout);
    assert!(!staged.contains("work in progress"), "{staged}");
}
