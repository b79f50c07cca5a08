//! Helpers for the `migrate_*` integration tests: the real `ebguard` binary, real
//! PostgreSQL / MariaDB servers named by environment variables, and SQL clients.

use std::ffi::OsStr;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// The password every URL used in these tests carries, so leaks are easy to find.
pub const PASSWORD: &str = "S3cr3tPw";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    Postgres,
    Mysql,
}

/// A test database server, from `EBGUARD_TEST_POSTGRES_URL` / `EBGUARD_TEST_MYSQL_URL`.
pub struct Db {
    pub engine: Engine,
    /// The URL as configured (credentials that work).
    pub url: String,
    parsed: url::Url,
}

impl Db {
    /// `None` (after printing a visible skip notice) when the variable is unset.
    pub fn from_env(engine: Engine, test: &str) -> Option<Db> {
        let var = match engine {
            Engine::Postgres => "EBGUARD_TEST_POSTGRES_URL",
            Engine::Mysql => "EBGUARD_TEST_MYSQL_URL",
        };
        let Ok(url) = std::env::var(var) else {
            super::skip(&format!("{test} needs a database; set {var}"));
            return None;
        };
        let parsed = url::Url::parse(&url).unwrap_or_else(|e| panic!("{var} is not a URL: {e}"));
        Some(Db {
            engine,
            url,
            parsed,
        })
    }

    /// A URL with [`PASSWORD`] that the server accepts: PostgreSQL under trust auth
    /// ignores it; for MariaDB a user with that password is created.
    pub fn password_url(&self) -> String {
        let mut url = self.parsed.clone();
        if self.engine == Engine::Mysql {
            self.sql(&format!(
                "CREATE USER IF NOT EXISTS 'ebguard_pw'@'%' IDENTIFIED BY '{PASSWORD}'; \
                 GRANT ALL ON `{db}`.* TO 'ebguard_pw'@'%'",
                db = self.database()
            ));
            url.set_username("ebguard_pw").expect("URL has a host");
        }
        url.set_password(Some(PASSWORD)).expect("URL has a host");
        url.to_string()
    }

    /// The password URL with another port or user, for failure cases.
    pub fn variant(&self, port: Option<u16>, user: Option<&str>, password: &str) -> String {
        let mut url = self.parsed.clone();
        url.set_port(port.or(url.port())).expect("URL has a host");
        if let Some(user) = user {
            url.set_username(user).expect("URL has a host");
        }
        url.set_password(Some(password)).expect("URL has a host");
        url.to_string()
    }

    pub fn database(&self) -> String {
        self.parsed.path().trim_start_matches('/').to_owned()
    }

    /// A client command line (program + args) running one SQL string as its last arg,
    /// against `database` (default: the URL's).
    pub fn client(&self, database: Option<&str>) -> Vec<String> {
        let url = &self.parsed;
        match self.engine {
            Engine::Postgres => {
                let mut url = url.clone();
                if let Some(db) = database {
                    url.set_path(db);
                }
                [
                    "psql",
                    url.as_str(),
                    "-X",
                    "-q",
                    "-A",
                    "-t",
                    "-v",
                    "ON_ERROR_STOP=1",
                    "-c",
                ]
                .map(String::from)
                .to_vec()
            }
            Engine::Mysql => {
                let mut args = vec![
                    "mariadb".to_owned(),
                    "--protocol=TCP".to_owned(),
                    format!("--host={}", url.host_str().unwrap_or("127.0.0.1")),
                    format!("--port={}", url.port().unwrap_or(3306)),
                    format!("--user={}", url.username()),
                    "-N".to_owned(),
                    "-s".to_owned(),
                ];
                if let Some(password) = url.password() {
                    args.push(format!("--password={password}"));
                }
                args.push(
                    database
                        .map(str::to_owned)
                        .unwrap_or_else(|| self.database()),
                );
                args.push("-e".to_owned());
                args
            }
        }
    }

    /// Runs SQL with the client and returns its trimmed stdout; panics on failure (a
    /// configured but broken server fails the test).
    pub fn sql(&self, sql: &str) -> String {
        self.sql_in(None, sql)
    }

    pub fn sql_in(&self, database: Option<&str>, sql: &str) -> String {
        let client = self.client(database);
        let out = Command::new(&client[0])
            .args(&client[1..])
            .arg(sql)
            .output()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", client[0]));
        assert!(
            out.status.success(),
            "{} failed on `{sql}`: {}",
            client[0],
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    }

    /// Writes `dir/sql`, a script running its first argument as SQL, for child commands.
    pub fn sql_script(&self, dir: &Path) -> PathBuf {
        let client = self.client(None);
        let quoted: Vec<String> = client.iter().map(|a| shell_quote(a)).collect();
        write_script(dir, "sql", &format!("exec {} \"$1\"\n", quoted.join(" ")))
    }

    /// The SQL expression for "now, with microseconds" on this engine.
    pub fn now(&self) -> &'static str {
        match self.engine {
            Engine::Postgres => "clock_timestamp()",
            Engine::Mysql => "NOW(6)",
        }
    }

    /// Ends the session holding ebguard's lock `key` (as logged in `lock-key`) from the
    /// server, as a failover or an idle killer would.
    pub fn kill_lock_session(&self, key: &str) {
        match self.engine {
            Engine::Postgres => {
                let (k1, k2) = key.split_once(':').expect("k1:k2");
                self.sql(&format!(
                    "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' \
                     AND classid::int8 = {k1} AND objid::int8 = {k2} AND granted"
                ));
            }
            Engine::Mysql => {
                let id = self.sql(&format!("SELECT IS_USED_LOCK('{key}')"));
                self.sql(&format!("KILL {id}"));
            }
        }
    }

    /// A table name unique to this test process and purpose.
    pub fn table(&self, purpose: &str) -> String {
        format!("ebguard_t_{purpose}_{}", std::process::id())
    }
}

pub fn shell_quote(arg: &str) -> String {
    format!("'{}'", arg.replace('\'', r"'\''"))
}

/// Writes an executable shell script `dir/name` with `body` after the shebang.
pub fn write_script(dir: &Path, name: &str, body: &str) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let path = dir.join(name);
    std::fs::write(&path, format!("#!/bin/sh\n{body}")).expect("write script");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    path
}

/// Heartbeat 300 ms, lease timeout (T1) 1 s, grace 1 s: short enough for tests, so the
/// server-side timeout T2 = 2.3 s (MySQL rounds it up to 3 s).
pub const FAST: [&str; 6] = [
    "--heartbeat-interval",
    "300ms",
    "--lease-timeout",
    "1s",
    "--stop-grace-period",
    "1s",
];

/// `ebguard migrate --database-url <url> --lock-name <lock> --poll-interval 100ms <extra>
/// -- <command>`.
pub fn locked(url: &str, lock: &str, extra: &[&str], command: &[&str]) -> Command {
    let mut args = vec![
        "--database-url",
        url,
        "--lock-name",
        lock,
        "--poll-interval",
        "100ms",
    ];
    args.extend_from_slice(extra);
    args.push("--");
    args.extend_from_slice(command);
    migrate(args)
}

/// `ebguard migrate <args>` with a clean environment for the variables it reads.
pub fn migrate<I, S>(args: I) -> Command
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ebguard"));
    cmd.arg("migrate");
    for var in [
        "DATABASE_URL",
        "EB_IS_COMMAND_LEADER",
        "RDS_HOSTNAME",
        "RDS_PORT",
        "RDS_DB_NAME",
        "RDS_USERNAME",
        "RDS_PASSWORD",
    ] {
        cmd.env_remove(var);
    }
    cmd.args(args);
    cmd
}

/// Runs to completion, asserting the password appears nowhere in the output.
pub fn output(cmd: &mut Command) -> Output {
    let out = cmd.output().expect("run ebguard");
    assert_no_password(&out.stdout);
    assert_no_password(&out.stderr);
    out
}

pub fn assert_no_password(bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    for secret in [PASSWORD, "S3cr3t%40Pw", "S3cr3t@Pw"] {
        assert!(
            !text.contains(secret),
            "password `{secret}` leaked:\n{text}"
        );
    }
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A running `ebguard migrate` whose stderr goes to a file that can be read meanwhile.
pub struct Running {
    pub child: Child,
    pub log: PathBuf,
}

impl Running {
    pub fn start(mut cmd: Command, log: PathBuf) -> Running {
        let file = File::create(&log).expect("create log file");
        let child = cmd
            .stdout(Stdio::null())
            .stderr(file)
            .spawn()
            .expect("spawn ebguard");
        Running { child, log }
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Waits until the log contains `needle`; panics after `timeout`.
    pub fn wait_for_log(&self, needle: &str, timeout: Duration) -> String {
        let start = Instant::now();
        loop {
            let text = self.log_text();
            if text.contains(needle) {
                return text;
            }
            assert!(
                start.elapsed() < timeout,
                "no `{needle}` within {timeout:?}:\n{text}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits for exit (panics after `timeout`); returns the exit code and the log, which
    /// must not contain the password.
    pub fn finish(mut self, timeout: Duration) -> (Option<i32>, String) {
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                let log = self.log_text();
                assert_no_password(log.as_bytes());
                return (status.code(), log);
            }
            if start.elapsed() > timeout {
                let _ = self.child.kill();
                panic!(
                    "ebguard did not exit within {timeout:?}:\n{}",
                    self.log_text()
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn signal(&self, signal: &str) {
        let status = Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(self.child.id().to_string())
            .status()
            .expect("run kill");
        assert!(status.success());
    }
}

/// Waits until `path` exists; panics after `timeout`.
pub fn wait_for_file(path: &Path, timeout: Duration) {
    let start = Instant::now();
    while !path.exists() {
        assert!(
            start.elapsed() < timeout,
            "{} not created within {timeout:?}",
            path.display()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The value of `key=` in the first log line with `event=<event>`.
pub fn log_field(log: &str, event: &str, key: &str) -> Option<String> {
    let line = log
        .lines()
        .find(|l| l.contains(&format!("event={event} ")))?;
    let start = line.find(&format!(" {key}="))? + key.len() + 2;
    Some(line[start..].split(' ').next()?.to_owned())
}

/// Defines `mod postgres` and `mod mysql`, one `#[test]` per scenario function
/// `fn(&Db)` of the calling file, each skipped (failed under CI) without its server.
#[macro_export]
macro_rules! per_engine {
    ($($scenario:ident),* $(,)?) => {
        mod postgres {
            $(#[test]
            fn $scenario() {
                if let Some(db) = super::Db::from_env(super::Engine::Postgres, stringify!($scenario)) {
                    super::$scenario(&db);
                }
            })*
        }
        mod mysql {
            $(#[test]
            fn $scenario() {
                if let Some(db) = super::Db::from_env(super::Engine::Mysql, stringify!($scenario)) {
                    super::$scenario(&db);
                }
            })*
        }
    };
}
