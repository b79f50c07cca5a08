//! The `ebguard` command line: arguments in, exit code out.
use clap::Parser;

#[derive(Parser)]
#[command(name = "ebguard", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Subcommand)]
enum Command {
    /// Run a migration command under a database lock (see docs/migrate.md).
    Migrate(ebguard::migrate::MigrateArgs),
}

fn main() {
    // Usage errors exit 64 (EX_USAGE), not clap's 2; help and version exit 0.
    let cli = Cli::try_parse().unwrap_or_else(|err| {
        let _ = err.print();
        let code = if err.use_stderr() {
            ebguard::migrate::Failure::Usage.code()
        } else {
            0
        };
        std::process::exit(code)
    });
    match cli.command {
        Command::Migrate(args) => std::process::exit(ebguard::migrate::run(args)),
    }
}
