//! The migration command: spawned as the leader of its own process group, watched by a
//! forked watchdog that kills the whole group if `ebguard` dies (even by SIGKILL), sent
//! every forwarded signal as a group, and stopped as a group (SIGTERM, grace, SIGKILL)
//! when the lock is lost. Why a group and a watchdog: docs/migrate.md "The command's
//! process tree".

use std::ffi::OsString;
use std::io;
use std::os::unix::process::ExitStatusExt;
use std::process::ExitStatus;
use std::time::{Duration, Instant};

use tokio::process::{Child, Command};
use tokio::signal::unix::{signal, Signal, SignalKind};

use super::log::{seconds, Log};

/// SIGTERM, SIGINT, SIGHUP and SIGQUIT, received by `ebguard migrate` instead of killing
/// it, so they can be passed on to the command and the lock released after it ends.
pub struct Signals {
    term: Signal,
    int: Signal,
    hup: Signal,
    quit: Signal,
}

impl Signals {
    pub fn install() -> io::Result<Self> {
        Ok(Signals {
            term: signal(SignalKind::terminate())?,
            int: signal(SignalKind::interrupt())?,
            hup: signal(SignalKind::hangup())?,
            quit: signal(SignalKind::quit())?,
        })
    }

    /// The next signal's number.
    pub async fn recv(&mut self) -> i32 {
        tokio::select! {
            _ = self.term.recv() => libc::SIGTERM,
            _ = self.int.recv() => libc::SIGINT,
            _ = self.hup.recv() => libc::SIGHUP,
            _ = self.quit.recv() => libc::SIGQUIT,
        }
    }
}

pub fn signal_name(signal: i32) -> String {
    match signal {
        libc::SIGTERM => "SIGTERM".into(),
        libc::SIGINT => "SIGINT".into(),
        libc::SIGHUP => "SIGHUP".into(),
        libc::SIGQUIT => "SIGQUIT".into(),
        libc::SIGKILL => "SIGKILL".into(),
        other => format!("signal {other}"),
    }
}

/// The running command: its group leader and the watchdog guarding the group.
pub struct Running {
    child: Child,
    pgid: i32,
    watchdog: Option<Watchdog>,
}

pub fn spawn(command: &[OsString], grace: Duration) -> io::Result<Running> {
    let (program, args) = command
        .split_first()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "no command given"))?;
    let mut cmd = Command::new(program);
    cmd.args(args);
    // Its own process group: every process the command starts (a shell's children, a
    // wrapper's workers) can be signalled and killed together, and a terminal's Ctrl-C
    // reaches only ebguard, which forwards it.
    cmd.process_group(0);
    #[cfg(target_os = "linux")]
    // SAFETY: the closure only calls prctl(2) and getppid(2), both async-signal-safe.
    unsafe {
        let parent = libc::getpid();
        // Belt and braces for the moment between spawn and the watchdog's fork: the
        // kernel tells the leader when ebguard dies.
        cmd.pre_exec(move || {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM) == -1 {
                return Err(io::Error::last_os_error());
            }
            if libc::getppid() != parent {
                return Err(io::Error::other("ebguard died before the command started"));
            }
            Ok(())
        });
    }
    let child = cmd.spawn()?;
    let pgid = child
        .id()
        .and_then(|pid| i32::try_from(pid).ok())
        .ok_or_else(|| io::Error::other("the command has no pid"))?;
    let mut running = Running {
        child,
        pgid,
        watchdog: None,
    };
    match Watchdog::fork(pgid, grace) {
        Ok(watchdog) => running.watchdog = Some(watchdog),
        Err(err) => {
            // Without a watchdog the group could outlive ebguard: do not run unguarded.
            kill_group(pgid, libc::SIGKILL);
            let _ = running.child.start_kill();
            return Err(err);
        }
    }
    Ok(running)
}

/// Sends `signal` to the whole process group (no-op once it is gone).
fn kill_group(pgid: i32, signal: i32) -> bool {
    // SAFETY: kill(2) on a negative pid signals a process group; the group id is the
    // command's pid, which stays reserved while the watchdog or any member exists.
    unsafe { libc::kill(-pgid, signal) == 0 }
}

impl Running {
    pub fn pid(&self) -> i32 {
        self.pgid
    }

    /// Waits for the group leader (cancel-safe).
    pub async fn wait(&mut self) -> io::Result<ExitStatus> {
        self.child.wait().await
    }

    /// Forwards a signal to the whole group.
    pub fn signal(&self, signal: i32) {
        kill_group(self.pgid, signal);
    }

    /// Whether any process of the group is still running. A killed process stays a
    /// zombie until its new parent (init) reaps it, which some inits do only every second
    /// or so; a zombie runs nothing, so it does not count.
    fn group_alive(&self) -> bool {
        kill_group(self.pgid, 0) && live_members(self.pgid).unwrap_or(true)
    }

    /// SIGTERM to the group, SIGKILL after `grace` to whatever is left; returns once the
    /// leader has exited and the group is empty (or after a last short wait).
    pub async fn stop(&mut self, grace: Duration, log: &Log) -> io::Result<ExitStatus> {
        self.signal(libc::SIGTERM);
        log.event(
            "child-stop",
            &[("signal", "SIGTERM".into()), ("grace", seconds(grace))],
        );
        let status = self.wait_group(grace, log).await;
        self.stand_down();
        status
    }

    /// After the leader exited on its own: processes it left in its group (background
    /// jobs, a daemonising tool) must not go on after the lock is released.
    pub async fn reap_leftovers(&mut self, grace: Duration, log: &Log) {
        if self.group_alive() {
            log.event(
                "child-leftovers",
                &[
                    ("pgid", self.pgid.to_string()),
                    ("signal", "SIGTERM".into()),
                    ("grace", seconds(grace)),
                ],
            );
            self.signal(libc::SIGTERM);
            let _ = self.wait_group(grace, log).await;
        }
        self.stand_down();
    }

    async fn wait_group(&mut self, grace: Duration, log: &Log) -> io::Result<ExitStatus> {
        let deadline = Instant::now() + grace;
        let mut status = None;
        loop {
            if status.is_none() {
                status = self.child.try_wait()?;
            }
            if status.is_some() && !self.group_alive() {
                break;
            }
            if Instant::now() >= deadline {
                log.event("child-kill", &[("signal", "SIGKILL".into())]);
                self.signal(libc::SIGKILL);
                if status.is_none() {
                    status = Some(self.child.wait().await?);
                }
                // SIGKILL cannot be ignored; give the kernel a moment to tear down.
                for _ in 0..100 {
                    if !self.group_alive() {
                        break;
                    }
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        match status {
            Some(status) => Ok(status),
            None => self.child.wait().await,
        }
    }

    /// Tells the watchdog the group is gone and it must not kill anything.
    fn stand_down(&mut self) {
        if let Some(watchdog) = self.watchdog.take() {
            watchdog.stand_down();
        }
    }
}

/// A forked process holding the read end of a pipe whose write end only ebguard holds.
/// When ebguard dies for any reason, the kernel closes the write end; the watchdog reads
/// end-of-file and stops the group: SIGTERM, then SIGKILL after the grace period.
struct Watchdog {
    pid: libc::pid_t,
    write: libc::c_int,
}

impl Watchdog {
    fn fork(pgid: i32, grace: Duration) -> io::Result<Watchdog> {
        let mut fds = [0 as libc::c_int; 2];
        // SAFETY: pipe(2) fills the two-element array; close-on-exec keeps the write end
        // out of any later exec (no other thread spawns processes meanwhile).
        unsafe {
            if libc::pipe(fds.as_mut_ptr()) == -1 {
                return Err(io::Error::last_os_error());
            }
            for fd in fds {
                libc::fcntl(fd, libc::F_SETFD, libc::FD_CLOEXEC);
            }
        }
        let (read, write) = (fds[0], fds[1]);
        let steps = (grace.as_millis() / 50).min(u128::from(u32::MAX)) as u32;
        // SAFETY: the child only makes async-signal-safe system calls (close, signal,
        // setsid, read, kill, nanosleep, _exit) and never returns into Rust code, as
        // required after fork in a multi-threaded process.
        let pid = unsafe { libc::fork() };
        if pid == -1 {
            let err = io::Error::last_os_error();
            // SAFETY: closing our own pipe ends.
            unsafe {
                libc::close(read);
                libc::close(write);
            }
            return Err(err);
        }
        if pid == 0 {
            // SAFETY: see above.
            unsafe { watchdog_main(read, pgid, steps) }
        }
        // SAFETY: the parent keeps only the write end.
        unsafe { libc::close(read) };
        Ok(Watchdog { pid, write })
    }

    /// Normal end: one byte says "do not kill", then the watchdog exits and is reaped.
    fn stand_down(self) {
        // SAFETY: our own pipe end and our own child.
        unsafe {
            let byte = [b'0'];
            libc::write(self.write, byte.as_ptr().cast(), 1);
            libc::close(self.write);
            let mut status = 0;
            libc::waitpid(self.pid, &mut status, 0);
        }
    }
}

/// The watchdog process. Never returns.
///
/// # Safety
/// Must run in a freshly forked child.
unsafe fn watchdog_main(read: libc::c_int, pgid: i32, steps: u32) -> ! {
    // Its own session: no terminal signal reaches it, and the group kill below does not
    // include it.
    libc::setsid();
    for signal in [
        libc::SIGTERM,
        libc::SIGINT,
        libc::SIGHUP,
        libc::SIGQUIT,
        libc::SIGPIPE,
    ] {
        libc::signal(signal, libc::SIG_IGN);
    }
    // Drop every inherited descriptor except the pipe: a copy of the lock connection's
    // socket here would keep the lock session open after ebguard died.
    libc::dup2(read, 0);
    #[cfg(target_os = "linux")]
    let closed = libc::syscall(libc::SYS_close_range, 1u32, u32::MAX, 0u32) == 0;
    #[cfg(not(target_os = "linux"))]
    let closed = false;
    if !closed {
        for fd in 1..65536 {
            libc::close(fd);
        }
    }
    let mut byte = [0u8; 1];
    let n = loop {
        let n = libc::read(0, byte.as_mut_ptr().cast(), 1);
        // Reading errno allocates nothing.
        if n == -1 && io::Error::last_os_error().raw_os_error() == Some(libc::EINTR) {
            continue;
        }
        break n;
    };
    if n == 1 && byte[0] == b'0' {
        libc::_exit(0);
    }
    // ebguard is gone: the server has dropped (or will drop) the lock session.
    libc::kill(-pgid, libc::SIGTERM);
    let pause = libc::timespec {
        tv_sec: 0,
        tv_nsec: 50_000_000,
    };
    for _ in 0..steps {
        if libc::kill(-pgid, 0) != 0 {
            libc::_exit(0);
        }
        libc::nanosleep(&pause, std::ptr::null_mut());
    }
    libc::kill(-pgid, libc::SIGKILL);
    libc::_exit(0)
}

/// Whether `/proc` lists a process of group `pgid` that is not a zombie; `None` when
/// `/proc` cannot be read (then the caller trusts kill(2)).
pub fn live_members(pgid: i32) -> Option<bool> {
    let entries = std::fs::read_dir("/proc").ok()?;
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name
            .to_str()
            .filter(|n| n.bytes().all(|b| b.is_ascii_digit()))
        else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        // `pid (comm) state ppid pgrp …`; comm may contain spaces and parentheses.
        let Some((_, rest)) = stat.rsplit_once(')') else {
            continue;
        };
        let mut fields = rest.split_whitespace();
        let state = fields.next().unwrap_or("");
        let group = fields.nth(1).and_then(|g| g.parse::<i32>().ok());
        if group == Some(pgid) && state != "Z" && state != "X" {
            return Some(true);
        }
    }
    Some(false)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signals_map_to_128_plus_n() {
        assert_eq!(exit_code(ExitStatus::from_raw(3 << 8)), 3);
        assert_eq!(exit_code(ExitStatus::from_raw(libc::SIGKILL)), 137);
    }
}
