//! The other files of a bundle, read only when a command or hook runs them (a script it
//! executes or sources, `package.json`, `composer.json`), each read and parsed at most once per
//! bundle, and the analysis of each command and hook, computed once whichever rule asks first.
//!
//! Reading is done by a [`FileSource`] that `src/bundle` provides (the disk, or memory for
//! tests and fuzzing); the model only decides what to ask for.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};

use super::{
    Bundle, Command, CommandSection, ConfigFile, Hook, HookKind, HookPhase, Located, ModeOrigin,
};
use crate::shell::{self, Analysis, Files, MigrationCall, Origin, Parsed, Recognizer};
use crate::source::{Location, SourceFile};
use crate::yaml::{self, Document};

/// Reads files of one bundle by their path relative to its root.
pub trait FileSource: Send + Sync {
    /// The file's bytes (at most the read limit), or `None` when it is missing, not a
    /// regular file, or unreadable.
    fn read(&self, rel: &str) -> Option<Vec<u8>>;
    /// The permission bits EB will see, and where they come from.
    fn mode(&self, rel: &str) -> Option<(u32, ModeOrigin)>;
    /// Whether anything is at `rel`: a file (readable or not), a folder, a link, or an entry
    /// of git's index.
    fn exists(&self, rel: &str) -> bool;
}

type Cache<T> = Mutex<HashMap<String, Option<Arc<T>>>>;

/// The recogniser's patterns the analyses were made with, and the analyses by script.
type Analyses = (Vec<String>, HashMap<AnalysisKey, Arc<Analysis>>);

/// Which script an analysis is of: a command by its file's place in EB's order and its node
/// (a file may repeat a command name, EB102), a hook by its place. No string is built for a
/// lookup: rules ask many times per bundle.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum AnalysisKey {
    Command(usize, crate::yaml::NodeId),
    Hook(usize),
}

/// The lazily read files of a bundle, and the analyses made of its scripts.
#[derive(Default)]
pub struct BundleFiles {
    source: Option<Box<dyn FileSource>>,
    texts: Cache<SourceFile>,
    shells: Cache<Parsed>,
    jsons: Cache<Document>,
    /// Command and hook scripts parsed, by text: identical texts (a hook mirrored in
    /// `confighooks`, a command repeated in several files) are parsed once.
    parsed: Mutex<HashMap<String, Arc<Parsed>>>,
    /// The recogniser's patterns the analyses were made with, and the analyses by script.
    analyses: Mutex<Analyses>,
    /// The files read, once the rules are done (see [`BundleFiles::freeze`]).
    read: Vec<Arc<SourceFile>>,
}

impl fmt::Debug for BundleFiles {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BundleFiles")
            .field("source", &self.source.is_some())
            .finish()
    }
}

impl BundleFiles {
    pub fn new(source: Box<dyn FileSource>) -> Self {
        BundleFiles {
            source: Some(source),
            ..BundleFiles::default()
        }
    }

    /// Keeps the files read so far where reports can show them (findings point into them).
    pub fn freeze(&mut self) {
        let texts = self.texts.get_mut().unwrap_or_else(|e| e.into_inner());
        let mut read: Vec<Arc<SourceFile>> = texts.values().flatten().cloned().collect();
        read.sort_by(|a, b| a.path.cmp(&b.path));
        self.read = read;
    }

    /// The files of the bundle read for the rules, after [`BundleFiles::freeze`].
    pub fn read_files(&self) -> impl Iterator<Item = &SourceFile> {
        self.read.iter().map(|s| &**s)
    }
}

fn cached<T>(cache: &Cache<T>, rel: &str, make: impl FnOnce() -> Option<T>) -> Option<Arc<T>> {
    if let Some(hit) = lock(cache).get(rel) {
        return hit.clone();
    }
    // Made outside the lock: parsing may take a while, and two threads never share a bundle.
    let made = make().map(Arc::new);
    lock(cache).insert(rel.to_owned(), made.clone());
    made
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

impl Files for Bundle {
    fn text(&self, rel: &str) -> Option<Arc<SourceFile>> {
        cached(&self.files.texts, rel, || {
            let path = self.display_path(rel);
            // A hook already read for the model is not read again.
            if let Some(hook) = self.hooks.iter().find(|h| h.rel_path == rel) {
                return hook
                    .script()
                    .map(|text| SourceFile::new(path, text.to_owned()));
            }
            let bytes = self.files.source.as_ref()?.read(rel)?;
            if bytes.contains(&0) {
                return None;
            }
            Some(SourceFile::new(
                path,
                String::from_utf8_lossy(&bytes).into_owned(),
            ))
        })
    }

    fn shell(&self, rel: &str) -> Option<Arc<Parsed>> {
        cached(&self.files.shells, rel, || {
            Some(shell::parse_script(&self.text(rel)?.text))
        })
    }

    fn json(&self, rel: &str) -> Option<Arc<Document>> {
        cached(&self.files.jsons, rel, || {
            yaml::parse(&self.text(rel)?.text, yaml::Limits::default()).ok()
        })
    }
}

impl Bundle {
    /// Where `range` of the bundle file `rel` is, when the file could be read.
    pub fn file_location(&self, rel: &str, range: std::ops::Range<usize>) -> Option<Location> {
        Some(self.text(rel)?.location(range))
    }

    /// The text of a bundle file, read once (see [`Files::text`]).
    pub fn text_of(&self, rel: &str) -> Option<Arc<SourceFile>> {
        self.text(rel)
    }

    /// Whether the bundle holds anything at `rel`, which a fix that moves a file there would
    /// overwrite.
    pub fn holds(&self, rel: &str) -> bool {
        self.hooks.iter().any(|h| h.rel_path == rel)
            || self.files.source.as_ref().is_some_and(|s| s.exists(rel))
    }

    /// The mode EB will see for a file of the bundle: git's when the bundle is in a git work
    /// tree (eb-facts §7 #4), else the file system's.
    pub fn file_mode(&self, rel: &str) -> Option<(u32, ModeOrigin)> {
        if let Some(hook) = self.hooks.iter().find(|h| h.rel_path == rel) {
            return hook.mode.map(|m| (m, hook.mode_origin));
        }
        self.files.source.as_ref()?.mode(rel)
    }

    /// What a hook script does: migrations (following the files it runs), the files it runs
    /// and its `chmod`s. It runs from the bundle root (AWS *Platform hooks*: the staging
    /// directory for prebuild and predeploy, the current one for postdeploy).
    pub fn hook_analysis(&self, hook: &Hook, recognizer: &Recognizer) -> Option<Arc<Analysis>> {
        let script = hook.script()?;
        let key = self
            .hooks
            .iter()
            .position(|h| std::ptr::eq(h, hook))
            .map(AnalysisKey::Hook);
        Some(self.analysed(key, recognizer, || {
            let origin = Origin::root(Some(&hook.rel_path));
            recognizer.analyse_parsed(&self.parsed_text(script), &origin, Some(self))
        }))
    }

    /// The simple command of `hook` written at `range` (a migration call's range): where its
    /// program word starts (after `NAME=value` prefixes and redirections), and its words.
    pub fn hook_command(
        &self,
        hook: &Hook,
        range: &std::ops::Range<usize>,
    ) -> Option<(usize, Vec<String>)> {
        let parsed = self.parsed_text(hook.script()?);
        let (program, argv) = parsed.command_at(range)?;
        Some((program, argv.to_vec()))
    }

    /// What a `commands`/`container_commands` entry does. A string runs through `/bin/sh`;
    /// a list is an argv run without a shell (eb-facts §2.2). Container commands run in the
    /// staging directory (the bundle root) unless `cwd` says otherwise; `commands` run from
    /// `/` before the bundle is extracted (eb-facts §2.1), where no file of it exists yet.
    pub fn command_analysis(
        &self,
        file: &ConfigFile,
        cmd: &Command,
        recognizer: &Recognizer,
    ) -> Arc<Analysis> {
        let key = self
            .configs
            .iter()
            .position(|f| std::ptr::eq(f, file))
            .map(|at| AnalysisKey::Command(at, cmd.key));
        self.analysed(key, recognizer, || {
            let Some(command) = cmd.value("command").map(|id| file.node(id)) else {
                return Analysis::default();
            };
            let origin = Origin {
                file: None,
                cwd: command_cwd(file, cmd),
            };
            if let Some(script) = command.as_str() {
                return recognizer.analyse_parsed(&self.parsed_text(script), &origin, Some(self));
            }
            let argv: Option<Vec<&str>> = command.items().iter().map(|n| n.as_str()).collect();
            match argv {
                Some(argv) if command.is_sequence() => {
                    recognizer.analyse_argv(&argv, &origin, Some(self))
                }
                _ => Analysis::default(),
            }
        })
    }

    /// Every migration the bundle applies, with where it runs: the commands of the files EB
    /// applies and the hooks EB runs, following the files they run. For other rooms that ask
    /// "does this bundle run Django/Alembic/Rails/Laravel migrations?": match on
    /// `call.tool` ("Django", "Alembic", "Flask-Migrate", "Rails", "Laravel", ...).
    pub fn migration_calls(
        &self,
        recognizer: &Recognizer,
    ) -> Vec<(MigrationSource<'_>, MigrationCall)> {
        let mut out = Vec::new();
        for file in self.applied_configs() {
            for cmd in &file.commands {
                let analysis = self.command_analysis(file, cmd, recognizer);
                out.extend(
                    analysis
                        .migrations
                        .iter()
                        .map(|m| (MigrationSource::Command(file, cmd), m.clone())),
                );
            }
        }
        for hook in self
            .hooks
            .iter()
            .filter(|h| h.kind.is_some() && h.phase.is_some())
        {
            if let Some(analysis) = self.hook_analysis(hook, recognizer) {
                out.extend(
                    analysis
                        .migrations
                        .iter()
                        .map(|m| (MigrationSource::Hook(hook), m.clone())),
                );
            }
        }
        out
    }

    /// `script` parsed, once per distinct text in the bundle.
    fn parsed_text(&self, script: &str) -> Arc<Parsed> {
        if let Some(hit) = lock(&self.files.parsed).get(script) {
            return hit.clone();
        }
        let parsed = Arc::new(shell::parse_script(script));
        lock(&self.files.parsed).insert(script.to_owned(), parsed.clone());
        parsed
    }

    /// The cached analysis for `key`, made once; a script not of this bundle (no key) is
    /// analysed each time.
    fn analysed(
        &self,
        key: Option<AnalysisKey>,
        recognizer: &Recognizer,
        make: impl FnOnce() -> Analysis,
    ) -> Arc<Analysis> {
        let Some(key) = key else {
            return Arc::new(make());
        };
        {
            let mut cache = lock(&self.files.analyses);
            if !cache.0.iter().map(String::as_str).eq(recognizer.patterns()) {
                // Another configuration: earlier answers do not hold.
                *cache = (
                    recognizer.patterns().map(str::to_owned).collect(),
                    HashMap::new(),
                );
            } else if let Some(hit) = cache.1.get(&key) {
                return hit.clone();
            }
        }
        let made = Arc::new(make());
        lock(&self.files.analyses).1.insert(key, made.clone());
        made
    }
}

/// Where a migration of [`Bundle::migrations`] is started.
#[derive(Clone, Copy, Debug)]
pub enum MigrationSource<'a> {
    Command(&'a ConfigFile, &'a Command),
    Hook(&'a Hook),
}

/// When in a deployment something of the bundle runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RunsAt {
    Hook(HookKind, HookPhase),
    ContainerCommands,
}

impl RunsAt {
    /// (configuration deployment, order): application deployments run prebuild hooks, then
    /// container commands, then predeploy and postdeploy hooks; configuration deployments run
    /// only confighooks (eb-facts §6.3, §2.1).
    fn order(self) -> (bool, u8) {
        let phase = |p: HookPhase| match p {
            HookPhase::Prebuild => 0,
            HookPhase::Predeploy => 2,
            HookPhase::Postdeploy => 3,
        };
        match self {
            RunsAt::Hook(HookKind::Hooks, p) => (false, phase(p)),
            RunsAt::Hook(HookKind::ConfigHooks, p) => (true, phase(p)),
            RunsAt::ContainerCommands => (false, 1),
        }
    }

    fn before(self, other: RunsAt) -> bool {
        let (a, b) = (self.order(), other.order());
        a.0 == b.0 && a.1 < b.1
    }
}

impl Bundle {
    /// A `chmod` in a container command or hook that runs before `at` in the same deployment
    /// and makes the bundle file `target` executable; where it is.
    pub fn chmod_before(
        &self,
        target: &str,
        at: RunsAt,
        recognizer: &Recognizer,
    ) -> Option<Location> {
        if RunsAt::ContainerCommands.before(at) {
            for (file, cmd) in self.applied_container_commands() {
                let analysis = self.command_analysis(file, cmd, recognizer);
                if analysis.chmods.iter().any(|c| c.covers(target)) {
                    return Some(file.location(file.node(cmd.key).span()));
                }
            }
        }
        for hook in &self.hooks {
            let (Some(kind), Some(phase)) = (hook.kind, hook.phase) else {
                continue;
            };
            if !RunsAt::Hook(kind, phase).before(at) {
                continue;
            }
            let Some(analysis) = self.hook_analysis(hook, recognizer) else {
                continue;
            };
            if let Some(chmod) = analysis.chmods.iter().find(|c| c.covers(target)) {
                return Some(hook.location(chmod.range.clone()));
            }
        }
        None
    }
}

/// The working directory of a command relative to the bundle root, `None` outside it.
fn command_cwd(file: &ConfigFile, cmd: &Command) -> Option<String> {
    if cmd.section == CommandSection::Commands {
        return None;
    }
    let Some(cwd) = cmd.value("cwd").and_then(|id| file.node(id).as_str()) else {
        return Some(String::new());
    };
    let cwd = cwd.trim_end_matches('/');
    for app in ["/var/app/staging", "/var/app/current"] {
        if let Some(rest) = cwd.strip_prefix(app) {
            if rest.is_empty() {
                return Some(String::new());
            }
            if let Some(rel) = rest.strip_prefix('/') {
                return Some(rel.to_owned());
            }
        }
    }
    None
}
