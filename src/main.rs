//! The command line: arguments in, exit code out.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use ebguard::finding::Severity;
use ebguard::rules::{self, Settings};

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
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Lowest severity that makes the exit code 1
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    fail_on: FailOn,
    /// Minimum deployment Timeout (seconds) that EB002 expects when migrations run
    #[arg(long, value_name = "SECONDS")]
    min_timeout: Option<u32>,
}

#[derive(clap::Args)]
struct PlanArgs {
    /// A bundle directory, a directory holding bundles, or a file inside a bundle
    #[arg(default_value = ".")]
    path: PathBuf,
    /// Output format: a timeline, a versioned JSON document, or a Mermaid sequence diagram
    #[arg(long, value_enum, default_value_t = PlanFormat::Text)]
    format: PlanFormat,
}

#[derive(Clone, Copy, ValueEnum)]
enum PlanFormat {
    Text,
    Json,
    Mermaid,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Text,
    Json,
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
        let _ = err.print();
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
    let settings = Settings {
        min_deploy_timeout: args.min_timeout,
        ..Settings::default()
    };
    let outcome = ebguard::check(&args.paths, &settings);
    let rendered = match args.format {
        Format::Text => ebguard::report::text(&outcome),
        Format::Json => ebguard::report::json(&outcome),
    };
    print(&rendered);
    if !outcome.input_errors.is_empty() {
        return ExitCode::from(EXIT_USAGE);
    }
    let failed = match (args.fail_on.threshold(), outcome.worst()) {
        (Some(threshold), Some(worst)) => worst >= threshold,
        _ => false,
    };
    if failed {
        ExitCode::from(EXIT_FINDINGS)
    } else {
        ExitCode::SUCCESS
    }
}

fn plan(args: PlanArgs) -> ExitCode {
    let (plans, mut errors) =
        ebguard::plan::plan_paths(std::slice::from_ref(&args.path), &Settings::default());
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
