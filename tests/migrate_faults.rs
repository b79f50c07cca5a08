//! Issue 16's fault schedules against the real servers: a SIGKILLed holder with a process
//! tree, a dropped lock session, a silent dead holder, a frozen proxy and a proxy that
//! loses the server side of the flow (the lease), PgBouncer in all three modes, TLS like
//! libpq and MySQL, the deployment budget, and the smaller defects. Each test proves "no
//! overlap" from an overlap log the commands write (nanosecond timestamps) and prints a
//! `MEASURE` line with the time from fault to lock release (run with `--nocapture`).

mod common;

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{locked, log_field, migrate, output, stderr, write_script, Db, Engine, Running, FAST};

const LONG: Duration = Duration::from_secs(60);

fn lock_name(test: &str) -> String {
    format!("fault-{test}-{}", std::process::id())
}

/// A holder command that is a whole tree: a shell ignoring SIGTERM with a background
/// child ignoring SIGTERM, which appends `tick <ns>` to `overlap` every 50 ms, plus
/// `pgid <n>` so the test can clean up.
fn tree_script(dir: &Path) -> String {
    let overlap = dir.join("overlap");
    let o = overlap.display();
    write_script(
        dir,
        "tree",
        &format!(
            "trap '' TERM HUP\n\
             ( trap '' TERM HUP; while :; do echo \"tick $(date +%s%N)\" >> {o}; sleep 0.05; done ) &\n\
             echo \"started $(date +%s%N)\" >> {o}\n\
             wait\n"
        ),
    )
    .display()
    .to_string()
}

/// The waiter's command: records when it ran.
fn waiter_script(dir: &Path) -> String {
    let o = dir.join("overlap");
    write_script(
        dir,
        "waiter",
        &format!("echo \"waiter $(date +%s%N)\" >> {}\n", o.display()),
    )
    .display()
    .to_string()
}

/// Starts a holder running the tree script through `holder_url`, waits until its command
/// runs, then starts a waiter on `waiter_url` and waits until it reports waiting.
fn contend(
    dir: &Path,
    lock: &str,
    holder_url: &str,
    timing: &[&str],
    waiter_url: &str,
) -> (Running, Running) {
    let holder = Running::start(
        locked(holder_url, lock, timing, &[&tree_script(dir)]),
        dir.join("holder.log"),
    );
    holder.wait_for_log("event=child-start", LONG);
    let waiter = Running::start(
        locked(
            waiter_url,
            lock,
            &["--lock-timeout", "30s"],
            &[&waiter_script(dir)],
        ),
        dir.join("waiter.log"),
    );
    waiter.wait_for_log("event=lock-wait", LONG);
    (holder, waiter)
}

/// `(last holder tick, waiter start)` from the overlap log; panics on overlap.
fn assert_no_overlap(dir: &Path) -> (u128, u128) {
    let text = std::fs::read_to_string(dir.join("overlap")).unwrap_or_default();
    let stamp = |prefix: &str| -> Vec<u128> {
        text.lines()
            .filter_map(|l| l.strip_prefix(prefix))
            .filter_map(|v| v.trim().parse().ok())
            .collect()
    };
    let ticks = stamp("tick ");
    let waiter = stamp("waiter ");
    assert!(!ticks.is_empty(), "the holder never ran:\n{text}");
    assert_eq!(waiter.len(), 1, "the waiter ran once:\n{text}");
    let last_tick = *ticks.iter().max().unwrap();
    assert!(
        last_tick < waiter[0],
        "overlap: the holder's tree ticked {} ms after the waiter started",
        (last_tick - waiter[0]) / 1_000_000
    );
    (last_tick, waiter[0])
}

/// Whether a non-zombie process of group `pgid` exists (zombies wait for init to reap
/// them and run nothing).
fn live_members(pgid: i32) -> bool {
    std::fs::read_dir("/proc").unwrap().flatten().any(|e| {
        let stat = std::fs::read_to_string(e.path().join("stat")).unwrap_or_default();
        let Some((_, rest)) = stat.rsplit_once(')') else {
            return false;
        };
        let f: Vec<&str> = rest.split_whitespace().collect();
        f.len() > 2 && f[2] == pgid.to_string() && f[0] != "Z" && f[0] != "X"
    })
}

/// The holder's process group must be gone; kills it if not (and fails).
fn assert_tree_dead(log: &str) {
    let pgid: i32 = log_field(log, "child-start", "pid")
        .and_then(|p| p.parse().ok())
        .expect("child pid logged");
    let alive = live_members(pgid);
    if alive {
        unsafe { libc::kill(-pgid, libc::SIGKILL) };
    }
    assert!(!alive, "the holder's process group {pgid} outlived it");
}

/// Waits until the log of `run` contains `needle`; returns when it did.
/// Nanoseconds since the epoch, the clock of the overlap log's `date +%s%N`.
fn wall_ns() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos()
}

fn seen(run: &Running, needle: &str, timeout: Duration) -> Instant {
    run.wait_for_log(needle, timeout);
    Instant::now()
}

fn measure(schedule: &str, engine: Engine, fields: &[(&str, String)]) {
    let mut line = format!("MEASURE schedule={schedule} engine={engine:?}");
    for (k, v) in fields {
        line.push_str(&format!(" {k}={v}"));
    }
    eprintln!("{line}");
}

/// The two handoff fields every schedule reports: fault to the next run's start, and how
/// long before that the holder's tree last ran (nanosecond wall-clock stamps).
fn handoff(fault_ns: u128, start: u128, last_tick: u128) -> [(&'static str, String); 2] {
    [
        (
            "fault_to_waiter_start",
            format!("{}ms", (start - fault_ns) / 1_000_000),
        ),
        (
            "last_holder_tick_before_waiter_start",
            format!("{}ms", (start - last_tick) / 1_000_000),
        ),
    ]
}

fn ms(d: Duration) -> String {
    format!("{}ms", d.as_millis())
}

/// Schedule 1: SIGKILL to ebguard while its command is a tree that ignores SIGTERM.
fn sigkill_stops_the_whole_tree(db: &Db) {
    let dir = tempfile::tempdir().unwrap();
    let lock = lock_name("sigkill");
    let url = db.password_url();
    let (holder, waiter) = contend(dir.path(), &lock, &url, &FAST, &url);
    let killed = Instant::now();
    let killed_ns = wall_ns();
    holder.signal("KILL");
    let acquired = seen(&waiter, "event=lock-acquired", LONG);
    let (code, log) = waiter.finish(LONG);
    assert_eq!(code, Some(0), "{log}");
    let holder_log = holder.log_text();
    let (code, _) = holder.finish(LONG);
    assert_eq!(code, None, "SIGKILLed");
    let (last_tick, start) = assert_no_overlap(dir.path());
    assert_tree_dead(&holder_log);
    assert!(log.contains("event=lease-wait"), "{log}");
    measure(
        "1-sigkill",
        db.engine,
        &[("fault_to_lock_release", ms(acquired - killed))]
            .into_iter()
            .chain(handoff(killed_ns, start, last_tick))
            .collect::<Vec<_>>(),
    );
}

/// Schedule 2: the lock session drops mid-run. Noticed at once (well inside one 2 s
/// heartbeat), the tree is stopped, exit 74, never re-taken; the waiter waits for it.
fn session_drop_stops_the_tree_at_once(db: &Db) {
    let dir = tempfile::tempdir().unwrap();
    let lock = lock_name("drop");
    let url = db.password_url();
    let timing = [
        "--heartbeat-interval",
        "2s",
        "--lease-timeout",
        "5s",
        "--stop-grace-period",
        "1s",
    ];
    let (holder, waiter) = contend(dir.path(), &lock, &url, &timing, &url);
    let key = log_field(&holder.log_text(), "lock-acquired", "key").expect("key");
    let fault = Instant::now();
    let fault_ns = wall_ns();
    db.kill_lock_session(&key);
    let noticed = seen(&holder, "event=lock-lost", LONG);
    let acquired = seen(&waiter, "event=lock-acquired", LONG);
    let holder_log = holder.log_text();
    let (code, log) = holder.finish(LONG);
    assert_eq!(code, Some(74), "{log}");
    assert!(!log.contains("lock-reacquired"), "{log}");
    assert!(
        noticed - fault < Duration::from_millis(1500),
        "noticed after {:?}:\n{log}",
        noticed - fault
    );
    let (code, wlog) = waiter.finish(LONG);
    assert_eq!(code, Some(0), "{wlog}");
    let (last_tick, start) = assert_no_overlap(dir.path());
    assert_tree_dead(&holder_log);
    measure(
        "2-session-drop",
        db.engine,
        &[
            ("fault_to_detection", ms(noticed - fault)),
            ("fault_to_lock_release", ms(acquired - fault)),
        ]
        .into_iter()
        .chain(handoff(fault_ns, start, last_tick))
        .collect::<Vec<_>>(),
    );
}

/// A TCP proxy between ebguard and the server that can freeze (stop moving bytes, keep
/// both sockets open: no FIN, no RST) or lose the server side (close it: the server sees
/// the session end, the client hears nothing).
struct Proxy {
    port: u16,
    mode: Arc<AtomicU8>,
    upstreams: Arc<Mutex<Vec<TcpStream>>>,
}

const PASS: u8 = 0;
const FREEZE: u8 = 1;
const REFUSE: u8 = 2;

impl Proxy {
    fn start(upstream: SocketAddr) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let mode = Arc::new(AtomicU8::new(PASS));
        let upstreams = Arc::new(Mutex::new(Vec::new()));
        let (m, ups) = (mode.clone(), upstreams.clone());
        std::thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(client) = client else { continue };
                if m.load(Ordering::SeqCst) == REFUSE {
                    drop(client);
                    continue;
                }
                let Ok(server) = TcpStream::connect(upstream) else {
                    continue;
                };
                ups.lock().unwrap().push(server.try_clone().unwrap());
                for (from, to) in [
                    (client.try_clone().unwrap(), server.try_clone().unwrap()),
                    (server, client),
                ] {
                    let m = m.clone();
                    std::thread::spawn(move || pump(from, to, &m));
                }
            }
        });
        Proxy {
            port,
            mode,
            upstreams,
        }
    }

    fn freeze(&self) {
        self.mode.store(FREEZE, Ordering::SeqCst);
    }

    /// Closes every server-side socket while the clients stay connected and unanswered.
    fn lose_server_side(&self) {
        self.mode.store(FREEZE, Ordering::SeqCst);
        for s in self.upstreams.lock().unwrap().drain(..) {
            let _ = s.shutdown(Shutdown::Both);
        }
    }

    /// Resets every connection and refuses new ones (the database went away).
    fn refuse(&self) {
        self.mode.store(REFUSE, Ordering::SeqCst);
        for s in self.upstreams.lock().unwrap().drain(..) {
            let _ = s.shutdown(Shutdown::Both);
        }
    }

    fn url(&self, db: &Db) -> String {
        let mut url = url::Url::parse(&db.password_url()).unwrap();
        url.set_port(Some(self.port)).unwrap();
        url.to_string()
    }
}

fn pump(mut from: TcpStream, mut to: TcpStream, mode: &AtomicU8) {
    from.set_read_timeout(Some(Duration::from_millis(20)))
        .unwrap();
    let mut buf = [0u8; 16384];
    loop {
        match mode.load(Ordering::SeqCst) {
            PASS => {}
            REFUSE => {
                let _ = from.shutdown(Shutdown::Both);
                let _ = to.shutdown(Shutdown::Both);
                return;
            }
            // Frozen: neither read nor close; the sockets stay open and silent.
            _ => {
                std::thread::sleep(Duration::from_millis(50));
                continue;
            }
        }
        match from.read(&mut buf) {
            Ok(0) => {
                if mode.load(Ordering::SeqCst) == PASS {
                    let _ = to.shutdown(Shutdown::Write);
                    return;
                }
            }
            Ok(n) => {
                if to.write_all(&buf[..n]).is_err() {
                    return;
                }
            }
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            Err(_) => return,
        }
    }
}

fn server_addr(db: &Db) -> SocketAddr {
    let url = url::Url::parse(&db.url).unwrap();
    let port = url.port().unwrap_or(match db.engine {
        Engine::Postgres => 5432,
        Engine::Mysql => 3306,
    });
    format!("127.0.0.1:{port}").parse().unwrap()
}

/// Schedule 3: the holder vanishes without a word (proxy frozen, then ebguard and its
/// tree SIGKILLed): the server ends the silent session within T2 and the waiter runs.
fn silent_dead_holder_is_released_within_t2(db: &Db) {
    let dir = tempfile::tempdir().unwrap();
    let lock = lock_name("silent");
    let proxy = Proxy::start(server_addr(db));
    let (holder, waiter) = contend(dir.path(), &lock, &proxy.url(db), &FAST, &db.password_url());
    let fault = Instant::now();
    let fault_ns = wall_ns();
    proxy.freeze();
    holder.signal("KILL");
    let acquired = seen(&waiter, "event=lock-acquired", LONG);
    let (code, log) = waiter.finish(LONG);
    assert_eq!(code, Some(0), "{log}");
    let holder_log = holder.log_text();
    holder.finish(LONG);
    let (last_tick, start) = assert_no_overlap(dir.path());
    assert_tree_dead(&holder_log);
    assert!(
        acquired - fault < Duration::from_secs(10),
        "{:?}",
        acquired - fault
    );
    measure(
        "3-silent-dead-holder",
        db.engine,
        &[("fault_to_lock_release", ms(acquired - fault))]
            .into_iter()
            .chain(handoff(fault_ns, start, last_tick))
            .collect::<Vec<_>>(),
    );
}

/// What a proxy fault did: when it happened, when the holder exited (74 asserted), when
/// the waiter got the lock, the waiter's log, and the overlap log's last holder tick and
/// waiter start.
struct ProxyFault {
    fault: Instant,
    stopped: Instant,
    acquired: Instant,
    waiter_log: String,
    handoff: [(&'static str, String); 2],
}

impl ProxyFault {
    fn measure(&self, schedule: &str, engine: Engine) {
        measure(
            schedule,
            engine,
            &[
                ("fault_to_holder_stopped", ms(self.stopped - self.fault)),
                ("fault_to_lock_release", ms(self.acquired - self.fault)),
            ]
            .into_iter()
            .chain(self.handoff.clone())
            .collect::<Vec<_>>(),
        );
    }
}

/// A holder through a proxy and a direct waiter; `fault` is applied to the proxy while
/// the holder's tree runs. Asserts exit 74 for the holder, 0 for the waiter, no overlap
/// and a dead tree.
fn proxy_fault(db: &Db, test: &str, fault: impl Fn(&Proxy)) -> ProxyFault {
    let dir = tempfile::tempdir().unwrap();
    let lock = lock_name(test);
    let proxy = Proxy::start(server_addr(db));
    let (holder, waiter) = contend(dir.path(), &lock, &proxy.url(db), &FAST, &db.password_url());
    let started = Instant::now();
    let fault_ns = wall_ns();
    fault(&proxy);
    // Whichever comes first is seen first: poll both logs.
    let mut acquired = None;
    while !holder.log_text().contains("event=failed") {
        if acquired.is_none() && waiter.log_text().contains("event=lock-acquired") {
            acquired = Some(Instant::now());
        }
        assert!(started.elapsed() < LONG, "{}", holder.log_text());
        std::thread::sleep(Duration::from_millis(10));
    }
    let holder_log_path = holder.log.clone();
    let (code, log) = holder.finish(LONG);
    let stopped = Instant::now();
    assert_eq!(code, Some(74), "{log}");
    let acquired = acquired.unwrap_or_else(|| seen(&waiter, "event=lock-acquired", LONG));
    let (code, waiter_log) = waiter.finish(LONG);
    assert_eq!(code, Some(0), "{waiter_log}");
    let (last_tick, start) = assert_no_overlap(dir.path());
    assert_tree_dead(&std::fs::read_to_string(holder_log_path).unwrap());
    ProxyFault {
        fault: started,
        stopped,
        acquired,
        waiter_log,
        handoff: handoff(fault_ns, start, last_tick),
    }
}

/// Schedule 4a: the proxy freezes while the holder lives: it gives up at T1, stops its
/// tree within the grace and exits 74 before the server frees the lock (T2).
fn frozen_holder_stops_before_the_server_frees_the_lock(db: &Db) {
    let f = proxy_fault(db, "frozen", Proxy::freeze);
    assert!(
        f.stopped < f.acquired,
        "the holder must stop before the lock is handed on"
    );
    f.measure("4a-frozen-proxy", db.engine);
}

/// Schedule 4b, the hard case: the server sees the session end at once (the proxy
/// closes the server side) while the holder hears nothing. The waiter gets the lock at
/// once but must wait out the holder's lease before running.
fn lost_flow_waiter_waits_out_the_lease(db: &Db) {
    let f = proxy_fault(db, "lease", Proxy::lose_server_side);
    assert!(
        f.waiter_log.contains("event=lease-wait"),
        "{}",
        f.waiter_log
    );
    assert!(
        f.acquired < f.stopped,
        "the server freed the lock before the holder stopped"
    );
    f.measure("4b-lost-flow-lease", db.engine);
}

/// Schedule 7: with a deployment Timeout of 4 s (stub `get-config` on PATH), waiting
/// stops at 2 s with a clear message instead of the default 300 s --lock-timeout.
fn deployment_budget_bounds_the_wait(db: &Db) {
    let dir = tempfile::tempdir().unwrap();
    let lock = lock_name("budget");
    let url = db.password_url();
    let holder = Running::start(
        locked(&url, &lock, &FAST, &["sleep", "20"]),
        dir.path().join("holder.log"),
    );
    holder.wait_for_log("event=child-start", LONG);
    let bin = dir.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    write_script(
        &bin,
        "get-config",
        "[ \"$*\" = 'optionsettings -n aws:elasticbeanstalk:command -o Timeout' ] && echo 4\n",
    );
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap());
    let started = Instant::now();
    let out = output(locked(&url, &lock, &[], &["true"]).env("PATH", &path));
    let log = stderr(&out);
    assert_eq!(out.status.code(), Some(75), "{log}");
    assert!(started.elapsed() < Duration::from_secs(6), "{log}");
    assert!(
        log.contains("event=budget deployment_timeout=4.0s"),
        "{log}"
    );
    assert!(log.contains("aws:elasticbeanstalk:command"), "{log}");
    // A get-config that answers nonsense is reported and ignored.
    write_script(&bin, "get-config", "echo oops\n");
    let out = output(locked(&url, &lock_name("budget-free"), &[], &["true"]).env("PATH", &path));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("event=budget-unknown"));
    holder.signal("TERM");
    holder.finish(LONG);
}

/// Schedule 8: signals and the command's exit are handled while the lock connection
/// hangs (frozen proxy, long T1): SIGTERM reaches the command at once and ebguard ends
/// with its code soon after (the run ended inside its lease).
fn signals_pass_while_the_lock_connection_hangs(db: &Db) {
    let dir = tempfile::tempdir().unwrap();
    let lock = lock_name("hang");
    let proxy = Proxy::start(server_addr(db));
    let d = dir.path().display();
    let script = write_script(
        dir.path(),
        "holder",
        &format!("trap 'echo > {d}/terminated; exit 143' TERM\nsleep 30 & wait\n"),
    );
    let timing = ["--heartbeat-interval", "300ms", "--lease-timeout", "20s"];
    let holder = Running::start(
        locked(&proxy.url(db), &lock, &timing, &[script.to_str().unwrap()]),
        dir.path().join("holder.log"),
    );
    holder.wait_for_log("event=child-start", LONG);
    proxy.freeze();
    std::thread::sleep(Duration::from_millis(800));
    let sent = Instant::now();
    holder.signal("TERM");
    common::wait_for_file(&dir.path().join("terminated"), Duration::from_secs(2));
    let forwarded = sent.elapsed();
    let (code, log) = holder.finish(Duration::from_secs(10));
    assert_eq!(code, Some(143), "{log}");
    assert!(sent.elapsed() < Duration::from_secs(6), "{log}");
    assert!(log.contains("within_lease=true"), "{log}");
    measure(
        "8-signal-while-hung",
        db.engine,
        &[
            ("signal_to_command", ms(forwarded)),
            ("signal_to_exit", ms(sent.elapsed())),
        ],
    );
}

/// Schedule 8: --lock-timeout bounds the wait even when every lock query and reconnect
/// fails.
fn lock_timeout_bounds_failing_queries(db: &Db) {
    let dir = tempfile::tempdir().unwrap();
    let lock = lock_name("bound");
    let holder = Running::start(
        locked(&db.password_url(), &lock, &FAST, &["sleep", "20"]),
        dir.path().join("holder.log"),
    );
    holder.wait_for_log("event=child-start", LONG);
    let proxy = Proxy::start(server_addr(db));
    let waiter = Running::start(
        locked(
            &proxy.url(db),
            &lock,
            &["--lock-timeout", "3s", "--connect-timeout", "20s"],
            &["true"],
        ),
        dir.path().join("waiter.log"),
    );
    waiter.wait_for_log("event=lock-wait", LONG);
    let started = Instant::now();
    proxy.refuse();
    let (code, log) = waiter.finish(LONG);
    assert!(matches!(code, Some(69) | Some(75)), "{log}");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}: {log}",
        started.elapsed()
    );
    holder.signal("TERM");
    holder.finish(LONG);
}

/// Schedule 8: SIGHUP is forwarded like SIGTERM; ebguard logs its end and releases.
fn sighup_is_forwarded(db: &Db) {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().display();
    let script = write_script(
        dir.path(),
        "holder",
        &format!("trap 'echo > {d}/hup; exit 129' HUP\nsleep 30 & wait\n"),
    );
    let holder = Running::start(
        locked(
            &db.password_url(),
            &lock_name("hup"),
            &FAST,
            &[script.to_str().unwrap()],
        ),
        dir.path().join("holder.log"),
    );
    holder.wait_for_log("event=child-start", LONG);
    holder.signal("HUP");
    let (code, log) = holder.finish(LONG);
    assert_eq!(code, Some(129), "{log}");
    assert!(dir.path().join("hup").exists(), "{log}");
    assert!(
        log.contains("event=signal-forwarded signal=SIGHUP"),
        "{log}"
    );
    assert!(log.contains("released=true"), "{log}");
}

crate::per_engine!(
    sigkill_stops_the_whole_tree,
    session_drop_stops_the_tree_at_once,
    silent_dead_holder_is_released_within_t2,
    frozen_holder_stops_before_the_server_frees_the_lock,
    lost_flow_waiter_waits_out_the_lease,
    deployment_budget_bounds_the_wait,
    signals_pass_while_the_lock_connection_hangs,
    lock_timeout_bounds_failing_queries,
    sighup_is_forwarded,
);

/// A URL from a CI variable, or a visible skip (a failure under CI).
fn env_url(var: &str, test: &str) -> Option<String> {
    match std::env::var(var) {
        Ok(v) => Some(v),
        Err(_) => {
            common::skip(&format!(
                "{test} needs {var} (.ci/setup.d/20-migrate-servers.sh)"
            ));
            None
        }
    }
}

/// Schedule 5: PgBouncer. Session mode works; transaction and statement mode are refused
/// before any lock is taken, without prepared statements, and leave no lock behind.
#[test]
fn pgbouncer_modes() {
    let Some(db) = Db::from_env(Engine::Postgres, "pgbouncer_modes") else {
        return;
    };
    for mode in ["SESSION", "TRANSACTION", "STATEMENT"] {
        let var = format!("EBGUARD_TEST_PGBOUNCER_{mode}_URL");
        let Some(url) = env_url(&var, "pgbouncer_modes") else {
            return;
        };
        let lock = lock_name(&format!("pgb-{mode}"));
        let out = output(&mut locked(&url, &lock, &[], &["sh", "-c", "echo RAN"]));
        let log = stderr(&out);
        let ran = String::from_utf8_lossy(&out.stdout).contains("RAN");
        if mode == "SESSION" {
            assert_eq!(out.status.code(), Some(0), "{mode}: {log}");
            assert!(ran && log.contains("released=true"), "{mode}: {log}");
        } else {
            assert_eq!(out.status.code(), Some(78), "{mode}: {log}");
            assert!(!ran, "{mode}: {log}");
            assert!(
                log.contains("event=pooler-detected check=before-lock"),
                "{mode}: {log}"
            );
            assert!(!log.contains("prepared statement"), "{mode}: {log}");
        }
        // Nothing stays behind: a direct run takes the same lock at once.
        let out = output(&mut locked(
            &db.password_url(),
            &lock,
            &["--lock-timeout", "1s"],
            &["true"],
        ));
        assert_eq!(
            out.status.code(),
            Some(0),
            "{mode} left the lock: {}",
            stderr(&out)
        );
    }
}

/// Schedule 6: TLS like libpq against a PostgreSQL that requires TLS and presents a
/// certificate for `localhost` signed by a private CA.
#[test]
fn postgres_tls_modes_like_libpq() {
    let (Some(url), Some(ca), Some(wrong)) = (
        env_url("EBGUARD_TEST_PG_TLS_URL", "postgres_tls_modes_like_libpq"),
        env_url("EBGUARD_TEST_TLS_CA", "postgres_tls_modes_like_libpq"),
        env_url("EBGUARD_TEST_TLS_WRONG_CA", "postgres_tls_modes_like_libpq"),
    ) else {
        return;
    };
    let ip = url.replace("localhost", "127.0.0.1");
    let cases = [
        (url.clone(), "sslmode=disable".to_owned(), 77),
        (url.clone(), "sslmode=allow".into(), 0),
        (url.clone(), "sslmode=prefer".into(), 0),
        (url.clone(), "sslmode=require".into(), 0),
        (url.clone(), format!("sslmode=require&sslrootcert={ca}"), 0),
        (
            url.clone(),
            format!("sslmode=require&sslrootcert={wrong}"),
            78,
        ),
        (
            url.clone(),
            format!("sslmode=verify-ca&sslrootcert={ca}"),
            0,
        ),
        (
            url.clone(),
            format!("sslmode=verify-ca&sslrootcert={wrong}"),
            78,
        ),
        (url.clone(), "sslmode=verify-ca".into(), 78),
        (
            url.clone(),
            format!("sslmode=verify-full&sslrootcert={ca}"),
            0,
        ),
        (ip.clone(), format!("sslmode=verify-ca&sslrootcert={ca}"), 0),
        (ip, format!("sslmode=verify-full&sslrootcert={ca}"), 78),
    ];
    tls_matrix(&cases);
}

/// Schedule 6: MySQL ssl-mode against a MariaDB with `require_secure_transport`.
#[test]
fn mysql_tls_modes() {
    let (Some(url), Some(ca), Some(wrong)) = (
        env_url("EBGUARD_TEST_MYSQL_TLS_URL", "mysql_tls_modes"),
        env_url("EBGUARD_TEST_TLS_CA", "mysql_tls_modes"),
        env_url("EBGUARD_TEST_TLS_WRONG_CA", "mysql_tls_modes"),
    ) else {
        return;
    };
    let ip = url.replace("localhost", "127.0.0.1");
    let cases = [
        (url.clone(), "ssl-mode=DISABLED".to_owned(), 77),
        (url.clone(), "ssl-mode=PREFERRED".into(), 0),
        (url.clone(), "ssl-mode=REQUIRED".into(), 0),
        (url.clone(), format!("ssl-mode=REQUIRED&ssl-ca={ca}"), 0),
        (url.clone(), format!("ssl-mode=REQUIRED&ssl-ca={wrong}"), 78),
        (url.clone(), format!("ssl-mode=VERIFY_CA&ssl-ca={ca}"), 0),
        (
            url.clone(),
            format!("ssl-mode=VERIFY_CA&ssl-ca={wrong}"),
            78,
        ),
        (
            url.clone(),
            format!("ssl-mode=VERIFY_IDENTITY&ssl-ca={ca}"),
            0,
        ),
        (ip.clone(), format!("ssl-mode=VERIFY_CA&ssl-ca={ca}"), 0),
        (ip, format!("ssl-mode=VERIFY_IDENTITY&ssl-ca={ca}"), 78),
    ];
    tls_matrix(&cases);
}

fn tls_matrix(cases: &[(String, String, i32)]) {
    let lock = lock_name("tls");
    for (url, query, expected) in cases {
        let url = format!("{url}?{query}");
        let out = output(&mut locked(
            &url,
            &lock,
            &["--connect-timeout", "3s"],
            &["sh", "-c", "echo RAN"],
        ));
        assert_eq!(
            out.status.code(),
            Some(*expected),
            "{url}: {}",
            stderr(&out)
        );
        let ran = String::from_utf8_lossy(&out.stdout).contains("RAN");
        assert_eq!(ran, *expected == 0, "{url}");
    }
}

/// Schedule 8: connect retries use the whole --connect-timeout.
#[test]
fn connect_retries_last_the_whole_timeout() {
    let started = Instant::now();
    let out = output(&mut migrate([
        "--connect-timeout",
        "5s",
        "--database-url",
        "postgres://u@127.0.0.1:1/db",
        "--",
        "true",
    ]));
    let took = started.elapsed();
    assert_eq!(out.status.code(), Some(69), "{}", stderr(&out));
    assert!(
        took >= Duration::from_millis(4500) && took < Duration::from_secs(7),
        "{took:?}: {}",
        stderr(&out)
    );
}

/// Schedule 8: usage errors never print a password, and absurd durations are usage
/// errors before anything runs.
#[test]
fn usage_errors_are_scrubbed_and_bounded() {
    let marker = std::env::temp_dir().join(format!("ebguard-usage-{}", std::process::id()));
    let m = marker.to_str().unwrap();
    for args in [
        &["postgres://app:S3cr3tPw@db.example/app", "--", "touch", m][..],
        &[
            "--database-url=mysql://app:S3cr3tPw@h/db",
            "--bogus",
            "--",
            "touch",
            m,
        ][..],
        &["--heartbeat-interval", "99999999999h", "--", "touch", m][..],
        &["--lock-timeout", "100000h", "--", "touch", m][..],
        &[
            "--heartbeat-interval",
            "1s",
            "--lease-timeout",
            "1s",
            "--",
            "touch",
            m,
        ][..],
    ] {
        let out = output(&mut migrate(args));
        assert_eq!(out.status.code(), Some(64), "{args:?}: {}", stderr(&out));
    }
    assert!(!marker.exists());
}

/// Schedule 8: a DATABASE_URL that is not UTF-8 is not "no database": fail closed even
/// when EB says this instance is the leader.
#[test]
fn non_utf8_database_url_fails_closed() {
    use std::os::unix::ffi::OsStrExt;
    let marker = std::env::temp_dir().join(format!("ebguard-utf8-{}", std::process::id()));
    let out = output(
        migrate(["--", "touch", marker.to_str().unwrap()])
            .env(
                "DATABASE_URL",
                std::ffi::OsStr::from_bytes(b"postgres://u@h/\xff"),
            )
            .env("EB_IS_COMMAND_LEADER", "true"),
    );
    assert_eq!(out.status.code(), Some(78), "{}", stderr(&out));
    assert!(!marker.exists());
    assert!(stderr(&out).contains("not valid UTF-8"));
}
