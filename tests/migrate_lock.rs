//! `ebguard migrate` against real PostgreSQL and MariaDB servers: serialisation, crash
//! release, timeouts, failures and their exit codes, signals, and password redaction.
//! Every scenario runs once per engine (see `per_engine!` at the bottom).

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::{
    log_field, migrate, output, stderr, wait_for_file, write_script, Db, Engine, Running,
};

const LONG: Duration = Duration::from_secs(60);

/// A distinct lock per test and process, so tests running in parallel do not contend.
fn lock_name(test: &str) -> String {
    format!("{test}-{}", std::process::id())
}

/// `ebguard migrate --database-url <password URL> --lock-name <name> <extra> -- <command>`.
fn locked(db: &Db, lock: &str, extra: &[&str], command: &[&str]) -> std::process::Command {
    common::locked(&db.password_url(), lock, extra, command)
}

/// Starts an instance that takes the lock and runs a command which records `started`,
/// then waits; on SIGTERM it records `terminated` and exits 143.
fn start_holder(db: &Db, dir: &Path, lock: &str, extra: &[&str]) -> Running {
    let d = dir.display();
    let script = write_script(
        dir,
        "holder",
        &format!(
            "trap 'echo > {d}/terminated; kill $pid 2>/dev/null; exit 143' TERM\n\
             sleep 30 & pid=$!\necho > {d}/started\nwait $pid\n"
        ),
    );
    let holder = Running::start(
        locked(db, lock, extra, &[script.to_str().expect("utf-8 path")]),
        dir.join("holder.log"),
    );
    wait_for_file(&dir.join("started"), LONG);
    holder
}

/// Starts a second instance on the same lock and returns once it reports waiting.
fn start_waiter(db: &Db, dir: &Path, lock: &str, command: &[&str]) -> Running {
    let waiter = Running::start(
        locked(db, lock, &["--lock-timeout", "60s"], command),
        dir.join("waiter.log"),
    );
    waiter.wait_for_log("event=lock-wait", LONG);
    waiter
}

fn eight_concurrent_runs_never_overlap(db: &Db) {
    let dir = tempfile::tempdir().expect("tempdir");
    let sql = db.sql_script(dir.path());
    let table = db.table("overlap");
    db.sql(&format!(
        "DROP TABLE IF EXISTS {table}; CREATE TABLE {table} (run VARCHAR(20), phase VARCHAR(10), at TIMESTAMP(6))"
    ));
    let (sql, now) = (sql.display(), db.now());
    let record = write_script(
        dir.path(),
        "record",
        &format!(
            "{sql} \"INSERT INTO {table} VALUES ('$1', 'start', {now})\" && sleep 0.3 && \
             {sql} \"INSERT INTO {table} VALUES ('$1', 'end', {now})\"\n"
        ),
    );
    let lock = lock_name("overlap");
    let runs: Vec<Running> = (0..8)
        .map(|i| {
            let cmd = locked(
                db,
                &lock,
                &["--lock-timeout", "60s"],
                &[record.to_str().unwrap(), &format!("run{i}")],
            );
            Running::start(cmd, dir.path().join(format!("run{i}.log")))
        })
        .collect();
    for run in runs {
        let (code, log) = run.finish(LONG);
        assert_eq!(code, Some(0), "{log}");
    }
    let rows = db.sql(&format!(
        "SELECT run, phase FROM {table} ORDER BY at, phase"
    ));
    db.sql(&format!("DROP TABLE {table}"));
    let rows: Vec<Vec<&str>> = rows
        .lines()
        .map(|l| l.split(['|', '\t']).collect())
        .collect();
    assert_eq!(rows.len(), 16, "{rows:?}");
    let mut seen = std::collections::BTreeSet::new();
    for pair in rows.chunks(2) {
        assert_eq!(pair[0][1], "start", "{rows:?}");
        assert_eq!(pair[1], [pair[0][0], "end"], "runs overlapped: {rows:?}");
        assert!(seen.insert(pair[0][0]), "{rows:?}");
    }
}

fn killing_the_holder_frees_the_lock(db: &Db) {
    let dir = tempfile::tempdir().expect("tempdir");
    let lock = lock_name("kill");
    // Short lease timings: the waiter waits out the dead holder's lease (T1 + grace after
    // its last heartbeat) before running, see docs/migrate.md "Timing".
    let holder = start_holder(db, dir.path(), &lock, &common::FAST);
    let marker = dir.path().join("waiter-ran");
    let waiter = start_waiter(db, dir.path(), &lock, &["touch", marker.to_str().unwrap()]);
    let killed = Instant::now();
    holder.signal("KILL");
    let (code, log) = waiter.finish(LONG);
    assert_eq!(code, Some(0), "{log}");
    assert!(
        killed.elapsed() < Duration::from_secs(5),
        "took {:?}",
        killed.elapsed()
    );
    assert!(marker.exists());
    // The orphaned command is stopped by the watchdog instead of running unlocked.
    wait_for_file(&dir.path().join("terminated"), Duration::from_secs(5));
    let (code, _) = holder.finish(LONG);
    assert_eq!(code, None, "SIGKILLed");
}

fn lock_timeout_exits_75_naming_the_holder(db: &Db) {
    let dir = tempfile::tempdir().expect("tempdir");
    let lock = lock_name("timeout");
    let holder = start_holder(db, dir.path(), &lock, &[]);
    let started = Instant::now();
    let out = output(&mut locked(
        db,
        &lock,
        &["--lock-timeout", "1s"],
        &["false"],
    ));
    let log = stderr(&out);
    assert_eq!(out.status.code(), Some(75), "{log}");
    assert!(started.elapsed() < Duration::from_secs(10));
    assert!(log.contains("event=lock-timeout"), "{log}");
    let holder_field = match db.engine {
        Engine::Postgres => "holder_application=ebguard-migrate:",
        Engine::Mysql => "holder_connection_id=",
    };
    let failed = log
        .lines()
        .find(|l| l.contains("event=failed"))
        .unwrap_or_default();
    assert!(failed.contains(holder_field), "{log}");
    assert!(failed.contains("reason=lock-timeout"), "{log}");
    holder.signal("TERM");
    holder.finish(LONG);
}

fn sigterm_is_forwarded_to_the_command(db: &Db) {
    let dir = tempfile::tempdir().expect("tempdir");
    let holder = start_holder(db, dir.path(), &lock_name("sigterm"), &[]);
    holder.signal("TERM");
    let (code, log) = holder.finish(LONG);
    assert_eq!(code, Some(143), "the command's own exit code: {log}");
    assert!(dir.path().join("terminated").exists(), "{log}");
    assert!(
        log.contains("event=signal-forwarded signal=SIGTERM"),
        "{log}"
    );
    assert!(log.contains("event=lock-released"), "{log}");
}

fn sigterm_while_waiting_exits_without_running(db: &Db) {
    let dir = tempfile::tempdir().expect("tempdir");
    let lock = lock_name("interrupt");
    let holder = start_holder(db, dir.path(), &lock, &[]);
    let marker = dir.path().join("waiter-ran");
    let waiter = start_waiter(db, dir.path(), &lock, &["touch", marker.to_str().unwrap()]);
    waiter.signal("TERM");
    let (code, log) = waiter.finish(LONG);
    assert_eq!(code, Some(128 + 15), "{log}");
    assert!(log.contains("event=interrupted signal=SIGTERM"), "{log}");
    assert!(!marker.exists(), "{log}");
    holder.signal("TERM");
    holder.finish(LONG);
}

fn lost_lock_stops_the_command_and_exits_74(db: &Db) {
    let dir = tempfile::tempdir().expect("tempdir");
    let lock = lock_name("lost");
    let extra = ["--heartbeat-interval", "1s", "--stop-grace-period", "5s"];
    let holder = start_holder(db, dir.path(), &lock, &extra);
    let key = log_field(&holder.log_text(), "lock-acquired", "key").expect("key logged");
    // The waiter's command outlasts the holder's next heartbeat, so the holder finds
    // the lock taken instead of re-taking it.
    let waiter = start_waiter(db, dir.path(), &lock, &["sleep", "3"]);
    db.kill_lock_session(&key);
    let (code, log) = holder.finish(LONG);
    assert_eq!(code, Some(74), "{log}");
    assert!(log.contains("event=lock-lost"), "{log}");
    assert!(log.contains("event=child-stop"), "{log}");
    assert!(
        dir.path().join("terminated").exists(),
        "command stopped: {log}"
    );
    let (code, log) = waiter.finish(LONG);
    assert_eq!(code, Some(0), "{log}");
}

fn unreachable_database_exits_69_fast(db: &Db) {
    // Port 1 refuses connections; the password is percent-encoded in the URL.
    let url = db.variant(Some(1), None, "S3cr3t%40Pw");
    let started = Instant::now();
    let out = output(&mut migrate([
        "--connect-timeout",
        "2s",
        "--database-url",
        &url,
        "--",
        "true",
    ]));
    assert_eq!(out.status.code(), Some(69), "{}", stderr(&out));
    assert!(started.elapsed() < Duration::from_secs(5));
    // The same from the environment, and the command never runs.
    let out = output(
        migrate(["--connect-timeout", "1s", "--", "sh", "-c", "echo RAN"])
            .env("DATABASE_URL", &url),
    );
    assert_eq!(out.status.code(), Some(69), "{}", stderr(&out));
    assert!(!String::from_utf8_lossy(&out.stdout).contains("RAN"));
}

fn bad_credentials_exit_77(db: &Db) {
    // PostgreSQL under trust auth still rejects an unknown role (SQLSTATE 28000);
    // MariaDB rejects root with a password it does not have.
    let user = match db.engine {
        Engine::Postgres => "ebguard_no_such_role",
        Engine::Mysql => "root",
    };
    let url = db.variant(None, Some(user), common::PASSWORD);
    let out = output(&mut migrate([
        "--database-url",
        &url,
        "--",
        "sh",
        "-c",
        "echo RAN",
    ]));
    assert_eq!(out.status.code(), Some(77), "{}", stderr(&out));
    assert!(!String::from_utf8_lossy(&out.stdout).contains("RAN"));
    assert!(stderr(&out).contains("reason=authentication-failed"));
}

fn exit_codes_pass_through(db: &Db) {
    let lock = lock_name("codes");
    for (command, expected) in [
        (&["sh", "-c", "exit 7"][..], 7),
        (&["sh", "-c", "kill -KILL $$"][..], 128 + 9),
        (&["sh", "-c", "kill -TERM $$"][..], 128 + 15),
        (&["/nonexistent/ebguard-test-command"][..], 127),
        (&["true"][..], 0),
    ] {
        let out = output(&mut locked(db, &lock, &[], command));
        assert_eq!(
            out.status.code(),
            Some(expected),
            "{command:?}: {}",
            stderr(&out)
        );
        assert!(
            stderr(&out).contains("event=lock-released"),
            "{}",
            stderr(&out)
        );
    }
}

fn rds_variables_locate_the_database(db: &Db) {
    let url = url::Url::parse(&db.password_url()).expect("URL");
    let port = url.port().map_or(String::new(), |p| p.to_string());
    let out = output(
        migrate(["--lock-name", &lock_name("rds"), "--", "true"])
            .env("RDS_HOSTNAME", url.host_str().expect("host"))
            .env("RDS_PORT", &port)
            .env("RDS_DB_NAME", db.database())
            .env("RDS_USERNAME", url.username())
            .env("RDS_PASSWORD", common::PASSWORD),
    );
    let log = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{log}");
    assert!(log.contains("source=env:RDS_*"), "{log}");
    assert!(log.contains("event=lock-acquired"), "{log}");
}

fn json_log_lines_are_objects(db: &Db) {
    let out = output(&mut locked(
        db,
        &lock_name("json"),
        &["--log-format", "json"],
        &["true"],
    ));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let events: Vec<String> = stderr(&out)
        .lines()
        .map(|line| {
            let value: serde_json::Value = serde_json::from_str(line).expect("JSON line");
            assert!(line.starts_with("{\"event\":"), "{line}");
            value["event"].as_str().expect("event").to_owned()
        })
        .collect();
    for event in [
        "leader",
        "database",
        "connected",
        "lock-key",
        "lock-acquired",
        "child-start",
        "child-end",
        "lock-released",
    ] {
        assert!(
            events.iter().any(|e| e == event),
            "{event} missing: {events:?}"
        );
    }
}

crate::per_engine!(
    eight_concurrent_runs_never_overlap,
    killing_the_holder_frees_the_lock,
    lock_timeout_exits_75_naming_the_holder,
    sigterm_is_forwarded_to_the_command,
    sigterm_while_waiting_exits_without_running,
    lost_lock_stops_the_command_and_exits_74,
    unreachable_database_exits_69_fast,
    bad_credentials_exit_77,
    exit_codes_pass_through,
    rds_variables_locate_the_database,
    json_log_lines_are_objects,
);

/// TLS through sslmode/sslrootcert, with the server's own certificate as the root (the
/// way an RDS CA bundle is used). A failed verification is a configuration error.
#[test]
fn postgres_tls_verification() {
    let Some(db) = Db::from_env(Engine::Postgres, "postgres_tls_verification") else {
        return;
    };
    if db.sql("SHOW ssl") != "on" {
        eprintln!("SKIPPED: postgres_tls_verification needs a server with ssl = on");
        return;
    }
    let root = db.sql("SHOW ssl_cert_file");
    let url = db.password_url();
    let lock = lock_name("tls");
    for (query, expected) in [
        ("sslmode=require".to_owned(), 0),
        ("sslmode=verify-full".to_owned(), 78),
        (format!("sslmode=verify-ca&sslrootcert={root}"), 0),
        (
            "sslmode=verify-ca&sslrootcert=/nonexistent/ca.pem".to_owned(),
            78,
        ),
    ] {
        let url = format!("{url}?{query}");
        let out = output(&mut migrate([
            "--database-url",
            &url,
            "--lock-name",
            &lock,
            "--",
            "true",
        ]));
        assert_eq!(
            out.status.code(),
            Some(expected),
            "{query}: {}",
            stderr(&out)
        );
    }
}

/// A server-side idle killer (`idle_session_timeout`, PostgreSQL 14+) would end the idle
/// lock session mid-run; ebguard turns it off for its session, so the heartbeat finds the
/// session alive.
#[test]
fn postgres_idle_session_timeout_does_not_end_the_lock_session() {
    let Some(db) = Db::from_env(Engine::Postgres, "postgres_idle_session_timeout") else {
        return;
    };
    let url = format!(
        "{}?options=-c%20idle_session_timeout%3D500",
        db.password_url()
    );
    let lock = lock_name("idle");
    let out = output(&mut migrate([
        "--database-url",
        &url,
        "--lock-name",
        &lock,
        "--heartbeat-interval",
        "1s",
        "--",
        "sleep",
        "2.5",
    ]));
    let log = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{log}");
    assert!(!log.contains("event=heartbeat-failed"), "{log}");
    assert!(
        log.contains("event=lock-released key=") && log.contains("released=true"),
        "{log}"
    );
}
