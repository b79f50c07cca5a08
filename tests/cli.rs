//! The command line beyond the rules: output files, quiet mode, rule selection, colour,
//! completions, the man page, JSON for `rules`/`explain`, and the JSON Schemas of our reports
//! checked against real output.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs ebguard in the repository root with the environment given (and no colour variables
/// from the developer's shell); stdout is a pipe, never a terminal.
fn run_env(args: &[&str], env: &[(&str, &str)]) -> common::Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ebguard"));
    cmd.args(args).current_dir(root());
    for var in ["NO_COLOR", "FORCE_COLOR", "CLICOLOR", "CLICOLOR_FORCE"] {
        cmd.env_remove(var);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("ebguard runs");
    common::Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn run(args: &[&str]) -> common::Run {
    run_env(args, &[("NO_COLOR", "1")])
}

const UNSAFE: &str = "examples/django-unsafe";

#[test]
fn output_file_takes_the_report_for_every_format() {
    let tmp = tempfile::tempdir().unwrap();
    for format in ["text", "json", "sarif", "github"] {
        let file = tmp.path().join(format!("report.{format}"));
        let r = run_env(
            &[
                "check",
                UNSAFE,
                "--format",
                format,
                "--fail-on",
                "error",
                "--output-file",
                file.to_str().unwrap(),
                "--color",
                "always",
            ],
            &[],
        );
        assert_eq!(r.code, 1, "{format}: {}", r.stderr);
        assert!(r.stdout.is_empty(), "{format}: {}", r.stdout);
        let written = std::fs::read_to_string(&file).unwrap();
        assert!(written.contains("EB001"), "{format}: {written}");
        assert!(
            !written.contains('\x1b'),
            "{format}: a file is never coloured"
        );
    }
    let r = run(&["check", UNSAFE, "--output-file", "/nonexistent/dir/x.txt"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("cannot write /nonexistent/dir/x.txt"),
        "{}",
        r.stderr
    );
}

#[test]
fn quiet_prints_only_findings() {
    let loud = run(&["check", UNSAFE]);
    let quiet = run(&["check", "-q", UNSAFE]);
    assert_eq!(quiet.code, loud.code);
    assert!(loud.stdout.contains("ebguard: 1 error"), "{}", loud.stdout);
    assert!(!quiet.stdout.contains("ebguard: "), "{}", quiet.stdout);
    assert!(quiet.stdout.contains("error[EB001]"), "{}", quiet.stdout);
    let clean = run(&["check", "--quiet", "examples/django"]);
    assert_eq!((clean.code, clean.stdout.as_str()), (0, ""));
    insta::assert_snapshot!("quiet", quiet.stdout);
}

#[test]
fn select_ignore_and_extend_select_work_like_the_configuration() {
    let tmp = tempfile::tempdir().unwrap();
    let bundle = tmp.path();
    std::fs::create_dir_all(bundle.join(".ebextensions")).unwrap();
    // EB001 (migrate, no leader_only), EB003 (`timeout:`), EB104 (a .yml file).
    std::fs::write(
        bundle.join(".ebextensions/01.config"),
        "container_commands:\n  01_migrate:\n    command: python manage.py migrate\n    timeout: 600\n",
    )
    .unwrap();
    std::fs::write(bundle.join(".ebextensions/02.yml"), "commands: {}\n").unwrap();
    let check = |args: &[&str]| {
        let mut all = vec!["check", "--format", "json", "--fail-on", "never"];
        all.extend(args);
        all.push(bundle.to_str().unwrap());
        let r = run(&all);
        assert_eq!(r.code, 0, "{args:?}: {}", r.stderr);
        common::rules_in(&r.stdout)
    };
    assert_eq!(check(&[]), ["EB001", "EB003", "EB104"]);
    assert_eq!(check(&["--ignore", "EB001"]), ["EB003", "EB104"]);
    assert_eq!(check(&["--select", "EB0"]), ["EB001", "EB003"]);
    assert_eq!(
        check(&["--select", "EB1,unknown-command-key"]),
        ["EB003", "EB104"]
    );
    assert_eq!(
        check(&["--select", "EB001", "--extend-select", "EB1"]),
        ["EB001", "EB104"]
    );
    // The most specific selector wins, as in ebguard.toml.
    assert_eq!(check(&["--ignore", "EB0", "--select", "EB001"]), ["EB001"]);
    // On top of the file's own selection.
    std::fs::write(bundle.join("ebguard.toml"), "ignore = [\"EB104\"]\n").unwrap();
    assert_eq!(check(&[]), ["EB001", "EB003"]);
    assert_eq!(check(&["--extend-select", "EB1"]), ["EB001", "EB003"]);
    assert_eq!(check(&["--select", "EB104"]), ["EB104"]);
    let bad = run(&["check", "--ignore", "EB8", UNSAFE]);
    assert_eq!(bad.code, 2);
    assert!(
        bad.stderr.contains("--ignore: `EB8` is neither"),
        "{}",
        bad.stderr
    );
}

#[test]
fn colour_follows_the_flag_then_the_environment() {
    let coloured = |args: &[&str], env: &[(&str, &str)]| {
        let mut all = vec!["check", UNSAFE];
        all.extend(args);
        run_env(&all, env).stdout.contains('\x1b')
    };
    assert!(!coloured(&[], &[]), "a pipe is not a terminal");
    assert!(coloured(&["--color", "always"], &[("NO_COLOR", "1")]));
    assert!(!coloured(&["--color", "never"], &[("FORCE_COLOR", "1")]));
    assert!(coloured(&[], &[("FORCE_COLOR", "1")]));
    assert!(!coloured(&[], &[("FORCE_COLOR", "0")]));
    assert!(coloured(&[], &[("CLICOLOR_FORCE", "1")]));
    assert!(!coloured(
        &[],
        &[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")]
    ));
    assert!(!coloured(&[], &[("FORCE_COLOR", "1"), ("NO_COLOR", "x")]));
    assert!(!coloured(&[], &[("CLICOLOR", "0")]));
    // An empty NO_COLOR does not count (no-color.org).
    assert!(coloured(&[], &[("NO_COLOR", ""), ("FORCE_COLOR", "1")]));
    let bad = run(&["check", "--color", "sometimes"]);
    assert_eq!(bad.code, 2);
}

#[test]
fn completions_load_in_bash_and_name_every_subcommand() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let r = run(&["completions", shell]);
        assert_eq!(r.code, 0, "{shell}: {}", r.stderr);
        for word in [
            "check",
            "deploy",
            "plan",
            "explain",
            "list-files",
            "extend-select",
        ] {
            assert!(r.stdout.contains(word), "{shell} lacks {word}");
        }
    }
    // Bash: the script loads, registers a completion, and completes a subcommand.
    let script = run(&["completions", "bash"]).stdout;
    let out = Command::new("bash")
        .args([
            "-c",
            "source /dev/stdin; COMP_WORDS=(ebguard de); COMP_CWORD=1; _ebguard ebguard de ebguard; complete -p ebguard; printf '%s\\n' \"${COMPREPLY[@]}\"",
        ])
        .stdin({
            let tmp = tempfile::NamedTempFile::new().unwrap();
            std::fs::write(tmp.path(), &script).unwrap();
            std::fs::File::open(tmp.path()).unwrap()
        })
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("-F _ebguard ebguard"), "{stdout}");
    assert!(stdout.lines().any(|l| l == "deploy"), "{stdout}");
}

#[test]
fn the_man_page_renders() {
    let r = run(&["man"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.starts_with(".ie") || r.stdout.contains(".TH ebguard"),
        "{}",
        &r.stdout[..200]
    );
    for word in ["ebguard\\-check", "ebguard\\-deploy", "\\-\\-color"] {
        assert!(r.stdout.contains(word), "the man page lacks {word}");
    }
    // groff, as `man` runs it, renders it without a warning.
    let tmp = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(tmp.path(), &r.stdout).unwrap();
    let Ok(out) = Command::new("groff")
        .args(["-man", "-Tutf8", "-ww", "-z"])
        .arg(tmp.path())
        .output()
    else {
        common::skip("groff is not installed");
        return;
    };
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stderr), "", "groff warnings");
}

#[test]
fn rules_and_explain_speak_json() {
    let r = run(&["rules", "--format", "json"]);
    assert_eq!(r.code, 0);
    let doc: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(doc["version"], 1);
    let rules = doc["rules"].as_array().unwrap();
    let text = run(&["rules"]).stdout;
    assert_eq!(rules.len(), text.lines().count());
    for rule in rules {
        let id = rule["id"].as_str().unwrap();
        assert!(text.contains(id));
        let explained = run(&["explain", id, "--format", "json"]);
        let one: serde_json::Value = serde_json::from_str(&explained.stdout).unwrap();
        assert_eq!(one["name"], rule["name"]);
        assert_eq!(one["doc"].as_str().unwrap(), run(&["explain", id]).stdout);
        let url = rule["url"].as_str().unwrap();
        let file = url.rsplit('/').next().unwrap();
        assert!(root().join("rules").join(file).is_file(), "{url}");
    }
    insta::assert_snapshot!(
        "rules_json_first",
        serde_json::to_string_pretty(&rules[1]).unwrap()
    );
    assert_eq!(run(&["explain", "EB999", "--format", "json"]).code, 2);
}

#[test]
fn every_subcommand_help_shows_two_or_three_examples() {
    for sub in [
        "check",
        "deploy",
        "plan",
        "rules",
        "explain",
        "migrate",
        "completions",
        "man",
    ] {
        let r = run(&[sub, "--help"]);
        assert_eq!(r.code, 0, "{sub}");
        let examples: Vec<&str> = r
            .stdout
            .split("Examples:")
            .nth(1)
            .unwrap_or_else(|| panic!("`{sub} --help` has no examples"))
            .lines()
            .filter_map(|l| l.trim().strip_prefix("ebguard "))
            .collect();
        assert!((2..=3).contains(&examples.len()), "{sub}: {examples:?}");
        for example in examples {
            assert!(example.starts_with(sub), "{sub}: {example}");
        }
    }
    insta::assert_snapshot!("deploy_help", run(&["deploy", "--help"]).stdout);
}

fn validator(name: &str) -> jsonschema::Validator {
    let text = std::fs::read_to_string(root().join("schemas").join(name)).unwrap();
    let schema: serde_json::Value = serde_json::from_str(&text).unwrap();
    jsonschema::validator_for(&schema).expect("the schema compiles")
}

fn assert_valid(validator: &jsonschema::Validator, what: &str, json: &str) {
    let value: serde_json::Value = serde_json::from_str(json).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&value)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{what}: {errors:#?}");
}

/// Every fixture and example, checked and planned: the real output must match the schemas
/// shipped in `schemas/`.
#[test]
fn json_reports_match_their_schemas() {
    let check = validator("check.schema.json");
    let plan = validator("plan.schema.json");
    let mut dirs: Vec<PathBuf> = common::fixture_cases().map(|c| c.dir).collect();
    for example in std::fs::read_dir(root().join("examples")).unwrap() {
        dirs.push(example.unwrap().path());
    }
    let mut findings = 0;
    for dir in &dirs {
        let shown = dir.strip_prefix(root()).unwrap_or(dir);
        let shown = shown.to_str().unwrap();
        let r = run(&["check", "--format", "json", shown]);
        assert_valid(&check, shown, &r.stdout);
        findings += common::rules_in(&r.stdout).len();
        let r = run(&["plan", "--format", "json", shown]);
        assert_valid(&plan, shown, &r.stdout);
    }
    assert!(findings > 50, "the fixtures produce findings to validate");
    // Errors and an empty run are documents too.
    assert_valid(
        &check,
        "missing",
        &run(&["check", "--format", "json", "nope/"]).stdout,
    );
    assert_valid(
        &plan,
        "missing",
        &run(&["plan", "--format", "json", "nope/"]).stdout,
    );
    // A broken document fails, so the schema is not vacuous.
    let broken = r#"{"version":1,"findings":[{"rule":"EB1","line":0}],"summary":{},"errors":[]}"#;
    assert!(!check.is_valid(&serde_json::from_str(broken).unwrap()));
}

#[test]
fn deploy_reports_on_stderr_and_json_goes_to_the_output_file() {
    let tmp = tempfile::tempdir().unwrap();
    let project = tmp.path();
    std::fs::create_dir_all(project.join(".elasticbeanstalk")).unwrap();
    std::fs::create_dir_all(project.join(".ebextensions")).unwrap();
    std::fs::copy(
        root().join(UNSAFE).join(".ebextensions/01_django.config"),
        project.join(".ebextensions/01_django.config"),
    )
    .unwrap();
    let r = common::ebguard(project, &["deploy"]);
    assert_eq!(r.code, 1);
    assert_eq!(r.stdout, "", "stdout belongs to eb");
    assert!(r.stderr.contains("error[EB001]"), "{}", r.stderr);
    let r = common::ebguard(
        project,
        &[
            "deploy",
            "--format",
            "json",
            "--output-file",
            "lint.json",
            "-q",
        ],
    );
    assert_eq!((r.code, r.stdout.as_str()), (1, ""));
    assert_eq!(r.stderr, "ebguard: `eb deploy` was not run: the findings above are at or above --fail-on; fix them, or suppress them with a reason\n");
    let json = std::fs::read_to_string(project.join("lint.json")).unwrap();
    assert_valid(&validator("check.schema.json"), "deploy", &json);
    // Not an EB project: refused before anything runs.
    let elsewhere = tempfile::tempdir().unwrap();
    for args in [
        &["deploy", "--", "prod"][..],
        &["deploy", "--", "--version", "v1"],
    ] {
        let r = common::ebguard(elsewhere.path(), args);
        assert_eq!(r.code, 2, "{args:?}");
        assert!(
            r.stderr.contains("not in an Elastic Beanstalk project"),
            "{}",
            r.stderr
        );
    }
    assert!(!Path::new(&elsewhere.path().join("lint.json")).exists());
}
