//! Leader status from `EB_IS_COMMAND_LEADER` and what to do with it.
//!
//! The variable is undocumented for `.platform/hooks`, exists only during an
//! app deployment and is absent on instances launched by scaling (`self-startup`),
//! so "unset" means *unknown*, never "leader" or "not leader" (eb-facts.md §4.2, §4.4).
//! With a database the lock decides who runs; leadership is only logged.

/// The environment variable EB sets for leader-election stages (eb-facts.md §4.4).
pub const LEADER_VARIABLE: &str = "EB_IS_COMMAND_LEADER";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LeaderStatus {
    Leader,
    NotLeader,
    Unknown,
}

impl LeaderStatus {
    /// Only the exact values EB writes count; anything else is unknown (fail closed).
    pub fn from_value(value: Option<&str>) -> Self {
        match value {
            Some("true") => LeaderStatus::Leader,
            Some("false") => LeaderStatus::NotLeader,
            _ => LeaderStatus::Unknown,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            LeaderStatus::Leader => "true",
            LeaderStatus::NotLeader => "false",
            LeaderStatus::Unknown => "unknown",
        }
    }
}

/// What this instance does before touching the command.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Take the database lock, then run (every instance, leader or not).
    RunLocked,
    /// No database: the EB leader runs alone, trusting EB's election.
    RunUnlocked,
    /// Exit 0 without running, with this notice.
    Skip(&'static str),
    /// Fail closed (configuration error) with this message.
    Refuse(&'static str),
}

impl Decision {
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::RunLocked => "lock-then-run",
            Decision::RunUnlocked => "run-unlocked",
            Decision::Skip(_) => "skip",
            Decision::Refuse(_) => "refuse",
        }
    }
}

pub fn decide(status: LeaderStatus, database: bool, skip_if_not_leader: bool) -> Decision {
    match (database, status) {
        (true, LeaderStatus::NotLeader) if skip_if_not_leader => Decision::Skip(
            "EB_IS_COMMAND_LEADER=false and --skip-if-not-leader: the leader runs the command",
        ),
        (true, _) => Decision::RunLocked,
        (false, LeaderStatus::Leader) => Decision::RunUnlocked,
        (false, LeaderStatus::NotLeader) => Decision::Skip(
            "no database configured and EB_IS_COMMAND_LEADER=false: the leader runs the command",
        ),
        (false, LeaderStatus::Unknown) => Decision::Refuse(
            "no database configured and EB_IS_COMMAND_LEADER is not set to true or false \
             (instances launched by scaling have no leader); configure DATABASE_URL, \
             --database-url or the RDS_* variables so the database lock can serialise the run",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_exact_values_count() {
        assert_eq!(LeaderStatus::from_value(Some("true")), LeaderStatus::Leader);
        assert_eq!(
            LeaderStatus::from_value(Some("false")),
            LeaderStatus::NotLeader
        );
        for other in [
            None,
            Some(""),
            Some("TRUE"),
            Some("1"),
            Some("yes"),
            Some(" false"),
        ] {
            assert_eq!(
                LeaderStatus::from_value(other),
                LeaderStatus::Unknown,
                "{other:?}"
            );
        }
    }

    #[test]
    fn database_means_lock_unless_opted_out() {
        use LeaderStatus::*;
        assert_eq!(decide(NotLeader, true, false), Decision::RunLocked);
        assert!(matches!(decide(NotLeader, true, true), Decision::Skip(_)));
        assert_eq!(decide(Unknown, true, true), Decision::RunLocked);
        assert_eq!(decide(Leader, true, true), Decision::RunLocked);
        assert_eq!(decide(Leader, false, false), Decision::RunUnlocked);
        assert!(matches!(decide(NotLeader, false, false), Decision::Skip(_)));
        assert!(matches!(decide(Unknown, false, true), Decision::Refuse(_)));
    }
}
