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
//! Not seen (best effort by design): commands built at run time (`$CMD`,
//! `eval "$X"`), the bodies of package.json scripts, Makefile targets and script
//! files (`bash bin/migrate.sh`, which user patterns can name), Python code run with
//! `python -c`, and the polarity of a leader test (both branches count as gated).

mod parse;
mod tools;
mod wrappers;

#[cfg(test)]
mod tests;

use std::ops::Range;

use regex::Regex;

use wrappers::Step;

/// One place in a script where a database migration is applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MigrationCall {
    /// The tool, e.g. "Django", "Rails", "Laravel", …, "package.json script" for
    /// `npm run migrate`, or "custom" for a [`Recognizer`] pattern.
    pub tool: &'static str,
    /// Byte range in the analysed text of the simple command that applies it: the
    /// outermost command as written (the whole `sudo -u webapp bash -c "…"`, or the
    /// whole `ebguard migrate -- …`).
    pub range: Range<usize>,
    pub guard: Guard,
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

    /// Analyse a shell script (a `command:` string, a multi-line block, or a hook
    /// file's whole text).
    pub fn find_migrations(&self, script: &str) -> Vec<MigrationCall> {
        self.script(script, 0)
    }

    /// Analyse an argv list (EB's list form of `command:` runs without a shell).
    /// Ranges index into the argv joined by single spaces.
    pub fn find_migrations_argv(&self, argv: &[&str]) -> Vec<MigrationCall> {
        let words: Vec<String> = argv.iter().map(|&w| w.to_owned()).collect();
        let joined_len = argv.iter().map(|w| w.len()).sum::<usize>() + argv.len().saturating_sub(1);
        self.command(&words, None, 0)
            .into_iter()
            .map(|(tool, guard)| MigrationCall {
                tool,
                range: 0..joined_len,
                guard,
            })
            .collect()
    }

    fn script(&self, script: &str, depth: usize) -> Vec<MigrationCall> {
        let mut calls = Vec::new();
        for site in parse::commands(script) {
            let outer = if site.leader_gated {
                Guard::LeaderVariable
            } else {
                Guard::None
            };
            for (tool, guard) in self.command(&site.argv, site.stdin.as_deref(), depth) {
                calls.push(MigrationCall {
                    tool,
                    range: site.range.clone(),
                    guard: guard.max(outer),
                });
            }
        }
        calls
    }

    /// The migrations one simple command applies (several only through a nested
    /// script), each with the guard it carries from inside.
    fn command(
        &self,
        argv: &[String],
        stdin: Option<&str>,
        depth: usize,
    ) -> Vec<(&'static str, Guard)> {
        let mut at = 0;
        let mut guard = Guard::None;
        let mut via_script = false;
        // Each step consumes at least one word, so this ends within argv.len() steps.
        let nested = loop {
            let Some(rest) = argv.get(at..).filter(|rest| !rest.is_empty()) else {
                return Vec::new();
            };
            match wrappers::step(rest) {
                Step::Program => return self.program(rest, via_script, guard),
                Step::Skip(n) => at += n,
                Step::Script(n) => {
                    via_script = true;
                    at += n;
                }
                Step::Ebguard(n) => {
                    guard = Guard::EbguardMigrate;
                    at += n;
                }
                Step::Shell(text) => break text,
                Step::Stdin => match stdin {
                    Some(text) => break text.to_owned(),
                    None => return Vec::new(),
                },
                Step::Nothing => return Vec::new(),
            }
        };
        if depth >= MAX_DEPTH {
            return Vec::new();
        }
        self.script(&nested, depth + 1)
            .into_iter()
            .map(|call| (call.tool, call.guard.max(guard)))
            .collect()
    }

    fn program(
        &self,
        argv: &[String],
        via_script: bool,
        guard: Guard,
    ) -> Vec<(&'static str, Guard)> {
        let tool = tools::recognise(argv, via_script).or_else(|| {
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
        });
        tool.map(|t| vec![(t, guard)]).unwrap_or_default()
    }
}

/// Analyse a shell script (a `command:` string, a multi-line block, or a hook file's whole text).
pub fn find_migrations(script: &str) -> Vec<MigrationCall> {
    Recognizer::default().find_migrations(script)
}

/// Analyse an argv list (EB's list form of `command:` runs without a shell).
/// Ranges index into the argv joined by single spaces.
pub fn find_migrations_argv(argv: &[&str]) -> Vec<MigrationCall> {
    Recognizer::default().find_migrations_argv(argv)
}

/// Byte ranges where the script reads the variable EB_IS_COMMAND_LEADER
/// ($EB_IS_COMMAND_LEADER, ${EB_IS_COMMAND_LEADER...}, `get-config`-free); not in
/// comments, not in single-quoted strings.
pub fn leader_variable_uses(script: &str) -> Vec<Range<usize>> {
    parse::leader_variable_uses(script)
}
