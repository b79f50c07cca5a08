//! PostgreSQL: `pg_try_advisory_lock(k1, k2)`, a session-level advisory lock, polled
//! (never the blocking form, which `lock_timeout`/`statement_timeout` cancel and which
//! cannot report progress — crates.md §E.3).

use std::str::FromStr;

use sqlx::postgres::{PgConnectOptions, PgConnection};
use sqlx::Connection;

use super::{ErrorClass, Holder};
use crate::migrate::exit::Failure;

/// "EBMG": the first key half, so `pg_locks.classid` identifies ebguard's locks.
const K1: i32 = 0x4542_4D47;
const CRC32: crc::Crc<u32> = crc::Crc::<u32>::new(&crc::CRC_32_ISO_HDLC);

/// The two-int4 key: both halves positive, so `pg_locks` shows them unchanged as
/// `classid = k1, objid = k2, objsubid = 2` (crates.md §E.3 "Key visibility").
fn key_for(scope: &str) -> (i32, i32) {
    let mut digest = CRC32.digest();
    digest.update(b"ebguard\0");
    digest.update(scope.as_bytes());
    (K1, (digest.finalize() & 0x7fff_ffff) as i32)
}

/// SQLSTATE classes: 28 = invalid authorization; 3D000 = no such database;
/// 57P03 = server starting up; 53300 = too many connections.
pub(super) fn classify(sqlstate: &str) -> ErrorClass {
    match sqlstate {
        code if code.starts_with("28") => ErrorClass::Fatal(Failure::Authentication),
        "57P03" | "53300" | "57P01" | "08006" | "08001" => ErrorClass::Transient,
        _ => ErrorClass::Fatal(Failure::Configuration),
    }
}

pub struct PgLock {
    options: PgConnectOptions,
    conn: PgConnection,
    database: String,
    key: (i32, i32),
}

impl PgLock {
    pub(super) fn options(
        url: &str,
        application_name: &str,
    ) -> Result<PgConnectOptions, sqlx::Error> {
        Ok(PgConnectOptions::from_str(url)?.application_name(application_name))
    }

    /// Connects and prepares the session; returns the server-reported database name.
    pub(super) async fn connect(
        options: &PgConnectOptions,
    ) -> Result<(PgConnection, String), sqlx::Error> {
        let mut conn = PgConnection::connect_with(options).await?;
        // Server-side idle killers would end the lock session while the migration runs
        // (crates.md §E.3 "Server idle killers"). `idle_session_timeout` exists from
        // PostgreSQL 14: on older servers the SET fails and there is nothing to disable.
        let _ = sqlx::query("SET idle_session_timeout = 0")
            .execute(&mut conn)
            .await;
        sqlx::query("SET idle_in_transaction_session_timeout = 0")
            .execute(&mut conn)
            .await?;
        let database: String = sqlx::query_scalar("SELECT current_database()::text")
            .fetch_one(&mut conn)
            .await?;
        Ok((conn, database))
    }

    pub(super) fn new(
        options: PgConnectOptions,
        conn: PgConnection,
        database: String,
        scope: &str,
    ) -> Self {
        PgLock {
            options,
            conn,
            database,
            key: key_for(scope),
        }
    }

    pub(super) fn key(&self) -> String {
        format!("{}:{}", self.key.0, self.key.1)
    }

    pub(super) fn database(&self) -> &str {
        &self.database
    }

    pub(super) fn connect_options(&self) -> &PgConnectOptions {
        &self.options
    }

    pub(super) fn replace_connection(&mut self, conn: PgConnection) {
        self.conn = conn;
    }

    pub(super) async fn try_acquire(&mut self) -> Result<bool, sqlx::Error> {
        sqlx::query_scalar("SELECT pg_try_advisory_lock($1, $2)")
            .bind(self.key.0)
            .bind(self.key.1)
            .fetch_one(&mut self.conn)
            .await
    }

    pub(super) async fn holds_lock(&mut self) -> Result<bool, sqlx::Error> {
        sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' \
             AND pid = pg_backend_pid() AND classid::int8 = $1 AND objid::int8 = $2 \
             AND objsubid = 2 AND granted)",
        )
        .bind(i64::from(self.key.0))
        .bind(i64::from(self.key.1))
        .fetch_one(&mut self.conn)
        .await
    }

    /// The holder's backend: pid, `application_name` (ebguard sets
    /// `ebguard-migrate:<instance>`), client address, session start and idle time.
    pub(super) async fn holder(&mut self) -> Result<Option<Holder>, sqlx::Error> {
        let row: Option<(i32, String, String, String, f64)> = sqlx::query_as(
            "SELECT a.pid, coalesce(a.application_name, ''), \
             coalesce(host(a.client_addr), 'local'), \
             coalesce(to_char(a.backend_start AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), ''), \
             coalesce(extract(epoch FROM now() - a.state_change), 0)::float8 \
             FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid \
             WHERE l.locktype = 'advisory' AND l.classid::int8 = $1 AND l.objid::int8 = $2 \
             AND l.objsubid = 2 AND l.granted LIMIT 1",
        )
        .bind(i64::from(self.key.0))
        .bind(i64::from(self.key.1))
        .fetch_optional(&mut self.conn)
        .await?;
        Ok(row.map(|(pid, application, address, since, idle)| {
            vec![
                ("holder_pid", pid.to_string()),
                ("holder_application", application),
                ("holder_addr", address),
                ("holder_since", since),
                ("holder_idle", format!("{idle:.1}s")),
            ]
        }))
    }

    pub(super) async fn release(mut self) -> Result<bool, sqlx::Error> {
        let released = sqlx::query_scalar("SELECT pg_advisory_unlock($1, $2)")
            .bind(self.key.0)
            .bind(self.key.1)
            .fetch_one(&mut self.conn)
            .await?;
        self.conn.close().await?;
        Ok(released)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_positive_and_scope_dependent() {
        let a = key_for("app\0");
        let b = key_for("app\0nightly");
        assert_eq!(a.0, 1_161_973_063);
        assert!(a.1 >= 0 && b.1 >= 0);
        assert_ne!(a, b);
        assert_eq!(a, key_for("app\0"));
    }

    #[test]
    fn sqlstates_map_to_exit_reasons() {
        assert_eq!(
            classify("28P01"),
            ErrorClass::Fatal(Failure::Authentication)
        );
        assert_eq!(
            classify("28000"),
            ErrorClass::Fatal(Failure::Authentication)
        );
        assert_eq!(classify("57P03"), ErrorClass::Transient);
        assert_eq!(classify("3D000"), ErrorClass::Fatal(Failure::Configuration));
    }
}
