//! The failure users report, end to end with real Django: concurrent `manage.py migrate`
//! runs on several EB instances collide ("relation already exists", duplicate column);
//! under `ebguard migrate` they are serialised and every migration is applied once.
//!
//! Needs `EBGUARD_TEST_DJANGO_PYTHON`: a Python with Django, psycopg[binary] and PyMySQL.

mod common;

use std::process::Command;
use std::time::Duration;

use common::{migrate, Db, Engine, Running};

const RUNS: usize = 4;
const TIMEOUT: Duration = Duration::from_secs(120);

fn python(test: &str) -> Option<String> {
    let python = std::env::var("EBGUARD_TEST_DJANGO_PYTHON").ok();
    if python.is_none() {
        common::skip(&format!(
            "{test} needs Django; set EBGUARD_TEST_DJANGO_PYTHON"
        ));
    }
    python
}

fn manage_py() -> String {
    concat!(env!("CARGO_MANIFEST_DIR"), "/tests/django/manage.py").to_owned()
}

/// A fresh database on the server, dropped again when this goes out of scope.
struct FreshDatabase<'a> {
    db: &'a Db,
    name: String,
}

impl<'a> FreshDatabase<'a> {
    fn create(db: &'a Db, purpose: &str) -> Self {
        let name = format!("ebguard_dj_{}_{purpose}", std::process::id());
        db.sql(&format!("DROP DATABASE IF EXISTS {name}"));
        db.sql(&format!("CREATE DATABASE {name}"));
        FreshDatabase { db, name }
    }

    fn url(&self) -> String {
        let mut url = url::Url::parse(&self.db.url).expect("URL");
        url.set_path(&self.name);
        url.to_string()
    }

    /// `(app, name, times applied)` for every row group in `django_migrations`.
    fn applied(&self) -> Vec<(String, String, u32)> {
        let rows = self.db.sql_in(
            Some(&self.name),
            "SELECT app, name, COUNT(*) FROM django_migrations GROUP BY app, name ORDER BY app, name",
        );
        rows.lines()
            .map(|line| {
                let f: Vec<&str> = line.split(['|', '\t']).collect();
                (
                    f[0].to_owned(),
                    f[1].to_owned(),
                    f[2].parse().expect("count"),
                )
            })
            .collect()
    }
}

impl Drop for FreshDatabase<'_> {
    fn drop(&mut self) {
        self.db
            .sql(&format!("DROP DATABASE IF EXISTS {}", self.name));
    }
}

/// Starts `RUNS` commands at once, each with `DATABASE_URL`; returns their exit codes.
fn run_concurrently(
    make: impl Fn() -> Command,
    url: &str,
    dir: &std::path::Path,
) -> Vec<(Option<i32>, String)> {
    let runs: Vec<Running> = (0..RUNS)
        .map(|i| {
            let mut cmd = make();
            cmd.env("DATABASE_URL", url)
                .env("PYTHONDONTWRITEBYTECODE", "1");
            Running::start(cmd, dir.join(format!("run{i}.log")))
        })
        .collect();
    runs.into_iter().map(|run| run.finish(TIMEOUT)).collect()
}

fn concurrent_django_migrations(engine: Engine, test: &str) {
    let (Some(python), Some(db)) = (python(test), Db::from_env(engine, test)) else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let manage = manage_py();

    let plain = FreshDatabase::create(&db, "plain");
    let results = run_concurrently(
        || {
            let mut cmd = Command::new(&python);
            cmd.args([&manage, "migrate", "--noinput"]);
            cmd
        },
        &plain.url(),
        dir.path(),
    );
    assert!(
        results.iter().any(|(code, _)| *code != Some(0)),
        "plain concurrent runs should collide: {results:#?}"
    );
    drop(plain);

    let locked = FreshDatabase::create(&db, "locked");
    let lock = format!("django-{}", std::process::id());
    let results = run_concurrently(
        || {
            migrate([
                "--lock-name",
                &lock,
                "--poll-interval",
                "200ms",
                "--",
                &python,
                &manage,
                "migrate",
                "--noinput",
            ])
        },
        &locked.url(),
        dir.path(),
    );
    for (code, log) in &results {
        assert_eq!(*code, Some(0), "{log}");
    }
    let applied = locked.applied();
    let slowapp: Vec<&str> = applied
        .iter()
        .filter(|(app, _, _)| app == "slowapp")
        .map(|(_, name, _)| name.as_str())
        .collect();
    assert_eq!(slowapp, ["0001_initial", "0002_widget_size"], "{applied:?}");
    assert!(
        applied.iter().all(|(_, _, n)| *n == 1),
        "applied twice: {applied:?}"
    );
    let seeded = db.sql_in(Some(&locked.name), "SELECT COUNT(*) FROM slowapp_widget");
    assert_eq!(seeded, "1", "the data migration ran once");
}

#[test]
fn django_postgres_runs_collide_plain_and_serialise_under_ebguard() {
    concurrent_django_migrations(Engine::Postgres, "django_postgres");
}

#[test]
fn django_mysql_runs_collide_plain_and_serialise_under_ebguard() {
    concurrent_django_migrations(Engine::Mysql, "django_mysql");
}
