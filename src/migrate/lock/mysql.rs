//! MySQL / MariaDB: `GET_LOCK(name, 0)`, a named user-level lock held by the session,
//! polled. The name is server-wide (not per schema), so it is derived from the
//! server-reported `DATABASE()`; one canonical lowercase ASCII form of ≤ 64 characters,
//! because MySQL ≥ 5.7 rejects longer names and MariaDB treats case variants as
//! distinct locks (crates.md §E.3 "MySQL GET_LOCK").

use std::fmt::Write;
use std::str::FromStr;

use sha2::{Digest, Sha256};
use sqlx::mysql::{MySqlConnectOptions, MySqlConnection};
use sqlx::Connection;

use super::{ErrorClass, Holder};
use crate::migrate::exit::Failure;

/// A lock's session lives as long as the connection: lift the idle disconnect for it
/// (a day; the heartbeat also resets the timer — crates.md §E.3).
const WAIT_TIMEOUT_SECONDS: u32 = 86_400;

fn name_for(scope: &str) -> String {
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

pub struct MySqlLock {
    options: MySqlConnectOptions,
    conn: MySqlConnection,
    database: String,
    name: String,
}

impl MySqlLock {
    pub(super) fn options(url: &str) -> Result<MySqlConnectOptions, sqlx::Error> {
        MySqlConnectOptions::from_str(url)
    }

    /// Connects and prepares the session; returns the server-reported database name
    /// (empty when the URL names none).
    pub(super) async fn connect(
        options: &MySqlConnectOptions,
    ) -> Result<(MySqlConnection, String), sqlx::Error> {
        let mut conn = MySqlConnection::connect_with(options).await?;
        sqlx::query("SET SESSION wait_timeout = ?")
            .bind(WAIT_TIMEOUT_SECONDS)
            .execute(&mut conn)
            .await?;
        let database: Option<String> = sqlx::query_scalar("SELECT DATABASE()")
            .fetch_one(&mut conn)
            .await?;
        Ok((conn, database.unwrap_or_default()))
    }

    pub(super) fn new(
        options: MySqlConnectOptions,
        conn: MySqlConnection,
        database: String,
        scope: &str,
    ) -> Self {
        MySqlLock {
            options,
            conn,
            database,
            name: name_for(scope),
        }
    }

    pub(super) fn key(&self) -> String {
        self.name.clone()
    }

    pub(super) fn database(&self) -> &str {
        &self.database
    }

    pub(super) fn connect_options(&self) -> &MySqlConnectOptions {
        &self.options
    }

    pub(super) fn replace_connection(&mut self, conn: MySqlConnection) {
        self.conn = conn;
    }

    /// `GET_LOCK` returns 1 (acquired), 0 (held elsewhere) or NULL (error): only exactly
    /// 1 counts (Prisma's bug was to ignore the value — crates.md §E.2).
    pub(super) async fn try_acquire(&mut self) -> Result<bool, sqlx::Error> {
        let result: Option<i64> = sqlx::query_scalar("SELECT CAST(GET_LOCK(?, 0) AS SIGNED)")
            .bind(&self.name)
            .fetch_one(&mut self.conn)
            .await?;
        match result {
            Some(1) => Ok(true),
            Some(0) => Ok(false),
            _ => Err(sqlx::Error::Protocol(format!(
                "GET_LOCK('{}', 0) returned NULL (server error)",
                self.name
            ))),
        }
    }

    pub(super) async fn holds_lock(&mut self) -> Result<bool, sqlx::Error> {
        let mine: Option<i64> =
            sqlx::query_scalar("SELECT CAST(IS_USED_LOCK(?) = CONNECTION_ID() AS SIGNED)")
                .bind(&self.name)
                .fetch_one(&mut self.conn)
                .await?;
        Ok(mine == Some(1))
    }

    /// The holder's connection id, and its host/user/time from the process list when
    /// this account may read it (it needs PROCESS for other users' connections).
    pub(super) async fn holder(&mut self) -> Result<Option<Holder>, sqlx::Error> {
        let id: Option<i64> = sqlx::query_scalar("SELECT CAST(IS_USED_LOCK(?) AS SIGNED)")
            .bind(&self.name)
            .fetch_one(&mut self.conn)
            .await?;
        let Some(id) = id else { return Ok(None) };
        let mut holder = vec![("holder_connection_id", id.to_string())];
        let process: Result<Option<(String, String, i64)>, _> = sqlx::query_as(
            "SELECT CAST(HOST AS CHAR), CAST(USER AS CHAR), CAST(TIME AS SIGNED) \
             FROM information_schema.PROCESSLIST WHERE ID = ?",
        )
        .bind(id)
        .fetch_optional(&mut self.conn)
        .await;
        if let Ok(Some((host, user, time))) = process {
            holder.push(("holder_host", host));
            holder.push(("holder_user", user));
            holder.push(("holder_busy", format!("{time}s")));
        }
        Ok(Some(holder))
    }

    pub(super) async fn release(mut self) -> Result<bool, sqlx::Error> {
        let released: Option<i64> = sqlx::query_scalar("SELECT CAST(RELEASE_LOCK(?) AS SIGNED)")
            .bind(&self.name)
            .fetch_one(&mut self.conn)
            .await?;
        self.conn.close().await?;
        Ok(released == Some(1))
    }
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
}
