//! Text that replaces a file's bytes on disk: an editor's unsaved buffers (`ebguard server`),
//! standard input (`ebguard check --stdin-filename PATH -`), or the files as fixes would leave
//! them (`check --diff`, where a renamed file is gone from its old name). Everything else of
//! the bundle is still read from disk, so option settings merge across files as EB merges them.

use std::collections::{HashMap, HashSet};
use std::path::{Component, Path, PathBuf};

/// Unsaved file texts by absolute path.
#[derive(Clone, Debug, Default)]
pub struct Overlay {
    files: HashMap<PathBuf, String>,
    /// Files on disk that are not there any more (renamed by a fix).
    hidden: HashSet<PathBuf>,
    /// Modes of overlaid files that are not on disk yet (the new name of a renamed file).
    modes: HashMap<PathBuf, u32>,
}

impl Overlay {
    pub fn is_empty(&self) -> bool {
        self.files.is_empty() && self.hidden.is_empty()
    }

    /// Reads `path` as absent although it is on disk.
    pub fn hide(&mut self, path: &Path) {
        self.hidden.insert(normalize(path));
    }

    pub fn is_hidden(&self, path: &Path) -> bool {
        !self.hidden.is_empty() && self.hidden.contains(&normalize(path))
    }

    /// Gives an overlaid file that is not on disk the mode it will have.
    pub fn set_mode(&mut self, path: &Path, mode: u32) {
        self.modes.insert(normalize(path), mode);
    }

    /// The mode set for `path`, if any.
    pub fn mode(&self, path: &Path) -> Option<u32> {
        if self.modes.is_empty() {
            return None;
        }
        self.modes.get(&normalize(path)).copied()
    }

    /// Uses `text` instead of what is on disk at `path` (relative to the current directory
    /// or absolute). The file need not exist yet.
    pub fn insert(&mut self, path: &Path, text: String) {
        self.files.insert(normalize(path), text);
    }

    pub fn remove(&mut self, path: &Path) {
        self.files.remove(&normalize(path));
    }

    /// The text that replaces `path`, if any.
    pub fn get(&self, path: &Path) -> Option<&str> {
        if self.files.is_empty() {
            return None;
        }
        self.files.get(&normalize(path)).map(String::as_str)
    }

    /// Overlaid files below `dir`, as forward-slash paths relative to it.
    pub(super) fn below(&self, dir: &Path) -> Vec<String> {
        if self.files.is_empty() {
            return Vec::new();
        }
        let dir = dir.canonicalize().unwrap_or_else(|_| normalize(dir));
        let mut out: Vec<String> = self
            .files
            .keys()
            .filter_map(|p| p.strip_prefix(&dir).ok())
            .map(|rel| rel.to_string_lossy().replace('\\', "/"))
            .collect();
        out.sort();
        out
    }
}

/// One spelling per file: absolute, without `.`/`..`, with the directory's symbolic links
/// resolved when it exists (an editor may open `/link/app/x.config` while discovery walks
/// `/real/app`). The file itself may not exist: an editor can lint a buffer never saved.
pub fn normalize(path: &Path) -> PathBuf {
    let clean = clean(&std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf()));
    match (clean.parent(), clean.file_name()) {
        (Some(dir), Some(name)) => match dir.canonicalize() {
            Ok(dir) => dir.join(name),
            Err(_) => clean,
        },
        _ => clean,
    }
}

/// `path` without `.` and `..` components, lexically (no file system access).
pub fn clean(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_of_one_file_meet() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().canonicalize().unwrap();
        std::fs::create_dir(real.join("app")).unwrap();
        let mut overlay = Overlay::default();
        overlay.insert(&real.join("app/./x.config"), "a: 1\n".into());
        assert_eq!(
            overlay.get(&real.join("app/../app/x.config")),
            Some("a: 1\n")
        );
        assert_eq!(overlay.below(&real), ["app/x.config"]);
        overlay.remove(&real.join("app/x.config"));
        assert!(overlay.is_empty());
    }
}
