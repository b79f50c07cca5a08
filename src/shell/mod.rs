//! Shell analysis: does a command or script apply database migrations, and is that
//! guarded against running on every instance at once?
//!
//! The pipeline (crates.md §D): parse with tree-sitter-bash (`parse.rs`), take each
//! simple command's argv, peel wrappers off it (`wrappers.rs`: `sudo`, `su -c`,
//! `bash -c` payloads and heredocs fed to a shell are re-parsed, `ebguard migrate
//! --`, `flock`, …), then match the program and its subcommand against each tool's
//! spellings (`tools.rs`, eb-facts.md §8).
//!
//! Cost: a realistic 1 KB hook takes about 0.2 ms of CPU in a release build, nearly
//! all of it tree-sitter parsing; 1 MB takes under a second.
//!
//! Followed (`follow.rs`), when the caller gives the bundle's files: scripts of the
//! bundle a command runs or sources (`bash scripts/migrate.sh`, `./bin/release`,
//! `. ./env.sh`, `"$(dirname "$0")/x.sh"`), `package.json` scripts behind
//! `npm run X` / `yarn X` / `pnpm X` (with `preX`/`postX`), `composer.json` scripts
//! behind `composer X`, and `node FILE` when FILE hands a migration command to
//! `exec`/`execSync`/`spawn`. Each file is read and parsed once per bundle (the
//! caller's [`Files`] caches them); cycles and depth are bounded. Simple variable
//! assignments in the same script are resolved (`PY=…; "$PY" manage.py migrate`),
//! and an unknown `$X manage.py migrate` counts as the tool it runs.
//!
//! Not seen (best effort by design): commands built at run time (`eval "$X"`),
//! Makefile targets, Python or Ruby code, and the polarity of a leader test (both
//! branches count as gated).

mod follow;
mod parse;
mod tools;
mod wrappers;

#[cfg(test)]
mod tests;

use std::ops::Range;
use std::sync::Arc;

use regex::Regex;

pub use follow::{Chmod, Files, Hop, Origin, RunHow, ScriptRun};
pub use parse::{parse_script, Parsed};

/// One place in a script where a database migration is applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MigrationCall {
    /// The tool, e.g. "Django", "Rails", "Laravel", …, "package.json script" for
    /// `npm run migrate` whose script could not be read, or "custom" for a
    /// [`Recognizer`] pattern.
    pub tool: &'static str,
    /// Byte range in the analysed text of the simple command that applies it: the
    /// outermost command as written (the whole `sudo -u webapp bash -c "…"`, or the
    /// whole `ebguard migrate -- …`, or the `bash scripts/migrate.sh` that runs it).
    pub range: Range<usize>,
    pub guard: Guard,
    /// When the migration is inside another file of the bundle (a script the command
    /// runs, a `package.json` script): each file followed, outermost first, with the
    /// range of the command inside it. Empty when it is in the analysed text itself.
    pub via: Vec<Hop>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Guard {
    None,
    /// wrapped by `ebguard migrate [opts] -- <cmd>` (also via a path like
    /// `./bin/ebguard`, `$(dirname "$0")/ebguard-x86_64`, or a variable like
    /// "$EBGUARD"/`${EBGUARD}` named ebguard*), which takes a cross-instance
    /// database lock
    EbguardMigrate,
    /// the call is inside (or after an early `exit` of) a conditional that tests
    /// `EB_IS_COMMAND_LEADER`
    LeaderVariable,
}

impl Guard {
    /// The stronger of two guards: the cross-instance lock wins over the leader
    /// variable, which eb-facts.md §4.4 calls undocumented and best effort.
    fn max(self, other: Guard) -> Guard {
        match (self, other) {
            (Guard::EbguardMigrate, _) | (_, Guard::EbguardMigrate) => Guard::EbguardMigrate,
            (Guard::LeaderVariable, _) | (_, Guard::LeaderVariable) => Guard::LeaderVariable,
            _ => Guard::None,
        }
    }
}

/// Everything one analysis of a script finds.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Analysis {
    /// Where migrations are applied, in document order.
    pub migrations: Vec<MigrationCall>,
    /// Files of the bundle the script executes or hands to a shell (not those of
    /// followed files).
    pub runs: Vec<ScriptRun>,
    /// `chmod` commands that make files executable (not those of followed files).
    pub chmods: Vec<Chmod>,
}

/// How many shell payloads deep (`bash -c "su -c '…'"`) analysis follows. Real
/// scripts nest two or three; the cap keeps hostile input from recursing.
const MAX_DEPTH: usize = 6;

/// Tool name for matches of user-defined patterns.
const CUSTOM: &str = "custom";

/// Recognises migration commands: the built-in spellings plus optional user
/// patterns for in-house scripts such as `./bin/migrate.sh`.
#[derive(Clone, Debug, Default)]
pub struct Recognizer {
    extra: Vec<Regex>,
}

impl Recognizer {
    /// Adds `patterns`, each matched against the normalised command line (the argv
    /// after unwrapping wrappers, joined by single spaces, paths kept); a command no
    /// built-in spelling matches but a pattern does is reported as tool "custom".
    pub fn with_patterns(patterns: Vec<Regex>) -> Self {
        Recognizer { extra: patterns }
    }

    /// The user patterns, as written: two recognisers with the same ones answer alike.
    pub fn patterns(&self) -> impl Iterator<Item = &str> {
        self.extra.iter().map(Regex::as_str)
    }

    /// Analyse a shell script (a `command:` string, a multi-line block, or a hook
    /// file's whole text) on its own, following no file.
    pub fn find_migrations(&self, script: &str) -> Vec<MigrationCall> {
        self.analyse(script, &Origin::default(), None).migrations
    }

    /// Analyse an argv list (EB's list form of `command:` runs without a shell).
    /// Ranges index into the argv joined by single spaces.
    pub fn find_migrations_argv(&self, argv: &[&str]) -> Vec<MigrationCall> {
        self.analyse_argv(argv, &Origin::default(), None).migrations
    }

    /// Analyse a script that runs at `origin`, following the files of the bundle
    /// `files` gives (none when `None`).
    pub fn analyse(&self, script: &str, origin: &Origin, files: Option<&dyn Files>) -> Analysis {
        self.analyse_parsed(&parse::parse_script(script), origin, files)
    }

    /// [`Recognizer::analyse`] of a script parsed already (see [`parse_script`]): parsing is
    /// the costly part, and the same text (a hook mirrored in `confighooks`) parses alike.
    pub fn analyse_parsed(
        &self,
        parsed: &Parsed,
        origin: &Origin,
        files: Option<&dyn Files>,
    ) -> Analysis {
        follow::Walk::new(self, origin, files).script(parsed)
    }

    /// [`Recognizer::analyse`] for an argv list run without a shell. Ranges index
    /// into the argv joined by single spaces.
    pub fn analyse_argv(
        &self,
        argv: &[&str],
        origin: &Origin,
        files: Option<&dyn Files>,
    ) -> Analysis {
        let words: Vec<String> = argv.iter().map(|&w| w.to_owned()).collect();
        let joined_len = argv.iter().map(|w| w.len()).sum::<usize>() + argv.len().saturating_sub(1);
        follow::Walk::new(self, origin, files).argv(&words, 0..joined_len)
    }

    /// The tool a user pattern names for this unwrapped command line, if any.
    fn custom(&self, argv: &[String]) -> Option<&'static str> {
        // Commands that treat a script's path as data (`chmod +x bin/migrate.sh`,
        // `echo bin/migrate.sh`) do not run it, whatever a pattern says.
        if self.extra.is_empty() || tools::handles_data(&argv[0]) {
            return None;
        }
        let line = argv.join(" ");
        self.extra
            .iter()
            .any(|re| re.is_match(&line))
            .then_some(CUSTOM)
    }
}

/// A parsed script shared between analyses (see [`Files::shell`]).
pub type SharedParse = Arc<Parsed>;

/// Analyse a shell script (a `command:` string, a multi-line block, or a hook file's whole text).
pub fn find_migrations(script: &str) -> Vec<MigrationCall> {
    Recognizer::default().find_migrations(script)
}

/// Analyse an argv list (EB's list form of `command:` runs without a shell).
/// Ranges index into the argv joined by single spaces.
pub fn find_migrations_argv(argv: &[&str]) -> Vec<MigrationCall> {
    Recognizer::default().find_migrations_argv(argv)
}

/// Byte offsets of the `#` of each comment of `script`, in order; a `#` in a string, a heredoc
/// body or inside a word is text, not a comment.
pub fn comment_starts(script: &str) -> Vec<usize> {
    parse::comment_starts(script)
}

/// Byte ranges where the script reads the variable EB_IS_COMMAND_LEADER
/// ($EB_IS_COMMAND_LEADER, ${EB_IS_COMMAND_LEADER...}, `get-config`-free); not in
/// comments, not in single-quoted strings.
pub fn leader_variable_uses(script: &str) -> Vec<Range<usize>> {
    parse::leader_variable_uses(script)
}
