//! `check --fix`, `--unsafe-fixes` and `--diff`: applies the fixes rules attach to findings.
//!
//! Fixes are data on findings (`finding::Fix`); this room only chooses and applies them. It
//! works on an in-memory copy of the changed files (the check's overlay), so `--diff` and
//! `--fix` share every step but the last: a round checks the bundle, takes one fix per finding
//! whose edits touch nothing another chosen fix touches, and applies them; rounds repeat until
//! no fix is left, because a fix can reveal or enable another. A round that would break a
//! file's syntax is undone and its fixes are never tried again: ebguard fails closed.

mod diff;
mod workspace;

use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};

use crate::bundle::normalize;
use crate::finding::{Applicability, Edit, Finding, Fix};
use crate::rules::eb100_invalid_syntax;
use crate::{Options, Outcome};

pub use diff::render as diff;
pub use workspace::{Change, Workspace};

/// Rounds before giving up; each round needs a finding whose fix a previous round enabled, so
/// real bundles settle in two or three.
const MAX_ROUNDS: usize = 10;

/// One fix a run applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Applied {
    /// The rule whose finding offered it.
    pub rule: &'static str,
    /// The round that applied it, from 0: its edits' byte ranges are in the texts as that
    /// round found them, and the round's edits were applied from the end of each file back.
    pub round: usize,
    pub fix: Fix,
}

/// What a fix run did.
#[derive(Debug, Default)]
pub struct FixRun {
    /// The files as they would be (or now are) after the fixes.
    pub workspace: Workspace,
    /// The fixes applied, round after round (none that was undone).
    pub applied: Vec<Applied>,
    /// Fixes left alone because they are unsafe and `--unsafe-fixes` was not given.
    pub unsafe_left: usize,
    /// Paths that could not be read or are not in a bundle, as `check` reports them.
    pub input_errors: Vec<String>,
    /// Problems met: a fix that broke a file and was undone, rounds that did not settle.
    pub errors: Vec<String>,
}

/// Which fixes a run applies.
pub fn allowed(applicability: Applicability, unsafe_fixes: bool) -> bool {
    applicability == Applicability::Safe || unsafe_fixes
}

/// A fix that broke a file once, never offered again in the run.
type Rejected = Vec<(&'static str, Fix)>;

/// Applies the fixes for the findings of `paths` in memory, round after round. The caller
/// writes [`FixRun::workspace`] to disk (`--fix`) or prints it as a diff (`--diff`).
///
/// Only files at or below `paths` are changed: `ebguard check --fix app/.ebextensions/x.config`
/// (as pre-commit runs it on the files of a commit) fixes that file, although the check reads
/// the whole bundle to judge it.
pub fn run(paths: &[PathBuf], options: &Options, unsafe_fixes: bool) -> FixRun {
    let mut run = FixRun {
        workspace: Workspace::new(options.overlay.clone()),
        ..FixRun::default()
    };
    let scope = Scope::new(paths);
    let mut options = options.clone();
    let mut rejected: Rejected = Vec::new();
    let mut last_round = None;
    for round in 0.. {
        let outcome = crate::check(paths, &options);
        if round == 0 {
            run.input_errors.clone_from(&outcome.input_errors);
        }
        if round == MAX_ROUNDS {
            run.errors.push(format!(
                "fixes did not settle after {MAX_ROUNDS} rounds; what was fixed so far is kept"
            ));
            break;
        }
        if let Some(last) = last_round.take() {
            let broken = newly_broken(&outcome, &run.workspace);
            if !broken.is_empty() {
                undo(&mut run, last, broken, &mut rejected);
                options.overlay = run.workspace.overlay(&options.overlay);
                continue;
            }
        }
        run.unsafe_left = count_unsafe(&outcome, unsafe_fixes, &scope);
        let chosen = choose(&outcome, &run.workspace, unsafe_fixes, &rejected, &scope);
        if chosen.is_empty() {
            break;
        }
        run.workspace.begin_round();
        for (rule, fix) in chosen {
            match run.workspace.apply(fix) {
                Ok(()) => run.applied.push(Applied {
                    rule,
                    round,
                    fix: fix.clone(),
                }),
                Err(why) => run.errors.push(format!(
                    "the fix \"{}\" ({rule}) was not applied: {why}; please report this as an ebguard bug",
                    fix.title
                )),
            }
        }
        run.workspace.end_round();
        last_round = Some(round);
        options.overlay = run.workspace.overlay(&options.overlay);
    }
    run
}

/// Undoes the fixes of round `last` that touched a `broken` file: each whole, in every file it
/// edits, so a fix is applied entirely or not at all. Restoring a file undoes the round's
/// other fixes in it too; those are tried again next round, the breaking ones never.
fn undo(run: &mut FixRun, last: usize, broken: Vec<String>, rejected: &mut Rejected) {
    let touches = |applied: &Applied, files: &BTreeSet<String>| {
        applied.round == last && applied.fix.edits.iter().any(|e| files.contains(e.path()))
    };
    let broken: BTreeSet<String> = broken.into_iter().collect();
    let mut restore = broken.clone();
    loop {
        let more: Vec<String> = run
            .applied
            .iter()
            .filter(|a| touches(a, &restore))
            .flat_map(|a| a.fix.edits.iter().map(|e| e.path().to_string()))
            .filter(|p| !restore.contains(p))
            .collect();
        if more.is_empty() {
            break;
        }
        restore.extend(more);
    }
    run.workspace.undo_round(&restore);
    let (undone, kept): (Vec<Applied>, Vec<Applied>) = std::mem::take(&mut run.applied)
        .into_iter()
        .partition(|a| touches(a, &restore));
    run.applied = kept;
    for applied in undone.into_iter().filter(|a| touches(a, &broken)) {
        for path in broken
            .iter()
            .filter(|p| applied.fix.edits.iter().any(|e| e.path() == *p))
        {
            run.errors.push(format!(
                "the fix \"{}\" ({}) would have left {path} unreadable to EB, so it was not applied; please report this as an ebguard bug",
                applied.fix.title, applied.rule
            ));
        }
        rejected.push((applied.rule, applied.fix));
    }
}

/// Files with a syntax error (EB100) now that had none before any fix.
fn newly_broken(outcome: &Outcome, workspace: &Workspace) -> Vec<String> {
    outcome
        .findings
        .iter()
        .filter(|f| f.rule.id == eb100_invalid_syntax::RULE.id)
        .map(|f| f.location.path.clone())
        .filter(|p| workspace.changed_this_round(p))
        .collect()
}

/// Findings in reach of the run whose only fixes are unsafe.
fn count_unsafe(outcome: &Outcome, unsafe_fixes: bool, scope: &Scope) -> usize {
    if unsafe_fixes {
        return 0;
    }
    outcome
        .findings
        .iter()
        .filter(|f| {
            !f.fixes.is_empty()
                && f.fixes.iter().all(|x| {
                    !allowed(x.applicability, false)
                        && x.edits.iter().all(|e| scope.contains(e.path()))
                })
        })
        .count()
}

fn first_allowed<'f>(
    finding: &'f Finding,
    unsafe_fixes: bool,
    rejected: &Rejected,
) -> Option<&'f Fix> {
    finding.fixes.iter().find(|fix| {
        allowed(fix.applicability, unsafe_fixes)
            && !rejected
                .iter()
                .any(|(rule, f)| *rule == finding.rule.id && f == *fix)
    })
}

/// The files a run may change: those named, and those below a named directory.
struct Scope {
    files: Vec<PathBuf>,
    dirs: Vec<PathBuf>,
}

impl Scope {
    fn new(paths: &[PathBuf]) -> Self {
        let mut scope = Scope {
            files: Vec::new(),
            dirs: Vec::new(),
        };
        for path in paths {
            let normal = normalize(path);
            if path.is_dir() {
                scope.dirs.push(normal);
            } else if path.file_name().is_some_and(|n| n == "ebguard.toml") {
                // Naming the configuration checks every bundle at or below it.
                scope.dirs.extend(normal.parent().map(Path::to_path_buf));
            } else {
                scope.files.push(normal);
            }
        }
        scope
    }

    fn contains(&self, path: &str) -> bool {
        let path = normalize(Path::new(path));
        self.files.contains(&path) || self.dirs.iter().any(|d| path.starts_with(d))
    }
}

/// One fix per finding, in report order, skipping any whose edits overlap an edit already
/// chosen this round (the next round, on the changed text, offers it again), repeat a file
/// operation already done, or reach outside the files the run may change.
fn choose<'o>(
    outcome: &'o Outcome,
    workspace: &Workspace,
    unsafe_fixes: bool,
    rejected: &Rejected,
    scope: &Scope,
) -> Vec<(&'static str, &'o Fix)> {
    let mut findings: Vec<&Finding> = outcome.findings.iter().collect();
    findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    let mut taken: Vec<&Edit> = Vec::new();
    let mut chosen = Vec::new();
    for finding in findings {
        let Some(fix) = first_allowed(finding, unsafe_fixes, rejected) else {
            continue;
        };
        if fix.edits.is_empty()
            || fix.edits.iter().any(|e| workspace.already_done(e))
            || !fix.edits.iter().all(|e| scope.contains(e.path()))
        {
            continue;
        }
        if fix
            .edits
            .iter()
            .any(|e| taken.iter().any(|t| conflicts(e, t)))
        {
            continue;
        }
        taken.extend(fix.edits.iter());
        chosen.push((finding.rule.id, fix));
    }
    chosen
}

/// Whether two edits cannot both be applied in one round: text edits whose ranges overlap or
/// insert at the same place, or anything else on a file being renamed.
fn conflicts(a: &Edit, b: &Edit) -> bool {
    match (a, b) {
        (Edit::Replace { at: x, .. }, Edit::Replace { at: y, .. }) => {
            x.path == y.path
                && (x.span.start < y.span.end && y.span.start < x.span.end
                    || x.span.start == y.span.start
                    || (x.span.is_empty() && y.span.contains(&x.span.start))
                    || (y.span.is_empty() && x.span.contains(&y.span.start)))
        }
        (Edit::Rename { from, to }, other) | (other, Edit::Rename { from, to }) => {
            other.path() == from
                || other.path() == to
                || matches!(other, Edit::Rename { to: t, .. } if t == to)
        }
        (Edit::MakeExecutable { path: p, .. }, Edit::MakeExecutable { path: q, .. }) => p == q,
        _ => false,
    }
}

/// What `--fix` did on disk.
#[derive(Debug, Default)]
pub struct Written {
    /// The fixes applied, pass by pass: a pass writes what its rounds changed, and the next
    /// one checks the disk again (renamed files, new executable bits).
    pub passes: Vec<Vec<Applied>>,
    /// Files changed (renamed ones counted once).
    pub files: usize,
    /// Findings whose only fixes are unsafe, left for `--unsafe-fixes`.
    pub unsafe_left: usize,
    pub errors: Vec<String>,
}

impl Written {
    /// How many fixes were applied.
    pub fn applied(&self) -> usize {
        self.passes.iter().map(Vec::len).sum()
    }
}

/// Passes of fix-then-write: a rename or a new executable bit is only seen by a check that
/// reads the disk again, and the file it brings into EB's view may have fixes of its own.
const MAX_PASSES: usize = 3;

/// `--fix`: applies the fixes and writes the files, pass after pass until nothing is left to
/// fix. The caller checks again afterwards and reports what is left.
pub fn write(paths: &[PathBuf], options: &Options, unsafe_fixes: bool) -> Written {
    let mut written = Written::default();
    let mut paths = paths.to_vec();
    // Files changed, by their final names, so a file renamed in one pass and edited in the
    // next counts once.
    let mut files = HashSet::new();
    for _ in 0..MAX_PASSES {
        let run = run(&paths, options, unsafe_fixes);
        written.unsafe_left = run.unsafe_left;
        written.errors.extend(run.errors);
        if run.workspace.is_empty() {
            break;
        }
        for change in run.workspace.changes() {
            files.insert(normalize(Path::new(
                change.rename_to.as_deref().unwrap_or(&change.path),
            )));
        }
        written.files = files.len();
        written.errors.extend(run.workspace.write());
        written.passes.push(run.applied);
        // A path given on the command line that was just renamed is checked under its new name.
        for change in run.workspace.changes() {
            if let Some(to) = &change.rename_to {
                for p in paths
                    .iter_mut()
                    .filter(|p| p.as_os_str() == change.path.as_str())
                {
                    *p = PathBuf::from(to);
                }
            }
        }
        if !run
            .workspace
            .changes()
            .any(|c| c.rename_to.is_some() || c.make_executable.is_some())
        {
            break;
        }
    }
    written
}

#[cfg(test)]
mod tests;
