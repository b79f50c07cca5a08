//! PostgreSQL: `pg_try_advisory_lock(k1, k2)`, a session-level advisory lock, polled
//! (never the blocking form, which `lock_timeout`/`statement_timeout` cancel and which
//! cannot report progress — crates.md §E.3). All SQL here is text for the simple-query
//! protocol (see `conn.rs`).

use std::str::FromStr;

use sqlx::postgres::{PgConnectOptions, PgConnection, PgSslMode};
use sqlx::Connection;

use super::conn::Conn;
use super::{ErrorClass, Holder, LEASE_TABLE};
use crate::migrate::exit::Failure;
use crate::migrate::timing::Timing;

/// "EBMG": the first key half, so `pg_locks.classid` identifies ebguard's locks.
const K1: i32 = 0x4542_4D47;
const CRC32: crc::Crc<u32> = crc::Crc::<u32>::new(&crc::CRC_32_ISO_HDLC);

/// The two-int4 key: both halves positive, so `pg_locks` shows them unchanged as
/// `classid = k1, objid = k2, objsubid = 2` (crates.md §E.3 "Key visibility").
pub(super) fn key_for(scope: &str) -> (i32, i32) {
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

/// Connection options, with libpq's TLS rules sqlx does not apply itself: `require`
/// verifies the CA when a root certificate is given (`sslrootcert`, `PGSSLROOTCERT` or
/// `~/.postgresql/root.crt`), exactly like `verify-ca`
/// (https://www.postgresql.org/docs/current/libpq-ssl.html).
pub(super) fn options(
    url: &str,
    application_name: &str,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<PgConnectOptions, sqlx::Error> {
    let mut options = PgConnectOptions::from_str(url)?.application_name(application_name);
    if matches!(options.get_ssl_mode(), PgSslMode::Require) {
        let in_url = url::Url::parse(url)
            .map(|u| u.query_pairs().any(|(k, _)| k == "sslrootcert"))
            .unwrap_or(false);
        if in_url || env("PGSSLROOTCERT").is_some() {
            options = options.ssl_mode(PgSslMode::VerifyCa);
        } else if let Some(home) = env("HOME") {
            let default = std::path::Path::new(&home).join(".postgresql/root.crt");
            if default.is_file() {
                options = options.ssl_mode(PgSslMode::VerifyCa).ssl_root_cert(default);
            }
        }
    }
    Ok(options)
}

/// Connects; with `sslmode=allow` a server that refuses the plain connection is tried
/// again with TLS, as libpq does (sqlx alone never tries TLS under `allow`).
pub(super) async fn connect(options: &PgConnectOptions) -> Result<Conn, sqlx::Error> {
    match PgConnection::connect_with(options).await {
        Ok(conn) => Ok(Conn::Postgres(conn)),
        Err(sqlx::Error::Database(_)) if matches!(options.get_ssl_mode(), PgSslMode::Allow) => {
            let tls = options.clone().ssl_mode(PgSslMode::Require);
            Ok(Conn::Postgres(PgConnection::connect_with(&tls).await?))
        }
        Err(err) => Err(err),
    }
}

pub(super) const DATABASE: &str = "SELECT current_database()::text";
pub(super) const BACKEND: &str = "SELECT pg_backend_pid()::text";

/// Session settings for the lock connection. Errors are ignored for settings a server
/// may not have (`idle_session_timeout` is PostgreSQL 14+; TCP settings are no-ops on
/// Unix sockets) — the lease keeps exclusion safe without them.
pub(super) fn session_settings(timing: &Timing) -> (Vec<String>, Vec<String>) {
    let t2 = timing.server_timeout();
    let t2_ms = t2.as_millis().max(1);
    let t2_s = t2.as_secs().max(2);
    // Simple-query strings may hold several statements: one round trip each.
    let required = vec![
        // Server-side killers of *busy* or idle-in-transaction sessions must not end the
        // lock session; ebguard bounds every query itself.
        "SET statement_timeout = 0; SET idle_in_transaction_session_timeout = 0".to_owned(),
    ];
    let optional = vec![
        // A holder that vanished without FIN/RST leaves an idle session: end it after T2.
        format!("SET idle_session_timeout = {t2_ms}"),
        format!(
            "SET tcp_keepalives_idle = {}; SET tcp_keepalives_interval = {}; \
             SET tcp_keepalives_count = 4; SET tcp_user_timeout = {t2_ms}",
            (t2_s / 2).max(1),
            (t2_s / 8).max(1)
        ),
    ];
    (required, optional)
}

fn key_match(key: (i32, i32)) -> String {
    format!(
        "locktype = 'advisory' AND classid::int8 = {} AND objid::int8 = {} AND objsubid = 2 \
         AND granted",
        key.0, key.1
    )
}

/// `(acquired, backend)`.
pub(super) fn try_acquire(key: (i32, i32)) -> String {
    format!(
        "SELECT pg_try_advisory_lock({}, {})::text, pg_backend_pid()::text",
        key.0, key.1
    )
}

/// `(held by this backend, backend)`.
pub(super) fn holds(key: (i32, i32)) -> String {
    format!(
        "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE {} AND pid = pg_backend_pid())::text, \
         pg_backend_pid()::text",
        key_match(key)
    )
}

/// Ends the backend that took the lock when it turned out not to be ours (a pooler's
/// server connection), so the lock does not stay behind; only if it holds our key.
pub(super) fn terminate(key: (i32, i32), backend: &str) -> String {
    format!(
        "SELECT pg_terminate_backend(pid)::text FROM pg_locks WHERE {} AND pid = {}",
        key_match(key),
        backend.parse::<i64>().unwrap_or(-1)
    )
}

pub(super) fn release(key: (i32, i32)) -> String {
    format!("SELECT pg_advisory_unlock({}, {})::text", key.0, key.1)
}

pub(super) fn sleep(seconds: f64) -> String {
    format!("SELECT pg_sleep({seconds:.3})")
}

/// The holder's backend: pid, `application_name`, client address, session start, and
/// how long since its last statement.
pub(super) fn holder(key: (i32, i32)) -> String {
    format!(
        "SELECT a.pid::text, coalesce(a.application_name, ''), \
         coalesce(host(a.client_addr), 'local'), \
         coalesce(to_char(a.backend_start AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), ''), \
         to_char(coalesce(extract(epoch FROM now() - a.state_change), 0), 'FM999999990.0') \
         FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.{} LIMIT 1",
        key_match(key).replace(" AND ", " AND l.")
    )
}

pub(super) fn holder_fields(row: Vec<Option<String>>) -> Holder {
    let get = |i: usize| row.get(i).cloned().flatten().unwrap_or_default();
    vec![
        ("holder_pid", get(0)),
        ("holder_application", get(1)),
        ("holder_addr", get(2)),
        ("holder_since", get(3)),
        ("holder_idle", format!("{}s", get(4))),
    ]
}

pub(super) fn lease_create() -> String {
    format!(
        "CREATE TABLE IF NOT EXISTS {LEASE_TABLE} (lock_key text PRIMARY KEY, \
         token text NOT NULL, holder text NOT NULL, expires_at timestamptz NOT NULL, \
         refreshed_at timestamptz NOT NULL)"
    )
}

/// `(holder, seconds until the lease expires)` by the server's clock.
pub(super) fn lease_read(key: &str) -> String {
    format!(
        "SELECT holder, extract(epoch FROM expires_at - clock_timestamp())::float8::text \
         FROM {LEASE_TABLE} WHERE lock_key = '{key}'"
    )
}

pub(super) fn lease_claim(key: &str, token: &str, holder: &str, span_ms: u128) -> String {
    format!(
        "INSERT INTO {LEASE_TABLE} (lock_key, token, holder, expires_at, refreshed_at) \
         VALUES ('{key}', '{token}', '{holder}', clock_timestamp() + interval '{span_ms} milliseconds', \
         clock_timestamp()) ON CONFLICT (lock_key) DO UPDATE SET token = EXCLUDED.token, \
         holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at, \
         refreshed_at = EXCLUDED.refreshed_at"
    )
}

/// Refreshes the lease only while this backend still holds the lock: one row changed
/// confirms both.
pub(super) fn lease_refresh(lock: (i32, i32), key: &str, token: &str, span_ms: u128) -> String {
    format!(
        "UPDATE {LEASE_TABLE} SET expires_at = clock_timestamp() + interval '{span_ms} milliseconds', \
         refreshed_at = clock_timestamp() WHERE lock_key = '{key}' AND token = '{token}' \
         AND EXISTS (SELECT 1 FROM pg_locks WHERE {} AND pid = pg_backend_pid())",
        key_match(lock)
    )
}

pub(super) fn lease_delete(key: &str, token: &str) -> String {
    format!("DELETE FROM {LEASE_TABLE} WHERE lock_key = '{key}' AND token = '{token}'")
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

    #[test]
    fn require_with_a_root_certificate_verifies_the_ca() {
        let none = |_: &str| None;
        let url = "postgres://u@h/db?sslmode=require";
        assert!(matches!(
            options(url, "a", &none).unwrap().get_ssl_mode(),
            PgSslMode::Require
        ));
        let with = format!("{url}&sslrootcert=/ca.pem");
        assert!(matches!(
            options(&with, "a", &none).unwrap().get_ssl_mode(),
            PgSslMode::VerifyCa
        ));
        let env = |name: &str| (name == "PGSSLROOTCERT").then(|| "/ca.pem".to_owned());
        assert!(matches!(
            options(url, "a", &env).unwrap().get_ssl_mode(),
            PgSslMode::VerifyCa
        ));
    }
}
