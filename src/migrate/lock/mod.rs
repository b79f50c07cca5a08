//! The database lock: a session-level lock on a dedicated connection, so the migration's
//! own connections and transactions are untouched (crates.md §E.3 "Session vs
//! transaction locks"). Backends: [`postgres`] (advisory lock) and [`mysql`] (`GET_LOCK`).

mod mysql;
mod postgres;

use std::future::Future;
use std::time::{Duration, Instant};

use super::exit::{Failure, MigrateError};
use super::log::{seconds, Log};
use super::url::{DatabaseTarget, Engine};

/// Cap on one connection attempt, so one hung TCP handshake cannot eat the deadline.
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(10);
/// Cap on one lock query (try-lock, holder lookup, heartbeat).
const QUERY_TIMEOUT: Duration = Duration::from_secs(10);

/// How often the holder is logged while waiting (after the first poll).
const HOLDER_REPORT_INTERVAL: Duration = Duration::from_secs(15);

/// Who to report as the lock's holder: `(field, value)` pairs for the log.
pub type Holder = Vec<(&'static str, String)>;

/// What the lock is keyed on. The server-reported database name (not the host string,
/// which differs between CNAME, instance and proxy endpoints; not the EB environment,
/// because blue/green environments share one database) plus `--lock-name`
/// (crates.md §E.4 step 5).
fn scope(database: &str, lock_name: Option<&str>) -> String {
    format!("{database}\0{}", lock_name.unwrap_or(""))
}

/// An open lock session of either engine.
pub enum LockSession {
    Postgres(postgres::PgLock),
    Mysql(mysql::MySqlLock),
}

/// Runs `query` with [`QUERY_TIMEOUT`]; a timeout becomes an I/O error (transient).
async fn bounded<T>(query: impl Future<Output = Result<T, sqlx::Error>>) -> Result<T, sqlx::Error> {
    match tokio::time::timeout(QUERY_TIMEOUT, query).await {
        Ok(result) => result,
        Err(_) => Err(sqlx::Error::Io(std::io::Error::new(
            std::io::ErrorKind::TimedOut,
            "the database did not answer within 10s",
        ))),
    }
}

impl LockSession {
    /// Connects (retrying until `deadline`), prepares the session and derives the key.
    pub async fn open(
        target: &DatabaseTarget,
        application_name: &str,
        lock_name: Option<&str>,
        deadline: Instant,
        log: &Log,
    ) -> Result<Self, MigrateError> {
        let session = match target.engine {
            Engine::Postgres => {
                let options = postgres::PgLock::options(&target.url, application_name)
                    .map_err(|e| classify_fatal(&e, log))?;
                let (conn, database) =
                    with_retry(log, deadline, || postgres::PgLock::connect(&options)).await?;
                let scope = scope(&database, lock_name);
                LockSession::Postgres(postgres::PgLock::new(options, conn, database, &scope))
            }
            Engine::Mysql => {
                let options =
                    mysql::MySqlLock::options(&target.url).map_err(|e| classify_fatal(&e, log))?;
                let (conn, database) =
                    with_retry(log, deadline, || mysql::MySqlLock::connect(&options)).await?;
                let scope = scope(&database, lock_name);
                LockSession::Mysql(mysql::MySqlLock::new(options, conn, database, &scope))
            }
        };
        Ok(session)
    }

    /// The key as logged: `k1:k2` for PostgreSQL, the lock name for MySQL.
    pub fn key(&self) -> String {
        match self {
            LockSession::Postgres(lock) => lock.key(),
            LockSession::Mysql(lock) => lock.key(),
        }
    }

    pub fn database(&self) -> &str {
        match self {
            LockSession::Postgres(lock) => lock.database(),
            LockSession::Mysql(lock) => lock.database(),
        }
    }

    /// One non-blocking attempt; `Ok(false)` when another session holds the lock.
    pub async fn try_acquire(&mut self) -> Result<bool, sqlx::Error> {
        match self {
            LockSession::Postgres(lock) => bounded(lock.try_acquire()).await,
            LockSession::Mysql(lock) => bounded(lock.try_acquire()).await,
        }
    }

    /// Who holds the lock now, if the server tells.
    pub async fn holder(&mut self) -> Result<Option<Holder>, sqlx::Error> {
        match self {
            LockSession::Postgres(lock) => bounded(lock.holder()).await,
            LockSession::Mysql(lock) => bounded(lock.holder()).await,
        }
    }

    /// Whether *this* session holds the lock, asked in a statement of its own: behind a
    /// transaction-mode pooler the lock landed on some other server connection and this
    /// says `false` (crates.md §E.3 "PgBouncer transaction pooling"). Also the heartbeat.
    pub async fn holds_lock(&mut self) -> Result<bool, sqlx::Error> {
        match self {
            LockSession::Postgres(lock) => bounded(lock.holds_lock()).await,
            LockSession::Mysql(lock) => bounded(lock.holds_lock()).await,
        }
    }

    /// A fresh connection to the same database (the key does not change).
    pub async fn reconnect(&mut self, deadline: Instant, log: &Log) -> Result<(), MigrateError> {
        match self {
            LockSession::Postgres(lock) => {
                let options = lock.connect_options().clone();
                let (conn, _) =
                    with_retry(log, deadline, || postgres::PgLock::connect(&options)).await?;
                lock.replace_connection(conn);
            }
            LockSession::Mysql(lock) => {
                let options = lock.connect_options().clone();
                let (conn, _) =
                    with_retry(log, deadline, || mysql::MySqlLock::connect(&options)).await?;
                lock.replace_connection(conn);
            }
        }
        Ok(())
    }

    /// Polls until the lock is ours or `timeout` passes, logging the holder at the first
    /// poll and then every [`HOLDER_REPORT_INTERVAL`]; then runs the pooler self-check.
    /// Returns how long it waited.
    pub async fn acquire(
        &mut self,
        timeout: Duration,
        poll: Duration,
        connect_timeout: Duration,
        log: &Log,
    ) -> Result<Duration, MigrateError> {
        let started = Instant::now();
        let mut next_report = started;
        loop {
            match self.try_acquire().await {
                Ok(true) => break,
                Ok(false) => {
                    let waited = started.elapsed();
                    if waited >= timeout {
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
                    if started.elapsed() >= timeout {
                        return Err(MigrateError::new(
                            Failure::DatabaseUnreachable,
                            format!("the lock query kept failing until --lock-timeout: {err}"),
                        ));
                    }
                    self.reconnect(Instant::now() + connect_timeout, log)
                        .await?;
                }
            }
            let remaining = timeout.saturating_sub(started.elapsed());
            tokio::time::sleep(jitter(poll).min(remaining)).await;
        }
        let waited = started.elapsed();
        match self.holds_lock().await {
            Ok(true) => {
                log.event(
                    "lock-acquired",
                    &[("key", self.key()), ("waited", seconds(waited))],
                );
                Ok(waited)
            }
            Ok(false) => Err(MigrateError::new(
                Failure::Configuration,
                "the lock was granted but this session does not hold it: a transaction-mode \
                 pooler (PgBouncer, RDS Proxy multiplexing, ProxySQL) sits between ebguard and \
                 the database; point --database-url at the database itself",
            )),
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

    /// Confirms the lock is still held while the command runs. A broken connection is
    /// replaced and the lock re-taken once; if another session holds it now, the lock
    /// is lost (exit 74) and the caller stops the command.
    pub async fn heartbeat(
        &mut self,
        connect_timeout: Duration,
        log: &Log,
    ) -> Result<(), MigrateError> {
        match self.holds_lock().await {
            Ok(true) => return Ok(()),
            Ok(false) => log.event("heartbeat-lock-missing", &[("key", self.key())]),
            Err(err) => {
                log.event(
                    "heartbeat-failed",
                    &[("key", self.key()), ("error", err.to_string())],
                );
                if let Err(err) = self.reconnect(Instant::now() + connect_timeout, log).await {
                    return Err(lock_lost(format!(
                        "cannot reconnect to re-take the lock: {err}"
                    )));
                }
            }
        }
        match self.try_acquire().await {
            Ok(true) => {
                log.event("lock-reacquired", &[("key", self.key())]);
                Ok(())
            }
            Ok(false) => {
                let holder = self.describe_holder().await;
                Err(lock_lost(format!(
                    "another session now holds it ({})",
                    holder_sentence(&holder)
                )))
            }
            Err(err) => Err(lock_lost(format!("cannot re-take it: {err}"))),
        }
    }

    /// Releases explicitly; `Ok(false)` when the server says this session did not hold it.
    pub async fn release(self) -> Result<bool, sqlx::Error> {
        match self {
            LockSession::Postgres(lock) => bounded(lock.release()).await,
            LockSession::Mysql(lock) => bounded(lock.release()).await,
        }
    }
}

fn lock_lost(why: String) -> MigrateError {
    MigrateError::new(
        Failure::LockLost,
        format!("the migration lock was lost: {why}"),
    )
}

fn holder_sentence(holder: &Holder) -> String {
    let parts: Vec<String> = holder.iter().map(|(k, v)| format!("{k}={v}")).collect();
    parts.join(" ")
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

/// Retries `connect` until it succeeds, fails for good, or `deadline` passes. Never
/// gives up early to "run anyway": an unreachable database is a failure (exit 69).
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
        let result = match tokio::time::timeout(remaining.min(ATTEMPT_TIMEOUT), connect()).await {
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
        let wait = backoff(attempt);
        let give_up = match class {
            ErrorClass::Fatal(_) => true,
            ErrorClass::Transient => Instant::now() + wait >= deadline,
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
}
