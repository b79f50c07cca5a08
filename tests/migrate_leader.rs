//! The leader matrix: `EB_IS_COMMAND_LEADER` × database configured × `--skip-if-not-leader`
//! (eb-facts.md §4.4: the variable is best effort, so the lock decides when it can).

mod common;

use common::{migrate, output, stderr, Db, Engine};

/// `(EB_IS_COMMAND_LEADER, --skip-if-not-leader, exit code, command ran, decision)`.
type Row = (Option<&'static str>, bool, i32, bool, &'static str);

const WITH_DATABASE: &[Row] = &[
    (Some("true"), false, 0, true, "lock-then-run"),
    (Some("true"), true, 0, true, "lock-then-run"),
    (Some("false"), false, 0, true, "lock-then-run"),
    (Some("false"), true, 0, false, "skip"),
    (None, false, 0, true, "lock-then-run"),
    (None, true, 0, true, "lock-then-run"),
    (Some("TRUE"), true, 0, true, "lock-then-run"),
];

const WITHOUT_DATABASE: &[Row] = &[
    (Some("true"), false, 0, true, "run-unlocked"),
    (Some("true"), true, 0, true, "run-unlocked"),
    (Some("false"), false, 0, false, "skip"),
    (Some("false"), true, 0, false, "skip"),
    (None, false, 78, false, "refuse"),
    (None, true, 78, false, "refuse"),
    (Some("1"), false, 78, false, "refuse"),
];

fn check(rows: &[Row], database_url: Option<&str>) {
    for (i, &(leader, skip, code, ran, decision)) in rows.iter().enumerate() {
        let dir = tempfile::tempdir().expect("tempdir");
        let marker = dir.path().join("ran");
        let lock = format!("leader-{}-{i}", std::process::id());
        let mut args = vec!["--lock-name", &lock];
        if skip {
            args.push("--skip-if-not-leader");
        }
        args.extend(["--", "touch", marker.to_str().expect("utf-8 path")]);
        let mut cmd = migrate(args);
        if let Some(url) = database_url {
            cmd.env("DATABASE_URL", url);
        }
        if let Some(value) = leader {
            cmd.env("EB_IS_COMMAND_LEADER", value);
        }
        let out = output(&mut cmd);
        let row = format!("row {i} {:?}: {}", rows[i], stderr(&out));
        assert_eq!(out.status.code(), Some(code), "{row}");
        assert_eq!(marker.exists(), ran, "{row}");
        assert!(
            stderr(&out).contains(&format!("decision={decision}")),
            "{row}"
        );
    }
}

#[test]
fn leader_matrix_without_database() {
    check(WITHOUT_DATABASE, None);
}

#[test]
fn leader_matrix_with_postgres() {
    if let Some(db) = Db::from_env(Engine::Postgres, "leader_matrix_with_postgres") {
        check(WITH_DATABASE, Some(&db.password_url()));
    }
}

#[test]
fn leader_matrix_with_mysql() {
    if let Some(db) = Db::from_env(Engine::Mysql, "leader_matrix_with_mysql") {
        check(WITH_DATABASE, Some(&db.password_url()));
    }
}
