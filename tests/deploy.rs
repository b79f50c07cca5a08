//! `ebguard deploy` with a fake `eb` on PATH that records its arguments: it lints exactly what
//! the EB CLI would upload (git's HEAD, the index with `--staged`, or the directory minus
//! `.ebignore`), never calls `eb` on a failing lint, and otherwise hands over to `eb deploy`.

mod common;

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use ebguard::bundle::shipped::{self, Request, Upload};

const BAD: &str = "container_commands:\n  01_migrate:\n    command: python3 manage.py migrate\n";
const GOOD: &str =
    "container_commands:\n  01_migrate:\n    command: python3 manage.py migrate\n    leader_only: true\n";

struct Project {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    bin: PathBuf,
}

impl Project {
    /// An EB project (with `.elasticbeanstalk/`) in a fresh git repository.
    fn new(git: bool) -> Project {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("project");
        let bin = tmp.path().join("bin");
        fs::create_dir_all(root.join(".elasticbeanstalk")).unwrap();
        fs::create_dir_all(&bin).unwrap();
        // The fake EB CLI: records one argument per line, exits with $FAKE_EB_EXIT.
        let eb = bin.join("eb");
        fs::write(
            &eb,
            "#!/bin/sh\nprintf '%s\\n' \"$@\" > \"$FAKE_EB_LOG\"\nexit \"${FAKE_EB_EXIT:-0}\"\n",
        )
        .unwrap();
        fs::set_permissions(&eb, fs::Permissions::from_mode(0o755)).unwrap();
        let project = Project {
            _tmp: tmp,
            root,
            bin,
        };
        if git {
            project.git(&["init", "-q"]);
            fs::write(project.root.join(".gitignore"), ".elasticbeanstalk/\n").unwrap();
        }
        project
    }

    fn git(&self, args: &[&str]) {
        common::git(&self.root, args);
    }

    fn commit_all(&self) {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "-m", "change"]);
    }

    fn write(&self, rel: &str, text: &str) {
        let path = self.root.join(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }

    fn log(&self) -> PathBuf {
        self.root.join("../eb-args.log")
    }

    /// Runs `ebguard deploy <args>` in `dir` (relative to the project root); returns the exit
    /// code, stdout+stderr, and the arguments `eb` got (`None` when it was not run).
    fn deploy(&self, dir: &str, args: &[&str], eb_exit: i32) -> (i32, String, Option<Vec<String>>) {
        let _ = fs::remove_file(self.log());
        let path = format!(
            "{}:{}",
            self.bin.display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let out = Command::new(env!("CARGO_BIN_EXE_ebguard"))
            .arg("deploy")
            .args(args)
            .current_dir(self.root.join(dir))
            .env("PATH", path)
            .env("FAKE_EB_LOG", self.log())
            .env("FAKE_EB_EXIT", eb_exit.to_string())
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let eb = fs::read_to_string(self.log())
            .ok()
            .map(|s| s.lines().map(str::to_string).collect());
        (out.status.code().unwrap_or(-1), text, eb)
    }
}

fn strings(list: &[&str]) -> Option<Vec<String>> {
    Some(list.iter().map(|s| s.to_string()).collect())
}

#[test]
fn a_clean_bundle_hands_arguments_over_verbatim_and_returns_ebs_exit_code() {
    let p = Project::new(true);
    p.write(".ebextensions/01_django.config", GOOD);
    p.commit_all();
    let args = [
        "--",
        "prod-env",
        "--label",
        "v 1",
        "--message=a, b: c",
        "--timeout",
        "20",
    ];
    let (code, text, eb) = p.deploy(".", &args, 3);
    assert_eq!(code, 3, "{text}");
    assert_eq!(
        eb,
        strings(&[
            "deploy",
            "prod-env",
            "--label",
            "v 1",
            "--message=a, b: c",
            "--timeout",
            "20"
        ])
    );
    assert!(text.contains("git archive HEAD"), "{text}");
    let (code, _, eb) = p.deploy(".", &[], 0);
    assert_eq!((code, eb), (0, strings(&["deploy"])));
}

#[test]
fn a_failing_bundle_never_calls_eb_and_says_why() {
    let p = Project::new(true);
    p.write(".ebextensions/01_django.config", BAD);
    p.commit_all();
    let (code, text, eb) = p.deploy(".", &["--", "prod-env"], 0);
    assert_eq!((code, eb), (1, None), "{text}");
    assert!(text.contains("EB001"), "{text}");
    assert!(text.contains("`eb deploy` was not run"), "{text}");
    // A baseline of the known finding lets it through; writing one here is refused.
    let (code, text, eb) = p.deploy(".", &["--write-baseline", "b.json"], 0);
    assert_eq!((code, eb), (2, None), "{text}");
    let written = Command::new(env!("CARGO_BIN_EXE_ebguard"))
        .args(["check", "--write-baseline", "b.json", "."])
        .current_dir(&p.root)
        .output()
        .unwrap();
    assert!(written.status.success());
    let (code, text, eb) = p.deploy(".", &["--baseline", "b.json"], 0);
    assert_eq!((code, eb), (0, strings(&["deploy"])), "{text}");
    // --fail-on never is the explicit way through.
    let (code, _, eb) = p.deploy(".", &["--fail-on", "never", "--", "prod-env"], 0);
    assert_eq!((code, eb), (0, strings(&["deploy", "prod-env"])));
}

#[test]
fn only_committed_content_counts_unless_staged() {
    let p = Project::new(true);
    p.write(".ebextensions/01_django.config", BAD);
    p.commit_all();
    // An uncommitted fix does not count: `eb deploy` would upload HEAD.
    p.write(".ebextensions/01_django.config", GOOD);
    let (code, text, eb) = p.deploy(".", &[], 0);
    assert_eq!((code, eb), (1, None), "{text}");
    // Staged, it counts for `--staged`, which `eb` is told too; whether given before or
    // after `--`.
    p.git(&["add", "-A"]);
    let (code, text, eb) = p.deploy(".", &["--staged"], 0);
    assert_eq!((code, eb), (0, strings(&["deploy", "--staged"])), "{text}");
    assert!(text.contains("staged"), "{text}");
    let (code, _, eb) = p.deploy(".", &["--", "--staged"], 0);
    assert_eq!((code, eb), (0, strings(&["deploy", "--staged"])));
    let (code, _, eb) = p.deploy(".", &[], 0);
    assert_eq!((code, eb), (1, None), "staged but not committed");
    // Committed, it counts.
    p.git(&["commit", "-q", "-m", "fix"]);
    let (code, _, eb) = p.deploy(".", &[], 0);
    assert_eq!((code, eb), (0, strings(&["deploy"])));
    // And an uncommitted breakage does not count either.
    p.write(".ebextensions/01_django.config", BAD);
    let (code, _, _) = p.deploy(".", &[], 0);
    assert_eq!(code, 0);
}

#[test]
fn from_a_subdirectory_the_project_root_is_linted_with_paths_from_here() {
    let p = Project::new(true);
    p.write(".ebextensions/01_django.config", BAD);
    p.write("app/views.py", "");
    p.commit_all();
    let (code, text, eb) = p.deploy("app", &["--format", "json"], 0);
    assert_eq!((code, eb), (1, None), "{text}");
    assert!(
        text.contains("\"path\": \"../.ebextensions/01_django.config\""),
        "{text}"
    );
}

#[test]
fn with_ebignore_the_working_directory_minus_its_patterns_is_linted() {
    let p = Project::new(true);
    p.write(".ebextensions/01_django.config", GOOD);
    p.commit_all();
    // .ebignore replaces git: uncommitted files count...
    p.write(".ebignore", "node_modules/\n");
    p.write(".ebextensions/02_local.config", BAD);
    let (code, text, eb) = p.deploy(".", &[], 0);
    assert_eq!((code, eb), (1, None), "{text}");
    assert!(text.contains(".ebignore"), "{text}");
    // ...and what it matches does not, with gitignore's rules.
    p.write(
        ".ebignore",
        "node_modules/\n.ebextensions/0[2-9]_*.config\n",
    );
    let (code, text, eb) = p.deploy(".", &["--", "--staged"], 0);
    assert_eq!((code, eb), (0, strings(&["deploy", "--staged"])), "{text}");
    p.write(".ebignore", "*.config\n!01_*.config\n");
    let (code, _, _) = p.deploy(".", &[], 0);
    assert_eq!(code, 0);
}

#[test]
fn without_git_the_directory_is_linted() {
    let p = Project::new(false);
    p.write(".ebextensions/01_django.config", BAD);
    let (code, _, eb) = p.deploy(".", &[], 0);
    assert_eq!((code, eb), (1, None));
    p.write(".ebextensions/01_django.config", GOOD);
    p.write(".ebextensions/01_django.config~", BAD);
    let (code, _, eb) = p.deploy(".", &[], 0);
    assert_eq!((code, eb), (0, strings(&["deploy"])));
}

fn mode(path: &Path) -> u32 {
    fs::metadata(path).unwrap().permissions().mode() & 0o111
}

#[test]
fn hook_modes_are_gits_not_the_working_trees() {
    let p = Project::new(true);
    let hook = ".platform/hooks/predeploy/01_migrate.sh";
    p.write(hook, "#!/bin/sh\nexit 0\n");
    p.commit_all();
    // `chmod +x` after committing: git still ships it without the executable bit.
    fs::set_permissions(p.root.join(hook), fs::Permissions::from_mode(0o755)).unwrap();
    let head = shipped::materialise(&p.root, &p.root, &Request::default()).unwrap();
    assert_eq!(head.upload, Upload::GitHead);
    assert_eq!(mode(&head.copy.path().join(hook)), 0);
    // Staged with `git update-index --chmod=+x` (or `git add` of the chmod), the index has it.
    p.git(&["update-index", "--chmod=+x", hook]);
    let staged = Request {
        staged: true,
        ..Request::default()
    };
    let index = shipped::materialise(&p.root, &p.root, &staged).unwrap();
    assert_eq!(index.upload, Upload::GitIndex);
    assert_ne!(mode(&index.copy.path().join(hook)), 0);
}

#[test]
fn deploying_an_uploaded_version_lints_nothing() {
    let p = Project::new(true);
    p.write(".ebextensions/01_django.config", BAD);
    p.commit_all();
    let (code, text, eb) = p.deploy(".", &["--", "--version", "app-v41"], 0);
    assert_eq!(
        (code, eb),
        (0, strings(&["deploy", "--version", "app-v41"])),
        "{text}"
    );
    assert!(text.contains("nothing to lint"), "{text}");
}

#[test]
fn a_missing_eb_is_a_usage_error() {
    let p = Project::new(true);
    p.write(".ebextensions/01_django.config", GOOD);
    p.commit_all();
    // The system PATH (git and tar are needed), without the fake `eb`.
    let path = std::env::var_os("PATH").unwrap_or_default();
    if std::env::split_paths(&path).any(|dir| dir.join("eb").is_file()) {
        eprintln!("SKIPPED: a real `eb` is on PATH");
        return;
    }
    let out = Command::new(env!("CARGO_BIN_EXE_ebguard"))
        .arg("deploy")
        .current_dir(&p.root)
        .env("PATH", path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot run `eb`"));
}

#[test]
fn the_project_config_applies_to_the_copy() {
    let p = Project::new(true);
    p.write(".ebextensions/01_django.config", GOOD);
    p.write(".ebextensions/02_local.config", BAD);
    p.commit_all();
    let (code, _, eb) = p.deploy(".", &[], 0);
    assert_eq!((code, eb), (1, None));
    // Read from the project root, not from the temporary copy; `exclude` names real paths.
    p.write(
        "ebguard.toml",
        "exclude = [\".ebextensions/02_*.config\"]\n",
    );
    let (code, text, eb) = p.deploy(".", &[], 0);
    assert_eq!((code, eb), (0, strings(&["deploy"])), "{text}");
    p.write("ebguard.toml", "[rules.EB001]\nseverity = \"warning\"\n");
    let (code, text, eb) = p.deploy(".", &[], 0);
    assert_eq!((code, eb), (0, strings(&["deploy"])), "{text}");
    assert!(text.contains("warning[EB001]"), "{text}");
}

#[test]
fn hooks_in_submodules_arrive_without_the_executable_bit() {
    let p = Project::new(true);
    let sub = p.root.join("../hooks-repo");
    fs::create_dir_all(sub.join("hooks/predeploy")).unwrap();
    fs::write(sub.join("hooks/predeploy/01.sh"), "#!/bin/sh\nexit 0\n").unwrap();
    fs::set_permissions(
        sub.join("hooks/predeploy/01.sh"),
        fs::Permissions::from_mode(0o755),
    )
    .unwrap();
    common::git(&sub, &["init", "-q"]);
    common::git(&sub, &["add", "-A"]);
    common::git(&sub, &["commit", "-q", "-m", "hooks"]);
    common::add_submodule(&p.root, &sub, ".platform");
    p.write(
        ".elasticbeanstalk/config.yml",
        "global:\n  sc: git\n  include_git_submodules: true\n",
    );
    p.commit_all();
    let (code, text, eb) = p.deploy(".", &["--list-files"], 0);
    assert_eq!((code, eb), (0, None), "{text}");
    let (code, json, _) = p.deploy(".", &["--list-files", "--format", "json"], 0);
    assert_eq!(code, 0);
    let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(
        doc["files"][0],
        serde_json::json!({
            "path": ".platform/hooks/predeploy/01.sh",
            "state": "file",
            "mode": "0600",
            "link": null,
            "from_submodule": true,
        })
    );
    assert!(
        text.contains("0600 .platform/hooks/predeploy/01.sh"),
        "{text}"
    );
    // Platform unknown: EB makes hooks executable itself (versions since 2022-04-29), so
    // EB200 is a portability note and the deployment goes ahead.
    let (code, text, eb) = p.deploy(".", &[], 0);
    assert_eq!((code, eb), (0, Some(vec!["deploy".to_string()])), "{text}");
    assert!(text.contains("info[EB200]"), "{text}");
    assert!(text.contains("comes from a git submodule"), "{text}");
    // A platform pinned before that date cannot run it: EB200 is an error and `eb` never runs.
    p.write(
        "ebguard.toml",
        "platform = \"64bit Amazon Linux 2 v3.3.9 running Python 3.8 (2022-01-20)\"\n",
    );
    let (code, text, eb) = p.deploy(".", &[], 0);
    assert_eq!((code, eb), (1, None), "{text}");
    assert!(text.contains("error[EB200]"), "{text}");
}
