//! The migration command: spawned with inherited stdio, signals forwarded, stopped
//! (SIGTERM, grace period, SIGKILL) when the lock is lost.

use std::ffi::OsString;
use std::io;
use std::os::unix::process::ExitStatusExt;
use std::process::ExitStatus;
use std::time::Duration;

use tokio::process::{Child, Command};
use tokio::signal::unix::{signal, Signal, SignalKind};

use super::log::{seconds, Log};

/// SIGTERM and SIGINT, received by `ebguard migrate` instead of killing it, so they can
/// be passed on to the command and the lock released after it ends.
pub struct Signals {
    term: Signal,
    int: Signal,
}

impl Signals {
    pub fn install() -> io::Result<Self> {
        Ok(Signals {
            term: signal(SignalKind::terminate())?,
            int: signal(SignalKind::interrupt())?,
        })
    }

    /// The next signal's number.
    pub async fn recv(&mut self) -> i32 {
        tokio::select! {
            _ = self.term.recv() => libc::SIGTERM,
            _ = self.int.recv() => libc::SIGINT,
        }
    }
}

pub fn signal_name(signal: i32) -> String {
    match signal {
        libc::SIGTERM => "SIGTERM".into(),
        libc::SIGINT => "SIGINT".into(),
        libc::SIGKILL => "SIGKILL".into(),
        other => format!("signal {other}"),
    }
}

pub fn spawn(command: &[OsString]) -> io::Result<Child> {
    let (program, args) = command
        .split_first()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "no command given"))?;
    let mut cmd = Command::new(program);
    cmd.args(args);
    #[cfg(target_os = "linux")]
    // SAFETY: the closure only calls prctl(2), which is async-signal-safe.
    unsafe {
        // If ebguard itself is killed (SIGKILL, OOM) the server drops its lock session
        // and another instance starts migrating: the orphaned command must not go on
        // unlocked, so the kernel sends it SIGTERM when its parent dies.
        cmd.pre_exec(|| {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM) == -1 {
                return Err(io::Error::last_os_error());
            }
            Ok(())
        });
    }
    cmd.spawn()
}

/// Sends `signal` to the command (not to its process group, which it may share with
/// a terminal that already delivered the signal).
pub fn send(child: &Child, signal: i32) {
    if let Some(pid) = child.id().and_then(|pid| i32::try_from(pid).ok()) {
        // SAFETY: kill(2) with a pid we spawned and have not reaped (`id()` is None
        // after reaping), so it cannot hit a recycled pid.
        unsafe {
            libc::kill(pid, signal);
        }
    }
}

/// The command's exit code, or 128 + the signal that killed it (shell convention).
pub fn exit_code(status: ExitStatus) -> i32 {
    match (status.code(), status.signal()) {
        (Some(code), _) => code,
        (None, Some(signal)) => 128 + signal,
        // Neither exited nor signalled cannot happen for a reaped child; fail closed.
        (None, None) => 1,
    }
}

/// SIGTERM, then SIGKILL after `grace`; returns the final status.
pub async fn stop(child: &mut Child, grace: Duration, log: &Log) -> io::Result<ExitStatus> {
    send(child, libc::SIGTERM);
    log.event(
        "child-stop",
        &[("signal", "SIGTERM".into()), ("grace", seconds(grace))],
    );
    match tokio::time::timeout(grace, child.wait()).await {
        Ok(status) => status,
        Err(_) => {
            log.event("child-kill", &[("signal", "SIGKILL".into())]);
            child.start_kill()?;
            child.wait().await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signals_map_to_128_plus_n() {
        assert_eq!(exit_code(ExitStatus::from_raw(3 << 8)), 3);
        assert_eq!(exit_code(ExitStatus::from_raw(libc::SIGKILL)), 137);
    }
}
