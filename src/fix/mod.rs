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

use std::collections::HashSet;
use std::path::PathBuf;

use crate::finding::{Applicability, Edit, Finding};
use crate::rules::eb100_invalid_syntax;
use crate::{Options, Outcome};

pub use diff::render as diff;
pub use workspace::{Change, Workspace};

/// Rounds before giving up; each round needs a finding whose fix a previous round enabled, so
/// real bundles settle in two or three.
const MAX_ROUNDS: usize = 10;

/// What a fix run did.
#[derive(Debug, Default)]
pub struct FixRun {
    /// The files as they would be (or now are) after the fixes.
    pub workspace: Workspace,
    /// Fixes applied, over every round.
    pub applied: usize,
    /// Fixes left alone because they are unsafe and `--unsafe-fixes` was not given.
    pub unsafe_left: usize,
    /// Problems met: a fix that broke a file and was undone, rounds that did not settle.
    pub errors: Vec<String>,
}

/// Which fixes a run applies.
pub fn allowed(applicability: Applicability, unsafe_fixes: bool) -> bool {
    applicability == Applicability::Safe || unsafe_fixes
}

/// Applies the fixes for the findings of `paths` in memory, round after round. The caller
/// writes [`FixRun::workspace`] to disk (`--fix`) or prints it as a diff (`--diff`).
pub fn run(paths: &[PathBuf], options: &Options, unsafe_fixes: bool) -> FixRun {
    let mut run = FixRun {
        workspace: Workspace::new(options.overlay.clone()),
        ..FixRun::default()
    };
    let mut options = options.clone();
    // Fixes that broke a file once, by (rule, file, title): never tried again.
    let mut rejected: HashSet<(String, String, String)> = HashSet::new();
    for round in 0.. {
        let outcome = crate::check(paths, &options);
        if round == MAX_ROUNDS {
            run.errors.push(format!(
                "fixes did not settle after {MAX_ROUNDS} rounds; what was fixed so far is kept"
            ));
            break;
        }
        if round > 0 {
            let broken = newly_broken(&outcome, &run.workspace);
            if !broken.is_empty() {
                for (path, fixes) in run.workspace.undo_last_round(&broken) {
                    for (rule, title) in fixes {
                        run.applied -= 1;
                        run.errors.push(format!(
                            "the fix \"{title}\" ({rule}) would have left {path} unreadable to EB, so it was not applied; please report this as an ebguard bug"
                        ));
                        rejected.insert((rule, path.clone(), title));
                    }
                }
                options.overlay = run.workspace.overlay(&options.overlay);
                continue;
            }
        }
        run.unsafe_left = count_unsafe(&outcome, unsafe_fixes);
        let chosen = choose(&outcome, &run.workspace, unsafe_fixes, &rejected);
        if chosen.is_empty() {
            break;
        }
        run.workspace.begin_round();
        for finding in &chosen {
            let fix = first_allowed(finding, unsafe_fixes, &rejected).expect("chosen has a fix");
            run.workspace.apply(finding.rule.id, fix);
            run.applied += 1;
        }
        run.workspace.end_round();
        options.overlay = run.workspace.overlay(&options.overlay);
    }
    run
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

fn count_unsafe(outcome: &Outcome, unsafe_fixes: bool) -> usize {
    if unsafe_fixes {
        return 0;
    }
    outcome
        .findings
        .iter()
        .filter(|f| !f.fixes.is_empty() && f.fixes.iter().all(|x| !allowed(x.applicability, false)))
        .count()
}

fn first_allowed<'f>(
    finding: &'f Finding,
    unsafe_fixes: bool,
    rejected: &HashSet<(String, String, String)>,
) -> Option<&'f crate::finding::Fix> {
    finding.fixes.iter().find(|fix| {
        allowed(fix.applicability, unsafe_fixes)
            && !fix.edits.iter().any(|e| {
                rejected.contains(&(
                    finding.rule.id.to_string(),
                    e.path().to_string(),
                    fix.title.clone(),
                ))
            })
    })
}

/// One fix per finding, in report order, skipping any whose edits overlap an edit already
/// chosen this round (the next round, on the changed text, offers it again) or repeat a file
/// operation already done.
fn choose<'o>(
    outcome: &'o Outcome,
    workspace: &Workspace,
    unsafe_fixes: bool,
    rejected: &HashSet<(String, String, String)>,
) -> Vec<&'o Finding> {
    let mut findings: Vec<&Finding> = outcome.findings.iter().collect();
    findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    let mut taken: Vec<&Edit> = Vec::new();
    let mut chosen = Vec::new();
    for finding in findings {
        let Some(fix) = first_allowed(finding, unsafe_fixes, rejected) else {
            continue;
        };
        if fix.edits.is_empty() || fix.edits.iter().any(|e| workspace.already_done(e)) {
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
        chosen.push(finding);
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
    /// Fixes applied.
    pub applied: usize,
    /// Files changed (renamed ones counted once).
    pub files: usize,
    /// Findings whose only fixes are unsafe, left for `--unsafe-fixes`.
    pub unsafe_left: usize,
    pub errors: Vec<String>,
}

/// Passes of fix-then-write: a rename or a new executable bit is only seen by a check that
/// reads the disk again, and the file it brings into EB's view may have fixes of its own.
const MAX_PASSES: usize = 3;

/// `--fix`: applies the fixes and writes the files, pass after pass until nothing is left to
/// fix. The caller checks again afterwards and reports what is left.
pub fn write(paths: &[PathBuf], options: &Options, unsafe_fixes: bool) -> Written {
    let mut written = Written::default();
    let mut paths = paths.to_vec();
    for _ in 0..MAX_PASSES {
        let run = run(&paths, options, unsafe_fixes);
        written.unsafe_left = run.unsafe_left;
        written.errors.extend(run.errors);
        if run.workspace.is_empty() {
            break;
        }
        written.applied += run.applied;
        written.files += run.workspace.changes().count();
        written.errors.extend(run.workspace.write());
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
