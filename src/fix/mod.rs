//! `check --fix`, `--unsafe-fixes` and `--diff`: applies the fixes rules attach to findings.
//!
//! Fixes are data on findings (`finding::Fix`); this room only chooses and applies them. It
//! works on an in-memory copy of the changed files (the check's overlay), so `--diff` and
//! `--fix` share every step but the last: a round checks the bundle, takes one fix per finding
//! whose edits touch nothing another chosen fix touches, and applies them; rounds repeat until
//! no fix is left, because a fix can reveal or enable another. A round that would break a
//! file's syntax or bring a new error into it is undone, and the fix that did it is never
//! tried again: ebguard fails closed.

mod diff;
mod workspace;

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use crate::bundle::normalize;
use crate::finding::{Applicability, Edit, Finding, Fix, Severity};
use crate::rules::eb100_invalid_syntax;
use crate::{Options, Outcome};

pub use diff::render as diff;
pub use workspace::{Change, Workspace};

/// Rounds before giving up. Real bundles settle in two or three (a round is needed only for a
/// fix that a previous one enabled or that overlapped another); a file whose fixes did harm
/// together takes one round per fix.
const MAX_ROUNDS: usize = 32;

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
    /// Fixes not applied because they would bring a new error; their findings stay.
    pub skipped: Vec<String>,
}

/// Which fixes a run applies.
pub fn allowed(applicability: Applicability, unsafe_fixes: bool) -> bool {
    applicability == Applicability::Safe || unsafe_fixes
}

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
    let mut scope = Scope::new(paths);
    let mut options = options.clone();
    let mut judged = Judged::default();
    let mut errors_before = ErrorCounts::new();
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
            let fixable = |f: &Finding| {
                first_allowed(f, unsafe_fixes, &judged)
                    .is_some_and(|fix| fix.edits.iter().all(|e| scope.contains(e.path())))
            };
            let harms = harms(&outcome, &errors_before, &run.workspace, fixable);
            if !harms.is_empty() {
                undo(&mut run, last, &harms, &mut judged);
                options.overlay = run.workspace.overlay();
                continue;
            }
        }
        errors_before = error_counts(&outcome);
        run.unsafe_left = count_unsafe(&outcome, unsafe_fixes, &scope);
        let chosen = choose(&outcome, &run.workspace, unsafe_fixes, &judged, &scope);
        if chosen.is_empty() {
            break;
        }
        run.workspace.begin_round();
        for (rule, fix) in chosen {
            match run.workspace.apply(fix) {
                Ok(()) => {
                    scope.follow_renames(fix);
                    run.applied.push(Applied {
                        rule,
                        round,
                        fix: fix.clone(),
                    })
                }
                Err(why) => run.errors.push(format!(
                    "the fix \"{}\" ({rule}) was not applied: {why}; please report this as an ebguard bug",
                    fix.title
                )),
            }
        }
        run.workspace.end_round();
        last_round = Some(round);
        options.overlay = run.workspace.overlay();
    }
    run
}

/// What the run learnt about fixes that did harm.
#[derive(Default)]
struct Judged {
    /// Fixes that did harm when applied alone: never offered again in the run.
    rejected: Vec<(&'static str, Fix)>,
    /// Files where fixes applied together did harm: from then on, one fix per round each, so
    /// every fix there is judged alone.
    serial: BTreeSet<String>,
}

/// A new problem in a file a round changed: a syntax error (EB100), or one error-severity
/// finding more than before the round.
struct Harm {
    path: String,
    rule: &'static str,
    message: String,
}

/// Error findings (and EB100 of any severity) by rule and file.
type ErrorCounts = HashMap<(&'static str, String), usize>;

fn is_harm(finding: &Finding) -> bool {
    finding.severity == Severity::Error || finding.rule.id == eb100_invalid_syntax::RULE.id
}

fn error_counts(outcome: &Outcome) -> ErrorCounts {
    let mut counts = ErrorCounts::new();
    for f in outcome.findings.iter().filter(|f| is_harm(f)) {
        *counts
            .entry((f.rule.id, f.location.path.clone()))
            .or_default() += 1;
    }
    counts
}

/// What the last round broke: in each file it changed, the errors that are new and that no
/// fix of this run repairs. A fix must leave the file readable and bring no new error (the
/// fixed findings go, nothing worse comes): two fixes that each add `leader_only` to one
/// command, or a rename onto a key that exists, are refused rather than trading one error for
/// another. An error a fix repairs next round may come: renaming `x.yml` to `x.config` shows
/// its `timeout:` key, which the next round removes.
fn harms(
    outcome: &Outcome,
    before: &ErrorCounts,
    workspace: &Workspace,
    fixable: impl Fn(&Finding) -> bool,
) -> Vec<Harm> {
    let mut out: Vec<Harm> = error_counts(outcome)
        .into_iter()
        .filter(|((rule, path), n)| {
            workspace.changed_this_round(path)
                && *n > before.get(&(*rule, path.clone())).copied().unwrap_or(0)
        })
        .filter_map(|((rule, path), _)| {
            let first = outcome.findings.iter().find(|f| {
                f.rule.id == rule && f.location.path == path && is_harm(f) && !fixable(f)
            })?;
            Some(Harm {
                message: first.message.clone(),
                path,
                rule,
            })
        })
        .collect();
    out.sort_by(|a, b| (&a.path, a.rule).cmp(&(&b.path, b.rule)));
    out
}

/// Undoes the fixes of round `last` that touched a harmed file: each whole, in every file it
/// edits, so a fix is applied entirely or not at all. Restoring a file undoes the round's
/// other fixes in it too. A fix that was alone in a harmed file is rejected for the run; when
/// several were, the file gets one fix per round from now on, to find out which one harms.
fn undo(run: &mut FixRun, last: usize, harms: &[Harm], judged: &mut Judged) {
    // Files by their names on disk: a check names a renamed file by its new name, the rename
    // itself by its old one.
    let disk = |path: &str| run.workspace.on_disk(path);
    let touched: Vec<BTreeSet<String>> = run
        .applied
        .iter()
        .map(|a| match a.round == last {
            true => a.fix.edits.iter().map(|e| disk(e.path())).collect(),
            false => BTreeSet::new(),
        })
        .collect();
    let harmed: Vec<String> = harms.iter().map(|h| disk(&h.path)).collect();
    let mut restore: BTreeSet<String> = harmed.iter().cloned().collect();
    loop {
        let more: BTreeSet<String> = touched
            .iter()
            .filter(|files| !files.is_disjoint(&restore))
            .flatten()
            .filter(|p| !restore.contains(*p))
            .cloned()
            .collect();
        if more.is_empty() {
            break;
        }
        restore.extend(more);
    }
    run.workspace.undo_round(&restore);
    let mut undone = Vec::new();
    for (applied, files) in std::mem::take(&mut run.applied).into_iter().zip(touched) {
        if files.is_disjoint(&restore) {
            run.applied.push(applied);
        } else {
            undone.push((applied, files));
        }
    }
    for (harm, file) in harms.iter().zip(harmed) {
        let culprits: Vec<&Applied> = undone
            .iter()
            .filter(|(_, files)| files.contains(&file))
            .map(|(a, _)| a)
            .collect();
        let [culprit] = culprits[..] else {
            judged.serial.insert(file);
            continue;
        };
        let (title, path) = (&culprit.fix.title, &harm.path);
        if harm.rule == eb100_invalid_syntax::RULE.id {
            run.errors.push(format!(
                "the fix \"{title}\" ({}) would have left {path} unreadable to EB, so it was not applied; please report this as an ebguard bug",
                culprit.rule
            ));
        } else {
            run.skipped.push(format!(
                "the fix \"{title}\" ({}) was not applied: it would bring {} in {path}: {}",
                culprit.rule, harm.rule, harm.message
            ));
        }
        let known = judged
            .rejected
            .iter()
            .any(|(r, f)| *r == culprit.rule && *f == culprit.fix);
        if !known {
            judged.rejected.push((culprit.rule, culprit.fix.clone()));
        }
    }
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

fn first_allowed<'f>(finding: &'f Finding, unsafe_fixes: bool, judged: &Judged) -> Option<&'f Fix> {
    finding.fixes.iter().find(|fix| {
        allowed(fix.applicability, unsafe_fixes)
            && !judged
                .rejected
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

    /// A file in scope that a fix renames stays in scope under its new name.
    fn follow_renames(&mut self, fix: &Fix) {
        for edit in &fix.edits {
            if let Edit::Rename { from, to } = edit {
                if self.contains(from) {
                    self.files.push(normalize(Path::new(to)));
                }
            }
        }
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
    judged: &Judged,
    scope: &Scope,
) -> Vec<(&'static str, &'o Fix)> {
    let mut findings: Vec<&Finding> = outcome.findings.iter().collect();
    findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    let mut taken: Vec<&Edit> = Vec::new();
    let mut chosen = Vec::new();
    for finding in findings {
        let Some(fix) = first_allowed(finding, unsafe_fixes, judged) else {
            continue;
        };
        // One fix per round in a file where fixes together did harm.
        let serial_taken = fix.edits.iter().any(|e| {
            let file = workspace.on_disk(e.path());
            judged.serial.contains(&file)
                && taken.iter().any(|t| workspace.on_disk(t.path()) == file)
        });
        if serial_taken {
            continue;
        }
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
    /// The fixes applied.
    pub applied: Vec<Applied>,
    /// Files changed (renamed ones counted once).
    pub files: usize,
    /// Findings whose only fixes are unsafe, left for `--unsafe-fixes`.
    pub unsafe_left: usize,
    pub errors: Vec<String>,
    /// Fixes not applied because they would bring a new error.
    pub skipped: Vec<String>,
    /// The paths to check afterwards: those given, a renamed file under its new name.
    pub paths: Vec<PathBuf>,
}

/// `--fix`: applies the fixes and writes the files. The run already saw renamed files under
/// their new names, so what it writes is what `--diff` shows. The caller checks again
/// afterwards and reports what is left.
pub fn write(paths: &[PathBuf], options: &Options, unsafe_fixes: bool) -> Written {
    let run = run(paths, options, unsafe_fixes);
    let mut errors = run.errors;
    errors.extend(run.workspace.write());
    let renamed = |p: &PathBuf| {
        run.workspace
            .changes()
            .find(|c| c.rename_to.is_some() && Path::new(&c.path) == p)
            .and_then(|c| c.rename_to.as_deref())
            .map_or_else(|| p.clone(), PathBuf::from)
    };
    Written {
        files: run.workspace.changes().count(),
        paths: paths.iter().map(renamed).collect(),
        applied: run.applied,
        unsafe_left: run.unsafe_left,
        errors,
        skipped: run.skipped,
    }
}

#[cfg(test)]
mod tests;
