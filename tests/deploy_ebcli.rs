//! `ebguard deploy --list-files` against the EB CLI itself: for each tricky project, the real
//! awsebcli packaging code (PyPI, `tests/ebcli/ebcli_zip.py`) builds the zip `eb deploy`
//! would upload, Info-ZIP `unzip` extracts it as the EB engine does, and the files an instance
//! then finds under `.ebextensions/` and `.platform/` (permission bits, link targets, dangling
//! links) must be exactly what ebguard lists and lints.
//!
//! Needs `EBGUARD_TEST_EBCLI_PYTHON`: a Python with `awsebcli` (CI installs it from
//! `.ci/python/deploy.txt`), plus `git`, `zip` and `unzip`.

mod common;

use std::fs;
use std::os::unix::fs::{symlink, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::Command;

/// A project under construction, in `dir`.
struct Tree<'a> {
    dir: &'a Path,
}

impl Tree<'_> {
    fn file(&self, rel: &str, text: &str, mode: u32) -> &Self {
        let path = self.dir.join(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, text).unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(mode)).unwrap();
        self
    }
    fn link(&self, rel: &str, target: &str) -> &Self {
        let path = self.dir.join(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        symlink(target, path).unwrap();
        self
    }
    fn dir(&self, rel: &str) -> &Self {
        fs::create_dir_all(self.dir.join(rel)).unwrap();
        self
    }
    fn git(&self, args: &[&str]) -> &Self {
        common::git(self.dir, args);
        self
    }
    fn init(&self) -> &Self {
        self.git(&["init", "-q"])
    }
    fn commit(&self) -> &Self {
        self.git(&["add", "-A"])
            .git(&["commit", "-q", "--allow-empty", "-m", "c"])
    }
    fn run(&self, cwd: &str, program: &str, args: &[&str]) -> &Self {
        let ok = Command::new(program)
            .args(args)
            .current_dir(self.dir.join(cwd))
            .output()
            .unwrap()
            .status
            .success();
        assert!(ok, "{program} {args:?}");
        self
    }
    /// A typical EB project: `.elasticbeanstalk/`, a config file and a hook.
    fn project(&self, sub: &str) -> &Self {
        let p = |rel: &str| {
            if sub.is_empty() {
                rel.to_string()
            } else {
                format!("{sub}/{rel}")
            }
        };
        self.dir(&p(".elasticbeanstalk"))
            .file(&p(".ebextensions/01_django.config"), CONFIG, 0o644)
            .file(&p(".platform/hooks/predeploy/01_migrate.sh"), HOOK, 0o755)
    }
}

const CONFIG: &str = "option_settings:\n  aws:elasticbeanstalk:command:\n    Timeout: 900\n";
const HOOK: &str = "#!/bin/sh\nebguard migrate -- python manage.py migrate --noinput\n";
const UNGUARDED: &str = "#!/bin/sh\npython manage.py migrate --noinput\n";

/// A case run from the project's top with no `eb deploy` arguments, unless told.
fn case(name: &'static str, setup: fn(&Tree)) -> Case {
    Case {
        name,
        setup,
        cwd: "",
        args: &[],
    }
}

impl Case {
    fn cwd(self, cwd: &'static str) -> Case {
        Case { cwd, ..self }
    }
    fn args(self, args: &'static [&'static str]) -> Case {
        Case { args, ..self }
    }
}

struct Case {
    name: &'static str,
    /// Builds the project in the given directory.
    setup: fn(&Tree),
    /// Where `eb deploy` runs, relative to that directory.
    cwd: &'static str,
    /// `eb deploy` arguments.
    args: &'static [&'static str],
}

fn cases() -> Vec<Case> {
    vec![
        case("git: committed files with git's modes", |t| {
            t.init()
                .project("")
                .file(".gitignore", ".elasticbeanstalk/\n", 0o644);
            t.file(".platform/hooks/prebuild/00_plain.sh", HOOK, 0o644)
                .commit();
        }),
        case("git: chmod +x after committing does not count", |t| {
            t.init()
                .project("")
                .file(".platform/hooks/prebuild/x.sh", HOOK, 0o644)
                .commit();
            t.file(".platform/hooks/prebuild/x.sh", HOOK, 0o755);
            t.file(".ebextensions/02_new.config", CONFIG, 0o644);
        }),
        case("git: --staged archives the index", |t| {
            t.init()
                .project("")
                .file(".platform/hooks/prebuild/x.sh", HOOK, 0o644)
                .commit();
            t.file(".ebextensions/02_new.config", CONFIG, 0o644)
                .git(&["add", ".ebextensions/02_new.config"])
                .git(&[
                    "update-index",
                    "--chmod=+x",
                    ".platform/hooks/prebuild/x.sh",
                ]);
            t.file(".ebextensions/03_unstaged.config", CONFIG, 0o644);
        })
        .args(&["--staged"]),
        case(
            "git: a hook that is a symbolic link to a script elsewhere in the repository",
            |t| {
                t.init()
                    .project("")
                    .file("scripts/migrate.sh", UNGUARDED, 0o755)
                    .link(
                        ".platform/hooks/predeploy/02_migrate.sh",
                        "../../../scripts/migrate.sh",
                    )
                    .commit();
            },
        ),
        case(
            "git: .platform committed as a symbolic link to another folder",
            |t| {
                t.init()
                    .dir(".elasticbeanstalk")
                    .file("deploy/platform/hooks/predeploy/01.sh", UNGUARDED, 0o755)
                    .file("deploy/platform/confighooks/predeploy/01.sh", HOOK, 0o644)
                    .link(".platform", "deploy/platform")
                    .commit();
            },
        ),
        case(
            "git: a committed link to a file that is not committed",
            |t| {
                t.init()
                    .project("")
                    .link(".platform/hooks/predeploy/02.sh", "../../../local/m.sh")
                    .commit();
                t.file("local/m.sh", HOOK, 0o755);
            },
        ),
        case("git: a link to an absolute path", |t| {
            t.init()
                .project("")
                .link(
                    ".platform/hooks/predeploy/02.sh",
                    "/usr/local/bin/migrate.sh",
                )
                .commit();
        }),
        case(
            "git: the project root is a subdirectory of the repository (sc: git)",
            |t| {
                t.init()
                    .project("app")
                    .file("other/.ebextensions/x.config", CONFIG, 0o644);
                t.file(
                    "app/.elasticbeanstalk/config.yml",
                    "global:\n  sc: git\n",
                    0o644,
                )
                .commit();
            },
        )
        .cwd("app"),
        case(
            "git: run from a subdirectory without `sc`, the EB CLI zips the directory",
            |t| {
                t.init().project("").file("src/app.py", "", 0o644).commit();
                t.file(".ebextensions/02_uncommitted.config", CONFIG, 0o644);
            },
        )
        .cwd("src"),
        case(
            "git: run from a subdirectory with `sc: git`, git archive",
            |t| {
                t.init().project("").file("src/app.py", "", 0o644);
                t.file(
                    ".elasticbeanstalk/config.yml",
                    "global:\n  sc: git\n",
                    0o644,
                )
                .commit();
                t.file(".ebextensions/02_uncommitted.config", CONFIG, 0o644);
            },
        )
        .cwd("src"),
        case(
            "git: export-ignore in .gitattributes leaves files out",
            |t| {
                t.init()
                    .project("")
                    .file(".platform/hooks/prebuild/dev.sh", HOOK, 0o755)
                    .file(
                        ".gitattributes",
                        ".platform/hooks/prebuild/dev.sh export-ignore\n",
                        0o644,
                    )
                    .commit();
            },
        ),
        case(
            "git: include_git_submodules ships submodule files with mode 0600",
            |t| {
                let sub = t.dir.join("../hooks-repo");
                let s = Tree { dir: &sub };
                s.dir("")
                    .init()
                    .file("hooks/predeploy/01_migrate.sh", HOOK, 0o755)
                    .link("hooks/predeploy/02_link.sh", "01_migrate.sh")
                    .commit();
                t.init()
                    .dir(".elasticbeanstalk")
                    .file(".ebextensions/a.config", CONFIG, 0o644);
                common::add_submodule(t.dir, &sub, ".platform");
                t.file(
                    ".elasticbeanstalk/config.yml",
                    "global:\n  sc: git\n  include_git_submodules: true\n",
                    0o644,
                )
                .commit();
            },
        ),
        case(
            "git: submodules left out without include_git_submodules",
            |t| {
                let sub = t.dir.join("../hooks-repo");
                let s = Tree { dir: &sub };
                s.dir("")
                    .init()
                    .file("hooks/predeploy/01_migrate.sh", HOOK, 0o755)
                    .commit();
                t.init().project("");
                common::add_submodule(t.dir, &sub, ".platform/shared");
                t.commit();
            },
        ),
        case(
            ".ebignore: the working directory minus its patterns, uncommitted files count",
            |t| {
                t.init().project("").commit();
                t.file(
                    ".ebignore",
                    "node_modules/\n.ebextensions/9*.config\n",
                    0o644,
                )
                .file(".ebextensions/02_local.config", CONFIG, 0o644)
                .file(".ebextensions/90_dev.config", CONFIG, 0o644);
            },
        ),
        case(
            ".ebignore: a later !pattern re-includes a file below an excluded directory",
            |t| {
                t.project("")
                    .file(".platform/hooks/prebuild/x.sh", HOOK, 0o700)
                    .file(
                        ".ebignore",
                        ".platform/\n!.platform/hooks/predeploy/01_migrate.sh\n",
                        0o644,
                    );
            },
        ),
        case(
            ".ebignore: a symlinked hooks folder whose target `dir/` excludes",
            |t| {
                t.dir(".elasticbeanstalk")
                    .file("hooks-src/predeploy/01.sh", UNGUARDED, 0o755)
                    .link(".platform/hooks", "../hooks-src")
                    .file(".ebignore", "hooks-src/\n", 0o644);
            },
        ),
        case(
            ".ebignore: a symlinked hooks folder named by .ebignore",
            |t| {
                t.project("")
                    .file("hooks-src/predeploy/01.sh", UNGUARDED, 0o755)
                    .link(".platform/confighooks", "../hooks-src")
                    .file(".ebignore", ".platform/confighooks\n", 0o644);
            },
        ),
        case(
            ".ebignore: `hooks/` does not stop a symbolic link named hooks",
            |t| {
                t.dir(".elasticbeanstalk")
                    .file("src/hooks/predeploy/01.sh", UNGUARDED, 0o755)
                    .link(".platform/hooks", "../src/hooks")
                    .file(".ebignore", "hooks/\n", 0o644);
            },
        ),
        case(
            ".ebignore: a file link whose target .ebignore excludes ships dangling",
            |t| {
                t.project("")
                    .file("scripts/migrate.sh", UNGUARDED, 0o755)
                    .link(
                        ".platform/hooks/predeploy/02.sh",
                        "../../../scripts/migrate.sh",
                    )
                    .file(".ebignore", "scripts/\n", 0o644);
            },
        ),
        case(
            ".ebignore: editor backups and directories named *.elasticbeanstalk* are skipped",
            |t| {
                t.project("")
                    .file(".ebextensions/01_django.config~", CONFIG, 0o644)
                    .file(".ebextensions/old.elasticbeanstalk/a.config", CONFIG, 0o644)
                    .file(".platform/hooks/x.elasticbeanstalk.bak/01.sh", HOOK, 0o755)
                    .file(".ebignore", "*.pyc\n", 0o644);
            },
        ),
        case(".ebignore: a broken link anywhere stops the EB CLI", |t| {
            t.project("")
                .link("docs/latest", "missing.md")
                .file(".ebignore", "*.pyc\n", 0o644);
        }),
        case("no git: the directory as it is, with its modes", |t| {
            t.project("")
                .file(".platform/hooks/postdeploy/01.sh", HOOK, 0o700)
                .file(".platform/confighooks/prebuild/01.sh", HOOK, 0o750)
                .file(".platform/nginx/conf.d/x.conf", "", 0o600);
        }),
        case("no git: .platform as a symbolic link to a folder", |t| {
            t.dir(".elasticbeanstalk")
                .file("ops/eb/hooks/predeploy/01.sh", UNGUARDED, 0o755)
                .link(".platform", "ops/eb");
        }),
        case("no git: a directory link that loops", |t| {
            t.project("").link(".platform/hooks/predeploy/self", ".");
        }),
        case("no git: a broken link stops the EB CLI", |t| {
            t.project("")
                .link(".platform/hooks/predeploy/02.sh", "gone.sh");
        }),
        case("deploy: artifact: a zip made by Info-ZIP with links", |t| {
            t.dir("build")
                .file("src/scripts/m.sh", UNGUARDED, 0o755)
                .file("src/.ebextensions/01.config", CONFIG, 0o640)
                .link(
                    "src/.platform/hooks/predeploy/01.sh",
                    "../../../scripts/m.sh",
                )
                .file("src/.platform/hooks/prebuild/02.sh", HOOK, 0o644)
                .run("src", "zip", &["-q", "-r", "-y", "../build/app.zip", "."]);
            t.project("").file(
                ".elasticbeanstalk/config.yml",
                "deploy:\n  artifact: build/app.zip\n",
                0o644,
            );
        }),
        case(
            "deploy: artifact: a zip made by git archive (entries without Unix modes)",
            |t| {
                let src = t.dir.join("../artifact-src");
                let s = Tree { dir: &src };
                s.dir("")
                    .init()
                    .project("")
                    .file(".platform/hooks/prebuild/02.sh", HOOK, 0o644)
                    .commit();
                s.run(
                    "",
                    "git",
                    &["archive", "--format=zip", "-o", "../app.zip", "HEAD"],
                );
                t.init().project("").commit();
                t.file(
                    ".elasticbeanstalk/config.global.yml",
                    "deploy:\n  artifact: ../app.zip\n",
                    0o644,
                );
            },
        ),
        case(
            "eb deploy -l LABEL reuses .elasticbeanstalk/app_versions/LABEL.zip",
            |t| {
                t.dir("old")
                    .file("old/.platform/hooks/predeploy/01.sh", UNGUARDED, 0o755)
                    .run("old", "zip", &["-q", "-r", "../v1.zip", "."]);
                t.init().project("").commit();
                fs::create_dir_all(t.dir.join(".elasticbeanstalk/app_versions")).unwrap();
                fs::rename(
                    t.dir.join("v1.zip"),
                    t.dir.join(".elasticbeanstalk/app_versions/v1.zip"),
                )
                .unwrap();
            },
        )
        .args(&["--label", "v1"]),
        case(
            "eb deploy --archive DIR zips that directory as it is",
            |t| {
                t.project("")
                    .file("dist/.ebextensions/01.config", CONFIG, 0o644)
                    .file("dist/.platform/hooks/predeploy/01.sh", UNGUARDED, 0o700)
                    .file("dist/.ebextensions/01.config~", CONFIG, 0o644);
            },
        )
        .args(&["--archive", "dist"]),
        case("eb deploy --archive ZIP uploads that zip", |t| {
            t.project("")
                .file("pkg/.platform/hooks/predeploy/01.sh", HOOK, 0o750)
                .run("pkg", "zip", &["-q", "-r", "../out.zip", "."]);
        })
        .args(&["--archive", "out.zip"]),
        case("eb deploy --modules: each module's own upload", |t| {
            t.project("api")
                .file("api/env.yaml", "EnvironmentName: api+\n", 0o644)
                .file(
                    "worker/.elasticbeanstalk/config.yml",
                    "global:\n  sc: null\n",
                    0o644,
                )
                .file("worker/env.yaml", "EnvironmentName: worker+\n", 0o644)
                .file("worker/.platform/hooks/predeploy/01.sh", UNGUARDED, 0o644);
        })
        .args(&["--modules", "api", "worker"]),
        case(
            "eb deploy --modules: a module without env.yaml deploys nothing",
            |t| {
                t.project("api")
                    .file("api/env.yaml", "EnvironmentName: api+\n", 0o644);
                t.project("web");
            },
        )
        .args(&["--modules", "api", "web"]),
        case(
            "git: .platform/confighooks committed as a link to hooks",
            |t| {
                t.init()
                    .project("")
                    .file(".platform/hooks/prebuild/01_collectstatic.sh", HOOK, 0o755)
                    .link(".platform/confighooks", "hooks")
                    .commit();
            },
        ),
        case(
            "git: a chain of links, the last one to a file with mode 100644",
            |t| {
                t.init()
                    .project("")
                    .file("bin/real.sh", UNGUARDED, 0o644)
                    .link("bin/current.sh", "real.sh")
                    .link(".platform/hooks/predeploy/02.sh", "../../../bin/current.sh")
                    .commit();
            },
        ),
        case("git: a repository without a commit stops the EB CLI", |t| {
            t.init().project("");
        }),
        case(
            ".ebignore: a directory link that loops stops the EB CLI",
            |t| {
                t.project("")
                    .link(".platform/hooks/predeploy/again", "..")
                    .file(
                        ".ebignore",
                        "*.pyc
",
                        0o644,
                    );
            },
        ),
        case(
            ".ebignore: `*.sh` leaves out files but not a link to their folder",
            |t| {
                t.project("")
                    .file("shared/predeploy/01.sh", UNGUARDED, 0o755)
                    .file("shared/predeploy/README", "", 0o644)
                    .link(".platform/confighooks", "../shared")
                    .file(
                        ".ebignore",
                        "*.sh
",
                        0o644,
                    );
            },
        ),
        case("no git: .platform/confighooks as a link to hooks", |t| {
            t.project("").link(".platform/confighooks", "hooks");
        }),
        case(
            "deploy: artifact: that does not exist stops the EB CLI",
            |t| {
                t.project("").file(
                    ".elasticbeanstalk/config.yml",
                    "deploy:\n  artifact: build/missing.zip\n",
                    0o644,
                );
            },
        ),
        case(
            "git worktree (a .git file) without `sc`: the EB CLI zips the directory",
            |t| {
                let main = t.dir.join("../main");
                let m = Tree { dir: &main };
                m.dir("").init().project("").commit();
                m.git(&["worktree", "add", "-q", t.dir.to_str().unwrap()]);
                t.file(".ebextensions/02_uncommitted.config", CONFIG, 0o644)
                    .dir(".elasticbeanstalk");
            },
        ),
        case("deploy: artifact: a zip64 archive (zip -fz)", |t| {
            t.file("src/.platform/hooks/predeploy/01.sh", UNGUARDED, 0o755)
                .file("src/.ebextensions/01.config", CONFIG, 0o644)
                .run("src", "zip", &["-q", "-r", "-fz", "../app.zip", "."]);
            t.project("").file(
                ".elasticbeanstalk/config.yml",
                "deploy:\n  artifact: app.zip\n",
                0o644,
            );
        }),
        case("git: names with spaces and glob characters", |t| {
            t.init()
                .project("")
                .file(".platform/hooks/predeploy/02 [x]*.sh", UNGUARDED, 0o755)
                .file(".platform/hooks/predeploy/02 x.sh", HOOK, 0o644)
                .file("bin/a b?.sh", UNGUARDED, 0o755)
                .link(".platform/hooks/prebuild/01.sh", "../../../bin/a b?.sh")
                .commit();
        }),
        case(
            "deploy: artifact: a Windows zip with backslash separators stops the EB engine's unzip",
            |t| {
                // As PowerShell's Compress-Archive writes it: a Windows (FAT) entry.
                let script = "import zipfile\nwith zipfile.ZipFile('app.zip', 'w') as z:\n    i = zipfile.ZipInfo('.ebextensions\\\\01.config')\n    i.create_system = 0\n    z.writestr(i, 'option_settings: {}\\n')\n    z.writestr('.platform\\\\ok.sh', '#!/bin/sh\\n')\n";
                t.dir("").run("", "python3", &["-c", script]);
                t.project("").file(
                    ".elasticbeanstalk/config.yml",
                    "deploy:\n  artifact: app.zip\n",
                    0o644,
                );
            },
        ),
        case("not an EB project: refused", |t| {
            t.file(".ebextensions/01.config", CONFIG, 0o644);
        }),
    ]
}

/// What the EB CLI's zip gives an instance, one line per file, or `["error"]`.
fn ebcli(python: &str, dir: &Path, home: &Path, args: &[&str]) -> Vec<String> {
    let helper = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/ebcli/ebcli_zip.py");
    let out = Command::new(python)
        .arg(helper)
        .args(args)
        .current_dir(dir)
        .env("HOME", home)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "the EB CLI helper failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    sorted(&String::from_utf8_lossy(&out.stdout))
}

/// What `ebguard deploy --list-files` lists, or `["error"]` when it refuses (exit 2).
fn ebguard(dir: &Path, args: &[&str]) -> (Vec<String>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_ebguard"))
        .args(["deploy", "--list-files", "--"])
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    match out.status.code() {
        Some(0) => (sorted(&String::from_utf8_lossy(&out.stdout)), stderr),
        Some(2) => (vec!["error".to_string()], stderr),
        code => panic!("ebguard deploy --list-files exited {code:?}: {stderr}"),
    }
}

fn sorted(text: &str) -> Vec<String> {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    lines.sort();
    lines
}

fn tools() -> Option<String> {
    let Some(python) = std::env::var_os("EBGUARD_TEST_EBCLI_PYTHON") else {
        common::skip("EBGUARD_TEST_EBCLI_PYTHON is not set (a Python with awsebcli)");
        return None;
    };
    for tool in ["git", "zip", "unzip"] {
        if Command::new(tool).arg("-h").output().is_err() {
            common::skip(&format!("`{tool}` is not installed"));
            return None;
        }
    }
    Some(python.to_string_lossy().into_owned())
}

/// Builds case `case` twice (the EB CLI writes into `.elasticbeanstalk/app_versions/`) and
/// returns both listings.
fn compare(python: &str, case: &Case) -> (Vec<String>, Vec<String>, String) {
    let build = || {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("project");
        fs::create_dir_all(&dir).unwrap();
        (case.setup)(&Tree { dir: &dir });
        (tmp, dir)
    };
    let (tmp_a, dir_a) = build();
    let expected = ebcli(python, &dir_a.join(case.cwd), tmp_a.path(), case.args);
    let (_tmp_b, dir_b) = build();
    let (actual, stderr) = ebguard(&dir_b.join(case.cwd), case.args);
    (expected, actual, stderr)
}

#[test]
fn every_case_lists_what_the_eb_cli_ships() {
    let Some(python) = tools() else { return };
    let cases = cases();
    let results: Vec<(String, Vec<String>, Vec<String>, String)> = std::thread::scope(|s| {
        let handles: Vec<_> = cases
            .chunks(cases.len().div_ceil(4))
            .map(|chunk| {
                let python = &python;
                s.spawn(move || {
                    chunk
                        .iter()
                        .map(|case| {
                            let (e, a, err) = compare(python, case);
                            (case.name.to_string(), e, a, err)
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    let mut failures = Vec::new();
    for (name, expected, actual, stderr) in &results {
        if expected != actual {
            failures.push(format!(
                "{name}\n  EB CLI:  {expected:?}\n  ebguard: {actual:?}\n  {stderr}"
            ));
        }
    }
    eprintln!(
        "{} of {} cases list what the EB CLI ships",
        results.len() - failures.len(),
        results.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // The EB CLI fails exactly where the case says it does.
    for (name, expected, _, _) in &results {
        let fails = name.contains("stops the EB") || name.contains("refused");
        assert_eq!(expected == &["error"], fails, "{name}: {expected:?}");
    }
    // Every case lists something or fails, so none passes by listing nothing on both sides
    // by accident, except the ones meant to.
    let empty: Vec<&str> = results
        .iter()
        .filter(|r| r.1.is_empty())
        .map(|r| r.0.as_str())
        .collect();
    assert!(
        empty.iter().all(|n| n.contains("without env.yaml")),
        "{empty:?}"
    );
}

/// The cases that were wrong before: the findings follow from what the instance gets.
#[test]
fn symbolic_links_are_linted_as_the_instance_resolves_them() {
    let tmp = tempfile::tempdir().unwrap();
    let dir: PathBuf = tmp.path().join("p");
    fs::create_dir_all(&dir).unwrap();
    let t = Tree { dir: &dir };
    t.init()
        .project("")
        .file("scripts/migrate.sh", UNGUARDED, 0o755)
        .link(
            ".platform/hooks/predeploy/02_migrate.sh",
            "../../../scripts/migrate.sh",
        )
        .link(
            ".platform/hooks/postdeploy/01_notify.sh",
            "/opt/company/notify.sh",
        )
        .link(
            ".platform/hooks/postdeploy/02_gone.sh",
            "../../../tools/gone.sh",
        )
        .link(".platform/confighooks", "hooks")
        .commit();
    let listed = common::ebguard(&dir, &["deploy", "--list-files"]);
    insta::assert_snapshot!("list_files", listed.stdout);
    let report = common::ebguard(
        &dir,
        &["deploy", "--fail-on", "never", "--", "--version", "v1"],
    );
    assert!(
        report
            .stderr
            .contains("uploads nothing from this directory"),
        "{}",
        report.stderr
    );
    // The report and the notes go to stderr; `eb` (absent here) would get stdout.
    let report = common::ebguard(&dir, &["deploy", "--select", "EB100", "--fail-on", "never"]);
    assert_eq!(report.stdout, "");
    let stderr: String = report
        .stderr
        .lines()
        .filter(|l| !l.contains("cannot run `eb`"))
        .map(|l| format!("{l}\n"))
        .collect();
    insta::assert_snapshot!("deploy_stderr", stderr);
    assert_eq!(listed.code, 0, "{}", listed.stderr);
    assert!(
        listed.stdout.contains(
            "0755 .platform/hooks/predeploy/02_migrate.sh -> ../../../scripts/migrate.sh"
        ),
        "{}",
        listed.stdout
    );
    // The findings fail the lint, so `eb` is never reached.
    let checked = Command::new(env!("CARGO_BIN_EXE_ebguard"))
        .args(["deploy", "--format", "json", "--output-file", "r.json"])
        .current_dir(&dir)
        .output()
        .unwrap();
    assert_eq!(
        checked.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&checked.stderr)
    );
    assert!(checked.stdout.is_empty(), "stdout belongs to eb");
    let report: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(dir.join("r.json")).unwrap()).unwrap();
    let found: Vec<(String, String)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().into(),
                f["path"].as_str().unwrap().into(),
            )
        })
        .collect();
    let expect = |rule: &str, path: &str| (rule.to_string(), path.to_string());
    assert_eq!(
        found,
        [
            // Only the link whose target is not uploaded is broken; the one out of the
            // bundle is not judged.
            expect("EB100", ".platform/confighooks/postdeploy/02_gone.sh"),
            expect("EB006", ".platform/confighooks/predeploy/02_migrate.sh"),
            expect("EB100", ".platform/hooks/postdeploy/02_gone.sh"),
            expect("EB006", ".platform/hooks/predeploy/02_migrate.sh"),
        ]
    );
}
