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

/// What this instance does before touching the command; `D` is the configured database.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision<D> {
    /// Take the database lock, then run (every instance, leader or not).
    RunLocked(D),
    /// No database: the EB leader runs alone, trusting EB's election.
    RunUnlocked,
    /// Exit 0 without running, with this notice.
    Skip(&'static str),
    /// Fail closed (configuration error) with this message.
    Refuse(&'static str),
}

impl<D> Decision<D> {
    pub fn as_str(&self) -> &'static str {
        match self {
            Decision::RunLocked(_) => "lock-then-run",
            Decision::RunUnlocked => "run-unlocked",
            Decision::Skip(_) => "skip",
            Decision::Refuse(_) => "refuse",
        }
    }
}

pub fn decide<D>(
    status: LeaderStatus,
    database: Option<D>,
    skip_if_not_leader: bool,
) -> Decision<D> {
    match (database, status) {
        (Some(_), LeaderStatus::NotLeader) if skip_if_not_leader => Decision::Skip(
            "EB_IS_COMMAND_LEADER=false and --skip-if-not-leader: the leader runs the command",
        ),
        (Some(database), _) => Decision::RunLocked(database),
        (None, LeaderStatus::Leader) => Decision::RunUnlocked,
        (None, LeaderStatus::NotLeader) => Decision::Skip(
            "no database configured and EB_IS_COMMAND_LEADER=false: the leader runs the command",
        ),
        (None, LeaderStatus::Unknown) => Decision::Refuse(
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
        let db = Some("db");
        assert_eq!(decide(NotLeader, db, false), Decision::RunLocked("db"));
        assert!(matches!(decide(NotLeader, db, true), Decision::Skip(_)));
        assert_eq!(decide(Unknown, db, true), Decision::RunLocked("db"));
        assert_eq!(decide(Leader, db, true), Decision::RunLocked("db"));
        assert_eq!(decide::<&str>(Leader, None, false), Decision::RunUnlocked);
        assert!(matches!(
            decide::<&str>(NotLeader, None, false),
            Decision::Skip(_)
        ));
        assert!(matches!(
            decide::<&str>(Unknown, None, true),
            Decision::Refuse(_)
        ));
    }
}
