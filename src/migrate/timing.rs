//! The lease arithmetic of docs/migrate.md "Timing": one place derives every server-side
//! timeout from the three options, so the inequalities hold by construction.

use std::time::Duration;

/// `H` (heartbeat), `T1` (lease timeout) and the stop grace period.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timing {
    pub heartbeat: Duration,
    pub lease: Duration,
    pub grace: Duration,
}

impl Timing {
    /// A heartbeat must fit twice into T1, so one slow or lost heartbeat does not end a
    /// healthy run.
    pub fn validate(&self) -> Result<(), String> {
        if self.heartbeat.saturating_mul(2) > self.lease {
            return Err(format!(
                "--lease-timeout ({}) must be at least twice --heartbeat-interval ({})",
                super::log::seconds(self.lease),
                super::log::seconds(self.heartbeat)
            ));
        }
        Ok(())
    }

    /// How long a lease record protects its holder, from the server's clock when the
    /// heartbeat that wrote it ran: the holder stops its command within T1 + grace of
    /// *sending* that heartbeat (earlier), plus one heartbeat of margin for the kill
    /// itself and clock-rate drift.
    pub fn lease_span(&self) -> Duration {
        self.lease + self.grace + self.heartbeat
    }

    /// T2: the server ends a silent lock session after this (PostgreSQL
    /// `idle_session_timeout`, TCP keepalive and user timeout; MySQL `wait_timeout`).
    /// T2 > T1 + grace, with one heartbeat of margin.
    pub fn server_timeout(&self) -> Duration {
        self.lease + self.grace + self.heartbeat
    }

    /// Length of one watch query (`pg_sleep`/`SLEEP`): the lock connection always has a
    /// query in flight, so a dropped session is noticed at once, and the watch never
    /// delays the release after the command ends by more than this.
    pub fn watch_slice(&self) -> Duration {
        self.heartbeat.min(Duration::from_millis(50))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_release_a_dead_holder_within_a_minute() {
        let t = Timing {
            heartbeat: Duration::from_secs(5),
            lease: Duration::from_secs(20),
            grace: Duration::from_secs(10),
        };
        assert!(t.validate().is_ok());
        assert!(t.server_timeout() > t.lease + t.grace);
        assert_eq!(t.server_timeout(), Duration::from_secs(35));
        assert_eq!(t.lease_span(), Duration::from_secs(35));
        let bad = Timing {
            lease: Duration::from_secs(9),
            ..t
        };
        assert!(bad.validate().is_err());
    }
}
