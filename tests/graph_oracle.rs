//! EB300-EB303 against the real frameworks: `tests/graph_oracle.py` writes random migration
//! graphs (branches, merges, squashes with `replaces` and deleted originals, `run_before`,
//! cross-app, `__first__` and swappable dependencies, missing nodes, index and constraint names
//! reused, dropped and cut at 63 bytes) as real bundles and records what Django's
//! `MigrationLoader`, `manage.py migrate` on a fresh PostgreSQL schema and Alembic's
//! `ScriptDirectory` say; ebguard then checks every bundle in one run and each disagreement is
//! reported with the case's seed.
//!
//! Needs a Python with django, alembic and psycopg (`EBGUARD_TEST_DJANGO_PYTHON`, the CI venv:
//! `.ci/python/base.txt` and `graph.txt`) and PostgreSQL (`EBGUARD_TEST_POSTGRES_URL`).
//! `EBGUARD_ORACLE_SEED` and `EBGUARD_ORACLE_CASES` change the seeds and the number of cases;
//! to reproduce a failing case, set the seed to it and the count to 1.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

use common::{ebguard, skip};
use serde_json::Value;

const DEFAULT_SEED: u64 = 1;
const DEFAULT_CASES: u64 = 250;

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// `'x', 'y'` pairs of a message: `('app', 'name')`.
fn between<'a>(text: &'a str, open: &str, close: &str) -> Option<&'a str> {
    let start = text.find(open)? + open.len();
    let end = text[start..].find(close)? + start;
    Some(&text[start..end])
}

#[derive(Default)]
struct Ours {
    missing: BTreeSet<(String, String)>,
    conflicts: BTreeMap<String, Vec<String>>,
    clashes: Vec<String>,
    heads: Option<Vec<String>>,
    dangling: usize,
}

fn ours(findings: &[&Value]) -> Ours {
    let mut o = Ours::default();
    for f in findings {
        let message = f["message"].as_str().unwrap();
        match f["rule"].as_str().unwrap() {
            "EB301" => {
                let node = between(message, "node ('", "')").unwrap();
                let (app, name) = node.split_once("', '").unwrap();
                o.missing.insert((app.into(), name.into()));
            }
            "EB300" => {
                let app = between(message, "app `", "`").unwrap();
                let leaves = between(message, "leaf migrations (", ")").unwrap();
                let mut leaves: Vec<String> = leaves.split(", ").map(String::from).collect();
                leaves.sort();
                o.conflicts.insert(app.into(), leaves);
            }
            "EB302" => o
                .clashes
                .push(between(message, "creates `", "`").unwrap().into()),
            "EB303" if message.contains("head revisions (") => {
                let heads = between(message, "head revisions (", ")").unwrap();
                let mut heads: Vec<String> = heads.split(", ").map(String::from).collect();
                heads.sort();
                o.heads = Some(heads);
            }
            "EB303" => o.dangling += 1,
            _ => {}
        }
    }
    o
}

fn django_disagreements(expected: &Value, o: &Ours, inconclusive: &mut usize) -> Vec<String> {
    let mut wrong = Vec::new();
    if let Some(error) = expected["error"].as_str() {
        wrong.push(format!("the generator made a case Django rejects: {error}"));
        return wrong;
    }
    match expected["missing"].as_array() {
        Some(node) => {
            let node = (
                node[0].as_str().unwrap().to_string(),
                node[1].as_str().unwrap().to_string(),
            );
            if !o.missing.contains(&node) {
                wrong.push(format!(
                    "Django: NodeNotFoundError for {node:?}; EB301 reported {:?}",
                    o.missing
                ));
            }
            return wrong;
        }
        None if !o.missing.is_empty() => wrong.push(format!(
            "Django loads the graph; EB301 reported {:?}",
            o.missing
        )),
        None => {}
    }
    let theirs: BTreeMap<String, Vec<String>> =
        serde_json::from_value(expected["conflicts"].clone()).unwrap();
    if theirs != o.conflicts {
        wrong.push(format!(
            "Django's conflicts {theirs:?}; EB300 reported {:?}",
            o.conflicts
        ));
    }
    let migrate = &expected["migrate"];
    if migrate.is_null() {
        return wrong;
    }
    if migrate["ok"] == true {
        if !o.clashes.is_empty() {
            wrong.push(format!(
                "`migrate` succeeds on PostgreSQL; EB302 reported {:?}",
                o.clashes
            ));
        }
        return wrong;
    }
    let message = migrate["message"].as_str().unwrap();
    if !message.contains("already exists") {
        *inconclusive += 1;
        return wrong;
    }
    // relation "x" already exists / constraint "x" for relation "t" already exists; PostgreSQL
    // shows the name cut to 63 bytes.
    let name = between(message, "\"", "\"").unwrap();
    if !o.clashes.iter().any(|c| c.starts_with(name)) {
        wrong.push(format!(
            "`migrate` fails with {message}; EB302 reported {:?}",
            o.clashes
        ));
    }
    wrong
}

fn alembic_disagreements(expected: &Value, o: &Ours) -> Vec<String> {
    let mut wrong = Vec::new();
    if let Some(error) = expected["error"].as_str() {
        if o.dangling == 0 {
            wrong.push(format!(
                "Alembic fails ({error}); EB303 reported no dangling revision"
            ));
        }
        return wrong;
    }
    if o.dangling > 0 {
        wrong.push("Alembic loads the revisions; EB303 reported a dangling one".into());
    }
    let heads: Vec<String> = serde_json::from_value(expected["heads"].clone()).unwrap();
    let expected_heads = (heads.len() > 1).then_some(heads);
    if expected_heads != o.heads {
        wrong.push(format!(
            "alembic heads: {expected_heads:?}; EB303 reported {:?}",
            o.heads
        ));
    }
    wrong
}

#[test]
fn migration_graph_rules_agree_with_django_postgresql_and_alembic() {
    let Some(python) = std::env::var_os("EBGUARD_TEST_DJANGO_PYTHON") else {
        return skip(
            "EBGUARD_TEST_DJANGO_PYTHON is not set (a Python with django, alembic, psycopg)",
        );
    };
    let Ok(postgres) = std::env::var("EBGUARD_TEST_POSTGRES_URL") else {
        return skip("EBGUARD_TEST_POSTGRES_URL is not set");
    };
    let has_modules = Command::new(&python)
        .args(["-c", "import django, alembic, psycopg"])
        .status()
        .is_ok_and(|s| s.success());
    if !has_modules {
        return skip("the test Python lacks django, alembic or psycopg (.ci/python/graph.txt)");
    }
    let seed = env_u64("EBGUARD_ORACLE_SEED", DEFAULT_SEED);
    let cases = env_u64("EBGUARD_ORACLE_CASES", DEFAULT_CASES);
    let dir = tempfile::tempdir().unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/graph_oracle.py");
    let started = std::time::Instant::now();
    let out = Command::new(&python)
        .arg(&script)
        .arg(dir.path())
        .args([seed.to_string(), cases.to_string(), cases.to_string()])
        .arg(&postgres)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "graph_oracle.py failed (seeds from {seed}):\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let oracle_time = started.elapsed();
    let root = dir.path().to_str().unwrap();
    let started = std::time::Instant::now();
    let run = ebguard(
        dir.path(),
        &["check", "--format", "json", "--fail-on", "never", root],
    );
    let check_time = started.elapsed();
    let doc: Value = serde_json::from_str(&run.stdout).unwrap();
    let mut by_case: BTreeMap<String, Vec<&Value>> = BTreeMap::new();
    for f in doc["findings"].as_array().unwrap() {
        let path = f["path"].as_str().unwrap();
        let case = path[root.len() + 1..].split('/').next().unwrap();
        by_case.entry(case.to_string()).or_default().push(f);
    }
    let mut wrong = Vec::new();
    let mut inconclusive = 0;
    let (mut migrated, mut conflicting, mut missing, mut clashing) = (0, 0, 0, 0);
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let case_dir = entry.unwrap().path();
        let case = case_dir.file_name().unwrap().to_string_lossy().into_owned();
        let Ok(text) = std::fs::read_to_string(case_dir.join("expected.json")) else {
            continue;
        };
        let expected: Value = serde_json::from_str(&text).unwrap();
        let o = ours(by_case.get(&case).map(Vec::as_slice).unwrap_or_default());
        let problems = if case.starts_with("django-") {
            migrated += usize::from(!expected["migrate"].is_null());
            conflicting += usize::from(expected["conflicts"] != serde_json::json!({}));
            missing += usize::from(!expected["missing"].is_null());
            clashing += usize::from(expected["migrate"]["ok"] == false);
            django_disagreements(&expected, &o, &mut inconclusive)
        } else {
            alembic_disagreements(&expected, &o)
        };
        for p in problems {
            wrong.push(format!(
                "{case} (EBGUARD_ORACLE_SEED={} EBGUARD_ORACLE_CASES=1): {p}",
                expected["seed"]
            ));
        }
    }
    eprintln!(
        "graph oracle: {cases} Django + {cases} Alembic cases from seed {seed}; Django: {conflicting} with conflicts, {missing} with a missing node, {migrated} migrated on PostgreSQL ({clashing} failed, {inconclusive} not with \"already exists\"); oracle {oracle_time:.1?}, ebguard {check_time:.1?}"
    );
    assert!(
        migrated * 4 >= cases as usize,
        "too few cases reached `migrate` ({migrated}): the generator needs tuning"
    );
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
