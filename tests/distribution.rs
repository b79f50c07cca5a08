//! ebguard as users without Rust get it: the release script's artifacts, installed with the
//! real pip, npm and pre-commit, the composite action's script, and the predeploy hook finding
//! ebguard where the app's dependencies put it on an EB instance.
//!
//! The artifacts are built once per run, by `scripts/release.sh --check` (the dev build that
//! `cargo test` already made, packed by maturin and npm: no release compile), and every test
//! here installs those files, offline. Tools come from the environment, as `.ci/run` sets it:
//! `EBGUARD_TEST_MATURIN`, `EBGUARD_TEST_PIPX`, `EBGUARD_TEST_UVX` (else `maturin`, `pipx`,
//! `uvx` on PATH), `npm`/`node`/`python3` on PATH,
//! `EBGUARD_TEST_PRECOMMIT`, `EBGUARD_TEST_WHEELHOUSE` (a directory holding a setuptools wheel,
//! which pip needs to build the pre-commit mirror offline), `EBGUARD_TEST_DJANGO_PYTHON` and the
//! database URLs. A missing one skips the test, and fails it under CI.

mod common;

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use common::{git, run, text, write, Db, Engine, Running};

const VERSION: &str = env!("CARGO_PKG_VERSION");
const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const HOOK: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/hooks/predeploy/01_migrate.sh");

/// Runs and asserts success; returns the output text.
fn ok(cmd: &mut Command) -> String {
    let out = run(cmd);
    let all = text(&out);
    assert!(out.status.success(), "{cmd:?} failed:\n{all}");
    all
}

fn on_path(name: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

/// A tool from `var` (a path) or PATH; `None` after a visible skip (a failure under CI).
fn tool(var: Option<&str>, name: &str, test: &str) -> Option<PathBuf> {
    let found = var
        .and_then(std::env::var_os)
        .map(PathBuf::from)
        .or_else(|| on_path(name));
    if found.is_none() {
        let hint = var.map(|v| format!(" (set {v})")).unwrap_or_default();
        common::skip(&format!("{test} needs {name}{hint}"));
    }
    found
}

/// PATH without any directory holding cargo or rustc: what a user without Rust has.
fn path_without_rust() -> std::ffi::OsString {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let dirs: Vec<PathBuf> = std::env::split_paths(&path)
        .filter(|d| !d.join("cargo").exists() && !d.join("rustc").exists())
        .collect();
    std::env::join_paths(dirs).unwrap()
}

fn cpu() -> (&'static str, &'static str) {
    match std::env::consts::ARCH {
        "x86_64" => ("x86_64", "x64"),
        "aarch64" => ("aarch64", "arm64"),
        other => panic!("no ebguard package for {other}"),
    }
}

struct Dist {
    dir: PathBuf,
}

impl Dist {
    fn wheel(&self) -> PathBuf {
        self.dir
            .join(format!("ebguard-{VERSION}-py3-none-linux_{}.whl", cpu().0))
    }
    fn npm_main(&self) -> PathBuf {
        self.dir.join(format!("ebguard-{VERSION}.tgz"))
    }
    fn npm_platform(&self) -> PathBuf {
        self.dir
            .join(format!("ebguard-linux-{}-{VERSION}.tgz", cpu().1))
    }
}

static DIST: OnceLock<Result<(Dist, String), String>> = OnceLock::new();

/// `scripts/release.sh --check`, once per test process; `None` (skipped) without the tools.
fn dist(test: &str) -> Option<&'static Dist> {
    let maturin = tool(Some("EBGUARD_TEST_MATURIN"), "maturin", test)?;
    tool(None, "npm", test)?;
    let built = DIST.get_or_init(|| {
        // The build `cargo test` made is in the target directory of this test's ebguard.
        let target_dir = Path::new(env!("CARGO_BIN_EXE_ebguard"))
            .parent()
            .and_then(Path::parent)
            .unwrap();
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("dist");
        let started = Instant::now();
        let out = run(Command::new(Path::new(ROOT).join("scripts/release.sh"))
            .args(["--check", "--out"])
            .arg(&dir)
            .env("MATURIN", &maturin)
            .env("CARGO_TARGET_DIR", target_dir));
        let log = text(&out);
        eprintln!(
            "measured: release.sh --check took {:.1} s\n{log}",
            started.elapsed().as_secs_f64()
        );
        if out.status.success() {
            Ok((Dist { dir }, log))
        } else {
            Err(format!("scripts/release.sh --check failed:\n{log}"))
        }
    });
    match built {
        Ok((dist, _)) => Some(dist),
        Err(why) => panic!("{why}"),
    }
}

/// The artifacts and a Python to make virtualenvs with.
fn dist_and_python(test: &str) -> Option<(&'static Dist, PathBuf)> {
    let dist = dist(test)?;
    Some((dist, tool(None, "python3", test)?))
}

#[test]
fn release_script_check_mode_writes_every_artifact_with_checksums() {
    let Some(dist) = dist("release_script") else {
        return;
    };
    let log = &DIST.get().unwrap().as_ref().unwrap().1;
    let (arch, npm_cpu) = cpu();
    let mut expected = vec![
        format!("ebguard-{VERSION}-py3-none-linux_{arch}.whl"),
        format!("ebguard-{VERSION}.tar.gz"),
        format!("ebguard-{VERSION}.tgz"),
        format!("ebguard-linux-{npm_cpu}-{VERSION}.tgz"),
        format!("ebguard-{arch}"),
    ];
    expected.sort();
    let sums = fs::read_to_string(dist.dir.join("SHA256SUMS")).unwrap();
    let mut listed: Vec<String> = sums
        .lines()
        .map(|l| l.split_whitespace().nth(1).unwrap().to_owned())
        .collect();
    listed.sort();
    assert_eq!(listed, expected, "{sums}");
    let check = ok(Command::new("sha256sum")
        .args(["-c", "SHA256SUMS"])
        .current_dir(&dist.dir));
    assert_eq!(check.matches(": OK").count(), expected.len(), "{check}");
    let version = ok(Command::new(dist.dir.join(format!("ebguard-{arch}"))).arg("--version"));
    assert_eq!(version.trim(), format!("ebguard {VERSION}"));
    assert!(log.contains("release.sh: wrote "), "{log}");

    // The npm packages carry Cargo.toml's version and the executable, mode 0755.
    let listing = ok(Command::new("tar").arg("-tvzf").arg(dist.npm_platform()));
    assert!(
        listing
            .lines()
            .any(|l| l.starts_with("-rwxr-xr-x") && l.ends_with("package/bin/ebguard")),
        "{listing}"
    );
    let manifest = ok(Command::new("tar")
        .arg("-xzOf")
        .arg(dist.npm_main())
        .arg("package/package.json"));
    let manifest: serde_json::Value = serde_json::from_str(&manifest).unwrap();
    assert_eq!(manifest["version"], VERSION);
    assert_eq!(
        manifest["optionalDependencies"][format!("@ebguard/linux-{npm_cpu}")],
        VERSION
    );
}

#[test]
fn wheel_installs_without_rust_and_checks_a_bundle() {
    let Some((dist, python)) = dist_and_python("wheel") else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let venv = tmp.path().join("venv");
    let path = path_without_rust();
    assert!(
        !std::env::split_paths(&path).any(|d| d.join("cargo").exists()),
        "cargo is still on PATH"
    );
    ok(Command::new(&python).arg("-m").arg("venv").arg(&venv));
    let started = Instant::now();
    ok(Command::new(venv.join("bin/pip"))
        .args([
            "install",
            "--no-index",
            "--disable-pip-version-check",
            "--quiet",
        ])
        .arg(dist.wheel())
        .env("PATH", &path));
    eprintln!(
        "measured: pip install of the wheel into a fresh venv took {:.1} s ({} bytes)",
        started.elapsed().as_secs_f64(),
        fs::metadata(dist.wheel()).unwrap().len()
    );

    let version = ok(Command::new(venv.join("bin/ebguard"))
        .arg("--version")
        .env("PATH", &path));
    assert_eq!(version.trim(), format!("ebguard {VERSION}"));
    let out = run(Command::new(venv.join("bin/ebguard"))
        .args(["check", "examples/django-unsafe"])
        .current_dir(ROOT)
        .env("PATH", &path)
        .env("NO_COLOR", "1"));
    let all = text(&out);
    assert_eq!(out.status.code(), Some(1), "{all}");
    assert!(
        all.contains("error[EB001]")
            && all.contains("examples/django-unsafe/.ebextensions/01_django.config:5:3"),
        "{all}"
    );
    // `python -m ebguard` runs the same executable.
    let module = ok(Command::new(venv.join("bin/python"))
        .args(["-m", "ebguard", "--version"])
        .env("PATH", &path));
    assert_eq!(module.trim(), format!("ebguard {VERSION}"));
}

/// Installs the npm tarballs offline into `project` (created) with EB's production mode.
fn npm_install(dist: &Dist, project: &Path) -> Duration {
    fs::create_dir_all(project).unwrap();
    fs::write(
        project.join("package.json"),
        format!(
            r#"{{"name":"app","version":"1.0.0","private":true,"dependencies":{{"ebguard":"file:{}","@ebguard/linux-{}":"file:{}"}}}}"#,
            dist.npm_main().display(),
            cpu().1,
            dist.npm_platform().display()
        ),
    )
    .unwrap();
    let started = Instant::now();
    ok(Command::new("npm")
        // EB's Node.js platform installs with `npm install --production` (AWS, "Configuring
        // your application's dependencies", nodejs-platform-dependencies.html).
        .args([
            "install",
            "--production",
            "--offline",
            "--no-audit",
            "--no-fund",
            "--loglevel=error",
        ])
        .current_dir(project)
        .env("npm_config_cache", project.join(".npm-cache"))
        .env("PATH", path_without_rust()));
    started.elapsed()
}

#[test]
fn npm_tarballs_install_offline_and_npx_runs_ebguard() {
    let Some(dist) = dist("npm") else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let project = tmp.path().join("app");
    let took = npm_install(dist, &project);
    eprintln!(
        "measured: npm install --offline of the tarballs took {:.1} s",
        took.as_secs_f64()
    );
    let version = ok(Command::new("npx")
        .args(["--offline", "ebguard", "--version"])
        .current_dir(&project)
        .env("npm_config_cache", project.join(".npm-cache")));
    assert_eq!(version.trim(), format!("ebguard {VERSION}"));

    let bundle = project.join("bundle/.ebextensions");
    fs::create_dir_all(&bundle).unwrap();
    fs::write(
        bundle.join("01.config"),
        "container_commands:\n  01_migrate:\n    command: npx prisma migrate deploy\n",
    )
    .unwrap();
    let out = run(Command::new("npx")
        .args(["--offline", "ebguard", "check", "bundle"])
        .current_dir(&project)
        .env("npm_config_cache", project.join(".npm-cache"))
        .env("NO_COLOR", "1"));
    let all = text(&out);
    assert_eq!(
        out.status.code(),
        Some(1),
        "the launcher passes the exit code on:\n{all}"
    );
    assert!(all.contains("bundle/.ebextensions/01.config:2:3"), "{all}");

    // On an instance the hook takes the platform package's executable from node_modules.
    let hooks = project.join(".platform/hooks/predeploy");
    fs::create_dir_all(&hooks).unwrap();
    let hook = shipped_hook(&hooks, Some("touch ran"));
    let out = run(Command::new(&hook)
        .current_dir(&project)
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("EB_IS_COMMAND_LEADER", "true"));
    let all = text(&out);
    assert_eq!(out.status.code(), Some(0), "{all}");
    assert!(
        all.contains(&format!(
            "event=ebguard-found source=node_modules path=node_modules/@ebguard/linux-{}/bin/ebguard",
            cpu().1
        )),
        "{all}"
    );
    assert!(project.join("ran").exists(), "{all}");
}

/// Copies the shipped hook into `dir`, executable, optionally with another migrate command.
fn shipped_hook(dir: &Path, command: Option<&str>) -> PathBuf {
    let mut text = fs::read_to_string(HOOK).unwrap();
    if let Some(command) = command {
        let line = "MIGRATE_COMMAND=\"python manage.py migrate --noinput\"\n";
        assert!(text.contains(line));
        text = text.replacen(line, &format!("MIGRATE_COMMAND=\"{command}\"\n"), 1);
    }
    let path = dir.join("01_migrate.sh");
    fs::write(&path, text).unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).unwrap();
    path
}

/// A stand-in ebguard that says which one it is.
fn fake_ebguard(path: &Path, name: &str) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, format!("#!/bin/sh\necho \"picked {name} $*\"\n")).unwrap();
    fs::set_permissions(path, fs::Permissions::from_mode(0o755)).unwrap();
}

#[test]
fn hook_finds_ebguard_in_the_documented_order_and_says_where() {
    let tmp = tempfile::tempdir().unwrap();
    let staging = tmp.path().join("staging");
    let hooks = staging.join(".platform/hooks/predeploy");
    fs::create_dir_all(&hooks).unwrap();
    let hook = shipped_hook(&hooks, None);
    let (arch, npm_cpu) = cpu();
    let venv = tmp.path().join("venv");
    let path_dir = tmp.path().join("path");
    let candidates = [
        ("EBGUARD_BIN", tmp.path().join("custom/ebguard")),
        ("virtualenv", venv.join("bin/ebguard")),
        (
            "node_modules",
            staging.join(format!("node_modules/@ebguard/linux-{npm_cpu}/bin/ebguard")),
        ),
        ("node_modules", staging.join("node_modules/.bin/ebguard")),
        (
            "platform-bin",
            staging.join(format!(".platform/bin/ebguard-{arch}")),
        ),
        ("PATH", path_dir.join("ebguard")),
    ];
    for (i, (_, path)) in candidates.iter().enumerate() {
        fake_ebguard(path, &format!("candidate{i}"));
    }
    for (i, (source, path)) in candidates.iter().enumerate() {
        let out = run(Command::new(&hook)
            .current_dir(&staging)
            .env_clear()
            .env("PATH", format!("{}:/usr/bin:/bin", path_dir.display()))
            .env("VIRTUAL_ENV", &venv)
            .env("EBGUARD_BIN", &candidates[0].1));
        let all = text(&out);
        assert_eq!(out.status.code(), Some(0), "{all}");
        assert!(
            all.contains(&format!(
                "picked candidate{i} migrate -- python manage.py migrate --noinput"
            )),
            "expected candidate {i} ({source}):\n{all}"
        );
        let shown = if path.starts_with(&staging) {
            path.strip_prefix(&staging).unwrap().to_path_buf()
        } else {
            path.clone()
        };
        assert!(
            all.contains(&format!(
                "event=ebguard-found source={source} path={}",
                shown.display()
            )),
            "{all}"
        );
        fs::remove_file(path).unwrap();
    }
    // None left: exit 78 with every way to install it.
    let out = run(Command::new(&hook)
        .current_dir(&staging)
        .env_clear()
        .env("PATH", "/usr/bin:/bin"));
    let all = text(&out);
    assert_eq!(out.status.code(), Some(78), "{all}");
    for hint in [
        "requirements.txt",
        "package.json",
        ".platform/bin/",
        "EBGUARD_BIN",
    ] {
        assert!(all.contains(hint), "{hint}: {all}");
    }

    // A candidate without the executable bit is reported, not skipped silently.
    let platform = staging.join(format!(".platform/bin/ebguard-{arch}"));
    fake_ebguard(&platform, "not-executable");
    fs::set_permissions(&platform, fs::Permissions::from_mode(0o644)).unwrap();
    let out = run(Command::new(&hook)
        .current_dir(&staging)
        .env_clear()
        .env("PATH", "/usr/bin:/bin"));
    let all = text(&out);
    assert_eq!(out.status.code(), Some(78), "{all}");
    assert!(all.contains("git update-index --chmod=+x"), "{all}");
}

/// Copies a directory tree, leaving out Python caches.
fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name();
        if name == "__pycache__" {
            continue;
        }
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &to.join(&name));
        } else {
            fs::copy(entry.path(), to.join(&name)).unwrap();
        }
    }
}

fn python_path(python: &Path, key: &str) -> String {
    ok(Command::new(python).args([
        "-c",
        &format!("import sysconfig; print(sysconfig.get_paths()['{key}'])"),
    ]))
    .trim()
    .to_owned()
}

/// An EB instance after the build step: the app in /var/app/staging, requirements.txt
/// installed into /var/app/venv/staging-*/ (here: the ebguard wheel, plus Django through a
/// .pth file pointing at the test Python's packages), and the shipped hook, unmodified.
/// Three copies of the hook run at once, as three instances would.
fn instance(engine: Engine, test: &str) {
    let Some(dist) = dist(test) else {
        return;
    };
    let django = std::env::var_os("EBGUARD_TEST_DJANGO_PYTHON").map(PathBuf::from);
    let Some(django) = django else {
        common::skip(&format!(
            "{test} needs Django; set EBGUARD_TEST_DJANGO_PYTHON"
        ));
        return;
    };
    let Some(db) = Db::from_env(engine, test) else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let staging = tmp.path().join("var/app/staging");
    let venv = tmp.path().join("var/app/venv/staging-LQM1lest");
    let app = Path::new(ROOT).join("tests/django");
    copy_tree(&app, &staging);
    fs::write(
        staging.join("requirements.txt"),
        format!("Django\nebguard=={VERSION}\n"),
    )
    .unwrap();
    let hooks = staging.join(".platform/hooks/predeploy");
    fs::create_dir_all(&hooks).unwrap();
    let hook = shipped_hook(&hooks, None);

    ok(Command::new(&django).arg("-m").arg("venv").arg(&venv));
    ok(Command::new(venv.join("bin/python"))
        .args([
            "-m",
            "pip",
            "install",
            "--no-index",
            "--quiet",
            "--disable-pip-version-check",
        ])
        .arg(dist.wheel()));
    fs::write(
        Path::new(&python_path(&venv.join("bin/python"), "purelib")).join("test_django.pth"),
        format!("{}\n", python_path(&django, "purelib")),
    )
    .unwrap();

    let name = format!("ebguard_inst_{}_{:?}", std::process::id(), engine).to_lowercase();
    db.sql(&format!("DROP DATABASE IF EXISTS {name}"));
    db.sql(&format!("CREATE DATABASE {name}"));
    let mut url = url::Url::parse(&db.url).unwrap();
    url.set_path(&name);

    let runs: Vec<Running> = (0..3)
        .map(|i| {
            let mut cmd = Command::new(&hook);
            // EB's hook environment: its own PATH, no virtualenv active, the environment
            // properties (DATABASE_URL). VIRTUAL_ENV stands for the /var/app/venv/* glob,
            // which a test cannot create.
            cmd.current_dir(&staging)
                .env_clear()
                .env("PATH", "/usr/bin:/bin")
                .env("VIRTUAL_ENV", &venv)
                .env("DATABASE_URL", url.as_str())
                .env("PYTHONDONTWRITEBYTECODE", "1");
            Running::start(cmd, tmp.path().join(format!("hook{i}.log")))
        })
        .collect();
    let results: Vec<(Option<i32>, String)> = runs
        .into_iter()
        .map(|r| r.finish(Duration::from_secs(180)))
        .collect();
    let applied = db.sql_in(
        Some(&name),
        "SELECT app, name, COUNT(*) FROM django_migrations WHERE app = 'slowapp' GROUP BY app, name ORDER BY name",
    );
    let seeded = db.sql_in(Some(&name), "SELECT COUNT(*) FROM slowapp_widget");
    db.sql(&format!("DROP DATABASE IF EXISTS {name}"));

    let found = format!(
        "01_migrate.sh: event=ebguard-found source=virtualenv path={}/bin/ebguard",
        venv.display()
    );
    for (code, log) in &results {
        assert_eq!(*code, Some(0), "{log}");
        assert!(log.contains(&found), "{log}");
        assert!(log.contains("event=lock-acquired"), "{log}");
    }
    let rows: Vec<String> = applied.lines().map(|l| l.replace('\t', "|")).collect();
    assert_eq!(
        rows,
        ["slowapp|0001_initial|1", "slowapp|0002_widget_size|1"],
        "each migration applied once"
    );
    assert_eq!(seeded, "1", "the data migration ran once");
}

#[test]
fn instance_hook_from_the_app_virtualenv_postgres() {
    instance(Engine::Postgres, "instance_postgres");
}

#[test]
fn instance_hook_from_the_app_virtualenv_mariadb() {
    instance(Engine::Mysql, "instance_mariadb");
}

#[test]
fn pre_commit_python_hook_installs_the_wheel_in_seconds() {
    let Some(dist) = dist("pre_commit_python") else {
        return;
    };
    let Some(pre_commit) = tool(
        Some("EBGUARD_TEST_PRECOMMIT"),
        "pre-commit",
        "pre_commit_python",
    ) else {
        return;
    };
    let Some(wheelhouse) = std::env::var_os("EBGUARD_TEST_WHEELHOUSE") else {
        common::skip("pre_commit_python needs a setuptools wheel; set EBGUARD_TEST_WHEELHOUSE");
        return;
    };
    let tmp = tempfile::tempdir().unwrap();

    // The mirror, as its own repository would be published: the pre-commit/ folder at the root.
    let mirror = tmp.path().join("mirror");
    copy_tree(&Path::new(ROOT).join("pre-commit"), &mirror);
    git(&mirror, &["init", "-q"]);
    git(&mirror, &["add", "-A"]);
    git(&mirror, &["commit", "-q", "-m", "mirror"]);
    let rev = ok(Command::new("git")
        .args(["rev-parse", "HEAD"])
        .current_dir(&mirror));

    let repo = tmp.path().join("project");
    fs::create_dir_all(&repo).unwrap();
    git(&repo, &["init", "-q"]);
    write(
        &repo.join(".pre-commit-config.yaml"),
        &format!(
            "repos:\n  - repo: {}\n    rev: {}\n    hooks:\n      - id: ebguard\n",
            mirror.display(),
            rev.trim()
        ),
    );
    write(
        &repo.join("bad/.ebextensions/01_django.config"),
        "container_commands:\n  01_migrate:\n    command: python3 manage.py migrate\n",
    );
    // Clean but for a warning (EB004), which does not fail the hook by default.
    write(
        &repo.join("good/.ebextensions/01_django.config"),
        "container_commands:\n  01_migrate:\n    command: python3 manage.py migrate\n    leader_only: true\n    test: test -f manage.py\n",
    );
    write(&repo.join("README.md"), "not part of a bundle\n");

    let pre_commit_cmd = |args: &[&str]| {
        let mut cmd = Command::new(&pre_commit);
        cmd.args(args)
            .current_dir(&repo)
            .env("PRE_COMMIT_HOME", tmp.path().join("cache"))
            .env("PIP_NO_INDEX", "1")
            .env(
                "PIP_FIND_LINKS",
                format!(
                    "{} {}",
                    dist.dir.display(),
                    Path::new(&wheelhouse).display()
                ),
            )
            .env("PATH", path_without_rust())
            .env("NO_COLOR", "1")
            .env("GIT_AUTHOR_NAME", "ebguard")
            .env("GIT_AUTHOR_EMAIL", "ebguard@example.com")
            .env("GIT_COMMITTER_NAME", "ebguard")
            .env("GIT_COMMITTER_EMAIL", "ebguard@example.com");
        cmd
    };

    // First run: pre-commit creates the hook's virtualenv and pip-installs the wheel.
    let started = Instant::now();
    let out = run(&mut pre_commit_cmd(&[
        "run",
        "--files",
        "bad/.ebextensions/01_django.config",
        "good/.ebextensions/01_django.config",
        "README.md",
    ]));
    let first = started.elapsed();
    let all = text(&out);
    eprintln!(
        "measured: first pre-commit run (hook install included) took {:.1} s",
        first.as_secs_f64()
    );
    assert_eq!(out.status.code(), Some(1), "{all}");
    assert!(
        all.contains("bad/.ebextensions/01_django.config:2:3"),
        "{all}"
    );
    assert!(
        all.contains("1 error, 1 warning, 0 info in 2 bundles"),
        "{all}"
    );
    assert!(
        first < Duration::from_secs(60),
        "the first run took {first:?}"
    );

    // As a git hook: committing the good bundle passes.
    pre_commit_cmd(&["install"]).output().unwrap();
    git(&repo, &["add", "good", ".pre-commit-config.yaml"]);
    let commit = |msg: &str| {
        let mut cmd = Command::new("git");
        cmd.args(["commit", "-q", "-m", msg])
            .current_dir(&repo)
            .envs(
                pre_commit_cmd(&[])
                    .get_envs()
                    .filter_map(|(k, v)| Some((k.to_owned(), v?.to_owned()))),
            );
        run(&mut cmd)
    };
    let out = commit("good bundle");
    assert!(out.status.success(), "{}", text(&out));

    // A commit changing only ebguard.toml is checked: the warning becomes an error.
    write(
        &repo.join("good/ebguard.toml"),
        "[rules.EB004]\nseverity = \"error\"\n",
    );
    git(&repo, &["add", "good/ebguard.toml"]);
    let out = commit("stricter");
    let all = text(&out);
    assert_eq!(out.status.code(), Some(1), "{all}");
    assert!(
        all.contains("error[EB004]") && all.contains("good/.ebextensions/01_django.config"),
        "{all}"
    );
}

#[test]
fn action_script_installs_uploads_sarif_and_gates() {
    let Some((dist, python)) = dist_and_python("action") else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let runner = tmp.path().join("runner");
    fs::create_dir_all(&runner).unwrap();
    let workspace = tmp.path().join("workspace");
    copy_tree(
        &Path::new(ROOT).join("examples/django-unsafe"),
        &workspace.join("app"),
    );
    let github_path = tmp.path().join("github_path");
    let github_output = tmp.path().join("github_output");
    let action = |step: &str, env: &[(&str, &str)]| {
        let mut cmd = Command::new(Path::new(ROOT).join("scripts/action.sh"));
        cmd.arg(step)
            .current_dir(&workspace)
            .env("RUNNER_TEMP", &runner)
            .env("GITHUB_PATH", &github_path)
            .env("GITHUB_OUTPUT", &github_output)
            .env("EBGUARD_PYTHON", &python)
            .env("PIP_NO_INDEX", "1")
            .env("PIP_FIND_LINKS", &dist.dir)
            .env("PATH", path_without_rust())
            .env("NO_COLOR", "1")
            .envs(env.iter().copied());
        run(&mut cmd)
    };

    let out = action("install", &[("EBGUARD_VERSION", "0.1")]);
    assert_eq!(out.status.code(), Some(64), "{}", text(&out));
    assert!(text(&out).contains("::error title=ebguard::version must be an exact version"));

    let out = action("install", &[("EBGUARD_VERSION", VERSION)]);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(
        fs::read_to_string(&github_path).unwrap(),
        format!("{}\n", runner.join("ebguard-venv/bin").display())
    );

    let out = action("sarif", &[("EBGUARD_PATHS", ".")]);
    assert!(out.status.success(), "{}", text(&out));
    let sarif_file = runner.join("ebguard.sarif");
    assert_eq!(
        fs::read_to_string(&github_output).unwrap(),
        format!("sarif-file={}\n", sarif_file.display())
    );
    let sarif: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&sarif_file).unwrap()).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    let result = &sarif["runs"][0]["results"][0];
    assert_eq!(result["ruleId"], "EB001");
    assert_eq!(
        result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "app/.ebextensions/01_django.config"
    );

    // A run that fails (exit 2: an unreadable path) fails the step: nothing to upload.
    let out = action("sarif", &[("EBGUARD_PATHS", "no-such-dir")]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("::error title=ebguard::ebguard check --format sarif failed"));

    let out = action("gate", &[]);
    let all = text(&out);
    assert_eq!(out.status.code(), Some(1), "{all}");
    assert!(
        all.contains("::error file=app/.ebextensions/01_django.config,line=5"),
        "{all}"
    );
    let out = action("gate", &[("EBGUARD_FAIL_ON", "never")]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));

    // action.yml runs these steps, and pins the version the wheel has.
    let yml = fs::read_to_string(Path::new(ROOT).join("action.yml")).unwrap();
    for step in ["install", "sarif", "gate"] {
        assert!(
            yml.contains(&format!("\"$GITHUB_ACTION_PATH/scripts/action.sh\" {step}")),
            "{step}"
        );
    }
    assert!(yml.contains(&format!("default: \"{VERSION}\"")));
}

#[test]
fn pipx_and_uvx_run_the_wheel_without_installing_it_for_good() {
    let Some(dist) = dist("pipx_uvx") else {
        return;
    };
    let (Some(pipx), Some(uvx)) = (
        tool(Some("EBGUARD_TEST_PIPX"), "pipx", "pipx_uvx"),
        tool(Some("EBGUARD_TEST_UVX"), "uvx", "pipx_uvx"),
    ) else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let spec = dist.wheel();
    // README: `pipx run ebguard check .`; here with the wheel as the spec, offline.
    let out = run(Command::new(&pipx)
        .args(["run", "--spec"])
        .arg(&spec)
        .args(["ebguard", "check", "examples/django-unsafe"])
        .current_dir(ROOT)
        .env("PIPX_HOME", tmp.path().join("pipx"))
        .env("PIPX_BIN_DIR", tmp.path().join("pipx-bin"))
        .env("PIP_NO_INDEX", "1")
        .env("PATH", path_without_rust())
        .env("NO_COLOR", "1"));
    let all = text(&out);
    assert_eq!(out.status.code(), Some(1), "{all}");
    assert!(all.contains("error[EB001]"), "{all}");
    // README: `uvx ebguard check .`
    let out = run(Command::new(&uvx)
        .args(["--offline", "--from"])
        .arg(&spec)
        .args(["ebguard", "check", "examples/django-unsafe"])
        .current_dir(ROOT)
        .env("UV_CACHE_DIR", tmp.path().join("uv-cache"))
        .env("UV_TOOL_DIR", tmp.path().join("uv-tools"))
        .env("PATH", path_without_rust())
        .env("NO_COLOR", "1"));
    let all = text(&out);
    assert_eq!(out.status.code(), Some(1), "{all}");
    assert!(all.contains("error[EB001]"), "{all}");
}

#[test]
fn npm_launcher_passes_exit_codes_and_signals_and_explains_a_missing_package() {
    let Some(node) = tool(None, "node", "npm_launcher") else {
        return;
    };
    let launcher = Path::new(ROOT).join("npm/ebguard/bin/ebguard.js");
    let tmp = tempfile::tempdir().unwrap();
    // Outside node_modules the per-CPU package cannot be resolved.
    let out = run(Command::new(&node).arg(&launcher).arg("--version"));
    assert_eq!(out.status.code(), Some(127), "{}", text(&out));
    assert!(
        text(&out).contains(&format!(
            "the package @ebguard/linux-{} is not installed",
            cpu().1
        )),
        "{}",
        text(&out)
    );
    // EBGUARD_BINARY: arguments in, exit code out.
    let fake = tmp.path().join("ebguard");
    fs::write(&fake, "#!/bin/sh\necho \"args: $*\"\nexit 3\n").unwrap();
    fs::set_permissions(&fake, fs::Permissions::from_mode(0o755)).unwrap();
    let out = run(Command::new(&node)
        .arg(&launcher)
        .args(["check", "a b"])
        .env("EBGUARD_BINARY", &fake));
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    assert_eq!(text(&out), "args: check a b\n");
    // SIGTERM to the launcher reaches ebguard, which can then clean up (ebguard migrate
    // releases its lock); the launcher ends as ebguard did.
    let marker = tmp.path().join("got-term");
    fs::write(
        &fake,
        format!(
            "#!/bin/sh\ntrap 'touch {}; exit 143' TERM\ntouch {}.started\nwhile :; do sleep 0.1; done\n",
            marker.display(),
            marker.display()
        ),
    )
    .unwrap();
    let mut child = Command::new(&node)
        .arg(&launcher)
        .env("EBGUARD_BINARY", &fake)
        .spawn()
        .unwrap();
    common::wait_for_file(
        &tmp.path().join("got-term.started"),
        Duration::from_secs(20),
    );
    run(Command::new("kill").args(["-TERM", &child.id().to_string()]));
    let status = child.wait().unwrap();
    assert!(marker.exists(), "SIGTERM was not forwarded");
    assert_eq!(status.code(), Some(143));
}
