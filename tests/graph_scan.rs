//! The migration-graph reader on real projects and its laziness: real migration folders that
//! deploy give no finding, and files are read only for frameworks the bundle migrates with.

mod common;

use common::{ebguard, testdata};
use serde_json::Value;

fn check(dir: &std::path::Path, path: &str) -> Value {
    let run = ebguard(
        dir,
        &["check", "--format", "json", "--fail-on", "info", path],
    );
    serde_json::from_str(&run.stdout).unwrap()
}

/// Vendored migration folders of django-taggit, django-allauth and microblog (Flask-Migrate):
/// each is read (the file count proves it) and passes without a finding.
#[test]
fn real_projects_migrations_give_no_finding() {
    let dir = testdata().join("real-world");
    for (project, at_least) in [
        ("django-taggit", 15),
        ("django-allauth", 20),
        ("microblog", 9),
    ] {
        let doc = check(&dir, project);
        assert_eq!(doc["findings"], serde_json::json!([]), "{project}: {doc}");
        let files = doc["summary"]["files"].as_u64().unwrap();
        assert!(files > at_least, "{project}: only {files} files read");
    }
}

fn write(root: &std::path::Path, rel: &str, text: &str) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// Two leaves in `wiki`, in a bundle whose container command is `command`.
fn conflicting_bundle(root: &std::path::Path, command: &str) {
    write(
        root,
        ".ebextensions/01.config",
        &format!(
            "container_commands:\n  01_x:\n    command: \"{command}\"\n    leader_only: true\n"
        ),
    );
    let m = |deps: &str| {
        format!("from django.db import migrations\n\nclass Migration(migrations.Migration):\n    dependencies = [{deps}]\n")
    };
    write(root, "wiki/migrations/__init__.py", "");
    write(root, "wiki/migrations/0001_initial.py", &m(""));
    write(
        root,
        "wiki/migrations/0002_a.py",
        &m("('wiki', '0001_initial')"),
    );
    write(
        root,
        "wiki/migrations/0002_b.py",
        &m("('wiki', '0001_initial')"),
    );
    // Installed packages are never the app's own migrations.
    write(root, "venv/pyvenv.cfg", "");
    write(
        root,
        "venv/lib/python3.12/site-packages/pkg/migrations/__init__.py",
        "",
    );
    write(
        root,
        "venv/lib/python3.12/site-packages/pkg/migrations/0001_x.py",
        &m("('pkg', 'nope')"),
    );
    write(root, "node_modules/x/migrations/__init__.py", "");
    write(
        root,
        "node_modules/x/migrations/0001_x.py",
        &m("('x', 'nope')"),
    );
}

#[test]
fn migrations_are_read_only_for_frameworks_the_bundle_runs() {
    let dir = tempfile::tempdir().unwrap();
    let rules = |doc: &Value| -> Vec<String> {
        doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["rule"].as_str().unwrap().to_string())
            .collect()
    };
    let migrating = dir.path().join("migrating");
    conflicting_bundle(&migrating, "python manage.py migrate --noinput");
    let doc = check(dir.path(), "migrating");
    assert_eq!(rules(&doc), ["EB300"], "{doc}");
    assert_eq!(
        doc["summary"]["files"], 4,
        "the venv and node_modules were read: {doc}"
    );

    // Rails migrations do not make ebguard read Django's.
    let other = dir.path().join("other");
    conflicting_bundle(&other, "bundle exec rake db:migrate");
    let doc = check(dir.path(), "other");
    assert_eq!(rules(&doc), Vec::<String>::new(), "{doc}");
    assert_eq!(doc["summary"]["files"], 1, "{doc}");

    // An in-house script: the recogniser cannot tell the framework, the configuration can.
    let custom = dir.path().join("custom");
    conflicting_bundle(&custom, "./bin/deploy-db.sh");
    write(&custom, "ebguard.toml", "migration-graph = \"always\"\n");
    let doc = check(dir.path(), "custom");
    assert_eq!(rules(&doc), ["EB300"], "{doc}");
    write(&migrating, "ebguard.toml", "migration-graph = \"never\"\n");
    assert_eq!(rules(&check(dir.path(), "migrating")), Vec::<String>::new());
}

/// `plan` says the migrations will fail in the scenario that runs them, and only there.
#[test]
fn plan_says_migrations_will_fail() {
    let case = testdata().join("EB302-django-duplicate-index-name");
    let run = ebguard(
        &case,
        &["plan", "--format", "json", "fires-same-index-twice"],
    );
    let doc: Value = serde_json::from_str(&run.stdout).unwrap();
    let scenarios = doc["plans"][0]["scenarios"].as_array().unwrap();
    for s in scenarios {
        let reason = s["verdict"]["reason"].as_str().unwrap();
        let runs = s["verdict"]["kind"] != "never";
        assert_eq!(
            reason.contains("migrations will fail: ") && reason.contains("EB302"),
            runs,
            "{s}"
        );
    }
}
