//! The shipped predeploy hook (`hooks/predeploy/01_migrate.sh`) inside a fake source
//! bundle: it finds `.platform/bin/ebguard-<arch>`, fails clearly without it, and execs
//! `ebguard migrate -- <MIGRATE_COMMAND>`.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

const HOOK: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/hooks/predeploy/01_migrate.sh");

/// A bundle with the hook, its command replaced by `touch ran`.
fn bundle(with_binary: bool) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let hooks = dir.path().join(".platform/hooks/predeploy");
    std::fs::create_dir_all(&hooks).expect("mkdir");
    let text = std::fs::read_to_string(HOOK).expect("read hook");
    let marked = "MIGRATE_COMMAND=\"python manage.py migrate --noinput\"\n";
    assert!(
        text.contains(marked),
        "the command variable is where the docs say"
    );
    common::write_script(
        &hooks,
        "01_migrate.sh",
        text.replacen(marked, "MIGRATE_COMMAND=\"touch ran\"\n", 1)
            .trim_start_matches("#!/bin/sh\n"),
    );
    if with_binary {
        let bin = dir.path().join(".platform/bin");
        std::fs::create_dir_all(&bin).expect("mkdir");
        let arch = Command::new("uname")
            .arg("-m")
            .output()
            .expect("uname")
            .stdout;
        let arch = String::from_utf8_lossy(&arch);
        std::fs::copy(
            env!("CARGO_BIN_EXE_ebguard"),
            bin.join(format!("ebguard-{}", arch.trim())),
        )
        .expect("copy binary");
    }
    dir
}

/// Runs the hook as EB does: from the bundle root, as an executable file.
fn run_hook(bundle: &Path, leader: &str) -> std::process::Output {
    Command::new(bundle.join(".platform/hooks/predeploy/01_migrate.sh"))
        .current_dir(bundle)
        .env("EB_IS_COMMAND_LEADER", leader)
        .env_remove("DATABASE_URL")
        .env_remove("RDS_HOSTNAME")
        .output()
        .expect("run hook")
}

#[test]
fn hook_runs_the_command_through_ebguard() {
    let bundle = bundle(true);
    let out = run_hook(bundle.path(), "true");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(bundle.path().join("ran").exists(), "{err}");
    assert!(
        err.contains("ebguard-migrate: event=child-start command=\"touch ran\""),
        "{err}"
    );
}

#[test]
fn hook_fails_closed_through_ebguard() {
    let bundle = bundle(true);
    let out = run_hook(bundle.path(), "maybe");
    assert_eq!(out.status.code(), Some(78));
    assert!(!bundle.path().join("ran").exists());
}

#[test]
fn hook_without_binary_fails_with_a_clear_message() {
    let bundle = bundle(false);
    let out = run_hook(bundle.path(), "true");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(78), "{err}");
    assert!(err.contains(".platform/bin/"), "{err}");
    assert!(!bundle.path().join("ran").exists());
}

#[test]
fn hook_file_is_executable_with_lf_endings() {
    let mode = std::fs::metadata(HOOK)
        .expect("hook exists")
        .permissions()
        .mode();
    assert_ne!(mode & 0o111, 0, "executable bit");
    let text = std::fs::read(HOOK).expect("read");
    assert!(!text.contains(&b'\r'), "CRLF in hook");
    assert!(text.starts_with(b"#!/bin/sh\n"));
}
