//! The command line of `ebguard migrate`.

use std::ffi::OsString;
use std::time::Duration;

use super::log::LogFormat;
use super::url::Engine;

/// Run a database migration command under a database lock, on every EB instance.
///
/// Usage from `.platform/hooks/predeploy/`:
/// `ebguard migrate -- python manage.py migrate --noinput`
#[derive(clap::Args, Debug)]
pub struct MigrateArgs {
    /// Database URL (postgres://, postgresql://, mysql://, mariadb://). Prefer the
    /// environment: a URL here is visible in `ps`.
    #[arg(long, value_name = "URL")]
    pub database_url: Option<String>,

    /// Environment variable holding the database URL; if unset, EB's RDS_HOSTNAME,
    /// RDS_PORT, RDS_DB_NAME, RDS_USERNAME and RDS_PASSWORD are used.
    #[arg(long, value_name = "NAME", default_value = "DATABASE_URL")]
    pub database_url_env: String,

    /// Engine for RDS_* variables when RDS_PORT is not 5432 or 3306.
    #[arg(long, value_enum)]
    pub engine: Option<Engine>,

    /// Extra lock scope, for several independent migration steps on one database.
    #[arg(long, value_name = "NAME")]
    pub lock_name: Option<String>,

    /// Longest wait for another instance's run to finish (e.g. 300, 300s, 5m).
    #[arg(long, value_name = "DURATION", default_value = "300s", value_parser = parse_duration)]
    pub lock_timeout: Duration,

    /// Deadline for reaching the database, retrying with backoff.
    #[arg(long, value_name = "DURATION", default_value = "60s", value_parser = parse_duration)]
    pub connect_timeout: Duration,

    /// How often the lock session confirms the lock and refreshes its lease record while
    /// the command runs (between heartbeats the session is watched continuously).
    #[arg(long, value_name = "DURATION", default_value = "5s", value_parser = parse_interval)]
    pub heartbeat_interval: Duration,

    /// T1: the command is stopped when the lock could not be confirmed for this long
    /// (at least twice --heartbeat-interval; see docs/migrate.md "Timing").
    #[arg(long, value_name = "DURATION", default_value = "20s", value_parser = parse_interval)]
    pub lease_timeout: Duration,

    /// Base interval between lock attempts while waiting (plus up to 100 % jitter).
    #[arg(long, value_name = "DURATION", default_value = "1s", value_parser = parse_interval)]
    pub poll_interval: Duration,

    /// After the lock is lost (or ebguard dies): time between SIGTERM and SIGKILL to the
    /// command's whole process group.
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = parse_duration)]
    pub stop_grace_period: Duration,

    /// With a database: skip (exit 0) when EB_IS_COMMAND_LEADER is exactly `false`.
    #[arg(long)]
    pub skip_if_not_leader: bool,

    /// Log line format on stderr.
    #[arg(long, value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,

    /// The migration command and its arguments, after `--`.
    #[arg(last = true, required = true, num_args = 1.., value_name = "COMMAND")]
    pub command: Vec<OsString>,
}

/// `300`, `300s`, `1.5s`, `500ms`, `5m`, `1h`.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: f64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a duration (e.g. 30s, 500ms, 5m)"))?;
    let scale = match unit {
        "" | "s" => 1.0,
        "ms" => 0.001,
        "m" => 60.0,
        "h" => 3600.0,
        _ => {
            return Err(format!(
                "unknown unit `{unit}` in `{text}` (use ms, s, m or h)"
            ))
        }
    };
    let duration = Duration::try_from_secs_f64(number * scale)
        .map_err(|_| format!("`{text}` is out of range"))?;
    // Deadlines are `now + duration`: an absurd value would overflow the clock after the
    // command started. Nothing in a deployment (EB's Timeout is at most 3600 s) needs more.
    if duration > MAX_DURATION {
        return Err(format!("`{text}` is too long (at most 24h)"));
    }
    Ok(duration)
}

/// The longest duration any option accepts.
pub const MAX_DURATION: Duration = Duration::from_secs(24 * 3600);

/// A duration that must not be zero (it paces a loop).
fn parse_interval(text: &str) -> Result<Duration, String> {
    match parse_duration(text)? {
        d if d.is_zero() => Err("must be greater than zero".into()),
        d => Ok(d),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("300"), Ok(Duration::from_secs(300)));
        assert_eq!(parse_duration("1.5s"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("5m"), Ok(Duration::from_secs(300)));
        assert_eq!(parse_duration("0"), Ok(Duration::ZERO));
        for bad in [
            "",
            "s",
            "-1s",
            "1d",
            "1e999",
            "1.2.3",
            "99999999999h",
            "25h",
        ] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
        assert!(parse_interval("0s").is_err());
    }
}
