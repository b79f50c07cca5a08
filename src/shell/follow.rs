//! The walk over a parsed script: unwrapping each command, resolving variables, and following
//! the files of the bundle a command runs, sources or names as a package-manager script.
//!
//! Paths: EB runs container commands and hooks with the bundle root as working directory
//! (`/var/app/staging` for container commands, prebuild and predeploy hooks,
//! `/var/app/current` for postdeploy hooks; AWS *Platform hooks*, eb-facts §6.1), so a
//! relative path, or one under either directory, names a file of the bundle.

use std::ops::Range;
use std::sync::Arc;

use globset::GlobBuilder;
use regex::Regex;

use super::parse::{Assignment, Parsed};
use super::tools::{self, is_migration_script, PACKAGE_SCRIPT};
use super::wrappers::{self, base_name, variable_name, Step};
use super::{Analysis, Guard, MigrationCall, Recognizer, MAX_DEPTH};
use crate::source::SourceFile;
use crate::yaml::{Document, NodeRef};

/// The files of the bundle, read and parsed at most once each (the caller caches).
/// Paths are relative to the bundle root, normalised (no `.`, `..` or leading `/`).
pub trait Files {
    /// The text of a file of the bundle, or `None` when it is missing, binary or unreadable.
    fn text(&self, rel: &str) -> Option<Arc<SourceFile>>;
    /// The file parsed as a shell script.
    fn shell(&self, rel: &str) -> Option<Arc<Parsed>>;
    /// The file parsed as JSON (`package.json`, `composer.json`).
    fn json(&self, rel: &str) -> Option<Arc<Document>>;
}

/// Where a script runs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Origin {
    /// The bundle file that holds the script (a hook), for `$(dirname "$0")`.
    pub file: Option<String>,
    /// The working directory relative to the bundle root (`""` for the root); `None` when
    /// it is outside the bundle (`commands:` run from `/` before the bundle is extracted).
    pub cwd: Option<String>,
}

impl Origin {
    /// A script that runs in the bundle root (container commands, hooks).
    pub fn root(file: Option<&str>) -> Origin {
        Origin {
            file: file.map(str::to_owned),
            cwd: Some(String::new()),
        }
    }
}

/// One file followed on the way to a migration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hop {
    /// The file, relative to the bundle root.
    pub path: String,
    /// The command (or `package.json` script value) inside it.
    pub range: Range<usize>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RunHow {
    /// Executed directly (`./bin/release`, `scripts/x.sh`): needs the executable bit and
    /// a `#!` line the system can read.
    Execute,
    /// Read by a shell (`bash x.sh`, `. ./env.sh`): any mode, but its text must be shell.
    Read,
}

/// A file of the bundle that a command runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScriptRun {
    pub path: String,
    /// The command that runs it, in the analysed text.
    pub range: Range<usize>,
    pub how: RunHow,
}

/// A `chmod` (or `find … -exec chmod`) that makes files executable.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Chmod {
    pub range: Range<usize>,
    /// Paths relative to the bundle root; may hold `*` globs; `""` is the root.
    pub targets: Vec<String>,
    /// `-R`, or `find`: everything below a target directory too.
    pub recursive: bool,
    /// `find -name GLOB`: only files whose name matches.
    pub name: Option<String>,
}

impl Chmod {
    /// Whether this chmod makes the bundle file `rel` executable.
    pub fn covers(&self, rel: &str) -> bool {
        let file_name = rel.rsplit('/').next().unwrap_or(rel);
        if let Some(name) = &self.name {
            if !glob_matches(name, file_name) {
                return false;
            }
        }
        self.targets.iter().any(|target| {
            if glob_matches(target, rel) {
                return true;
            }
            if !self.recursive {
                return false;
            }
            if target.is_empty() {
                return true;
            }
            // Any directory above `rel` that the target names.
            let mut dir = rel;
            while let Some((parent, _)) = dir.rsplit_once('/') {
                if glob_matches(target, parent) {
                    return true;
                }
                dir = parent;
            }
            false
        })
    }
}

fn glob_matches(pattern: &str, path: &str) -> bool {
    if !pattern.contains(['*', '?', '[']) {
        return pattern == path;
    }
    GlobBuilder::new(pattern)
        .literal_separator(true)
        .build()
        .is_ok_and(|g| g.compile_matcher().is_match(path))
}

/// What one command amounts to.
#[derive(Clone, Debug)]
enum Found {
    Migration {
        tool: &'static str,
        guard: Guard,
        via: Vec<Hop>,
    },
    Run(String, RunHow),
    Chmod(Chmod),
}

/// Variables visible at a point of a script: its own assignments before that point, those
/// a sourced file left, and the enclosing script's (for a `bash -c` payload).
struct Scope<'p> {
    own: &'p [Assignment],
    sourced: Vec<Assignment>,
    parent: Option<(&'p Scope<'p>, usize)>,
}

impl Scope<'_> {
    fn lookup(&self, name: &str, at: usize) -> Option<&str> {
        let latest = self
            .own
            .iter()
            .chain(&self.sourced)
            .filter(|a| a.name == name && a.at < at)
            .max_by_key(|a| a.at);
        match latest {
            Some(a) => Some(a.value.as_str()),
            None => self.parent.and_then(|(p, pos)| p.lookup(name, pos)),
        }
    }
}

/// Most files one analysis follows, whatever their nesting: bounds hostile fan-out.
const MAX_FOLLOWED: usize = 64;

pub(super) struct Walk<'a> {
    rec: &'a Recognizer,
    files: Option<&'a dyn Files>,
    /// The file being walked (`$0`), relative to the bundle root.
    file: Option<String>,
    cwd: Option<String>,
    depth: usize,
    /// Files being followed, outermost first: a file met again is a cycle.
    stack: Vec<String>,
    followed: usize,
}

impl<'a> Walk<'a> {
    pub(super) fn new(rec: &'a Recognizer, origin: &Origin, files: Option<&'a dyn Files>) -> Self {
        Walk {
            rec,
            files,
            file: origin.file.clone(),
            cwd: origin.cwd.clone(),
            depth: 0,
            stack: origin.file.iter().cloned().collect(),
            followed: 0,
        }
    }

    /// The analysis of a whole script.
    pub(super) fn script(&mut self, parsed: &Parsed) -> Analysis {
        let found = self.sites(parsed, None);
        collect(found)
    }

    /// The analysis of one argv run without a shell; everything points at `range`.
    pub(super) fn argv(&mut self, words: &[String], range: Range<usize>) -> Analysis {
        let empty = Scope {
            own: &[],
            sourced: Vec::new(),
            parent: None,
        };
        let found = self.command(words, None, &empty, 0).0;
        collect(found.into_iter().map(|f| (range.clone(), f)).collect())
    }

    /// Each site's findings, with the site's range.
    fn sites(
        &mut self,
        parsed: &Parsed,
        parent: Option<(&Scope<'_>, usize)>,
    ) -> Vec<(Range<usize>, Found)> {
        let mut scope = Scope {
            own: &parsed.assignments,
            sourced: Vec::new(),
            parent,
        };
        let mut out = Vec::new();
        for site in &parsed.sites {
            let outer = if site.leader_gated {
                Guard::LeaderVariable
            } else {
                Guard::None
            };
            let (found, sourced) =
                self.command(&site.argv, site.stdin.as_deref(), &scope, site.range.start);
            for f in found {
                let f = match f {
                    Found::Migration { tool, guard, via } => Found::Migration {
                        tool,
                        guard: guard.max(outer),
                        via,
                    },
                    other => other,
                };
                out.push((site.range.clone(), f));
            }
            // What a sourced file assigns is visible after the `.` line.
            if let Some(sourced) = sourced {
                scope
                    .sourced
                    .extend(sourced.assignments.iter().map(|a| Assignment {
                        at: site.range.start,
                        ..a.clone()
                    }));
            }
        }
        out
    }

    /// What one simple command amounts to, and the file it sources, if any.
    fn command(
        &mut self,
        argv: &[String],
        stdin: Option<&str>,
        scope: &Scope<'_>,
        at_byte: usize,
    ) -> (Vec<Found>, Option<Arc<Parsed>>) {
        // Borrowed until a variable or an entrypoint rewrites it: most commands never are.
        let mut owned: Option<Vec<String>> = None;
        let mut at = 0;
        let mut guard = Guard::None;
        let mut via_script = false;
        let mut interpreted = false;
        // Each step consumes a word or rewrites a bounded number of times.
        let mut rewrites = 0;
        let nested = loop {
            let words: &[String] = owned.as_deref().unwrap_or(argv);
            let Some(rest) = words.get(at..).filter(|rest| !rest.is_empty()) else {
                return (Vec::new(), None);
            };
            if let Some(name) = variable_name(&rest[0]).filter(|_| !wrappers::is_ebguard(&rest[0]))
            {
                rewrites += 1;
                if rewrites > 8 {
                    return (Vec::new(), None);
                }
                let value = scope
                    .lookup(name, at_byte)
                    .filter(|v| !v.starts_with("$(") && !v.starts_with('`'))
                    .map(str::to_owned);
                let tool = tool_for_variable(name);
                let more = rest.len() > 1;
                let mut rewritten = words.to_vec();
                match (value, tool) {
                    (Some(value), _) => {
                        let parts: Vec<String> =
                            value.split_whitespace().map(str::to_owned).collect();
                        rewritten.splice(at..=at, parts);
                        owned = Some(rewritten);
                    }
                    (None, Some(tool)) => {
                        rewritten[at] = tool.to_owned();
                        owned = Some(rewritten);
                    }
                    // An unknown interpreter or wrapper: the rest is the command it runs.
                    (None, None) if more => at += 1,
                    (None, None) => return (Vec::new(), None),
                }
                continue;
            }
            match wrappers::step(rest) {
                Step::Program => {
                    return (
                        self.program(rest, via_script, interpreted, guard, scope, at_byte),
                        None,
                    );
                }
                Step::Skip(n) => at += n,
                Step::Interpreted(n) => {
                    interpreted = true;
                    at += n;
                }
                Step::Script(n) => {
                    if let Some(found) = self.package_script(&rest[n], guard) {
                        return (found, None);
                    }
                    via_script = true;
                    at += n;
                }
                Step::Composer(n) => {
                    let name = rest[n].clone();
                    return (self.composer_script(&name, guard), None);
                }
                Step::ReadScript(n) => {
                    let word = rest[n].clone();
                    let sourced = n == 1 && matches!(rest[0].as_str(), "." | "source");
                    if let Some(rel) = self.existing(&word, scope, at_byte) {
                        let mut found = vec![Found::Run(rel.clone(), RunHow::Read)];
                        let (inner, parsed) = self.follow_shell(&rel, guard);
                        found.extend(inner);
                        return (found, parsed.filter(|_| sourced));
                    }
                    // Not a file of the bundle: the script's path is the program, so
                    // user patterns can still name it.
                    at += n;
                }
                Step::Ebguard(n) => {
                    guard = Guard::EbguardMigrate;
                    at += n;
                }
                Step::Replace(new) => {
                    rewrites += 1;
                    if rewrites > 8 {
                        return (Vec::new(), None);
                    }
                    owned = Some(new);
                    at = 0;
                }
                Step::Shell(text) => break text,
                Step::Stdin => match stdin {
                    Some(text) => break text.to_owned(),
                    None => return (Vec::new(), None),
                },
                Step::Nothing => return (Vec::new(), None),
            }
        };
        if self.depth >= MAX_DEPTH {
            return (Vec::new(), None);
        }
        // A payload runs in the same file and directory, and sees the variables set so far.
        let parsed = super::parse::parse_script(&nested);
        self.depth += 1;
        let found = self.sites(&parsed, Some((scope, at_byte)));
        self.depth -= 1;
        let found = found
            .into_iter()
            .map(|(_, f)| match f {
                Found::Migration {
                    tool,
                    guard: inner,
                    via,
                } => Found::Migration {
                    tool,
                    guard: inner.max(guard),
                    via,
                },
                other => other,
            })
            .collect();
        (found, None)
    }

    /// The unwrapped program: a migration tool, a `chmod`, or a file of the bundle.
    fn program(
        &mut self,
        argv: &[String],
        via_script: bool,
        interpreted: bool,
        guard: Guard,
        scope: &Scope<'_>,
        at_byte: usize,
    ) -> Vec<Found> {
        if let Some(tool) = tools::recognise(argv, via_script) {
            return vec![migration(tool, guard)];
        }
        match base_name(&argv[0]) {
            "chmod" => {
                return self
                    .chmod(&argv[1..], scope, at_byte)
                    .map(Found::Chmod)
                    .into_iter()
                    .collect();
            }
            "find" => {
                return self
                    .find_chmod(&argv[1..], scope, at_byte)
                    .map(Found::Chmod)
                    .into_iter()
                    .collect();
            }
            _ => {}
        }
        let program = &argv[0];
        let is_js = [".js", ".cjs", ".mjs"]
            .iter()
            .any(|ext| program.ends_with(ext));
        // A program named by a path (`./bin/release`, `scripts/x.sh`) is a file the shell
        // executes; `node migrate.js` reads one without a slash too.
        if program.contains('/') || (interpreted && is_js) {
            if let Some(rel) = self.existing(program, scope, at_byte) {
                let mut found = Vec::new();
                if !interpreted {
                    found.push(Found::Run(rel.clone(), RunHow::Execute));
                }
                let text = self.files.and_then(|f| f.text(&rel));
                let shebang = text
                    .as_deref()
                    .and_then(|t| t.text.lines().next())
                    .filter(|l| l.starts_with("#!"))
                    .unwrap_or("");
                if is_js || shebang.contains("node") {
                    found.extend(self.follow_js(&rel, guard));
                } else if !interpreted
                    && (shebang.is_empty() || shebang.contains("sh"))
                    && !shebang.contains("python")
                {
                    found.extend(self.follow_shell(&rel, guard).0);
                }
                if found.iter().any(|f| matches!(f, Found::Migration { .. })) {
                    return found;
                }
                found.extend(self.rec.custom(argv).map(|t| migration(t, guard)));
                return found;
            }
        }
        self.rec
            .custom(argv)
            .map(|t| migration(t, guard))
            .into_iter()
            .collect()
    }

    /// A bundle file the word names, if it exists.
    fn existing(&self, word: &str, scope: &Scope<'_>, at_byte: usize) -> Option<String> {
        let files = self.files?;
        let rel = self.resolve(word, scope, at_byte)?;
        files.text(&rel).map(|_| rel)
    }

    /// The bundle path a word names: relative to the working directory, under
    /// `/var/app/staging` or `/var/app/current`, or beside the script (`$(dirname "$0")`).
    fn resolve(&self, word: &str, scope: &Scope<'_>, at_byte: usize) -> Option<String> {
        let word = expand_leading_variable(word, scope, at_byte);
        if let Some(rest) = strip_script_dir(&word) {
            let file = self.file.as_deref()?;
            let dir = file.rsplit_once('/').map_or("", |(d, _)| d);
            return normalise(dir, rest);
        }
        for app in ["/var/app/staging", "/var/app/current"] {
            if let Some(rest) = word.strip_prefix(app) {
                if rest.is_empty() || rest.starts_with('/') {
                    return normalise("", rest);
                }
            }
        }
        if word.starts_with('/') || word.contains(['$', '`']) || word.is_empty() {
            return None;
        }
        normalise(self.cwd.as_deref()?, &word)
    }

    /// Analyses a shell script of the bundle; its migrations carry a hop into it.
    fn follow_shell(&mut self, rel: &str, guard: Guard) -> (Vec<Found>, Option<Arc<Parsed>>) {
        let Some(files) = self.files else {
            return (Vec::new(), None);
        };
        if !self.enter(rel) {
            return (Vec::new(), None);
        }
        let Some(parsed) = files.shell(rel) else {
            self.leave();
            return (Vec::new(), None);
        };
        let saved = self.file.replace(rel.to_owned());
        let found = self.sites(&parsed, None);
        self.file = saved;
        self.leave();
        let migrations = hopped(found, rel, guard, |range| range);
        (migrations, Some(parsed))
    }

    /// `node FILE`: the commands a JavaScript file hands to a shell (`execSync('…')`,
    /// `exec("…")`, `spawnSync('…', {shell: true})`), and the Knex and TypeORM APIs that
    /// apply migrations. Line comments are skipped; anything subtler is not seen.
    fn follow_js(&mut self, rel: &str, guard: Guard) -> Vec<Found> {
        let Some(text) = self.files.and_then(|f| f.text(rel)) else {
            return Vec::new();
        };
        if !self.enter(rel) {
            return Vec::new();
        }
        let mut found = Vec::new();
        let mut offset = 0;
        for line in text.text.split_inclusive('\n') {
            let start = offset;
            offset += line.len();
            if line.trim_start().starts_with("//") || line.trim_start().starts_with('*') {
                continue;
            }
            for caps in js_exec().captures_iter(line) {
                let Some(command) = caps.get(2) else { continue };
                let range = start + command.start()..start + command.end();
                let inner = self.rec.find_migrations(command.as_str());
                found.extend(inner.into_iter().map(|call| Found::Migration {
                    tool: call.tool,
                    guard: call.guard.max(guard),
                    via: vec![Hop {
                        path: rel.to_owned(),
                        range: range.clone(),
                    }],
                }));
            }
            for (needle, tool) in [
                (".migrate.latest(", "Knex"),
                (".migrate.up(", "Knex"),
                (".runMigrations(", "TypeORM"),
            ] {
                if let Some(at) = line.find(needle) {
                    found.push(Found::Migration {
                        tool,
                        guard,
                        via: vec![Hop {
                            path: rel.to_owned(),
                            range: start + at + 1..start + at + needle.len() - 1,
                        }],
                    });
                }
            }
        }
        self.leave();
        found
    }

    /// `npm run NAME` and the like: the `package.json` script in the working directory,
    /// with npm's `preNAME` and `postNAME`. `None` when there is no such script, so the
    /// word can still name a binary (`yarn knex migrate:latest`).
    fn package_script(&mut self, name: &str, guard: Guard) -> Option<Vec<Found>> {
        let files = self.files?;
        let rel = normalise(self.cwd.as_deref()?, "package.json")?;
        let doc = files.json(&rel)?;
        let scripts = doc.root()?.get("scripts")?;
        let main = scripts.get(name)?;
        let key = format!("{rel}#{name}");
        if !self.enter(&key) {
            return Some(Vec::new());
        }
        let mut found = Vec::new();
        for (script, node) in [
            (format!("pre{name}"), scripts.get(&format!("pre{name}"))),
            (name.to_owned(), Some(main)),
            (format!("post{name}"), scripts.get(&format!("post{name}"))),
        ] {
            let Some(node) = node else { continue };
            let _ = script;
            found.extend(self.json_command(&rel, node, guard));
        }
        self.leave();
        if !found.iter().any(|f| matches!(f, Found::Migration { .. })) && is_migration_script(name)
        {
            // The script says it migrates but runs something we cannot see into.
            found.push(Found::Migration {
                tool: PACKAGE_SCRIPT,
                guard,
                via: vec![Hop {
                    path: rel,
                    range: main.span(),
                }],
            });
        }
        Some(found)
    }

    /// `composer NAME`: the `composer.json` script, a command or a list of them, where
    /// `@php`/`@composer` name those programs and `@other` another script.
    fn composer_script(&mut self, name: &str, guard: Guard) -> Vec<Found> {
        let Some(files) = self.files else {
            return Vec::new();
        };
        let Some(rel) = self
            .cwd
            .as_deref()
            .and_then(|cwd| normalise(cwd, "composer.json"))
        else {
            return Vec::new();
        };
        let Some(doc) = files.json(&rel) else {
            return Vec::new();
        };
        let Some(script) = doc
            .root()
            .and_then(|r| r.get("scripts"))
            .and_then(|s| s.get(name))
        else {
            return Vec::new();
        };
        let key = format!("{rel}#{name}");
        if !self.enter(&key) {
            return Vec::new();
        }
        let entries = if script.is_sequence() {
            script.items()
        } else {
            vec![script]
        };
        let mut found = Vec::new();
        for entry in entries {
            let Some(text) = entry.as_str() else { continue };
            let text = text.trim();
            if let Some(other) = text.strip_prefix('@').filter(|t| !t.contains(' ')) {
                if other != "php" && other != "composer" {
                    found.extend(self.composer_script(other, guard));
                    continue;
                }
            }
            // `Vendor\Class::method` is a PHP callback, not a command.
            if text.contains("::") && !text.contains(' ') {
                continue;
            }
            let command = text
                .strip_prefix("@php ")
                .map(|t| format!("php {t}"))
                .or_else(|| {
                    text.strip_prefix("@composer ")
                        .map(|t| format!("composer {t}"))
                })
                .unwrap_or_else(|| text.to_owned());
            found.extend(self.command_text(&rel, &command, entry.span(), guard));
        }
        self.leave();
        found
    }

    /// A command written in a JSON string of file `rel`.
    fn json_command(&mut self, rel: &str, node: NodeRef<'_>, guard: Guard) -> Vec<Found> {
        match node.as_str() {
            Some(text) => {
                let text = text.to_owned();
                self.command_text(rel, &text, node.span(), guard)
            }
            None => Vec::new(),
        }
    }

    /// Analyses `command` (written at `span` of file `rel`) as a shell script run in the
    /// file's directory; migrations carry a hop to `span`.
    fn command_text(
        &mut self,
        rel: &str,
        command: &str,
        span: Range<usize>,
        guard: Guard,
    ) -> Vec<Found> {
        if self.depth >= MAX_DEPTH {
            return Vec::new();
        }
        let parsed = super::parse::parse_script(command);
        let dir = rel.rsplit_once('/').map_or("", |(d, _)| d).to_owned();
        let saved_cwd = self.cwd.replace(dir);
        let saved_file = self.file.take();
        self.depth += 1;
        let found = self.sites(&parsed, None);
        self.depth -= 1;
        self.cwd = saved_cwd;
        self.file = saved_file;
        hopped(found, rel, guard, |_| span.clone())
    }

    /// `chmod [-R] MODE FILE…` when MODE adds an executable bit.
    fn chmod(&self, args: &[String], scope: &Scope<'_>, at_byte: usize) -> Option<Chmod> {
        let mut recursive = false;
        let mut mode = None;
        let mut targets = Vec::new();
        for arg in args {
            if let Some(long) = arg.strip_prefix("--") {
                recursive |= long == "recursive";
                continue;
            }
            if mode.is_none()
                && arg.len() > 1
                && arg.starts_with('-')
                && arg[1..].chars().all(|c| "RvcfHLP".contains(c))
            {
                recursive |= arg.contains('R');
                continue;
            }
            if mode.is_none() {
                mode = Some(arg.as_str());
            } else {
                targets.push(self.resolve_target(arg, scope, at_byte)?);
            }
        }
        (adds_exec(mode?) && !targets.is_empty()).then_some(Chmod {
            range: 0..0,
            targets,
            recursive,
            name: None,
        })
    }

    /// `find DIR… [-name GLOB] -exec chmod MODE {} +`.
    fn find_chmod(&self, args: &[String], scope: &Scope<'_>, at_byte: usize) -> Option<Chmod> {
        let dirs_end = args
            .iter()
            .position(|a| a.starts_with('-') || a == "(" || a == "!")
            .unwrap_or(args.len());
        let exec = args.iter().position(|a| a == "-exec" || a == "-execdir")?;
        let chmod_args: Vec<String> = args[exec + 1..]
            .iter()
            .take_while(|a| *a != ";" && *a != "+")
            .cloned()
            .collect();
        if chmod_args.first().map(|c| base_name(c)) != Some("chmod") {
            return None;
        }
        let mode = chmod_args[1..]
            .iter()
            .find(|a| !(a.starts_with('-') && a[1..].chars().all(|c| "RvcfHLP".contains(c))))?;
        if !adds_exec(mode) {
            return None;
        }
        let name = args[..exec]
            .windows(2)
            .find(|w| w[0] == "-name" || w[0] == "-iname")
            .map(|w| w[1].clone());
        let targets = if dirs_end == 0 {
            vec![self.resolve_target(".", scope, at_byte)?]
        } else {
            args[..dirs_end]
                .iter()
                .map(|d| self.resolve_target(d, scope, at_byte))
                .collect::<Option<Vec<_>>>()?
        };
        Some(Chmod {
            range: 0..0,
            targets,
            recursive: true,
            name,
        })
    }

    /// A chmod target as a bundle path, globs kept; `.` is the root.
    fn resolve_target(&self, word: &str, scope: &Scope<'_>, at_byte: usize) -> Option<String> {
        let trimmed = word.trim_end_matches('/');
        if trimmed.is_empty() || trimmed == "." {
            return self.cwd.clone();
        }
        self.resolve(trimmed, scope, at_byte)
    }

    fn enter(&mut self, key: &str) -> bool {
        if self.stack.iter().any(|k| k == key)
            || self.stack.len() > MAX_DEPTH
            || self.followed >= MAX_FOLLOWED
        {
            return false;
        }
        self.followed += 1;
        self.stack.push(key.to_owned());
        true
    }

    fn leave(&mut self) {
        self.stack.pop();
    }
}

fn migration(tool: &'static str, guard: Guard) -> Found {
    Found::Migration {
        tool,
        guard,
        via: Vec::new(),
    }
}

/// The migrations found in the followed file `rel`, each with `guard` added and a hop into
/// the file at `at(range of the command there)`; what else the file does stays inside it.
fn hopped(
    found: Vec<(Range<usize>, Found)>,
    rel: &str,
    guard: Guard,
    at: impl Fn(Range<usize>) -> Range<usize>,
) -> Vec<Found> {
    found
        .into_iter()
        .filter_map(|(range, f)| match f {
            Found::Migration {
                tool,
                guard: inner,
                via,
            } => Some(Found::Migration {
                tool,
                guard: inner.max(guard),
                via: hop(rel, at(range), via),
            }),
            _ => None,
        })
        .collect()
}

fn hop(rel: &str, range: Range<usize>, inner: Vec<Hop>) -> Vec<Hop> {
    let mut via = vec![Hop {
        path: rel.to_owned(),
        range,
    }];
    via.extend(inner);
    via
}

/// Splits findings by kind; each keeps the range of the site it came from.
fn collect(found: Vec<(Range<usize>, Found)>) -> Analysis {
    let mut analysis = Analysis::default();
    for (range, f) in found {
        match f {
            Found::Migration { tool, guard, via } => analysis.migrations.push(MigrationCall {
                tool,
                range,
                guard,
                via,
            }),
            Found::Run(path, how) => analysis.runs.push(ScriptRun { path, range, how }),
            Found::Chmod(chmod) => analysis.chmods.push(Chmod { range, ..chmod }),
        }
    }
    analysis
}

/// Whether a chmod mode gives an executable bit: octal with an odd digit among the last
/// three, or a symbolic clause that adds or sets `x`/`X`. Root, which runs hooks, may
/// execute a file when any executable bit is set.
fn adds_exec(mode: &str) -> bool {
    if !mode.is_empty() && mode.chars().all(|c| c.is_ascii_digit()) {
        return mode
            .chars()
            .rev()
            .take(3)
            .any(|c| c.to_digit(8).is_some_and(|d| d % 2 == 1));
    }
    mode.split(',').any(|clause| {
        clause
            .find(['+', '='])
            .is_some_and(|op| clause[op + 1..].contains(['x', 'X']))
    })
}

/// The tool a variable is named after, when its value is unknown: `${RAKE} db:migrate`,
/// `$ALEMBIC upgrade head`, `$PYTHON manage.py migrate`.
fn tool_for_variable(name: &str) -> Option<&'static str> {
    const TOOLS: &[(&str, &str)] = &[
        ("DJANGO_ADMIN", "django-admin"),
        ("MANAGE", "manage.py"),
        ("ARTISAN", "artisan"),
        ("ALEMBIC", "alembic"),
        ("FLASK", "flask"),
        ("RAKE", "rake"),
        ("RAILS", "rails"),
        ("KNEX", "knex"),
        ("PRISMA", "prisma"),
        ("SEQUELIZE", "sequelize"),
        ("TYPEORM", "typeorm"),
        ("BUNDLE", "bundle"),
        ("PYTHON", "python"),
        ("PHP", "php"),
        ("NODE", "node"),
        ("RUBY", "ruby"),
        ("NPX", "npx"),
        ("NPM", "npm"),
        ("YARN", "yarn"),
        ("COMPOSER", "composer"),
        ("DOCKER", "docker"),
    ];
    let upper = name.to_ascii_uppercase();
    TOOLS
        .iter()
        .find(|(key, _)| upper.contains(key))
        .map(|&(_, tool)| tool)
}

/// `$DIR/x.sh` with `DIR` assigned earlier: the value in place of the variable.
fn expand_leading_variable(word: &str, scope: &Scope<'_>, at_byte: usize) -> String {
    let Some(rest) = word.strip_prefix('$') else {
        return word.to_owned();
    };
    let (name, tail) = match rest.strip_prefix('{') {
        Some(inner) => match inner.split_once('}') {
            Some((name, tail)) => (name, tail),
            None => return word.to_owned(),
        },
        None => {
            let end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            (&rest[..end], &rest[end..])
        }
    };
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return word.to_owned();
    }
    match scope.lookup(name, at_byte) {
        Some(value) => format!("{value}{tail}"),
        None => word.to_owned(),
    }
}

/// The rest of a path that starts with the script's own directory: `$(dirname "$0")`,
/// `$(dirname "${BASH_SOURCE[0]}")`, `$(cd "$(dirname "$0")" && pwd)`, `${0%/*}`.
fn strip_script_dir(word: &str) -> Option<&str> {
    let end = if word.starts_with("$(") {
        let mut level = 0usize;
        let mut end = None;
        for (i, c) in word.char_indices() {
            match c {
                '(' => level += 1,
                ')' => {
                    level = level.saturating_sub(1);
                    if level == 0 {
                        end = Some(i + 1);
                        break;
                    }
                }
                _ => {}
            }
        }
        end?
    } else if word.starts_with("${0") {
        word.find('}')? + 1
    } else {
        return None;
    };
    let expansion = &word[..end];
    let names_dir = expansion == "${0%/*}"
        || (expansion.contains("dirname")
            && (expansion.contains("$0") || expansion.contains("BASH_SOURCE")));
    let rest = &word[end..];
    (names_dir && (rest.is_empty() || rest.starts_with('/'))).then(|| rest.trim_start_matches('/'))
}

/// `dir` joined with `path`, `.` and `..` resolved; `None` when it leaves the bundle.
fn normalise(dir: &str, path: &str) -> Option<String> {
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            other => parts.push(other),
        }
    }
    Some(parts.join("/"))
}

/// `execSync('…')`, `exec("…")`, `spawnSync(`…`, {shell: true})`, `execa.command('…')`,
/// `shell.exec('…')`: group 2 is the command string.
fn js_exec() -> &'static Regex {
    static RE: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r#"\b(?:execSync|exec|execa\.command|execaCommand|execaCommandSync|spawnSync|spawn)\s*\(\s*(['"`])([^'"`]*)['"`]"#)
            .expect("valid regex")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chmod_modes() {
        for mode in [
            "+x", "a+x", "u+x", "755", "0755", "0700", "ug+rwx", "u=rwx", "go-w,u+x", "711",
        ] {
            assert!(adds_exec(mode), "{mode}");
        }
        for mode in ["-x", "644", "0644", "u-x", "a=r", "go+r"] {
            assert!(!adds_exec(mode), "{mode}");
        }
    }

    #[test]
    fn chmod_coverage() {
        let chmod = |targets: &[&str], recursive, name: Option<&str>| Chmod {
            range: 0..0,
            targets: targets.iter().map(|t| t.to_string()).collect(),
            recursive,
            name: name.map(str::to_owned),
        };
        let hook = ".platform/hooks/predeploy/01_migrate.sh";
        assert!(chmod(&[hook], false, None).covers(hook));
        assert!(chmod(&[".platform/hooks/*/*.sh"], false, None).covers(hook));
        assert!(chmod(&[".platform/hooks"], true, None).covers(hook));
        assert!(chmod(&[".platform"], true, Some("*.sh")).covers(hook));
        assert!(chmod(&[""], true, None).covers(hook));
        assert!(!chmod(&[".platform/hooks"], false, None).covers(hook));
        assert!(!chmod(&[".platform/hooks/prebuild"], true, None).covers(hook));
        assert!(!chmod(&[".platform"], true, Some("*.py")).covers(hook));
    }

    #[test]
    fn script_directories_and_paths() {
        assert_eq!(strip_script_dir("$(dirname \"$0\")/x.sh"), Some("x.sh"));
        assert_eq!(
            strip_script_dir("$(dirname $0)/../lib/a.sh"),
            Some("../lib/a.sh")
        );
        assert_eq!(
            strip_script_dir("$(cd \"$(dirname \"${BASH_SOURCE[0]}\")\" && pwd)/a"),
            Some("a")
        );
        assert_eq!(strip_script_dir("${0%/*}/b"), Some("b"));
        assert_eq!(strip_script_dir("$(pwd)/b"), None);
        assert_eq!(
            normalise(".platform/hooks/predeploy", "../lib/a.sh").as_deref(),
            Some(".platform/hooks/lib/a.sh")
        );
        assert_eq!(
            normalise("", "./bin/release").as_deref(),
            Some("bin/release")
        );
        assert_eq!(normalise("", "../outside"), None);
    }
}
