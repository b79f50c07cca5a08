//! `ebguard plan` over the example bundles (snapshots of every format) and over every fixture
//! bundle (the plan's verdicts agree with the check's migration findings).

mod common;

use std::path::{Path, PathBuf};

use serde_json::Value;

use common::{ebguard, shared, testdata};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `examples/<name>`, each a bundle written the way AWS's guides lay it out.
fn examples() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root().join("examples"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

fn name(dir: &Path) -> String {
    dir.file_name().unwrap().to_string_lossy().into_owned()
}

fn json(dir: &Path, args: &[&str]) -> Value {
    let run = ebguard(dir.parent().unwrap(), args);
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.stdout))
}

#[test]
fn example_plans_in_every_format() {
    let dirs = examples();
    for example in ["django", "django-unsafe", "laravel", "rails"] {
        assert!(
            dirs.iter().any(|d| name(d) == example),
            "examples/{example} is missing"
        );
    }
    for dir in dirs {
        let example = name(&dir);
        let path = format!("examples/{example}");
        for format in ["text", "json", "mermaid"] {
            let run = ebguard(root(), &["plan", "--format", format, &path]);
            assert_eq!(run.code, 0, "{path} --format {format}: {}", run.stderr);
            insta::assert_snapshot!(format!("{example}__{format}"), run.stdout);
        }
    }
}

/// One scenario's steps of the plan of one bundle.
fn scenario<'a>(plan: &'a Value, id: &str) -> &'a Value {
    plan["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == id)
        .unwrap_or_else(|| panic!("no scenario {id}"))
}

fn steps(scenario: &Value) -> impl Iterator<Item = &Value> {
    scenario["steps"].as_array().unwrap().iter()
}

fn guards(step: &Value) -> impl Iterator<Item = &str> {
    step["migrations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["guard"].as_str().unwrap())
}

fn place(v: &Value) -> (String, u64) {
    (
        v["path"].as_str().unwrap().to_string(),
        v["line"].as_u64().unwrap(),
    )
}

/// Checks one bundle; returns a description of each disagreement. The check runs with
/// `--no-ignores`: the plan shows what EB runs, which a suppression comment does not change.
fn disagreements(dir: &Path) -> Vec<String> {
    let arg = name(dir);
    let check = json(
        dir,
        &[
            "check",
            "--format",
            "json",
            "--fail-on",
            "never",
            "--no-ignores",
            &arg,
        ],
    );
    let plan = json(dir, &["plan", "--format", "json", &arg]);
    let findings = check["findings"].as_array().unwrap();
    let fired = |rule: &str| -> Vec<(String, u64)> {
        findings
            .iter()
            .filter(|f| f["rule"] == rule)
            .map(place)
            .collect()
    };
    let mut out = Vec::new();
    for plan in plan["plans"].as_array().unwrap() {
        let bundle = plan["bundle"].as_str().unwrap();
        let in_bundle = |p: &(String, u64)| p.0.starts_with(&format!("{bundle}/"));
        let bundle_findings = findings.iter().filter(|f| in_bundle(&place(f))).count();
        let eb001: Vec<(String, u64)> = fired("EB001").into_iter().filter(in_bundle).collect();
        let other = scenario(plan, "app-deploy-other");

        // EB001 and the plan name the same container commands.
        // A file EB ignores (EB101) runs nothing, but EB001 still reports what it would do.
        let ignored_file = |s: &Value| {
            s["skipped_because"]
                .as_str()
                .is_some_and(|r| r.ends_with("(EB101)"))
        };
        let unguarded: Vec<&Value> = steps(other)
            .filter(|s| s["kind"] == "container_command")
            .filter(|s| s["runs"] == true || ignored_file(s))
            .filter(|s| guards(s).any(|g| g == "none"))
            .collect();
        let at: Vec<(String, u64)> = unguarded.iter().map(|s| place(&s["source"])).collect();
        if eb001 != at {
            out.push(format!(
                "{bundle}: EB001 fires at {eb001:?}, the plan shows unguarded container commands at {at:?}"
            ));
        }
        let running = unguarded.iter().any(|s| s["runs"] == true);
        if running && other["verdict"]["kind"] != "every-instance" {
            out.push(format!(
                "{bundle}: EB001 fires on a command that runs, but scenario 2 says {}",
                other["verdict"]["text"]
            ));
        }

        // Every unguarded migration the plan shows running, anywhere, is a finding of check.
        for id in ["app-deploy-leader", "app-deploy-other", "scaling-launch"] {
            for step in steps(scenario(plan, id)).filter(|s| s["runs"] == true) {
                if !guards(step).any(|g| g == "none") {
                    continue;
                }
                let path = step["source"]["path"].as_str().unwrap();
                if !findings.iter().any(|f| f["path"] == path) {
                    out.push(format!(
                        "{bundle}: scenario {id} runs an unguarded migration in {path}, and check reports nothing there"
                    ));
                }
            }
        }
        for (id, verdict) in plan["scenarios"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| (s["id"].as_str().unwrap(), &s["verdict"]["kind"]))
        {
            if verdict == "every-instance" && bundle_findings == 0 {
                out.push(format!(
                    "{bundle}: scenario {id} runs migrations on every instance, and check is silent"
                ));
            }
        }

        // EB007 (scheduled scaling to zero while leader_only commands exist) and scenario 3.
        if ebguard::rules::by_id("EB007").is_some() {
            let scaling = scenario(plan, "scaling-launch");
            let zero = !plan["scale_to_zero"].as_array().unwrap().is_empty();
            let leader_only = steps(scaling).any(|s| s["leader_only"] == true);
            let eb007 = fired("EB007").iter().any(in_bundle);
            if eb007 != (zero && leader_only) {
                out.push(format!(
                    "{bundle}: EB007 fired: {eb007}; the plan sees scaling to zero: {zero}, leader_only commands: {leader_only}"
                ));
            }
            let runs_migrations = steps(scaling)
                .filter(|s| s["runs"] == true)
                .any(|s| guards(s).next().is_some());
            if eb007 && !runs_migrations && scaling["verdict"]["kind"] != "never" {
                out.push(format!(
                    "{bundle}: EB007 fires but scenario 3 says {}",
                    scaling["verdict"]["text"]
                ));
            }
        }
    }
    out
}

/// Every bundle under `testdata/` (each rule's fixture cases, the AWS-documented bundles) and
/// under `examples/`, so fixtures merged later are covered without listing them here.
#[test]
fn for_every_fixture_bundle_the_plan_verdicts_and_the_check_migration_findings_agree() {
    let mut problems = Vec::new();
    for dir in [testdata(), root().join("examples")] {
        let arg = name(&dir);
        let plans = json(&dir, &["plan", "--format", "json", &arg]);
        let check = json(
            &dir,
            &["check", "--format", "json", "--fail-on", "never", &arg],
        );
        let planned = plans["plans"].as_array().unwrap().len();
        assert_eq!(
            planned as u64,
            check["summary"]["bundles"].as_u64().unwrap(),
            "{arg}: plan and check see different bundles"
        );
        assert!(planned >= 4, "{arg}: only {planned} bundles found");
        problems.extend(disagreements(&dir));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The same agreement over the real-world corpus (read in place: ebguard only reads).
#[test]
fn on_the_real_world_corpus_the_plan_and_the_check_agree() {
    let Some(shared) = shared() else {
        return;
    };
    let problems = disagreements(&shared.join("corpus/files"));
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_broken_bundle_runs_migrations_on_every_instance() {
    let plan = json(
        &root().join("examples/django-unsafe"),
        &["plan", "--format", "json", "django-unsafe"],
    );
    let verdicts: Vec<&str> = plan["plans"][0]["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["verdict"]["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        verdicts,
        [
            "every-instance",
            "every-instance",
            "every-instance",
            "never"
        ]
    );
}

#[test]
fn unreadable_paths_and_empty_directories_exit_2() {
    let missing = ebguard(root(), &["plan", "does-not-exist"]);
    assert_eq!(missing.code, 2);
    assert!(missing.stderr.contains("does-not-exist"));
    let empty = tempfile::tempdir().unwrap();
    let none = ebguard(empty.path(), &["plan", "--format", "json"]);
    assert_eq!(none.code, 2);
    let doc: Value = serde_json::from_str(&none.stdout).unwrap();
    assert!(doc["errors"][0].as_str().unwrap().contains("no bundle"));
}

#[test]
fn mermaid_declares_every_participant_it_uses() {
    let run = ebguard(
        root(),
        &["plan", "--format", "mermaid", "examples/django-unsafe"],
    );
    assert!(run.stdout.contains("    rect "), "{}", run.stdout);
    let mut lines = run.stdout.lines();
    assert_eq!(lines.next(), Some("sequenceDiagram"));
    let declared: Vec<&str> = run
        .stdout
        .lines()
        .filter_map(|l| l.trim().strip_prefix("participant "))
        .map(|l| l.split(' ').next().unwrap())
        .collect();
    for line in lines.map(str::trim) {
        if line.starts_with("participant")
            || line.starts_with("%%")
            || line.starts_with("rect ")
            || line == "end"
        {
            continue;
        }
        let head = line.split(':').next().unwrap();
        let names: Vec<&str> = match head.strip_prefix("Note over ") {
            Some(span) => span.split(',').collect(),
            None => {
                let arrow = ["-->>", "->>", "--x"]
                    .into_iter()
                    .find(|a| head.contains(a))
                    .unwrap_or_else(|| panic!("{line}: not a message, note or participant"));
                head.split(arrow).collect()
            }
        };
        for n in names {
            assert!(declared.contains(&n), "{line}: `{n}` is not a participant");
        }
    }
}

#[test]
fn text_is_coloured_only_when_asked_or_on_a_terminal() {
    let plain = ebguard(root(), &["plan", "examples/django-unsafe"]);
    assert!(!plain.stdout.contains('\u{1b}'));
    let forced = std::process::Command::new(env!("CARGO_BIN_EXE_ebguard"))
        .args(["plan", "examples/django-unsafe"])
        .current_dir(root())
        .env_remove("NO_COLOR")
        .env("CLICOLOR_FORCE", "1")
        .output()
        .unwrap();
    let text = String::from_utf8(forced.stdout).unwrap();
    // The unguarded migration is bold red.
    assert!(
        text.contains("\u{1b}[1m\u{1b}[31mmigrates Django [no guard]"),
        "{text}"
    );
}

/// An in-house migration script named in `ebguard.toml` counts as a migration for `plan` just
/// as it does for `check`, so the two still agree.
#[test]
fn custom_migration_patterns_count_in_plan_and_check_alike() {
    let dir = tempfile::tempdir().unwrap();
    let bundle = dir.path().join("app");
    std::fs::create_dir_all(bundle.join(".ebextensions")).unwrap();
    std::fs::write(
        bundle.join(".ebextensions/01_migrate.config"),
        "container_commands:\n  01_migrate:\n    command: ./bin/migrate.sh\n",
    )
    .unwrap();
    let quiet = json(&bundle, &["plan", "--format", "json", "app"]);
    let verdict =
        |plan: &Value| scenario(&plan["plans"][0], "app-deploy-other")["verdict"]["kind"].clone();
    assert_eq!(verdict(&quiet), "never", "{quiet}");
    assert!(disagreements(&bundle).is_empty());

    std::fs::write(
        bundle.join("ebguard.toml"),
        "migration-patterns = ['^\\./bin/migrate\\.sh']\n",
    )
    .unwrap();
    let planned = json(&bundle, &["plan", "--format", "json", "app"]);
    assert_eq!(verdict(&planned), "every-instance", "{planned}");
    let problems = disagreements(&bundle);
    assert!(problems.is_empty(), "{problems:?}");
}
