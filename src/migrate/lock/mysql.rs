//! MySQL / MariaDB: `GET_LOCK(name, 0)`, a named user-level lock held by the session,
//! polled. The name is server-wide (not per schema), so it is derived from the
//! server-reported `DATABASE()`; one canonical lowercase ASCII form of ≤ 64 characters,
//! because MySQL ≥ 5.7 rejects longer names and MariaDB treats case variants as
//! distinct locks (crates.md §E.3 "MySQL GET_LOCK"). All SQL is text (see `conn.rs`).

use std::fmt::Write;
use std::str::FromStr;

use sha2::{Digest, Sha256};
use sqlx::mysql::{MySqlConnectOptions, MySqlConnection, MySqlSslMode};
use sqlx::Connection;

use super::conn::Conn;
use super::{ErrorClass, Holder, LEASE_TABLE};
use crate::migrate::exit::Failure;
use crate::migrate::timing::Timing;

pub(super) fn name_for(scope: &str) -> String {
    let digest = Sha256::digest(format!("ebguard\0{scope}").as_bytes());
    let mut name = String::from("ebguard:");
    for byte in &digest[..16] {
        // Writing to a String cannot fail.
        let _ = write!(name, "{byte:02x}");
    }
    name
}

/// Server error numbers: 1044/1045/1698 access denied, 1130 host not allowed;
/// 1049 unknown database; 1040 too many connections, 1053 shutdown in progress.
pub(super) fn classify(number: u16) -> ErrorClass {
    match number {
        1044 | 1045 | 1698 | 1130 => ErrorClass::Fatal(Failure::Authentication),
        1040 | 1053 | 1205 | 2002 | 2003 | 2006 | 2013 => ErrorClass::Transient,
        _ => ErrorClass::Fatal(Failure::Configuration),
    }
}

/// Connection options. `ssl-mode=REQUIRED` with an `ssl-ca` verifies the CA (like
/// libpq's `require` with `sslrootcert`): a CA given on purpose is never ignored.
pub(super) fn options(url: &str) -> Result<MySqlConnectOptions, sqlx::Error> {
    let mut options = MySqlConnectOptions::from_str(url)?;
    let has_ca = url::Url::parse(url)
        .map(|u| u.query_pairs().any(|(k, _)| k == "ssl-ca" || k == "ssl_ca"))
        .unwrap_or(false);
    if matches!(options.get_ssl_mode(), MySqlSslMode::Required) && has_ca {
        options = options.ssl_mode(MySqlSslMode::VerifyCa);
    }
    Ok(options)
}

pub(super) async fn connect(options: &MySqlConnectOptions) -> Result<Conn, sqlx::Error> {
    Ok(Conn::Mysql(MySqlConnection::connect_with(options).await?))
}

pub(super) const DATABASE: &str = "SELECT DATABASE()";
pub(super) const BACKEND: &str = "SELECT CAST(CONNECTION_ID() AS CHAR)";

/// A holder that vanished without FIN/RST leaves an idle session: the server ends it
/// after T2 (`wait_timeout`; `net_*_timeout` for a half-sent packet).
pub(super) fn session_settings(timing: &Timing) -> (Vec<String>, Vec<String>) {
    let t2 = timing.server_timeout().as_secs_f64().ceil().max(1.0) as u64;
    (
        vec![format!(
            "SET SESSION wait_timeout = {t2}, net_read_timeout = {t2}, net_write_timeout = {t2}"
        )],
        Vec::new(),
    )
}

/// `(acquired, backend)`; `GET_LOCK` returns 1, 0 or NULL (error): only 1 counts.
pub(super) fn try_acquire(name: &str) -> String {
    format!("SELECT CAST(GET_LOCK('{name}', 0) AS CHAR), CAST(CONNECTION_ID() AS CHAR)")
}

pub(super) fn holds(name: &str) -> String {
    format!(
        "SELECT CAST(IFNULL(IS_USED_LOCK('{name}') = CONNECTION_ID(), 0) AS CHAR), \
         CAST(CONNECTION_ID() AS CHAR)"
    )
}

pub(super) fn terminate(name: &str, backend: &str) -> Option<String> {
    let id = backend.parse::<u64>().ok()?;
    Some(format!("KILL {id} /* {name} */"))
}

pub(super) fn release(name: &str) -> String {
    format!("SELECT CAST(RELEASE_LOCK('{name}') AS CHAR)")
}

pub(super) fn sleep(seconds: f64) -> String {
    format!("DO SLEEP({seconds:.3})")
}

pub(super) fn holder(name: &str) -> String {
    format!(
        "SELECT CAST(IS_USED_LOCK('{name}') AS CHAR), CAST(p.HOST AS CHAR), \
         CAST(p.USER AS CHAR), CAST(p.TIME AS CHAR) FROM (SELECT 1) one \
         LEFT JOIN information_schema.PROCESSLIST p ON p.ID = IS_USED_LOCK('{name}') \
         WHERE IS_USED_LOCK('{name}') IS NOT NULL"
    )
}

pub(super) fn holder_fields(row: Vec<Option<String>>) -> Holder {
    let mut holder = vec![(
        "holder_connection_id",
        row.first().cloned().flatten().unwrap_or_default(),
    )];
    if let (Some(Some(host)), Some(Some(user)), Some(Some(time))) =
        (row.get(1), row.get(2), row.get(3))
    {
        holder.push(("holder_host", host.clone()));
        holder.push(("holder_user", user.clone()));
        holder.push(("holder_busy", format!("{time}s")));
    }
    holder
}

pub(super) fn lease_create() -> String {
    format!(
        "CREATE TABLE IF NOT EXISTS {LEASE_TABLE} (lock_key VARCHAR(64) NOT NULL PRIMARY KEY, \
         token VARCHAR(64) NOT NULL, holder VARCHAR(255) NOT NULL, \
         expires_at DATETIME(6) NOT NULL, refreshed_at DATETIME(6) NOT NULL)"
    )
}

pub(super) fn lease_read(key: &str) -> String {
    format!(
        "SELECT holder, CAST(TIMESTAMPDIFF(MICROSECOND, NOW(6), expires_at) / 1000000 AS CHAR) \
         FROM {LEASE_TABLE} WHERE lock_key = '{key}'"
    )
}

pub(super) fn lease_claim(key: &str, token: &str, holder: &str, span_ms: u128) -> String {
    format!(
        "INSERT INTO {LEASE_TABLE} (lock_key, token, holder, expires_at, refreshed_at) \
         VALUES ('{key}', '{token}', '{holder}', NOW(6) + INTERVAL {us} MICROSECOND, NOW(6)) \
         ON DUPLICATE KEY UPDATE token = VALUES(token), holder = VALUES(holder), \
         expires_at = VALUES(expires_at), refreshed_at = VALUES(refreshed_at)",
        us = span_ms * 1000
    )
}

pub(super) fn lease_refresh(name: &str, token: &str, span_ms: u128) -> String {
    format!(
        "UPDATE {LEASE_TABLE} SET expires_at = NOW(6) + INTERVAL {us} MICROSECOND, \
         refreshed_at = NOW(6) WHERE lock_key = '{name}' AND token = '{token}' \
         AND IS_USED_LOCK('{name}') = CONNECTION_ID()",
        us = span_ms * 1000
    )
}

pub(super) fn lease_delete(key: &str, token: &str) -> String {
    format!("DELETE FROM {LEASE_TABLE} WHERE lock_key = '{key}' AND token = '{token}'")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_short_lowercase_ascii() {
        let name = name_for(&"Ébdb\0".repeat(100));
        assert_eq!(name.len(), 40);
        assert!(name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == ':'));
        assert_ne!(name_for("a\0"), name_for("a\0x"));
    }

    #[test]
    fn error_numbers_map_to_exit_reasons() {
        assert_eq!(classify(1045), ErrorClass::Fatal(Failure::Authentication));
        assert_eq!(classify(1040), ErrorClass::Transient);
        assert_eq!(classify(1049), ErrorClass::Fatal(Failure::Configuration));
    }

    #[test]
    fn required_with_a_ca_verifies_it() {
        let plain = options("mysql://u@h/db?ssl-mode=REQUIRED").unwrap();
        assert!(matches!(plain.get_ssl_mode(), MySqlSslMode::Required));
        let ca = options("mysql://u@h/db?ssl-mode=REQUIRED&ssl-ca=/ca.pem").unwrap();
        assert!(matches!(ca.get_ssl_mode(), MySqlSslMode::VerifyCa));
    }
}
