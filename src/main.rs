//! The command line: arguments in, exit code out.

use std::io::Write;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use ebguard::baseline::Baseline;
use ebguard::finding::Severity;
use ebguard::rules;
use ebguard::{Options, Outcome};

#[derive(Parser)]
#[command(
    name = "ebguard",
    version,
    about = "Stops Elastic Beanstalk deployments from breaking databases"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Lint Elastic Beanstalk bundles (.ebextensions, .platform hooks)
    Check(CheckArgs),
    /// Lint exactly what `eb deploy` would upload, then run `eb deploy` with the arguments
    /// after `--`; on a failing lint, `eb` is not run
    Deploy(DeployArgs),
    /// Show what each instance will run, in which order, in each kind of deployment
    Plan(PlanArgs),
    /// List every rule
    Rules,
    /// Print the documentation of a rule
    Explain {
        /// Rule ID (EB001) or name (migration-not-leader-only)
        rule: String,
    },
    /// Run a migration command under a database lock (see docs/migrate.md)
    Migrate(ebguard::migrate::MigrateArgs),
}

#[derive(clap::Args)]
struct CheckArgs {
    /// Bundle directories, directories holding bundles, or files inside bundles
    #[arg(default_value = ".")]
    paths: Vec<PathBuf>,
    #[command(flatten)]
    options: LintArgs,
}

#[derive(clap::Args)]
struct DeployArgs {
    /// Lint and deploy the staged files, as `eb deploy --staged` does (passed on to `eb`)
    #[arg(long)]
    staged: bool,
    #[command(flatten)]
    options: LintArgs,
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
    match cli.command {
        Command::Migrate(args) => ExitCode::from(exit_byte(ebguard::migrate::run(args))),
        Command::Check(args) => check(args),
        Command::Deploy(args) => deploy(args),
        Command::Plan(args) => plan(args),
        Command::Rules => {
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
            print(&out)
        }
        Command::Explain { rule } => match rules::by_id(&rule) {
            Some(rule) => print(rule.doc),
            None => {
                eprintln!("ebguard: no rule named `{rule}`; `ebguard rules` lists them");
                ExitCode::from(EXIT_USAGE)
            }
        },
    }
}

/// Exit statuses are one byte on Unix; `migrate` passes a child's status through unchanged.
fn exit_byte(code: i32) -> u8 {
    u8::try_from(code).unwrap_or(1)
}

fn print(text: &str) -> ExitCode {
    let mut stdout = anstream::stdout();
    // A closed pipe (`ebguard rules | head`) is not an error worth a panic.
    let _ = stdout.write_all(text.as_bytes());
    ExitCode::SUCCESS
}

fn check(args: CheckArgs) -> ExitCode {
    let outcome = ebguard::check(&args.paths, &args.options.to_options());
    let outcome = args.options.with_baseline(outcome);
    ExitCode::from(args.options.report(&outcome))
}

fn deploy(mut args: DeployArgs) -> ExitCode {
    if args.options.write_baseline.is_some() {
        eprintln!("ebguard: `deploy` does not write baselines; run `ebguard check --write-baseline FILE` first");
        return ExitCode::from(EXIT_USAGE);
    }
    // Unlike `check --format sarif`, a deployment gate always stops on errors unless told.
    args.options.fail_on.get_or_insert(FailOn::Error);
    // `--version` deploys an application version already uploaded, `--source` one built
    // from CodeCommit (EB CLI `controllers/deploy.py`): nothing local is uploaded.
    if let Some(flag) = args.eb_args.iter().find_map(|a| {
        ["--version", "--source"]
            .into_iter()
            .find(|f| a == f || a.starts_with(&format!("{f}=")))
    }) {
        eprintln!("ebguard: `eb deploy {flag}` uploads nothing from this directory, so there is nothing to lint; running `eb deploy`");
        return exec_eb(&args);
    }
    let cwd = match std::env::current_dir() {
        Ok(cwd) => cwd,
        Err(e) => {
            eprintln!("ebguard: cannot read the current directory: {e}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    // `eb deploy --staged` given after `--` changes what is uploaded just the same.
    let staged = args.staged || args.eb_args.iter().any(|a| a == "--staged");
    let linted = match ebguard::deploy::lint(&cwd, staged, args.options.to_options()) {
        Ok(linted) => linted,
        Err(e) => {
            eprintln!("ebguard: cannot tell what `eb deploy` would upload, so `eb deploy` was not run: {e}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    let upload = linted.upload;
    let outcome = args.options.with_baseline(linted.outcome);
    eprintln!(
        "ebguard: linted what `eb deploy` uploads: {}",
        upload.describe()
    );
    let code = args.options.report(&outcome);
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
    fn to_options(&self) -> Options {
        Options {
            config: self.config.clone(),
            min_deploy_timeout: self.min_timeout,
            no_ignores: self.no_ignores,
            mode_origin: None,
            parse_only: self.parse_only,
        }
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
                    if known > 0 {
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

    /// Prints the report and decides the exit code.
    fn report(&self, outcome: &Outcome) -> u8 {
        let rendered = match self.format {
            Format::Text => ebguard::report::text(outcome),
            Format::Json => ebguard::report::json(outcome),
            Format::Sarif => ebguard::report::sarif(outcome),
            Format::Github => ebguard::report::github(outcome),
        };
        print(&rendered);
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
    print(&rendered);
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
