//! The database lock: a session-level lock on a dedicated connection, so the migration's
//! own connections and transactions are untouched (crates.md §E.3 "Session vs
//! transaction locks"), plus a lease record that outlives a dirty release. Backends:
//! [`postgres`] (advisory lock) and [`mysql`] (`GET_LOCK`). The timing argument is in
//! docs/migrate.md "Timing".

mod conn;
mod mysql;
mod postgres;

use std::future::Future;
use std::time::{Duration, Instant};

use conn::{truthy, Conn};
use sqlx::mysql::MySqlConnectOptions;
use sqlx::postgres::PgConnectOptions;

use super::exit::{Failure, MigrateError};
use super::log::{seconds, Log};
use super::timing::Timing;
use super::url::{DatabaseTarget, Engine};

/// Cap on one connection attempt, so one hung TCP handshake cannot eat the deadline.
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(10);
/// Cap on one query while waiting or releasing.
const QUERY_TIMEOUT: Duration = Duration::from_secs(10);
/// Cap on the release after the command ended: a frozen connection must not hold the
/// deployment (the server ends the session by itself within T2).
const RELEASE_TIMEOUT: Duration = Duration::from_secs(3);

/// How often the holder is logged while waiting (after the first poll).
const HOLDER_REPORT_INTERVAL: Duration = Duration::from_secs(15);

/// The lease records' table, created by the migrating user in its default schema.
pub const LEASE_TABLE: &str = "ebguard_lease";

/// Who to report as the lock's holder: `(field, value)` pairs for the log.
pub type Holder = Vec<(&'static str, String)>;

/// What the lock is keyed on. The server-reported database name (not the host string,
/// which differs between CNAME, instance and proxy endpoints; not the EB environment,
/// because blue/green environments share one database) plus `--lock-name`
/// (crates.md §E.4 step 5).
fn scope(database: &str, lock_name: Option<&str>) -> String {
    format!("{database}\0{}", lock_name.unwrap_or(""))
}

/// How to open another connection like the first.
#[derive(Clone)]
enum Connector {
    Postgres(Box<PgConnectOptions>),
    Mysql(Box<MySqlConnectOptions>),
}

/// The lock's identity per engine.
#[derive(Clone, Debug)]
enum Key {
    Postgres((i32, i32)),
    Mysql(String),
}

impl Connector {
    fn new(target: &DatabaseTarget, application_name: &str) -> Result<Self, sqlx::Error> {
        let env = |name: &str| std::env::var(name).ok();
        Ok(match target.engine {
            Engine::Postgres => Connector::Postgres(Box::new(postgres::options(
                &target.url,
                application_name,
                &env,
            )?)),
            Engine::Mysql => Connector::Mysql(Box::new(mysql::options(&target.url)?)),
        })
    }

    /// One connection attempt, not yet configured (see [`Connector::configure`]).
    async fn connect(&self) -> Result<Conn, sqlx::Error> {
        match self {
            Connector::Postgres(options) => postgres::connect(options).await,
            Connector::Mysql(options) => mysql::connect(options).await,
        }
    }

    /// One connection attempt, configured for holding the lock.
    async fn connect_configured(&self, timing: &Timing) -> Result<Conn, sqlx::Error> {
        let mut conn = self.connect().await?;
        self.configure(&mut conn, timing).await?;
        Ok(conn)
    }

    /// Session settings of the lock connection (server-side timeouts of docs/migrate.md
    /// "Timing"). Applied only after the pooler check, so a pooler's shared server
    /// connections are never changed.
    async fn configure(&self, conn: &mut Conn, timing: &Timing) -> Result<(), sqlx::Error> {
        let (required, optional) = match self {
            Connector::Postgres(_) => postgres::session_settings(timing),
            Connector::Mysql(_) => mysql::session_settings(timing),
        };
        for sql in required {
            conn.exec(&sql).await?;
        }
        for sql in optional {
            let _ = conn.exec(&sql).await;
        }
        Ok(())
    }

    fn sql_database(&self) -> &'static str {
        match self {
            Connector::Postgres(_) => postgres::DATABASE,
            Connector::Mysql(_) => mysql::DATABASE,
        }
    }

    fn sql_backend(&self) -> &'static str {
        match self {
            Connector::Postgres(_) => postgres::BACKEND,
            Connector::Mysql(_) => mysql::BACKEND,
        }
    }
}

/// An open lock session.
pub struct LockSession {
    connector: Connector,
    conn: Conn,
    database: String,
    key: Key,
    /// Shown to other instances as the holder (sanitised, so it can be written as SQL).
    holder_name: String,
    /// This run's lease identity.
    token: String,
    timing: Timing,
    /// The command must be stopped by this instant unless a heartbeat confirms the lock
    /// again: the send time of the last confirmed heartbeat + T1.
    lease_deadline: Option<Instant>,
    next_heartbeat: Instant,
}

/// Runs `query` with `limit`; a timeout becomes an I/O error (transient).
async fn bounded<T>(
    limit: Duration,
    query: impl Future<Output = Result<T, sqlx::Error>>,
) -> Result<T, sqlx::Error> {
    match tokio::time::timeout(limit, query).await {
        Ok(result) => result,
        Err(_) => Err(sqlx::Error::Io(std::io::Error::new(
            std::io::ErrorKind::TimedOut,
            format!("the database did not answer within {}", seconds(limit)),
        ))),
    }
}

impl LockSession {
    /// Connects (retrying until `deadline`), refuses poolers that would not keep the
    /// lock on this session, and derives the key. No lock is taken here.
    pub async fn open(
        target: &DatabaseTarget,
        application_name: &str,
        lock_name: Option<&str>,
        timing: Timing,
        deadline: Instant,
        log: &Log,
    ) -> Result<Self, MigrateError> {
        let connector =
            Connector::new(target, application_name).map_err(|e| classify_fatal(&e, log))?;
        let mut conn = with_retry(log, deadline, || connector.connect()).await?;
        detect_pooler(&connector, &mut conn, log).await?;
        bounded(QUERY_TIMEOUT, connector.configure(&mut conn, &timing))
            .await
            .map_err(|e| classify_fatal(&e, log))?;
        let database = bounded(QUERY_TIMEOUT, conn.scalar(connector.sql_database()))
            .await
            .map_err(|e| classify_fatal(&e, log))?
            .unwrap_or_default();
        let scope = scope(&database, lock_name);
        let key = match connector {
            Connector::Postgres(_) => Key::Postgres(postgres::key_for(&scope)),
            Connector::Mysql(_) => Key::Mysql(mysql::name_for(&scope)),
        };
        Ok(LockSession {
            connector,
            conn,
            database,
            key,
            holder_name: sanitise(application_name),
            token: token(),
            timing,
            lease_deadline: None,
            next_heartbeat: Instant::now(),
        })
    }

    /// The key as logged: `k1:k2` for PostgreSQL, the lock name for MySQL.
    pub fn key(&self) -> String {
        match &self.key {
            Key::Postgres((k1, k2)) => format!("{k1}:{k2}"),
            Key::Mysql(name) => name.clone(),
        }
    }

    pub fn database(&self) -> &str {
        &self.database
    }

    /// `(acquired, backend that ran the statement)`.
    async fn try_acquire(&mut self) -> Result<(bool, String), sqlx::Error> {
        let sql = match &self.key {
            Key::Postgres(k) => postgres::try_acquire(*k),
            Key::Mysql(n) => mysql::try_acquire(n),
        };
        let row = self.conn.row(&sql).await?.unwrap_or_default();
        match row.first() {
            Some(Some(v)) if v == "0" || v == "f" || v == "false" => {
                Ok((false, row.get(1).cloned().flatten().unwrap_or_default()))
            }
            Some(v) if truthy(v) => Ok((true, row.get(1).cloned().flatten().unwrap_or_default())),
            _ => Err(sqlx::Error::Protocol(format!(
                "the lock function returned {row:?} (server error)"
            ))),
        }
    }

    /// `(this session holds the lock, backend that ran the statement)`, asked in a
    /// statement of its own.
    async fn holds(&mut self) -> Result<(bool, String), sqlx::Error> {
        let sql = match &self.key {
            Key::Postgres(k) => postgres::holds(*k),
            Key::Mysql(n) => mysql::holds(n),
        };
        let row = self.conn.row(&sql).await?.unwrap_or_default();
        Ok((
            row.first().map(truthy).unwrap_or(false),
            row.get(1).cloned().flatten().unwrap_or_default(),
        ))
    }

    /// Who holds the lock now, if the server tells.
    async fn holder(&mut self) -> Result<Option<Holder>, sqlx::Error> {
        let (sql, pg) = match &self.key {
            Key::Postgres(k) => (postgres::holder(*k), true),
            Key::Mysql(n) => (mysql::holder(n), false),
        };
        let row = bounded(QUERY_TIMEOUT, self.conn.row(&sql)).await?;
        Ok(row.map(|row| {
            if pg {
                postgres::holder_fields(row)
            } else {
                mysql::holder_fields(row)
            }
        }))
    }

    /// A fresh connection to the same database (the key does not change).
    async fn reconnect(&mut self, deadline: Instant, log: &Log) -> Result<(), MigrateError> {
        let connector = self.connector.clone();
        let timing = self.timing;
        let conn = with_retry(log, deadline, || connector.connect_configured(&timing)).await?;
        self.conn = conn;
        Ok(())
    }

    /// Polls until the lock is ours or `timeout` passes, logging the holder at the first
    /// poll and then every [`HOLDER_REPORT_INTERVAL`]; then checks that this very session
    /// holds it. `timeout` bounds everything here, reconnections included.
    pub async fn acquire(
        &mut self,
        timeout: Duration,
        poll: Duration,
        connect_timeout: Duration,
        log: &Log,
    ) -> Result<Duration, MigrateError> {
        let started = Instant::now();
        let deadline = started + timeout;
        let mut next_report = started;
        let backend = loop {
            // The last attempt, at the deadline, still gets a moment to answer.
            let remaining = deadline.saturating_duration_since(Instant::now());
            let limit = remaining.clamp(Duration::from_millis(500), QUERY_TIMEOUT);
            match bounded(limit, self.try_acquire()).await {
                Ok((true, backend)) => break backend,
                Ok((false, _)) => {
                    let waited = started.elapsed();
                    if Instant::now() >= deadline {
                        let holder = self.describe_holder().await;
                        let mut fields = vec![("key", self.key()), ("waited", seconds(waited))];
                        fields.extend(holder.iter().cloned());
                        log.event("lock-timeout", &fields);
                        return Err(MigrateError::new(
                            Failure::LockTimeout,
                            format!(
                                "lock {} was still held after {} ({}); see --lock-timeout",
                                self.key(),
                                seconds(waited),
                                holder_sentence(&holder)
                            ),
                        ));
                    }
                    if Instant::now() >= next_report {
                        let mut fields = vec![("key", self.key()), ("waited", seconds(waited))];
                        fields.extend(self.describe_holder().await);
                        log.event("lock-wait", &fields);
                        next_report += HOLDER_REPORT_INTERVAL;
                    }
                }
                Err(err) => {
                    log.event("lock-query-failed", &[("error", err.to_string())]);
                    if Instant::now() >= deadline {
                        return Err(MigrateError::new(
                            Failure::DatabaseUnreachable,
                            format!(
                                "the lock query kept failing until --lock-timeout ({}): {err}",
                                seconds(timeout)
                            ),
                        ));
                    }
                    let reconnect_by = deadline.min(Instant::now() + connect_timeout);
                    self.reconnect(reconnect_by, log).await?;
                    continue;
                }
            }
            let remaining = deadline.saturating_duration_since(Instant::now());
            tokio::time::sleep(jitter(poll).min(remaining)).await;
        };
        let waited = started.elapsed();
        match bounded(QUERY_TIMEOUT, self.holds()).await {
            Ok((true, now)) if now == backend => {
                log.event(
                    "lock-acquired",
                    &[("key", self.key()), ("waited", seconds(waited))],
                );
                Ok(waited)
            }
            Ok(_) => {
                // The lock landed on a pooled server connection that is not this session:
                // end that backend so the lock does not stay behind for every later run.
                let cleanup = match &self.key {
                    Key::Postgres(k) => Some(postgres::terminate(*k, &backend)),
                    Key::Mysql(n) => mysql::terminate(n, &backend),
                };
                let released = match cleanup {
                    Some(sql) => bounded(QUERY_TIMEOUT, self.conn.exec(&sql)).await.is_ok(),
                    None => false,
                };
                log.event(
                    "pooler-detected",
                    &[
                        ("check", "after-lock".into()),
                        ("lock_backend", backend),
                        ("released", released.to_string()),
                    ],
                );
                Err(pooler_error())
            }
            Err(err) => Err(MigrateError::new(
                Failure::DatabaseUnreachable,
                format!("the connection failed right after taking the lock: {err}"),
            )),
        }
    }

    /// The holder's fields, or why they are unknown.
    async fn describe_holder(&mut self) -> Holder {
        match self.holder().await {
            Ok(Some(holder)) => holder,
            Ok(None) => vec![("holder", "unknown (released meanwhile)".into())],
            Err(err) => vec![("holder", format!("unknown ({err})"))],
        }
    }

    fn lease_key(&self) -> String {
        self.key()
    }

    /// After taking the lock, before running anything: waits out the lease of a previous
    /// holder that did not release cleanly (its command may still be stopping), then
    /// writes this run's lease.
    pub async fn claim_lease(&mut self, log: &Log) -> Result<(), MigrateError> {
        let (create, read) = match &self.key {
            Key::Postgres(_) => (
                postgres::lease_create(),
                postgres::lease_read(&self.lease_key()),
            ),
            Key::Mysql(_) => (mysql::lease_create(), mysql::lease_read(&self.lease_key())),
        };
        bounded(QUERY_TIMEOUT, self.conn.exec(&create))
            .await
            .map_err(|err| {
                MigrateError::new(
                    Failure::Configuration,
                    format!(
                        "cannot create the lease table {LEASE_TABLE} (the migrating user needs \
                         CREATE on its default schema; see docs/migrate.md \"Lease\"): {err}"
                    ),
                )
            })?;
        let started = Instant::now();
        let mut logged = false;
        loop {
            let row = bounded(QUERY_TIMEOUT, self.conn.row(&read))
                .await
                .map_err(|e| lost_before_start(&e))?;
            let Some(row) = row else { break };
            let previous = row.first().cloned().flatten().unwrap_or_default();
            let remaining: f64 = row
                .get(1)
                .cloned()
                .flatten()
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0.0);
            if remaining <= 0.0 {
                if logged {
                    log.event(
                        "lease-expired",
                        &[
                            ("previous_holder", previous),
                            ("waited", seconds(started.elapsed())),
                        ],
                    );
                }
                break;
            }
            if !logged {
                log.event(
                    "lease-wait",
                    &[
                        ("key", self.key()),
                        ("previous_holder", previous),
                        ("remaining", format!("{remaining:.1}s")),
                        (
                            "reason",
                            "the previous holder did not release cleanly; its command may still be stopping"
                                .into(),
                        ),
                    ],
                );
                logged = true;
            }
            let pause = remaining.min(self.timing.watch_slice().as_secs_f64());
            let sql = self.sleep_sql(pause);
            bounded(QUERY_TIMEOUT, self.conn.exec(&sql))
                .await
                .map_err(|e| lost_before_start(&e))?;
        }
        let span = self.timing.lease_span().as_millis();
        let claim = match &self.key {
            Key::Postgres(_) => {
                postgres::lease_claim(&self.lease_key(), &self.token, &self.holder_name, span)
            }
            Key::Mysql(_) => {
                mysql::lease_claim(&self.lease_key(), &self.token, &self.holder_name, span)
            }
        };
        let sent = Instant::now();
        bounded(QUERY_TIMEOUT, self.conn.exec(&claim))
            .await
            .map_err(|e| lost_before_start(&e))?;
        self.lease_deadline = Some(sent + self.timing.lease);
        self.next_heartbeat = sent + self.timing.heartbeat;
        log.event(
            "lease-claimed",
            &[
                ("key", self.key()),
                ("heartbeat", seconds(self.timing.heartbeat)),
                ("lease_timeout", seconds(self.timing.lease)),
                ("server_timeout", seconds(self.timing.server_timeout())),
            ],
        );
        Ok(())
    }

    fn sleep_sql(&self, seconds: f64) -> String {
        match self.key {
            Key::Postgres(_) => postgres::sleep(seconds),
            Key::Mysql(_) => mysql::sleep(seconds),
        }
    }

    /// Whether `at` lies inside the lease this session last confirmed.
    pub fn within_lease(&self, at: Instant) -> bool {
        self.lease_deadline.is_some_and(|deadline| at < deadline)
    }

    /// Watches the lock session while the command runs and returns only when the lock
    /// can no longer be vouched for. The connection always has a query in flight (a short
    /// server-side sleep, or the heartbeat that refreshes the lease and checks the lock),
    /// so a reset, a server restart or a killed session is seen at once; a silent one is
    /// given up at the lease deadline (T1 after the last confirmed heartbeat was sent).
    /// Never re-takes the lock: exclusion that was broken cannot be restored.
    /// Cancel-safe: all state lives in `self`.
    pub async fn watch(&mut self) -> MigrateError {
        loop {
            let Some(deadline) = self.lease_deadline else {
                return lock_lost("no lease was claimed".into());
            };
            let now = Instant::now();
            if now >= deadline {
                return lock_lost(format!(
                    "the lock could not be confirmed for --lease-timeout ({})",
                    seconds(self.timing.lease)
                ));
            }
            let budget = deadline - now;
            if now >= self.next_heartbeat {
                let span = self.timing.lease_span().as_millis();
                let sql = match &self.key {
                    Key::Postgres(k) => {
                        postgres::lease_refresh(*k, &self.lease_key(), &self.token, span)
                    }
                    Key::Mysql(n) => mysql::lease_refresh(n, &self.token, span),
                };
                let sent = Instant::now();
                match tokio::time::timeout(budget, self.conn.exec(&sql)).await {
                    Ok(Ok(1)) => {
                        self.lease_deadline = Some(sent + self.timing.lease);
                        self.next_heartbeat = sent + self.timing.heartbeat;
                    }
                    Ok(Ok(_)) => {
                        return lock_lost(
                            "this session no longer holds the lock or its lease record".into(),
                        )
                    }
                    Ok(Err(err)) => return lock_lost(format!("the lock session failed: {err}")),
                    Err(_) => continue,
                }
            } else {
                let pause = (self.next_heartbeat - now)
                    .min(self.timing.watch_slice())
                    .as_secs_f64();
                let sql = self.sleep_sql(pause);
                match tokio::time::timeout(budget, self.conn.exec(&sql)).await {
                    Ok(Ok(_)) | Err(_) => {}
                    Ok(Err(err)) => return lock_lost(format!("the lock session failed: {err}")),
                }
            }
        }
    }

    /// Removes the lease record, then releases the lock; `Ok(false)` when the server
    /// says this session did not hold it. Bounded by [`RELEASE_TIMEOUT`].
    pub async fn release(mut self) -> Result<bool, sqlx::Error> {
        let (delete, unlock) = match &self.key {
            Key::Postgres(k) => (
                postgres::lease_delete(&self.lease_key(), &self.token),
                postgres::release(*k),
            ),
            Key::Mysql(n) => (
                mysql::lease_delete(&self.lease_key(), &self.token),
                mysql::release(n),
            ),
        };
        bounded(RELEASE_TIMEOUT, async {
            self.conn.exec(&delete).await?;
            let released = truthy(&self.conn.scalar(&unlock).await?);
            self.conn.close().await?;
            Ok(released)
        })
        .await
    }
}

/// Before any lock is taken: a transaction- or statement-mode pooler hands an idle
/// client's server connection to the next client, so a second connection that lands on
/// the same backend proves that a session lock would not stay with this session. Run in
/// the simple-query protocol, which such poolers support.
async fn detect_pooler(
    connector: &Connector,
    conn: &mut Conn,
    log: &Log,
) -> Result<(), MigrateError> {
    let first = bounded(QUERY_TIMEOUT, conn.scalar(connector.sql_backend()))
        .await
        .map_err(|e| classify_fatal(&e, log))?;
    let mut probe = bounded(ATTEMPT_TIMEOUT, connector.connect())
        .await
        .map_err(|e| classify_fatal(&e, log))?;
    let second = bounded(QUERY_TIMEOUT, probe.scalar(connector.sql_backend()))
        .await
        .map_err(|e| classify_fatal(&e, log))?;
    let _ = bounded(QUERY_TIMEOUT, probe.close()).await;
    if first.is_some() && first == second {
        log.event(
            "pooler-detected",
            &[
                ("check", "before-lock".into()),
                ("backend", first.unwrap_or_default()),
            ],
        );
        return Err(pooler_error());
    }
    Ok(())
}

fn pooler_error() -> MigrateError {
    MigrateError::new(
        Failure::Configuration,
        "a transaction- or statement-mode pooler (PgBouncer, RDS Proxy multiplexing, \
         ProxySQL) sits between ebguard and the database, so a session lock would not stay \
         with this session; point --database-url at the database itself or at a \
         session-mode pool",
    )
}

fn lock_lost(why: String) -> MigrateError {
    MigrateError::new(
        Failure::LockLost,
        format!("the migration lock was lost: {why}"),
    )
}

fn lost_before_start(err: &sqlx::Error) -> MigrateError {
    MigrateError::new(
        Failure::LockLost,
        format!("the lock session failed before the command started (it did not run): {err}"),
    )
}

fn holder_sentence(holder: &Holder) -> String {
    let parts: Vec<String> = holder.iter().map(|(k, v)| format!("{k}={v}")).collect();
    parts.join(" ")
}

/// Only characters that need no quoting in SQL or logs.
fn sanitise(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | ':' | '-') {
                c
            } else {
                '_'
            }
        })
        .take(200)
        .collect()
}

/// A random hex token naming this run's lease.
fn token() -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut out = String::new();
    for salt in 0..2u64 {
        let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
        hasher.write_u64(salt);
        hasher.write_u32(std::process::id());
        hasher.write_u128(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or(0),
        );
        out.push_str(&format!("{:016x}", hasher.finish()));
    }
    out
}

/// How a driver error is treated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ErrorClass {
    /// Worth another attempt: network, DNS, server starting, too many connections.
    Transient,
    /// Retrying cannot help.
    Fatal(Failure),
}

fn classify(err: &sqlx::Error) -> ErrorClass {
    match err {
        sqlx::Error::Database(db) => {
            if let Some(number) = db
                .try_downcast_ref::<sqlx::mysql::MySqlDatabaseError>()
                .map(|e| e.number())
            {
                return mysql::classify(number);
            }
            postgres::classify(db.code().as_deref().unwrap_or(""))
        }
        // A missing file (e.g. sslrootcert), not a missing server; and rustls reports a
        // failed certificate verification (wrong sslmode/sslrootcert) as InvalidData.
        sqlx::Error::Io(io)
            if matches!(
                io.kind(),
                std::io::ErrorKind::NotFound | std::io::ErrorKind::InvalidData
            ) =>
        {
            ErrorClass::Fatal(Failure::Configuration)
        }
        sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut | sqlx::Error::Protocol(_) => {
            ErrorClass::Transient
        }
        // TLS setup, bad options and anything unexpected: retrying cannot help.
        _ => ErrorClass::Fatal(Failure::Configuration),
    }
}

fn classify_fatal(err: &sqlx::Error, log: &Log) -> MigrateError {
    let failure = match classify(err) {
        ErrorClass::Fatal(failure) => failure,
        ErrorClass::Transient => Failure::DatabaseUnreachable,
    };
    log.event("database-error", &[("error", err.to_string())]);
    MigrateError::new(failure, describe(failure, err))
}

fn describe(failure: Failure, err: &sqlx::Error) -> String {
    match failure {
        Failure::Authentication => format!("the database rejected the credentials: {err}"),
        Failure::DatabaseUnreachable => format!("the database is unreachable: {err}"),
        _ => format!("cannot use the database: {err}"),
    }
}

/// Exponential backoff with jitter, so a fleet of instances coming up together does not
/// reconnect in lockstep.
fn backoff(attempt: u32) -> Duration {
    let base = Duration::from_millis(250).saturating_mul(1 << attempt.min(5));
    jitter(base.min(Duration::from_secs(5)))
}

/// `base` plus a random fraction of it (up to +100 %).
pub fn jitter(base: Duration) -> Duration {
    use std::hash::{BuildHasher, Hasher};
    // RandomState is seeded per process from OS randomness: enough to de-synchronise.
    let random = std::collections::hash_map::RandomState::new()
        .build_hasher()
        .finish();
    base + base.mul_f64((random % 1000) as f64 / 1000.0)
}

/// Retries `connect` until it succeeds, fails for good, or `deadline` passes; the last
/// attempt is made at the deadline, not a backoff step before it. Never gives up early
/// to "run anyway": an unreachable database is a failure (exit 69).
async fn with_retry<T, F, Fut>(
    log: &Log,
    deadline: Instant,
    mut connect: F,
) -> Result<T, MigrateError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, sqlx::Error>>,
{
    let started = Instant::now();
    let mut attempt = 0u32;
    loop {
        attempt += 1;
        let remaining = deadline.saturating_duration_since(Instant::now());
        let result = match tokio::time::timeout(
            remaining.clamp(Duration::from_millis(100), ATTEMPT_TIMEOUT),
            connect(),
        )
        .await
        {
            Ok(result) => result,
            Err(_) => Err(sqlx::Error::Io(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                "connection attempt timed out",
            ))),
        };
        let err = match result {
            Ok(value) => {
                log.event(
                    "connected",
                    &[
                        ("attempt", attempt.to_string()),
                        ("elapsed", seconds(started.elapsed())),
                    ],
                );
                return Ok(value);
            }
            Err(err) => err,
        };
        let class = classify(&err);
        let remaining = deadline.saturating_duration_since(Instant::now());
        let wait = backoff(attempt).min(remaining);
        let give_up = match class {
            ErrorClass::Fatal(_) => true,
            ErrorClass::Transient => remaining.is_zero(),
        };
        let mut fields = vec![("attempt", attempt.to_string()), ("error", err.to_string())];
        if !give_up {
            fields.push(("retry_in", seconds(wait)));
        }
        log.event("connect-failed", &fields);
        if give_up {
            let failure = match class {
                ErrorClass::Fatal(failure) => failure,
                ErrorClass::Transient => Failure::DatabaseUnreachable,
            };
            let mut message = describe(failure, &err);
            if failure == Failure::DatabaseUnreachable {
                message.push_str(&format!(
                    " (gave up after {attempt} attempts in {}; see --connect-timeout)",
                    seconds(started.elapsed())
                ));
            }
            return Err(MigrateError::new(failure, message));
        }
        tokio::time::sleep(wait).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_separates_database_and_lock_name() {
        assert_ne!(scope("ab", Some("c")), scope("a", Some("bc")));
        assert_eq!(scope("db", None), scope("db", Some("")));
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        assert!(backoff(1) >= Duration::from_millis(500));
        assert!(backoff(1) <= Duration::from_millis(1000));
        for attempt in 1..40 {
            assert!(backoff(attempt) <= Duration::from_secs(10));
        }
    }

    #[test]
    fn io_errors_retry_missing_files_do_not() {
        let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        assert_eq!(classify(&sqlx::Error::Io(refused)), ErrorClass::Transient);
        let missing = std::io::Error::from(std::io::ErrorKind::NotFound);
        assert_eq!(
            classify(&sqlx::Error::Io(missing)),
            ErrorClass::Fatal(Failure::Configuration)
        );
    }

    #[test]
    fn holder_names_and_tokens_need_no_quoting() {
        assert_eq!(
            sanitise("ebguard-migrate:i-0ab'c d"),
            "ebguard-migrate:i-0ab_c_d"
        );
        let t = token();
        assert_eq!(t.len(), 32);
        assert!(t.chars().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(t, token());
    }
}
