//! Command-line errors exit 64 (EX_USAGE), not clap's default 2, and never run anything.

mod common;

use common::{migrate, output, stderr};

#[test]
fn usage_errors_exit_64() {
    for args in [
        &["touch", "/tmp/ebguard-should-not-exist"][..],
        &[][..],
        &["--no-such-flag", "--", "true"][..],
        &["--lock-timeout", "soon", "--", "true"][..],
        &["--poll-interval", "0s", "--", "true"][..],
        &["--log-format", "xml", "--", "true"][..],
        &["--engine", "oracle", "--", "true"][..],
    ] {
        let out = output(&mut migrate(args));
        assert_eq!(out.status.code(), Some(64), "{args:?}: {}", stderr(&out));
    }
    assert!(!std::path::Path::new("/tmp/ebguard-should-not-exist").exists());
}

#[test]
fn help_exits_0() {
    let out = output(&mut migrate(["--help"]));
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("--lock-timeout"));
}
