//! Reading the bundle's other files on demand (scripts its commands and hooks run,
//! `package.json`, `composer.json`), and the platform its EB CLI project names.

use std::collections::HashMap;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;

use super::read::MAX_FILE_BYTES;
use crate::model::{FileSource, ModeOrigin, Platform};

/// Files of a bundle on disk. Modes come from git's index when the bundle is in a git work
/// tree without `.ebignore`, as `eb deploy` ships them (eb-facts §7 #4): `.platform` files'
/// modes are already known; others are listed by one `git ls-files` the first time a rule
/// asks for one.
pub(super) struct DiskFiles {
    pub root: PathBuf,
    pub platform_modes: Option<HashMap<String, u32>>,
    pub other_modes: Mutex<Option<Option<HashMap<String, u32>>>>,
}

impl DiskFiles {
    /// The path on disk of a bundle file; `None` for paths that would leave the bundle.
    fn path(&self, rel: &str) -> Option<PathBuf> {
        let rel = Path::new(rel);
        rel.components()
            .all(|c| matches!(c, std::path::Component::Normal(_)))
            .then(|| self.root.join(rel))
    }

    fn git_modes(&self) -> Option<HashMap<String, u32>> {
        let mut slot = self.other_modes.lock().unwrap_or_else(|e| e.into_inner());
        slot.get_or_insert_with(|| self.list_git_modes()).clone()
    }

    /// `git ls-files --stage` of the bundle directory, when git tracks it.
    fn list_git_modes(&self) -> Option<HashMap<String, u32>> {
        self.platform_modes.as_ref()?;
        let out = Command::new("git")
            .arg("-C")
            .arg(&self.root)
            .args(["ls-files", "--stage", "-z", "--", "."])
            .stdin(Stdio::null())
            .stderr(Stdio::null())
            .env_remove("GIT_DIR")
            .env_remove("GIT_WORK_TREE")
            .output()
            .ok()?;
        if !out.status.success() {
            return None;
        }
        let modes = out
            .stdout
            .split(|&b| b == 0)
            .filter_map(|record| {
                let record = std::str::from_utf8(record).ok()?;
                let (meta, path) = record.split_once('\t')?;
                let mode = u32::from_str_radix(meta.split(' ').next()?, 8).ok()?;
                (mode & 0o170000 == 0o100000).then(|| (path.to_owned(), mode & 0o7777))
            })
            .collect();
        Some(modes)
    }
}

impl FileSource for DiskFiles {
    fn read(&self, rel: &str) -> Option<Vec<u8>> {
        use std::io::Read;
        let path = self.path(rel)?;
        let meta = std::fs::metadata(&path).ok()?;
        if !meta.is_file() {
            return None;
        }
        let mut buf = Vec::with_capacity(meta.len().min(MAX_FILE_BYTES) as usize);
        std::fs::File::open(&path)
            .ok()?
            .take(MAX_FILE_BYTES)
            .read_to_end(&mut buf)
            .ok()?;
        Some(buf)
    }

    fn mode(&self, rel: &str) -> Option<(u32, ModeOrigin)> {
        let in_git = if rel.starts_with(".platform/") {
            self.platform_modes.as_ref()?.get(rel).copied()
        } else {
            self.git_modes().and_then(|m| m.get(rel).copied())
        };
        if let Some(mode) = in_git {
            return Some((mode, ModeOrigin::GitIndex));
        }
        let meta = std::fs::metadata(self.path(rel)?).ok()?;
        Some((meta.permissions().mode() & 0o7777, ModeOrigin::FileSystem))
    }

    fn exists(&self, rel: &str) -> bool {
        self.path(rel)
            .is_some_and(|p| std::fs::symlink_metadata(p).is_ok())
            || self.git_modes().is_some_and(|m| m.contains_key(rel))
    }
}

/// Files held in memory (tests, fuzzing).
pub(super) struct MemoryFiles(pub HashMap<String, (Option<u32>, Vec<u8>)>);

impl FileSource for MemoryFiles {
    fn read(&self, rel: &str) -> Option<Vec<u8>> {
        self.0
            .get(rel)
            .map(|(_, b)| b[..b.len().min(MAX_FILE_BYTES as usize)].to_vec())
    }

    fn mode(&self, rel: &str) -> Option<(u32, ModeOrigin)> {
        self.0
            .get(rel)
            .and_then(|(m, _)| m.map(|m| (m, ModeOrigin::FileSystem)))
    }

    fn exists(&self, rel: &str) -> bool {
        self.0.contains_key(rel)
    }
}

/// The platform of the EB CLI project holding the bundle: `global.default_platform` in the
/// nearest `.elasticbeanstalk/config.yml` from the bundle up to the root of its git work tree.
pub(super) fn eb_cli_platform(root: &Path, display_root: &str) -> Option<Platform> {
    let start = std::path::absolute(root).ok()?;
    for (up, dir) in start.ancestors().enumerate() {
        let config = dir.join(".elasticbeanstalk/config.yml");
        if config.is_file() {
            let text = std::fs::read_to_string(&config).ok()?;
            let shown = match (display_root, up) {
                ("", 0) => ".elasticbeanstalk/config.yml".to_owned(),
                (_, 0) => format!("{display_root}/.elasticbeanstalk/config.yml"),
                _ => config.to_string_lossy().replace('\\', "/"),
            };
            return crate::model::from_eb_cli_config(&text, &shown);
        }
        if dir.join(".git").exists() {
            return None;
        }
    }
    None
}
