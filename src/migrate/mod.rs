//! `ebguard migrate`: the hook runner users ship in their bundle and run from
//! `.platform/hooks/predeploy/` on every instance. It takes a database lock, runs the
//! migration command, and releases the lock, so migrations are serialised whichever
//! instances run them (crates.md §E.4; docs/migrate.md).

mod args;
mod child;
mod exit;
mod leader;
mod lock;
mod log;
mod url;

use std::time::{Duration, Instant};

pub use args::MigrateArgs;
pub use exit::Failure;

use child::Signals;
use exit::MigrateError;
use leader::{Decision, LeaderStatus, LEADER_VARIABLE};
use lock::LockSession;
use log::{seconds, Log};
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

async fn orchestrate(args: &MigrateArgs, log: &mut Log) -> Result<i32, MigrateError> {
    // Installed first: a SIGTERM from EB while waiting must not kill us half-way.
    let mut signals = Signals::install()
        .map_err(|err| MigrateError::new(Failure::Os, format!("cannot handle signals: {err}")))?;
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
        Decision::RunLocked(target) => run_locked(args, &target, &mut signals, log).await,
        Decision::RunUnlocked => {
            log.event(
                "running-unlocked",
                &[(
                    "reason",
                    "no database configured; trusting EB's leader election".into(),
                )],
            );
            supervise(args, None, &mut signals, log).await
        }
    }
}

async fn run_locked(
    args: &MigrateArgs,
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
    let deadline = Instant::now() + args.connect_timeout;
    let lock_name = args.lock_name.as_deref();
    let mut session = tokio::select! {
        session = LockSession::open(target, &application_name, lock_name, deadline, log) => session?,
        signal = signals.recv() => return Ok(interrupted(signal, "connecting", log)),
    };
    log.event(
        "lock-key",
        &[
            ("key", session.key()),
            ("database", session.database().into()),
            ("lock_name", lock_name.unwrap_or("").into()),
            ("application_name", application_name),
        ],
    );
    let acquire = session.acquire(
        args.lock_timeout,
        args.poll_interval,
        args.connect_timeout,
        log,
    );
    tokio::select! {
        waited = acquire => { waited?; }
        signal = signals.recv() => return Ok(interrupted(signal, "waiting for the lock", log)),
    }
    let result = supervise(args, Some(&mut session), signals, log).await;
    let key = session.key();
    match session.release().await {
        Ok(released) => log.event(
            "lock-released",
            &[("key", key), ("released", released.to_string())],
        ),
        // The session ends with the process: the server frees the lock then.
        Err(err) => log.event(
            "lock-release-failed",
            &[("key", key), ("error", err.to_string())],
        ),
    }
    result
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

/// Runs the command to completion: forwards signals, heartbeats the lock, and stops
/// the command if the lock is lost.
async fn supervise(
    args: &MigrateArgs,
    mut lock: Option<&mut LockSession>,
    signals: &mut Signals,
    log: &Log,
) -> Result<i32, MigrateError> {
    let command = args
        .command
        .iter()
        .map(|part| part.to_string_lossy())
        .collect::<Vec<_>>()
        .join(" ");
    let started = Instant::now();
    let mut child = match child::spawn(&args.command) {
        Ok(child) => child,
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
            return Ok(code);
        }
    };
    log.event(
        "child-start",
        &[
            ("command", command),
            ("pid", child.id().map(|p| p.to_string()).unwrap_or_default()),
        ],
    );
    let mut heartbeat = tokio::time::interval_at(
        tokio::time::Instant::now() + args.heartbeat_interval,
        args.heartbeat_interval,
    );
    heartbeat.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let status = loop {
        tokio::select! {
            status = child.wait() => break status,
            signal = signals.recv() => {
                child::send(&child, signal);
                log.event("signal-forwarded", &[("signal", child::signal_name(signal))]);
            }
            _ = heartbeat.tick(), if lock.is_some() => {
                if let Some(session) = lock.as_deref_mut() {
                    if let Err(lost) = session.heartbeat(args.connect_timeout, log).await {
                        log.event("lock-lost", &[("key", session.key()), ("error", lost.message.clone())]);
                        let status = child::stop(&mut child, args.stop_grace_period, log).await;
                        child_ended(status, started.elapsed(), log);
                        return Err(lost);
                    }
                }
            }
        }
    };
    Ok(child_ended(status, started.elapsed(), log))
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
