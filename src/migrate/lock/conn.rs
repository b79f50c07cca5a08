//! One lock connection of either engine, spoken to only in the simple-query (text)
//! protocol: no prepared statements, which transaction- and statement-mode poolers break
//! (`prepared statement "sqlx_s_2" already exists`) and which would otherwise be created
//! before the pooler check. Every value is read as text; the SQL casts it.

use sqlx::mysql::MySqlConnection;
use sqlx::postgres::PgConnection;
use sqlx::{AssertSqlSafe, Connection, Row};

pub enum Conn {
    Postgres(PgConnection),
    Mysql(MySqlConnection),
}

/// One row of text columns (`None` = SQL NULL).
pub type TextRow = Vec<Option<String>>;

impl Conn {
    /// Runs one statement built by this module (only integers, hex and sanitised names
    /// are ever interpolated); returns the rows it changed.
    pub async fn exec(&mut self, sql: &str) -> Result<u64, sqlx::Error> {
        let sql = AssertSqlSafe(sql.to_owned());
        Ok(match self {
            Conn::Postgres(c) => sqlx::raw_sql(sql).execute(c).await?.rows_affected(),
            Conn::Mysql(c) => sqlx::raw_sql(sql).execute(c).await?.rows_affected(),
        })
    }

    /// The first row of a query, as text.
    pub async fn row(&mut self, sql: &str) -> Result<Option<TextRow>, sqlx::Error> {
        let sql = AssertSqlSafe(sql.to_owned());
        Ok(match self {
            Conn::Postgres(c) => match sqlx::raw_sql(sql).fetch_optional(c).await? {
                Some(row) => Some(
                    (0..row.len())
                        .map(|i| row.try_get::<Option<String>, _>(i))
                        .collect::<Result<_, _>>()?,
                ),
                None => None,
            },
            Conn::Mysql(c) => match sqlx::raw_sql(sql).fetch_optional(c).await? {
                Some(row) => Some(
                    (0..row.len())
                        .map(|i| row.try_get::<Option<String>, _>(i))
                        .collect::<Result<_, _>>()?,
                ),
                None => None,
            },
        })
    }

    /// The first column of the first row; an error when there is none.
    pub async fn scalar(&mut self, sql: &str) -> Result<Option<String>, sqlx::Error> {
        match self.row(sql).await? {
            Some(mut row) if !row.is_empty() => Ok(row.swap_remove(0)),
            _ => Err(sqlx::Error::RowNotFound),
        }
    }

    pub async fn close(self) -> Result<(), sqlx::Error> {
        match self {
            Conn::Postgres(c) => c.close().await,
            Conn::Mysql(c) => c.close().await,
        }
    }
}

/// `t`/`1` as PostgreSQL and MySQL print true.
pub fn truthy(value: &Option<String>) -> bool {
    matches!(value.as_deref(), Some("t" | "true" | "1"))
}
