//! `ebguard migrate`: the hook runner users ship in their bundle and run from
//! `.platform/hooks/predeploy/` on every instance. It takes a database lock, runs the
//! migration command, and releases the lock, so migrations are serialised whichever
//! instances run them (crates.md §E.4; docs/migrate.md).

mod args;
mod budget;
mod child;
mod exit;
mod leader;
mod lock;
mod log;
mod timing;
mod url;

use std::time::{Duration, Instant};

pub use args::MigrateArgs;
pub use exit::Failure;
pub use url::scrub_command_line;

use budget::Budget;
use child::Signals;
use exit::MigrateError;
use leader::{Decision, LeaderStatus, LEADER_VARIABLE};
use lock::LockSession;
use log::{seconds, Log};
use timing::Timing;
use url::{DatabaseSources, DatabaseTarget};

/// Runs `ebguard migrate` and returns the process exit code: the command's own, or a
/// [`Failure`] code.
pub fn run(args: MigrateArgs) -> i32 {
    let mut log = Log::new(args.log_format);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build();
    let result = match runtime {
        Ok(runtime) => runtime.block_on(orchestrate(&args, &mut log)),
        Err(err) => Err(MigrateError::new(
            Failure::Os,
            format!("cannot start the async runtime: {err}"),
        )),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            log.event(
                "failed",
                &[
                    ("exit_code", err.failure.code().to_string()),
                    ("reason", err.failure.reason().into()),
                    ("error", err.message),
                ],
            );
            err.failure.code()
        }
    }
}

fn timing(args: &MigrateArgs) -> Timing {
    Timing {
        heartbeat: args.heartbeat_interval,
        lease: args.lease_timeout,
        grace: args.stop_grace_period,
    }
}

/// Variables whose value decides where the database is. One that is set but not UTF-8
/// must not read as "no database" (which could run the command unlocked): fail closed.
fn non_unicode_variable(args: &MigrateArgs) -> Option<String> {
    [
        args.database_url_env.as_str(),
        "RDS_HOSTNAME",
        "RDS_PORT",
        "RDS_DB_NAME",
        "RDS_USERNAME",
        "RDS_PASSWORD",
        "PGPASSWORD",
    ]
    .into_iter()
    .find(|name| std::env::var_os(name).is_some_and(|v| v.to_str().is_none()))
    .map(str::to_owned)
}

async fn orchestrate(args: &MigrateArgs, log: &mut Log) -> Result<i32, MigrateError> {
    // Installed first: a SIGTERM from EB while waiting must not kill us half-way.
    let mut signals = Signals::install()
        .map_err(|err| MigrateError::new(Failure::Os, format!("cannot handle signals: {err}")))?;
    let started = Instant::now();
    let timing = timing(args);
    timing
        .validate()
        .map_err(|why| MigrateError::new(Failure::Usage, why))?;
    if let Some(name) = non_unicode_variable(args) {
        return Err(MigrateError::new(
            Failure::Configuration,
            format!(
                "{name} is set but is not valid UTF-8, so the database cannot be located; \
                 refusing to run the command without the lock"
            ),
        ));
    }
    let env = |name: &str| std::env::var(name).ok();
    let sources = DatabaseSources {
        database_url: args.database_url.as_deref(),
        database_url_env: &args.database_url_env,
        engine: args.engine,
    };
    let target = url::resolve(&sources, &env, log.secrets_mut())?;
    let status = LeaderStatus::from_value(env(LEADER_VARIABLE).as_deref());
    let configured = if target.is_some() {
        "configured"
    } else {
        "none"
    };
    let decision = leader::decide(status, target, args.skip_if_not_leader);
    log.event(
        "leader",
        &[
            (LEADER_VARIABLE, status.as_str().into()),
            ("database", configured.into()),
            ("decision", decision.as_str().into()),
        ],
    );
    let log = &*log;
    match decision {
        Decision::Skip(why) => {
            log.event("skipped", &[("reason", why.into())]);
            Ok(0)
        }
        Decision::Refuse(why) => Err(MigrateError::new(Failure::Configuration, why)),
        Decision::RunLocked(target) => {
            let budget = budget::read(log);
            if let Some(budget) = budget {
                log_budget(args, budget, log);
            }
            run_locked(args, timing, budget, started, &target, &mut signals, log).await
        }
        Decision::RunUnlocked => {
            log.event(
                "running-unlocked",
                &[(
                    "reason",
                    "no database configured; trusting EB's leader election".into(),
                )],
            );
            supervise(args, None, &mut signals, log)
                .await
                .map(|(code, _)| code)
        }
    }
}

fn log_budget(args: &MigrateArgs, budget: Budget, log: &Log) {
    let waits = args.connect_timeout + args.lock_timeout;
    let mut fields = vec![
        ("deployment_timeout", seconds(budget.timeout)),
        ("source", "aws:elasticbeanstalk:command Timeout".into()),
        ("wait_limit", seconds(budget.wait_limit)),
    ];
    if waits > budget.wait_limit {
        fields.push((
            "note",
            format!(
                "--connect-timeout + --lock-timeout ({}) exceed the wait limit; waiting stops at the limit",
                seconds(waits)
            ),
        ));
    }
    log.event("budget", &fields);
}

async fn run_locked(
    args: &MigrateArgs,
    timing: Timing,
    budget: Option<Budget>,
    started: Instant,
    target: &DatabaseTarget,
    signals: &mut Signals,
    log: &Log,
) -> Result<i32, MigrateError> {
    log.event(
        "database",
        &[
            ("engine", target.engine.as_str().into()),
            ("target", target.redacted.clone()),
            ("source", target.source.clone()),
        ],
    );
    let application_name = application_name();
    let lock_name = args.lock_name.as_deref();
    let prepare = async {
        let deadline = Instant::now() + args.connect_timeout;
        let mut session =
            LockSession::open(target, &application_name, lock_name, timing, deadline, log).await?;
        log.event(
            "lock-key",
            &[
                ("key", session.key()),
                ("database", session.database().into()),
                ("lock_name", lock_name.unwrap_or("").into()),
                ("application_name", application_name.clone()),
            ],
        );
        session
            .acquire(
                args.lock_timeout,
                args.poll_interval,
                args.connect_timeout,
                log,
            )
            .await?;
        session.claim_lease(log).await?;
        Ok::<_, MigrateError>(session)
    };
    // Far enough to never fire when there is no budget.
    let limit = budget.map_or(Duration::from_secs(10 * 365 * 86_400), |b| b.wait_limit);
    let mut session = tokio::select! {
        session = tokio::time::timeout_at((started + limit).into(), prepare) => match session {
            Ok(session) => session?,
            Err(_) => return Err(budget_exhausted(budget, started)),
        },
        signal = signals.recv() => return Ok(interrupted(signal, "connecting or waiting for the lock", log)),
    };
    let (code, ended) = match supervise(args, Some(&mut session), signals, log).await {
        Ok(outcome) => outcome,
        // The lock session is broken or unconfirmed: dropping it closes the socket.
        Err(lost) => return Err(lost),
    };
    let key = session.key();
    let within_lease = session.within_lease(ended);
    let released = session.release().await.map_err(|err| err.to_string());
    match &released {
        Ok(released) => log.event(
            "lock-released",
            &[("key", key), ("released", released.to_string())],
        ),
        Err(err) => {
            let mut fields = vec![
                ("key", key),
                ("error", err.clone()),
                ("within_lease", within_lease.to_string()),
            ];
            if within_lease {
                fields.push((
                    "note",
                    format!(
                        "the command ended inside its lease; the server ends the session within {}",
                        seconds(timing.server_timeout())
                    ),
                ));
            }
            log.event("lock-release-failed", &fields);
        }
    }
    release_verdict(code, &released, within_lease)
}

/// The exit code after the release: the command's own only when the run is proved
/// exclusive — the server confirmed the lock at the end, or the release failed but the
/// command ended inside its lease (anyone who got the lock after this session broke waited
/// for that lease to expire, and the command ended before).
fn release_verdict(
    code: i32,
    released: &Result<bool, String>,
    within_lease: bool,
) -> Result<i32, MigrateError> {
    match released {
        Ok(true) => Ok(code),
        Ok(false) => Err(MigrateError::new(
            Failure::LockLost,
            format!(
                "the command exited {code}, but the server says this session no longer \
                 held the lock when it ended, so the run may have overlapped another"
            ),
        )),
        Err(_) if within_lease => Ok(code),
        Err(err) => Err(MigrateError::new(
            Failure::LockLost,
            format!(
                "the command exited {code}, but the lock could not be confirmed when it \
                 ended: {err}"
            ),
        )),
    }
}

fn budget_exhausted(budget: Option<Budget>, started: Instant) -> MigrateError {
    let (timeout, limit) = budget.map_or((Duration::ZERO, Duration::ZERO), |b| {
        (b.timeout, b.wait_limit)
    });
    MigrateError::new(
        Failure::LockTimeout,
        format!(
            "no lock after {}: the deployment Timeout (aws:elasticbeanstalk:command, {}) \
             leaves the first half ({}) for waiting and the rest for the migration and the \
             deployment, so ebguard stops here instead of being killed by EB mid-migration; \
             raise Timeout or find the holder in the log",
            seconds(started.elapsed()),
            seconds(timeout),
            seconds(limit)
        ),
    )
}

/// A signal arrived before the command started: nothing to forward, exit as if killed.
fn interrupted(signal: i32, phase: &str, log: &Log) -> i32 {
    log.event(
        "interrupted",
        &[
            ("signal", child::signal_name(signal)),
            ("phase", phase.into()),
        ],
    );
    128 + signal
}

/// Runs the command to completion: forwards signals to its process group and watches the
/// lock session continuously; stops the group at once when the lock is lost. Returns the
/// command's exit code and when its end was seen.
async fn supervise(
    args: &MigrateArgs,
    lock: Option<&mut LockSession>,
    signals: &mut Signals,
    log: &Log,
) -> Result<(i32, Instant), MigrateError> {
    let command = args
        .command
        .iter()
        .map(|part| part.to_string_lossy())
        .collect::<Vec<_>>()
        .join(" ");
    let started = Instant::now();
    let mut running = match child::spawn(&args.command, args.stop_grace_period) {
        Ok(running) => running,
        Err(err) => {
            let code = exit::spawn_failure_code(&err);
            log.event(
                "child-spawn-failed",
                &[
                    ("command", command),
                    ("error", err.to_string()),
                    ("exit_code", code.to_string()),
                ],
            );
            return Ok((code, Instant::now()));
        }
    };
    log.event(
        "child-start",
        &[("command", command), ("pid", running.pid().to_string())],
    );
    let outcome = {
        let watch = async {
            match lock {
                Some(session) => session.watch().await,
                None => std::future::pending().await,
            }
        };
        tokio::pin!(watch);
        loop {
            tokio::select! {
                status = running.wait() => break Ok(status),
                signal = signals.recv() => {
                    running.signal(signal);
                    log.event("signal-forwarded", &[("signal", child::signal_name(signal))]);
                }
                lost = &mut watch => break Err(lost),
            }
        }
    };
    match outcome {
        Ok(status) => {
            let ended = Instant::now();
            let code = child_ended(status, started.elapsed(), log);
            running.reap_leftovers(args.stop_grace_period, log).await;
            Ok((code, ended))
        }
        Err(lost) => {
            log.event("lock-lost", &[("error", lost.message.clone())]);
            let status = running.stop(args.stop_grace_period, log).await;
            child_ended(status, started.elapsed(), log);
            Err(lost)
        }
    }
}

fn child_ended(
    status: std::io::Result<std::process::ExitStatus>,
    duration: Duration,
    log: &Log,
) -> i32 {
    match status {
        Ok(status) => {
            let code = child::exit_code(status);
            log.event(
                "child-end",
                &[
                    ("exit_code", code.to_string()),
                    ("duration", seconds(duration)),
                ],
            );
            code
        }
        Err(err) => {
            log.event("child-wait-failed", &[("error", err.to_string())]);
            Failure::Os.code()
        }
    }
}

/// `ebguard-migrate:<instance id or hostname>`: shown as the holder by other instances.
/// The instance id comes from cloud-init's cache, avoiding an HTTP call to IMDS
/// (crates.md §E.4 step 4); PostgreSQL truncates names to 63 bytes.
fn application_name() -> String {
    let read = |path: &str| {
        std::fs::read_to_string(path)
            .ok()
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
    };
    let instance = read("/var/lib/cloud/data/instance-id")
        .or_else(|| read("/proc/sys/kernel/hostname"))
        .unwrap_or_else(|| "unknown".into());
    let mut name = format!("ebguard-migrate:{instance}");
    while name.len() > 63 {
        name.pop();
    }
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_run_proved_exclusive_keeps_the_command_code() {
        assert_eq!(release_verdict(3, &Ok(true), true).unwrap(), 3);
        // `released=false`: the lock was gone before the end (issue 16, item 8).
        let lost = release_verdict(0, &Ok(false), true).unwrap_err();
        assert_eq!(lost.failure, Failure::LockLost);
        let broken = Err("connection reset".to_owned());
        assert_eq!(release_verdict(0, &broken, true).unwrap(), 0);
        assert_eq!(
            release_verdict(0, &broken, false).unwrap_err().failure,
            Failure::LockLost
        );
    }
}
