//! Peeling wrappers off an argv until the program that does the work is first:
//! `sudo -u webapp -E`, `su - webapp -c '…'`, `env X=1`, `timeout 600`,
//! `bundle exec`, `npx`, `poetry run`, `python -m`, `php`, `docker exec app`, …
//! (eb-facts.md §8, "Normalise before matching").

/// What one wrapper at the front of an argv amounts to.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Step {
    /// Not a wrapper: the first word is the program to match.
    Program,
    /// A wrapper; the wrapped command starts at this index (always ≥ 1, so the
    /// unwrapping loop always makes progress).
    Skip(usize),
    /// `npm run` / `yarn` / `pnpm`: the word at this index names a package.json
    /// script, whose body is unknown.
    Script(usize),
    /// `ebguard migrate [opts] -- …`: the guarded command starts at this index.
    Ebguard(usize),
    /// `bash FILE`, `source FILE`, `. FILE`: a shell reads the script file at this index.
    ReadScript(usize),
    /// `python FILE`, `node FILE`: an interpreter reads the file at this index, which need
    /// not be executable.
    Interpreted(usize),
    /// `composer X`, `composer run-script X`: the word at this index names a
    /// `composer.json` script.
    Composer(usize),
    /// `docker run --entrypoint TOOL IMAGE ARGS…`: the command is this argv instead.
    Replace(Vec<String>),
    /// The wrapper runs this text as a shell script (`bash -c`, `su -c`, `eval`, …).
    Shell(String),
    /// A shell that reads its script from standard input (`bash`, `su - webapp`).
    Stdin,
    /// The wrapper runs nothing we can see (`npm install`, `sudo -l`, `python -c`).
    Nothing,
}

/// The last path component, without the tag of a Docker image reference
/// (`flyway/flyway:10` → `flyway`). Only words with a `/` lose a `:` suffix, so
/// that script names like `migrate:status` stay whole.
pub(crate) fn base_name(word: &str) -> &str {
    match word.rsplit_once('/') {
        Some((_, base)) => base.split(':').next().unwrap_or(base),
        None => word,
    }
}

/// Classifies the first word of `argv` (which must not be empty).
pub(crate) fn step(argv: &[String]) -> Step {
    let first = argv[0].as_str();
    if is_assignment(first) {
        return Step::Skip(1);
    }
    if is_ebguard(first) {
        return ebguard(argv);
    }
    let name = base_name(first);
    match name {
        "sudo" | "doas" => operand(argv, skip_options(argv, 1, &SUDO)),
        "su" => su(argv),
        "runuser" => {
            if argv.iter().any(|a| a == "-u" || a.starts_with("--user")) {
                operand(argv, skip_options(argv, 1, &SUDO))
            } else {
                su(argv)
            }
        }
        "env" => match option_value(argv, &ENV, 'S', "--split-string", 0) {
            Some(script) => Step::Shell(script.to_owned()),
            None => operand(argv, skip_options(argv, 1, &ENV)),
        },
        "exec" => after_options(argv, "a", &[]),
        "nice" => after_options(argv, "n", &["--adjustment"]),
        "ionice" => after_options(argv, "cnpt", &["--class", "--classdata"]),
        "stdbuf" => after_options(argv, "ioe", &[]),
        "time" => after_options(argv, "of", &["--output", "--format"]),
        "command" if argv.get(1).is_some_and(|a| a == "-v" || a == "-V") => Step::Nothing,
        // `leader_only` is the AL1 helper that ran its arguments on the leader only;
        // eb-facts.md §4.4 finds no trace of it on AL2/AL2023, so it is no guard.
        "nohup" | "setsid" | "chronic" | "command" | "builtin" | "sail" | "leader_only" => {
            after_options(argv, "", &[])
        }
        "timeout" => operand(argv, skip_options(argv, 1, &TIMEOUT) + 1),
        "flock" => match option_value(argv, &FLOCK, 'c', "--command", 1) {
            Some(script) => Step::Shell(script.to_owned()),
            // `flock [opts] FILE CMD…`; `flock [opts] FD` runs nothing.
            None => operand(argv, skip_options(argv, 1, &FLOCK) + 1),
        },
        "bash" | "sh" | "zsh" | "dash" | "ksh" | "ash" => shell(argv),
        "eval" => Step::Shell(argv[1..].join(" ")),
        "source" | "." => match argv.get(1) {
            Some(_) => Step::ReadScript(1),
            None => Step::Nothing,
        },
        "docker" | "podman" | "docker-compose" | "kubectl" => container(argv),
        "bundle" | "bundler" => subcommand(argv, &["exec"], &FLAGS),
        "npx" | "bunx" | "pnpx" => match option_value(argv, &NPX, 'c', "--call", 0) {
            Some(script) => Step::Shell(script.to_owned()),
            None => operand(argv, skip_options(argv, 1, &NPX)),
        },
        "npm" => npm(argv),
        "composer" | "composer.phar" => composer(argv),
        "yarn" | "pnpm" | "bun" => yarn_like(argv),
        "poetry" | "pipenv" | "pdm" | "hatch" | "rye" => subcommand(argv, &["run"], &FLAGS),
        "uv" => subcommand(argv, &["run"], &UV),
        "ts-node" | "tsx" => interpreter(argv, &NODE, &['e', 'p']),
        _ if is_versioned(name, &["php"]) => interpreter(argv, &PHP, &['r']),
        _ if is_versioned(name, &["node", "nodejs"]) => interpreter(argv, &NODE, &['e', 'p']),
        _ if is_versioned(name, &["ruby", "jruby"]) => interpreter(argv, &RUBY, &['e']),
        _ if is_versioned(name, &["python", "pypy"]) => interpreter(argv, &PYTHON, &['c']),
        _ => Step::Program,
    }
}

/// Options of one wrapper: short letters and long names that take a value.
struct Options {
    short: &'static str,
    long: &'static [&'static str],
}

/// Options without values only.
const FLAGS: Options = Options {
    short: "",
    long: &[],
};
const SUDO: Options = Options {
    short: "ugCDhprtUTR",
    long: &[
        "--user",
        "--group",
        "--close-from",
        "--chdir",
        "--host",
        "--prompt",
        "--role",
        "--type",
        "--other-user",
        "--command-timeout",
        "--chroot",
    ],
};
const SU: Options = Options {
    short: "csgGw",
    long: &[
        "--command",
        "--shell",
        "--group",
        "--supp-group",
        "--whitelist-environment",
        "--user",
    ],
};
const ENV: Options = Options {
    short: "uCS",
    long: &["--unset", "--chdir", "--split-string"],
};
const TIMEOUT: Options = Options {
    short: "sk",
    long: &["--signal", "--kill-after"],
};
const FLOCK: Options = Options {
    short: "wEc",
    long: &["--timeout", "--wait", "--conflict-exit-code", "--command"],
};
const SHELL: Options = Options {
    short: "oO",
    long: &["--rcfile", "--init-file"],
};
const NPX: Options = Options {
    short: "pcw",
    long: &["--package", "--call", "--workspace"],
};
/// Global options of package managers and runners (`npm --prefix x`, `pnpm -F x`,
/// `poetry -C x`).
const RUNNER: Options = Options {
    short: "wCF",
    long: &[
        "--prefix",
        "--workspace",
        "--cwd",
        "--filter",
        "--dir",
        "--directory",
        "--project",
        "--script-shell",
    ],
};
const UV: Options = Options {
    short: "p",
    long: &[
        "--with",
        "--python",
        "--directory",
        "--project",
        "--package",
        "--extra",
        "--group",
        "--env-file",
        "--index",
        "--with-requirements",
    ],
};
/// `docker` global options that take a value (`docker --help`).
const DOCKER_GLOBAL: Options = Options {
    short: "cHl",
    long: &[
        "--context",
        "--host",
        "--log-level",
        "--config",
        "--tlscacert",
        "--tlscert",
        "--tlskey",
    ],
};
/// `docker run` options that take a value (`docker run --help`); the others (`-d`, `-i`,
/// `-t`, `-P`, `--rm`, `--init`, `--privileged`, ...) are flags.
const DOCKER_RUN: Options = Options {
    short: "acehlmpuvw",
    long: &[
        "--attach",
        "--add-host",
        "--annotation",
        "--blkio-weight",
        "--blkio-weight-device",
        "--cap-add",
        "--cap-drop",
        "--cgroup-parent",
        "--cgroupns",
        "--cidfile",
        "--cpu-period",
        "--cpu-quota",
        "--cpu-rt-period",
        "--cpu-rt-runtime",
        "--cpu-shares",
        "--cpus",
        "--cpuset-cpus",
        "--cpuset-mems",
        "--device",
        "--device-cgroup-rule",
        "--device-read-bps",
        "--device-read-iops",
        "--device-write-bps",
        "--device-write-iops",
        "--dns",
        "--dns-option",
        "--dns-search",
        "--domainname",
        "--entrypoint",
        "--env",
        "--env-file",
        "--expose",
        "--gpus",
        "--group-add",
        "--health-cmd",
        "--health-interval",
        "--health-retries",
        "--health-start-interval",
        "--health-start-period",
        "--health-timeout",
        "--hostname",
        "--ip",
        "--ip6",
        "--ipc",
        "--isolation",
        "--kernel-memory",
        "--label",
        "--label-file",
        "--link",
        "--link-local-ip",
        "--log-driver",
        "--log-opt",
        "--mac-address",
        "--memory",
        "--memory-reservation",
        "--memory-swap",
        "--memory-swappiness",
        "--mount",
        "--name",
        "--network",
        "--net",
        "--network-alias",
        "--net-alias",
        "--oom-score-adj",
        "--pid",
        "--pids-limit",
        "--platform",
        "--publish",
        "--pull",
        "--restart",
        "--runtime",
        "--security-opt",
        "--shm-size",
        "--stop-signal",
        "--stop-timeout",
        "--storage-opt",
        "--sysctl",
        "--tmpfs",
        "--ulimit",
        "--user",
        "--userns",
        "--uts",
        "--volume",
        "--volume-driver",
        "--volumes-from",
        "--workdir",
        "--detach-keys",
    ],
};
/// `docker exec` options that take a value (`docker exec --help`).
const DOCKER_EXEC: Options = Options {
    short: "euw",
    long: &[
        "--env",
        "--env-file",
        "--user",
        "--workdir",
        "--detach-keys",
    ],
};
/// `docker compose` / `docker-compose` global options that take a value.
const COMPOSE_GLOBAL: Options = Options {
    short: "fp",
    long: &[
        "--file",
        "--project-name",
        "--profile",
        "--project-directory",
        "--env-file",
        "--ansi",
        "--progress",
        "--parallel",
        "--context",
        "--host",
        "--log-level",
    ],
};
/// `docker compose run` options that take a value (`docker compose run --help`).
const COMPOSE_RUN: Options = Options {
    short: "elpuvw",
    long: &[
        "--env",
        "--env-from-file",
        "--label",
        "--name",
        "--publish",
        "--user",
        "--volume",
        "--workdir",
        "--entrypoint",
        "--cap-add",
        "--cap-drop",
        "--pull",
    ],
};
/// `docker compose exec` options that take a value (`docker compose exec --help`).
const COMPOSE_EXEC: Options = Options {
    short: "euw",
    long: &["--env", "--user", "--workdir", "--index"],
};
/// Composer's global options that take a value.
const COMPOSER: Options = Options {
    short: "d",
    long: &["--working-dir", "--timeout"],
};
const PHP: Options = Options {
    short: "dcfzr",
    long: &[],
};
const NODE: Options = Options {
    short: "rPOep",
    long: &[
        "--require",
        "--loader",
        "--import",
        "--project",
        "--compiler-options",
        "--experimental-loader",
    ],
};
const RUBY: Options = Options {
    short: "IrECe",
    long: &[],
};
const PYTHON: Options = Options {
    short: "WXmc",
    long: &["--check-hash-based-pycs"],
};

/// Index of the first operand at or after `from`: skips options (see [`skip_one`]);
/// `--` ends the options.
fn skip_options(argv: &[String], from: usize, opts: &Options) -> usize {
    let mut i = from;
    while let Some(arg) = argv.get(i) {
        if arg == "--" {
            return i + 1;
        }
        if !arg.starts_with('-') {
            return i;
        }
        i = skip_one(argv, i, opts);
    }
    i
}

/// Index after the option at `i`: `-x`, `-xVALUE`, `-x VALUE`, `--long`,
/// `--long=v`, `--long v`, or a lone `-` (`su - webapp`).
fn skip_one(argv: &[String], i: usize, opts: &Options) -> usize {
    let arg = argv[i].as_str();
    if arg.starts_with("--") {
        return i + if opts.long.contains(&arg) { 2 } else { 1 };
    }
    let cluster = arg.strip_prefix('-').unwrap_or(arg);
    // In `-u webapp` the value is the next word; in `-uwebapp` or `-n10` it is the
    // rest of the cluster.
    match cluster.find(|c| opts.short.contains(c)) {
        Some(at) if at + 1 == cluster.len() => i + 2,
        _ => i + 1,
    }
}

/// The value of option `short`/`long` if it appears among the wrapper's options,
/// e.g. the script of `su -c '…'`, `bash -lc '…'`, `flock /tmp/l -c '…'`. Up to
/// `operands` operands may precede it (`su webapp -c …`, `flock FILE -c …`); the
/// scan stops after them so that the wrapped command's own options
/// (`flock /tmp/l php -c php.ini …`) are not mistaken for the wrapper's.
fn option_value<'a>(
    argv: &'a [String],
    opts: &Options,
    short: char,
    long: &str,
    operands: usize,
) -> Option<&'a str> {
    let mut i = 1;
    let mut seen = 0;
    while let Some(arg) = argv.get(i) {
        if arg == "--" {
            return None;
        }
        if let Some(value) = arg.strip_prefix(long).and_then(|v| v.strip_prefix('=')) {
            return Some(value);
        }
        if arg == long {
            return argv.get(i + 1).map(String::as_str);
        }
        match arg
            .strip_prefix('-')
            .filter(|c| !c.is_empty() && !c.starts_with('-'))
        {
            Some(cluster) => {
                if let Some(at) = cluster.find(|c| opts.short.contains(c)) {
                    if cluster[at..].starts_with(short) {
                        let value = &cluster[at + 1..];
                        return if value.is_empty() {
                            argv.get(i + 1).map(String::as_str)
                        } else {
                            Some(value)
                        };
                    }
                }
                i = skip_one(argv, i, opts);
            }
            None if arg.starts_with('-') => i = skip_one(argv, i, opts),
            None => {
                seen += 1;
                if seen > operands {
                    return None;
                }
                i += 1;
            }
        }
    }
    None
}

/// The command after a wrapper's options, given the short and long options that
/// take a value.
fn after_options(argv: &[String], short: &'static str, long: &'static [&'static str]) -> Step {
    operand(argv, skip_options(argv, 1, &Options { short, long }))
}

fn operand(argv: &[String], at: usize) -> Step {
    if at > 0 && at < argv.len() {
        Step::Skip(at)
    } else {
        Step::Nothing
    }
}

fn is_assignment(word: &str) -> bool {
    match word.split_once('=') {
        Some((name, _)) => {
            let mut chars = name.chars();
            chars
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        }
        None => false,
    }
}

/// `ebguard`, `./bin/ebguard`, `$(dirname "$0")/ebguard-x86_64`, `$EBGUARD`, `${EBGUARD_BIN}`.
pub(crate) fn is_ebguard(word: &str) -> bool {
    if base_name(word).starts_with("ebguard") {
        return true;
    }
    variable_name(word).is_some_and(|v| v.to_ascii_lowercase().starts_with("ebguard"))
}

/// `NAME` for a word that is exactly `$NAME` or `${NAME…}`.
pub(crate) fn variable_name(word: &str) -> Option<&str> {
    let rest = word.strip_prefix('$')?;
    let rest = rest.strip_prefix('{').unwrap_or(rest);
    let end = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(rest.len());
    let tail = &rest[end..];
    (end > 0 && (tail.is_empty() || tail.ends_with('}'))).then(|| &rest[..end])
}

/// One of `names`, optionally with a version: `python3.12`, `pypy3`, `php8.2`,
/// `php-8.3`, `ruby3.2`.
fn is_versioned(name: &str, names: &[&str]) -> bool {
    names.iter().any(|n| {
        name.strip_prefix(n).is_some_and(|v| {
            v.chars()
                .all(|c| c.is_ascii_digit() || c == '.' || c == '-')
        })
    })
}

/// `ebguard [opts] migrate [opts] -- CMD…` (the lock runner of this crate). Without
/// `--`, the first word after the options starts the command.
fn ebguard(argv: &[String]) -> Step {
    let sub = 1 + argv[1..].iter().take_while(|a| a.starts_with('-')).count();
    if argv.get(sub).map(String::as_str) != Some("migrate") {
        return Step::Nothing;
    }
    let at = match argv.iter().position(|a| a == "--") {
        Some(dashes) => dashes + 1,
        None => {
            sub + 1
                + argv[sub + 1..]
                    .iter()
                    .take_while(|a| a.starts_with('-'))
                    .count()
        }
    };
    if at < argv.len() {
        Step::Ebguard(at)
    } else {
        Step::Nothing
    }
}

/// `su [opts] [-] [user] -c SCRIPT`; without `-c` it starts a login shell that
/// reads standard input.
fn su(argv: &[String]) -> Step {
    match option_value(argv, &SU, 'c', "--command", 1) {
        Some(script) => Step::Shell(script.to_owned()),
        None => Step::Stdin,
    }
}

/// `bash [opts] -c SCRIPT`, `bash -lc SCRIPT`, `bash script.sh args` (the script
/// file becomes the program, so user patterns can name it), or plain `bash`
/// reading standard input.
fn shell(argv: &[String]) -> Step {
    let mut i = 1;
    let mut has_c = false;
    while let Some(arg) = argv.get(i) {
        if arg == "--" {
            i += 1;
            break;
        }
        if arg.starts_with("--") {
            i += if SHELL.long.contains(&arg.as_str()) {
                2
            } else {
                1
            };
        } else if let Some(cluster) = arg.strip_prefix(['-', '+']).filter(|c| !c.is_empty()) {
            has_c |= cluster.contains('c');
            i += if cluster.contains(['o', 'O']) { 2 } else { 1 };
        } else {
            break;
        }
    }
    match (has_c, argv.get(i)) {
        (true, Some(script)) => Step::Shell(script.clone()),
        (true, None) => Step::Nothing,
        (false, Some(_)) if !argv[1..i].iter().any(|a| a == "-s") => Step::ReadScript(i),
        (false, _) => Step::Stdin,
    }
}

/// `bundle exec CMD`, `poetry run CMD`, `uv run [opts] CMD`: the subcommand may
/// follow global options; any other subcommand runs nothing of interest.
fn subcommand(argv: &[String], runs: &[&str], opts: &Options) -> Step {
    let at = skip_options(argv, 1, &RUNNER);
    match argv.get(at) {
        Some(sub) if runs.contains(&sub.as_str()) => {
            operand(argv, skip_options(argv, at + 1, opts))
        }
        _ => Step::Nothing,
    }
}

/// `python [opts] -m MODULE args` (the module becomes the program) or
/// `python [opts] script args`; `python -c CODE` (and `php -r`, `node -e`) run
/// code that is not a shell command.
fn interpreter(argv: &[String], opts: &Options, code: &[char]) -> Step {
    let mut i = 1;
    while let Some(arg) = argv.get(i) {
        if arg == "--" {
            return operand(argv, i + 1);
        }
        let Some(cluster) = arg.strip_prefix('-').filter(|c| !c.is_empty()) else {
            break;
        };
        if !cluster.starts_with('-') {
            if cluster.contains(code) {
                return Step::Nothing;
            }
            if cluster.ends_with('m')
                && cluster.find(|c| opts.short.contains(c)) == Some(cluster.len() - 1)
            {
                return operand(argv, i + 1);
            }
        }
        i = skip_one(argv, i, opts);
    }
    if i > 0 && i < argv.len() {
        Step::Interpreted(i)
    } else {
        Step::Nothing
    }
}

/// `docker exec [opts] CONTAINER CMD…`, `docker run [opts] IMAGE [CMD…]`,
/// `docker compose exec|run [opts] SERVICE CMD…` (and `docker-compose`, `podman`),
/// `kubectl exec POD -- CMD…`. Each subcommand's options that take a value are listed
/// (`docker run --help`, `docker compose run --help`), so `-e KEY=1 -v a:b` never
/// passes for the image. `--entrypoint TOOL` makes TOOL the command, with the words
/// after the image as its arguments. For `docker run` of a tool image
/// (`flyway/flyway`, `migrate/migrate`, `liquibase/liquibase`) the image's
/// entrypoint is the tool, so the image name stands in as the program.
fn container(argv: &[String]) -> Step {
    let program = base_name(&argv[0]);
    if program == "kubectl" {
        return match argv.iter().position(|a| a == "--") {
            Some(dashes) if argv.get(1).is_some_and(|a| a == "exec") => operand(argv, dashes + 1),
            _ => Step::Nothing,
        };
    }
    let compose_binary = program == "docker-compose" || program == "podman-compose";
    let mut at = skip_options(
        argv,
        1,
        if compose_binary {
            &COMPOSE_GLOBAL
        } else {
            &DOCKER_GLOBAL
        },
    );
    let compose = compose_binary || argv.get(at).is_some_and(|a| a == "compose");
    if compose && !compose_binary {
        at = skip_options(argv, at + 1, &COMPOSE_GLOBAL);
    }
    let Some(sub) = argv.get(at).map(String::as_str) else {
        return Step::Nothing;
    };
    let opts = match (compose, sub) {
        (false, "run") => &DOCKER_RUN,
        (false, "exec") => &DOCKER_EXEC,
        (true, "run") => &COMPOSE_RUN,
        (true, "exec") => &COMPOSE_EXEC,
        _ => return Step::Nothing,
    };
    let target = skip_options(argv, at + 1, opts);
    if target >= argv.len() {
        return Step::Nothing;
    }
    if sub == "run" {
        if let Some(entrypoint) = entrypoint(&argv[at + 1..target]) {
            let mut words: Vec<String> = entrypoint.split_whitespace().map(str::to_owned).collect();
            words.extend(argv[target + 1..].iter().cloned());
            return if words.is_empty() {
                Step::Nothing
            } else {
                Step::Replace(words)
            };
        }
    }
    let image_is_tool = sub == "run"
        && !compose
        && ["flyway", "liquibase", "migrate", "goose", "dbmate"]
            .contains(&base_name(&argv[target]));
    operand(argv, if image_is_tool { target } else { target + 1 })
}

/// The value of `--entrypoint` among a `run`'s options.
fn entrypoint(options: &[String]) -> Option<&str> {
    let mut words = options.iter();
    while let Some(word) = words.next() {
        if let Some(value) = word.strip_prefix("--entrypoint=") {
            return Some(value);
        }
        if word == "--entrypoint" {
            return words.next().map(String::as_str);
        }
    }
    None
}

/// `composer [opts] run-script|run X`, `composer X` (a script of `composer.json`),
/// `composer exec BIN …`; Composer's own commands run nothing of interest.
fn composer(argv: &[String]) -> Step {
    const BUILTINS: &[&str] = &[
        "install",
        "i",
        "update",
        "u",
        "upgrade",
        "require",
        "r",
        "remove",
        "rm",
        "dump-autoload",
        "dumpautoload",
        "config",
        "create-project",
        "show",
        "info",
        "outdated",
        "validate",
        "diagnose",
        "self-update",
        "selfupdate",
        "global",
        "search",
        "depends",
        "why",
        "why-not",
        "prohibits",
        "licenses",
        "status",
        "archive",
        "check-platform-reqs",
        "clear-cache",
        "clearcache",
        "fund",
        "init",
        "list",
        "help",
        "reinstall",
        "bump",
        "audit",
        "suggests",
        "browse",
        "home",
        "about",
    ];
    let at = skip_options(argv, 1, &COMPOSER);
    match argv.get(at).map(String::as_str) {
        Some("run-script" | "run") => {
            let name = skip_options(argv, at + 1, &COMPOSER);
            if name < argv.len() {
                Step::Composer(name)
            } else {
                Step::Nothing
            }
        }
        Some("exec") => operand(argv, skip_options(argv, at + 1, &COMPOSER)),
        Some(sub) if BUILTINS.contains(&sub) => Step::Nothing,
        Some(_) => Step::Composer(at),
        None => Step::Nothing,
    }
}

/// `npm run SCRIPT`, `npm run-script SCRIPT`, `npm exec -- CMD`; `npm install …`
/// and other subcommands run nothing of interest.
fn npm(argv: &[String]) -> Step {
    let at = skip_options(argv, 1, &RUNNER);
    match argv.get(at).map(String::as_str) {
        Some("run" | "run-script" | "rum" | "urn") => {
            script(argv, skip_options(argv, at + 1, &RUNNER))
        }
        Some("exec" | "x") => operand(argv, skip_options(argv, at + 1, &NPX)),
        _ => Step::Nothing,
    }
}

/// `yarn [run] SCRIPT`, `pnpm [run] SCRIPT`, `yarn workspace W SCRIPT`,
/// `pnpm exec|dlx CMD`, `yarn dlx CMD`, `bun run SCRIPT`, `bun x CMD`. Built-in
/// subcommands (`yarn add knex-migrate`) run nothing of interest.
fn yarn_like(argv: &[String]) -> Step {
    const BUILTINS: &[&str] = &[
        "add", "install", "i", "remove", "rm", "upgrade", "up", "update", "global", "why", "info",
        "init", "config", "cache", "link", "unlink", "pack", "publish", "audit", "outdated",
        "list", "ls", "bin", "create", "set", "plugin", "dedupe", "version", "login", "logout",
        "import", "licenses", "policies", "prune", "store", "setup", "patch",
    ];
    let at = skip_options(argv, 1, &RUNNER);
    match argv.get(at).map(String::as_str) {
        Some("run" | "run-script") => script(argv, skip_options(argv, at + 1, &RUNNER)),
        Some("workspace") => script(argv, at + 2),
        Some("exec" | "dlx" | "x" | "node") => operand(argv, skip_options(argv, at + 1, &NPX)),
        Some(sub) if BUILTINS.contains(&sub) => Step::Nothing,
        Some(_) => script(argv, at),
        None => Step::Nothing,
    }
}

fn script(argv: &[String], at: usize) -> Step {
    if at < argv.len() {
        Step::Script(at)
    } else {
        Step::Nothing
    }
}
