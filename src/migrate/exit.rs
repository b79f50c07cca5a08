//! Exit codes of `ebguard migrate`, sysexits(3) style.
//!
//! EB aborts the deployment on any non-zero hook exit (eb-facts.md §6.1), so every
//! failure is non-zero; distinct values tell the operator *why* from the hook log
//! alone (crates.md §E.4 step 9).

use std::fmt;

/// Why `ebguard migrate` failed on its own account (the child's code is passed through
/// separately).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Failure {
    /// Bad command line (EX_USAGE).
    Usage,
    /// The database could not be reached before `--connect-timeout` (EX_UNAVAILABLE).
    DatabaseUnreachable,
    /// Internal failure of the runner itself, e.g. no async runtime (EX_OSERR).
    Os,
    /// The lock was lost while the command ran; the command was stopped (EX_IOERR).
    LockLost,
    /// Another session held the lock for longer than `--lock-timeout` (EX_TEMPFAIL).
    LockTimeout,
    /// The server rejected the credentials (EX_NOPERM).
    Authentication,
    /// Bad URL, TLS failure, pooler detected, leader unknown without a database (EX_CONFIG).
    Configuration,
}

impl Failure {
    pub fn code(self) -> i32 {
        match self {
            Failure::Usage => 64,
            Failure::DatabaseUnreachable => 69,
            Failure::Os => 71,
            Failure::LockLost => 74,
            Failure::LockTimeout => 75,
            Failure::Authentication => 77,
            Failure::Configuration => 78,
        }
    }

    /// The `reason=` value in the final log line.
    pub fn reason(self) -> &'static str {
        match self {
            Failure::Usage => "usage",
            Failure::DatabaseUnreachable => "database-unreachable",
            Failure::Os => "os-error",
            Failure::LockLost => "lock-lost",
            Failure::LockTimeout => "lock-timeout",
            Failure::Authentication => "authentication-failed",
            Failure::Configuration => "configuration",
        }
    }
}

/// A failure with the sentence that explains it to the operator.
#[derive(Debug)]
pub struct MigrateError {
    pub failure: Failure,
    pub message: String,
}

impl MigrateError {
    pub fn new(failure: Failure, message: impl Into<String>) -> Self {
        MigrateError {
            failure,
            message: message.into(),
        }
    }
}

impl fmt::Display for MigrateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// Exit code of a command that could not be started: the shell convention (127 not
/// found, 126 found but not runnable), so hook logs read like a shell's.
pub fn spawn_failure_code(err: &std::io::Error) -> i32 {
    if err.kind() == std::io::ErrorKind::NotFound {
        127
    } else {
        126
    }
}
