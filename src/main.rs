//! The command line: arguments in, exit code out.

mod cli;

use std::io::Write;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand, ValueEnum};

use cli::output::{init_color, ColorWhen, Sink};
use ebguard::baseline::Baseline;
use ebguard::bundle::shipped::State;
use ebguard::config::Selection;
use ebguard::finding::Severity;
use ebguard::report::plural;
use ebguard::rules;
use ebguard::{Options, Outcome};

#[derive(Parser)]
#[command(
    name = "ebguard",
    version,
    about = "Stops Elastic Beanstalk deployments from breaking databases"
)]
struct Cli {
    /// When to colour output: `auto` honours NO_COLOR, FORCE_COLOR, CLICOLOR_FORCE and CLICOLOR
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = ColorWhen::Auto, global = true)]
    color: ColorWhen,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Lint Elastic Beanstalk bundles (.ebextensions, .platform hooks)
    #[command(after_help = "Examples:
  ebguard check                                  lint the bundle(s) under the current directory
  ebguard check apps/ --format sarif --output-file ebguard.sarif
  ebguard check --select EB0,EB2 --ignore EB004 -q")]
    Check(CheckArgs),
    /// Lint exactly what `eb deploy` would upload, then run `eb deploy` with the arguments
    /// after `--`; on a failing lint, `eb` is not run
    #[command(after_help = "Examples:
  ebguard deploy -- production-env --label v42   lint the upload, then `eb deploy production-env --label v42`
  ebguard deploy --list-files                    show the files an instance receives, run nothing
  ebguard deploy --format json --output-file lint.json -- --modules api worker")]
    Deploy(DeployArgs),
    /// Show what each instance will run, in which order, in each kind of deployment
    #[command(after_help = "Examples:
  ebguard plan                                   the timeline of the bundle here
  ebguard plan apps/web --format mermaid         a sequence diagram for a pull request
  ebguard plan --format json --output-file plan.json")]
    Plan(PlanArgs),
    /// List every rule
    #[command(after_help = "Examples:
  ebguard rules
  ebguard rules --format json")]
    Rules {
        /// Output format
        #[arg(long, value_enum, default_value_t = DocFormat::Text)]
        format: DocFormat,
    },
    /// Print the documentation of a rule
    #[command(after_help = "Examples:
  ebguard explain EB001
  ebguard explain migration-not-leader-only
  ebguard explain EB200 --format json")]
    Explain {
        /// Rule ID (EB001) or name (migration-not-leader-only)
        rule: String,
        /// Output format
        #[arg(long, value_enum, default_value_t = DocFormat::Text)]
        format: DocFormat,
    },
    /// Run a migration command under a database lock (see docs/migrate.md)
    #[command(after_help = "Examples:
  ebguard migrate -- python manage.py migrate --noinput
  ebguard migrate --lock-timeout 600 -- bundle exec rails db:migrate
  ebguard migrate --database-url-env APP_DB_URL -- php artisan migrate --force")]
    Migrate(ebguard::migrate::MigrateArgs),
    /// Language server over stdio: diagnostics, hover and quick fixes in editors
    Server,
    /// Print a shell completion script
    #[command(after_help = "Examples:
  ebguard completions bash > ~/.local/share/bash-completion/completions/ebguard
  ebguard completions zsh > \"${fpath[1]}/_ebguard\"
  ebguard completions fish > ~/.config/fish/completions/ebguard.fish")]
    Completions {
        /// The shell
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff)
    #[command(after_help = "Examples:
  ebguard man > /usr/local/share/man/man1/ebguard.1
  ebguard man | man -l -")]
    Man,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum DocFormat {
    Text,
    Json,
}

#[derive(clap::Args)]
struct CheckArgs {
    /// Bundle directories, directories holding bundles, or files inside bundles; `-` reads
    /// standard input (with --stdin-filename)
    #[arg(default_value = ".")]
    paths: Vec<PathBuf>,
    /// Lint standard input as the file at PATH inside its bundle (the rest read from disk)
    #[arg(long, value_name = "PATH")]
    stdin_filename: Option<PathBuf>,
    #[command(flatten)]
    fixes: FixArgs,
    #[command(flatten)]
    options: LintArgs,
}

/// `check`'s repairs.
#[derive(clap::Args)]
struct FixArgs {
    /// Apply the safe fixes (they only undo the defect), then report what is left
    #[arg(long)]
    fix: bool,
    /// Apply unsafe fixes too: they change which commands run, where, or which configuration
    /// takes effect, so review the result (implies --fix unless --diff)
    #[arg(long)]
    unsafe_fixes: bool,
    /// Print a unified diff of what --fix would change and write nothing; exit 1 when there is
    /// a diff
    #[arg(long, conflicts_with = "fix")]
    diff: bool,
}

impl FixArgs {
    /// Whether any of --fix, --unsafe-fixes, --diff was given.
    fn any(&self) -> bool {
        self.fix || self.unsafe_fixes || self.diff
    }
}

#[derive(clap::Args)]
struct DeployArgs {
    /// Lint and deploy the staged files, as `eb deploy --staged` does (passed on to `eb`)
    #[arg(long)]
    staged: bool,
    /// Print the files an instance receives under .ebextensions/ and .platform/ (permission
    /// bits, symbolic link targets; JSON with --format json) and exit: nothing is linted or
    /// deployed
    #[arg(long)]
    list_files: bool,
    #[command(flatten)]
    options: LintArgs,
    /// `check`'s --fix, --unsafe-fixes and --diff, accepted only to be refused with a pointer
    /// to `check`: a deployment never edits what it uploads
    #[arg(long = "fix", hide = true)]
    refused_fix: bool,
    #[arg(long = "unsafe-fixes", hide = true)]
    refused_unsafe_fixes: bool,
    #[arg(long = "diff", hide = true)]
    refused_diff: bool,
    /// Arguments for `eb deploy`, passed on verbatim
    #[arg(last = true, value_name = "EB_DEPLOY_ARGS")]
    eb_args: Vec<String>,
}

/// What `check` and `deploy` share.
#[derive(clap::Args)]
struct LintArgs {
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Write the report to FILE instead of the terminal (never coloured)
    #[arg(long, value_name = "FILE")]
    output_file: Option<PathBuf>,
    /// Print only findings: no summary line and no progress notes
    #[arg(short, long)]
    quiet: bool,
    /// Rules to run instead of the configuration's `select`: IDs, ID prefixes (EB0) or names
    #[arg(long, value_name = "RULES", value_delimiter = ',')]
    select: Option<Vec<String>>,
    /// Rules to run in addition to the configuration's `select`
    #[arg(long, value_name = "RULES", value_delimiter = ',')]
    extend_select: Vec<String>,
    /// Rules to skip, in addition to the configuration's `ignore`
    #[arg(long, value_name = "RULES", value_delimiter = ',')]
    ignore: Vec<String>,
    /// Lowest severity that makes the exit code 1 [default: error; with --format sarif: never]
    #[arg(long, value_enum)]
    fail_on: Option<FailOn>,
    /// Minimum deployment Timeout (seconds) that EB002 expects when migrations run
    #[arg(long, value_name = "SECONDS")]
    min_timeout: Option<u32>,
    /// Configuration file to use instead of each bundle's ebguard.toml
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Ignore inline `# ebguard: ignore[...]` suppressions
    #[arg(long)]
    no_ignores: bool,
    /// Report only findings that are not in this baseline file
    #[arg(long, value_name = "FILE", conflicts_with = "write_baseline")]
    baseline: Option<PathBuf>,
    /// Write every current finding to this baseline file, and exit 0
    #[arg(long, value_name = "FILE")]
    write_baseline: Option<PathBuf>,
    /// Read and model every file but run no rule: the benchmark's baseline for what the rules
    /// cost (bench/run.sh). Hidden because its report is empty by design.
    #[arg(long, hide = true)]
    parse_only: bool,
}

#[derive(clap::Args)]
struct PlanArgs {
    /// A bundle directory, a directory holding bundles, or a file inside a bundle
    #[arg(default_value = ".")]
    path: PathBuf,
    /// Output format: a timeline, a versioned JSON document, or a Mermaid sequence diagram
    #[arg(long, value_enum, default_value_t = PlanFormat::Text)]
    format: PlanFormat,
    /// Configuration file to use instead of each bundle's ebguard.toml (for its
    /// migration-patterns)
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Write the plan to FILE instead of the terminal
    #[arg(long, value_name = "FILE")]
    output_file: Option<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
enum PlanFormat {
    Text,
    Json,
    Mermaid,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Text,
    Json,
    /// SARIF 2.1.0, for GitHub code scanning and editors
    Sarif,
    /// GitHub Actions workflow commands (annotations)
    Github,
}

#[derive(Clone, Copy, ValueEnum)]
enum FailOn {
    Error,
    Warning,
    Info,
    Never,
}

impl FailOn {
    fn threshold(self) -> Option<Severity> {
        match self {
            FailOn::Error => Some(Severity::Error),
            FailOn::Warning => Some(Severity::Warning),
            FailOn::Info => Some(Severity::Info),
            FailOn::Never => None,
        }
    }
}

/// Exit codes: 0 clean, 1 findings at or above `--fail-on`, 2 usage or unreadable input.
const EXIT_FINDINGS: u8 = 1;
const EXIT_USAGE: u8 = 2;

fn main() -> ExitCode {
    let cli = Cli::try_parse().unwrap_or_else(|err| {
        if std::env::args().nth(1).as_deref() == Some("migrate") && err.use_stderr() {
            // clap echoes the offending argument, which may be a URL with its password.
            eprint!("{}", ebguard::migrate::scrub_command_line(&err.to_string()));
        } else {
            let _ = err.print();
        }
        // `ebguard migrate` speaks sysexits (64 = EX_USAGE) because it runs inside EB hooks;
        // the linter's usage errors are 2. Help and version are not errors.
        let code = match (err.use_stderr(), std::env::args().nth(1).as_deref()) {
            (false, _) => 0,
            (true, Some("migrate")) => ebguard::migrate::Failure::Usage.code(),
            (true, _) => i32::from(EXIT_USAGE),
        };
        std::process::exit(code)
    });
    init_color(cli.color);
    match cli.command {
        Command::Migrate(args) => ExitCode::from(exit_byte(ebguard::migrate::run(args))),
        Command::Check(args) => check(args),
        Command::Deploy(args) => deploy(args),
        Command::Plan(args) => plan(args),
        Command::Server => match ebguard::server::run() {
            Ok(true) => ExitCode::SUCCESS,
            // LSP: `exit` without `shutdown` first exits 1.
            Ok(false) => ExitCode::from(1),
            Err(e) => {
                eprintln!("ebguard server: {e}");
                ExitCode::from(EXIT_USAGE)
            }
        },
        Command::Rules { format } => print(&rules_list(format)),
        Command::Explain { rule, format } => match rules::by_id(&rule) {
            Some(rule) if format == DocFormat::Json => print(&json_line(&rule_json(rule, true))),
            Some(rule) => print(rule.doc),
            None => {
                eprintln!("ebguard: no rule named `{rule}`; `ebguard rules` lists them");
                ExitCode::from(EXIT_USAGE)
            }
        },
        Command::Completions { shell } => {
            let mut out = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "ebguard", &mut out);
            print(&String::from_utf8_lossy(&out))
        }
        Command::Man => {
            let mut out = Vec::new();
            match clap_mangen::Man::new(Cli::command()).render(&mut out) {
                Ok(()) => print(&String::from_utf8_lossy(&out)),
                Err(e) => {
                    eprintln!("ebguard: cannot render the man page: {e}");
                    ExitCode::from(EXIT_USAGE)
                }
            }
        }
    }
}

/// A rule as JSON; with its documentation for `explain`.
fn rule_json(rule: &rules::Rule, doc: bool) -> serde_json::Value {
    let mut value = serde_json::json!({
        "id": rule.id,
        "name": rule.name,
        "severity": rule.severity.as_str(),
        "summary": rule.summary,
        "url": format!("{}{}", ebguard::report::RULE_DOCS_BASE, rule_doc_file(rule)),
    });
    if doc {
        value["doc"] = rule.doc.into();
        value["version"] = 1.into();
    }
    value
}

/// `rules/EB001-migration-not-leader-only.md`'s file name.
fn rule_doc_file(rule: &rules::Rule) -> String {
    format!("{}-{}.md", rule.id, rule.name)
}

fn json_line(value: &serde_json::Value) -> String {
    let mut out = serde_json::to_string_pretty(value).expect("JSON values serialise");
    out.push('\n');
    out
}

fn rules_list(format: DocFormat) -> String {
    if format == DocFormat::Json {
        let rules: Vec<_> = rules::ALL.iter().map(|r| rule_json(r, false)).collect();
        return json_line(&serde_json::json!({ "version": 1, "rules": rules }));
    }
    let mut out = String::new();
    for rule in rules::ALL {
        out.push_str(&format!(
            "{}  {:<36} {:<8} {}\n",
            rule.id,
            rule.name,
            rule.severity.as_str(),
            rule.summary
        ));
    }
    out
}

/// Exit statuses are one byte on Unix; `migrate` passes a child's status through unchanged.
fn exit_byte(code: i32) -> u8 {
    u8::try_from(code).unwrap_or(1)
}

fn print(text: &str) -> ExitCode {
    let _ = Sink::Stdout.write(text);
    ExitCode::SUCCESS
}

fn check(args: CheckArgs) -> ExitCode {
    let options = match args.options.to_options() {
        Ok(options) => options,
        Err(code) => return code,
    };
    let stdin = args.paths.iter().any(|p| p.as_os_str() == "-");
    let fixing = args.fixes.any();
    if fixing && (stdin || args.stdin_filename.is_some()) {
        eprintln!("ebguard: --fix, --unsafe-fixes and --diff change files on disk; they cannot be used with standard input");
        return ExitCode::from(EXIT_USAGE);
    }
    if fixing && args.options.write_baseline.is_some() {
        eprintln!("ebguard: --write-baseline records findings as they are; run it without --fix, --unsafe-fixes or --diff");
        return ExitCode::from(EXIT_USAGE);
    }
    if args.fixes.diff {
        return diff(&args, &options);
    }
    if fixing {
        let written = ebguard::fix::write(&args.paths, &options, args.fixes.unsafe_fixes);
        fix_summary(args.options.quiet, &written);
        for note in &written.skipped {
            eprintln!("ebguard: note: {note}");
        }
        let mut outcome = ebguard::check(&written.paths, &options);
        outcome.input_errors.extend(written.errors);
        let outcome = args.options.with_baseline(outcome);
        let sink = Sink::new(args.options.output_file.clone(), Sink::Stdout);
        return ExitCode::from(args.options.report(&outcome, &sink));
    }
    let outcome = match (&args.stdin_filename, stdin) {
        (Some(path), _)
            if args
                .paths
                .iter()
                .all(|p| p == Path::new("-") || p == Path::new(".")) =>
        {
            let mut text = String::new();
            if let Err(e) = std::io::Read::read_to_string(&mut std::io::stdin(), &mut text) {
                eprintln!("ebguard: cannot read standard input as UTF-8 text: {e}");
                return ExitCode::from(EXIT_USAGE);
            }
            ebguard::check_text(path, text, options)
        }
        (None, false) => ebguard::check(&args.paths, &options),
        _ => {
            eprintln!("ebguard: `-` reads standard input and needs --stdin-filename PATH (and no other path)");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    let outcome = args.options.with_baseline(outcome);
    let sink = Sink::new(args.options.output_file.clone(), Sink::Stdout);
    ExitCode::from(args.options.report(&outcome, &sink))
}

/// `check --diff`: the diff on stdout (or `--output-file`), a summary on stderr.
fn diff(args: &CheckArgs, options: &Options) -> ExitCode {
    let run = ebguard::fix::run(&args.paths, options, args.fixes.unsafe_fixes);
    let diff = ebguard::fix::diff(&run.workspace);
    let sink = Sink::new(args.options.output_file.clone(), Sink::Stdout);
    if let Err(e) = sink.write(&diff) {
        eprintln!("ebguard: {e}");
        return ExitCode::from(EXIT_USAGE);
    }
    let files = run.workspace.changes().count();
    if !args.options.quiet {
        let would = match run.applied.len() {
            0 => "nothing to fix".to_string(),
            n => format!(
                "would fix {} in {}",
                plural(n, "finding"),
                plural(files, "file")
            ),
        };
        eprintln!("ebguard: {would}{}", unsafe_note(run.unsafe_left));
    }
    for note in &run.skipped {
        eprintln!("ebguard: note: {note}");
    }
    for error in run.input_errors.iter().chain(&run.errors) {
        eprintln!("ebguard: error: {error}");
    }
    if !run.errors.is_empty() || !run.input_errors.is_empty() {
        ExitCode::from(EXIT_USAGE)
    } else if run.workspace.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_FINDINGS)
    }
}

/// The hint about findings only `--unsafe-fixes` repairs.
fn unsafe_note(left: usize) -> String {
    match left {
        0 => String::new(),
        1 => "; 1 more finding can be fixed with --unsafe-fixes (review what it changes)".into(),
        n => format!(
            "; {n} more findings can be fixed with --unsafe-fixes (review what they change)"
        ),
    }
}

/// What `--fix` did, on stderr.
fn fix_summary(quiet: bool, written: &ebguard::fix::Written) {
    if quiet {
        return;
    }
    let did = match written.applied.len() {
        0 => "nothing to fix".to_string(),
        n => format!(
            "fixed {} in {}",
            plural(n, "finding"),
            plural(written.files, "file")
        ),
    };
    eprintln!("ebguard: {did}{}", unsafe_note(written.unsafe_left));
}

fn deploy(mut args: DeployArgs) -> ExitCode {
    if args.refused_fix || args.refused_unsafe_fixes || args.refused_diff {
        eprintln!("ebguard: `deploy` lints what `eb deploy` uploads and never edits it; run `ebguard check --fix` (or --diff), commit, then deploy");
        return ExitCode::from(EXIT_USAGE);
    }
    if args.options.write_baseline.is_some() {
        eprintln!("ebguard: `deploy` does not write baselines; run `ebguard check --write-baseline FILE` first");
        return ExitCode::from(EXIT_USAGE);
    }
    let options = match args.options.to_options() {
        Ok(options) => options,
        Err(code) => return code,
    };
    // Unlike `check --format sarif`, a deployment gate always stops on errors unless told.
    args.options.fail_on.get_or_insert(FailOn::Error);
    let cwd = match std::env::current_dir() {
        Ok(cwd) => cwd,
        Err(e) => {
            eprintln!("ebguard: cannot read the current directory: {e}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    let mut eb = cli::eb_args::parse(&args.eb_args);
    eb.request.staged |= args.staged;
    // Outside an EB project every `eb` command stops; say so before anything runs. (With
    // `--modules`, each module finds its own project.)
    if eb.modules.is_none() {
        if let Err(e) = ebguard::deploy::project_root(&cwd) {
            eprintln!("ebguard: `eb deploy` was not run: {e}");
            return ExitCode::from(EXIT_USAGE);
        }
    }
    // `--version` deploys an application version already uploaded, `--source` one built
    // from CodeCommit (EB CLI `controllers/deploy.py`): nothing local is uploaded.
    if let Some(flag) = eb.remote {
        if args.list_files {
            return ExitCode::SUCCESS;
        }
        note(&args.options, &format!("`eb deploy {flag}` uploads nothing from this directory, so there is nothing to lint; running `eb deploy`"));
        return exec_eb(&args);
    }
    // Each module of `eb deploy --modules` is its own project and upload
    // (`DeployController.compose_deploy`); a module that is not a directory is skipped, and
    // one without env.yaml makes the EB CLI deploy nothing at all.
    let dirs: Vec<PathBuf> = match &eb.modules {
        None => vec![cwd.clone()],
        Some(modules) => {
            let dirs: Vec<PathBuf> = modules
                .iter()
                .map(|m| cwd.join(m))
                .filter(|d| d.is_dir())
                .collect();
            let missing: Vec<String> = dirs
                .iter()
                .filter(|d| !d.join("env.yaml").is_file())
                .map(|d| d.strip_prefix(&cwd).unwrap_or(d).display().to_string())
                .collect();
            if !missing.is_empty() {
                if args.list_files {
                    return ExitCode::SUCCESS;
                }
                note(&args.options, &format!("`eb deploy --modules` deploys nothing when a module has no env.yaml ({}); running `eb deploy`, which says so", missing.join(", ")));
                return exec_eb(&args);
            }
            // `create_app_version` there takes no --staged or --label.
            eb.request = Default::default();
            dirs
        }
    };
    let mut outcome = Outcome::default();
    let mut listing = String::new();
    let mut listing_json = Vec::new();
    for dir in &dirs {
        let linted = match ebguard::deploy::lint(dir, &cwd, &eb.request, options.clone()) {
            Ok(linted) => linted,
            Err(e) => {
                eprintln!("ebguard: cannot tell what `eb deploy` would upload, so `eb deploy` was not run: {e}");
                return ExitCode::from(EXIT_USAGE);
            }
        };
        // Paths inside the bundle, as the instance sees them; each module's under its name.
        for item in &linted.listed {
            let mut item = item.clone();
            if eb.modules.is_some() {
                let module = dir.strip_prefix(&cwd).unwrap_or(dir).display().to_string();
                item.path = format!("{module}/{}", item.path);
            }
            listing.push_str(&item.line());
            listing.push('\n');
            listing_json.push(item.json());
        }
        // EB200 reports such a hook; its advice (git's mode) cannot help here.
        let hook =
            |p: &str| p.starts_with(".platform/hooks/") || p.starts_with(".platform/confighooks/");
        for item in linted
            .listed
            .iter()
            .filter(|i| i.from_submodule && hook(&i.path))
        {
            if !args.list_files {
                note(&args.options, &format!(
                    "{} comes from a git submodule: with include_git_submodules the EB CLI writes submodule files with mode 0600, whatever git records; only platform versions released since 2022-04-29 make hooks executable themselves, so keep hooks outside submodules",
                    item.path
                ));
            }
        }
        for item in linted.listed.iter().filter(|i| i.state == State::Outside) {
            if !args.list_files {
                note(&args.options, &format!(
                    "not linted: {} is a symbolic link to {}, outside the bundle; the instance runs whatever that path holds there",
                    item.path,
                    item.link.as_deref().unwrap_or("a path outside the bundle")
                ));
            }
        }
        if !args.list_files {
            note(
                &args.options,
                &format!(
                    "linted what `eb deploy` uploads from {}: {}",
                    linted.shown_root,
                    linted.upload.describe()
                ),
            );
        }
        outcome.bundles.extend(linted.outcome.bundles);
        outcome.findings.extend(linted.outcome.findings);
        outcome.suppressed.extend(linted.outcome.suppressed);
        outcome.input_errors.extend(linted.outcome.input_errors);
    }
    if args.list_files {
        if args.options.format == Format::Json {
            listing = json_line(&serde_json::json!({ "version": 1, "files": listing_json }));
        }
        let sink = Sink::new(args.options.output_file.clone(), Sink::Stdout);
        return match sink.write(&listing) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("ebguard: {e}");
                ExitCode::from(EXIT_USAGE)
            }
        };
    }
    let outcome = args.options.with_baseline(outcome);
    // stdout belongs to `eb`, which replaces this process next.
    let sink = Sink::new(args.options.output_file.clone(), Sink::Stderr);
    let code = args.options.report(&outcome, &sink);
    if code != 0 {
        let why = if outcome.input_errors.is_empty() {
            "the findings above are at or above --fail-on; fix them, or suppress them with a reason"
        } else {
            "some files could not be read"
        };
        eprintln!("ebguard: `eb deploy` was not run: {why}");
        return ExitCode::from(code);
    }
    exec_eb(&args)
}

/// A progress note on stderr, unless `--quiet`.
fn note(options: &LintArgs, text: &str) {
    if !options.quiet {
        eprintln!("ebguard: {text}");
    }
}

/// Replaces this process with `eb deploy` and the arguments given after `--`: `eb` gets the
/// terminal and signals, and its exit code is ours. Returns only if `eb` cannot be run.
fn exec_eb(args: &DeployArgs) -> ExitCode {
    let mut eb = std::process::Command::new("eb");
    eb.arg("deploy");
    if args.staged {
        eb.arg("--staged");
    }
    eb.args(&args.eb_args);
    let _ = std::io::stdout().flush();
    let error = eb.exec();
    eprintln!("ebguard: cannot run `eb` (is the EB CLI installed and on PATH?): {error}");
    ExitCode::from(EXIT_USAGE)
}

impl LintArgs {
    /// The options for a run; a bad `--select`/`--ignore` value is a usage error (exit 2).
    fn to_options(&self) -> Result<Options, ExitCode> {
        let selection = Selection::parse(self.select.as_deref(), &self.extend_select, &self.ignore)
            .map_err(|e| {
                eprintln!("ebguard: {e}");
                ExitCode::from(EXIT_USAGE)
            })?;
        Ok(Options {
            config: self.config.clone(),
            min_deploy_timeout: self.min_timeout,
            no_ignores: self.no_ignores,
            mode_origin: None,
            parse_only: self.parse_only,
            overlay: Default::default(),
            selection,
        })
    }

    /// Applies or writes the baseline.
    fn with_baseline(&self, mut outcome: Outcome) -> Outcome {
        if let Some(path) = &self.baseline {
            let read = std::fs::read_to_string(path)
                .map_err(|e| e.to_string())
                .and_then(|text| Baseline::parse(&text));
            match read {
                Ok(baseline) => {
                    let known = baseline.apply(&mut outcome);
                    if known > 0 && !self.quiet {
                        eprintln!(
                            "ebguard: {known} known finding(s) from {} not shown",
                            path.display()
                        );
                    }
                }
                Err(e) => outcome
                    .input_errors
                    .push(format!("{}: cannot use as a baseline: {e}", path.display())),
            }
        }
        if let Some(path) = &self.write_baseline {
            let baseline = Baseline::of(&outcome);
            match std::fs::write(path, baseline.render()) {
                Ok(()) => eprintln!(
                    "ebguard: wrote {} finding(s) to {}; pass it with --baseline to report only new ones",
                    baseline.len(),
                    path.display()
                ),
                Err(e) => outcome
                    .input_errors
                    .push(format!("{}: cannot write the baseline: {e}", path.display())),
            }
        }
        outcome
    }

    /// Writes the report to `sink` and decides the exit code.
    fn report(&self, outcome: &Outcome, sink: &Sink) -> u8 {
        let rendered = match self.format {
            Format::Text => ebguard::report::text_with(outcome, !self.quiet),
            Format::Json => ebguard::report::json(outcome),
            Format::Sarif => ebguard::report::sarif(outcome),
            Format::Github => ebguard::report::github(outcome),
        };
        if let Err(e) = sink.write(&rendered) {
            eprintln!("ebguard: {e}");
            return EXIT_USAGE;
        }
        if self.format != Format::Text {
            // The report may go to a file or an upload step; CI logs still say why it failed.
            for error in &outcome.input_errors {
                eprintln!("ebguard: error: {error}");
            }
        }
        if !outcome.input_errors.is_empty() || outcome.has_internal_errors() {
            EXIT_USAGE
        } else if self.failed(outcome) {
            EXIT_FINDINGS
        } else {
            0
        }
    }

    /// SARIF is uploaded by a later step, which must run: it fails only when asked to
    /// (zizmor does the same; peers.md §5a).
    fn failed(&self, outcome: &Outcome) -> bool {
        if self.write_baseline.is_some() {
            // Every finding was just accepted into the baseline.
            return false;
        }
        let fail_on = self.fail_on.unwrap_or(if self.format == Format::Sarif {
            FailOn::Never
        } else {
            FailOn::Error
        });
        match (fail_on.threshold(), outcome.worst()) {
            (Some(threshold), Some(worst)) => worst >= threshold,
            _ => false,
        }
    }
}

fn plan(args: PlanArgs) -> ExitCode {
    let options = Options {
        config: args.config.clone(),
        ..Options::default()
    };
    let (plans, mut errors) = ebguard::plan(std::slice::from_ref(&args.path), &options);
    if plans.is_empty() && errors.is_empty() {
        errors.push(format!(
            "{}: no bundle here (no directory holds .ebextensions/ or .platform/)",
            args.path.display()
        ));
    }
    let rendered = match args.format {
        PlanFormat::Text => ebguard::plan::text(&plans),
        PlanFormat::Json => ebguard::plan::json(&plans, &errors),
        PlanFormat::Mermaid => ebguard::plan::mermaid(&plans),
    };
    if let Err(e) = Sink::new(args.output_file.clone(), Sink::Stdout).write(&rendered) {
        eprintln!("ebguard: {e}");
        return ExitCode::from(EXIT_USAGE);
    }
    if errors.is_empty() {
        return ExitCode::SUCCESS;
    }
    if !matches!(args.format, PlanFormat::Json) {
        for error in &errors {
            eprintln!("ebguard: {error}");
        }
    }
    ExitCode::from(EXIT_USAGE)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every example in a subcommand's `--help` parses with this very command line (shell
    /// redirections and the explanation after the command left aside).
    #[test]
    fn help_examples_parse() {
        let cli = Cli::command();
        let mut seen = 0;
        for sub in cli.get_subcommands() {
            let help = sub
                .get_after_help()
                .map(|h| h.to_string())
                .unwrap_or_default();
            for line in help
                .lines()
                .filter_map(|l| l.trim().strip_prefix("ebguard "))
            {
                // The explanation follows two or more spaces; redirections and pipes end it.
                let command = line.split("  ").next().unwrap_or(line);
                let command = command.split(['>', '|']).next().unwrap_or(command);
                let mut words = vec!["ebguard"];
                words.extend(command.split_whitespace());
                if let Err(e) = Cli::try_parse_from(&words) {
                    panic!("`{}` does not parse: {e}", words.join(" "));
                }
                seen += 1;
            }
        }
        assert!(seen >= 16, "{seen} examples");
    }
}
