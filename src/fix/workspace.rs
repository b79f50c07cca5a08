//! The files a fix run changes, held in memory until `--fix` writes them.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::ops::Range;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use crate::bundle::{normalize, Overlay};
use crate::finding::{Edit, Fix};

/// One file's pending changes. Paths are display paths: relative to the current directory or
/// absolute, so they name the real file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Change {
    pub path: String,
    /// The text before any fix, when a fix edits the text.
    pub original: Option<String>,
    /// The text after the fixes.
    pub text: Option<String>,
    /// The new name, when a fix renames the file.
    pub rename_to: Option<String>,
    /// Set the executable bit; `Some(true)` in git's index too.
    pub make_executable: Option<bool>,
}

impl Change {
    /// Whether the file changes at all.
    pub fn is_change(&self) -> bool {
        self.text != self.original || self.rename_to.is_some() || self.make_executable.is_some()
    }
}

#[derive(Debug, Default)]
pub struct Workspace {
    /// Texts the run started from that are not on disk (standard input, editor buffers).
    base: Overlay,
    /// By the file's name on disk; a renamed file keeps its old name here.
    changes: BTreeMap<String, Change>,
    /// Each file the current round touches, as it was before the round (`None`: unchanged
    /// until then), so a round that broke it can be undone.
    round: BTreeMap<String, Option<Change>>,
    /// The round's text edits (by name on disk), applied together at its end.
    pending: Vec<(String, Range<usize>, String)>,
}

impl Workspace {
    pub fn new(base: Overlay) -> Self {
        Workspace {
            base,
            ..Workspace::default()
        }
    }

    /// The files that change, by path.
    pub fn changes(&self) -> impl Iterator<Item = &Change> {
        self.changes.values().filter(|c| c.is_change())
    }

    pub fn is_empty(&self) -> bool {
        self.changes().next().is_none()
    }

    /// The name on disk of the file a check sees at `path`: a file a fix renamed is checked
    /// under its new name, and changed under its old one.
    pub(super) fn on_disk(&self, path: &str) -> String {
        let mut renamed = self
            .changes
            .values()
            .filter_map(|c| Some((c.rename_to.as_deref()?, &c.path)))
            .peekable();
        if renamed.peek().is_none() {
            return path.to_string();
        }
        let wanted = normalize(Path::new(path));
        renamed
            .find(|(to, _)| *to == path || normalize(Path::new(to)) == wanted)
            .map_or_else(|| path.to_string(), |(_, from)| from.clone())
    }

    /// The text of `path` (as a check names it) after the fixes so far.
    pub fn text(&self, path: &str) -> Option<&str> {
        self.changes.get(&self.on_disk(path))?.text.as_deref()
    }

    /// The files as the fixes so far leave them, laid over the texts the run started from,
    /// for the next check: edited texts, and renamed files under their new names only. Built
    /// afresh each time, so a file whose edits were undone reads as it was.
    pub fn overlay(&self) -> Overlay {
        let mut overlay = self.base.clone();
        for change in self.changes.values() {
            let text = change.text.clone().or_else(|| match change.rename_to {
                Some(_) => self.read(&change.path),
                None => None,
            });
            let Some(text) = text else {
                // A file that is not text is renamed on disk only; checks see its old name.
                continue;
            };
            match &change.rename_to {
                Some(to) => {
                    overlay.hide(Path::new(&change.path));
                    if let Ok(meta) = std::fs::metadata(&change.path) {
                        overlay.set_mode(Path::new(to), meta.permissions().mode() & 0o7777);
                    }
                    overlay.insert(Path::new(to), text);
                }
                None => overlay.insert(Path::new(&change.path), text),
            }
        }
        overlay
    }

    pub(super) fn begin_round(&mut self) {
        self.round.clear();
    }

    /// Whether this round changed the file a check sees at `path`.
    pub(super) fn changed_this_round(&self, path: &str) -> bool {
        self.round.contains_key(&self.on_disk(path))
    }

    /// A file operation this run already made: checks still see the file's mode on disk as
    /// it was, so the finding (and its fix) comes back each round until the run writes.
    pub(super) fn already_done(&self, edit: &Edit) -> bool {
        let done = |path: &str, what: fn(&Change) -> bool| {
            self.changes.get(&self.on_disk(path)).is_some_and(what)
        };
        match edit {
            Edit::Replace { .. } => false,
            Edit::Rename { from, .. } => done(from, |c| c.rename_to.is_some()),
            Edit::MakeExecutable { path, .. } => done(path, |c| c.make_executable.is_some()),
        }
    }

    fn read(&self, path: &str) -> Option<String> {
        match self.base.get(Path::new(path)) {
            Some(text) => Some(text.to_string()),
            None => std::fs::read_to_string(path).ok(),
        }
    }

    fn entry(&mut self, disk: &str) -> &mut Change {
        self.changes
            .entry(disk.to_string())
            .or_insert_with(|| Change {
                path: disk.to_string(),
                ..Change::default()
            })
    }

    /// Records every edit of `fix`; [`Workspace::end_round`] applies the text edits. A fix
    /// whose byte ranges do not fit the text the round checked is refused whole.
    pub(super) fn apply(&mut self, fix: &Fix) -> Result<(), String> {
        for edit in &fix.edits {
            if let Edit::Replace { at, .. } = edit {
                let disk = self.on_disk(&at.path);
                let text = match self.changes.get(&disk).and_then(|c| c.text.clone()) {
                    Some(text) => text,
                    None => self
                        .read(&disk)
                        .ok_or_else(|| format!("{} cannot be read", at.path))?,
                };
                let fits = at.span.start <= at.span.end
                    && at.span.end <= text.len()
                    && text.is_char_boundary(at.span.start)
                    && text.is_char_boundary(at.span.end);
                if !fits {
                    return Err(format!(
                        "its edit of {} at bytes {:?} is outside the text",
                        at.path, at.span
                    ));
                }
            }
        }
        for edit in &fix.edits {
            let disk = self.on_disk(edit.path());
            if !self.round.contains_key(&disk) {
                let before = self.changes.get(&disk).cloned();
                self.round.insert(disk.clone(), before);
            }
            match edit {
                Edit::Replace { at, text } => {
                    self.pending.push((disk, at.span.clone(), text.clone()))
                }
                Edit::Rename { to, .. } => self.entry(&disk).rename_to = Some(to.clone()),
                Edit::MakeExecutable { git, .. } => self.entry(&disk).make_executable = Some(*git),
            }
        }
        Ok(())
    }

    /// Applies the round's text edits, file by file from the end backwards, so every edit's
    /// offsets stay those its rule computed on the text the round checked. Of two insertions
    /// at one place (one fix's), the one listed first ends up first.
    pub(super) fn end_round(&mut self) {
        let mut pending: Vec<_> = std::mem::take(&mut self.pending)
            .into_iter()
            .enumerate()
            .collect();
        pending.sort_by(|(i, (a, x, _)), (j, (b, y, _))| {
            (a, Reverse(x.start), Reverse(i)).cmp(&(b, Reverse(y.start), Reverse(j)))
        });
        for (_, (disk, span, text)) in pending {
            if self
                .changes
                .get(&disk)
                .and_then(|c| c.text.as_ref())
                .is_none()
            {
                let Some(original) = self.read(&disk) else {
                    continue;
                };
                let change = self.entry(&disk);
                change.original = Some(original.clone());
                change.text = Some(original);
            }
            let current = self.entry(&disk).text.as_mut().expect("read above");
            current.replace_range(span, &text);
        }
    }

    /// Puts the files a check sees at `paths` back as they were before this round: texts,
    /// renames and executable bits.
    pub(super) fn undo_round(&mut self, paths: &BTreeSet<String>) {
        let disk: BTreeSet<String> = paths.iter().map(|p| self.on_disk(p)).collect();
        for path in disk {
            match self.round.remove(&path) {
                Some(Some(before)) => {
                    self.changes.insert(path, before);
                }
                Some(None) => {
                    self.changes.remove(&path);
                }
                None => {}
            }
        }
    }

    /// Writes every change to disk: texts first (atomically, keeping the file's mode), then
    /// executable bits, then renames. Returns what could not be done.
    pub fn write(&self) -> Vec<String> {
        let mut errors = Vec::new();
        for change in self.changes() {
            if let Err(e) = write_change(change) {
                errors.push(format!("{}: {e}", change.path));
            }
        }
        errors
    }
}

fn write_change(change: &Change) -> std::io::Result<()> {
    let path = Path::new(&change.path);
    if let Some(text) = change
        .text
        .as_ref()
        .filter(|t| Some(*t) != change.original.as_ref())
    {
        let dir = path.parent().filter(|d| !d.as_os_str().is_empty());
        let mut tmp = tempfile::NamedTempFile::new_in(dir.unwrap_or(Path::new(".")))?;
        tmp.write_all(text.as_bytes())?;
        let mode = std::fs::metadata(path)?.permissions();
        tmp.as_file().set_permissions(mode)?;
        tmp.persist(path).map_err(|e| e.error)?;
    }
    if let Some(git) = change.make_executable {
        let mode = executable(std::fs::metadata(path)?.permissions().mode());
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))?;
        if git {
            git_chmod(path)?;
        }
    }
    if let Some(to) = &change.rename_to {
        let to = Path::new(to);
        if to.exists() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::AlreadyExists,
                format!("not renamed: {} already exists", to.display()),
            ));
        }
        if let Some(dir) = to.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::rename(path, to)?;
    }
    Ok(())
}

/// `git update-index --chmod=+x`: in a git work tree `eb deploy` ships the index's mode.
fn git_chmod(path: &Path) -> std::io::Result<()> {
    let (dir, _) = split(path);
    // `--cacheinfo` with the blob already in the index sets the mode and stages nothing else:
    // `--chmod=+x` would also stage the file's current text (the user's unstaged edits, or
    // this run's own fixes), which the user has not reviewed.
    let Some((mode, blob, full_name)) = index_entry(path) else {
        return Err(std::io::Error::other(
            "not in git's index; the file is executable on disk only",
        ));
    };
    let new = executable(mode);
    let status = std::process::Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["update-index", "--cacheinfo"])
        .arg(format!("{new:o},{blob},{full_name}"))
        .status()?;
    if status.success() {
        Ok(())
    } else {
        Err(std::io::Error::other(
            "`git update-index` failed; the file is executable on disk only",
        ))
    }
}

/// `mode` after `chmod +x`: execute wherever read is allowed.
pub(super) fn executable(mode: u32) -> u32 {
    mode | ((mode & 0o444) >> 2)
}

/// The directory to run git in and the file's name there.
fn split(path: &Path) -> (&Path, &std::ffi::OsStr) {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    (dir, path.file_name().unwrap_or(path.as_os_str()))
}

/// The mode, blob id and path from the repository root (what `--cacheinfo` takes) that git's
/// index records for `path`, if git tracks it.
pub(super) fn index_entry(path: &Path) -> Option<(u32, String, String)> {
    let (dir, name) = split(path);
    let out = std::process::Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["ls-files", "-s", "--full-name", "--"])
        .arg(name)
        .output()
        .ok()?;
    let line = String::from_utf8(out.stdout).ok()?;
    let (meta, full_name) = line.lines().next()?.split_once('\t')?;
    let mut fields = meta.split_whitespace();
    let mode = u32::from_str_radix(fields.next()?, 8).ok()?;
    Some((mode, fields.next()?.to_string(), full_name.to_string()))
}
